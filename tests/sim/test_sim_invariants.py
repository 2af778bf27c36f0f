"""Invariants that hold for any parameters (hypothesis), and reproducibility."""

from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csat import sim
from csat.sim import diffusion, steps
from csat.sim.state import DEFECTED, Population

unit = st.floats(0.0, 1.0)


@st.composite
def small_params(draw):
    kind = draw(st.sampled_from(sim.network.KINDS))
    population = draw(st.integers(1 if kind == "well_mixed" else 12, 400))
    return sim.Params(
        population=population,
        network=sim.NetworkSpec(kind=kind, mean_degree=draw(st.floats(2.0, 10.0))),
        days=draw(st.integers(1, 60)),
        initial_customers=draw(unit),
        visits_per_year=draw(st.floats(0.5, 120.0)),
        natural_churn=draw(st.floats(0.0, 5.0)),
        innovation=draw(st.floats(0.0, 20.0)),
        service=sim.ServiceProfile(
            quality=tuple(draw(st.floats(0, 10)) for _ in range(5)),
            spread=tuple(draw(st.floats(0, 3)) for _ in range(5)),
        ),
        expectations=sim.Expectations(
            promise=draw(st.floats(0, 10)),
            promise_weight=draw(unit),
            adaptation=draw(unit),
            wom_shift=draw(st.floats(0, 1)),
        ),
        complaints=sim.ComplaintBehaviour(
            front_line=(f := draw(unit)), head_office=draw(st.floats(0, 1)) * f
        ),
        recovery=sim.RecoveryPolicy(
            resolution_rate=draw(unit),
            quick_share=draw(unit),
            repurchase_silent=draw(unit),
            repurchase_quick=draw(unit),
            paradox_satisfaction=draw(st.floats(0, 2)),
            paradox_loyalty=draw(unit),
        ),
        wom=sim.WordOfMouth(
            told_by_dissatisfied=draw(st.floats(0, 30)),
            told_by_satisfied=draw(st.floats(0, 30)),
            second_hop_negative=draw(st.floats(0, 5)),
            adoption_per_message=draw(unit),
            rejection_per_message=draw(unit),
            defection_per_message=draw(unit),
            unhappy_seeds=draw(st.integers(0, 5)),
            unhappy_seeds_by=draw(st.sampled_from(["random", "degree"])),
        ),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=small_params(), seed=st.integers(0, 2**32 - 1))
def test_run_invariants(params, seed):
    result = sim.run(params, rng=seed)
    d = result.daily
    counts = d.drop(columns=["mean_satisfaction", "mean_expectation", "clv"])
    assert not counts.isna().any().any()
    assert (d[["customers", "prospects", "defected"]].sum(axis=1) == params.population).all()
    assert (d["defected"].diff().fillna(0) >= 0).all()
    assert (counts.drop(columns=["profit", "discounted_profit"]) >= 0).all().all()
    pop = result.population
    assert not np.isnan(pop.own_view).any()
    assert ((pop.own_view >= 0) & (pop.own_view <= 10)).all()
    c = result.customers
    assert (c.loc[c.status == "defected", "cause"] != "").all()
    assert (c.loc[c.status != "defected", "cause"] == "").all()


@settings(max_examples=40, deadline=None)
@given(params=small_params(), seed=st.integers(0, 2**32 - 1))
def test_step_does_not_mutate_its_input_and_defection_is_absorbing(params, seed):
    gen = np.random.default_rng(seed)
    pop = Population.initial(params, rng=gen)
    spec = params.network
    net = sim.network.build(spec.kind, params.population, spec.mean_degree, rng=gen)
    for day in range(min(params.days, 20)):
        before = pop.copy()
        new, _ = steps.step(pop, params, day, gen, network=net)
        for f in fields(pop):
            np.testing.assert_array_equal(getattr(pop, f.name), getattr(before, f.name))
        assert (new.status[pop.status == DEFECTED] == DEFECTED).all()
        pop = new


@settings(max_examples=100, deadline=None)
@given(
    severity=st.lists(st.floats(0, 50), min_size=1, max_size=20),
    share=unit,
    elasticity=st.floats(0, 5),
)
def test_rule_probabilities_stay_in_unit_interval(severity, share, elasticity):
    cb = sim.ComplaintBehaviour(front_line=share, head_office=0.0, severity_elasticity=elasticity)
    p = steps.complaint_probability(cb, np.array(severity))
    assert ((p >= 0) & (p <= 1)).all()
    q = diffusion.adoption_probability(0.03, 0.38, np.array(severity) / 50, 0.5)
    assert ((q >= 0) & (q <= 1)).all()
    m = diffusion.message_adoption_probability(0.03, 0.5, share, np.arange(len(severity)))
    assert ((m >= 0) & (m <= 1)).all()


def test_same_seed_same_results_different_seed_different_results():
    params = sim.presets.get("hotpot", population=5_000, days=120)
    a, b, c = (sim.run(params, rng=s) for s in (7, 7, 8))
    assert a.daily.equals(b.daily)
    assert a.customers.equals(b.customers)
    assert not a.daily.equals(c.daily)


def test_a_generator_is_used_as_given_and_spawned_streams_differ():
    params = sim.presets.get("hotel", population=2_000, days=30)
    g1, g2 = np.random.default_rng(1).spawn(2)
    assert not sim.run(params, rng=g1).daily.equals(sim.run(params, rng=g2).daily)


def test_run_does_not_touch_global_random_state():
    # The legacy global state is what careless code would use; it must stay untouched.
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    sim.run(sim.Params(population=1_000, days=10), rng=1)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


@pytest.mark.parametrize("name", sim.presets.names())
def test_every_preset_runs(name):
    params = sim.presets.get(name, population=3_000, days=60)
    result = sim.run(params, rng=0)
    s = result.summary()
    assert s["visits"] > 0
    assert np.isfinite(s["profit"])
    assert result.customers.shape[0] == 3_000


def test_presets_reject_unknown_names_and_parameters():
    with pytest.raises(ValueError, match=r"preset must be one of \[.*'car_dealer'.*\], got 'bank'"):
        sim.presets.get("bank")
    with pytest.raises(ValueError, match=r"RecoveryPolicy.speed is not a parameter; known: \["):
        sim.presets.get("hotel", **{"recovery.speed": 1})
    with pytest.raises(ValueError, match=r"Params.colour is not a parameter"):
        sim.presets.get("hotel", colour=1)


def test_progress_bar_runs():
    result = sim.run(sim.Params(population=500, days=5), rng=1, progress=True)
    assert len(result.daily) == 5


def test_summary_counts_add_up():
    s = sim.run(sim.presets.get("car_dealer", population=10_000), rng=2).summary()
    assert s["defections"] == sum(s[f"defections_{c}"] for c in sim.CAUSES)
    assert s["customers_end"] == s["customers_start"] + s["new_customers"] - s["defections"]
    assert s["problems"] == s["complaints_front_line"] + s["silent_problems"]
    assert 0 < s["retention_per_year"] < 1


def test_replace_revalidates():
    with pytest.raises(ValueError, match=r"Params.days must be a positive integer, got 0"):
        replace(sim.Params(), days=0)
