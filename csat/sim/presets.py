"""The businesses the course talks about, as ready-made :class:`~csat.sim.params.Params`.

Money is in yuan (¥). Figures are plausible round numbers for teaching, not market data; every
one is a parameter a trainer can change. Service quality is set so that about one visit in
eight disappoints at a dealership, hotel or airline, one in twenty at the hot-pot restaurant and
one in fifty at the B2B supplier (whose customers order monthly). Complaint, recovery and
word-of-mouth defaults follow the research (``science.md``); :func:`folklore` swaps in the
training decks' figures instead.

The complaint figures each business states are what it *realises*: the share of its problems
voiced to the front line and the share reaching head office, counted over the problems it
actually has (:func:`stated_complaint_shares`). Because bigger problems are voiced more often,
these differ from the reference-severity shares the engine reads; :data:`_VOICED` keeps both,
and where a base share was calibrated to a stated figure it comes from
:func:`csat.sim.calibration.base_complaint_shares`.

Examples
--------
>>> names()[:3]
['car_dealer', 'hotel', 'hotpot']
>>> get("hotel", days=30).days
30
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from csat.sim.params import (
    ComplaintBehaviour,
    Economics,
    Expectations,
    Heterogeneity,
    Params,
    ServiceProfile,
    WordOfMouth,
    with_changes,
)

_VOICED: dict[str, tuple[float, float, float, float]] = {
    # business: (share of its problems voiced to the front line, share reaching head office,
    # both realised over the years it simulates; then the front-line and head-office shares at
    # the reference severity that the engine reads). Goodman/TARP: about half of problems reach
    # the front line, 1-5% head office; about 75% for business customers.
    #
    # The hot-pot restaurant and the B2B supplier are calibrated: their problems are mostly
    # small, so the research figures as base shares would realise 44% and 64%. Their bases come
    # from calibration.base_complaint_shares(get(business), front, head) (100,000 problems).
    "hotpot": (0.50, 0.03, 0.555, 0.0333),
    "b2b_supplier": (0.75, 0.05, 0.841, 0.0561),
    # The sales office and the airline realise the research figures with them as base shares
    # (50.6% and 50.3% of 150,000 problems each).
    "sales_office": (0.50, 0.03, 0.50, 0.03),
    "airline": (0.50, 0.03, 0.50, 0.03),
    # The car dealership and the hotel keep the research figures as base shares and state what
    # they realise (measured over 300,000 problems each): "a little under half", as the
    # trainer guide explains. The course's worked figures and answer keys come from their runs.
    "car_dealer": (0.477, 0.029, 0.50, 0.03),
    "hotel": (0.469, 0.028, 0.50, 0.03),
    # The CD retailer's problems are mostly small too (one purchase in fifty disappoints):
    # calibrated with calibration.base_complaint_shares(get("cd_retailer"), 0.50, 0.03).
    "cd_retailer": (0.50, 0.03, 0.588, 0.0353),
}


def _voiced(business: str) -> ComplaintBehaviour:
    """The complaint behaviour of ``business``: its base shares from :data:`_VOICED`."""
    _, _, front, head = _VOICED[business]
    return ComplaintBehaviour(front_line=front, head_office=head)


@dataclass(frozen=True)
class Preset:
    """A named business: its parameters and a line about it in English and Chinese.

    ``playable`` says whether teams may choose it in the capstone (a teaching variant such as
    ``deck_folklore`` is not). Its short label is the catalogue key ``business.<name>``.
    """

    name: str
    en: str
    zh: str
    build: Callable[[], Params]
    playable: bool = True


def _car_dealer() -> Params:
    return Params(
        population=20_000,
        initial_customers=0.3,
        visits_per_year=2.0,
        natural_churn=0.10,
        innovation=0.02,
        service=ServiceProfile(quality=(8.1, 8.3, 8.7, 8.4, 9.0), spread=(1.2, 1.0, 0.8, 0.9, 0.6)),
        expectations=Expectations(promise=7.6, needs=7.2),
        complaints=_voiced("car_dealer"),
        # TARP's car-maker study: bad experiences told to 16 people, good ones to 8.
        wom=WordOfMouth(
            told_by_dissatisfied=16.0, told_by_satisfied=8.0, adoption_per_message=0.004
        ),
        economics=Economics(
            revenue_per_visit=1_500.0,
            margin=0.35,
            acquisition_cost=3_000.0,
            retention_cost=300.0,
            complaint_cost=200.0,
            escalation_cost=2_000.0,
        ),
    )


def _hotel() -> Params:
    return Params(
        population=50_000,
        initial_customers=0.15,
        visits_per_year=3.0,
        natural_churn=0.25,
        innovation=0.05,
        service=ServiceProfile(quality=(8.5, 8.3, 8.6, 8.4, 9.0), spread=(1.0, 1.1, 0.8, 1.0, 0.7)),
        expectations=Expectations(promise=7.8, needs=7.3),
        complaints=_voiced("hotel"),
        wom=WordOfMouth(adoption_per_message=0.006),
        economics=Economics(
            revenue_per_visit=650.0,
            margin=0.35,
            acquisition_cost=250.0,
            retention_cost=40.0,
            complaint_cost=80.0,
            escalation_cost=600.0,
        ),
    )


def _hotpot() -> Params:
    return Params(
        population=30_000,
        initial_customers=0.2,
        visits_per_year=10.0,
        natural_churn=0.30,
        innovation=0.06,
        service=ServiceProfile(quality=(9.1, 8.3, 9.0, 9.5, 9.1), spread=(0.9, 1.4, 0.8, 0.9, 0.8)),
        expectations=Expectations(promise=7.8, needs=7.3),
        complaints=_voiced("hotpot"),
        wom=WordOfMouth(adoption_per_message=0.004),
        economics=Economics(
            revenue_per_visit=320.0,
            margin=0.25,
            acquisition_cost=60.0,
            retention_cost=10.0,
            complaint_cost=30.0,
            escalation_cost=300.0,
        ),
    )


def _sales_office() -> Params:
    return Params(
        population=10_000,
        initial_customers=0.05,
        visits_per_year=4.0,
        natural_churn=0.40,
        innovation=0.08,
        service=ServiceProfile(quality=(8.3, 8.6, 8.2, 8.4, 9.6), spread=(1.2, 1.0, 1.2, 1.0, 0.5)),
        expectations=Expectations(promise=8.0, needs=7.2),
        complaints=_voiced("sales_office"),
        wom=WordOfMouth(adoption_per_message=0.01),
        economics=Economics(
            revenue_per_visit=4_000.0,
            margin=0.5,
            acquisition_cost=2_000.0,
            retention_cost=200.0,
            complaint_cost=300.0,
            escalation_cost=3_000.0,
        ),
    )


def _b2b_supplier() -> Params:
    return Params(
        population=2_000,
        initial_customers=0.25,
        visits_per_year=12.0,
        natural_churn=0.05,
        innovation=0.02,
        service=ServiceProfile(quality=(9.3, 8.9, 9.3, 8.7, 9.1), spread=(0.9, 1.0, 0.7, 0.9, 0.6)),
        expectations=Expectations(promise=7.8, needs=7.4),
        complaints=_voiced("b2b_supplier"),
        wom=WordOfMouth(told_by_dissatisfied=6.0, told_by_satisfied=3.0, adoption_per_message=0.01),
        economics=Economics(
            revenue_per_visit=50_000.0,
            margin=0.2,
            acquisition_cost=80_000.0,
            retention_cost=5_000.0,
            complaint_cost=2_000.0,
            escalation_cost=20_000.0,
        ),
    )


def _airline() -> Params:
    return Params(
        population=100_000,
        initial_customers=0.1,
        visits_per_year=4.0,
        natural_churn=0.30,
        innovation=0.04,
        service=ServiceProfile(quality=(8.2, 8.2, 9.0, 8.4, 8.8), spread=(1.5, 1.2, 0.7, 0.9, 0.7)),
        expectations=Expectations(promise=7.5, needs=7.2),
        complaints=_voiced("airline"),
        wom=WordOfMouth(adoption_per_message=0.004),
        economics=Economics(
            revenue_per_visit=1_200.0,
            margin=0.15,
            acquisition_cost=300.0,
            retention_cost=50.0,
            complaint_cost=100.0,
            escalation_cost=800.0,
        ),
    )


CDNOW = {"r": 0.2426, "alpha_weeks": 4.414, "a": 0.7929, "b": 2.426}
"""BG/NBD parameters of the CDNOW cohort (Fader, Hardie & Lee 2005; ``lifetimes`` refits the
same: r = 0.2426, α = 4.414 weeks, a = 0.7929, b = 2.426)."""


def _cd_retailer() -> Params:
    # Customers who differ, as the CDNOW cohort's BG/NBD fit says: rates gamma(r, α) per week,
    # i.e. a mean of r/α·365/7 = 2.866 purchases a year, and a Beta(a, b) chance of lapsing after
    # each purchase, mean a/(a + b) = 0.246. Lapsing stands for ordinary churn as well (BG/NBD
    # has no other), so natural_churn is 0.
    c = CDNOW
    return Params(
        population=40_000,
        initial_customers=0.25,
        visits_per_year=round(c["r"] / c["alpha_weeks"] * 365 / 7, 3),
        natural_churn=0.0,
        innovation=0.04,
        # About one purchase in fifty disappoints (a scratched disc, a late parcel), so that
        # complaint-driven defection adds little to the lapsing BG/NBD describes.
        service=ServiceProfile(quality=(9.3, 8.9, 9.3, 8.7, 9.1), spread=(0.9, 1.0, 0.7, 0.9, 0.6)),
        expectations=Expectations(promise=7.8, needs=7.4),
        complaints=_voiced("cd_retailer"),
        wom=WordOfMouth(adoption_per_message=0.004),
        economics=Economics(
            revenue_per_visit=250.0,
            margin=0.25,
            acquisition_cost=80.0,
            retention_cost=5.0,
            complaint_cost=20.0,
            escalation_cost=150.0,
        ),
        customers=Heterogeneity(
            visit_shape=c["r"],
            dropout_per_visit=round(c["a"] / (c["a"] + c["b"]), 4),
            dropout_concentration=round(c["a"] + c["b"], 3),
        ),
    )


_FOLKLORE_VOICED = 0.04
"""The decks' share of dissatisfied customers who complain (the same at head office)."""


def folklore(params: Params) -> Params:
    """The training decks' figures applied to a business (course brief C1, C2).

    Only 4% of dissatisfied customers complain, with no difference between the front line and
    head office; 90% of the silent ones never buy again; resolved complainers stay 62% of the
    time (the middle of 54–70%), 95% if resolved quickly; an unhappy customer tells 10 people
    and each of those tells 20 more; a customer whose problem was solved tells 3.5 (2–5). The
    decks give no figure for a very satisfied visit, so those tellers keep the business's own.
    """
    return replace(
        params,
        complaints=ComplaintBehaviour(
            front_line=_FOLKLORE_VOICED, head_office=_FOLKLORE_VOICED, severity_elasticity=0.0
        ),
        recovery=replace(
            params.recovery,
            repurchase_silent=0.10,
            repurchase_unresolved=0.10,
            repurchase_resolved=0.62,
            repurchase_quick=0.95,
        ),
        wom=replace(
            params.wom, told_by_dissatisfied=10.0, told_by_recovered=3.5, second_hop_negative=20.0
        ),
    )


_PRESETS = {
    p.name: p
    for p in [
        Preset(
            "car_dealer",
            "Car dealership (4S store): sales, delivery and after-sales service",
            "汽车4S店：销售、交车与售后服务",
            _car_dealer,
        ),
        Preset(
            "hotel", "Business hotel: stays by frequent travellers", "商务酒店：常旅客入住", _hotel
        ),
        Preset(
            "hotpot",
            "Hot-pot restaurant: frequent visits, queues at peak time",
            "火锅店：高频到店、高峰排队",
            _hotpot,
        ),
        Preset(
            "sales_office",
            "Real-estate sales office: buyers visit several times before they decide",
            "房地产案场：客户多次到访后决策",
            _sales_office,
        ),
        Preset(
            "b2b_supplier",
            "B2B parts supplier: few customers, monthly orders, big tickets",
            "B2B零部件供应商：客户少、按月下单、金额大",
            _b2b_supplier,
        ),
        Preset(
            "airline",
            "Airline: passengers who fly a few times a year",
            "航空公司：每年飞行几次的旅客",
            _airline,
        ),
        Preset(
            "deck_folklore",
            "Car dealership under the training decks' figures (4% complain, 10 + 20 told)",
            "按培训课件数字运行的4S店（4%投诉、告诉10人再传20人）",
            lambda: folklore(_car_dealer()),
            playable=False,
        ),
        Preset(
            "cd_retailer",
            "CD retailer calibrated to the CDNOW data: customers who differ, most never come back",
            "按CDNOW真实数据校准的CD零售商：顾客各不相同，多数不再回头",
            _cd_retailer,
            playable=False,
        ),
    ]
}


def stated_complaint_shares(name: str) -> tuple[float, float]:
    """The shares of problems preset ``name`` voices to the front line and to head office.

    These are realised figures: what a run of the preset counts, problems of every size
    together (the test suite runs every preset to check them).

    >>> stated_complaint_shares("b2b_supplier")
    (0.75, 0.05)
    >>> stated_complaint_shares("deck_folklore")
    (0.04, 0.04)
    """
    if name not in _PRESETS:
        raise ValueError(f"preset must be one of {names()}, got {name!r}")
    if name == "deck_folklore":  # the decks' flat 4%, whatever the size of the problem
        return (_FOLKLORE_VOICED, _FOLKLORE_VOICED)
    front, head, _, _ = _VOICED[name]
    return (front, head)


def names() -> list[str]:
    """Names of the presets, in the course's order."""
    return list(_PRESETS)


def playable() -> list[str]:
    """Names of the presets a capstone team may play, in the course's order.

    >>> "deck_folklore" in playable()
    False
    """
    return [name for name, p in _PRESETS.items() if p.playable]


def get(name: str, **changes: Any) -> Params:
    """The preset ``name`` as Params, with optional changes (dotted names reach into groups).

    Examples
    --------
    >>> get("hotpot", population=1_000, **{"recovery.quick_share": 0.8}).recovery.quick_share
    0.8
    """
    if name not in _PRESETS:
        raise ValueError(f"preset must be one of {names()}, got {name!r}")
    params = _PRESETS[name].build()
    return with_changes(params, **changes) if changes else params


def describe() -> pd.DataFrame:
    """A table of the presets: name, description in English and Chinese, and key figures.

    ``front_line_complaints`` is the share of problems the business voices to the front line
    (:func:`stated_complaint_shares`).
    """
    rows = []
    for p in _PRESETS.values():
        params = p.build()
        rows.append(
            {
                "preset": p.name,
                "description": p.en,
                "说明": p.zh,
                "population": params.population,
                "visits_per_year": params.visits_per_year,
                "revenue_per_visit": params.economics.revenue_per_visit,
                # The share realised over the business's problems, not the base share.
                "front_line_complaints": stated_complaint_shares(p.name)[0],
            }
        )
    return pd.DataFrame(rows).set_index("preset")
