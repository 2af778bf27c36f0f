"""The compiled daily loop (Numba) and the plain-numpy one give the same market for a seed.

JupyterLite's Pyodide has no Numba and runs the same functions as ordinary Python; everywhere
else they run compiled. These tests pin the two together, and pin the compiled replicas of
numpy's own routines (sampling without replacement, pairwise sums) to numpy.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim import _jit, steps

ROOT = Path(__file__).resolve().parents[2]

# Configurations that reach every branch of the day: networks with second hops, seeds chosen
# by degree and at random, the recovery paradox, negative word of mouth that tips customers,
# heavy advertising (both of numpy's sampling algorithms).
CASES = {
    "hotel, well mixed": ("hotel", {}),
    "car dealer, small world, influencer seeds": (
        "car_dealer",
        {
            "network.kind": "small_world",
            "wom.unhappy_seeds": 10,
            "wom.unhappy_seeds_by": "degree",
            "wom.second_hop_negative": 1.0,
            "wom.defection_per_message": 0.03,
        },
    ),
    "hot pot, scale free, paradox": (
        "hotpot",
        {
            "network.kind": "scale_free",
            "wom.unhappy_seeds": 5,
            "wom.second_hop_positive": 0.5,
            "recovery.paradox_satisfaction": 1.0,
            "recovery.paradox_loyalty": 0.5,
        },
    ),
    "airline, well mixed, everything on": (
        "airline",
        {
            "innovation": 60.0,
            "wom.second_hop_negative": 2.0,
            "wom.second_hop_positive": 1.0,
            "wom.unhappy_seeds": 30,
            "wom.defection_per_message": 0.05,
        },
    ),
}
INTEGER_FIELDS = ("status", "rejected", "next_visit", "churn_day", "joined", "left", "cause")


def _fingerprint() -> dict:
    """What each case produces: the daily table and the final population, as lists."""
    out = {}
    for name, (preset, changes) in CASES.items():
        result = sim.run(sim.presets.get(preset, population=4_000, days=120, **changes), rng=3)
        pop = result.population
        out[name] = {
            "daily": {c: result.daily[c].tolist() for c in result.daily.columns},
            "population": {f: getattr(pop, f).tolist() for f in INTEGER_FIELDS},
            "own_view": pop.own_view.tolist(),
        }
    return out


_CHILD = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
sys.path.insert(0, {str(Path(__file__).parent)!r})
import sim._jit
assert not sim._jit.AVAILABLE, "NUMBA_DISABLE_JIT=1 was not honoured"
from test_jit import _fingerprint
print(json.dumps(_fingerprint()))
assert "numba" not in sys.modules, "the plain-numpy path imported Numba"
"""


@pytest.fixture(scope="module")
def plain_python() -> dict:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, check=True
    ).stdout
    return json.loads(out)


def test_the_daily_loop_is_compiled_here():
    # Numba is a dependency on every platform but the browser: a slow fallback would pass
    # every other test, and miss the speed the benchmarks promise.
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        pytest.skip("NUMBA_DISABLE_JIT is set")
    assert _jit.AVAILABLE
    sim.run(sim.presets.get("hotel", population=100, days=2), rng=0)
    assert hasattr(steps._day, "py_func") and hasattr(steps._choice, "py_func")


def test_importing_the_packages_leaves_numba_alone_until_a_run():
    # A role-play kernel imports exercises (and through it sim) but never simulates: it
    # should not pay Numba's ~90 MiB.
    code = (
        "import sys, sim, exercises, exercises.bridge, exercises.capstone\n"
        "assert 'numba' not in sys.modules, 'imported on import'\n"
        "sim.run(sim.presets.get('hotel', population=100, days=2), rng=0)\n"
        "assert 'numba' in sys.modules, 'not used by a run'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_compiled_and_plain_python_runs_agree(case, plain_python):
    compiled = _fingerprint()[case]
    plain = plain_python[case]
    # Every count, every day, and everyone's state: identical.
    for column, values in plain["daily"].items():
        if column in {"mean_satisfaction", "mean_expectation", "clv"} or column in {
            "revenue",
            "costs",
            "profit",
            "discounted_profit",
        }:
            continue
        assert compiled["daily"][column] == values, f"{case}: column {column}"
    assert compiled["population"] == plain["population"], case
    # Real numbers agree to rounding: numpy's vectorised power may differ from the C
    # library's in the last bit.
    for column in ("mean_satisfaction", "mean_expectation", "clv", "profit", "costs"):
        np.testing.assert_allclose(
            compiled["daily"][column], plain["daily"][column], rtol=1e-9, err_msg=column
        )
    np.testing.assert_allclose(compiled["own_view"], plain["own_view"], rtol=1e-6)


@pytest.mark.parametrize(
    "n, k",
    [(1, 1), (5, 5), (7, 0), (10_000, 1), (10_000, 300), (10_000, 10_000), (20_000, 100),
     (20_000, 1_000), (100_000, 5_000), (1_000_000, 3), (2**33, 4)],
)  # fmt: skip
def test_sampling_without_replacement_draws_what_numpy_draws(n, k):
    for seed in range(5):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(steps._choice(ours, n, k), theirs.choice(n, k, replace=False))
        assert ours.random() == theirs.random()  # the stream is left in the same place


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 130, 255, 256, 1_000, 4_097, 123_457])
def test_sums_are_added_in_numpys_order(n):
    a = np.random.default_rng(n).standard_normal(n) * 3.7
    assert steps._sum(a) == a.sum()
    assert _jit.python(steps._sum_compiled)(a) == a.sum()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    preset=st.sampled_from(sim.presets.names()),
    population=st.integers(1, 1_500),
    days=st.integers(1, 60),
    kind=st.sampled_from(sim.network.KINDS),
    degree=st.floats(2.0, 12.0),
    initial=st.sampled_from([0.0, 0.05, 0.3, 1.0]),
    innovation=st.sampled_from([0.0, 0.5, 30.0, 100.0]),
    tolerance=st.sampled_from([0.0, 0.5, 2.0]),
    told=st.tuples(st.sampled_from([0.0, 1.0, 12.0]), st.sampled_from([0.0, 3.0, 25.0])),
    hops=st.tuples(st.sampled_from([0.0, 0.5]), st.sampled_from([0.0, 2.0])),
    seeds=st.integers(0, 60),
    by_degree=st.booleans(),
    tipping=st.sampled_from([0.0, 0.1]),
    paradox=st.tuples(st.sampled_from([0.0, 1.5]), st.sampled_from([0.0, 0.6])),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_market_runs_the_same_compiled_and_plain(
    preset, population, days, kind, degree, initial, innovation, tolerance, told, hops, seeds,
    by_degree, tipping, paradox, seed,
):  # fmt: skip
    # Edge cases included: one person, nobody a customer (or everybody), no advertising or a
    # flood of it, word of mouth switched off, more unhappy seeds than customers.
    params = sim.presets.get(
        preset,
        population=population,
        days=days,
        initial_customers=initial,
        innovation=innovation,
        **{
            "network.kind": kind if population >= 14 else "well_mixed",
            "network.mean_degree": degree,
            "satisfaction.tolerance": tolerance,
            "wom.told_by_satisfied": told[0],
            "wom.told_by_dissatisfied": told[1],
            "wom.second_hop_positive": hops[0],
            "wom.second_hop_negative": hops[1],
            "wom.unhappy_seeds": seeds,
            "wom.unhappy_seeds_by": "degree" if by_degree else "random",
            "wom.defection_per_message": tipping,
            "recovery.paradox_satisfaction": paradox[0],
            "recovery.paradox_loyalty": paradox[1],
        },
    )
    compiled = sim.run(params, rng=seed)
    with _jit.plain():
        plain = sim.run(params, rng=seed)
    counts = [c for c in compiled.daily.columns if compiled.daily[c].dtype.kind == "i"]
    assert compiled.daily[counts].equals(plain.daily[counts])
    for field in INTEGER_FIELDS:
        np.testing.assert_array_equal(
            getattr(compiled.population, field), getattr(plain.population, field), err_msg=field
        )
    np.testing.assert_allclose(
        compiled.daily["profit"], plain.daily["profit"], rtol=1e-9, atol=1e-6
    )
