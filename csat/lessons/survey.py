"""A SERVQUAL survey answered by simulated customers, its gap scores, and the gaps model.

:func:`draw` hands a questionnaire to ``n`` customers of a simulated business just after a
visit and returns their answers as a :class:`Survey`. The questionnaire has the shape of the
refined SERVQUAL (Parasuraman, Berry & Zeithaml 1991): 22 items over the five dimensions
(tangibles 4, reliability 5, responsiveness 4, assurance 4, empathy 5), each asked twice on a
7-point scale — what the customer expects and what they perceived — plus a few overall
questions used by the four survey methods of module S3 and an ACSI-style block.

The answering model (every number is a keyword of :func:`draw`)
---------------------------------------------------------------
Quality, expectation and experience share the simulator's 0–10 scale.

1. *Who answers.* Respondents are drawn at random from the day-0 customers of the ``market``
   (by default the business itself), so their expectation is the simulator's own: the promise
   mixed with their own view, which has adapted to what they have lived (:mod:`csat.sim.state`).
2. *The visit.* Each respondent's last visit gives one score per dimension,
   ``q_d + s_d·z`` clipped to 0–10 (``q``, ``s``: the business's :class:`ServiceProfile`),
   exactly as a visit in :func:`csat.sim.steps.experience`. Their experience is the weighted mean,
   their satisfaction ``v(experience − expectation)`` with the simulator's loss aversion, and
   their outcome very satisfied, basically satisfied or dissatisfied. A dissatisfied
   respondent complained to the front line with the chance the simulator uses.
3. *Item answers.* Expectation item: the respondent's expectation (plus an optional offset per
   dimension) plus noise; perception item: their score on the item's dimension plus noise.
   Both are mapped from 0–10 onto 1–7 (``1 + 0.6·x``) and rounded. The simulator has one
   expectation per customer, so by default customers expect the same level on every dimension
   — a simplification (real surveys often find the highest expectations on reliability).
4. *Overall answers.* A five-point rating from the satisfaction value (cut at −3τ, −τ, 0, τ
   with τ the zone of tolerance); "what did you expect / what did you get" on 1–7; the
   dimension they would improve first (the one with the largest weighted shortfall); 100
   importance points shared over the five dimensions (a Dirichlet draw around the business's
   weights); and three 1–10 ACSI items (overall satisfaction, compared with expectations,
   compared with the ideal).

Random numbers are drawn in a fixed order and fixed amounts, so two surveys with the same
seed and the same ``market`` share their respondents and their noise: the difference between
them is the service, not luck (common random numbers).

Examples
--------
>>> from csat import sim
>>> s = draw(sim.presets.get("hotel"), n=200, rng=1)
>>> s.answers.shape, list(s.gap_scores().index)[:2]
((4400, 6), ['reliability', 'responsiveness'])
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from csat import i18n
from csat.lessons import style
from csat.lessons.plots import COLOURS, LABELS
from csat.sim._rng import as_generator
from csat.sim.params import SERVQUAL, SERVQUAL_WEIGHTS, Params, with_changes
from csat.sim.run import Result, run
from csat.sim.state import CUSTOMER, Population
from csat.sim.steps import (
    BASIC,
    DISSATISFIED,
    VERY_SATISFIED,
    classify,
    complaint_probability,
    expectation,
    satisfaction,
)

OUTCOMES = {
    DISSATISFIED: "dissatisfied",
    BASIC: "basically_satisfied",
    VERY_SATISFIED: "very_satisfied",
}

SCALE = 7
"""Points on the SERVQUAL answer scale (1 = strongly disagree … 7 = strongly agree)."""


@dataclass(frozen=True)
class Item:
    """One questionnaire item: an id and its dimension; its wording is the key of the same id
    in catalogue namespace ``survey_items``."""

    id: str
    dimension: str

    def text(self, lang: str = "en") -> str:
        """The item's wording in ``lang``."""
        return i18n.t(f"survey_items.{self.id}", i18n.check(lang, where="lang"))


ITEMS: tuple[Item, ...] = (
    Item("tan1", "tangibles"),
    Item("tan2", "tangibles"),
    Item("tan3", "tangibles"),
    Item("tan4", "tangibles"),
    Item("rel1", "reliability"),
    Item("rel2", "reliability"),
    Item("rel3", "reliability"),
    Item("rel4", "reliability"),
    Item("rel5", "reliability"),
    Item("res1", "responsiveness"),
    Item("res2", "responsiveness"),
    Item("res3", "responsiveness"),
    Item("res4", "responsiveness"),
    Item("ass1", "assurance"),
    Item("ass2", "assurance"),
    Item("ass3", "assurance"),
    Item("ass4", "assurance"),
    Item("emp1", "empathy"),
    Item("emp2", "empathy"),
    Item("emp3", "empathy"),
    Item("emp4", "empathy"),
    Item("emp5", "empathy"),
)
"""22 items in the shape of the refined SERVQUAL (wording written for this course)."""

_ITEM_DIM = np.array([SERVQUAL.index(it.dimension) for it in ITEMS])


class _RatingLabels(Mapping[str, tuple[str, ...]]):
    """Language code → the five labels of the direct rating scale, worst first (catalogue key
    ``survey_tables.rating``)."""

    def __getitem__(self, lang: str) -> tuple[str, ...]:
        if lang not in i18n.LANGUAGES:
            raise KeyError(lang)
        return tuple(i18n.t("survey_tables.rating", lang))

    def __iter__(self) -> Iterator[str]:
        return iter(i18n.LANGUAGES)

    def __len__(self) -> int:
        return len(i18n.LANGUAGES)


RATING_LABELS: Mapping[str, tuple[str, ...]] = _RatingLabels()
"""The five-point direct rating scale (method 1 of the four survey methods), per language."""


def to_scale(x: np.ndarray, points: int) -> np.ndarray:
    """Map 0–10 onto a 1…``points`` answer scale and round: 0 → 1, 10 → ``points``.

    >>> to_scale(np.array([0.0, 5.0, 10.0, 12.0]), 7).tolist()
    [1, 4, 7, 7]
    """
    y = 1.0 + (points - 1) * np.asarray(x, float) / 10.0
    return np.clip(np.rint(y), 1, points).astype(np.int64)


def dimension_label(dim: str, lang: str = "en", both: bool = False) -> str:
    """Name of a SERVQUAL dimension in ``lang`` (catalogue registry ``servqual``); with
    ``both``, its names in every language, in menu order ("Reliability 可靠性").

    >>> dimension_label("empathy", "zh"), dimension_label("empathy", both=True)
    ('移情性', 'Empathy 移情性')
    """
    if dim not in SERVQUAL:
        raise ValueError(f"dimension must be one of {list(SERVQUAL)}, got {dim!r}")
    if both:
        return " ".join(i18n.t(f"servqual.{dim}", code) for code in i18n.codes())
    return i18n.t(f"servqual.{dim}", i18n.check(lang, where="lang"))


@dataclass(frozen=True)
class Survey:
    """What the respondents answered.

    Attributes
    ----------
    params : Params
        The business whose service was rated.
    seed : int or None
    respondents : pandas.DataFrame
        One row per respondent: ``expectation`` and ``experience`` (0–10, what the simulator
        knows but a survey never sees), ``perceived_<dimension>`` (0–10), ``satisfaction`` (the
        value v(d)), ``outcome``, ``complained``, ``rating`` (1–5), ``expected_overall`` and
        ``received_overall`` (1–7), ``improve`` (the dimension to improve first),
        ``points_<dimension>`` (importance, adding up to 100) and ``acsi_satisfaction``,
        ``acsi_expectations``, ``acsi_ideal`` (1–10).
    answers : pandas.DataFrame
        One row per respondent and item: ``respondent``, ``item``, ``dimension``,
        ``expectation`` and ``perception`` (1–7), ``gap`` = perception − expectation.
    """

    params: Params
    seed: int | None
    respondents: pd.DataFrame
    answers: pd.DataFrame

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.respondents)

    def item_scores(self) -> pd.DataFrame:
        """Mean expectation, perception and gap per item, in questionnaire order."""
        g = self.answers.groupby("item", sort=False)[["expectation", "perception", "gap"]].mean()
        g.insert(0, "dimension", [it.dimension for it in ITEMS])
        return g

    def dimension_scores(self, weights: Sequence[float] = SERVQUAL_WEIGHTS) -> pd.DataFrame:
        """Per dimension: mean expectation, perception and gap (over items, then customers),
        the weight, and the weighted gap; rows in the order of :data:`SERVQUAL`."""
        per = (
            self.answers.groupby(["respondent", "dimension"])[["expectation", "perception", "gap"]]
            .mean()
            .groupby("dimension")
            .mean()
            .reindex(list(SERVQUAL))
        )
        per["weight"] = np.asarray(weights, float)
        per["weighted_gap"] = per["gap"] * per["weight"]
        return per

    def gap_scores(self) -> pd.Series:
        """SERVQUAL gap per dimension: perception − expectation, averaged over the dimension's
        items and over respondents (7-point scale; negative = expectations not met)."""
        return self.dimension_scores()["gap"].rename("gap")

    def servqual_score(self, weights: Sequence[float] | str = SERVQUAL_WEIGHTS) -> float:
        """Weighted SERVQUAL score Σ w_d · gap_d.

        ``weights``: five numbers adding up to 1 (default 32/22/19/16/11), or ``"stated"`` to
        weigh each respondent's gaps by their own 100 importance points, then average.
        """
        if isinstance(weights, str):
            if weights != "stated":
                raise ValueError(f"weights must be 5 numbers or 'stated', got {weights!r}")
            gaps = (
                self.answers.groupby(["respondent", "dimension"])["gap"]
                .mean()
                .unstack()
                .reindex(columns=list(SERVQUAL))
                .to_numpy()
            )
            pts = self.respondents[[f"points_{d}" for d in SERVQUAL]].to_numpy() / 100.0
            return float(np.mean(np.sum(gaps * pts, axis=1)))
        w = np.asarray(weights, float)
        if w.shape != (5,) or abs(w.sum() - 1.0) > 1e-6:
            raise ValueError(f"weights must be 5 numbers adding up to 1, got {weights!r}")
        return float(self.gap_scores().to_numpy() @ w)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """:meth:`dimension_scores` with headers and dimension names for a slide, rounded."""
        t = self.dimension_scores().round(2)
        t.index = [dimension_label(d, lang, both=True) for d in t.index]
        heads = _TEXT[i18n.check(lang, where="lang")]
        return t.rename(columns={k: heads[k] for k in t.columns}).rename_axis(heads["dimension"])


def draw(
    params: Params,
    n: int = 300,
    *,
    rng: int | np.random.Generator | None = None,
    market: Params | None = None,
    item_noise: float = 0.6,
    overall_noise: float = 0.3,
    importance_concentration: float = 30.0,
    expectation_offsets: Sequence[float] = (0.0, 0.0, 0.0, 0.0, 0.0),
) -> Survey:
    """Survey ``n`` customers of the business ``params`` right after a visit.

    Parameters
    ----------
    params : Params
        The business whose service is rated (its :class:`ServiceProfile`, satisfaction and
        complaint rules).
    n : int
        Respondents.
    rng : int, numpy.random.Generator or None
        Seed or generator; the same seed gives the same answers.
    market : Params, optional
        Whose customers answer (their expectations). Default: ``params``. Pass your own
        business to rate a competitor through your customers' eyes (benchmarking).
    item_noise : float
        Standard deviation of answer noise on each item, in 0–10 points.
    overall_noise : float
        Standard deviation of answer noise on the overall questions.
    importance_concentration : float
        How closely respondents' 100 importance points follow the business's weights
        (Dirichlet concentration; larger = more agreement).
    expectation_offsets : five floats
        Added to every respondent's expectation on each dimension (0–10 points).

    Returns
    -------
    Survey
    """
    if not isinstance(params, Params):
        raise ValueError(f"draw: params must be a sim.Params, got {type(params).__name__}")
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"draw: n must be a positive integer, got {n!r}")
    offsets = np.asarray(expectation_offsets, float)
    if offsets.shape != (5,) or not np.all(np.isfinite(offsets)):
        raise ValueError(
            f"draw: expectation_offsets must be 5 numbers, got {expectation_offsets!r}"
        )
    for name, value in (("item_noise", item_noise), ("overall_noise", overall_noise)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"draw: {name} must be a number >= 0, got {value!r}")
    if not importance_concentration > 0:
        raise ValueError(
            f"draw: importance_concentration must be > 0, got {importance_concentration!r}"
        )
    seed = int(rng) if isinstance(rng, int | np.integer) and not isinstance(rng, bool) else None
    gen = as_generator(rng)
    market = params if market is None else market

    # 1. Who answers, and what they expect (depends on the market only).
    pop = Population.initial(market, rng=gen)
    pool = np.flatnonzero(pop.status == CUSTOMER)
    if pool.size == 0:
        pool = np.arange(pop.n)
    who = gen.choice(pool, size=n, replace=n > pool.size)
    expected = expectation(market.expectations, pop.own_view[who].astype(np.float64))

    # 2. The visit, as the simulator plays it.
    sp = params.service
    w = np.asarray(sp.weights)
    z = gen.standard_normal((n, 5))
    perceived = np.clip(np.asarray(sp.quality) + np.asarray(sp.spread) * z, 0.0, 10.0)
    experience = perceived @ w
    sat = satisfaction(params.satisfaction, experience, expected)
    outcome = classify(params.satisfaction, sat)
    problem = outcome == DISSATISFIED
    u = gen.random(n)
    complained = problem & (u < complaint_probability(params.complaints, np.maximum(-sat, 0.0)))

    # 3. The 22 items, asked twice.
    exp_dim = expected[:, None] + offsets[None, :]
    exp_items = to_scale(exp_dim[:, _ITEM_DIM] + item_noise * gen.standard_normal((n, 22)), SCALE)
    per_items = to_scale(perceived[:, _ITEM_DIM] + item_noise * gen.standard_normal((n, 22)), SCALE)

    # 4. Overall questions.
    noise = overall_noise * gen.standard_normal((n, 6))
    tol = params.satisfaction.tolerance
    cuts = np.array([-3 * tol, -tol, 0.0, tol])
    rating = 1 + np.sum((sat + noise[:, 0])[:, None] > cuts[None, :], axis=1)
    expected_overall = to_scale(expected + noise[:, 1], SCALE)
    received_overall = to_scale(experience + noise[:, 2], SCALE)
    shortfall = w[None, :] * (exp_dim - perceived)
    improve = np.asarray(SERVQUAL, dtype=object)[np.argmax(shortfall, axis=1)]
    acsi = np.column_stack(
        [
            to_scale(experience + sat + noise[:, 3], 10),
            to_scale(5.0 + 2.0 * sat + noise[:, 4], 10),
            to_scale(experience + noise[:, 5], 10),
        ]
    )
    # Last, because a Dirichlet draw uses a varying amount of randomness.
    points = 100.0 * gen.dirichlet(importance_concentration * w, size=n)

    respondents = pd.DataFrame(
        {
            "expectation": expected,
            "experience": experience,
            **{f"perceived_{d}": perceived[:, i] for i, d in enumerate(SERVQUAL)},
            "satisfaction": sat,
            "outcome": pd.Categorical(
                [OUTCOMES[int(o)] for o in outcome], categories=list(OUTCOMES.values())
            ),
            "complained": complained,
            "rating": rating.astype(np.int64),
            "expected_overall": expected_overall,
            "received_overall": received_overall,
            "improve": pd.Categorical(improve, categories=list(SERVQUAL)),
            **{f"points_{d}": points[:, i] for i, d in enumerate(SERVQUAL)},
            "acsi_satisfaction": acsi[:, 0],
            "acsi_expectations": acsi[:, 1],
            "acsi_ideal": acsi[:, 2],
        }
    ).rename_axis("respondent")
    answers = pd.DataFrame(
        {
            "respondent": np.repeat(np.arange(n), 22),
            "item": np.tile([it.id for it in ITEMS], n),
            "dimension": np.tile([it.dimension for it in ITEMS], n),
            "expectation": exp_items.ravel(),
            "perception": per_items.ravel(),
        }
    )
    answers["gap"] = answers["perception"] - answers["expectation"]
    return Survey(params=params, seed=seed, respondents=respondents, answers=answers)


# ---------------------------------------------------------------------------------------------
# What-ifs on the five dimensions


def with_quality(params: Params, **quality: float) -> Params:
    """``params`` with new mean quality on some dimensions, e.g. ``empathy=9.0``.

    >>> from csat import sim
    >>> with_quality(sim.presets.get("hotel"), empathy=9.5).service.quality[3]
    9.5
    """
    q = list(params.service.quality)
    for dim, value in quality.items():
        if dim not in SERVQUAL:
            raise ValueError(
                f"with_quality: dimension must be one of {list(SERVQUAL)}, got {dim!r}"
            )
        q[SERVQUAL.index(dim)] = float(value)
    return with_changes(params, **{"service.quality": tuple(q)})


def match_one_dimension(
    params: Params, benchmark: Params, *, rng: int = 1, lang: str = "en"
) -> pd.DataFrame:
    """Run a year as is, then once per dimension with that one dimension raised to the
    benchmark's quality; same seed for every run.

    Returns one row per run: the change on that dimension, the weight × change, the share of
    visits that disappoint, the share that delight, customers at the end and profit (¥).
    """
    rows = []
    changes: list[tuple[str, Params, float]] = [("as_is", params, 0.0)]
    for i, dim in enumerate(SERVQUAL):
        up = max(benchmark.service.quality[i], params.service.quality[i])
        changes.append((dim, with_quality(params, **{dim: up}), up - params.service.quality[i]))
    for name, p, delta in changes:
        s = run(p, rng=rng).summary()
        weight = p.service.weights[SERVQUAL.index(name)] if name in SERVQUAL else 0.0
        rows.append(
            {
                "matched": name,
                "quality_gain": round(delta, 2),
                "weight_x_gain": round(weight * delta, 3),
                "share_dissatisfied": float(s["share_dissatisfied"]),
                "share_very_satisfied": float(s["share_very_satisfied"]),
                "customers_end": int(s["customers_end"]),
                "profit": float(s["profit"]),
            }
        )
    out = pd.DataFrame(rows).set_index("matched")
    out.index = [
        _TEXT[lang]["as_is"] if i == "as_is" else dimension_label(i, lang) for i in out.index
    ]
    return out


_MATCH_COLUMNS = {
    "quality_gain": "{:+.1f}",
    "weight_x_gain": "{:.3f}",
    "share_dissatisfied": "{:.1%}",
    "share_very_satisfied": "{:.1%}",
    "customers_end": "{:,.0f}",
    "profit": "{:.2f}",
}
"""The columns of :func:`match_table` and their number formats; headers are the keys of the
same names in catalogue namespace ``survey_tables``."""


def match_table(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`match_one_dimension`'s table as a room reads it: headers in ``lang``, numbers
    formatted (profit in millions)."""
    heads = i18n.table("survey_tables", i18n.check(lang, where="lang"))
    out = pd.DataFrame(index=table.index)
    for col, fmt in _MATCH_COLUMNS.items():
        values = table[col] / 1e6 if col == "profit" else table[col]
        out[heads[col]] = [fmt.format(v) for v in values]
    out.index.name = heads["matched_on"]
    return out


# ---------------------------------------------------------------------------------------------
# Figures

_TEXT = i18n.Namespace("survey")
_TYPOGRAPHY = i18n.Namespace("survey_typography")


def _figure_lang(lang: str) -> str:
    """``lang`` checked, as a figure can draw it (:func:`csat.lessons.style.figure_lang`)."""
    return style.figure_lang(i18n.check(lang, where="lang"))


def gap_chart(
    surveys: Survey | Mapping[str, Survey], *, lang: str = "en", title: str | None = None
) -> Figure:
    """Horizontal bars of the gap per dimension, one colour per survey (at most 3).

    One survey: the title names the biggest shortfall and the weighted score. Two: the title
    names the dimension where the first differs most from the second.
    """
    lang = _figure_lang(lang)
    t = _TEXT[lang]
    if isinstance(surveys, Survey):
        surveys = {"": surveys}
    if not 1 <= len(surveys) <= 3:
        raise ValueError(f"gap_chart: give 1 to 3 surveys, got {len(surveys)}")
    names = list(surveys)
    gaps = pd.DataFrame({k: s.gap_scores() for k, s in surveys.items()})
    colours = ["#2166ac", "#b2182b", "#4d9221"]
    sizes = {"font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14}
    with plt.rc_context(style.rc(lang, *names, **sizes)):
        fig, ax = plt.subplots(figsize=(12, 6.5), layout="constrained")
        y = np.arange(5)[::-1]
        h = 0.8 / len(names)
        for j, name in enumerate(names):
            vals = gaps[name].to_numpy()
            pos = y + 0.4 - h * (j + 0.5)
            ax.barh(pos, vals, height=h * 0.92, color=colours[j], label=name or None)
            for p, v in zip(pos, vals, strict=True):
                ax.text(
                    v + (0.02 if v >= 0 else -0.02),
                    p,
                    f"{v:+.2f}",
                    va="center",
                    ha="left" if v >= 0 else "right",
                    fontsize=13,
                )
        lo = min(-0.3, float(gaps.to_numpy().min()) * 1.35)
        hi = max(0.3, float(gaps.to_numpy().max()) * 1.35)
        ax.set_xlim(lo, hi)
        ax.axvline(0, color="black", lw=1.2)
        ax.set_yticks(y, [_dim_tick(d, lang) for d in SERVQUAL])
        ax.set_xlabel(t["gap_axis"])
        ax.text(-0.02, -0.75, "← " + t["short"], ha="right", fontsize=12, color="#555")
        ax.text(0.02, -0.75, t["beats"] + " →", ha="left", fontsize=12, color="#555")
        ax.set_ylim(-1.0, 4.6)
        if title is None:
            if len(names) == 1:
                s = surveys[names[0]]
                g = gaps[names[0]]
                dim = g.idxmin()
                key = "gap_title_one" if g[dim] < 0 else "gap_title_met"
                title = t[key].format(
                    dim=dimension_label(dim, lang), gap=g[dim], score=s.servqual_score()
                )
            else:
                diff = gaps[names[0]] - gaps[names[1]]
                dim = diff.abs().idxmax()
                lead, other = (names[0], names[1]) if diff[dim] > 0 else (names[1], names[0])
                title = t["gap_title_many"].format(
                    lead=lead, other=other, dim=dimension_label(dim, lang), diff=abs(diff[dim])
                )
        ax.set_title(_wrap(title, "gap_title_width", lang))
        if len(names) > 1:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=len(names), fontsize=13)
        ax.grid(axis="x", alpha=0.3)
    return fig


def _dim_tick(dim: str, lang: str) -> str:
    w = SERVQUAL_WEIGHTS[SERVQUAL.index(dim)]
    return f"{dimension_label(dim, lang)}\n({w:.0%})"


def split_zh(text: str, width: int, lang: str = "zh") -> list[str]:
    """Split text written without spaces (Chinese) into lines of at most about ``width``
    characters: in halves, after a pause mark near the middle where there is one, never inside
    a number or a Latin word, never before a mark that may not start a line. The marks are
    ``lang``'s (catalogue namespace ``survey_typography``: ``pause_marks``, ``no_line_start``).

    >>> split_zh("满意度来自体验与期望之差，而不是绝对的服务水平", 14)
    ['满意度来自体验与期望之差，', '而不是绝对的服务水平']
    """
    if len(text) <= width:
        return [text]
    rules = _TYPOGRAPHY[lang]
    half = len(text) / 2
    pauses = [i + 1 for i, ch in enumerate(text[:-1]) if ch in rules["pause_marks"]]
    pauses = [p for p in pauses if len(text) / 4 <= p <= 3 * len(text) / 4]
    if pauses:
        cut = min(pauses, key=lambda p: abs(p - half))
    else:
        # Between tokens (a number or Latin word is one token), nearest the middle, and never
        # before a mark that may not start a line.
        ends = [m.end() for m in re.finditer(r"[A-Za-z0-9.%+-]+|.", text)][:-1]
        ends = [e for e in ends if text[e] not in rules["no_line_start"]] or [round(half)]
        cut = min(ends, key=lambda e: abs(e - half))
    return split_zh(text[:cut], width, lang) + split_zh(text[cut:], width, lang)


def _wrap(text: str, width: str, lang: str = "en") -> str:
    """Wrap a title as ``lang`` breaks lines (catalogue namespace ``survey_typography``): at
    spaces (names without spaces inside stay whole), or anywhere between characters with
    :func:`split_zh`; ``width`` names the setting that gives the line length in characters."""
    rules = _TYPOGRAPHY[lang]
    chars = int(rules[width])
    if rules["line_breaking"] == "anywhere":
        return "\n".join(split_zh(text, chars, lang))
    return "\n".join(textwrap.wrap(text, chars))


def mix_chart(
    results: Mapping[str, Result], *, lang: str = "en", title: str | None = None
) -> Figure:
    """Stacked horizontal bars: very satisfied / basically satisfied / dissatisfied visits of
    each run over its whole period. Default title: how many times as often the worst
    business disappoints as the best."""
    lang = _figure_lang(lang)
    lab = LABELS[lang]
    t = _TEXT[lang]

    keys = ["very_satisfied", "basically_satisfied", "dissatisfied"]
    shares = {}
    for name, r in results.items():
        s = r.summary()
        shares[name] = [float(s[f"share_{k}"]) for k in keys]
    names = list(results)
    sizes = {"font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14}
    with plt.rc_context(style.rc(lang, *names, **sizes)):
        fig, ax = plt.subplots(figsize=(12, 1.6 + 1.3 * len(names)), layout="constrained")
        y = np.arange(len(names))[::-1]
        left = np.zeros(len(names))
        for k, key in enumerate(keys):
            vals = np.array([shares[nm][k] for nm in names])
            ax.barh(y, vals, left=left, color=COLOURS[key], label=lab[key], height=0.6)
            for yy, lft, v in zip(y, left, vals, strict=True):
                if v > 0.05:
                    ax.text(lft + v / 2, yy, f"{v:.0%}", ha="center", va="center", fontsize=14)
            left += vals
        ax.set_yticks(y, names)
        ax.set_xlim(0, 1)
        ax.set_xlabel(t["share"])
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: f"{v:.0%}"))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, fontsize=13)
        if title is None:
            dis = {nm: shares[nm][2] for nm in names}
            worst, best = max(dis, key=dis.get), min(dis, key=dis.get)
            ratio = dis[worst] / dis[best] if dis[best] > 0 else float("inf")
            title = t["mix_title"].format(worse=worst, ratio=ratio)
        ax.set_title(_wrap(title, "mix_title_width", lang))
    return fig


def gaps_model(*, lang: str = "en") -> Figure:
    """The five service levels as a ladder, with the gaps of Parasuraman, Zeithaml & Berry
    (1985) between them: firm levels below the line, customer levels above."""
    lang = _figure_lang(lang)
    t = _TEXT[lang]
    g = i18n.table("survey_ladder", lang)  # the five levels, and the gaps' labels
    levels = g["levels"]
    # Bottom to top: 1 wants, 2 able, 3 gives | 4 perceives, 5 wanted.
    ys = [0.6, 2.0, 3.4, 5.4, 6.8]
    colours = ["#d1e5f0", "#d1e5f0", "#d1e5f0", "#fddbc7", "#fddbc7"]
    with plt.rc_context(style.rc(lang, **{"font.size": 14})):
        fig, ax = plt.subplots(figsize=(15, 9.5), layout="constrained")
        ax.set_xlim(0, 15)
        ax.set_ylim(-0.2, 8.0)
        ax.axis("off")
        x0, width, hgt = 3.6, 6.6, 0.95
        for y, text, c in zip(ys, levels, colours, strict=True):
            ax.add_patch(
                FancyBboxPatch(
                    (x0, y - hgt / 2),
                    width,
                    hgt,
                    boxstyle="round,pad=0.05,rounding_size=0.15",
                    fc=c,
                    ec="#333",
                    lw=1.5,
                )
            )
            ax.text(x0 + width / 2, y, text, ha="center", va="center", fontsize=14)
        ax.axhline(4.4, xmin=0.02, xmax=0.98, color="#555", ls="--", lw=1.5)
        ax.text(0.3, 4.6, t["customer"] + " ↑", fontsize=16, color="#b2182b")
        ax.text(0.3, 4.0, t["firm"] + " ↓", fontsize=16, color="#2166ac")

        def arrow(a, b, colour, rad=0.0, lw=2.2):
            ax.add_patch(
                FancyArrowPatch(
                    a,
                    b,
                    arrowstyle="<|-|>",
                    mutation_scale=18,
                    color=colour,
                    lw=lw,
                    connectionstyle=f"arc3,rad={rad}",
                )
            )

        xm = x0 + width / 2
        # Gaps 2 and 3 and the perception step, between neighbouring levels.
        arrow((xm, ys[0] + hgt / 2 + 0.03), (xm, ys[1] - hgt / 2 - 0.03), "#2166ac")
        ax.text(xm + 0.2, (ys[0] + ys[1]) / 2, g["g2"], va="center", fontsize=13, color="#2166ac")
        arrow((xm, ys[1] + hgt / 2 + 0.03), (xm, ys[2] - hgt / 2 - 0.03), "#2166ac")
        ax.text(xm + 0.2, (ys[1] + ys[2]) / 2, g["g3"], va="center", fontsize=13, color="#2166ac")
        arrow((xm, ys[2] + hgt / 2 + 0.03), (xm, ys[3] - hgt / 2 - 0.03), "#777", lw=1.6)
        ax.text(xm + 0.2, 4.7, g["gp"], va="center", fontsize=12, color="#777")
        # Gap 5 between perceived and wanted.
        arrow((xm, ys[3] + hgt / 2 + 0.03), (xm, ys[4] - hgt / 2 - 0.03), "#b2182b", lw=3)
        ax.text(xm + 0.2, (ys[3] + ys[4]) / 2, g["g5"], va="center", fontsize=14, color="#b2182b")
        # Gap 1: wanted (top) vs wants to give (bottom), round the left side.
        arrow((x0 - 0.05, ys[4]), (x0 - 0.05, ys[0]), "#542788", rad=0.45)
        ax.text(0.2, 1.9, g["g1"], fontsize=13, color="#542788", va="center")
        # Promises box on the right; gap 4 to delivery, and promises shape expectations.
        px, py = 11.3, 3.4
        ax.add_patch(
            FancyBboxPatch(
                (px, py - 0.55), 3.4, 1.1, boxstyle="round,pad=0.05", fc="#f7f7f7", ec="#333"
            )
        )
        ax.text(px + 1.7, py, g["promise"], ha="center", va="center", fontsize=13)
        arrow((x0 + width + 0.05, ys[2]), (px - 0.05, py), "#e08214")
        ax.text(10.3, 2.55, g["g4"], fontsize=13, color="#e08214", ha="left", va="center")
        ax.add_patch(
            FancyArrowPatch(
                (px + 1.7, py + 0.6),
                (x0 + width + 0.05, ys[4]),
                arrowstyle="-|>",
                mutation_scale=18,
                color="#999",
                lw=1.6,
                ls="--",
                connectionstyle="arc3,rad=0.25",
            )
        )
        ax.set_title(t["ladder_title"], fontsize=18)
    return fig
