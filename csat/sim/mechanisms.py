"""The rules of one visit, one problem and one story, each a small pure mechanism.

Each public mechanism takes a parameter group and arrays for the people it concerns (and a
Generator where it draws), returns new arrays, and never modifies its inputs: these are what the
lessons call to show one rule at a time. Each is a thin wrapper over a kernel marked ``@jit``
that takes only arrays and numbers; the compiled day (:func:`csat.sim.steps._day`) calls the
very same kernels, so a rule is written once and the figures show what the simulator does.
"""

from __future__ import annotations

import numpy as np

from csat.sim._jit import jit
from csat.sim._replicas import _poisson1
from csat.sim.network import Network, check_people
from csat.sim.params import (
    ComplaintBehaviour,
    Expectations,
    RecoveryPolicy,
    Satisfaction,
    ServiceProfile,
)

# Visit outcomes (the course's three outcomes).
DISSATISFIED, BASIC, VERY_SATISFIED = 0, 1, 2
# Complaint outcomes.
SILENT, UNRESOLVED, RESOLVED, RESOLVED_QUICKLY = 0, 1, 2, 3


def experience(service: ServiceProfile, k: int, rng: np.random.Generator) -> np.ndarray:
    """Experience of ``k`` visits: the SERVQUAL-weighted mean of five clipped normal draws."""
    arrays = (np.asarray(service.quality), np.asarray(service.spread), np.asarray(service.weights))
    return _experience(*arrays, k, rng)


@jit
def _experience(
    quality: np.ndarray, spread: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    draws = rng.standard_normal((k, 5)) * spread + quality
    # Clipped to [0, 10] (np.clip, spelt so that Numba compiles it).
    return np.minimum(np.maximum(draws, 0.0), 10.0) @ weights


def expectation(expect: Expectations, own_view: np.ndarray) -> np.ndarray:
    """Expectation on the day: the firm's promise mixed with the customer's own view."""
    own = np.asarray(own_view, np.float64)
    out = _expectation(float(expect.promise), float(expect.promise_weight), own.reshape(-1))
    return out.reshape(own.shape)


@jit
def _expectation(promise: float, promise_weight: float, own_view: np.ndarray) -> np.ndarray:
    return promise_weight * promise + (1.0 - promise_weight) * own_view


def satisfaction(model: Satisfaction, experienced: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Satisfaction value v(d) of disconfirmation d = experience − expectation.

    The prospect-theory value of :func:`csat.sim.analytic.value`: d^α for gains, −λ(−d)^α for
    losses.
    """
    d = np.asarray(experienced, float) - np.asarray(expected, float)
    return _value(d, float(model.loss_aversion), float(model.curvature))


@jit
def _value(d: np.ndarray, loss_aversion: float, curvature: float) -> np.ndarray:
    mag = np.power(np.abs(d), curvature)
    return np.where(d >= 0, mag, -loss_aversion * mag)


def classify(model: Satisfaction, sat: np.ndarray) -> np.ndarray:
    """Very satisfied above the zone of tolerance, dissatisfied below it, basic inside."""
    sat = np.asarray(sat, np.float64)
    return _classify(sat.reshape(-1), float(model.tolerance)).reshape(sat.shape)


@jit
def _classify(sat: np.ndarray, tolerance: float) -> np.ndarray:
    out = np.full(sat.shape, BASIC, np.int8)
    out[sat > tolerance] = VERY_SATISFIED
    out[sat < -tolerance] = DISSATISFIED
    return out


def complaint_probability(cb: ComplaintBehaviour, severity: np.ndarray) -> np.ndarray:
    """Chance a problem of the given severity is voiced to the front line.

    1 − (1 − front_line)^((severity / reference)^elasticity): exactly ``front_line`` at the
    reference severity, rising towards 1 for bigger problems, 0 for no problem.
    """
    severity = np.asarray(severity, float)
    shape = severity.shape
    r = _rules_of_complaints(cb)
    p = _complaint_probability(severity.reshape(-1), r[0], r[1], r[2])
    return p.reshape(shape)


def _rules_of_complaints(cb: ComplaintBehaviour) -> tuple[float, float, float, float]:
    """(reference severity, elasticity, log(1 − front_line), head office share of complaints)."""
    return (
        float(cb.reference_severity),
        float(cb.severity_elasticity),
        float(np.log1p(-min(cb.front_line, 1 - 1e-12))),
        cb.head_office / cb.front_line if cb.front_line > 0 else 0.0,
    )


@jit
def _complaint_probability(
    severity: np.ndarray, reference: float, elasticity: float, log_keep: float
) -> np.ndarray:
    rel = np.maximum(severity, 0.0) / reference
    return -np.expm1(np.power(rel, elasticity) * log_keep)


def complaints(
    cb: ComplaintBehaviour, severity: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Who complains to the front line, and who of those escalates to head office."""
    u = rng.random((2, severity.shape[0]))
    return _complaints(np.asarray(severity, float), u[0], u[1], *_rules_of_complaints(cb))


@jit
def _complaints(
    severity: np.ndarray,
    u_front: np.ndarray,
    u_head: np.ndarray,
    reference: float,
    elasticity: float,
    log_keep: float,
    share_up: float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`complaints` from uniforms drawn by the caller."""
    front = u_front < _complaint_probability(severity, reference, elasticity, log_keep)
    head = front & (u_head < share_up)
    return front, head


def recovery(
    policy: RecoveryPolicy, complained: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Outcome per problem customer: silent, unresolved, resolved, or resolved quickly."""
    u = rng.random((2, complained.shape[0]))
    complained = np.asarray(complained, bool)
    return _recovery(complained, u[0], u[1], policy.resolution_rate, policy.quick_share)


@jit
def _recovery(
    complained: np.ndarray,
    u_resolve: np.ndarray,
    u_quick: np.ndarray,
    resolution_rate: float,
    quick_share: float,
) -> np.ndarray:
    """:func:`recovery` from uniforms drawn by the caller."""
    resolved = complained & (u_resolve < resolution_rate)
    quick = resolved & (u_quick < quick_share)
    # Each stage reached is one step up: SILENT 0, UNRESOLVED 1, RESOLVED 2, RESOLVED_QUICKLY 3.
    stage = complained.astype(np.int8) + resolved.astype(np.int8) + quick.astype(np.int8)
    return stage.astype(np.int8)


def repurchase_probability(policy: RecoveryPolicy, outcome: np.ndarray) -> np.ndarray:
    """Chance of buying again after a problem, by complaint outcome."""
    table = np.array(
        [
            policy.repurchase_silent,
            policy.repurchase_unresolved,
            policy.repurchase_resolved,
            policy.repurchase_quick,
        ]
    )
    return table[outcome]


def tally(targets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct people hit and how many times, from an array of target indices in [0, n).

    Examples
    --------
    >>> [a.tolist() for a in tally(np.array([4, 1, 4, 4]), 10)]
    [[1, 4], [1, 3]]
    """
    return _tally(np.asarray(targets, np.int64), int(n))


@jit
def _tally(targets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    if targets.size * 20 > n:  # dense: one pass over everyone is cheapest
        counts = np.bincount(targets, minlength=n)
        idx = np.nonzero(counts)[0]
        return idx, counts[idx]
    if targets.size == 0:
        return targets.copy(), np.zeros(0, np.int64)
    t = np.sort(targets)
    first = np.empty(t.size + 1, np.bool_)
    first[0] = True
    first[-1] = True
    first[1:-1] = t[1:] != t[:-1]
    starts = np.nonzero(first)[0]
    return t[starts[:-1]], starts[1:] - starts[:-1]


def tell(
    network: Network,
    tellers: np.ndarray,
    mean: float,
    second_hop: float,
    rng: np.random.Generator,
    *,
    beyond: bool = True,
) -> np.ndarray:
    """Who hears a story along the network: each teller tells each of their k contacts, one
    coin each, with chance min(1, ``mean``/k); when ``mean`` exceeds k and ``beyond`` is True
    (``network.beyond_contacts`` = "acquaintances"), Poisson(``mean`` − k) more people drawn
    from the whole market, so that a teller tells ``mean`` people on average whatever their
    number of contacts. Each first-hop hearer retells the story to ``second_hop`` people on
    average, the same way.

    Returns one entry per message heard (a person told twice appears twice).
    """
    return tell_counted(network, tellers, mean, second_hop, rng, beyond=beyond)[0]


def tell_counted(
    network: Network,
    tellers: np.ndarray,
    mean: float,
    second_hop: float,
    rng: np.random.Generator,
    *,
    beyond: bool = True,
) -> tuple[np.ndarray, int]:
    """:func:`tell`, and how many of its messages went beyond the tellers' contacts."""
    tellers = _check_telling(network, tellers, rng, mean=mean, second_hop=second_hop)
    indptr, indices = network._csr
    heard, far = _tell(
        indptr, indices, network.n, tellers, float(mean), float(second_hop), bool(beyond), rng
    )
    return heard, int(far)


def tell_one_hop(
    network: Network,
    tellers: np.ndarray,
    mean: float,
    rng: np.random.Generator,
    *,
    beyond: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """One hop of :func:`tell`: the hearers, and for each the index into ``tellers`` of who
    told them (the day's own kernel, which the lessons use to follow one story)."""
    tellers = _check_telling(network, tellers, rng, mean=mean)
    indptr, indices = network._csr
    heard, owner, _ = _tell_once(
        indptr, indices, network.n, tellers, float(mean), bool(beyond), rng
    )
    return heard, owner


def _check_telling(network, tellers, rng, **numbers) -> np.ndarray:
    if not isinstance(network, Network):
        raise ValueError(f"tell: network must be a Network, got {type(network).__name__}")
    tellers = check_people(network, tellers, "tell: tellers")
    for name, value in numbers.items():
        if not 0 <= float(value) < 1e6:  # also refuses NaN
            raise ValueError(f"tell: {name} must be in [0, 1e6), got {value!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"tell: rng must be a numpy Generator, got {rng!r}")
    return tellers


@jit
def _tell(indptr, indices, n, tellers, mean, second_hop, beyond, rng):
    """:func:`tell_counted` on the CSR arrays: ``(hearers, messages beyond contacts)``."""
    if tellers.size == 0 or mean == 0:
        return np.zeros(0, np.int64), 0
    heard, _, far = _tell_once(indptr, indices, n, tellers, mean, beyond, rng)
    if second_hop and heard.size:
        again, _, far_again = _tell_once(indptr, indices, n, heard, second_hop, beyond, rng)
        heard = np.concatenate((heard, again))
        far += far_again
    return heard, far


@jit
def _tell_once(indptr, indices, n, tellers, mean, beyond, rng):
    """One hop, ``(hearers, index of each one's teller, messages beyond contacts)``: a coin
    per contact of each teller with chance min(1, mean/k); then, beyond the contacts,
    Poisson(Σ max(mean − k, 0)) people drawn from the whole market, each given to a teller in
    proportion to that teller's max(mean − k, 0) — the same as one Poisson count per teller
    (a Poisson count split at random is independent Poisson counts). No sorting: the cost is
    one uniform per contact of a teller and two per message beyond."""
    start = indptr[tellers]
    deg = indptr[tellers + 1] - start
    ends = deg.cumsum()
    total = ends[-1] if ends.size else 0
    near = np.zeros(0, np.int64)
    near_owner = np.zeros(0, np.int64)
    if total:
        owner = np.arange(tellers.size).repeat(deg)
        offset = np.arange(total) - (ends - deg)[owner]
        chance = np.minimum(1.0, mean / deg[owner])  # deg[owner] >= 1 for every entry
        told = rng.random(total) < chance
        near_owner = owner[told].astype(np.int64)
        near = indices[start[near_owner] + offset[told]].astype(np.int64)
    far = 0
    rest = np.maximum(mean - deg, 0.0)
    if beyond:
        wanted = rest.sum()
        if wanted > 0:
            far = _poisson1(rng, wanted)
    if far:
        cum = rest.cumsum()
        picks = np.searchsorted(cum, rng.random(far) * cum[-1], side="right")
        far_owner = np.minimum(picks, tellers.size - 1).astype(np.int64)
        far_heard = rng.integers(0, n, far)
        return (
            np.concatenate((near, far_heard)),
            np.concatenate((near_owner, far_owner)),
            far,
        )
    return near, near_owner, far
