"""Each rule is written once: the compiled day plays exactly what the lessons' mechanisms show.

The teaching figures call :func:`csat.sim.steps.expectation`, :func:`~csat.sim.steps.classify`
and friends; the simulator's day (compiled by Numba where it is installed) calls the same
kernels. These tests replay one day's visits with the lessons' functions, from the same random
numbers, and ask for the day's very counts and money. Hypothesis draws the parameters;
``derandomize`` fixes the examples, so the tests cannot flake.
"""

import contextlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csat.sim import _jit, presets, steps
from csat.sim.economics import costs
from csat.sim.state import CUSTOMER, NEVER, Population

DAY = 3

_RULES = {
    "expectations.promise": st.floats(0.0, 10.0),
    "expectations.promise_weight": st.floats(0.0, 1.0),
    "expectations.needs": st.floats(0.0, 10.0),
    "satisfaction.loss_aversion": st.floats(1.0, 5.0),
    "satisfaction.curvature": st.floats(0.1, 1.0),
    "satisfaction.tolerance": st.floats(0.0, 5.0),
}


def _market(preset: str, changes: dict, seed: int):
    """A market where every customer visits on :data:`DAY` and no one churns that day."""
    params = presets.get(preset, population=600, days=DAY + 1, **changes)
    pop = Population.initial(params, rng=seed)
    visitors = np.flatnonzero(pop.status == CUSTOMER)
    pop.next_visit[visitors] = DAY
    pop.churn_day[:] = NEVER
    return params, pop, visitors


def _lessons_visit(params, own_view: np.ndarray, rng: np.random.Generator):
    """One visit per person, told with the functions the lessons call."""
    x = steps.experience(params.service, own_view.size, rng)
    expected = steps.expectation(params.expectations, own_view.astype(np.float64))
    sat = steps.satisfaction(params.satisfaction, x, expected)
    return expected, steps.classify(params.satisfaction, sat)


@settings(
    derandomize=True,
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    preset=st.sampled_from([p for p in presets.names() if p != "deck_folklore"]),
    changes=st.fixed_dictionaries(_RULES),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_days_outcomes_and_costs_are_the_lessons_rules(preset, changes, seed):
    params, pop, visitors = _market(preset, changes, seed)
    own_view = pop.own_view[visitors].copy()
    customers = visitors.size
    _, ev = steps.step(pop, params, DAY, np.random.default_rng(seed), customers=customers)

    for mode in ("compiled", "plain numpy"):
        with _jit.plain() if mode == "plain numpy" else contextlib.nullcontext():
            expected, outcome = _lessons_visit(params, own_view, np.random.default_rng(seed))
        counts = np.bincount(outcome, minlength=3)
        assert ev.visits == customers
        assert (ev.dissatisfied, ev.basically_satisfied, ev.very_satisfied) == (
            counts[steps.DISSATISFIED],
            counts[steps.BASIC],
            counts[steps.VERY_SATISFIED],
        ), mode
        assert ev.expectation_sum == expected.sum(), mode

    e = params.economics
    spent = costs(
        ev.new_customers,
        customers,
        ev.complaints_front_line,
        ev.complaints_head_office,
        e.acquisition_cost,
        e.retention_cost,
        e.complaint_cost,
        e.escalation_cost,
    )
    assert ev.costs == spent
    assert ev.profit == ev.revenue * e.margin - spent


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    sat=st.lists(st.floats(-20.0, 20.0), min_size=1, max_size=40),
    tolerance=st.floats(0.0, 5.0),
    promise=st.floats(0.0, 10.0),
    weight=st.floats(0.0, 1.0),
)
def test_compiled_kernels_give_what_the_plain_ones_give(sat, tolerance, promise, weight):
    from csat.sim import mechanisms

    _jit.activate()
    a = np.asarray(sat)
    plain_classify = getattr(mechanisms._classify, "py_func", mechanisms._classify)
    plain_expect = getattr(mechanisms._expectation, "py_func", mechanisms._expectation)
    np.testing.assert_array_equal(mechanisms._classify(a, tolerance), plain_classify(a, tolerance))
    np.testing.assert_array_equal(
        mechanisms._expectation(promise, weight, a), plain_expect(promise, weight, a)
    )


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_lesson_functions_keep_the_shape_they_are_given(shape):
    from csat.sim.params import Expectations, Satisfaction

    sat = np.linspace(-2.0, 2.0, int(np.prod(shape))).reshape(shape)
    assert steps.classify(Satisfaction(), sat).shape == shape
    assert steps.expectation(Expectations(), sat + 5.0).shape == shape
