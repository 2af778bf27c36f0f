"""The population as a struct of numpy arrays: index i is person i in every array."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from csat.sim._jit import compile_as, jit
from csat.sim._rng import as_generator
from csat.sim.params import Params

PROSPECT, CUSTOMER, DEFECTED = 0, 1, 2
STATUS_NAMES = ("prospect", "customer", "defected")

CAUSES = (
    "natural",
    "silent",
    "unresolved",
    "resolved",
    "resolved_quickly",
    "negative_wom",
    "lapsed",
)
"""Why a customer left: ordinary churn (moving, dying, a better offer); after a problem they
never voiced; after a complaint left unresolved; after a resolved complaint; after one resolved
quickly; after hearing bad news from others; lapsed after a visit, with no problem, at their own
per-visit chance (:class:`csat.sim.params.Heterogeneity`; none unless that is switched on).
``lapsed`` comes last so the other causes keep their numbers."""
NO_CAUSE = -1

NEVER = np.iinfo(np.int32).max
"""Day index used for 'no visit scheduled' and 'no churn scheduled'."""


DTYPES = {
    "status": np.int8,
    "rejected": np.bool_,
    "own_view": np.float32,
    "satisfaction": np.float32,
    "next_visit": np.int32,
    "churn_day": np.int32,
    "joined": np.int32,
    "left": np.int32,
    "cause": np.int8,
    "visits": np.int32,
    "problems": np.int32,
    "complaints": np.int32,
    "heard_positive": np.int32,
    "heard_negative": np.int32,
    "value": np.float64,
    "visit_chance": np.float64,
    "dropout": np.float64,
}
"""The dtype of each array of :class:`Population` (the compiled day is compiled for these)."""


@dataclass
class Population:
    """Everyone in the market: customers, prospects and those who left.

    Attributes
    ----------
    status : int8, (n,)
        0 prospect, 1 customer, 2 defected (absorbing).
    rejected : bool, (n,)
        Prospect put off for good by bad word of mouth.
    own_view : float32, (n,)
        The customer's own expectation (0–10), before the firm's promise is mixed in. Day-0
        customers start adapted to the service; prospects start at their needs.
    satisfaction : float32, (n,)
        Satisfaction value of the last visit (NaN before the first).
    next_visit, churn_day : int32, (n,)
        Day of the next visit and of ordinary churn; :data:`NEVER` if none.
    joined, left : int32, (n,)
        Day the person became a customer / left; −1 if not (yet).
    cause : int8, (n,)
        Index into :data:`CAUSES` for those who left, else −1.
    visits, problems, complaints : int32, (n,)
        Counts over the run.
    heard_positive, heard_negative : int32, (n,)
        Word-of-mouth messages heard.
    value : float64, (n,)
        Discounted gross margin the person has brought so far.
    visit_chance : float64, (n,)
        The person's own daily chance of a visit. Everyone's is :func:`visit_probability`
        unless customers differ (``params.customers.visit_shape`` > 0): then a gamma-distributed
        yearly rate per person, drawn on day 0 for everyone (a prospect brings theirs along
        when acquired).
    dropout : float64, (n,)
        The person's own chance of lapsing after each visit: 0 unless
        ``params.customers.dropout_per_visit`` > 0, then beta-distributed per person.
    """

    status: np.ndarray
    rejected: np.ndarray
    own_view: np.ndarray
    satisfaction: np.ndarray
    next_visit: np.ndarray
    churn_day: np.ndarray
    joined: np.ndarray
    left: np.ndarray
    cause: np.ndarray
    visits: np.ndarray
    problems: np.ndarray
    complaints: np.ndarray
    heard_positive: np.ndarray
    heard_negative: np.ndarray
    value: np.ndarray
    visit_chance: np.ndarray
    dropout: np.ndarray

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.status.shape[0])

    def check(self) -> None:
        """Raise ValueError unless every array is one slot per person of its documented dtype
        (:data:`DTYPES`): the compiled day indexes them all with the same person numbers."""
        n = None
        for f in fields(self):
            value = getattr(self, f.name)
            dtype = np.dtype(DTYPES[f.name])
            if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype != dtype:
                got = (
                    f"{value.dtype} of shape {value.shape}"
                    if isinstance(value, np.ndarray)
                    else type(value).__name__
                )
                raise ValueError(f"Population.{f.name} must be a 1-D {dtype} array, got {got}")
            n = value.shape[0] if n is None else n
            if value.shape[0] != n:
                raise ValueError(
                    f"Population.{f.name} must have one slot per person ({n}, as status), "
                    f"got {value.shape[0]}"
                )

    def copy(self) -> Population:
        """A deep copy (every array copied)."""
        return Population(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def counts(self) -> dict[str, int]:
        """People per status."""
        c = np.bincount(self.status, minlength=3)
        return {name: int(c[i]) for i, name in enumerate(STATUS_NAMES)}

    @classmethod
    def initial(cls, params: Params, *, rng: int | np.random.Generator | None = None) -> Population:
        """Day-0 market: a random ``params.initial_customers`` share are customers.

        Parameters
        ----------
        rng : int, numpy.random.Generator or None, optional
            Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
            reproduce a run.

        Examples
        --------
        >>> from csat.sim.params import Params
        >>> Population.initial(Params(population=1_000, initial_customers=0.25), rng=0).counts()
        {'prospect': 750, 'customer': 250, 'defected': 0}
        """
        gen = as_generator(rng)
        n = params.population
        e = params.expectations
        pop = cls(
            status=np.zeros(n, np.int8),
            rejected=np.zeros(n, bool),
            own_view=np.clip(gen.normal(e.needs, e.needs_spread, n), 0, 10).astype(np.float32),
            satisfaction=np.full(n, np.nan, np.float32),
            next_visit=np.full(n, NEVER, np.int32),
            churn_day=np.full(n, NEVER, np.int32),
            joined=np.full(n, -1, np.int32),
            left=np.full(n, -1, np.int32),
            cause=np.full(n, NO_CAUSE, np.int8),
            visits=np.zeros(n, np.int32),
            problems=np.zeros(n, np.int32),
            complaints=np.zeros(n, np.int32),
            heard_positive=np.zeros(n, np.int32),
            heard_negative=np.zeros(n, np.int32),
            value=np.zeros(n, np.float64),
            visit_chance=np.full(n, visit_probability(params), np.float64),
            dropout=np.zeros(n, np.float64),
        )
        k = round(params.initial_customers * n)
        first = gen.permutation(n)[:k]
        pop.status[first] = CUSTOMER
        pop.joined[first] = 0
        h = params.customers
        # Customers who differ: their own rate and dropout chance, drawn for everyone now (only
        # when switched on, so a run with customers alike draws exactly what it always drew).
        if h.visit_shape > 0:
            pop.visit_chance[:] = own_visit_chances(gen, params, n)
        if h.dropout_per_visit > 0:
            pop.dropout[:] = own_dropouts(gen, params, n)
        # Day 0 customers are mid-relationship: their next visit and churn start from today.
        if h.visit_shape > 0:
            pop.next_visit[first] = schedule_each(gen, pop.visit_chance[first], -1)
        else:
            pop.next_visit[first] = schedule(gen, visit_probability(params), k, -1)
        pop.churn_day[first] = schedule(gen, churn_probability(params), k, -1)
        # ...and their own view has long since adapted to what the firm delivers: a moving
        # average of past experiences, centred on the mean experience with the spread such an
        # average keeps. (Newcomers start from their needs and adapt visit by visit.)
        a = e.adaptation
        if a > 0:
            sp = params.service
            experience_sd = float(np.sqrt(np.sum((np.asarray(sp.weights) * sp.spread) ** 2)))
            keep = float(np.sqrt(a / (2 - a))) * experience_sd
            settled = gen.normal(sp.mean_experience, keep, k)
            pop.own_view[first] = np.clip(settled, 0, 10).astype(np.float32)
        return pop


def visit_probability(params: Params) -> float:
    """Daily chance that a customer visits."""
    return float(-np.expm1(-params.visits_per_year / 365.0))


def own_visit_chances(gen: np.random.Generator, params: Params, size: int) -> np.ndarray:
    """Daily visit chances of ``size`` people whose yearly rates are gamma distributed.

    Shape r = ``params.customers.visit_shape``, mean ``params.visits_per_year``: repeat counts
    over a stretch of time are then negative binomial (variance/mean = 1 + mean/r).
    """
    r = params.customers.visit_shape
    rates = gen.gamma(r, params.visits_per_year / r, size)
    return -np.expm1(-rates / 365.0)


def own_dropouts(gen: np.random.Generator, params: Params, size: int) -> np.ndarray:
    """Chances of lapsing after each visit of ``size`` people: Beta(a, b), a + b the
    concentration and a/(a + b) ``params.customers.dropout_per_visit``."""
    h = params.customers
    a = h.dropout_per_visit * h.dropout_concentration
    b = (1.0 - h.dropout_per_visit) * h.dropout_concentration
    return gen.beta(a, b, size)


def churn_probability(params: Params, loyalty_gain: float = 0.0) -> float:
    """Daily chance of ordinary churn, optionally cut by a relative ``loyalty_gain``."""
    return float(-np.expm1(-params.natural_churn * (1.0 - loyalty_gain) / 365.0))


@jit
def schedule(gen, daily_prob, size, start):
    """Days of the next event for ``size`` people, each day having chance ``daily_prob``.

    The gap is geometric (at least one day after ``start``); :data:`NEVER` if the chance is 0
    or the gap is too long to count. A chance so small that the geometric draw saturates
    (numpy returns the largest int64, Numba's compiled draw the smallest) also means never, so
    the compiled day and the plain one store the same day. The compiled day calls this very
    function.
    """
    if daily_prob <= 0.0:
        return np.full(size, NEVER, np.int32)
    gaps = gen.geometric(daily_prob, size)
    gaps = np.where((gaps <= 0) | (gaps >= NEVER), NEVER, gaps)
    return np.minimum(start + gaps, NEVER).astype(np.int32)


def _geometric_each_numpy(gen, probs):
    return gen.geometric(probs)


def _geometric_each_compiled(gen, probs):
    """``gen.geometric(probs)`` for an array of chances, one draw each in order, as numpy does
    (Numba's Generator takes one chance for a whole draw only)."""
    out = np.empty(probs.size, np.int64)
    for i in range(probs.size):
        out[i] = gen.geometric(probs[i])
    return out


_geometric_each = _geometric_each_numpy
compile_as(globals(), "_geometric_each", _geometric_each_compiled)


@jit
def schedule_each(gen, probs, start):
    """:func:`schedule` for people with chances of their own: ``probs[i]`` a day for person i.

    A chance of 0 means never (drawn as a certain event, so that every person takes one draw
    whatever their chance).
    """
    never = probs <= 0.0
    gaps = _geometric_each(gen, np.where(never, 1.0, probs))
    gaps = np.where(never | (gaps <= 0) | (gaps >= NEVER), NEVER, gaps)
    return np.minimum(start + gaps, NEVER).astype(np.int32)
