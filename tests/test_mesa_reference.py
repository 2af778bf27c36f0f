"""The Mesa reference model (one Python agent per person) and ``csat.sim.run`` simulate one model.

Both run the car dealership for a year at N = 2,000 over independent seeds; the mean of each
summary figure must agree within a bound taken from the observed standard errors: a Welch t
quantile for a family-wise false-alarm rate of 1% over every figure compared in this module
(Bonferroni), times the standard error of the difference, plus a small absolute floor for
figures that are zero in both. A second check makes sure that bound is tight enough to catch a
real discrepancy.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csat import sim
from csat.sim.state import CAUSES, CUSTOMER, DEFECTED, PROSPECT

try:
    from benchmarks.mesa_reference import CustomerModel
    from benchmarks.mesa_reference import run as mesa_run
except ModuleNotFoundError:  # pytest started without the project root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.mesa_reference import CustomerModel
    from benchmarks.mesa_reference import run as mesa_run

N, DAYS, SEEDS = 2_000, 365, 16
MARKETS = {
    "well mixed": sim.presets.get("car_dealer", population=N, days=DAYS),
    # Every mechanism that is off by default switched on, word of mouth along a small world.
    "small world, all mechanisms": sim.presets.get(
        "car_dealer",
        population=N,
        days=DAYS,
        **{
            "network.kind": "small_world",
            "wom.second_hop_negative": 1.0,
            "wom.second_hop_positive": 0.5,
            "wom.defection_per_message": 0.02,
            "wom.unhappy_seeds": 20,
            "wom.unhappy_seeds_by": "degree",
            "expectations.wom_shift": 0.1,
            "recovery.paradox_satisfaction": 1.0,
            "recovery.paradox_loyalty": 0.5,
        },
    ),
}
SHARES = [
    "share_very_satisfied",
    "share_dissatisfied",
    "share_of_problems_voiced",
    *(f"share_defections_{c}" for c in CAUSES),
]
FIGURES = ["customers_end", "new_customers", "wom_negative", "revenue", *SHARES]
FAMILY_ALPHA = 0.01


def _figures(summary: pd.Series) -> dict[str, float]:
    out = {f: float(summary[f]) for f in FIGURES if f in summary}
    for c in CAUSES:
        out[f"share_defections_{c}"] = summary[f"defections_{c}"] / summary["defections"]
    return out


def _floor(figure: str, params: sim.Params) -> float:
    """Absolute slack: a thousandth for shares, one person for counts, one visit for money."""
    if figure in SHARES:
        return 1e-3
    return params.economics.revenue_per_visit if figure == "revenue" else 1.0


@pytest.mark.slow
@pytest.mark.parametrize("market", MARKETS)
def test_mesa_reference_agrees_with_sim(market):
    params = MARKETS[market]
    a = pd.DataFrame([_figures(sim.run(params, rng=100 + s).summary()) for s in range(SEEDS)])
    b = pd.DataFrame([_figures(mesa_run(params, rng=500 + s).summary()) for s in range(SEEDS)])
    va, vb = a.var() / SEEDS, b.var() / SEEDS
    se = np.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (SEEDS - 1) + vb**2 / (SEEDS - 1))
    per_test = FAMILY_ALPHA / (len(MARKETS) * len(FIGURES))
    t = pd.Series(stats.t.ppf(1 - per_test / 2, dof.fillna(SEEDS - 1)), index=se.index)
    floor = pd.Series({f: _floor(f, params) for f in FIGURES})
    limit = t * se + floor
    diff = b.mean() - a.mean()
    table = pd.DataFrame(
        {"sim": a.mean(), "mesa": b.mean(), "diff": diff, "se": se, "limit": limit}
    ).loc[FIGURES]
    assert (diff.abs() <= limit).all(), f"{market}: Mesa and sim disagree\n{table.to_string()}"

    # The bound has power: it would catch a 6% shift in the headline count and money, a few
    # points in the satisfaction shares, and a gross error in the complaint and defection
    # shares (those rest on about a hundred problems per run).
    relative = limit[["customers_end", "revenue"]] / a.mean()[["customers_end", "revenue"]]
    assert (relative < 0.06).all(), table.to_string()
    assert (limit[["share_very_satisfied", "share_dissatisfied"]] < 0.03).all(), table.to_string()
    rare = ["share_of_problems_voiced", "share_defections_natural", "share_defections_silent"]
    assert (limit[rare] < 0.15).all(), table.to_string()


def test_mesa_reference_is_reproducible_and_conserves_people():
    params = sim.presets.get("car_dealer", population=400, days=40)
    one = mesa_run(params, rng=3)
    two = mesa_run(params, rng=3)
    pd.testing.assert_frame_equal(one.daily, two.daily)
    d = one.daily
    assert (d[["customers", "prospects", "defected"]].sum(axis=1) == params.population).all()
    status = one.population.status
    assert np.count_nonzero(status == CUSTOMER) == d["customers"].iloc[-1]
    assert np.count_nonzero(status == PROSPECT) == d["prospects"].iloc[-1]
    assert np.count_nonzero(status == DEFECTED) == d["defected"].iloc[-1]


def test_mesa_reference_uses_the_given_network():
    params = sim.presets.get("car_dealer", population=300, days=1, **{"network.kind": "ring"})
    net = sim.network.ring(300, 4)
    model = CustomerModel(params, network=net, rng=0)
    person = model.people[10]
    contacts = sorted(model.people.index(a) for a in person.cell.neighborhood.agents)
    assert contacts == sorted(net.contacts(10).tolist())
