"""Run a simulated business for a number of days and collect the results."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from csat.sim import _jit
from csat.sim._rng import as_generator
from csat.sim.analytic import clv, clv_closed_form
from csat.sim.economics import costs
from csat.sim.network import Network, build
from csat.sim.params import Params
from csat.sim.state import CAUSES, CUSTOMER, DEFECTED, NO_CAUSE, PROSPECT, STATUS_NAMES, Population
from csat.sim.steps import COUNT_FIELDS, SUM_FIELDS, advance_days, day_constants

_MONEY = ("revenue", "costs", "profit", "discounted_profit")


@dataclass(frozen=True)
class Result:
    """What a run produced.

    Attributes
    ----------
    params : Params
        The parameters of the run.
    seed : int or None
        The integer seed, when the run was given one.
    population : Population
        The market at the end of the last day.
    daily : pandas.DataFrame
        One row per day (tidy): people by status, visits and their outcomes, complaints,
        defections by cause, word of mouth, money, and the lifetime value a manager would
        estimate from the rates observed so far (``clv``, the formula m·r/(1+i−r)).
    network : Network or None
        The contact network word of mouth followed (None: well mixed).
    """

    params: Params
    seed: int | None
    population: Population
    daily: pd.DataFrame
    network: Network | None = None

    @cached_property
    def customers(self) -> pd.DataFrame:
        """One row per person: status, when they joined and left and why, what they lived."""
        pop = self.population
        cause = np.asarray((*CAUSES, ""), dtype=object)[
            np.where(pop.cause == NO_CAUSE, len(CAUSES), pop.cause)
        ]
        return pd.DataFrame(
            {
                "status": pd.Categorical.from_codes(pop.status, STATUS_NAMES),
                "joined_day": pop.joined,
                "left_day": pop.left,
                "cause": pd.Categorical(cause, categories=[*CAUSES, ""]),
                "visits": pop.visits,
                "problems": pop.problems,
                "complaints": pop.complaints,
                "last_satisfaction": pop.satisfaction,
                "expectation_own_view": pop.own_view,
                "heard_positive": pop.heard_positive,
                "heard_negative": pop.heard_negative,
                "put_off": pop.rejected,
                "value": pop.value,
            }
        ).rename_axis("person")

    def summary(self) -> pd.Series:
        """Headline figures of the run.

        Retention is yearly: the share of a year's customers who would still be there after a
        year at the defection rate seen in the run. Two lifetime values at the run's rates, with
        m = M the margin per customer-year net of retention and complaint costs:

        - ``lifetime_value``, M/(h + δ) with h the departures per customer-year and δ = ln(1+i):
          what the simulated customers bring (it agrees with the realised value of a cohort the
          engine follows for decades, :func:`csat.sim.lifetime.cohort_value`). The capstone and
          the loyalty notebook's money tables use it.
        - ``clv``, m·r/(1 + i − r): what a manager computes from the yearly retention r, margins
          paid at the end of each whole year stayed; below ``lifetime_value`` by about (h+δ)/2
          (:func:`csat.sim.analytic.clv_formula_gap`).
        """
        d = self.daily
        p = self.params
        years = p.days / 365.0
        customer_years = float(d["customers_start"].sum()) / 365.0
        defected = int(d[[f"defected_{c}" for c in CAUSES]].to_numpy().sum())
        hazard = defected / customer_years if customer_years else 0.0
        retention = float(np.exp(-hazard))
        problems = int(d["dissatisfied"].sum())
        voiced = int(d["complaints_front_line"].sum())
        margin_per_year = (
            (float(d["revenue"].sum()) * p.economics.margin - _customer_costs(d, p))
            / customer_years
            if customer_years
            else 0.0
        )
        pos, neg = int(d["wom_positive"].sum()), int(d["wom_negative"].sum())
        out = {
            "days": p.days,
            "population": p.population,
            "customers_start": int(d["customers_start"].iloc[0]),
            "customers_end": int(d["customers"].iloc[-1]),
            "new_customers": int(d["new_customers"].sum()),
            "new_by_word_of_mouth": int(d["new_by_word_of_mouth"].sum()),
            "defections": defected,
            **{f"defections_{c}": int(d[f"defected_{c}"].sum()) for c in CAUSES},
            "retention_per_year": retention,
            "visits": int(d["visits"].sum()),
            "share_very_satisfied": _share(d["very_satisfied"].sum(), d["visits"].sum()),
            "share_basically_satisfied": _share(d["basically_satisfied"].sum(), d["visits"].sum()),
            "share_dissatisfied": _share(problems, d["visits"].sum()),
            "problems": problems,
            "complaints_front_line": voiced,
            "complaints_head_office": int(d["complaints_head_office"].sum()),
            "share_of_problems_voiced": _share(voiced, problems),
            "share_of_problems_reaching_head_office": _share(
                d["complaints_head_office"].sum(), problems
            ),
            "silent_problems": int(d["silent_problems"].sum()),
            "wom_positive": pos,
            "wom_negative": neg,
            "wom_positive_to_negative": pos / neg if neg else float("inf") if pos else 0.0,
            "people_heard_good_news": int(np.count_nonzero(self.population.heard_positive)),
            "people_heard_bad_news": int(np.count_nonzero(self.population.heard_negative)),
            "prospects_put_off": int(d["prospects_put_off"].sum()),
            "revenue": float(d["revenue"].sum()),
            "profit": float(d["profit"].sum()),
            "discounted_profit": float(d["discounted_profit"].sum()),
            "margin_per_customer_year": margin_per_year,
            "clv": clv(margin_per_year, retention, p.economics.discount_rate)
            if retention < 1 + p.economics.discount_rate
            else float("nan"),
            "lifetime_value": clv_closed_form(margin_per_year, hazard, p.economics.discount_rate),
            "years": years,
        }
        return pd.Series(out, name="summary", dtype=object)


def _share(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _customer_costs(d: pd.DataFrame, p: Params) -> float:
    """Retention and complaint costs over the run (acquisition left out: see :func:`costs`)."""
    e = p.economics
    return costs(
        0,
        float(d["customers_start"].sum()),
        float(d["complaints_front_line"].sum()),
        float(d["complaints_head_office"].sum()),
        e.acquisition_cost,
        e.retention_cost,
        e.complaint_cost,
        e.escalation_cost,
    )


def run(
    params: Params,
    *,
    network: Network | None = None,
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
) -> Result:
    """Simulate ``params.days`` days of the business described by ``params``.

    Parameters
    ----------
    params : Params
    network : Network, optional
        A ready-made contact network (e.g. from networkx via
        :meth:`csat.sim.network.Network.from_networkx`) with one node per person. Without it, the
        network ``params.network`` describes is built from ``rng`` at the start of the run.
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run.
    progress : bool, optional
        Show a progress bar (tqdm) over the days.

    Returns
    -------
    Result

    Examples
    --------
    >>> from csat.sim.params import Params
    >>> res = run(Params(population=2_000, days=30), rng=1)
    >>> len(res.daily), int(res.customers.shape[0])
    (30, 2000)
    >>> bool((res.daily[["customers", "prospects", "defected"]].sum(axis=1) == 2_000).all())
    True
    """
    if not isinstance(params, Params):
        raise ValueError(f"run: params must be a sim.Params, got {type(params).__name__}")
    seed = int(rng) if isinstance(rng, int | np.integer) and not isinstance(rng, bool) else None
    gen = as_generator(rng)
    pop = Population.initial(params, rng=gen)
    if network is None:
        spec = params.network
        network = build(spec.kind, params.population, spec.mean_degree, rewire=spec.rewire, rng=gen)
    elif not isinstance(network, Network) or network.n != params.population:
        raise ValueError(
            f"run: network must be a sim.network.Network with {params.population} people "
            f"(Params.population), got {network!r}"
        )
    days = params.days
    c = day_constants(params)
    customers = int(np.count_nonzero(pop.status == CUSTOMER))
    prospects = int(np.count_nonzero(pop.status == PROSPECT))
    defected = int(np.count_nonzero(pop.status == DEFECTED))
    # One row per day, filled by the (compiled) daily loop.
    table = np.zeros((days, len(COUNT_FIELDS)), np.int64)
    sums = np.zeros((days, len(SUM_FIELDS)))
    defections = np.zeros((days, len(CAUSES)), np.int64)
    customers_start = np.zeros(days, np.int64)
    if progress:
        from tqdm.auto import tqdm

        for day in tqdm(range(days), desc="simulating", unit="day"):
            one = slice(day, day + 1)
            customers = advance_days(
                pop, c, day, 1, gen, customers, network,
                table[one], sums[one], defections[one], customers_start[one],
            )  # fmt: skip
    else:
        advance_days(
            pop, c, 0, days, gen, customers, network, table, sums, defections, customers_start
        )

    counts = {name: table[:, i] for i, name in enumerate(COUNT_FIELDS)}
    counts |= {name: sums[:, SUM_FIELDS.index(name)] for name in _MONEY}
    sat_sum, exp_sum = (sums[:, SUM_FIELDS.index(name)] for name in SUM_FIELDS[:2])
    joined = np.cumsum(counts["new_customers"])
    left = np.cumsum(defections.sum(axis=1))
    visited = counts["visits"] > 0
    mean_sat, mean_exp = np.full((2, days), np.nan)
    np.divide(sat_sum, counts["visits"], out=mean_sat, where=visited)
    np.divide(exp_sum, counts["visits"], out=mean_exp, where=visited)
    columns = {
        "day": np.arange(1, days + 1),
        "customers": customers_start[0] + joined - left,
        "prospects": prospects - joined,
        "defected": defected + left,
        "customers_start": customers_start,
        **counts,
        **{f"defected_{cause}": defections[:, i] for i, cause in enumerate(CAUSES)},
        "mean_satisfaction": mean_sat,
        "mean_expectation": mean_exp,
    }
    columns["clv"] = _running_clv(columns, params)
    daily = pd.DataFrame(columns)
    return Result(params=params, seed=seed, population=pop, daily=daily, network=network)


def _running_clv(d: dict[str, np.ndarray], p: Params) -> np.ndarray:
    """CLV from the margin and defection rates observed up to each day (``d``: the columns of
    :attr:`Result.daily`, as arrays)."""
    e = p.economics
    customer_days = np.cumsum(d["customers_start"])
    cy = customer_days / 365.0
    left = np.cumsum(sum(d[f"defected_{c}"] for c in CAUSES))
    spent = costs(
        0,
        customer_days,
        np.cumsum(d["complaints_front_line"]),
        np.cumsum(d["complaints_head_office"]),
        e.acquisition_cost,
        e.retention_cost,
        e.complaint_cost,
        e.escalation_cost,
    )
    margin = np.cumsum(d["revenue"]) * e.margin - spent
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(cy > 0, margin / cy, np.nan)
        r = np.exp(-np.where(cy > 0, left / cy, np.nan))
        return m * r / (1.0 + e.discount_rate - r)


def warm_up() -> float:
    """Compile (or load from the disk cache) the daily loop now; return the seconds it took.

    ``make setup`` calls this (``python -m csat sim compile``) so that nobody waits for the
    compiler in front of a room. Without Numba it does nothing and returns 0.
    """
    import time

    if not _jit.AVAILABLE:
        return 0.0
    from csat.sim import presets  # presets build Params only: no circle

    t0 = time.perf_counter()
    for changes in ({}, {"network.kind": "small_world", "wom.unhappy_seeds": 2}):
        run(presets.get("car_dealer", population=200, days=3, **changes), rng=0)
    return time.perf_counter() - t0
