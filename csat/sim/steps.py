"""One simulated day, built from small pure mechanisms.

Each public mechanism takes arrays for the people it concerns and a Generator, returns new
arrays, and never modifies its inputs. :func:`step` strings them together for one day. There is
no Python loop over people anywhere: every rule is a vectorised operation on arrays.

The order within a day: ordinary churn; visits (experience, satisfaction); complaints and
recovery for those with a problem; who buys again; word of mouth; hearing; acquisition.

The day itself (:func:`_day`, looped by :func:`_days`) is compiled by Numba where it is
installed (:mod:`csat.sim._jit`): the same vectorised code, without the Python overhead of its
~150 numpy calls. Functions marked ``@jit`` take only arrays, numbers and the Generator, so
the compiled and the plain-Python versions draw the same random numbers in the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from csat.sim import _jit
from csat.sim._jit import jit
from csat.sim.network import Network, _sample_contacts
from csat.sim.params import (
    ComplaintBehaviour,
    Expectations,
    Params,
    RecoveryPolicy,
    Satisfaction,
    ServiceProfile,
)
from csat.sim.state import (
    CAUSES,
    CUSTOMER,
    DEFECTED,
    NEVER,
    PROSPECT,
    Population,
    churn_probability,
    schedule,
    visit_probability,
)

# Visit outcomes (the course's three outcomes).
DISSATISFIED, BASIC, VERY_SATISFIED = 0, 1, 2
# Complaint outcomes.
SILENT, UNRESOLVED, RESOLVED, RESOLVED_QUICKLY = 0, 1, 2, 3
_NATURAL = CAUSES.index("natural")
_SILENT = CAUSES.index("silent")
_NEGATIVE_WOM = CAUSES.index("negative_wom")
_N_CAUSES = len(CAUSES)
_OUTCOME_CAUSE = np.array(
    [CAUSES.index(c) for c in ("silent", "unresolved", "resolved", "resolved_quickly")], np.int8
)
_NO_NETWORK = (np.zeros(1, np.int64), np.zeros(0, np.int32))  # CSR arrays of "no network"


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
    w = expect.promise_weight
    return w * expect.promise + (1.0 - w) * own_view


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
    out = np.full(sat.shape, BASIC, np.int8)
    out[sat > model.tolerance] = VERY_SATISFIED
    out[sat < -model.tolerance] = DISSATISFIED
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


@dataclass
class DayEvents:
    """What happened on one day (counts and money), the row of :attr:`Result.daily`."""

    visits: int = 0
    very_satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    complaints_front_line: int = 0
    complaints_head_office: int = 0
    silent_problems: int = 0
    resolved: int = 0
    resolved_quickly: int = 0
    new_customers: int = 0
    new_by_word_of_mouth: int = 0
    prospects_put_off: int = 0
    wom_positive: int = 0
    wom_negative: int = 0
    satisfaction_sum: float = 0.0
    expectation_sum: float = 0.0
    revenue: float = 0.0
    costs: float = 0.0
    profit: float = 0.0
    discounted_profit: float = 0.0
    defections: np.ndarray | None = None  # per cause


COUNT_FIELDS = (
    "visits",
    "very_satisfied",
    "basically_satisfied",
    "dissatisfied",
    "complaints_front_line",
    "complaints_head_office",
    "silent_problems",
    "resolved",
    "resolved_quickly",
    "new_customers",
    "new_by_word_of_mouth",
    "prospects_put_off",
    "wom_positive",
    "wom_negative",
)
"""The whole-number fields of :class:`DayEvents`: the columns of :func:`_days`'s ``counts``."""
SUM_FIELDS = (
    "satisfaction_sum",
    "expectation_sum",
    "revenue",
    "costs",
    "profit",
    "discounted_profit",
)
"""The real-valued fields of :class:`DayEvents`: the columns of :func:`_days`'s ``sums``."""
# Column numbers in the compiled day (Numba reads module-level ints as constants).
(
    _VISITS,
    _VERY_SATISFIED,
    _BASIC,
    _DISSATISFIED,
    _FRONT_LINE,
    _HEAD_OFFICE,
    _SILENT_PROBLEMS,
    _RESOLVED,
    _RESOLVED_QUICKLY,
    _NEW,
    _NEW_BY_WOM,
    _PUT_OFF,
    _WOM_POSITIVE,
    _WOM_NEGATIVE,
) = range(len(COUNT_FIELDS))
_SAT_SUM, _EXP_SUM, _REVENUE, _COSTS, _PROFIT, _DISCOUNTED = range(len(SUM_FIELDS))


def step(
    pop: Population,
    params: Params,
    day: int,
    rng: np.random.Generator,
    *,
    inplace: bool = False,
    customers: int | None = None,
    network: Network | None = None,
) -> tuple[Population, DayEvents]:
    """Advance the market by one day.

    Parameters
    ----------
    pop : Population
        The market at the start of ``day``. Not modified unless ``inplace`` is true (the
        simulator's own loop uses ``inplace`` to avoid copying a million-person state daily).
    params : Params
    day : int
        Day index, from 0.
    rng : numpy.random.Generator
    inplace : bool, optional
        Update ``pop`` in place instead of a copy.
    customers : int, optional
        Number of customers at the start of the day, if the caller keeps count (saves a pass
        over the population).
    network : Network, optional
        Who can tell whom; None for a well-mixed market (``params.network`` describes the
        kind; :func:`csat.sim.run` builds it once).

    Returns
    -------
    (Population, DayEvents)
    """
    if not inplace:
        pop = pop.copy()
    if customers is None:
        customers = int(np.count_nonzero(pop.status == CUSTOMER))
    return pop, advance(pop, params, day_constants(params), day, rng, customers, network)


def advance(
    pop: Population,
    params: Params,
    c: DayConstants,
    day: int,
    rng: np.random.Generator,
    customers: int,
    network: Network | None,
) -> DayEvents:
    """:func:`step` in place, with the constants ``c = day_constants(params)`` looked up by the
    caller (``params`` itself is not read: ``c`` carries all of it)."""
    counts, sums, defections = (
        np.zeros((1, len(COUNT_FIELDS)), np.int64),
        np.zeros((1, len(SUM_FIELDS))),
        np.zeros((1, _N_CAUSES), np.int64),
    )
    advance_days(pop, c, day, 1, rng, customers, network, counts, sums, defections)
    ev = DayEvents(defections=defections[0])
    for name, value in zip(COUNT_FIELDS, counts[0].tolist(), strict=True):
        setattr(ev, name, value)
    for name, value in zip(SUM_FIELDS, sums[0].tolist(), strict=True):
        setattr(ev, name, value)
    return ev


def advance_days(
    pop: Population,
    c: DayConstants,
    first_day: int,
    n_days: int,
    rng: np.random.Generator,
    customers: int,
    network: Network | None,
    counts: np.ndarray,
    sums: np.ndarray,
    defections: np.ndarray,
    customers_start: np.ndarray | None = None,
) -> int:
    """Run days ``first_day … first_day + n_days − 1`` in place; return the customers left.

    Row ``d`` of ``counts`` (:data:`COUNT_FIELDS`), ``sums`` (:data:`SUM_FIELDS`),
    ``defections`` (one column per :data:`csat.sim.state.CAUSES`) and ``customers_start`` receives
    day ``first_day + d``. One call runs the whole stretch in compiled code.
    """
    _jit.activate()
    indptr, indices = _NO_NETWORK if network is None else (network.indptr, network.indices)
    if customers_start is None:
        customers_start = np.zeros(n_days, np.int64)
    return _days(
        _arrays(pop), indptr, indices, network is not None, c, int(first_day), int(n_days),
        rng, int(customers), counts, sums, defections, customers_start,
    )  # fmt: skip


def _arrays(pop: Population) -> tuple:
    return (
        pop.status, pop.rejected, pop.own_view, pop.satisfaction, pop.next_visit, pop.churn_day,
        pop.joined, pop.left, pop.cause, pop.visits, pop.problems, pop.complaints,
        pop.heard_positive, pop.heard_negative, pop.value,
    )  # fmt: skip


class DayConstants(NamedTuple):
    """Per-run numbers derived from the parameters, computed once rather than daily.

    Plain numbers and arrays only, so that the compiled day can read them.
    """

    quality: np.ndarray  # the service profile as arrays, for :func:`experience`
    spread: np.ndarray
    weights: np.ndarray
    promise: float
    promise_weight: float
    adaptation: float
    wom_shift: float
    loss_aversion: float
    curvature: float
    tolerance: float
    reference_severity: float
    severity_elasticity: float
    log_keep_front_line: float
    share_up: float
    resolution_rate: float
    quick_share: float
    paradox_satisfaction: float
    paradox_loyalty: float
    repurchase: np.ndarray
    visit: float
    churn: float
    loyal_churn: float
    ad_reach: float
    told_by_satisfied: float
    told_by_dissatisfied: float
    second_hop_positive: float
    second_hop_negative: float
    defection_per_message: float
    unhappy_seeds: int
    seeds_by_degree: bool
    log_keep_rejection: float
    log_keep_defection: float
    log_keep_adoption: float
    revenue_per_visit: float
    margin: float
    margin_per_visit: float
    acquisition_cost: float
    retention_cost: float
    complaint_cost: float
    escalation_cost: float
    yearly_discount: float


@lru_cache(maxsize=16)
def day_constants(params: Params) -> DayConstants:
    """The :class:`DayConstants` of ``params`` (cached: hashing ``params`` costs microseconds)."""
    wom = params.wom
    service = params.service
    econ = params.economics
    rec = params.recovery
    reference, elasticity, log_keep_front, share_up = _rules_of_complaints(params.complaints)
    return DayConstants(
        quality=_read_only(service.quality),
        spread=_read_only(service.spread),
        weights=_read_only(service.weights),
        promise=float(params.expectations.promise),
        promise_weight=float(params.expectations.promise_weight),
        adaptation=float(params.expectations.adaptation),
        wom_shift=float(params.expectations.wom_shift),
        loss_aversion=float(params.satisfaction.loss_aversion),
        curvature=float(params.satisfaction.curvature),
        tolerance=float(params.satisfaction.tolerance),
        reference_severity=reference,
        severity_elasticity=elasticity,
        log_keep_front_line=log_keep_front,
        share_up=float(share_up),
        resolution_rate=float(rec.resolution_rate),
        quick_share=float(rec.quick_share),
        paradox_satisfaction=float(rec.paradox_satisfaction),
        paradox_loyalty=float(rec.paradox_loyalty),
        repurchase=_read_only(repurchase_probability(rec, np.arange(4))),
        visit=visit_probability(params),
        churn=churn_probability(params),
        loyal_churn=churn_probability(params, rec.paradox_loyalty),
        ad_reach=float(min(params.innovation / 365.0, 1.0)),
        told_by_satisfied=float(wom.told_by_satisfied),
        told_by_dissatisfied=float(wom.told_by_dissatisfied),
        second_hop_positive=float(wom.second_hop_positive),
        second_hop_negative=float(wom.second_hop_negative),
        defection_per_message=float(wom.defection_per_message),
        unhappy_seeds=int(wom.unhappy_seeds),
        seeds_by_degree=wom.unhappy_seeds_by == "degree",
        log_keep_rejection=float(np.log1p(-min(wom.rejection_per_message, 1 - 1e-12))),
        log_keep_defection=float(np.log1p(-min(wom.defection_per_message, 1 - 1e-12))),
        log_keep_adoption=float(np.log1p(-min(wom.adoption_per_message, 1.0 - 1e-15))),
        revenue_per_visit=float(econ.revenue_per_visit),
        margin=float(econ.margin),
        margin_per_visit=float(econ.revenue_per_visit * econ.margin),
        acquisition_cost=float(econ.acquisition_cost),
        retention_cost=float(econ.retention_cost),
        complaint_cost=float(econ.complaint_cost),
        escalation_cost=float(econ.escalation_cost),
        yearly_discount=float(1.0 + econ.discount_rate),
    )


def _read_only(values) -> np.ndarray:
    """An array the cache can hand to every run without one run changing it for the next."""
    out = np.array(values, dtype=np.float64)
    out.flags.writeable = False
    return out


@jit
def _days(P, indptr, indices, has_network, c, first_day, n_days, rng, customers,
          counts, sums, defections, customers_start):  # fmt: skip
    """Days ``first_day …`` one after another (see :func:`advance_days`)."""
    for d in range(n_days):
        customers_start[d] = customers
        _day(P, indptr, indices, has_network, c, first_day + d, rng, customers,
             counts[d], sums[d], defections[d])  # fmt: skip
        customers += counts[d, _NEW] - defections[d].sum()
    return customers


@jit
def _day(P, indptr, indices, has_network, c, day, rng, customers, ev, money, defections):
    """One day for the population arrays ``P`` (see :func:`_arrays`), in place.

    Writes the day's counts to ``ev`` (:data:`COUNT_FIELDS`), its sums and money to ``money``
    (:data:`SUM_FIELDS`) and its defections by cause to ``defections``.
    """
    (status, rejected, own_view, satisfaction_, next_visit, churn_day, joined, left, cause,
     visits, problems, complaints_, heard_positive, heard_negative, value) = P  # fmt: skip
    n = status.size
    discount = c.yearly_discount ** (-day / 365.0)

    # Ordinary churn.
    churners = np.nonzero(churn_day == day)[0]
    if churners.size:
        _defect(status, left, cause, next_visit, churn_day, churners, _NATURAL, day)
        defections[_NATURAL] += churners.size

    praise = 0
    warn = 0
    # Who tells, when word of mouth follows a network: the very satisfied and the recovered
    # praise; the unhappy (and the story's seeds) warn.
    empty = np.zeros(0, np.int64)
    seeds = praisers_visit = praisers_problem = warners_problem = empty
    if day == 0 and c.unhappy_seeds > 0:
        # The story's start: customers whose bad experience happens before anything else.
        seeds = _unhappy_seeds(status, indptr, has_network, c, rng)
        _defect(status, left, cause, next_visit, churn_day, seeds, _SILENT, day)
        defections[_SILENT] += seeds.size
        warn += seeds.size

    # Visits: experience against expectation, satisfaction, the course's three outcomes.
    visitors = np.nonzero(next_visit == day)[0]
    k = visitors.size
    ev[_VISITS] = k
    if k:
        x = _experience(c.quality, c.spread, c.weights, k, rng)
        own = own_view[visitors].astype(np.float64)
        expected = c.promise_weight * c.promise + (1.0 - c.promise_weight) * own
        sat = _value(x - expected, c.loss_aversion, c.curvature)
        own_view[visitors] = own + c.adaptation * (x - own)
        visits[visitors] += 1
        value[visitors] += c.margin_per_visit * discount
        # The outcomes of :func:`classify`: very satisfied above the zone of tolerance,
        # dissatisfied below it (tolerance >= 0: never both).
        delighted = sat > c.tolerance
        praise = np.count_nonzero(delighted)
        ev[_VERY_SATISFIED] = praise
        if has_network:
            praisers_visit = visitors[delighted]
        problem = np.nonzero(sat < -c.tolerance)[0]
        ev[_DISSATISFIED] = problem.size
        ev[_BASIC] = k - praise - problem.size
        money[_EXP_SUM] = _sum(expected)

        # Complaints and recovery for those with a problem, then who buys again.
        if problem.size:
            who = visitors[problem]
            # One batch of uniforms, in the order the mechanisms consume them: two rows for
            # complaints, two for recovery, one for buying again.
            u = rng.random((5, who.size))
            front, head = _complaints(
                -sat[problem], u[0], u[1], c.reference_severity, c.severity_elasticity,
                c.log_keep_front_line, c.share_up,
            )  # fmt: skip
            handled = _recovery(front, u[2], u[3], c.resolution_rate, c.quick_share)
            problems[who] += 1
            complaints_[who] += front.astype(np.int32)
            per_outcome = np.bincount(handled, minlength=4)
            ev[_FRONT_LINE] = np.count_nonzero(front)
            ev[_HEAD_OFFICE] = np.count_nonzero(head)
            ev[_SILENT_PROBLEMS] = per_outcome[SILENT]
            ev[_RESOLVED] = per_outcome[RESOLVED]
            ev[_RESOLVED_QUICKLY] = per_outcome[RESOLVED_QUICKLY]
            praise += per_outcome[RESOLVED] + per_outcome[RESOLVED_QUICKLY]
            warn += per_outcome[SILENT] + per_outcome[UNRESOLVED]
            if has_network:
                praisers_problem = who[handled >= RESOLVED]
                warners_problem = who[handled <= UNRESOLVED]
            quick = handled == RESOLVED_QUICKLY
            if c.paradox_satisfaction:
                sat[problem[quick]] += c.paradox_satisfaction
            # Drawn whatever the parameters, so runs that differ only in the recovery
            # paradox's satisfaction bonus share their random numbers.
            stays = u[4] < c.repurchase[handled]
            leaving = ~stays
            if leaving.any():
                why = _OUTCOME_CAUSE[handled[leaving]]
                _defect(status, left, cause, next_visit, churn_day, who[leaving], why, day)
                defections += np.bincount(why, minlength=_N_CAUSES)
            if c.paradox_loyalty > 0:
                loyal = who[stays & quick]
                churn_day[loyal] = schedule(rng, c.loyal_churn, loyal.size, day)
        satisfaction_[visitors] = sat
        money[_SAT_SUM] = _sum(sat)

        # Still customers after today's visit: schedule the next one.
        again = visitors[status[visitors] == CUSTOMER]
        next_visit[again] = schedule(rng, c.visit, again.size, day)

    # Word of mouth.
    if not has_network:
        n_pos = _poisson1(rng, c.told_by_satisfied * praise) if praise else 0
        n_neg = _poisson1(rng, c.told_by_dissatisfied * warn) if warn else 0
        if n_pos and c.second_hop_positive:
            n_pos += _poisson1(rng, c.second_hop_positive * n_pos)
        if n_neg and c.second_hop_negative:
            n_neg += _poisson1(rng, c.second_hop_negative * n_neg)
        # One draw for both: the same numbers as drawing the good news, then the bad.
        targets = rng.integers(0, n, n_pos + n_neg) if n_pos + n_neg else empty
        pos_targets = targets[:n_pos]
        neg_targets = targets[n_pos:]
    else:
        praisers = np.concatenate((praisers_visit, praisers_problem))
        warners = np.concatenate((seeds, warners_problem))
        pos_targets = _tell(
            indptr, indices, praisers, c.told_by_satisfied, c.second_hop_positive, rng
        )
        neg_targets = _tell(
            indptr, indices, warners, c.told_by_dissatisfied, c.second_hop_negative, rng
        )
        n_pos = pos_targets.size
        n_neg = neg_targets.size
    ev[_WOM_POSITIVE] = n_pos
    ev[_WOM_NEGATIVE] = n_neg
    shift = c.wom_shift
    pos_idx = pos_k = empty
    if n_pos:
        pos_idx, pos_k = _tally(pos_targets, n)
        heard_positive[pos_idx] += pos_k.astype(np.int32)
        if shift:
            _shift_views(own_view, pos_idx, shift * pos_k, status[pos_idx] == PROSPECT)
    if n_neg:
        neg_idx, neg_k = _tally(neg_targets, n)
        heard_negative[neg_idx] += neg_k.astype(np.int32)
        their_status = status[neg_idx]
        prospect = their_status == PROSPECT
        if shift:
            _shift_views(own_view, neg_idx, -shift * neg_k, prospect)
        # Bad news can put prospects off for good, or tip customers into leaving.
        open_minded = prospect & ~rejected[neg_idx]
        p_off = -np.expm1(neg_k * c.log_keep_rejection)
        put_off = open_minded & (rng.random(neg_idx.size) < p_off)
        rejected[neg_idx[put_off]] = True
        ev[_PUT_OFF] = np.count_nonzero(put_off)
        if c.defection_per_message > 0:
            p_leave = -np.expm1(neg_k * c.log_keep_defection)
            tipped = neg_idx[(their_status == CUSTOMER) & (rng.random(neg_idx.size) < p_leave)]
            _defect(status, left, cause, next_visit, churn_day, tipped, _NEGATIVE_WOM, day)
            defections[_NEGATIVE_WOM] += tipped.size

    # Acquisition: the Bass kernel 1 − (1 − p·dt)(1 − b)^k. Advertising reaches each person
    # with chance p·dt (a binomial count, then a random subset: the same as one coin each,
    # without a pass over everyone); each good message heard convinces with chance b.
    reached = rng.binomial(n, c.ad_reach)
    new = empty
    if reached:  # choosing no one draws nothing, so skipping the call keeps the stream
        ads = _choice(rng, n, reached)
        new = ads[(status[ads] == PROSPECT) & ~rejected[ads]]
        status[new] = CUSTOMER
    if n_pos:
        listening = (status[pos_idx] == PROSPECT) & ~rejected[pos_idx]
        # sim.diffusion.message_adoption_probability(0, 1, b, k) = 1 − (1 − b)^k.
        p_wom = 1.0 - np.exp(pos_k * c.log_keep_adoption)
        wom_new = pos_idx[listening & (rng.random(pos_idx.size) < p_wom)]
        status[wom_new] = CUSTOMER
        ev[_NEW_BY_WOM] = wom_new.size
        new = np.concatenate((new, wom_new)) if new.size else wom_new
    if new.size:
        joined[new] = day
        next_visit[new] = schedule(rng, c.visit, new.size, day)
        churn_day[new] = schedule(rng, c.churn, new.size, day)
    ev[_NEW] = new.size

    # Money.
    revenue = k * c.revenue_per_visit
    costs = (
        new.size * c.acquisition_cost
        + customers * c.retention_cost / 365.0
        + ev[_FRONT_LINE] * c.complaint_cost
        + ev[_HEAD_OFFICE] * c.escalation_cost
    )
    profit = revenue * c.margin - costs
    money[_REVENUE] = revenue
    money[_COSTS] = costs
    money[_PROFIT] = profit
    money[_DISCOUNTED] = profit * discount


def tell(
    network: Network, tellers: np.ndarray, mean: float, second_hop: float, rng: np.random.Generator
) -> np.ndarray:
    """Who hears a story along the network: each teller tells Poisson(``mean``) distinct
    contacts; each of those retells it to Poisson(``second_hop``) contacts of their own.

    Returns one entry per message heard (a person told twice appears twice).
    """
    tellers = np.asarray(tellers, np.int64)
    return _tell(network.indptr, network.indices, tellers, float(mean), float(second_hop), rng)


@jit
def _tell(indptr, indices, tellers, mean, second_hop, rng):
    if tellers.size == 0 or mean == 0:
        return np.zeros(0, np.int64)
    heard, _ = _sample_contacts(indptr, indices, tellers, _poisson(rng, mean, tellers.size), rng)
    if second_hop and heard.size:
        again, _ = _sample_contacts(
            indptr, indices, heard, _poisson(rng, second_hop, heard.size), rng
        )
        heard = np.concatenate((heard, again))
    return heard


@jit
def _unhappy_seeds(status, indptr, has_network, c, rng):
    """The customers whose bad experience starts the story on day 0."""
    current = np.nonzero(status == CUSTOMER)[0]
    k = min(c.unhappy_seeds, current.size)
    if c.seeds_by_degree and has_network:
        degree = (indptr[1:] - indptr[:-1])[current]
        return current[np.argsort(-degree, kind="mergesort")[:k]]
    return current[_choice(rng, current.size, k)]


@jit
def _defect(status, left, cause, next_visit, churn_day, idx, why, day) -> None:
    status[idx] = DEFECTED
    left[idx] = day
    cause[idx] = why
    next_visit[idx] = NEVER
    churn_day[idx] = NEVER


@jit
def _shift_views(own_view, idx, amount, prospect) -> None:
    """Move the own view of the prospects among ``idx`` (``prospect``, a mask) by ``amount``."""
    i = idx[prospect]
    view = own_view[i] + amount[prospect]
    own_view[i] = np.minimum(np.maximum(view, 0.0), 10.0)


def _choice_numpy(rng, n, k):
    return rng.choice(n, k, replace=False)


def _choice_compiled(rng, n, k):
    """``rng.choice(n, k, replace=False)`` in compiled code, drawing exactly what numpy draws.

    NumPy's own algorithm (``Generator.choice``): for a large sample of a large population,
    a partial Fisher–Yates shuffle of ``arange(n)``; otherwise Floyd's algorithm over an
    open-addressing hash set, then a shuffle of the sample. Checked against numpy in
    ``tests/sim/test_jit.py``.
    """
    if n > 10000 and k > n // 50:
        idx = np.arange(n)
        for i in range(n - 1, max(n - k, 1) - 1, -1):
            j = rng.integers(0, i + 1)
            idx[i], idx[j] = idx[j], idx[i]
        return idx[n - k :].copy()
    out = np.empty(k, np.int64)
    if k == 0:
        return out
    set_size = np.uint64(int(1.2 * k))
    mask = np.uint64(0)  # the smallest 2^m − 1 that is at least set_size
    while mask < set_size:
        mask = (mask << np.uint64(1)) | np.uint64(1)
    free = np.uint64(0xFFFFFFFFFFFFFFFF)
    taken = np.full(int(mask) + 1, free, np.uint64)
    for j in range(n - k, n):
        val = np.uint64(rng.integers(0, j + 1))
        loc = val & mask
        while taken[loc] != free and taken[loc] != val:
            loc = (loc + np.uint64(1)) & mask
        if taken[loc] == free:  # val not chosen before
            taken[loc] = val
            out[j - n + k] = val
        else:  # choose j instead
            loc = np.uint64(j) & mask
            while taken[loc] != free:
                loc = (loc + np.uint64(1)) & mask
            taken[loc] = np.uint64(j)
            out[j - n + k] = j
    for i in range(k - 1, 0, -1):
        j = rng.integers(0, i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def _sum_numpy(a):
    return a.sum()


def _sum_compiled(a):
    """``a.sum()`` for a 1-d float array, added in numpy's pairwise order, so that sums are the
    same to the last bit whether the day ran compiled or not.

    numpy splits the array in halves (each a multiple of 8 long) down to blocks of at most 128,
    which it adds with eight running sums. Here the same tree is walked with an explicit stack
    (Numba cannot cache recursive functions).
    """
    n = a.size
    if n <= 128:
        return _block_sum(a, 0, n)
    # Each frame: start, length, and the left half's total once it is known.
    lo = np.empty(64, np.int64)
    size = np.empty(64, np.int64)
    left = np.empty(64)
    has_left = np.zeros(64, np.bool_)
    top = 0
    lo[0], size[0] = 0, n
    while True:
        m = size[top]
        if m > 128 and not has_left[top]:  # descend into the left half
            half = m // 2
            half -= half % 8
            top += 1
            lo[top], size[top], has_left[top] = lo[top - 1], half, False
            continue
        total = _block_sum(a, lo[top], m) if m <= 128 else left[top]
        # Hand the total up: a left half waits for its right half, a right half completes.
        while True:
            if top == 0:
                return total
            top -= 1
            if not has_left[top]:
                has_left[top] = True
                left[top] = total
                half = size[top] // 2
                half -= half % 8
                top += 1
                lo[top], size[top], has_left[top] = lo[top - 1] + half, size[top - 1] - half, False
                break
            total = left[top] + total


@jit
def _block_sum(a, lo, n):
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = lo + 8
    end = lo + n - n % 8
    while i < end:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        res += a[i]
        i += 1
    return res


def _poisson1_numpy(rng, lam):
    return rng.poisson(lam)


def _poisson_numpy(rng, lam, size):
    return rng.poisson(lam, size)


def _poisson1_compiled(rng, lam):
    """``rng.poisson(lam)`` in compiled code, drawing exactly what numpy draws.

    Numba's own ``Generator.poisson`` truncates where numpy floors in the PTRS rejection step
    (means of 10 and more), so it can accept a draw numpy rejects and the stream drifts. This
    is numpy's algorithm (Hörmann's PTRS for ``lam >= 10``, multiplication below), checked
    against numpy in ``tests/sim/test_jit.py``.
    """
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = rng.random() - 0.5
            v = rng.random()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (
                -lam + k * loglam - _loggam(k + 1.0)
            ):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= rng.random()
        if prod > enlam:
            x += 1
        else:
            return x


def _poisson_compiled(rng, lam, size):
    out = np.empty(size, np.int64)
    for i in range(size):
        out[i] = _poisson1(rng, lam)
    return out


_LOGGAM = np.array(
    [8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
     -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
     6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
     -1.39243221690590e00]
)  # fmt: skip


@jit
def _loggam(x):
    """log Γ(x) as numpy's ``random_loggam`` computes it (for the Poisson replica)."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = _LOGGAM[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += _LOGGAM[k]
    gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


_sum = _sum_numpy
_choice = _choice_numpy
_jit.compile_as(globals(), "_sum", _sum_compiled)
_jit.compile_as(globals(), "_choice", _choice_compiled)
_poisson1 = _poisson1_numpy
_poisson = _poisson_numpy
_jit.compile_as(globals(), "_poisson1", _poisson1_compiled)
_jit.compile_as(globals(), "_poisson", _poisson_compiled)
