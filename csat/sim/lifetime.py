"""Customer lifetime value three ways, and which one the course uses.

- **Realised** (:func:`cohort_value`): what simulated customers actually bring. The engine
  (:func:`csat.sim.run`) follows the customers a business has on day 0, with nobody new
  joining, for decades; each customer's value is the margin of the visits they really made,
  discounted to day 0, less what it cost to keep them and to handle their complaints, until
  they left.
- **Closed form** M/(h+δ) (:func:`csat.sim.analytic.clv_closed_form`): the value of a
  customer who brings margin at a constant rate M per year and leaves at a constant hazard h
  per year, discounted at the continuous rate δ = ln(1+i). The simulator's customers visit
  with a constant daily chance and leave at (nearly) constant hazards, so this is what they
  bring; the tests check it against the realised value of cohorts run by the engine.
- **The manager's formula** m·r/(1+i−r) (:func:`csat.sim.analytic.clv`; Gupta & Lehmann's
  simple margin multiple): yearly margin m, yearly retention r, and the margin paid at the end
  of every whole year the customer stays. This is what a manager computes from an annual
  retention rate.

With r = e^{−h} and 1+i = e^{δ} the formula is M/(e^{h+δ} − 1), below M/(h+δ) for every
h+δ > 0 (:func:`csat.sim.analytic.clv_formula_gap`). Two things make the gap: a customer who
leaves in the middle of a year has brought the margin of the visits she made, which the formula
counts as nothing; and margin that comes in during the year is discounted less than margin
paid at its end. For the car dealer (h+δ ≈ 0.3) the formula falls about 14% short.

**What the course and the capstone use.** The capstone's business value and the money tables of
the loyalty notebook use the closed form at the rates a run measured (``lifetime_value`` of
:meth:`csat.sim.Result.summary`): it is what the customers bring, it agrees with the realised
value of a cohort, and it costs nothing to compute, where a realised value needs decades of
simulation for every team. The formula stays beside it (``clv``) as what a manager would
estimate, so that trainees see how far the estimate is from what the customers bring.

>>> from csat.sim import analytic
>>> round(analytic.clv_closed_form(1_000.0, 0.2, 0.1))  # M = ¥1,000, h = 0.2, i = 10%
3386
>>> round(analytic.clv(1_000.0, math.exp(-0.2), 0.1))  # the formula at r = e^(-0.2)
2911
>>> round(analytic.clv_formula_gap(0.2, 0.1), 3)
-0.14
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csat.sim.analytic import clv, clv_continuous, clv_formula_gap
from csat.sim.params import Params, with_changes
from csat.sim.run import run
from csat.sim.state import CUSTOMER

YEARS = 30.0
"""How long :func:`cohort_value` follows a cohort by default: long enough that what is left
after it is a fraction of a per cent for every business of the course (e^{−(h+δ)·30})."""


@dataclass(frozen=True)
class CohortValue:
    """The three lifetime values of one cohort followed by the engine (money per customer).

    Attributes
    ----------
    customers : int
        Customers in the cohort (the day-0 customers of the run).
    years : float
        How long they were followed.
    margin_per_year : float
        M: margin per customer-year net of retention and complaint costs, measured.
    hazard : float
        h: departures per customer-year, every cause counted, measured.
    retention : float
        r = e^{−h}: the yearly retention a manager would measure.
    discount_rate : float
        i, yearly.
    realised : float
        Mean discounted value the cohort's customers brought.
    standard_error : float
        Its Monte Carlo standard error (spread of the customers' values / √customers).
    closed_form : float
        M (1 − e^{−(h+δ)T}) / (h+δ) over the same ``years`` T.
    formula : float
        m·r/(1+i−r) with m = M and r as measured.
    complaint_costs : float
        What handling the cohort's complaints cost per customer, discounted (part of
        ``realised``).
    values : numpy.ndarray
        Each customer's value (the mean of which is ``realised``).
    summary : pandas.Series
        :meth:`csat.sim.Result.summary` of the cohort's run: its ``lifetime_value`` and ``clv``
        are the two values the capstone and the course compute from any run.
    """

    customers: int
    years: float
    margin_per_year: float
    hazard: float
    retention: float
    discount_rate: float
    realised: float
    standard_error: float
    closed_form: float
    formula: float
    complaint_costs: float
    values: np.ndarray = field(repr=False)
    summary: pd.Series = field(repr=False)

    @property
    def formula_gap(self) -> float:
        """The formula against the realised value: formula / realised − 1."""
        return self.formula / self.realised - 1.0

    @property
    def closed_form_gap(self) -> float:
        """The closed form against the realised value: closed form / realised − 1."""
        return self.closed_form / self.realised - 1.0

    @property
    def predicted_formula_gap(self) -> float:
        """The formula's gap theory predicts at the measured rates, closed form against formula
        (:func:`csat.sim.analytic.clv_formula_gap`)."""
        return clv_formula_gap(self.hazard, self.discount_rate)


def cohort_value(
    params: Params,
    *,
    years: float = YEARS,
    population: int | None = None,
    rng: int | np.random.Generator | None = None,
) -> CohortValue:
    """Realised lifetime value of the customers ``params`` starts with, from the engine.

    :func:`csat.sim.run` simulates the market of ``params`` for ``years`` years with
    acquisition switched off (no advertising reach, no one convinced by word of mouth), so the
    customers are exactly the day-0 customers, and word of mouth still reaches the same mix of
    customers and prospects. Every rule that makes customers visit, complain and leave is the
    engine's own.

    A customer's value is the margin of each visit she made, discounted to day 0 as the engine
    records it (:attr:`csat.sim.Population.value`), less the retention cost of every day she
    was a customer, discounted the same way, less her complaints at the cohort's average
    discounted cost per complaint (the engine does not keep the day of each complaint; the mean
    is exact, the spread nearly so). The values add up to the discounted profit of the run.

    Parameters
    ----------
    params : Params
        The business; its ``days`` and acquisition are replaced.
    years : float, optional
        How long to follow the cohort.
    population : int, optional
        Size of the market (the cohort is its ``initial_customers`` share); the preset's if None.
    rng : int, numpy.random.Generator or None, optional

    Examples
    --------
    >>> from csat.sim import presets
    >>> v = cohort_value(presets.get("hotel"), years=5, population=4_000, rng=1)
    >>> v.customers, bool(v.formula < v.realised)
    (600, True)
    """
    if not 0 < years <= 100:
        raise ValueError(f"cohort_value: years must be in (0, 100], got {years!r}")
    changes: dict[str, object] = {
        "days": max(1, round(years * 365)),
        "innovation": 0.0,
        "wom.adoption_per_message": 0.0,
    }
    if population is not None:
        changes["population"] = int(population)
    p = with_changes(params, **changes)
    result = run(p, rng=rng)
    pop, d, e = result.population, result.daily, p.economics
    cohort = np.flatnonzero(pop.joined == 0)
    n = cohort.size
    if n == 0 or int(d["new_customers"].sum()):
        raise ValueError("cohort_value: the market needs customers on day 0 and nobody joining")
    # Days each was a customer: the engine charges retention on everyone who starts a day as a
    # customer, the day they leave included.
    still = pop.status[cohort] == CUSTOMER
    days_in = np.where(still, p.days, pop.left[cohort].astype(np.int64) + 1)
    q = (1.0 + e.discount_rate) ** (-1.0 / 365.0)
    discounted_days = days_in if q == 1.0 else -np.expm1(days_in * np.log(q)) / (1.0 - q)
    values = pop.value[cohort] - e.retention_cost / 365.0 * discounted_days
    complaints = pop.complaints[cohort].astype(float)
    handling = values.sum() - float(d["discounted_profit"].sum())  # what complaints cost
    if complaints.sum() > 0:
        values = values - complaints * (handling / complaints.sum())
    s = result.summary()
    margin = float(s["margin_per_customer_year"])
    hazard = -math.log(float(s["retention_per_year"]))
    i = e.discount_rate
    retention = math.exp(-hazard)
    return CohortValue(
        customers=int(n),
        years=p.days / 365.0,
        margin_per_year=margin,
        hazard=hazard,
        retention=retention,
        discount_rate=i,
        realised=float(values.mean()),
        standard_error=float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan"),
        closed_form=float(clv_continuous(margin, hazard, math.log1p(i), p.days / 365.0)),
        formula=clv(margin, retention, i),
        complaint_costs=float(handling) / n,
        values=values,
        summary=s,
    )
