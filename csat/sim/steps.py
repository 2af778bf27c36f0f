"""One simulated day: the mechanisms of :mod:`csat.sim.mechanisms` strung together.

:func:`step` advances the market by one day. There is no Python loop over people anywhere:
every rule is a vectorised operation on arrays.

The order within a day: ordinary churn; visits (experience, satisfaction); complaints and
recovery for those with a problem; who buys again (and, when customers differ, who lapses);
word of mouth; hearing; acquisition; money.

The day itself (:func:`_day`, looped by :func:`_days`) is compiled by Numba where it is
installed (:mod:`csat.sim._jit`): the same vectorised code, without the Python overhead of its
~150 numpy calls. It calls the very kernels the lessons' mechanisms call (experience,
expectation, satisfaction, classify, complaints, recovery, tally, tell; the costs of
:func:`csat.sim.economics.costs`), never a copy of their formulas. Functions marked ``@jit``
take only arrays, numbers and the Generator, so the compiled and the plain-Python versions draw
the same random numbers in the same order.

The mechanisms are importable from here as well as from :mod:`csat.sim.mechanisms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from csat.sim import _jit
from csat.sim._jit import jit
from csat.sim._replicas import _choice, _poisson1, _sum
from csat.sim.economics import costs
from csat.sim.mechanisms import (
    BASIC,
    DISSATISFIED,
    RESOLVED,
    RESOLVED_QUICKLY,
    SILENT,
    UNRESOLVED,
    VERY_SATISFIED,
    _classify,
    _complaints,
    _expectation,
    _experience,
    _recovery,
    _rules_of_complaints,
    _tally,
    _tell,
    _value,
    classify,
    complaint_probability,
    complaints,
    expectation,
    experience,
    recovery,
    repurchase_probability,
    satisfaction,
    tally,
    tell,
)
from csat.sim.network import Network
from csat.sim.params import Params
from csat.sim.state import (
    CAUSES,
    CUSTOMER,
    DEFECTED,
    NEVER,
    PROSPECT,
    Population,
    churn_probability,
    schedule,
    schedule_each,
    visit_probability,
)

__all__ = [
    "BASIC",
    "COUNT_FIELDS",
    "DISSATISFIED",
    "RESOLVED",
    "RESOLVED_QUICKLY",
    "SILENT",
    "SUM_FIELDS",
    "UNRESOLVED",
    "VERY_SATISFIED",
    "DayConstants",
    "DayEvents",
    "advance",
    "advance_days",
    "classify",
    "complaint_probability",
    "complaints",
    "day_constants",
    "expectation",
    "experience",
    "recovery",
    "repurchase_probability",
    "satisfaction",
    "step",
    "tally",
    "tell",
]

_NATURAL = CAUSES.index("natural")
_SILENT = CAUSES.index("silent")
_NEGATIVE_WOM = CAUSES.index("negative_wom")
_LAPSED = CAUSES.index("lapsed")
_N_CAUSES = len(CAUSES)
_OUTCOME_CAUSE = np.array(
    [CAUSES.index(c) for c in ("silent", "unresolved", "resolved", "resolved_quickly")], np.int8
)
_NO_NETWORK = (np.zeros(1, np.int64), np.zeros(0, np.int32))  # CSR arrays of "no network"


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
    "wom_beyond_contacts",
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
    _WOM_BEYOND,
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
    # The compiled day does not check bounds: everything it indexes is checked here.
    if not isinstance(pop, Population):
        raise ValueError(f"advance_days: pop must be a Population, got {type(pop).__name__}")
    pop.check()
    if network is not None:
        if not isinstance(network, Network):
            raise ValueError(
                f"advance_days: network must be a sim.network.Network or None, got "
                f"{type(network).__name__}"
            )
        if network.n != pop.n:
            raise ValueError(
                f"advance_days: network must have one node per person ({pop.n}), got {network.n}"
            )
    if not isinstance(c, DayConstants):
        raise ValueError(f"advance_days: c must be day_constants(params), got {type(c).__name__}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"advance_days: rng must be a numpy Generator, got {rng!r}")
    for name, value in (("first_day", first_day), ("n_days", n_days), ("customers", customers)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"advance_days: {name} must be an integer >= 0, got {value!r}")
    if customers_start is None:
        customers_start = np.zeros(n_days, np.int64)
    for name, value, dtype, shape in (
        ("counts", counts, np.int64, (n_days, len(COUNT_FIELDS))),
        ("sums", sums, np.float64, (n_days, len(SUM_FIELDS))),
        ("defections", defections, np.int64, (n_days, _N_CAUSES)),
        ("customers_start", customers_start, np.int64, (n_days,)),
    ):
        if not isinstance(value, np.ndarray) or value.dtype != dtype or value.shape != shape:
            got = f"{value.dtype} {value.shape}" if isinstance(value, np.ndarray) else value
            raise ValueError(
                f"advance_days: {name} must be a {np.dtype(dtype)} array of shape {shape}, "
                f"got {got!r}"
            )
    _jit.activate()
    indptr, indices = _NO_NETWORK if network is None else network._csr
    return _days(
        _arrays(pop), indptr, indices, network is not None, c, int(first_day), int(n_days),
        rng, int(customers), counts, sums, defections, customers_start,
    )  # fmt: skip


def _arrays(pop: Population) -> tuple:
    return (
        pop.status, pop.rejected, pop.own_view, pop.satisfaction, pop.next_visit, pop.churn_day,
        pop.joined, pop.left, pop.cause, pop.visits, pop.problems, pop.complaints,
        pop.heard_positive, pop.heard_negative, pop.value, pop.visit_chance, pop.dropout,
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
    told_by_recovered: float
    told_by_dissatisfied: float
    second_hop_positive: float
    second_hop_negative: float
    beyond_contacts: bool
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
    own_visit_chance: bool  # customers differ in how often they visit (Population.visit_chance)
    may_lapse: bool  # customers may lapse after a visit (Population.dropout)


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
        told_by_recovered=float(wom.recovered_tell_count),
        told_by_dissatisfied=float(wom.told_by_dissatisfied),
        second_hop_positive=float(wom.second_hop_positive),
        second_hop_negative=float(wom.second_hop_negative),
        beyond_contacts=params.network.beyond_contacts == "acquaintances",
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
        own_visit_chance=params.customers.visit_shape > 0,
        may_lapse=params.customers.dropout_per_visit > 0,
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
     visits, problems, complaints_, heard_positive, heard_negative, value, visit_chance,
     dropout) = P  # fmt: skip
    n = status.size
    discount = c.yearly_discount ** (-day / 365.0)

    # Ordinary churn.
    churners = np.nonzero(churn_day == day)[0]
    if churners.size:
        _defect(status, left, cause, next_visit, churn_day, churners, _NATURAL, day)
        defections[_NATURAL] += churners.size

    praise = 0
    recovered = 0  # of the praisers, those whose problem was put right
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
        expected = _expectation(c.promise, c.promise_weight, own)
        sat = _value(x - expected, c.loss_aversion, c.curvature)
        own_view[visitors] = own + c.adaptation * (x - own)
        visits[visitors] += 1
        value[visitors] += c.margin_per_visit * discount
        outcome = _classify(sat, c.tolerance)
        delighted = outcome == VERY_SATISFIED
        praise = np.count_nonzero(delighted)
        ev[_VERY_SATISFIED] = praise
        if has_network:
            praisers_visit = visitors[delighted]
        problem = np.nonzero(outcome == DISSATISFIED)[0]
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
            recovered = per_outcome[RESOLVED] + per_outcome[RESOLVED_QUICKLY]
            praise += recovered
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

        # Still customers after today's visit: some lapse for good at their own chance (only
        # when customers may lapse: no draw otherwise); schedule the next visit of the rest.
        again = visitors[status[visitors] == CUSTOMER]
        if c.may_lapse and again.size:
            lapse = rng.random(again.size) < dropout[again]
            gone = again[lapse]
            if gone.size:
                _defect(status, left, cause, next_visit, churn_day, gone, _LAPSED, day)
                defections[_LAPSED] += gone.size
            again = again[~lapse]
        if c.own_visit_chance:
            next_visit[again] = schedule_each(rng, visit_chance[again], day)
        else:
            next_visit[again] = schedule(rng, c.visit, again.size, day)

    # Word of mouth.
    if not has_network:
        if c.told_by_recovered == c.told_by_satisfied:
            pos_mean = c.told_by_satisfied * praise
        else:
            pos_mean = c.told_by_satisfied * (praise - recovered) + c.told_by_recovered * recovered
        n_pos = _poisson1(rng, pos_mean) if praise else 0
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
        warners = np.concatenate((seeds, warners_problem))
        if c.told_by_recovered == c.told_by_satisfied:
            praisers = np.concatenate((praisers_visit, praisers_problem))
            pos_targets, pos_far = _tell(
                indptr, indices, n, praisers, c.told_by_satisfied, c.second_hop_positive,
                c.beyond_contacts, rng,
            )  # fmt: skip
        else:
            pos_visit, far_visit = _tell(
                indptr, indices, n, praisers_visit, c.told_by_satisfied, c.second_hop_positive,
                c.beyond_contacts, rng,
            )  # fmt: skip
            pos_problem, far_problem = _tell(
                indptr, indices, n, praisers_problem, c.told_by_recovered,
                c.second_hop_positive, c.beyond_contacts, rng,
            )  # fmt: skip
            pos_targets = np.concatenate((pos_visit, pos_problem))
            pos_far = far_visit + far_problem
        neg_targets, neg_far = _tell(
            indptr, indices, n, warners, c.told_by_dissatisfied, c.second_hop_negative,
            c.beyond_contacts, rng,
        )  # fmt: skip
        ev[_WOM_BEYOND] = pos_far + neg_far
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
        if c.own_visit_chance:
            next_visit[new] = schedule_each(rng, visit_chance[new], day)
        else:
            next_visit[new] = schedule(rng, c.visit, new.size, day)
        churn_day[new] = schedule(rng, c.churn, new.size, day)
    ev[_NEW] = new.size

    # Money.
    revenue = k * c.revenue_per_visit
    spent = costs(
        new.size, customers, ev[_FRONT_LINE], ev[_HEAD_OFFICE],
        c.acquisition_cost, c.retention_cost, c.complaint_cost, c.escalation_cost,
    )  # fmt: skip
    profit = revenue * c.margin - spent
    money[_REVENUE] = revenue
    money[_COSTS] = spent
    money[_PROFIT] = profit
    money[_DISCOUNTED] = profit * discount


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
