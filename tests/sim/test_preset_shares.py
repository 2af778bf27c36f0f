"""Every shipped preset realises the complaint shares the project states for it.

The shares in ComplaintBehaviour hold for a problem of the reference severity; a run draws
problems of every size, so what a business voices can differ from its base shares. These tests
run each preset exactly as the course ships it (csat.sim.run on presets.get(name)), over seeds
the calibration did not use, pool the problems of several runs, and compare the shares of
problems voiced to the front line and reaching head office with the stated figures.
"""

from pathlib import Path

import numpy as np
import pytest

from csat import sim
from csat.sim import calibration, presets

STATED = {
    # preset: (share of problems voiced to the front line, share reaching head office)
    "car_dealer": (0.477, 0.029),
    "hotel": (0.469, 0.028),
    "hotpot": (0.50, 0.03),
    "sales_office": (0.50, 0.03),
    "b2b_supplier": (0.75, 0.05),
    "airline": (0.50, 0.03),
    "deck_folklore": (0.04, 0.04),
    "cd_retailer": (0.50, 0.03),
}
"""The figures the README and the course state (Goodman/TARP; the decks' 4%)."""

PROBLEMS = 30_000  # binomial standard error 0.3 points at 50%, 0.25 at 75%
FIRST_SEED = 1_000  # base_complaint_shares calibrates on seeds 0, 1, ...
Z_MAX = 4.0


def test_every_preset_has_a_stated_figure():
    assert set(STATED) == set(presets.names())


@pytest.mark.parametrize("name", list(STATED))
def test_preset_declares_the_stated_figures(name):
    assert presets.stated_complaint_shares(name) == STATED[name]
    assert presets.describe().loc[name, "front_line_complaints"] == STATED[name][0]


@pytest.mark.parametrize("name", list(STATED))
def test_preset_realises_its_stated_complaint_shares(name):
    params = presets.get(name)
    per_run = []  # (problems, front-line complaints, head-office complaints) of each run
    while sum(n for n, _, _ in per_run) < PROBLEMS:
        d = sim.run(params, rng=FIRST_SEED + len(per_run)).daily
        per_run.append(
            (
                int(d["dissatisfied"].sum()),
                int(d["complaints_front_line"].sum()),
                int(d["complaints_head_office"].sum()),
            )
        )
    counts = np.array(per_run, float)
    problems, runs = counts[:, 0].sum(), len(per_run)
    stated_front, stated_head = STATED[name]
    report = []
    for where, column, stated in (
        ("front line", 1, stated_front),
        ("head office", 2, stated_head),
    ):
        measured = counts[:, column].sum() / problems
        # Sampling error: binomial, or the spread between runs where that is larger (the
        # problems of one run share its expectations, so runs differ by more than coin tosses).
        binomial = np.sqrt(stated * (1 - stated) / problems)
        residual = counts[:, column] - measured * counts[:, 0]
        between = np.sqrt(runs / (runs - 1) * np.sum(residual**2)) / problems
        z = (measured - stated) / max(binomial, between)
        report.append((where, measured, stated, z))
        print(
            f"{name} {where}: measured {measured:.2%} of {problems:.0f} problems in {runs} runs, "
            f"stated {stated:.1%}, z = {z:+.1f} (standard error {binomial:.2%} binomial, "
            f"{between:.2%} between runs)"
        )
    for where, measured, stated, z in report:
        assert abs(z) < Z_MAX, (
            f"{name} voices {measured:.2%} of its problems to the {where}, stated {stated:.1%} "
            f"(z = {z:+.1f}); recompute its base share with "
            "csat.sim.calibration.base_complaint_shares"
        )


def test_the_readme_states_each_presets_figures():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name, (front, head) in STATED.items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), "")
        assert row.startswith(f"| `{name}` | {front:.1%} / "), f"README: no row for {name}"
        assert f"| {head:.1%} / " in row, f"README: {name}'s head-office figure"


def test_base_complaint_shares_realise_the_figure_asked_for():
    small = presets.get("hotpot", population=3_000, days=120)
    cb = calibration.base_complaint_shares(small, 0.6, 0.06, problems=2_000)
    assert cb.front_line > 0.6  # this business's problems are mostly small
    assert cb.head_office == pytest.approx(cb.front_line * 0.06 / 0.6)
    got = calibration.realised_complaint_shares(
        sim.with_changes(
            small,
            **{"complaints.front_line": cb.front_line, "complaints.head_office": cb.head_office},
        ),
        problems=2_000,
    )
    assert got.front_line == pytest.approx(0.6, abs=0.005)  # the seeds the search used
    flat = sim.with_changes(small, **{"complaints.severity_elasticity": 0.0})
    assert calibration.base_complaint_shares(flat, 0.3, 0.02).front_line == 0.3
    with pytest.raises(ValueError, match="head_office must be in"):
        calibration.base_complaint_shares(small, 0.3, 0.5)
