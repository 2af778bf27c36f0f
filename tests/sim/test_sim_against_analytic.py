"""The simulator against the closed forms it must agree with (science.md, checks V1 and V5).

Tolerances come from the sampling error and the step-size bias measured in science.md, not
from guesses.
"""

import numpy as np
import pytest

from csat import sim
from csat.sim import analytic, diffusion
from csat.sim.economics import simulate_clv

P, Q = 0.03, 0.38


@pytest.fixture(scope="module")
def bass_runs():
    """Ten replicates, N = 1e6, dt = 0.01 years, 30 years (science.md V1)."""
    gen = np.random.default_rng(20261122)
    return [diffusion.simulate(P, Q, 1_000_000, 30.0, 0.01, rng=g) for g in gen.spawn(10)]


def test_well_mixed_diffusion_matches_bass_curve(bass_runs):
    errors = [np.abs(r.adopted - analytic.bass_curve(P, Q, r.t)).max() for r in bass_runs]
    assert max(errors) <= 0.01
    assert np.mean(errors) <= 0.005


def test_adoption_peak_time_and_level_match_bass(bass_runs):
    t = bass_runs[0].t
    mean_curve = np.mean([r.adopted for r in bass_runs], axis=0)
    # Adoption rate over half-year windows: one step's count is too noisy to find a flat peak.
    width = 50
    rate = (mean_curve[width:] - mean_curve[:-width]) / (t[width:] - t[:-width])
    i = int(np.argmax(rate)) + width // 2
    t_star, f_star = analytic.bass_peak(P, Q)
    assert abs(t[i] - t_star) <= 0.1
    assert abs(mean_curve[i] - f_star) <= 0.01


def test_yearly_steps_follow_the_difference_equation_not_the_closed_form():
    run = diffusion.simulate(P, Q, 1_000_000, 30.0, 1.0, rng=5)
    to_difference = np.abs(run.adopted - analytic.bass_difference(P, Q, 30)).max()
    to_closed_form = np.abs(run.adopted - analytic.bass_curve(P, Q, run.t)).max()
    assert to_difference <= 0.003
    assert to_closed_form > 0.05  # the Euler lag is real, a teaching point, not noise


def test_error_to_bass_shrinks_with_market_size():
    def mean_error(n):
        gen = np.random.default_rng(n)
        runs = [diffusion.simulate(P, Q, n, 30.0, 0.01, rng=g) for g in gen.spawn(8)]
        return np.mean([np.abs(r.adopted - analytic.bass_curve(P, Q, r.t)).max() for r in runs])

    small, medium, large = mean_error(10_000), mean_error(100_000), mean_error(1_000_000)
    assert small > medium > large


def test_each_person_adopts_once_at_the_recorded_step():
    run = diffusion.simulate(P, Q, 50_000, 10.0, 0.1, rng=3)
    steps = len(run.t) - 1
    adopted_by = np.array([(run.adoption_step <= k).mean() for k in range(steps + 1)])
    np.testing.assert_allclose(adopted_by, run.adopted)


def test_monte_carlo_clv_matches_closed_form():
    values = simulate_clv(100.0, 0.8, 0.1, 1_000_000, rng=11)
    expected = analytic.clv(100.0, 0.8, 0.1)
    assert abs(values.mean() / expected - 1) <= 0.005
    assert abs(values.mean() - expected) <= 5 * values.std() / np.sqrt(values.size)


@pytest.mark.parametrize("r0", [0.7, 0.8, 0.9])
def test_five_point_retention_gain_raises_clv_by_22_to_41_percent(r0):
    gain = analytic.clv(100, r0 + 0.05, 0.1) / analytic.clv(100, r0, 0.1) - 1
    assert 0.22 <= gain <= 0.41


def test_simulated_customer_value_matches_discounted_lifetime_margin():
    """A run with no problems and no newcomers: each customer's discounted margin has a
    closed form, the CLV formula in daily units over a finite horizon."""
    days, visits, churn, i = 730, 6.0, 0.4, 0.1
    params = sim.Params(
        population=200_000,
        days=days,
        initial_customers=1.0,
        visits_per_year=visits,
        natural_churn=churn,
        innovation=0.0,
        service=sim.ServiceProfile(quality=(10.0,) * 5, spread=(0.0,) * 5),
        expectations=sim.Expectations(promise=5.0, needs=5.0, needs_spread=0.0),
        economics=sim.Economics(revenue_per_visit=100.0, margin=0.5, discount_rate=i),
    )
    result = sim.run(params, rng=8)
    value = result.population.value
    x = -np.expm1(-visits / 365)  # daily chance of a visit
    r = np.exp(-churn / 365)  # daily chance of staying
    i_day = (1 + i) ** (1 / 365) - 1
    horizon = 1 - (r / (1 + i_day)) ** days
    expected = 100 * 0.5 * x * analytic.clv(1.0, r, i_day) * (1 + i_day) * horizon
    assert result.summary()["problems"] == 0
    assert abs(value.mean() - expected) <= 4 * value.std() / np.sqrt(value.size)
    assert abs(value.mean() / expected - 1) <= 0.005


def test_acsi_maps_the_ends_of_the_scale_to_0_and_100():
    assert analytic.acsi([1, 1, 1]) == pytest.approx(0.0)
    assert analytic.acsi([10, 10, 10]) == pytest.approx(100.0)
    assert analytic.acsi([10, 10, 10], weights=[0.3885, 0.3190, 0.2925]) == pytest.approx(100.0)
