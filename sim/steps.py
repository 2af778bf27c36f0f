"""One simulated day, built from small pure mechanisms.

Each mechanism takes arrays for the people it concerns and a Generator, returns new arrays,
and never modifies its inputs. :func:`step` strings them together for one day. There is no
Python loop over people anywhere: every rule is a vectorised operation on arrays.

The order within a day: ordinary churn; visits (experience, satisfaction); complaints and
recovery for those with a problem; who buys again; word of mouth; hearing; acquisition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analytic import value as value_function
from sim.diffusion import message_adoption_probability
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
_OUTCOME_CAUSE = np.array(
    [CAUSES.index(c) for c in ("silent", "unresolved", "resolved", "resolved_quickly")], np.int8
)


def experience(service: ServiceProfile, k: int, rng: np.random.Generator) -> np.ndarray:
    """Experience of ``k`` visits: the SERVQUAL-weighted mean of five clipped normal draws."""
    q = np.asarray(service.quality)
    s = np.asarray(service.spread)
    draws = np.clip(q + s * rng.standard_normal((k, 5)), 0.0, 10.0)
    return draws @ np.asarray(service.weights)


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
    u = rng.random((2, severity.shape[0]))
    front = u[0] < complaint_probability(cb, severity)
    share_up = cb.head_office / cb.front_line if cb.front_line > 0 else 0.0
    head = front & (u[1] < share_up)
    return front, head


def recovery(
    policy: RecoveryPolicy, complained: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Outcome per problem customer: silent, unresolved, resolved, or resolved quickly."""
    u = rng.random((2, complained.shape[0]))
    resolved = complained & (u[0] < policy.resolution_rate)
    quick = resolved & (u[1] < policy.quick_share)
    out = np.where(complained, UNRESOLVED, SILENT).astype(np.int8)
    out[resolved] = RESOLVED
    out[quick] = RESOLVED_QUICKLY
    return out


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
    """Distinct people hit and how many times, from an array of target indices."""
    if targets.size == 0:
        return targets.astype(np.int64), np.zeros(0, np.int64)
    if n <= 262_144 or targets.size * 20 > n:
        counts = np.bincount(targets, minlength=n)
        idx = np.flatnonzero(counts)
        return idx, counts[idx]
    return np.unique(targets, return_counts=True)


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

    Returns
    -------
    (Population, DayEvents)
    """
    if not inplace:
        pop = pop.copy()
    ev = DayEvents(defections=np.zeros(len(CAUSES), np.int64))
    n = pop.n
    years = day / 365.0
    discount = (1.0 + params.economics.discount_rate) ** -years
    if customers is None:
        customers = int(np.count_nonzero(pop.status == CUSTOMER))

    # Ordinary churn.
    churners = np.flatnonzero(pop.churn_day == day)
    _defect(pop, churners, CAUSES.index("natural"), day)
    ev.defections[CAUSES.index("natural")] += churners.size

    # Visits.
    visitors = np.flatnonzero(pop.next_visit == day)
    k = visitors.size
    ev.visits = k
    x = experience(params.service, k, rng)
    own = pop.own_view[visitors].astype(np.float64)
    expected = expectation(params.expectations, own)
    sat = satisfaction(params.satisfaction, x, expected)
    outcome = classify(params.satisfaction, sat)
    pop.own_view[visitors] = own + params.expectations.adaptation * (x - own)
    pop.visits[visitors] += 1
    ev.very_satisfied = int(np.count_nonzero(outcome == VERY_SATISFIED))
    ev.dissatisfied = int(np.count_nonzero(outcome == DISSATISFIED))
    ev.basically_satisfied = k - ev.very_satisfied - ev.dissatisfied
    ev.expectation_sum = float(expected.sum())
    econ = params.economics
    pop.value[visitors] += econ.revenue_per_visit * econ.margin * discount

    # Complaints and recovery for those with a problem.
    problem = outcome == DISSATISFIED
    who = visitors[problem]
    severity = -sat[problem]
    front, head = complaints(params.complaints, severity, rng)
    handled = recovery(params.recovery, front, rng)
    pop.problems[who] += 1
    pop.complaints[who] += front
    ev.complaints_front_line = int(front.sum())
    ev.complaints_head_office = int(head.sum())
    ev.silent_problems = int(np.count_nonzero(handled == SILENT))
    ev.resolved = int(np.count_nonzero(handled == RESOLVED))
    ev.resolved_quickly = int(np.count_nonzero(handled == RESOLVED_QUICKLY))
    quick = handled == RESOLVED_QUICKLY
    sat[np.flatnonzero(problem)[quick]] += params.recovery.paradox_satisfaction
    pop.satisfaction[visitors] = sat
    ev.satisfaction_sum = float(sat.sum())

    # Who buys again after a problem (draws made whatever the parameters: common random numbers).
    stays = rng.random(who.size) < repurchase_probability(params.recovery, handled)
    leaving = ~stays
    if leaving.any():
        gone = who[leaving]
        cause = _OUTCOME_CAUSE[handled[leaving]]
        _defect(pop, gone, cause, day)
        ev.defections += np.bincount(cause, minlength=len(CAUSES))
    if params.recovery.paradox_loyalty > 0:
        loyal = who[stays & quick]
        pop.churn_day[loyal] = schedule(
            rng, churn_probability(params, params.recovery.paradox_loyalty), loyal.size, start=day
        )

    # Still customers after today's visit: schedule the next one.
    again = visitors[pop.status[visitors] == CUSTOMER]
    pop.next_visit[again] = schedule(rng, visit_probability(params), again.size, start=day)

    # Word of mouth: the very satisfied and the recovered praise, the rest of the unhappy warn.
    wom = params.wom
    praise = int(np.count_nonzero(outcome == VERY_SATISFIED)) + ev.resolved + ev.resolved_quickly
    warn = ev.silent_problems + int(np.count_nonzero(handled == UNRESOLVED))
    n_pos = int(rng.poisson(wom.told_by_satisfied * praise)) if praise else 0
    n_neg = int(rng.poisson(wom.told_by_dissatisfied * warn)) if warn else 0
    n_pos += int(rng.poisson(wom.second_hop_positive * n_pos)) if n_pos else 0
    n_neg += int(rng.poisson(wom.second_hop_negative * n_neg)) if n_neg else 0
    ev.wom_positive, ev.wom_negative = n_pos, n_neg
    pos_idx, pos_k = tally(rng.integers(0, n, n_pos), n)
    neg_idx, neg_k = tally(rng.integers(0, n, n_neg), n)
    pop.heard_positive[pos_idx] += pos_k.astype(np.int32)
    pop.heard_negative[neg_idx] += neg_k.astype(np.int32)

    # Hearing: prospects' views move; bad news can put them off or tip customers into leaving.
    shift = params.expectations.wom_shift
    if shift > 0:
        _shift_views(pop, pos_idx, shift * pos_k)
        _shift_views(pop, neg_idx, -shift * neg_k)
    prospects = (pop.status[neg_idx] == PROSPECT) & ~pop.rejected[neg_idx]
    put_off = prospects & (
        rng.random(neg_idx.size)
        < -np.expm1(neg_k * np.log1p(-min(wom.rejection_per_message, 1 - 1e-12)))
    )
    pop.rejected[neg_idx[put_off]] = True
    ev.prospects_put_off = int(put_off.sum())
    if wom.defection_per_message > 0:
        hit = pop.status[neg_idx] == CUSTOMER
        p_leave = -np.expm1(neg_k * np.log1p(-min(wom.defection_per_message, 1 - 1e-12)))
        tipped = neg_idx[hit & (rng.random(neg_idx.size) < p_leave)]
        _defect(pop, tipped, CAUSES.index("negative_wom"), day)
        ev.defections[CAUSES.index("negative_wom")] += tipped.size

    # Acquisition: the Bass kernel, advertising hits (p) and good word of mouth (imitation).
    dt = 1.0 / 365.0
    # Each person is reached by advertising with chance p·dt: a binomial count, then a random
    # subset (the same as one coin each, without a pass over everyone).
    ads = rng.choice(n, int(rng.binomial(n, min(params.innovation * dt, 1.0))), replace=False)
    ad_new = ads[(pop.status[ads] == PROSPECT) & ~pop.rejected[ads]]
    eligible = (pop.status[pos_idx] == PROSPECT) & ~pop.rejected[pos_idx]
    p_wom = message_adoption_probability(0.0, dt, wom.adoption_per_message, pos_k)
    wom_new = pos_idx[eligible & (rng.random(pos_idx.size) < p_wom)]
    ad_new = np.unique(ad_new) if ad_new.size > 1 else ad_new
    pop.status[ad_new] = CUSTOMER
    wom_new = wom_new[pop.status[wom_new] == PROSPECT]  # not already won by advertising
    pop.status[wom_new] = CUSTOMER
    ev.new_by_word_of_mouth = int(wom_new.size)
    new = np.concatenate([ad_new, wom_new])
    pop.joined[new] = day
    pop.next_visit[new] = schedule(rng, visit_probability(params), new.size, start=day)
    pop.churn_day[new] = schedule(rng, churn_probability(params), new.size, start=day)
    ev.new_customers = int(new.size)

    # Money.
    ev.revenue = k * econ.revenue_per_visit
    ev.costs = (
        ev.new_customers * econ.acquisition_cost
        + customers * econ.retention_cost / 365.0
        + ev.complaints_front_line * econ.complaint_cost
        + ev.complaints_head_office * econ.escalation_cost
    )
    ev.profit = ev.revenue * econ.margin - ev.costs
    ev.discounted_profit = ev.profit * discount
    return pop, ev


def _defect(pop: Population, idx: np.ndarray, cause: int | np.ndarray, day: int) -> None:
    pop.status[idx] = DEFECTED
    pop.left[idx] = day
    pop.cause[idx] = cause
    pop.next_visit[idx] = NEVER
    pop.churn_day[idx] = NEVER


def _shift_views(pop: Population, idx: np.ndarray, amount: np.ndarray) -> None:
    sel = pop.status[idx] == PROSPECT
    i = idx[sel]
    pop.own_view[i] = np.clip(pop.own_view[i] + amount[sel], 0.0, 10.0)
