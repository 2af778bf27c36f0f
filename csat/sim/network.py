"""Contact networks as CSR arrays: who can tell whom.

A :class:`Network` holds the adjacency of an undirected graph in compressed sparse row form:
the contacts of person ``i`` are ``indices[indptr[i]:indptr[i + 1]]``. Generators build the
usual families (ring lattice, small world, scale free, random) for a million people in
seconds, with vectorised numpy; any networkx graph converts once with
:meth:`Network.from_networkx`. No self-loops, no repeated edges.

Examples
--------
>>> net = ring(10, k=2)
>>> net.contacts(0).tolist(), int(net.degree.sum())
([1, 9], 20)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from csat.sim._jit import jit
from csat.sim._rng import as_generator

KINDS = ("well_mixed", "ring", "small_world", "scale_free", "random")


@dataclass(frozen=True, eq=False)
class Network:
    """An undirected contact network in CSR form.

    Attributes
    ----------
    indptr : numpy.ndarray
        Shape ``(n + 1,)``, int64: contacts of ``i`` are ``indices[indptr[i]:indptr[i+1]]``.
    indices : numpy.ndarray
        Shape ``(2 × edges,)``, int32 where it fits: each edge appears once from each end.
    name : str
        What kind of network it is, for labels.
    """

    indptr: np.ndarray
    indices: np.ndarray
    name: str = "network"

    def __post_init__(self) -> None:
        # The compiled day reads these arrays without bounds checks: anything out of range
        # would read or write outside them (a crash, or silently corrupted memory). So every
        # Network is checked, whoever built it, and keeps its own copies, which nobody else
        # can change afterwards: the attributes are read-only views of them.
        if not isinstance(self.name, str):
            raise ValueError(f"Network.name must be text, got {self.name!r}")
        indptr = _integers("indptr", self.indptr)
        indices = _integers("indices", self.indices)
        if indptr.size < 2:
            raise ValueError(
                f"Network.indptr must hold n + 1 offsets for n >= 1 people, got {indptr.size}"
            )
        n = indptr.size - 1
        if indptr[0] != 0:
            raise ValueError(f"Network.indptr[0] must be 0, got {indptr[0]}")
        step = np.diff(indptr)
        if step.size and step.min() < 0:
            i = int(np.argmax(step < 0))
            raise ValueError(
                f"Network.indptr must not decrease, got indptr[{i + 1}] = {indptr[i + 1]} "
                f"after indptr[{i}] = {indptr[i]}"
            )
        if indptr[-1] != indices.size:
            raise ValueError(
                f"Network.indptr[-1] must equal the number of indices ({indices.size}), "
                f"got {indptr[-1]}"
            )
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            bad = indices[(indices < 0) | (indices >= n)][0]
            raise ValueError(f"Network.indices must be people in [0, {n}), got {bad}")
        # One dtype pair whoever builds the arrays: the compiled day is compiled for these
        # types, and any other pair would make Numba compile it again (half a minute).
        own_indptr = np.array(indptr, np.int64, order="C", copy=True)  # nobody else holds it
        own_indices = np.array(indices, np.int32 if n < 2**31 else np.int64, order="C")
        _check_rows(own_indptr, own_indices)
        object.__setattr__(self, "_csr", (own_indptr, own_indices))
        for field, own in (("indptr", own_indptr), ("indices", own_indices)):
            view = own.view()
            view.flags.writeable = False
            object.__setattr__(self, field, view)

    def __reduce__(self):
        return (type(self), (self._csr[0], self._csr[1], self.name))

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.indptr.shape[0] - 1)

    @property
    def degree(self) -> np.ndarray:
        """Number of contacts of each person, shape ``(n,)``."""
        return np.diff(self.indptr)

    @property
    def mean_degree(self) -> float:
        """Average number of contacts."""
        return float(self.indices.shape[0] / max(self.n, 1))

    def contacts(self, i: int) -> np.ndarray:
        """The contacts of person ``i``."""
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def to_scipy(self) -> sp.csr_array:
        """The adjacency as a scipy sparse array of ones."""
        data = np.ones(self.indices.shape[0], np.int8)
        return sp.csr_array((data, self.indices, self.indptr), shape=(self.n, self.n))

    def to_networkx(self):
        """The network as a networkx Graph (slow for millions of people)."""
        import networkx as nx

        return nx.from_scipy_sparse_array(self.to_scipy())

    @classmethod
    def from_networkx(cls, graph, name: str | None = None) -> Network:
        """Convert a networkx graph once; nodes are numbered in ``graph``'s node order.

        Edge attributes such as ``weight`` are ignored: every edge is one contact.
        """
        import networkx as nx

        # weight=None: a tie weighted 0.5 (or 0) would otherwise become 0 in int8 and vanish.
        a = nx.to_scipy_sparse_array(graph, format="csr", dtype=np.int8, weight=None)
        a.setdiag(0)
        a.eliminate_zeros()
        return _from_csr(a, name or type(graph).__name__)

    @classmethod
    def from_edges(cls, n: int, u: np.ndarray, v: np.ndarray, name: str = "network") -> Network:
        """Build from the two ends of each undirected edge; drops self-loops and repeats."""
        u = np.asarray(u, np.int64)
        v = np.asarray(v, np.int64)
        if u.shape != v.shape:
            raise ValueError(f"Network.from_edges: u and v differ in shape, {u.shape} vs {v.shape}")
        if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
            raise ValueError(f"Network.from_edges: node ids must be in [0, {n}), got out of range")
        keep = u != v
        u, v = u[keep], v[keep]
        rows = np.concatenate([u, v])
        cols = np.concatenate([v, u])
        a = sp.coo_array((np.ones(rows.size, np.int8), (rows, cols)), shape=(n, n)).tocsr()
        a.sum_duplicates()
        return _from_csr(a, name)

    def __repr__(self) -> str:
        return f"Network({self.name!r}, n={self.n:,}, mean_degree={self.mean_degree:.2f})"


def _integers(field: str, value) -> np.ndarray:
    """``value`` as a 1-D integer array, or a ValueError naming ``Network.<field>``."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Network.{field} must be a 1-D array of integers, got {exc}") from None
    if array.ndim != 1:
        raise ValueError(
            f"Network.{field} must be a 1-D array of integers, got shape {array.shape}"
        )
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"Network.{field} must hold integers, got dtype {array.dtype}")
    if array.dtype == np.uint64 and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"Network.{field} must hold people's indices, got {array.max()}")
    return array.astype(np.int64, copy=False)


def _check_rows(indptr: np.ndarray, indices: np.ndarray) -> None:
    """Each person's contacts: sorted, no one twice, not themselves."""
    if indices.size < 1:
        return
    row = np.repeat(np.arange(indptr.size - 1, dtype=indices.dtype), np.diff(indptr))
    loops = np.flatnonzero(indices == row)
    if loops.size:
        who = int(row[loops[0]])
        raise ValueError(f"Network.indices: person {who} is listed as their own contact")
    rising = np.diff(indices) > 0
    rising |= row[1:] != row[:-1]  # a new person's list may start anywhere
    if not rising.all():
        who = int(row[1:][~rising][0])
        got = indices[indptr[who] : indptr[who + 1]][:10].tolist()
        raise ValueError(
            f"Network.indices: the contacts of person {who} must be sorted with no one twice, "
            f"got {got}"
        )


def check_people(net: Network, people, where: str) -> np.ndarray:
    """``people`` as int64 indices of people in ``net``, or a ValueError naming ``where``."""
    array = np.asarray(people)
    if array.size == 0:
        return np.zeros(0, np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(
            f"{where} must be a 1-D array of people's indices, got {array.dtype} of shape "
            f"{array.shape}"
        )
    if array.min() < 0 or array.max() >= net.n:
        bad = array[(array < 0) | (array >= net.n)][0]
        raise ValueError(f"{where} must be people in [0, {net.n}), got {bad}")
    return array.astype(np.int64)


def _from_csr(a: sp.csr_array, name: str) -> Network:
    a.sort_indices()
    index_type = np.int32 if a.shape[0] < 2**31 else np.int64
    return Network(
        indptr=np.asarray(a.indptr, np.int64),
        indices=np.asarray(a.indices, index_type),
        name=name,
    )


def _check(name: str, n: int, k: int | None = None) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"{name}: n must be an integer >= 2, got {n!r}")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1):
        raise ValueError(f"{name}: k must be a positive integer, got {k!r}")


def ring(n: int, k: int = 2) -> Network:
    """Ring lattice: everyone knows the ``k`` nearest people, ``k // 2`` on each side.

    ``k`` must be even and smaller than ``n``.
    """
    _check("ring", n, k)
    if k % 2 or k >= n:
        raise ValueError(f"ring: k must be even and < n ({n}), got {k!r}")
    u = np.repeat(np.arange(n, dtype=np.int64), k // 2)
    v = (u + np.tile(np.arange(1, k // 2 + 1), n)) % n
    return Network.from_edges(n, u, v, name=f"ring (k={k})")


def small_world(
    n: int, k: int = 10, rewire: float = 0.1, *, rng: int | np.random.Generator | None = None
) -> Network:
    """Watts–Strogatz small world: a ring lattice with a share ``rewire`` of edges rewired.

    Each lattice edge (i, i + j) keeps its first end and, with chance ``rewire``, gets a new
    second end drawn uniformly. Edges that would repeat or loop are dropped, a share of about
    ``k / n`` of the rewired ones (negligible for large ``n``).

    Parameters
    ----------
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run.
    """
    _check("small_world", n, k)
    if k % 2 or k >= n:
        raise ValueError(f"small_world: k must be even and < n ({n}), got {k!r}")
    if not 0.0 <= rewire <= 1.0:
        raise ValueError(f"small_world: rewire must be in [0, 1], got {rewire!r}")
    gen = as_generator(rng)
    u = np.repeat(np.arange(n, dtype=np.int64), k // 2)
    v = (u + np.tile(np.arange(1, k // 2 + 1), n)) % n
    moved = gen.random(u.size) < rewire
    v[moved] = gen.integers(0, n, int(moved.sum()))
    return Network.from_edges(n, u, v, name=f"small world (k={k}, rewire={rewire:g})")


def random_graph(
    n: int, mean_degree: float = 10.0, *, rng: int | np.random.Generator | None = None
) -> Network:
    """Erdős–Rényi G(n, p) with p = mean_degree / (n − 1).

    The number of edges is drawn from its binomial distribution, then that many distinct
    pairs are drawn uniformly, which is G(n, p) exactly.

    Parameters
    ----------
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run.
    """
    _check("random_graph", n)
    if not 0.0 <= mean_degree <= n - 1:
        raise ValueError(f"random_graph: mean_degree must be in [0, {n - 1}], got {mean_degree!r}")
    gen = as_generator(rng)
    pairs = n * (n - 1) // 2
    m = int(gen.binomial(pairs, mean_degree / (n - 1)))
    keys = np.zeros(0, np.int64)
    while keys.size < m:  # draw, keep distinct pairs, top up (collisions are rare)
        need = m - keys.size
        u = gen.integers(0, n, need + need // 100 + 16, dtype=np.int64)
        v = gen.integers(0, n, u.size, dtype=np.int64)
        ok = u != v
        a, b = np.minimum(u[ok], v[ok]), np.maximum(u[ok], v[ok])
        fresh = np.sort(a * n + b)  # sort-based: faster than np.unique's hash path here
        fresh = fresh[np.r_[True, fresh[1:] != fresh[:-1]]]
        fresh = fresh[~np.isin(fresh, keys)] if keys.size else fresh
        keys = np.concatenate([keys, gen.permutation(fresh)[:need]])
    return Network.from_edges(n, keys // n, keys % n, name=f"random (mean degree {mean_degree:g})")


def scale_free(n: int, m: int = 5, *, rng: int | np.random.Generator | None = None) -> Network:
    """Barabási–Albert scale-free network: each newcomer links to ``m`` people chosen in
    proportion to how many contacts they already have.

    Vectorised form of the Batagelj–Brandes edge-list algorithm: each newcomer's edge copies
    the end of a uniformly chosen earlier edge slot, which picks people in proportion to
    degree; copies are resolved by pointer jumping. Repeated picks by one newcomer are merged,
    so a few people get slightly fewer than ``m`` links. Mean degree ≈ 2m; the tail of the
    degree distribution falls as k^−3.

    Parameters
    ----------
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run.
    """
    _check("scale_free", n, m)
    if m >= n:
        raise ValueError(f"scale_free: m must be < n ({n}), got {m!r}")
    gen = as_generator(rng)
    # Seed: a star around node 0 among the first m + 1 people, so every slot has an owner.
    seed_src = np.zeros(m, np.int64)
    seed_dst = np.arange(1, m + 1, dtype=np.int64)
    newcomers = np.arange(m + 1, n, dtype=np.int64)
    src = np.repeat(newcomers, m)
    # Slots: 2e is edge e's source, 2e + 1 its target; the seed edges come first.
    n_edges = m + src.size
    value = np.empty(2 * n_edges, np.int64)
    value[0 : 2 * m : 2] = seed_src
    value[1 : 2 * m : 2] = seed_dst
    value[2 * m :: 2] = src
    # Each newcomer's target slot points to a uniformly chosen slot of an earlier person.
    first_slot = 2 * m + 2 * (np.arange(src.size) // m) * m
    ptr = np.arange(2 * n_edges, dtype=np.int64)
    ptr[2 * m + 1 :: 2] = (gen.random(src.size) * first_slot).astype(np.int64)
    while True:  # pointer jumping: each pass halves every remaining chain of copies
        jumped = ptr[ptr]
        if np.array_equal(jumped, ptr):
            break
        ptr = jumped
    targets = value[ptr[1::2]]
    sources = value[0::2]
    return Network.from_edges(n, sources, targets, name=f"scale free (m={m})")


def build(kind: str, n: int, mean_degree: float = 10.0, *, rewire: float = 0.1, rng=None):
    """Build a network by kind name: one of :data:`KINDS` (``well_mixed`` gives None)."""
    if kind == "well_mixed":
        return None
    k = max(2, round(mean_degree / 2) * 2)
    if kind == "ring":
        return ring(n, k)
    if kind == "small_world":
        return small_world(n, k, rewire, rng=rng)
    if kind == "scale_free":
        return scale_free(n, max(1, round(mean_degree / 2)), rng=rng)
    if kind == "random":
        return random_graph(n, mean_degree, rng=rng)
    raise ValueError(f"network kind must be one of {list(KINDS)}, got {kind!r}")


def sample_contacts(
    net: Network, tellers: np.ndarray, counts: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each teller tells ``counts`` distinct contacts of theirs, chosen at random.

    A teller with fewer contacts than their count tells all of them. Returns the hearers and,
    for each, the index into ``tellers`` of who told them. Cost is proportional to the tellers'
    total degree, not to the network's size.
    """
    if not isinstance(net, Network):
        raise ValueError(f"sample_contacts: net must be a Network, got {type(net).__name__}")
    tellers = check_people(net, tellers, "sample_contacts: tellers")
    counts = np.asarray(counts)
    if counts.shape != tellers.shape or (counts.size and counts.dtype.kind not in "iu"):
        raise ValueError(
            f"sample_contacts: counts must be one integer per teller ({tellers.size}), "
            f"got {counts.dtype} of shape {counts.shape}"
        )
    if counts.size and counts.min() < 0:
        raise ValueError(f"sample_contacts: counts must be >= 0, got {counts.min()}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"sample_contacts: rng must be a numpy Generator, got {rng!r}")
    return _sample_contacts(*net._csr, tellers, counts.astype(np.int64), rng)


@jit
def _sample_contacts(indptr, indices, tellers, counts, rng):
    """:func:`sample_contacts` on the CSR arrays (compiled where Numba is installed)."""
    start = indptr[tellers]
    deg = indptr[tellers + 1] - start
    ends = deg.cumsum()
    total = ends[-1] if ends.size else 0
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    owner = np.arange(tellers.size).repeat(deg)
    offset = np.arange(total) - (ends - deg)[owner]  # place among the teller's contacts
    contact = indices[start[owner] + offset]
    # Random order within each teller's contacts (sorted by owner, then by a uniform key: two
    # stable passes, as np.lexsort would); keep the first `counts`.
    by_key = np.argsort(rng.random(total))
    order = by_key[np.argsort(owner[by_key], kind="mergesort")]
    rank = np.empty(total, np.int64)
    rank[order] = offset  # offset within a group runs 0..deg-1 in sorted order too
    keep = rank < counts[owner]
    return contact[keep].astype(np.int64), owner[keep]
