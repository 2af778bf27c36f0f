"""The capstone game: a team spends an improvement budget, the simulator runs their year.

A team chooses how to split a yearly improvement budget between complaint-handling training,
response speed and the five SERVQUAL dimensions, and how boldly to advertise. Every lever has
diminishing returns — the first yuan buys more than the last — so spreading the budget is
sensible and putting it all in one place is not, and the promise cuts both ways: a bolder
promise wins more prospects (advertising reach) and raises every customer's expectation.

What each lever does (the rules a trainer can explain; ``LEVERS`` holds the numbers):

- ``training``: the share of complaints resolved rises from the business's default towards 95%.
- ``speed``: the share of resolutions that are quick rises towards 95% (TARP: a quick
  resolution keeps 95% of complainers, a slow one about 70%).
- ``reliability`` … ``tangibles``: mean quality on that dimension rises by up to 1.5 points
  (0–10 scale), and the visit-to-visit spread falls by up to a third.
- ``promise`` (free): sets the advertised promise; advertising reach (Bass innovation) scales
  by e^(change in promise): one point bolder, 2.7 times the reach.

Effect of spending a share ``s`` of the budget on one lever: ``max_effect × (1 − e^(−3 s))``
(the whole budget on one lever buys 95% of its maximum; half the budget, 78%).

The score is **business value**: this year's profit after the improvement spend, plus the
lifetime value of the customers the team ends the year with. A team that over-promises may win
customers this year and still lose on value. All teams play the same seeds, so differences come
from their choices, not from luck.

The lifetime value is what the customers bring at the year's rates: M/(h+δ), the summary's
``lifetime_value`` (margin per customer-year over departures per customer-year plus the
continuous discount rate), which agrees with the realised value of customers the engine
follows for decades (:mod:`csat.sim.lifetime`). The manager's formula m·r/(1+i−r) (the
summary's ``clv``) would value every customer 10–30% lower, and more so in a business whose
customers leave fast, so it would understate what keeping customers is worth.

>>> plan = Plan(team="Blue", training=0.3, speed=0.2, quality=(0.3, 0.1, 0.0, 0.1, 0.0))
>>> outcome = play(plan, business="hotel", runs=1, population=3_000)
>>> round(outcome.spent / outcome.budget, 2)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csat.sim import presets
from csat.sim.params import SERVQUAL, Params, with_changes
from csat.sim.run import run

LEVERS = {
    "training": {"max": 0.95, "what": "recovery.resolution_rate"},
    "speed": {"max": 0.95, "what": "recovery.quick_share"},
    "quality": {"max_points": 1.5, "max_spread_cut": 1 / 3},
    "promise": {"reach_per_point": 1.0},
    "saturation": 3.0,
}
BUDGET_SHARE = 0.04
"""The improvement budget is this share of the business's revenue in a year with no changes."""
SEEDS = (2026, 2027, 2028, 2029, 2030)


@dataclass(frozen=True)
class Plan:
    """A team's choices. Shares are fractions of the budget (together at most 1)."""

    team: str
    training: float = 0.0
    speed: float = 0.0
    quality: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 0.0)
    promise: float | None = None
    """The advertised promise, 0–10; None keeps the business's current promise."""

    def __post_init__(self) -> None:
        if not isinstance(self.team, str) or not self.team.strip():
            raise ValueError(f"Plan.team must be a non-empty name, got {self.team!r}")
        if len(self.team) > 40:
            raise ValueError(f"Plan.team must be at most 40 characters, got {len(self.team)}")
        if len(self.quality) != 5:
            raise ValueError(f"Plan.quality must be 5 shares, one per SERVQUAL dimension, got "
                             f"{len(self.quality)}")  # fmt: skip
        for name, value in [("training", self.training), ("speed", self.speed)] + [
            (f"quality[{d}]", q) for d, q in zip(SERVQUAL, self.quality, strict=True)
        ]:
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"Plan.{name} must be a share in [0, 1], got {value!r}")
        if self.spent_share > 1.0 + 1e-9:
            raise ValueError(
                f"Plan spends {self.spent_share:.0%} of the budget; the shares must add up to "
                "at most 100%"
            )
        if self.promise is not None and not 0.0 <= self.promise <= 10.0:
            raise ValueError(f"Plan.promise must be in [0, 10], got {self.promise!r}")

    @property
    def spent_share(self) -> float:
        return float(self.training + self.speed + sum(self.quality))

    def as_dict(self) -> dict[str, float | str | None]:
        out: dict[str, float | str | None] = {
            "team": self.team,
            "training": self.training,
            "speed": self.speed,
        }
        out.update({f"quality_{d}": q for d, q in zip(SERVQUAL, self.quality, strict=True)})
        out["promise"] = self.promise
        return out


def _effect(share: float) -> float:
    return 1.0 - math.exp(-LEVERS["saturation"] * share)


def apply(plan: Plan, base: Params) -> Params:
    """``base`` changed by the team's plan (see the module docstring for the rules)."""
    rec = base.recovery
    changes: dict[str, object] = {
        "recovery.resolution_rate": rec.resolution_rate
        + (LEVERS["training"]["max"] - rec.resolution_rate) * _effect(plan.training)
        if rec.resolution_rate < LEVERS["training"]["max"]
        else rec.resolution_rate,
        "recovery.quick_share": rec.quick_share
        + (LEVERS["speed"]["max"] - rec.quick_share) * _effect(plan.speed)
        if rec.quick_share < LEVERS["speed"]["max"]
        else rec.quick_share,
    }
    q = LEVERS["quality"]
    quality = tuple(
        min(10.0, m + q["max_points"] * _effect(s))
        for m, s in zip(base.service.quality, plan.quality, strict=True)
    )
    spread = tuple(
        sd * (1.0 - q["max_spread_cut"] * _effect(s))
        for sd, s in zip(base.service.spread, plan.quality, strict=True)
    )
    changes["service.quality"] = quality
    changes["service.spread"] = spread
    if plan.promise is not None:
        delta = plan.promise - base.expectations.promise
        changes["expectations.promise"] = float(plan.promise)
        changes["innovation"] = min(
            100.0, base.innovation * math.exp(LEVERS["promise"]["reach_per_point"] * delta)
        )
    return with_changes(base, **changes)


@dataclass(frozen=True)
class Outcome:
    """A plan's year, averaged over the game's seeds."""

    plan: Plan
    business: str
    budget: float
    spent: float
    profit: float
    customer_value: float
    customers_end: float
    satisfied_share: float
    dissatisfied_share: float
    complaints: float
    defections: float
    results: list = field(default_factory=list, repr=False)

    @property
    def value(self) -> float:
        """Business value: profit after the spend plus the lifetime value of the customer base."""
        return self.profit - self.spent + self.customer_value

    def as_row(self) -> dict:
        return {
            **self.plan.as_dict(),
            "business": self.business,
            "value": round(self.value),
            "profit_after_spend": round(self.profit - self.spent),
            "customer_value": round(self.customer_value),
            "customers_end": round(self.customers_end),
            "satisfied_share": round(self.satisfied_share, 3),
            "dissatisfied_share": round(self.dissatisfied_share, 3),
            "complaints": round(self.complaints),
            "defections": round(self.defections),
            "spent": round(self.spent),
        }


def budget(business: str, *, population: int | None = None) -> float:
    """The yearly improvement budget (¥) for ``business``: a share of its unchanged revenue."""
    base = _base(business, population)
    revenue = np.mean([run(base, rng=s).summary()["revenue"] for s in SEEDS[:2]])
    return float(round(BUDGET_SHARE * revenue, -2))


def _base(business: str, population: int | None) -> Params:
    changes = {"population": population} if population else {}
    return presets.get(business, days=365, **changes)


def play(
    plan: Plan, *, business: str = "hotel", runs: int = 3, population: int | None = None
) -> Outcome:
    """Run the team's year ``runs`` times (the game's fixed seeds) and average the results."""
    if not 1 <= runs <= len(SEEDS):
        raise ValueError(f"play runs must be in [1, {len(SEEDS)}], got {runs!r}")
    base = _base(business, population)
    money = budget(business, population=population)
    params = apply(plan, base)
    results = [run(params, rng=s) for s in SEEDS[:runs]]
    sums = [r.summary() for r in results]

    def mean(key: str) -> float:
        return float(np.mean([float(s[key]) for s in sums]))

    return Outcome(
        plan=plan,
        business=business,
        budget=money,
        spent=money * plan.spent_share,
        profit=mean("profit"),
        customer_value=float(
            np.mean([float(s["customers_end"]) * float(s["lifetime_value"]) for s in sums])
        ),
        customers_end=mean("customers_end"),
        satisfied_share=mean("share_very_satisfied") + mean("share_basically_satisfied"),
        dissatisfied_share=mean("share_dissatisfied"),
        complaints=mean("complaints_front_line"),
        defections=mean("defections"),
        results=results,
    )


def leaderboard(outcomes: list[Outcome] | list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Teams ranked by business value (highest first), one row each.

    Takes outcomes, rows as :meth:`Outcome.as_row` gives them, or such a DataFrame.
    """
    if isinstance(outcomes, pd.DataFrame):
        rows = outcomes
    else:
        rows = [o.as_row() if isinstance(o, Outcome) else dict(o) for o in outcomes]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
    table.index = pd.RangeIndex(1, len(table) + 1, name="rank")
    return table
