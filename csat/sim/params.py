"""Model parameters: frozen dataclasses, one per concept, validated on construction.

Every field is named after the claim it encodes, carries its allowed range, and is checked
when the object is built (``dataclasses.replace`` re-checks, so parameter sweeps are validated
too). A bad value raises ``ValueError`` naming the class, the field, the allowed range and the
value, e.g. ``Params.days must be a positive integer, got -3``.

Quality, expectation and experience share one scale: points from 0 (dreadful) to 10 (perfect).
Rates "per year" are converted to daily probabilities by the simulator (365 days a year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

SERVQUAL = ("reliability", "responsiveness", "assurance", "empathy", "tangibles")
"""The five SERVQUAL dimensions, in the order customers rank their importance."""

SERVQUAL_WEIGHTS = (0.32, 0.22, 0.19, 0.16, 0.11)
"""Importance weights (100 points shared out), Parasuraman, Berry & Zeithaml (1991)."""

_EPS = 1e-9


def _spec(default: Any, kind: str, lo: float | None = None, hi: float | None = None, **kw: Any):
    """A dataclass field that knows how to validate itself."""
    return field(default=default, metadata={"kind": kind, "lo": lo, "hi": hi, **kw})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(owner: str, name: str, value: Any, meta: dict) -> None:
    kind, lo, hi = meta.get("kind"), meta.get("lo"), meta.get("hi")
    where = f"{owner}.{name}"
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < (lo or 0):
            what = "a positive integer" if lo == 1 else f"an integer >= {lo}"
            raise ValueError(f"{where} must be {what}, got {value!r}")
        if hi is not None and value > hi:
            raise ValueError(f"{where} must be an integer <= {hi}, got {value!r}")
    elif kind == "float":
        if not _is_number(value) or not math.isfinite(value):
            raise ValueError(f"{where} must be a finite number, got {value!r}")
        if lo is not None and hi is not None and not lo <= value <= hi:
            raise ValueError(f"{where} must be in [{lo}, {hi}], got {value!r}")
        if lo is not None and value < lo:
            raise ValueError(f"{where} must be >= {lo}, got {value!r}")
        if hi is not None and value > hi:
            raise ValueError(f"{where} must be <= {hi}, got {value!r}")
    elif kind == "optional_float":
        if value is not None:
            _check(owner, name, value, {**meta, "kind": "float"})
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be True or False, got {value!r}")
    elif kind == "vector":
        size = meta["size"]
        if (
            not isinstance(value, tuple | list)
            or len(value) != size
            or not all(_is_number(v) and math.isfinite(v) for v in value)
        ):
            raise ValueError(f"{where} must be {size} numbers, got {value!r}")
        if any(not lo <= v <= hi for v in value):
            raise ValueError(f"{where} must hold numbers in [{lo}, {hi}], got {value!r}")
    elif kind == "choice":
        if value not in meta["choices"]:
            raise ValueError(f"{where} must be one of {list(meta['choices'])}, got {value!r}")
    elif kind == "nested":
        cls = meta["cls"]
        if not isinstance(value, cls):
            raise ValueError(f"{where} must be a {cls.__name__}, got {value!r}")


def _plain(value: Any) -> Any:
    """A numpy integer or real as the Python int or float it holds; anything else unchanged."""
    if isinstance(value, np.bool_):
        return value  # refused by the checks, as True and False are for numbers
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


class _Validated:
    """Base class: checks every field against the range in its metadata."""

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            kind = f.metadata.get("kind")
            if kind == "vector" and isinstance(value, list | np.ndarray):
                value = tuple(value.tolist() if isinstance(value, np.ndarray) else value)
            # numpy numbers (from a slider, a sweep over np.linspace) count as plain numbers.
            if kind == "vector" and isinstance(value, tuple):
                value = tuple(_plain(v) for v in value)
            elif kind in ("int", "float", "optional_float"):
                value = _plain(value)
            if value is not getattr(self, f.name):
                object.__setattr__(self, f.name, value)
            _check(owner, f.name, value, f.metadata)
        self._check_together()

    def _check_together(self) -> None:
        """Checks that involve more than one field."""


@dataclass(frozen=True, kw_only=True)
class ServiceProfile(_Validated):
    """What the firm delivers: mean quality and spread on the five SERVQUAL dimensions.

    Each visit draws one score per dimension from a normal distribution (clipped to 0–10) and
    weighs them into one experience score.
    """

    quality: tuple[float, ...] = _spec((7.8, 7.8, 7.8, 7.8, 7.8), "vector", 0.0, 10.0, size=5)
    """Mean quality per dimension, 0–10, in the order of :data:`SERVQUAL`."""
    spread: tuple[float, ...] = _spec((1.0, 1.0, 1.0, 1.0, 1.0), "vector", 0.0, 5.0, size=5)
    """Visit-to-visit standard deviation per dimension (how inconsistent the service is)."""
    weights: tuple[float, ...] = _spec(SERVQUAL_WEIGHTS, "vector", 0.0, 1.0, size=5)
    """How much customers care about each dimension; must add up to 1 (default 32/22/19/16/11)."""

    def _check_together(self) -> None:
        total = sum(self.weights)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"ServiceProfile.weights must add up to 1, got {total:g}")

    @property
    def mean_experience(self) -> float:
        """Weighted mean quality (ignoring clipping): the experience an average visit gives."""
        return float(sum(w * q for w, q in zip(self.weights, self.quality, strict=True)))


@dataclass(frozen=True, kw_only=True)
class Expectations(_Validated):
    """Where a customer's expectation comes from: promise, needs, word of mouth, experience.

    Expectation = ``promise_weight`` × promise + (1 − ``promise_weight``) × own view, where the
    own view starts at the customer's needs, moves with word of mouth heard, and after each visit
    moves a share ``adaptation`` of the way towards what was experienced.
    """

    promise: float = _spec(7.5, "float", 0.0, 10.0)
    """What the firm's advertising and staff promise, 0–10."""
    promise_weight: float = _spec(0.5, "float", 0.0, 1.0)
    """Share of the expectation set by the promise; the rest is the customer's own view."""
    needs: float = _spec(7.0, "float", 0.0, 10.0)
    """Mean of what customers need before they hear anything, 0–10."""
    needs_spread: float = _spec(1.0, "float", 0.0, 5.0)
    """Standard deviation of needs across customers."""
    adaptation: float = _spec(0.3, "float", 0.0, 1.0)
    """Share of the gap between experience and own view closed after each visit."""
    wom_shift: float = _spec(0.05, "float", 0.0, 2.0)
    """Points a prospect's own view moves per message heard (up if good news, down if bad)."""


@dataclass(frozen=True, kw_only=True)
class Satisfaction(_Validated):
    """How disconfirmation d = experience − expectation becomes satisfaction.

    The value function of prospect theory: v(d) = d^α for gains, −λ(−d)^α for losses, so
    falling short weighs λ times as much as exceeding. That shortfalls weigh more is shown for
    service customers (Anderson & Sullivan 1993; Mittal, Ross & Baldasare 1998); the default
    λ = 2 and α = 0.88 follow Tversky & Kahneman (1992, λ ≈ 2.25), who measured them in choices
    between money gambles. A visit is *very satisfied* above the zone of tolerance, *dissatisfied*
    below it, and *basically satisfied* inside it.
    """

    loss_aversion: float = _spec(2.0, "float", 1.0, 5.0)
    """λ: how much more a shortfall weighs than an equal surplus (research range 1.5–2.5)."""
    curvature: float = _spec(0.88, "float", 0.1, 1.0)
    """α: diminishing sensitivity (Tversky & Kahneman 1992 median 0.88; 1 = linear)."""
    tolerance: float = _spec(0.5, "float", 0.0, 5.0)
    """Half-width of the zone of tolerance on the satisfaction scale."""


@dataclass(frozen=True, kw_only=True)
class ComplaintBehaviour(_Validated):
    """Who voices a problem: to the front line, and on to head office.

    The shares hold for a problem of ``reference_severity``; bigger problems are voiced more
    often: P(complain) = 1 − (1 − front_line)^((severity / reference_severity)^elasticity).
    Research figures (Goodman/TARP): about 50% complain to the front line, 1–5% reach head office.
    Those count problems of every size, so what a run realises is not ``front_line`` unless
    its problems sit at the reference severity: with these defaults a business whose problems
    are mostly small voices fewer than half. The presets state the research figures as realised
    shares and set these base shares to match (:func:`csat.sim.calibration.base_complaint_shares`).
    """

    front_line: float = _spec(0.50, "float", 0.0, 1.0)
    """Share of customers with a problem of the reference severity who complain to the front
    line (the base share; a preset calibrates it to realise TARP's ~50%, B2B ~75%)."""
    head_office: float = _spec(0.03, "float", 0.0, 1.0)
    """Share of customers with a problem of the reference severity who escalate to head office
    (complainers escalate at head_office / front_line whatever the size; TARP: 1–5%)."""
    severity_elasticity: float = _spec(1.0, "float", 0.0, 5.0)
    """How strongly complaint rates rise with the size of the problem (0 = not at all)."""
    reference_severity: float = _spec(1.0, "float", 0.01, 10.0)
    """Size of shortfall (satisfaction units) at which the shares above hold exactly."""

    def _check_together(self) -> None:
        if self.head_office > self.front_line:
            raise ValueError(
                "ComplaintBehaviour.head_office must be <= front_line "
                f"({self.front_line!r}): escalations start at the front line, "
                f"got {self.head_office!r}"
            )


@dataclass(frozen=True, kw_only=True)
class RecoveryPolicy(_Validated):
    """What the firm does with a complaint, and who buys again afterwards.

    Repurchase shares after a problem from TARP's grocery study (Goodman, via the Washington
    Post 1984): 37% of silent customers, 70% of complainers whose complaint was resolved, 95% if
    it was resolved quickly. The unresolved share is a modelling assumption (below silent).
    """

    resolution_rate: float = _spec(0.6, "float", 0.0, 1.0)
    """Share of complaints resolved to the customer's satisfaction."""
    quick_share: float = _spec(0.5, "float", 0.0, 1.0)
    """Share of resolved complaints resolved quickly."""
    repurchase_silent: float = _spec(0.37, "float", 0.0, 1.0)
    """Share of problem customers who did not complain and still buy again."""
    repurchase_unresolved: float = _spec(0.30, "float", 0.0, 1.0)
    """Share of complainers left unresolved who still buy again (assumption)."""
    repurchase_resolved: float = _spec(0.70, "float", 0.0, 1.0)
    """Share of complainers resolved (not quickly) who buy again."""
    repurchase_quick: float = _spec(0.95, "float", 0.0, 1.0)
    """Share of complainers resolved quickly who buy again."""
    paradox_satisfaction: float = _spec(0.0, "float", 0.0, 5.0)
    """Service recovery paradox: satisfaction bonus after a quick resolution (off by default)."""
    paradox_loyalty: float = _spec(0.0, "float", 0.0, 1.0)
    """Relative cut in later churn after a quick resolution (TARP: up to 0.08; the meta-
    analysis finds no effect on repurchase, so off by default)."""


@dataclass(frozen=True, kw_only=True)
class WordOfMouth(_Validated):
    """Who tells whom, and what hearing does.

    Notable experiences get told: a very satisfied customer tells ``told_by_satisfied`` people
    on average, one whose problem was put right ``told_by_recovered`` (the same unless a preset
    says otherwise), a dissatisfied one ``told_by_dissatisfied`` (TARP: about 2:1). Messages
    land on people drawn at random from the market (well mixed) or on a teller's contacts.
    """

    told_by_dissatisfied: float = _spec(10.0, "float", 0.0, 1000.0)
    """Mean people told after a bad experience (TARP: 9–10)."""
    told_by_satisfied: float = _spec(5.0, "float", 0.0, 1000.0)
    """Mean people told after a very satisfying experience (TARP: 4–5)."""
    told_by_recovered: float | None = _spec(None, "optional_float", 0.0, 1000.0)
    """Mean people told by a complainer whose problem was resolved; None (the default): as
    many as ``told_by_satisfied`` (TARP counted both as satisfied customers). The training
    decks' own figure is 2–5 (:func:`csat.sim.presets.deck_folklore` uses 3.5)."""
    second_hop_negative: float = _spec(0.0, "float", 0.0, 100.0)
    """Mean people each hearer of bad news retells it to (the decks: "20 more")."""
    second_hop_positive: float = _spec(0.0, "float", 0.0, 100.0)
    """Mean people each hearer of good news retells it to."""
    adoption_per_message: float = _spec(0.01, "float", 0.0, 1.0)
    """Chance one good message turns a prospect into a customer (the imitation channel)."""
    rejection_per_message: float = _spec(0.01, "float", 0.0, 1.0)
    """Chance one bad message puts a prospect off for good."""
    defection_per_message: float = _spec(0.0, "float", 0.0, 1.0)
    """Chance one bad message makes an existing customer leave (assumption; off by default)."""
    unhappy_seeds: int = _spec(0, "int", 0, 1_000_000)
    """Customers who have a bad experience on day 0, tell people and leave: the story's start."""
    unhappy_seeds_by: str = _spec("random", "choice", choices=("random", "degree"))
    """How those customers are picked: at random, or the best-connected first ("what if the
    unhappy customer is an influencer?"; same as random in a well-mixed market)."""

    @property
    def recovered_tell_count(self) -> float:
        """Mean people told by a recovered complainer (``told_by_recovered``, or, when that is
        None, ``told_by_satisfied``)."""
        if self.told_by_recovered is None:
            return self.told_by_satisfied
        return self.told_by_recovered


@dataclass(frozen=True, kw_only=True)
class NetworkSpec(_Validated):
    """Who talks to whom. ``well_mixed``: anyone may hear anyone (no network). Otherwise each
    person has contacts in a network of the given kind, and word of mouth travels along them."""

    kind: str = _spec(
        "well_mixed",
        "choice",
        choices=("well_mixed", "ring", "small_world", "scale_free", "random"),
    )
    """Kind of network: well_mixed, ring, small_world, scale_free or random."""
    mean_degree: float = _spec(10.0, "float", 2.0, 1_000.0)
    """Average number of contacts a person has."""
    rewire: float = _spec(0.1, "float", 0.0, 1.0)
    """Small world only: share of a ring's links rewired to random people."""
    beyond_contacts: str = _spec("acquaintances", "choice", choices=("acquaintances", "nobody"))
    """Who else hears a teller who would tell more people than they have contacts.
    ``acquaintances`` (the default): the rest are people drawn from the whole market — the
    weak ties beyond one's close circle through which news travels furthest (Granovetter
    1973) — so every teller tells as many people as ``wom`` says (TARP's counts were asked of
    customers, not of their close circles) and the bad-to-good ratio holds on any network;
    the run counts them (``wom_beyond_contacts``). ``nobody``: a teller's contacts are all they
    can tell, and a small network quietly caps the research counts."""


@dataclass(frozen=True, kw_only=True)
class Economics(_Validated):
    """Money: revenue per visit, margin, acquisition, retention and complaint costs."""

    revenue_per_visit: float = _spec(100.0, "float", 0.0, 1e9)
    """Revenue a visit brings."""
    margin: float = _spec(0.3, "float", 0.0, 1.0)
    """Share of revenue left after the cost of goods and service delivery."""
    acquisition_cost: float = _spec(150.0, "float", 0.0, 1e9)
    """Cost of winning one new customer."""
    retention_cost: float = _spec(30.0, "float", 0.0, 1e9)
    """Cost of keeping one customer for a year (care calls, reminders, loyalty)."""
    complaint_cost: float = _spec(20.0, "float", 0.0, 1e9)
    """Cost of handling one complaint (staff time, goodwill)."""
    escalation_cost: float = _spec(200.0, "float", 0.0, 1e9)
    """Extra cost when a complaint reaches head office."""
    discount_rate: float = _spec(0.10, "float", 0.0, 1.0)
    """Yearly discount rate for lifetime value."""


@dataclass(frozen=True, kw_only=True)
class Heterogeneity(_Validated):
    """How customers differ from one another in how often they buy and how soon they lapse.

    Off by default: every customer visits at ``Params.visits_per_year`` and only the causes of
    the other groups end a relationship. Switched on, each person gets their own daily chance of
    a visit and their own chance of lapsing after each visit, drawn once per person (the Pareto/
    NBD and BG/NBD assumptions): Ehrenberg (1959) for the gamma spread of purchase rates behind
    negative-binomial repeat counts; Fader, Hardie & Lee (2005), "Counting your customers the
    easy way", Marketing Science 24(2), for the beta-geometric dropout. Fitted to the CDNOW
    cohort (2,357 customers, 39 weeks) they give r = 0.243, α = 4.41 weeks, a = 0.793,
    b = 2.43: the ``cd_retailer`` preset.
    """

    visit_shape: float = _spec(0.0, "float", 0.0, 1e6)
    """Gamma shape r of the per-customer visit rates, their mean kept at
    ``Params.visits_per_year`` (coefficient of variation 1/√r). 0 means everyone alike: one rate
    for all, and no draw. Small r, many customers who hardly ever come back (CDNOW: 0.243)."""
    dropout_per_visit: float = _spec(0.0, "float", 0.0, 0.999)
    """Mean of the per-customer chance p of lapsing for good after each visit (p ~ Beta, as in
    BG/NBD; CDNOW: a/(a+b) = 0.246). Lapsed customers leave with the cause ``lapsed``, apart
    from complaint-driven defection and from ordinary churn. 0 means off (no draw)."""
    dropout_concentration: float = _spec(3.219, "float", 1e-3, 1e6)
    """a + b of that Beta: Beta(a, b) with a = mean·concentration, b = (1 − mean)·concentration
    (CDNOW: 0.793 + 2.43 = 3.22). Small, customers differ a lot; large, all near the mean. Read
    only when ``dropout_per_visit`` > 0."""

    def _check_together(self) -> None:
        if 0 < self.visit_shape < 0.01:
            raise ValueError(
                f"Heterogeneity.visit_shape must be 0 (customers alike) or >= 0.01, "
                f"got {self.visit_shape!r}"
            )
        if 0 < self.dropout_per_visit < 1e-4:
            raise ValueError(
                f"Heterogeneity.dropout_per_visit must be 0 (off) or >= 0.0001, "
                f"got {self.dropout_per_visit!r}"
            )

    @property
    def differ(self) -> bool:
        """True when either mechanism is on (the population then carries per-person draws)."""
        return self.visit_shape > 0 or self.dropout_per_visit > 0


@dataclass(frozen=True, kw_only=True)
class Params(_Validated):
    """Everything one simulated business-year needs.

    Examples
    --------
    >>> Params(days=-3)
    Traceback (most recent call last):
    ...
    ValueError: Params.days must be a positive integer, got -3
    >>> Params(population=1_000).population
    1000
    """

    population: int = _spec(10_000, "int", 1, 50_000_000)
    """People in the market: customers and prospects."""
    days: int = _spec(365, "int", 1, 36_500)
    """Days simulated."""
    initial_customers: float = _spec(0.2, "float", 0.0, 1.0)
    """Share of the market who are customers on day 0."""
    visits_per_year: float = _spec(2.0, "float", 0.01, 365.0)
    """How often a customer buys or visits."""
    natural_churn: float = _spec(0.05, "float", 0.0, 10.0)
    """Yearly rate of leaving for reasons the firm does not control (moving, dying, ...)."""
    innovation: float = _spec(0.03, "float", 0.0, 100.0)
    """Bass innovation p per year: prospects won by advertising, not by word of mouth."""
    service: ServiceProfile = field(
        default=None, metadata={"kind": "nested", "cls": ServiceProfile}
    )
    expectations: Expectations = field(
        default=None, metadata={"kind": "nested", "cls": Expectations}
    )
    satisfaction: Satisfaction = field(
        default=None, metadata={"kind": "nested", "cls": Satisfaction}
    )
    complaints: ComplaintBehaviour = field(
        default=None, metadata={"kind": "nested", "cls": ComplaintBehaviour}
    )
    recovery: RecoveryPolicy = field(
        default=None, metadata={"kind": "nested", "cls": RecoveryPolicy}
    )
    wom: WordOfMouth = field(default=None, metadata={"kind": "nested", "cls": WordOfMouth})
    economics: Economics = field(default=None, metadata={"kind": "nested", "cls": Economics})
    network: NetworkSpec = field(default=None, metadata={"kind": "nested", "cls": NetworkSpec})
    customers: Heterogeneity = field(
        default=None, metadata={"kind": "nested", "cls": Heterogeneity}
    )
    """How customers differ (:class:`Heterogeneity`); off by default: everyone alike."""

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.metadata.get("kind") == "nested" and getattr(self, f.name) is None:
                object.__setattr__(self, f.name, f.metadata["cls"]())
        super().__post_init__()

    def _check_together(self) -> None:
        net = self.network
        if net.kind != "well_mixed" and self.population <= net.mean_degree + 1:
            raise ValueError(
                f"Params.population must be > network.mean_degree + 1 "
                f"({net.mean_degree + 1:g}) for a {net.kind} network, got {self.population}"
            )


def with_changes(params: Params, **changes: Any) -> Params:
    """Return a copy of ``params`` with dotted-path changes, validated.

    Examples
    --------
    >>> p = with_changes(Params(), days=30, **{"recovery.resolution_rate": 0.9})
    >>> p.days, p.recovery.resolution_rate
    (30, 0.9)
    """
    from dataclasses import replace

    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for key, value in changes.items():
        head, _, tail = key.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            top[key] = value
    names = {f.name for f in fields(params)}
    for head, sub in nested.items():
        if head not in names:
            raise ValueError(f"Params.{head} is not a parameter group; known: {sorted(names)}")
        group = getattr(params, head)
        known = {f.name for f in fields(group)}
        for k in sub:
            if k not in known:
                raise ValueError(
                    f"{type(group).__name__}.{k} is not a parameter; known: {sorted(known)}"
                )
        top[head] = replace(group, **sub)
    unknown = set(top) - names
    if unknown:
        raise ValueError(f"Params.{sorted(unknown)[0]} is not a parameter; known: {sorted(names)}")
    return replace(params, **top)
