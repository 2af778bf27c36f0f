"""One simulated day, built from small pure mechanisms.

Each mechanism takes arrays for the people it concerns and a Generator, returns new arrays,
and never modifies its inputs. :func:`step` strings them together for one day. There is no
Python loop over people anywhere: every rule is a vectorised operation on arrays.

The order within a day: ordinary churn; visits (experience, satisfaction); complaints and
recovery for those with a problem; who buys again; word of mouth; hearing; acquisition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim.analytic import value as value_function
from sim.network import Network, sample_contacts
from sim.params import (
    ComplaintBehaviour,
    Expectations,
    Params,
    RecoveryPolicy,
    Satisfaction,
    ServiceProfile,
)
from sim.state import (
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
_EMPTY = np.zeros(0, np.int64)
_OUTCOME_CAUSE = np.array(
    [CAUSES.index(c) for c in ("silent", "unresolved", "resolved", "resolved_quickly")], np.int8
)


def experience(service: ServiceProfile, k: int, rng: np.random.Generator) -> np.ndarray:
    """Experience of ``k`` visits: the SERVQUAL-weighted mean of five clipped normal draws."""
    arrays = (np.asarray(service.quality), np.asarray(service.spread), np.asarray(service.weights))
    return _experience(*arrays, k, rng)


def _experience(
    quality: np.ndarray, spread: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    draws = rng.standard_normal((k, 5))
    # quality + spread * draws, clipped to [0, 10]: in place, without np.clip's Python overhead.
    np.multiply(draws, spread, out=draws)
    np.add(draws, quality, out=draws)
    np.maximum(draws, 0.0, out=draws)
    np.minimum(draws, 10.0, out=draws)
    return draws @ weights


def expectation(expect: Expectations, own_view: np.ndarray) -> np.ndarray:
    """Expectation on the day: the firm's promise mixed with the customer's own view."""
    w = expect.promise_weight
    return w * expect.promise + (1.0 - w) * own_view


def satisfaction(model: Satisfaction, experienced: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Satisfaction value v(d) of disconfirmation d = experience − expectation."""
    return value_function(experienced - expected, model.loss_aversion, model.curvature)


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
    rel = np.maximum(np.asarray(severity, float), 0.0) / cb.reference_severity
    return -np.expm1(
        np.power(rel, cb.severity_elasticity) * np.log1p(-min(cb.front_line, 1 - 1e-12))
    )


def complaints(
    cb: ComplaintBehaviour, severity: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Who complains to the front line, and who of those escalates to head office."""
    return _complaints(cb, severity, rng.random((2, severity.shape[0])))


def _complaints(
    cb: ComplaintBehaviour, severity: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`complaints` from uniforms drawn by the caller, shape ``(2, len(severity))``."""
    front = u[0] < complaint_probability(cb, severity)
    share_up = cb.head_office / cb.front_line if cb.front_line > 0 else 0.0
    head = front & (u[1] < share_up)
    return front, head


def recovery(
    policy: RecoveryPolicy, complained: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Outcome per problem customer: silent, unresolved, resolved, or resolved quickly."""
    return _recovery(policy, complained, rng.random((2, complained.shape[0])))


def _recovery(policy: RecoveryPolicy, complained: np.ndarray, u: np.ndarray) -> np.ndarray:
    """:func:`recovery` from uniforms drawn by the caller, shape ``(2, len(complained))``."""
    resolved = complained & (u[0] < policy.resolution_rate)
    quick = resolved & (u[1] < policy.quick_share)
    # Each stage reached is one step up: SILENT 0, UNRESOLVED 1, RESOLVED 2, RESOLVED_QUICKLY 3.
    return complained.astype(np.int8) + resolved + quick


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
    if targets.size * 20 > n:  # dense: one pass over everyone is cheapest
        counts = np.bincount(targets, minlength=n)
        idx = np.flatnonzero(counts)
        return idx, counts[idx]
    if targets.size == 0:
        return targets.astype(np.int64), np.zeros(0, np.int64)
    t = np.sort(targets)
    first = np.empty(t.size + 1, bool)
    first[0] = first[-1] = True
    np.not_equal(t[1:], t[:-1], out=first[1:-1])
    starts = first.nonzero()[0]
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
        kind; :func:`sim.run` builds it once).

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
    """:func:`step` in place, with the constants ``c`` derived from ``params`` by the caller.

    :func:`sim.run` calls this once a day with ``c = day_constants(params)`` looked up once
    per run: a day of a small market costs little more than its Python-level overhead, and
    hashing ``params`` daily to find the cached constants was a noticeable part of that.
    """
    ev = DayEvents(defections=np.zeros(len(CAUSES), np.int64))
    n = pop.n
    discount = c.yearly_discount ** (-day / 365.0)

    # Ordinary churn.
    churners = (pop.churn_day == day).nonzero()[0]
    if churners.size:
        _defect(pop, churners, _NATURAL, day)
        ev.defections[_NATURAL] += churners.size

    praise = warn = 0
    praisers, warners = [], []  # who, when word of mouth follows a network
    if day == 0 and params.wom.unhappy_seeds:
        # The story's start: customers whose bad experience happens before anything else.
        seeds = _unhappy_seeds(pop, params, network, rng)
        _defect(pop, seeds, _SILENT, day)
        ev.defections[_SILENT] += seeds.size
        warn += seeds.size
        warners.append(seeds)

    # Visits: experience against expectation, satisfaction, the course's three outcomes.
    visitors = (pop.next_visit == day).nonzero()[0]
    k = ev.visits = visitors.size
    if k:
        x = _experience(c.quality, c.spread, c.weights, k, rng)
        own = pop.own_view[visitors].astype(np.float64)
        expected = expectation(params.expectations, own)
        sat = satisfaction(params.satisfaction, x, expected)
        pop.own_view[visitors] = own + params.expectations.adaptation * (x - own)
        pop.visits[visitors] += 1
        pop.value[visitors] += c.margin_per_visit * discount
        # The outcomes of :func:`classify`, without building its array: very satisfied
        # above the zone of tolerance, dissatisfied below it (tolerance >= 0: never both).
        delighted = sat > c.tolerance
        ev.very_satisfied = praise = int(np.count_nonzero(delighted))
        if network is not None:
            praisers.append(visitors[delighted])
        problem = (sat < -c.tolerance).nonzero()[0]
        ev.dissatisfied = problem.size
        ev.basically_satisfied = k - ev.very_satisfied - ev.dissatisfied
        ev.expectation_sum = float(expected.sum())

        # Complaints and recovery for those with a problem, then who buys again.
        if problem.size:
            who = visitors[problem]
            # One batch of uniforms, in the order the mechanisms consume them: two rows for
            # complaints, two for recovery, one for buying again.
            u = rng.random((5, who.size))
            front, head = _complaints(params.complaints, -sat[problem], u[:2])
            handled = _recovery(params.recovery, front, u[2:4])
            pop.problems[who] += 1
            pop.complaints[who] += front
            per_outcome = np.bincount(handled, minlength=4).tolist()
            ev.complaints_front_line = int(np.count_nonzero(front))
            ev.complaints_head_office = int(np.count_nonzero(head))
            ev.silent_problems = per_outcome[SILENT]
            ev.resolved = per_outcome[RESOLVED]
            ev.resolved_quickly = per_outcome[RESOLVED_QUICKLY]
            praise += ev.resolved + ev.resolved_quickly
            warn += ev.silent_problems + per_outcome[UNRESOLVED]
            if network is not None:
                praisers.append(who[handled >= RESOLVED])
                warners.append(who[handled <= UNRESOLVED])
            quick = handled == RESOLVED_QUICKLY
            if params.recovery.paradox_satisfaction:
                sat[problem[quick]] += params.recovery.paradox_satisfaction
            # Drawn whatever the parameters, so runs that differ only in the recovery
            # paradox's satisfaction bonus share their random numbers.
            stays = u[4] < c.repurchase[handled]
            leaving = ~stays
            if leaving.any():
                cause = _OUTCOME_CAUSE[handled[leaving]]
                _defect(pop, who[leaving], cause, day)
                ev.defections += np.bincount(cause, minlength=len(CAUSES))
            if params.recovery.paradox_loyalty > 0:
                loyal = who[stays & quick]
                pop.churn_day[loyal] = schedule(rng, c.loyal_churn, loyal.size, start=day)
        pop.satisfaction[visitors] = sat
        ev.satisfaction_sum = float(sat.sum())

        # Still customers after today's visit: schedule the next one.
        again = visitors[pop.status[visitors] == CUSTOMER]
        pop.next_visit[again] = schedule(rng, c.visit, again.size, start=day)

    # Word of mouth: the very satisfied and the recovered praise, the other unhappy warn.
    wom = params.wom
    if network is None:
        n_pos = int(rng.poisson(wom.told_by_satisfied * praise)) if praise else 0
        n_neg = int(rng.poisson(wom.told_by_dissatisfied * warn)) if warn else 0
        if n_pos and wom.second_hop_positive:
            n_pos += int(rng.poisson(wom.second_hop_positive * n_pos))
        if n_neg and wom.second_hop_negative:
            n_neg += int(rng.poisson(wom.second_hop_negative * n_neg))
        # One draw for both: the same numbers as drawing the good news, then the bad.
        targets = rng.integers(0, n, n_pos + n_neg) if n_pos + n_neg else _EMPTY
        pos_targets, neg_targets = targets[:n_pos], targets[n_pos:]
    else:
        pos_targets = tell(
            network, _join(praisers), wom.told_by_satisfied, wom.second_hop_positive, rng
        )
        neg_targets = tell(
            network, _join(warners), wom.told_by_dissatisfied, wom.second_hop_negative, rng
        )
        n_pos, n_neg = pos_targets.size, neg_targets.size
    ev.wom_positive, ev.wom_negative = n_pos, n_neg
    shift = params.expectations.wom_shift
    if n_pos:
        pos_idx, pos_k = tally(pos_targets, n)
        pop.heard_positive[pos_idx] += pos_k.astype(np.int32)
        if shift:
            _shift_views(pop, pos_idx, shift * pos_k, pop.status[pos_idx] == PROSPECT)
    if n_neg:
        neg_idx, neg_k = tally(neg_targets, n)
        pop.heard_negative[neg_idx] += neg_k.astype(np.int32)
        status = pop.status[neg_idx]
        prospect = status == PROSPECT
        if shift:
            _shift_views(pop, neg_idx, -shift * neg_k, prospect)
        # Bad news can put prospects off for good, or tip customers into leaving.
        open_minded = prospect & ~pop.rejected[neg_idx]
        p_off = -np.expm1(neg_k * c.log_keep_rejection)
        put_off = open_minded & (rng.random(neg_idx.size) < p_off)
        pop.rejected[neg_idx[put_off]] = True
        ev.prospects_put_off = int(np.count_nonzero(put_off))
        if wom.defection_per_message > 0:
            p_leave = -np.expm1(neg_k * c.log_keep_defection)
            tipped = neg_idx[(status == CUSTOMER) & (rng.random(neg_idx.size) < p_leave)]
            _defect(pop, tipped, _NEGATIVE_WOM, day)
            ev.defections[_NEGATIVE_WOM] += tipped.size

    # Acquisition: the Bass kernel 1 − (1 − p·dt)(1 − b)^k. Advertising reaches each person
    # with chance p·dt (a binomial count, then a random subset: the same as one coin each,
    # without a pass over everyone); each good message heard convinces with chance b.
    reached = int(rng.binomial(n, c.ad_reach))
    new = _EMPTY
    if reached:  # choosing no one draws nothing, so skipping the call keeps the stream
        ads = rng.choice(n, reached, replace=False)
        new = ads[(pop.status[ads] == PROSPECT) & ~pop.rejected[ads]]
        pop.status[new] = CUSTOMER
    if n_pos:
        listening = (pop.status[pos_idx] == PROSPECT) & ~pop.rejected[pos_idx]
        # sim.diffusion.message_adoption_probability(0, 1, b, k) = 1 − (1 − b)^k, log(1 − b) cached.
        p_wom = 1.0 - np.exp(pos_k * c.log_keep_adoption)
        wom_new = pos_idx[listening & (rng.random(pos_idx.size) < p_wom)]
        pop.status[wom_new] = CUSTOMER
        ev.new_by_word_of_mouth = wom_new.size
        new = np.concatenate([new, wom_new]) if new.size else wom_new
    if new.size:
        pop.joined[new] = day
        pop.next_visit[new] = schedule(rng, c.visit, new.size, start=day)
        pop.churn_day[new] = schedule(rng, c.churn, new.size, start=day)
    ev.new_customers = new.size

    # Money.
    econ = params.economics
    ev.revenue = k * econ.revenue_per_visit
    ev.costs = (
        ev.new_customers * econ.acquisition_cost
        + customers * econ.retention_cost / 365.0
        + ev.complaints_front_line * econ.complaint_cost
        + ev.complaints_head_office * econ.escalation_cost
    )
    ev.profit = ev.revenue * econ.margin - ev.costs
    ev.discounted_profit = ev.profit * discount
    return ev


@dataclass(frozen=True)
class DayConstants:
    """Per-run numbers derived from the parameters, computed once rather than daily."""

    quality: np.ndarray  # the service profile as arrays, for :func:`experience`
    spread: np.ndarray
    weights: np.ndarray
    tolerance: float
    visit: float
    churn: float
    loyal_churn: float
    ad_reach: float
    repurchase: np.ndarray
    margin_per_visit: float
    yearly_discount: float
    log_keep_rejection: float
    log_keep_defection: float
    log_keep_adoption: float


@lru_cache(maxsize=16)
def day_constants(params: Params) -> DayConstants:
    """The :class:`DayConstants` of ``params`` (cached: hashing ``params`` costs microseconds)."""
    wom = params.wom
    service = params.service
    return DayConstants(
        quality=_read_only(service.quality),
        spread=_read_only(service.spread),
        weights=_read_only(service.weights),
        tolerance=params.satisfaction.tolerance,
        visit=visit_probability(params),
        churn=churn_probability(params),
        loyal_churn=churn_probability(params, params.recovery.paradox_loyalty),
        ad_reach=min(params.innovation / 365.0, 1.0),
        repurchase=_read_only(repurchase_probability(params.recovery, np.arange(4))),
        margin_per_visit=params.economics.revenue_per_visit * params.economics.margin,
        yearly_discount=1.0 + params.economics.discount_rate,
        log_keep_rejection=float(np.log1p(-min(wom.rejection_per_message, 1 - 1e-12))),
        log_keep_defection=float(np.log1p(-min(wom.defection_per_message, 1 - 1e-12))),
        log_keep_adoption=float(np.log1p(-min(wom.adoption_per_message, 1.0 - 1e-15))),
    )


def _read_only(values) -> np.ndarray:
    """An array the cache can hand to every run without one run changing it for the next."""
    out = np.array(values)
    out.flags.writeable = False
    return out


def tell(
    network: Network, tellers: np.ndarray, mean: float, second_hop: float, rng: np.random.Generator
) -> np.ndarray:
    """Who hears a story along the network: each teller tells Poisson(``mean``) distinct
    contacts; each of those retells it to Poisson(``second_hop``) contacts of their own.

    Returns one entry per message heard (a person told twice appears twice).
    """
    if tellers.size == 0 or mean == 0:
        return _EMPTY
    heard, _ = sample_contacts(network, tellers, rng.poisson(mean, tellers.size), rng)
    if second_hop and heard.size:
        again, _ = sample_contacts(network, heard, rng.poisson(second_hop, heard.size), rng)
        heard = np.concatenate([heard, again])
    return heard


def _join(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else _EMPTY


def _unhappy_seeds(
    pop: Population, params: Params, network: Network | None, rng: np.random.Generator
) -> np.ndarray:
    """The customers whose bad experience starts the story on day 0."""
    current = np.flatnonzero(pop.status == CUSTOMER)
    k = min(params.wom.unhappy_seeds, current.size)
    if params.wom.unhappy_seeds_by == "degree" and network is not None:
        degree = network.degree[current]
        return current[np.argsort(-degree, kind="stable")[:k]]
    return rng.choice(current, k, replace=False)


def _defect(pop: Population, idx: np.ndarray, cause: int | np.ndarray, day: int) -> None:
    pop.status[idx] = DEFECTED
    pop.left[idx] = day
    pop.cause[idx] = cause
    pop.next_visit[idx] = NEVER
    pop.churn_day[idx] = NEVER


def _shift_views(
    pop: Population, idx: np.ndarray, amount: np.ndarray, prospect: np.ndarray
) -> None:
    """Move the own view of the prospects among ``idx`` (``prospect``, a mask) by ``amount``."""
    i = idx[prospect]
    view = pop.own_view[i] + amount[prospect]
    np.maximum(view, 0.0, out=view)  # np.clip(view, 0, 10) without its Python overhead
    np.minimum(view, 10.0, out=view)
    pop.own_view[i] = view
