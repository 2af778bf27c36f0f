"""The compiled daily loop (Numba) and the plain-numpy one give the same market for a seed.

JupyterLite's Pyodide has no Numba and runs the same functions as ordinary Python; everywhere
else they run compiled. These tests pin the two together, and pin the compiled replicas of
numpy's own routines (sampling without replacement, pairwise sums) to numpy.
"""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from csat import sim
from csat.sim import _jit, _replicas, steps

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
    # Customers who differ: per-person visit chances (the per-person geometric draw) and
    # lapsing after visits, with problems and word of mouth as usual.
    "CD retailer, customers differ, small world": (
        "cd_retailer",
        {"network.kind": "small_world", "innovation": 3.0, "customers.visit_shape": 0.5},
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
from csat import sim
import csat.sim._jit
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
        "import sys\nfrom csat import sim\n"
        "import csat.exercises.bridge, csat.sim.capstone, csat.ui.widgets\n"
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
    _jit.activate()  # the compiled replica, not numpy's own (which it would be until a run)
    assert hasattr(_replicas._choice, "py_func") or not _jit.AVAILABLE
    for seed in range(5):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(
            _replicas._choice(ours, n, k), theirs.choice(n, k, replace=False)
        )
        assert ours.random() == theirs.random()  # the stream is left in the same place


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 130, 255, 256, 1_000, 4_097, 123_457])
def test_sums_are_added_in_numpys_order(n):
    _jit.activate()
    assert hasattr(_replicas._sum, "py_func") or not _jit.AVAILABLE
    a = np.random.default_rng(n).standard_normal(n) * 3.7
    assert _replicas._sum(a) == a.sum()
    assert _replicas._sum_compiled(a) == a.sum()  # the replica run as plain Python


# Caps on the ranges a parameter may take, for speed (a market of at most 1,500 people for at
# most 60 days); every other parameter is drawn from its whole declared range.
_CAPS = {"population": 1_500, "days": 60, "wom.unhappy_seeds": 100, "network.mean_degree": 12.0}


def _field_values(cls, prefix: str = "") -> dict:
    """A strategy per parameter of ``cls``, from the range declared in ``csat.sim.params``: a new
    parameter is fuzzed as soon as it is declared."""
    out = {}
    for f in dataclasses.fields(cls):
        meta, name = f.metadata, prefix + f.name
        kind, lo, hi = meta.get("kind"), meta.get("lo"), meta.get("hi")
        if kind == "nested":
            out |= _field_values(meta["cls"], f"{name}.")
            continue
        cap = _CAPS.get(name, 100)
        top = cap if hi is None else min(hi, cap)
        if kind == "float":
            out[name] = st.one_of(st.sampled_from([lo or 0.0, top]), st.floats(lo or 0.0, top))
        elif kind == "int":
            out[name] = st.integers(lo or 0, int(top))
        elif kind == "choice":
            out[name] = st.sampled_from(meta["choices"])
        elif kind == "bool":
            out[name] = st.booleans()
        elif kind == "vector":
            out[name] = st.tuples(*[st.floats(lo, hi)] * meta["size"])
    return out


_PARAMETERS = _field_values(sim.Params)


def _first_difference(a, b) -> str:
    """Where two daily tables first part: the day and the columns, for the failure message."""
    for day in range(len(a)):
        differ = [c for c in a.columns if a[c].iloc[day] != b[c].iloc[day]]
        if differ:
            shown = ", ".join(f"{c} {a[c].iloc[day]} vs {b[c].iloc[day]}" for c in differ[:4])
            return f"compiled and plain first differ on day {day + 1}: {shown}"
    return "tables differ in shape"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preset=st.sampled_from(sim.presets.names()), data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_any_market_runs_the_same_compiled_and_plain(preset, data, seed):
    # Any preset with any parameters drawn from their declared ranges (one person or 1,500;
    # nobody a customer or everybody; word of mouth off or a flood; more unhappy seeds than
    # customers...), run both ways in one process: every count must agree.
    changes = {k: data.draw(v, label=k) for k, v in _PARAMETERS.items() if data.draw(st.booleans())}
    try:
        params = sim.presets.get(preset, **changes)
    except ValueError:  # a combination the parameters refuse (checked in test_sim_validation)
        reject()
    if params.population < 14:
        params = sim.with_changes(params, **{"network.kind": "well_mixed"})
    compiled = sim.run(params, rng=seed)
    with _jit.plain():
        plain = sim.run(params, rng=seed)
    counts = [c for c in compiled.daily.columns if compiled.daily[c].dtype.kind == "i"]
    assert compiled.daily[counts].equals(plain.daily[counts]), _first_difference(
        compiled.daily[counts], plain.daily[counts]
    )
    for field in INTEGER_FIELDS:
        np.testing.assert_array_equal(
            getattr(compiled.population, field), getattr(plain.population, field), err_msg=field
        )
    np.testing.assert_allclose(
        compiled.daily["profit"], plain.daily["profit"], rtol=1e-9, atol=1e-6
    )


@pytest.mark.slow
def test_a_long_busy_year_runs_the_same_compiled_and_plain():
    # 50,000 people for a year on a network: where Numba's own Poisson draw (means of 10 and
    # more) once made the compiled run part from the plain one on day 329.
    params = sim.presets.get(
        "hotpot", population=50_000, days=365, **{"network.kind": "small_world"}
    )
    compiled = sim.run(params, rng=2)
    with _jit.plain():
        plain = sim.run(params, rng=2)
    counts = [c for c in compiled.daily.columns if compiled.daily[c].dtype.kind == "i"]
    assert compiled.daily[counts].equals(plain.daily[counts]), _first_difference(
        compiled.daily[counts], plain.daily[counts]
    )


@pytest.mark.parametrize("lam", [0.0, 0.3, 5.0, 9.999, 10.0, 10.5, 11.0, 12.5, 16.0, 250.0, 1e6])
def test_poisson_draws_what_numpy_draws(lam):
    _jit.activate()
    for seed in range(4):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(
            _replicas._poisson(ours, lam, 5_000), theirs.poisson(lam, 5_000)
        )
        assert [_replicas._poisson1(ours, lam) for _ in range(20)] == [
            theirs.poisson(lam) for _ in range(20)
        ]
        assert ours.random() == theirs.random()
