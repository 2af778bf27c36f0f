"""Repeat purchases of a cohort, simulated and observed: the CDNOW check.

The CDNOW data (Fader & Hardie) follow the 23,570 people who first bought a CD from the
retailer in the first 12 weeks of 1997 for 78 weeks: 39 weeks of calibration, 39 of holdout.
A cohort of the simulator is followed the same way: :func:`cohort_params` makes a market with
no customers on day 0 whose prospects are won by advertising, the people who join in the first
12 weeks are the cohort (joining is their first purchase, each visit after it a repeat), and
:func:`simulate_cohort` counts their visits in weeks 1–39 and 40–78 with :func:`csat.sim.run`
(a run of fewer days with the same seed is the start of a longer one, so the counts at the end
of the calibration weeks come from a run that stops there).

:func:`figures` reduces either to the numbers the course compares: the share with no repeat
purchase in the calibration weeks, the variance/mean of their repeat counts, and the holdout
purchases per calibration purchase. :data:`CDNOW` holds the data's figures (the test suite
recomputes them from the file shipped with the ``lifetimes`` package:
``tests/sim/test_customers_differ.py``).

>>> sorted(CDNOW)
['holdout_to_calibration', 'var_to_mean', 'zero_repeat']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csat.sim.params import Params, with_changes
from csat.sim.run import run

TRIAL_DAYS = 84
"""The cohort joins (makes its first purchase) in days 0–83: the first 12 weeks."""
CALIBRATION_DAYS = 273
"""Weeks 1–39: the calibration period, counted from day 0."""
HOLDOUT_DAYS = 273
"""Weeks 40–78: the holdout period, right after the calibration."""

CDNOW = {"zero_repeat": 0.599, "var_to_mean": 5.03, "holdout_to_calibration": 0.809}
"""The CDNOW cohort's figures (23,570 customers; repeat purchases counted as distinct days after
the first): 59.9% make no repeat purchase in the 39 calibration weeks; their repeat counts have
variance/mean 5.03; they buy 0.809 times as often in the holdout weeks as in the calibration."""


def cohort_params(params: Params, *, population: int = 120_000, innovation: float = 1.0) -> Params:
    """``params`` as a cohort study of the calibration and holdout weeks: ``population``
    people, nobody a customer on day 0, prospects won by advertising at ``innovation`` a year.
    The defaults give a cohort about CDNOW's size (some 24,000 join in the first 12 weeks,
    slightly more of them early: a mean join day of 40 against CDNOW's 43)."""
    return with_changes(
        params,
        population=population,
        initial_customers=0.0,
        innovation=innovation,
        days=CALIBRATION_DAYS + HOLDOUT_DAYS,
    )


def simulate_cohort(
    params: Params, *, rng: int = 0, recency_step: int | None = None
) -> pd.DataFrame:
    """Repeat purchases of the cohort of ``params`` (made with :func:`cohort_params`).

    One row per person who joined in the first :data:`TRIAL_DAYS` days: ``joined_day``,
    ``calibration`` and ``holdout`` (visits in weeks 1–39 and 40–78), and ``T`` (weeks from
    joining to the end of the calibration). With ``recency_step`` (days), also ``recency``:
    weeks from joining to the last repeat purchase of the calibration (0 without one), read off
    runs that stop every ``recency_step`` days and placed in the middle of the step it fell in.
    """
    if params.days < CALIBRATION_DAYS + HOLDOUT_DAYS:
        raise ValueError(
            f"simulate_cohort: params.days must be >= {CALIBRATION_DAYS + HOLDOUT_DAYS} "
            f"(use cohort_params), got {params.days}"
        )

    def visits(days: int) -> np.ndarray:
        return run(with_changes(params, days=days), rng=rng).population.visits

    full = run(with_changes(params, days=CALIBRATION_DAYS + HOLDOUT_DAYS), rng=rng).population
    calibration = visits(CALIBRATION_DAYS)
    cohort = np.nonzero((full.joined >= 0) & (full.joined < TRIAL_DAYS))[0]
    joined = full.joined[cohort]
    table = pd.DataFrame(
        {
            "joined_day": joined,
            "calibration": calibration[cohort],
            "holdout": full.visits[cohort] - calibration[cohort],
            "T": (CALIBRATION_DAYS - joined) / 7.0,
        }
    )
    if recency_step:
        last = np.full(cohort.size, -1.0)  # day of the last repeat, in the middle of its step
        before = np.zeros(cohort.size, np.int64)
        for end in range(recency_step, CALIBRATION_DAYS + recency_step, recency_step):
            end = min(end, CALIBRATION_DAYS)
            now = visits(end)[cohort] if end < CALIBRATION_DAYS else calibration[cohort]
            bought = now > before
            start = end - recency_step
            last[bought] = np.maximum((start + end) / 2.0 - 0.5, joined[bought] + 0.5)
            before = now
            if end == CALIBRATION_DAYS:
                break
        recency = np.where(last >= 0, (last - joined) / 7.0, 0.0)
        table["recency"] = np.minimum(recency, table["T"].to_numpy())
    return table.rename_axis("person")


def figures(calibration, holdout) -> dict[str, float]:
    """The course's three figures of a cohort's repeat counts per person (see :data:`CDNOW`)."""
    cal = np.asarray(calibration, dtype=float)
    hold = np.asarray(holdout, dtype=float)
    mean = cal.mean()
    return {
        "zero_repeat": float(np.mean(cal == 0)),
        "var_to_mean": float(cal.var(ddof=1) / mean) if mean else float("nan"),
        "holdout_to_calibration": float(hold.sum() / cal.sum()) if cal.sum() else float("nan"),
    }


def transaction_figures(transactions: pd.DataFrame) -> dict[str, float]:
    """:func:`figures` of a transaction log with columns ``customer`` and ``day`` (days from
    the start of the trial weeks), CDNOW style: several purchases on one day count as one; the
    first day is the trial, later days are repeats."""
    t = transactions[["customer", "day"]].drop_duplicates()
    first = t.groupby("customer")["day"].min()
    later = t[t["day"].to_numpy() > first.reindex(t["customer"]).to_numpy()]
    end = CALIBRATION_DAYS + HOLDOUT_DAYS

    def count(lo: int, hi: int) -> pd.Series:
        within = later[(later["day"] >= lo) & (later["day"] < hi)]
        return within.groupby("customer").size().reindex(first.index, fill_value=0)

    return figures(count(0, CALIBRATION_DAYS), count(CALIBRATION_DAYS, end))
