"""Each behavioural rule returns its configured rate (science.md, check V6).

Tolerances are binomial (or Poisson) 99.9% intervals for the number of draws made, so a rule
that drifts by more than sampling error fails.
"""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat import sim
from csat.sim import analytic, steps

Z = 3.29  # two-sided 99.9%


def within_binomial(hits, n, p):
    return abs(hits / n - p) <= Z * np.sqrt(p * (1 - p) / n) + 1e-12


def test_complaint_shares_hold_at_the_reference_severity():
    cb = sim.ComplaintBehaviour(front_line=0.5, head_office=0.03)
    n = 200_000
    front, head = steps.complaints(cb, np.full(n, cb.reference_severity), np.random.default_rng(1))
    assert within_binomial(front.sum(), n, 0.5)
    assert within_binomial(head.sum(), n, 0.03)
    assert not (head & ~front).any()  # escalations start at the front line


def test_bigger_problems_are_voiced_more_often():
    cb = sim.ComplaintBehaviour()
    p = steps.complaint_probability(cb, np.array([0.0, 0.25, 1.0, 2.0, 8.0]))
    assert p[0] == 0.0 and p[2] == pytest.approx(cb.front_line)
    assert np.all(np.diff(p) > 0) and p[-1] < 1.0


def test_severity_elasticity_zero_makes_the_share_constant():
    cb = sim.ComplaintBehaviour(front_line=0.04, head_office=0.04, severity_elasticity=0.0)
    p = steps.complaint_probability(cb, np.array([0.1, 1.0, 5.0]))
    np.testing.assert_allclose(p, 0.04)


def test_recovery_outcomes_follow_the_policy():
    policy = sim.RecoveryPolicy(resolution_rate=0.6, quick_share=0.5)
    n = 200_000
    out = steps.recovery(policy, np.ones(n, bool), np.random.default_rng(2))
    resolved = np.isin(out, [steps.RESOLVED, steps.RESOLVED_QUICKLY])
    assert within_binomial(resolved.sum(), n, 0.6)
    assert within_binomial((out == steps.RESOLVED_QUICKLY).sum(), resolved.sum(), 0.5)
    silent = steps.recovery(policy, np.zeros(1000, bool), np.random.default_rng(2))
    assert (silent == steps.SILENT).all()


@pytest.fixture(scope="module")
def funnel():
    """A year of a market with many problems, complaint shares independent of severity."""
    params = sim.presets.get(
        "hotel",
        population=150_000,
        initial_customers=0.6,
        visits_per_year=6.0,
        **{
            "complaints.severity_elasticity": 0.0,
            "service.quality": (7.6, 7.5, 7.8, 7.6, 8.0),
            "wom.adoption_per_message": 0.0,
        },
    )
    return params, sim.run(params, rng=42)


def test_front_line_and_head_office_shares_in_a_run(funnel):
    params, result = funnel
    d = result.daily
    problems = d["dissatisfied"].sum()
    assert problems > 100_000
    assert within_binomial(d["complaints_front_line"].sum(), problems, params.complaints.front_line)
    assert within_binomial(
        d["complaints_head_office"].sum(), problems, params.complaints.head_office
    )


def test_repurchase_by_recovery_outcome_in_a_run(funnel):
    params, result = funnel
    d, rec = result.daily, params.recovery
    unresolved = (
        d["complaints_front_line"].sum() - d["resolved"].sum() - d["resolved_quickly"].sum()
    )
    groups = {
        "silent": (d["silent_problems"].sum(), rec.repurchase_silent),
        "unresolved": (unresolved, rec.repurchase_unresolved),
        "resolved": (d["resolved"].sum(), rec.repurchase_resolved),
        "resolved_quickly": (d["resolved_quickly"].sum(), rec.repurchase_quick),
    }
    for cause, (n, stay) in groups.items():
        left = d[f"defected_{cause}"].sum()
        assert within_binomial(n - left, n, stay), cause


def test_unhappy_customers_tell_twice_as_many_people(funnel):
    params, result = funnel
    d = result.daily
    praisers = (d["very_satisfied"] + d["resolved"] + d["resolved_quickly"]).sum()
    warners = (d["silent_problems"] + d["complaints_front_line"] - d["resolved"]).sum()
    warners -= d["resolved_quickly"].sum()
    per_warner = d["wom_negative"].sum() / warners
    per_praiser = d["wom_positive"].sum() / praisers
    assert per_warner == pytest.approx(
        params.wom.told_by_dissatisfied, abs=Z * np.sqrt(10 / warners)
    )
    assert per_praiser == pytest.approx(params.wom.told_by_satisfied, abs=Z * np.sqrt(5 / praisers))
    assert per_warner / per_praiser == pytest.approx(2.0, rel=0.01)


def test_good_news_outnumbers_bad_news_when_most_customers_are_satisfied():
    """East, Hammond & Wright (2007): positive word of mouth about 3x as common overall."""
    for name in ("car_dealer", "hotel", "airline"):
        ratio = sim.run(sim.presets.get(name, population=20_000), rng=1).summary()[
            "wom_positive_to_negative"
        ]
        assert 2.0 <= ratio <= 6.0, name


@settings(max_examples=200, deadline=None)
@given(
    x=st.floats(0, 100, allow_nan=False),
    lam=st.floats(1.0, 5.0),
    alpha=st.floats(0.1, 1.0),
)
def test_loss_aversion_value_function(x, lam, alpha):
    v_gain, v_loss = analytic.value([x, -x], loss_aversion=lam, curvature=alpha)
    assert v_loss == pytest.approx(-lam * v_gain, abs=1e-12, rel=1e-12)
    assert v_gain >= 0


def test_shortfalls_weigh_more_than_surpluses_in_satisfaction():
    model = sim.Satisfaction(loss_aversion=2.0, curvature=1.0)
    sat = steps.satisfaction(model, np.array([8.0, 6.0]), np.array([7.0, 7.0]))
    assert sat.tolist() == [1.0, -2.0]
    outcome = steps.classify(model, np.array([1.0, 0.2, -0.2, -2.0]))
    assert outcome.tolist() == [
        steps.VERY_SATISFIED,
        steps.BASIC,
        steps.BASIC,
        steps.DISSATISFIED,
    ]


def test_recovery_paradox_off_leaves_retention_and_word_of_mouth_unchanged():
    base = sim.presets.get("car_dealer", population=20_000)
    bonus = replace(base, recovery=replace(base.recovery, paradox_satisfaction=1.5))
    a, b = sim.run(base, rng=3).daily, sim.run(bonus, rng=3).daily
    same = ["customers", "wom_positive", "wom_negative", *[f"defected_{c}" for c in sim.CAUSES]]
    assert a[same].equals(b[same])
    assert b["mean_satisfaction"].mean() > a["mean_satisfaction"].mean()


def test_recovery_paradox_on_loyalty_keeps_quickly_recovered_customers_longer():
    base = sim.presets.get("car_dealer", population=50_000, days=730)
    loyal = replace(base, recovery=replace(base.recovery, paradox_loyalty=1.0))
    a, b = sim.run(base, rng=4).summary(), sim.run(loyal, rng=4).summary()
    assert b["defections_natural"] < a["defections_natural"]


def test_over_promising_lowers_satisfaction_at_equal_quality():
    """Course brief S2: a bigger promise raises expectation, so the same service satisfies less."""
    honest = sim.presets.get("hotel", population=20_000)
    bold = replace(honest, expectations=replace(honest.expectations, promise=9.5))
    a, b = sim.run(honest, rng=5).summary(), sim.run(bold, rng=5).summary()
    assert b["share_dissatisfied"] > a["share_dissatisfied"] + 0.05
    assert b["share_very_satisfied"] < a["share_very_satisfied"]


def test_folklore_preset_voices_four_percent_of_problems():
    s = sim.run(sim.presets.get("deck_folklore", population=50_000), rng=6).summary()
    n = s["problems"]
    assert within_binomial(s["complaints_front_line"], n, 0.04)
    assert s["wom_negative"] > s["wom_positive"]  # ten told, each telling twenty more
