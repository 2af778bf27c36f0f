"""The model ``csat.sim.run`` simulates, written the way Mesa 3 models are: one agent per person.

Every person is a :class:`Person` agent holding its own state in Python attributes, with one
method per mechanism (ordinary churn, visit, experience, satisfaction, complaint, recovery,
repurchase, telling, hearing, joining). :class:`CustomerModel` activates them with
``self.agents.shuffle_do("step")`` and records daily counts with a ``DataCollector``.

The rules and distributions are those of :mod:`csat.sim.steps`. Where ``sim`` schedules the next
visit or churn day with a geometric gap, an agent tosses a daily coin with the same chance;
the two are the same distribution (the geometric law is memoryless). ``sim`` counts a day's
well-mixed word of mouth, and the acquaintances beyond contacts, as one Poisson draw over all
tellers; here each teller draws its own Poisson count, and a sum of independent Poisson counts
is Poisson with the summed mean.

A day has two phases, as in ``sim``: first every person churns, visits, complains, is
recovered or not, decides whether to buy again and tells others (messages land in the
hearers' inboxes); then every person reads its inbox (bad news may put a prospect off for
good) and prospects consider joining. Nothing an agent does in a phase depends on another
agent's state in the same phase, so activation order does not change the model.
"""

from __future__ import annotations

import math
from dataclasses import fields

import mesa
import numpy as np
from mesa.discrete_space import FixedAgent
from mesa.discrete_space import Network as NetworkSpace

from csat.sim.network import Network, build
from csat.sim.params import Params
from csat.sim.run import Result
from csat.sim.state import (
    CAUSES,
    CUSTOMER,
    DEFECTED,
    NO_CAUSE,
    PROSPECT,
    Population,
    visit_probability,
)
from csat.sim.steps import DayEvents

# Visit outcomes and complaint outcomes, as in sim.steps.
DISSATISFIED, BASIC, VERY_SATISFIED = 0, 1, 2
SILENT, UNRESOLVED, RESOLVED, RESOLVED_QUICKLY = 0, 1, 2, 3
_OUTCOME_CAUSE = ("silent", "unresolved", "resolved", "resolved_quickly")

_COUNTS = [
    f.name
    for f in fields(DayEvents)
    if f.name not in {"defections", "satisfaction_sum", "expectation_sum"}
]


class Person(FixedAgent):
    """One person in the market: a prospect, a customer, or someone who has left.

    On a network the person sits on its own cell, and its contacts are the agents of the
    cell's neighbourhood; in a well-mixed market anyone may hear anyone.
    """

    def __init__(self, model: CustomerModel, own_view: float) -> None:
        super().__init__(model)
        self.status = PROSPECT
        self.rejected = False
        self.own_view = own_view
        self.satisfaction = math.nan
        self.churn = 0.0  # daily chance of ordinary churn while a customer
        self.joined = self.left = -1
        self.cause = NO_CAUSE
        self.visits = self.problems = self.complaints = 0
        self.heard_positive = self.heard_negative = 0
        self.value = 0.0
        self.inbox_positive = self.inbox_negative = 0  # messages heard today

    # Phase 1: churn, visit, complaint, recovery, repurchase, telling.

    def step(self) -> None:
        """A customer's day: ordinary churn first, then perhaps a visit."""
        if self.status != CUSTOMER:
            return
        if self.random.random() < self.churn:
            self.defect("natural")
        elif self.random.random() < self.model.visit_chance:
            self.visit()

    def visit(self) -> None:
        """Experience against expectation; satisfaction; the course's three outcomes."""
        m = self.model
        today = m.today
        e = m.params.expectations
        experienced = self.experience()
        expected = e.promise_weight * e.promise + (1.0 - e.promise_weight) * self.own_view
        sat = self.feel(experienced - expected)
        self.own_view += e.adaptation * (experienced - self.own_view)
        self.visits += 1
        self.value += m.margin_per_visit * m.discount
        today.visits += 1
        today.expectation_sum += expected
        tolerance = m.params.satisfaction.tolerance
        if sat > tolerance:
            today.very_satisfied += 1
            self.tell(positive=True)
        elif sat < -tolerance:
            today.dissatisfied += 1
            sat = self.handle_problem(sat)
        else:
            today.basically_satisfied += 1
        self.satisfaction = sat
        today.satisfaction_sum += sat

    def experience(self) -> float:
        """The SERVQUAL-weighted mean of five normal draws, each clipped to 0–10."""
        service = self.model.params.service
        gauss = self.random.gauss
        total = 0.0
        for q, s, w in zip(service.quality, service.spread, service.weights, strict=True):
            total += w * min(max(gauss(q, s), 0.0), 10.0)
        return total

    def feel(self, disconfirmation: float) -> float:
        """Prospect-theory value: d^α for a surplus, −λ(−d)^α for a shortfall."""
        s = self.model.params.satisfaction
        magnitude = abs(disconfirmation) ** s.curvature
        return magnitude if disconfirmation >= 0 else -s.loss_aversion * magnitude

    def handle_problem(self, sat: float) -> float:
        """Complaint, recovery, word of mouth and the repurchase decision after a problem.

        Returns the satisfaction after recovery (the paradox bonus, if any).
        """
        m = self.model
        today = m.today
        recovery = m.params.recovery
        self.problems += 1
        front, head = self.complain(-sat)
        outcome = self.recover(front)
        self.complaints += front
        today.complaints_front_line += front
        today.complaints_head_office += head
        if outcome == SILENT:
            today.silent_problems += 1
        elif outcome == RESOLVED:
            today.resolved += 1
        elif outcome == RESOLVED_QUICKLY:
            today.resolved_quickly += 1
            sat += recovery.paradox_satisfaction
        self.tell(positive=outcome >= RESOLVED)
        if not self.buys_again(outcome):
            self.defect(_OUTCOME_CAUSE[outcome])
        elif outcome == RESOLVED_QUICKLY and recovery.paradox_loyalty > 0:
            self.churn = m.loyal_churn
        return sat

    def complain(self, severity: float) -> tuple[bool, bool]:
        """Whether the problem is voiced to the front line, and whether it reaches head office."""
        m = self.model
        cb = m.params.complaints
        rel = max(severity, 0.0) / cb.reference_severity
        chance = -math.expm1(rel**cb.severity_elasticity * m.log_keep_quiet)
        front = self.random.random() < chance
        head = front and self.random.random() < m.escalation_share
        return front, head

    def recover(self, complained: bool) -> int:
        """What the firm makes of it: silent, unresolved, resolved, or resolved quickly."""
        if not complained:
            return SILENT
        policy = self.model.params.recovery
        if self.random.random() >= policy.resolution_rate:
            return UNRESOLVED
        return RESOLVED_QUICKLY if self.random.random() < policy.quick_share else RESOLVED

    def buys_again(self, outcome: int) -> bool:
        """Repurchase after a problem, at the chance for its complaint outcome."""
        return self.random.random() < self.model.repurchase[outcome]

    def tell(self, *, positive: bool) -> None:
        """Tell about ``mean`` people; each of them retells it to about ``second hop`` more."""
        wom = self.model.params.wom
        if positive:
            mean, hop = wom.told_by_satisfied, wom.second_hop_positive
        else:
            mean, hop = wom.told_by_dissatisfied, wom.second_hop_negative
        if mean == 0:
            return
        for hearer in self.audience(mean):
            hearer.hear(positive)
            if hop:
                for again in hearer.audience(hop):
                    again.hear(positive)

    def audience(self, mean: float) -> list[Person]:
        """Whom a story told to ``mean`` people on average reaches. Anyone at random, Poisson
        (``mean``) of them, in a well-mixed market; on a network each of the k contacts with a
        coin of chance min(1, mean/k) and, when ``mean`` is more than k and the network lets
        news go beyond contacts, Poisson(mean − k) people drawn from the whole market."""
        people, n = self.model.people, self.model.population
        poisson = self.model.rng.poisson
        if self.cell is None:
            return [people[self.random.randrange(n)] for _ in range(poisson(mean))]
        contacts = list(self.cell.neighborhood.agents)
        k = len(contacts)
        chance = min(1.0, mean / k) if k else 0.0
        told = [c for c in contacts if self.random.random() < chance]
        if mean > k and self.model.params.network.beyond_contacts == "acquaintances":
            told += [people[self.random.randrange(n)] for _ in range(poisson(mean - k))]
        return told

    def hear(self, positive: bool) -> None:
        """A message lands in the inbox; it is read in the second phase of the day."""
        if positive:
            self.inbox_positive += 1
            self.heard_positive += 1
            self.model.today.wom_positive += 1
        else:
            self.inbox_negative += 1
            self.heard_negative += 1
            self.model.today.wom_negative += 1

    # Phase 2: reading the inbox, then joining.

    def respond(self) -> None:
        """Read today's messages, then (a prospect still open to it) consider joining."""
        if self.inbox_positive or self.inbox_negative:
            self.listen()
        if self.status == PROSPECT and not self.rejected:
            self.consider_joining()
        self.inbox_positive = self.inbox_negative = 0

    def listen(self) -> None:
        """News moves a prospect's own view; bad news may put a prospect off for good, or tip
        a customer into leaving."""
        m = self.model
        shift = m.params.expectations.wom_shift
        good, bad = self.inbox_positive, self.inbox_negative
        if shift and self.status == PROSPECT:
            if good:
                self.own_view = min(max(self.own_view + shift * good, 0.0), 10.0)
            if bad:
                self.own_view = min(max(self.own_view - shift * bad, 0.0), 10.0)
        if not bad:
            return
        if self.status == PROSPECT and not self.rejected:
            if self.random.random() < -math.expm1(bad * m.log_keep_rejection):
                self.rejected = True
                m.today.prospects_put_off += 1
        elif (
            self.status == CUSTOMER
            and m.log_keep_defection < 0
            and self.random.random() < -math.expm1(bad * m.log_keep_defection)
        ):
            self.defect("negative_wom")

    def consider_joining(self) -> None:
        """Bass: advertising reaches with chance p·dt; each good message convinces with b."""
        m = self.model
        if self.random.random() < m.ad_reach:
            self.join()
        elif self.inbox_positive:
            p_wom = -math.expm1(self.inbox_positive * m.log_keep_adoption)
            if self.random.random() < p_wom:
                self.join()
                m.today.new_by_word_of_mouth += 1

    # Changes of status.

    def join(self) -> None:
        """Become a customer today; visits and churn start tomorrow."""
        m = self.model
        self.status = CUSTOMER
        self.joined = m.day
        self.churn = m.churn_chance
        m.today.new_customers += 1
        m.customers += 1

    def defect(self, cause: str) -> None:
        """Leave for good, for the given cause."""
        m = self.model
        self.status = DEFECTED
        self.left = m.day
        self.cause = CAUSES.index(cause)
        m.today.defections[self.cause] += 1
        m.customers -= 1
        m.defected += 1


class CustomerModel(mesa.Model):
    """A market of :class:`Person` agents run on a :class:`sim.Params`.

    Parameters
    ----------
    params : sim.Params
        The same parameters ``csat.sim.run`` takes; ``params.network`` says whether the market is
        well mixed or which contact network word of mouth follows.
    network : sim.network.Network, optional
        A ready-made contact network with one node per person; without it the one
        ``params.network`` describes is built with :func:`csat.sim.network.build`.
    rng : int or None, optional
        Seed for the model's random number generators (Mesa's ``self.random`` and
        ``self.rng``). Use an int to reproduce a run.

    Examples
    --------
    >>> import sim
    >>> model = CustomerModel(sim.Params(population=500, days=20), rng=1)
    >>> model.run_model()
    >>> len(model.datacollector.get_model_vars_dataframe())
    20
    """

    def __init__(
        self, params: Params, *, network: Network | None = None, rng: int | None = None
    ) -> None:
        if not isinstance(params, Params):
            raise ValueError(f"CustomerModel: params must be a sim.Params, got {params!r}")
        super().__init__(rng=rng)
        self.seed_value = rng
        self.params = params
        self.population = n = params.population
        self.day = 0
        self.discount = 1.0
        self._constants()

        e = params.expectations
        views = np.clip(self.rng.normal(e.needs, e.needs_spread, n), 0.0, 10.0)
        self.people = [Person(self, float(v)) for v in views]
        k = round(params.initial_customers * n)
        first = self.rng.permutation(n)[:k]
        sp = params.service
        experience_sd = float(np.sqrt(np.sum((np.asarray(sp.weights) * sp.spread) ** 2)))
        keep = math.sqrt(e.adaptation / (2 - e.adaptation)) * experience_sd
        settled = np.clip(self.rng.normal(sp.mean_experience, keep, k), 0.0, 10.0)
        for i, view in zip(first, settled, strict=True):
            person = self.people[i]
            person.status, person.joined, person.churn = CUSTOMER, 0, self.churn_chance
            if e.adaptation > 0:  # day-0 customers' views have adapted to the service
                person.own_view = float(view)
        self.customers, self.defected = k, 0

        spec = params.network
        if network is None:
            network = build(spec.kind, n, spec.mean_degree, rewire=spec.rewire, rng=self.rng)
        self.network = network
        if network is not None:
            self.space = NetworkSpace(network.to_networkx(), capacity=1, random=self.random)
            for i, person in enumerate(self.people):
                person.cell = self.space[i]

        reporters = {
            "customers": "customers",
            "prospects": lambda m: m.population - m.customers - m.defected,
            "defected": "defected",
            "customers_start": "customers_start",
        }
        reporters |= {c: (lambda m, c=c: getattr(m.today, c)) for c in _COUNTS}
        reporters |= {
            f"defected_{cause}": (lambda m, i=i: int(m.today.defections[i]))
            for i, cause in enumerate(CAUSES)
        }
        reporters["mean_satisfaction"] = lambda m: _mean(m.today.satisfaction_sum, m.today.visits)
        reporters["mean_expectation"] = lambda m: _mean(m.today.expectation_sum, m.today.visits)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def _constants(self) -> None:
        """Daily chances and money per visit, derived once from the parameters."""
        p = self.params
        self.visit_chance = -math.expm1(-p.visits_per_year / 365.0)
        self.churn_chance = -math.expm1(-p.natural_churn / 365.0)
        self.loyal_churn = -math.expm1(-p.natural_churn * (1 - p.recovery.paradox_loyalty) / 365)
        self.ad_reach = min(p.innovation / 365.0, 1.0)
        r = p.recovery
        self.repurchase = (
            r.repurchase_silent,
            r.repurchase_unresolved,
            r.repurchase_resolved,
            r.repurchase_quick,
        )
        cb = p.complaints
        self.log_keep_quiet = math.log1p(-min(cb.front_line, 1 - 1e-12))
        self.escalation_share = cb.head_office / cb.front_line if cb.front_line > 0 else 0.0
        self.margin_per_visit = p.economics.revenue_per_visit * p.economics.margin
        wom = p.wom
        self.log_keep_rejection = math.log1p(-min(wom.rejection_per_message, 1 - 1e-12))
        self.log_keep_defection = math.log1p(-min(wom.defection_per_message, 1 - 1e-12))
        self.log_keep_adoption = math.log1p(-min(wom.adoption_per_message, 1 - 1e-15))

    def step(self) -> None:
        """One day: everyone's own day in random order, then inboxes and joining, then money."""
        self.day = day = self.steps - 1
        self.discount = (1.0 + self.params.economics.discount_rate) ** (-day / 365.0)
        self.today = DayEvents(defections=np.zeros(len(CAUSES), np.int64))
        self.customers_start = self.customers
        if day == 0 and self.params.wom.unhappy_seeds:
            self.start_the_story()
        self.agents.shuffle_do("step")
        self.agents.do("respond")
        self.book_money()
        self.datacollector.collect(self)
        if self.steps >= self.params.days:
            self.running = False

    def start_the_story(self) -> None:
        """Day 0: customers with a bad experience leave and warn others before anything else.

        They are picked before the day's ordinary churn (``sim`` lets that go first); a seed
        differs only with the chance of churning on that one day.
        """
        wom = self.params.wom
        current = [a for a in self.people if a.status == CUSTOMER]
        k = min(wom.unhappy_seeds, len(current))
        if wom.unhappy_seeds_by == "degree" and self.network is not None:
            seeds = sorted(current, key=lambda a: -len(a.cell.connections))[:k]
        else:
            seeds = self.random.sample(current, k)
        for person in seeds:
            person.defect("silent")
            person.tell(positive=False)

    def book_money(self) -> None:
        """Revenue and costs of the day."""
        econ, today = self.params.economics, self.today
        today.revenue = today.visits * econ.revenue_per_visit
        today.costs = (
            today.new_customers * econ.acquisition_cost
            + self.customers_start * econ.retention_cost / 365.0
            + today.complaints_front_line * econ.complaint_cost
            + today.complaints_head_office * econ.escalation_cost
        )
        today.profit = today.revenue * econ.margin - today.costs
        today.discounted_profit = today.profit * self.discount

    def result(self) -> Result:
        """The run as a :class:`sim.Result`, so ``.summary()`` computes the same figures."""
        daily = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        money = {"revenue", "costs", "profit", "discounted_profit"}
        for c in daily.columns:
            if c not in money and not c.startswith("mean_"):
                daily[c] = daily[c].astype(np.int64)
        daily.insert(0, "day", np.arange(1, len(daily) + 1))
        people = self.people

        def column(attr: str, dtype) -> np.ndarray:
            return np.array([getattr(a, attr) for a in people], dtype=dtype)

        pop = Population(
            status=column("status", np.int8),
            rejected=column("rejected", bool),
            own_view=column("own_view", np.float32),
            satisfaction=column("satisfaction", np.float32),
            next_visit=np.full(len(people), -1, np.int32),  # agents toss a daily coin instead
            churn_day=np.full(len(people), -1, np.int32),
            joined=column("joined", np.int32),
            left=column("left", np.int32),
            cause=column("cause", np.int8),
            visits=column("visits", np.int32),
            problems=column("problems", np.int32),
            complaints=column("complaints", np.int32),
            heard_positive=column("heard_positive", np.int32),
            heard_negative=column("heard_negative", np.int32),
            value=column("value", np.float64),
            # The reference has customers alike (the default): one visit chance, no lapsing.
            visit_chance=np.full(len(people), visit_probability(self.params), np.float64),
            dropout=np.zeros(len(people), np.float64),
        )
        seed = self.seed_value if isinstance(self.seed_value, int) else None
        return Result(
            params=self.params, seed=seed, population=pop, daily=daily, network=self.network
        )


def _mean(total: float, count: int) -> float:
    return total / count if count else math.nan


def run(params: Params, *, network: Network | None = None, rng: int | None = None) -> Result:
    """Build a :class:`CustomerModel`, run it for ``params.days`` days, return a ``sim.Result``.

    Parameters
    ----------
    params : sim.Params
    network : sim.network.Network, optional
        A ready-made contact network; without it the one ``params.network`` describes.
    rng : int or None, optional
        Seed for the model's random number generators. Use an int to reproduce a run.

    Examples
    --------
    >>> import sim
    >>> res = run(sim.Params(population=500, days=10), rng=2)
    >>> int(res.daily[["customers", "prospects", "defected"]].sum(axis=1).iloc[-1])
    500
    """
    model = CustomerModel(params, network=network, rng=rng)
    model.run_model()
    return model.result()


__all__ = ["CustomerModel", "Person", "run"]
