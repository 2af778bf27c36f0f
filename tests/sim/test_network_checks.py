"""Nothing reaches the compiled day unchecked: a Network, a Population or a seed that would
make it read or write outside its arrays is one ValueError naming the field and the value."""

import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csat import sim
from csat.sim.mechanisms import tell
from csat.sim.network import Network, ring, sample_contacts
from csat.sim.params import with_changes
from csat.sim.state import Population
from csat.sim.steps import step


def _params(n: int, days: int = 5) -> sim.Params:
    """A market where word of mouth runs every day, and day 0 seeds by degree."""
    return with_changes(
        sim.Params(population=n, days=days, initial_customers=0.5, visits_per_year=200.0),
        **{
            "wom.unhappy_seeds": 2,
            "wom.unhappy_seeds_by": "degree",
            "wom.second_hop_negative": 1.0,
        },
    )


@pytest.mark.parametrize(
    ("indptr", "indices", "message"),
    [
        ([0, 1, 2], [1, 10**6], r"Network.indices must be people in \[0, 2\), got 1000000"),
        ([0, 1, 2], [-5, 0], r"Network.indices must be people in \[0, 2\), got -5"),
        (
            [0, 10**6, 10**6],
            [1, 0],
            r"indptr\[-1\] must equal the number of indices \(2\), got 1000000",
        ),
        (
            [0, 2, 1, 2],
            [1, 2],
            r"indptr must not decrease, got indptr\[2\] = 1 after indptr\[1\] = 2",
        ),
        ([1, 1], [], r"Network.indptr\[0\] must be 0, got 1"),
        ([0], [], r"Network.indptr must hold n \+ 1 offsets for n >= 1 people, got 1"),
        ([[0, 1]], [0], r"Network.indptr must be a 1-D array of integers, got shape \(1, 2\)"),
        ([0, 1.5], [0], r"Network.indptr must hold integers, got dtype float64"),
        ([0, 1, 2], [True, False], r"Network.indices must hold integers, got dtype bool"),
        (
            np.array([0, 2**64 - 1], np.uint64),
            [],
            r"Network.indptr must hold people's indices, got 1844674407370955161",
        ),
        (
            [0, 2, 2, 2],
            [2, 1],
            r"Network.indices: the contacts of person 0 must be sorted with no one twice",
        ),
        ([0, 2, 2, 2], [1, 1], r"of person 0 must be sorted with no one twice, got \[1, 1\]"),
        ([0, 1, 1], [0], r"Network.indices: person 0 is listed as their own contact"),
    ],
)
def test_bad_arrays_are_one_value_error_naming_the_field(indptr, indices, message):
    with pytest.raises(ValueError, match=message):
        Network(indptr=indptr, indices=indices)


def test_a_network_cannot_be_changed_after_its_check():
    indptr, indices = np.array([0, 1, 2]), np.array([1, 0])
    net = Network(indptr=indptr, indices=indices)
    indices[0] = 10**6  # the caller's own array: the network holds a copy
    assert net.indices.tolist() == [1, 0]
    with pytest.raises(ValueError, match="read-only"):
        net.indices[0] = 10**6
    with pytest.raises(ValueError, match="read-only"):
        net.indptr[1] = 10**6


def test_name_must_be_text():
    with pytest.raises(ValueError, match=r"Network.name must be text, got 3"):
        Network(indptr=[0, 0], indices=[], name=3)


def test_people_given_to_the_network_helpers_are_checked():
    net, gen = ring(10), np.random.default_rng(0)
    with pytest.raises(
        ValueError, match=r"sample_contacts: tellers must be people in \[0, 10\), got 10"
    ):
        sample_contacts(net, [10], [1], gen)
    with pytest.raises(
        ValueError, match=r"sample_contacts: tellers must be people in \[0, 10\), got -1"
    ):
        sample_contacts(net, [-1], [1], gen)
    with pytest.raises(
        ValueError, match=r"sample_contacts: counts must be one integer per teller \(2\)"
    ):
        sample_contacts(net, [1, 2], [1], gen)
    with pytest.raises(ValueError, match=r"tell: tellers must be people in \[0, 10\), got 99"):
        tell(net, [99], 1.0, 0.0, gen)
    with pytest.raises(ValueError, match=r"tell: mean must be in \[0, 1e6\), got nan"):
        tell(net, [1], float("nan"), 0.0, gen)


def test_a_population_whose_arrays_disagree_is_refused():
    params = _params(20)
    pop = Population.initial(params, rng=0)
    pop.visits = pop.visits[:5]
    with pytest.raises(
        ValueError,
        match=r"Population.visits must have one slot per person \(20, as status\), got 5",
    ):
        step(pop, params, 0, np.random.default_rng(0))
    pop = Population.initial(params, rng=0)
    pop.own_view = pop.own_view.astype(np.float64)
    with pytest.raises(
        ValueError, match=r"Population.own_view must be a 1-D float32 array, got float64"
    ):
        step(pop, params, 0, np.random.default_rng(0))
    pop = Population.initial(params, rng=0)
    with pytest.raises(
        ValueError, match=r"advance_days: network must have one node per person \(20\), got 10"
    ):
        step(pop, params, 0, np.random.default_rng(0), network=ring(10))


def test_a_negative_seed_names_the_seed():
    with pytest.raises(
        ValueError, match=r"rng must be a seed >= 0, a numpy Generator or None, got -1"
    ):
        sim.run(sim.Params(population=10, days=2), rng=-1)


# Each snippet used to write outside the simulator's arrays (a crash, exit 134 or 139, or a run
# on corrupted memory) or fail deep inside it; run apart, so a crash fails the test, not pytest.
_CRASHERS = {
    "indices past the end": (
        "Network(indptr=np.arange(0, 201 * 3, 3), indices=np.full(600, 10**6))",
        "ValueError: Network.indices must be people in [0, 200), got 1000000",
    ),
    "negative indices": (
        "Network(indptr=np.arange(0, 201 * 3, 3), indices=np.full(600, -5))",
        "ValueError: Network.indices must be people in [0, 200), got -5",
    ),
    "offsets past the end": (
        "Network(indptr=np.r_[0, np.full(200, 10**6)], indices=np.zeros(10, int))",
        "ValueError: Network.indptr[-1] must equal the number of indices (10), got 1000000",
    ),
}


@pytest.mark.parametrize("case", sorted(_CRASHERS))
def test_arrays_that_crashed_the_compiled_day_are_refused(case):
    build, last_line = _CRASHERS[case]
    code = textwrap.dedent(f"""
        import numpy as np
        from csat import sim
        from csat.sim.network import Network
        from csat.sim.params import with_changes
        params = with_changes(sim.Params(population=200, days=20), **{{"wom.unhappy_seeds": 5}})
        sim.run(params, network={build}, rng=0)
        print("ran")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-500:])
    assert proc.stderr.strip().splitlines()[-1] == last_line
    assert "ran" not in proc.stdout


def _is_valid_csr(indptr, indices) -> bool:
    """The rules, checked the slow and obvious way (the oracle for the fuzz test)."""
    indptr, indices = list(indptr), list(indices)
    if len(indptr) < 2 or indptr[0] != 0 or indptr[-1] != len(indices):
        return False
    if any(b < a for a, b in itertools.pairwise(indptr)):
        return False
    n = len(indptr) - 1
    for person in range(n):
        row = indices[indptr[person] : indptr[person + 1]]
        if any(not 0 <= j < n or j == person for j in row):
            return False
        if any(b <= a for a, b in itertools.pairwise(row)):
            return False
    return True


@st.composite
def _arrays(draw):
    """Arrays of any sort: noise, or a real network with one entry changed."""
    n = draw(st.integers(1, 8))
    dtype = draw(st.sampled_from([np.int64, np.int32, np.int8, np.uint16]))
    if draw(st.booleans()):
        indptr = draw(st.lists(st.integers(-2, 12), min_size=1, max_size=n + 2))
        indices = draw(st.lists(st.integers(-3, n + 3), max_size=12))
    else:
        pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=12))
        u, v = (np.array([p[i] for p in pairs], np.int64) for i in (0, 1))
        net = Network.from_edges(n, u, v)
        indptr, indices = net.indptr.tolist(), net.indices.tolist()
        which = draw(st.sampled_from(["none", "indptr", "indices"]))
        target = indptr if which == "indptr" else indices
        if which != "none" and target:
            target[draw(st.integers(0, len(target) - 1))] = draw(st.integers(-3, n + 3))
    if dtype == np.uint16:  # unsigned: negatives wrap around to huge numbers
        return np.array(indptr).astype(dtype), np.array(indices, np.int64).astype(dtype)
    return np.array(indptr, dtype), np.array(indices, np.int64).astype(dtype)


@settings(
    max_examples=150,
    deadline=None,
    phases=["explicit", "reuse", "generate"],  # no long shrinking
    suppress_health_check=[HealthCheck.too_slow],
)
@given(arrays=_arrays(), seed=st.integers(0, 2**32 - 1))
def test_random_arrays_are_refused_or_run(arrays, seed):
    indptr, indices = arrays
    try:
        net = Network(indptr=indptr, indices=indices)
    except ValueError as exc:
        assert str(exc).startswith("Network.")
        assert not _is_valid_csr(indptr.astype(np.int64), indices.astype(np.int64))
        return
    # Accepted: it must really be a network, checked before the compiled day ever sees it.
    assert _is_valid_csr(net.indptr, net.indices)
    result = sim.run(_params(net.n), network=net, rng=seed)
    assert len(result.daily) == 5
    assert (result.daily[["customers", "prospects", "defected"]].sum(axis=1) == net.n).all()
