"""Lifetime value from the customers themselves: cohorts followed by the real engine against
the closed form M/(h+δ), and the manager's formula m·r/(1+i−r) against both."""

from __future__ import annotations

import math

import pytest

from csat.sim import analytic, capstone, lifetime, presets
from csat.sim.params import with_changes

NO_COSTS = {
    "economics.retention_cost": 0.0,
    "economics.complaint_cost": 0.0,
    "economics.escalation_cost": 0.0,
}


def _report(name, v, against, label):
    diff = against - v.realised
    print(
        f"{name}: realised {v.realised:,.1f} ± {v.standard_error:,.1f} (SE), {label} "
        f"{against:,.1f}, difference {diff:+,.1f} ({diff / v.standard_error:+.2f} SE); "
        f"formula {v.formula:,.1f} ({v.formula_gap:+.1%}, theory {v.predicted_formula_gap:+.1%})"
    )
    return diff


@pytest.mark.parametrize("name", ["car_dealer", "hotel", "hotpot"])
@pytest.mark.parametrize("costs", ["none", "preset"])
def test_realised_value_of_a_cohort_agrees_with_the_closed_form(name, costs):
    params = presets.get(name)
    if costs == "none":
        params = with_changes(params, **NO_COSTS)
    v = lifetime.cohort_value(params, rng=3)
    assert v.customers >= 5_000
    assert v.standard_error < 0.015 * v.realised  # precise enough for the comparison to bite
    # What the capstone and the course compute from a run: the summary's lifetime_value.
    shown = float(v.summary["lifetime_value"])
    assert shown == pytest.approx(
        analytic.clv_closed_form(v.margin_per_year, v.hazard, v.discount_rate)
    )
    diff = _report(name, v, shown, "closed form M/(h+δ)")
    assert abs(diff) < 3 * v.standard_error
    # M and h are measured on the same customers, so the two agree much closer than one SE:
    # what is left is the engine's daily steps (visits and departures fall on whole days).
    assert abs(diff) < 0.005 * v.realised
    # The finite horizon changes nothing that matters after 30 years.
    assert v.closed_form == pytest.approx(shown, rel=1e-3)


@pytest.mark.parametrize("name", ["car_dealer", "hotel"])
def test_the_formula_falls_short_of_what_the_customers_bring_as_theory_says(name):
    v = lifetime.cohort_value(presets.get(name), rng=5)
    k = v.hazard + math.log1p(v.discount_rate)
    _report(name, v, v.formula, "formula m·r/(1+i−r)")
    assert float(v.summary["clv"]) == pytest.approx(v.formula)
    # Sign: below, by many standard errors.
    assert v.formula < v.realised - 10 * v.standard_error
    # Size: (h+δ)/(e^{h+δ} − 1) − 1, about −(h+δ)/2.
    assert v.predicted_formula_gap == pytest.approx(k / math.expm1(k) - 1)
    assert -k / 2 < v.predicted_formula_gap < -k / 2 + k * k / 12 + 1e-12
    assert v.formula_gap == pytest.approx(
        v.predicted_formula_gap, abs=3 * v.standard_error / v.realised
    )


def test_the_car_dealer_gap_is_the_one_the_check_found():
    v = lifetime.cohort_value(with_changes(presets.get("car_dealer"), **NO_COSTS), rng=1)
    assert v.formula_gap == pytest.approx(-0.15, abs=0.02)


def test_customer_values_add_up_to_the_engines_accounts():
    params = with_changes(
        presets.get("hotel"),
        **{"economics.complaint_cost": 0.0, "economics.escalation_cost": 0.0},
    )
    v = lifetime.cohort_value(params, years=10, population=20_000, rng=2)
    # Retention cost charged day by day by the engine equals the days each customer stayed:
    # with free complaints nothing is left over.
    assert abs(v.complaint_costs) < 1e-9 * v.realised
    assert float(v.summary["discounted_profit"]) == pytest.approx(v.values.sum())
    priced = lifetime.cohort_value(presets.get("hotel"), years=10, population=20_000, rng=2)
    s = priced.summary
    e = presets.get("hotel").economics
    undiscounted = (
        s["complaints_front_line"] * e.complaint_cost
        + s["complaints_head_office"] * e.escalation_cost
    ) / priced.customers
    assert undiscounted * (1 + e.discount_rate) ** -10 < priced.complaint_costs < undiscounted
    # Same seed, same customers (costs draw no random numbers): only complaints cost more.
    extra = priced.values - v.values
    assert (extra <= 1e-9).all() and (extra < 0).any()
    assert extra.mean() == pytest.approx(-priced.complaint_costs)


def test_capstone_values_customers_at_the_closed_form():
    outcome = capstone.play(capstone.Plan(team="t"), business="hotel", runs=1, population=3_000)
    s = outcome.results[0].summary()
    assert outcome.customer_value == pytest.approx(
        float(s["customers_end"]) * float(s["lifetime_value"])
    )
    assert float(s["lifetime_value"]) > float(s["clv"])


def test_cohort_value_refuses_a_market_without_customers():
    with pytest.raises(ValueError, match="day 0"):
        lifetime.cohort_value(presets.get("hotel", initial_customers=0.0), years=1, rng=1)
