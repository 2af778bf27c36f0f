"""Measuring satisfaction: the four survey methods, importance–performance analysis, the survey
cycle, the ACSI model, an SSI-style index and PP100 — all on answers from
:mod:`csat.lessons.survey`.

Importance–performance analysis (Martilla & James 1977) plots each attribute's importance
against the firm's performance on it and splits the plane at two cut values into four
quadrants, each with an action:

==================  ===================  ====================
importance          performance          quadrant
==================  ===================  ====================
≥ cut (high)        < cut (low)          concentrate here
≥ cut (high)        ≥ cut (high)         keep up the good work
< cut (low)         < cut (low)          low priority
< cut (low)         ≥ cut (high)         possible overkill
==================  ===================  ====================

>>> quadrant([30, 30, 10, 10], [5, 6, 5, 6], importance_cut=20, performance_cut=5.5).tolist()
['concentrate_here', 'keep_up', 'low_priority', 'possible_overkill']
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path
from numpy.typing import ArrayLike

from csat import i18n
from csat.i18n import Namespace
from csat.lessons import style
from csat.lessons.survey import RATING_LABELS, Survey, dimension_label, to_scale
from csat.sim._rng import as_generator
from csat.sim.analytic import acsi
from csat.sim.params import SERVQUAL

QUADRANTS = ("concentrate_here", "keep_up", "low_priority", "possible_overkill")
"""The four IPA quadrants; their names in each language are :func:`quadrant_name`."""

_TEXT = Namespace("measure")
_MORE = Namespace("measure_words")  # quadrant and SSI factor names, added after ``measure``


def quadrant_name(key: str, lang: str) -> str:
    """The name of the IPA quadrant ``key`` (one of :data:`QUADRANTS`) in ``lang``.

    >>> quadrant_name("keep_up", "en")
    'Keep up the good work'
    """
    return _MORE[_check_lang(lang)]["quadrants"][key]


def quadrant(
    importance: ArrayLike, performance: ArrayLike, *, importance_cut: float, performance_cut: float
) -> np.ndarray:
    """IPA quadrant of each attribute (see the module's table; a value on a cut counts as high)."""
    imp = np.asarray(importance, float) >= importance_cut
    perf = np.asarray(performance, float) >= performance_cut
    out = np.where(
        imp,
        np.where(perf, "keep_up", "concentrate_here"),
        np.where(perf, "possible_overkill", "low_priority"),
    )
    return out.astype(object)


def ipa(survey: Survey, *, cuts: str | tuple[float, float] = "mean") -> pd.DataFrame:
    """Importance–performance table of the five SERVQUAL dimensions.

    Importance: mean of the 100 points respondents shared out; performance: mean perception
    (1–7) over the dimension's items. ``cuts``: ``"mean"`` (the means of the five, the usual
    data-centred cross-hairs), ``"midpoint"`` (20 points and the scale's middle, 4) or two
    numbers (importance cut, performance cut). Standard errors come with each mean.
    """
    r = survey.respondents
    per = survey.answers.groupby(["respondent", "dimension"])["perception"].mean().unstack()
    rows = {}
    for d in SERVQUAL:
        pts = r[f"points_{d}"].to_numpy()
        perf = per[d].to_numpy()
        rows[d] = {
            "importance": pts.mean(),
            "importance_se": pts.std(ddof=1) / math.sqrt(len(pts)),
            "performance": perf.mean(),
            "performance_se": perf.std(ddof=1) / math.sqrt(len(perf)),
        }
    t = pd.DataFrame.from_dict(rows, orient="index").rename_axis("dimension")
    if cuts == "mean":
        ic, pc = float(t["importance"].mean()), float(t["performance"].mean())
    elif cuts == "midpoint":
        ic, pc = 20.0, 4.0
    elif isinstance(cuts, tuple) and len(cuts) == 2:
        ic, pc = float(cuts[0]), float(cuts[1])
    else:
        raise ValueError(f"cuts must be 'mean', 'midpoint' or two numbers, got {cuts!r}")
    t["quadrant"] = quadrant(
        t["importance"], t["performance"], importance_cut=ic, performance_cut=pc
    )
    t.attrs["cuts"] = (ic, pc)
    return t


def ipa_table(table: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """:func:`ipa`'s table as a room reads it: dimension names, importance, performance and
    quadrant in ``lang``."""
    _check_lang(lang)
    t = _TEXT[lang]
    out = pd.DataFrame(
        {
            t["col_importance"]: table["importance"].round(1),
            t["col_performance"]: table["performance"].round(2),
            t["col_quadrant"]: [quadrant_name(q, lang) for q in table["quadrant"]],
        }
    )
    out.index = [dimension_label(d, lang, both=True) for d in table.index]
    return out


def ipa_stability(
    params,
    n: int,
    *,
    surveys: int = 20,
    rng: int | np.random.Generator | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Repeat the survey ``surveys`` times with ``n`` respondents and count, per dimension, how
    often it lands in each IPA quadrant (data-centred cuts): a dimension near the cross-hairs
    flips between surveys, a clear one does not."""
    from csat.lessons.survey import draw

    _check_lang(lang)
    gen = as_generator(rng)
    counts = pd.DataFrame(0, index=list(SERVQUAL), columns=list(QUADRANTS))
    for _ in range(surveys):
        table = ipa(draw(params, n=n, rng=gen))
        for d, q in table["quadrant"].items():
            counts.loc[d, q] += 1
    counts.index = [dimension_label(d, lang) for d in counts.index]
    counts.columns = [quadrant_name(q, lang) for q in counts.columns]
    return counts


def _check_lang(lang: str) -> str:
    """``lang`` if the catalogues speak it (a table uses it as given)."""
    return i18n.check(lang, where="lang")


def _figure_lang(lang: str) -> str:
    """The language a figure is drawn in: ``lang``, or English without a Chinese font."""
    return style.figure_lang(_check_lang(lang))


def ipa_chart(table: pd.DataFrame, *, lang: str = "en", title: str | None = None) -> Figure:
    """The IPA quadrant chart of :func:`ipa`'s table: one point per dimension with ±2 standard
    error bars, the cross-hairs at the table's cuts, the quadrant names in the corners."""
    lang = _figure_lang(lang)
    t = _TEXT[lang]
    ic, pc = table.attrs.get("cuts", (20.0, float(table["performance"].mean())))
    colours = {
        "concentrate_here": "#d73027",
        "keep_up": "#1a9850",
        "low_priority": "#878787",
        "possible_overkill": "#fc8d59",
    }
    sizes = {"font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14}
    with plt.rc_context(style.rc(lang, **sizes)):
        fig, ax = plt.subplots(figsize=(11, 8), layout="constrained")
        x = table["performance"].to_numpy()
        y = table["importance"].to_numpy()
        xe = 2 * table["performance_se"].to_numpy()
        ye = 2 * table["importance_se"].to_numpy()
        span_x = max(float(np.max(np.abs(x - pc) + xe)), 0.15) * 1.5
        span_y = max(float(np.max(np.abs(y - ic) + ye)), 4.0) * 1.35
        ax.set_xlim(pc - span_x, pc + span_x)
        ax.set_ylim(ic - span_y, ic + span_y)
        ax.axvline(pc, color="#333", lw=1.2)
        ax.axhline(ic, color="#333", lw=1.2)
        corners = {
            "concentrate_here": (0.02, 0.97, "left", "top"),
            "keep_up": (0.98, 0.97, "right", "top"),
            "low_priority": (0.02, 0.03, "left", "bottom"),
            "possible_overkill": (0.98, 0.03, "right", "bottom"),
        }
        for q, (cx, cy, ha, va) in corners.items():
            ax.text(
                cx,
                cy,
                quadrant_name(q, lang),
                transform=ax.transAxes,
                ha=ha,
                va=va,
                fontsize=15,
                color=colours[q],
                alpha=0.9,
            )
        for d, row in table.iterrows():
            c = colours[row["quadrant"]]
            ax.errorbar(
                row["performance"],
                row["importance"],
                xerr=2 * row["performance_se"],
                yerr=2 * row["importance_se"],
                fmt="o",
                ms=11,
                color=c,
                capsize=4,
                lw=1.5,
            )
            ax.annotate(
                dimension_label(d, lang),
                (row["performance"], row["importance"]),
                xytext=(10, 8),
                textcoords="offset points",
                fontsize=14,
            )
        ax.set_xlabel(t["performance"])
        ax.set_ylabel(t["importance"])
        if title is None:
            hot = [
                dimension_label(d, lang)
                for d in table.index[table["quadrant"] == "concentrate_here"]
            ]
            title = t["ipa_title"].format(dims=t["and"].join(hot)) if hot else t["ipa_none"]
        ax.set_title(title)
        ax.grid(alpha=0.25)
    return fig


def four_methods(survey: Survey, *, lang: str = "en") -> pd.DataFrame:
    """The four survey methods applied to one survey, plus what a complaint log would see.

    One row per method: the question it asks and its headline finding, as text for a slide.
    """
    _check_lang(lang)
    t = _TEXT[lang]
    r = survey.respondents
    problem = r["outcome"] == "dissatisfied"
    n_problem = int(problem.sum())
    complained = int((problem & r["complained"]).sum())
    silent = (n_problem - complained) / n_problem if n_problem else float("nan")
    top = r.loc[problem, "improve"].value_counts().idxmax() if n_problem else SERVQUAL[0]
    hot = ipa(survey)
    hot_dims = [dimension_label(d, lang) for d in hot.index[hot["quadrant"] == "concentrate_here"]]
    gap = r["received_overall"] - r["expected_overall"]
    rows = [
        (t["m1"], t["a1"], t["f1"].format(low=(r["rating"] <= 2).mean(), mean=r["rating"].mean())),
        (t["m2"], t["a2"], t["f2"].format(short=(gap < 0).mean(), gap=gap.mean())),
        (
            t["m3"],
            t["a3"],
            t["f3"].format(problem=problem.mean(), silent=silent, top=dimension_label(top, lang)),
        ),
        (t["m4"], t["a4"], t["f4"].format(dims=t["and"].join(hot_dims) or "—")),
        (t["log"], t["log_asks"], t["log_found"].format(complained=complained, problems=n_problem)),
    ]
    return pd.DataFrame(rows, columns=[t["method"], t["asks"], t["found"]]).set_index(t["method"])


def rating_counts(survey: Survey, *, lang: str = "en") -> pd.Series:
    """How many respondents gave each point of the five-point direct rating."""
    _check_lang(lang)
    counts = survey.respondents["rating"].value_counts().reindex(range(1, 6), fill_value=0)
    counts.index = [f"{i} {RATING_LABELS[lang][i - 1]}" for i in counts.index]
    return counts.rename("respondents")


# ---------------------------------------------------------------------------------------------
# Diagrams


def pdca_cycle(*, lang: str = "en") -> Figure:
    """The survey cycle of the decks (调研—考核—整改—使客户满意—再调研) as a loop of five
    steps around the PDCA idea."""
    lang = _figure_lang(lang)
    t = _TEXT[lang]
    steps = t["pdca_steps"]
    k = len(steps)
    colours = ["#4393c3", "#92c5de", "#f4a582", "#1a9850", "#2166ac"]
    radius, bw, bh = 1.15, 0.7, 0.48
    with plt.rc_context(style.rc(lang, *steps, **{"font.size": 14})):
        fig, ax = plt.subplots(figsize=(10, 8.8), layout="constrained")
        ax.set_xlim(-1.75, 1.75)
        ax.set_ylim(-1.55, 1.6)
        ax.set_aspect("equal")
        ax.axis("off")
        angles = np.pi / 2 - 2 * np.pi * np.arange(k) / k
        for i, (ang, label) in enumerate(zip(angles, steps, strict=True)):
            x, y = radius * np.cos(ang), radius * np.sin(ang)
            ax.add_patch(
                FancyBboxPatch(
                    (x - bw / 2, y - bh / 2),
                    bw,
                    bh,
                    boxstyle="round,pad=0.04,rounding_size=0.1",
                    fc=colours[i],
                    ec="#333",
                    lw=1.4,
                    alpha=0.9,
                )
            )
            ax.text(x, y, label, ha="center", va="center", fontsize=14)
        # Arcs along the circle from one box to the next (clockwise).
        gap = 0.4
        for i in range(k):
            a0, a1 = angles[i] - gap, angles[i] - 2 * np.pi / k + gap
            arc = np.linspace(a0, a1, 30)
            verts = np.column_stack([radius * np.cos(arc), radius * np.sin(arc)])
            ax.add_patch(
                FancyArrowPatch(
                    path=Path(verts), arrowstyle="-|>", mutation_scale=24, color="#444", lw=2.4
                )
            )
        ax.text(0, 0, t["pdca_centre"], ha="center", va="center", fontsize=17, color="#333")
        ax.set_title(t["pdca_title"], fontsize=16)
    return fig


_ACSI_POS = {
    "PQ": (1.2, 3.3),
    "CE": (1.2, 0.5),
    "PV": (4.6, 1.55),
    "ACSI": (8.0, 1.9),
    "CC": (11.4, 3.3),
    "CL": (11.4, 0.5),
}
_ACSI_EDGES = [
    ("CE", "PQ", "+"),
    ("CE", "PV", "+"),
    ("CE", "ACSI", "+"),
    ("PQ", "PV", "+"),
    ("PQ", "ACSI", "+"),
    ("PV", "ACSI", "+"),
    ("ACSI", "CC", "−"),
    ("ACSI", "CL", "+"),
    ("CC", "CL", "±"),
]
_BOX_W, _BOX_H = 2.5, 1.25


def _edge_point(centre, towards, pad=0.12):
    """Where the segment from a box's centre towards a point leaves the box (plus a pad)."""
    (x, y), (tx, ty) = centre, towards
    dx, dy = tx - x, ty - y
    hw, hh = _BOX_W / 2 + pad, _BOX_H / 2 + pad
    f = min(hw / abs(dx) if dx else np.inf, hh / abs(dy) if dy else np.inf)
    return x + f * dx, y + f * dy


def acsi_model(*, lang: str = "en") -> Figure:
    """The ACSI model (Fornell et al. 1996) as a path diagram: expectations, perceived quality
    and perceived value drive satisfaction, which drives complaints (down) and loyalty (up);
    the complaints → loyalty path shows whether complaint handling wins customers back."""
    lang = _figure_lang(lang)
    t = _TEXT[lang]
    nodes = t["acsi_nodes"]
    w, h = _BOX_W, _BOX_H
    fills = {"CE": "#d1e5f0", "PQ": "#d1e5f0", "PV": "#d1e5f0", "ACSI": "#fddbc7"}
    with plt.rc_context(style.rc(lang, **{"font.size": 15})):
        fig, ax = plt.subplots(figsize=(14, 6.5), layout="constrained")
        ax.set_xlim(-0.2, 12.9)
        ax.set_ylim(-0.5, 4.4)
        ax.axis("off")
        for key, (x, y) in _ACSI_POS.items():
            main = key == "ACSI"
            ax.add_patch(
                FancyBboxPatch(
                    (x - w / 2, y - h / 2),
                    w,
                    h,
                    boxstyle="round,pad=0.05,rounding_size=0.3",
                    fc=fills.get(key, "#e6f5d0"),
                    ec="#b2182b" if main else "#333",
                    lw=2.4 if main else 1.4,
                )
            )
            ax.text(x, y, nodes[key], ha="center", va="center", fontsize=15)
        sign_colour = {"+": "#1a9850", "−": "#b2182b", "±": "#762a83"}
        for a, b, sign in _ACSI_EDGES:
            ca, cb = _ACSI_POS[a], _ACSI_POS[b]
            if (a, b) == ("CE", "ACSI"):
                # Round the bottom, under the perceived-value box.
                start, end, rad = (
                    (ca[0] + w / 2 + 0.12, ca[1] - 0.2),
                    (cb[0], cb[1] - h / 2 - 0.12),
                    0.2,
                )
                sx, sy = 4.6, 0.35
            else:
                start, end, rad = _edge_point(ca, cb), _edge_point(cb, ca), 0.0
                mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
                dx, dy = end[0] - start[0], end[1] - start[1]
                norm = float(np.hypot(dx, dy))
                sx, sy = mx - 0.22 * dy / norm, my + 0.22 * dx / norm
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>",
                    mutation_scale=22,
                    color="#444",
                    lw=2.0,
                    connectionstyle=f"arc3,rad={rad}",
                )
            )
            ax.text(sx, sy, sign, fontsize=20, ha="center", va="center", color=sign_colour[sign])
        ax.set_title(t["acsi_title"], fontsize=16)
    return fig


def acsi_index(survey: Survey, weights: Sequence[float] | None = None) -> float:
    """ACSI-style index 0–100 from the survey's three 1–10 items (overall satisfaction,
    compared with expectations, compared with the ideal): 100 Σ w_i (x̄_i − 1)/9, equal weights
    unless given (the ACSI's own weights are estimated per industry and not published)."""
    r = survey.respondents
    x = r[["acsi_satisfaction", "acsi_expectations", "acsi_ideal"]].to_numpy(float)
    return float(acsi(x.mean(axis=0), weights))


# ---------------------------------------------------------------------------------------------
# J.D. Power-style indices


SSI_FACTORS: dict[str, dict] = {
    "delivery_process": {
        "weight": 0.25,
        "dims": ("reliability", "empathy"),
    },
    "delivery_timing": {
        "weight": 0.15,
        "dims": ("reliability",),
    },
    "dealer_facility": {
        "weight": 0.14,
        "dims": ("tangibles",),
    },
    "deal": {"weight": 0.12, "dims": ("assurance",)},
    "salesperson": {
        "weight": 0.12,
        "dims": ("assurance", "empathy"),
    },
    "paperwork": {
        "weight": 0.12,
        "dims": ("responsiveness", "reliability"),
    },
    "sales_initiation": {
        "weight": 0.10,
        "dims": ("responsiveness",),
    },
}
"""The seven sales-satisfaction factors with the weights one deck gives (25/15/14/12/12/12/10)
and, for the simulation, the SERVQUAL dimensions each factor's rating is drawn from (a
teaching assumption, not J.D. Power's); their names are :func:`ssi_factor_name`."""


def ssi_factor_name(key: str, lang: str) -> str:
    """The name of the SSI factor ``key`` (one of :data:`SSI_FACTORS`) in ``lang``.

    >>> ssi_factor_name("paperwork", "en")
    'Paperwork'
    """
    return _MORE[_check_lang(lang)]["ssi_factors"][key]


def ssi_answers(
    survey: Survey, *, rng: int | np.random.Generator | None = None, noise: float = 0.6
) -> pd.DataFrame:
    """Each respondent's 1–10 rating of the seven SSI factors: the mean of their perceived
    quality on the factor's SERVQUAL dimensions, plus noise, mapped onto 1–10."""
    gen = as_generator(rng)
    r = survey.respondents
    out = {}
    for key, f in SSI_FACTORS.items():
        base = r[[f"perceived_{d}" for d in f["dims"]]].to_numpy().mean(axis=1)
        out[key] = to_scale(base + noise * gen.standard_normal(len(r)), 10)
    return pd.DataFrame(out, index=r.index)


def ssi_table(answers: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """Per factor: weight, mean rating, factor index 1000·(mean − 1)/9 and its weighted points;
    the SSI-style total is the sum of the last column (a 1,000-point scale)."""
    _check_lang(lang)
    t = _TEXT[lang]
    rows = []
    for key, f in SSI_FACTORS.items():
        mean = float(answers[key].mean())
        index = 1000.0 * (mean - 1.0) / 9.0
        rows.append(
            {
                t["ssi_factor"]: ssi_factor_name(key, lang),
                t["ssi_weight"]: f["weight"],
                t["ssi_dims"]: " + ".join(dimension_label(d, lang) for d in f["dims"]),
                t["ssi_mean"]: round(mean, 2),
                t["ssi_index"]: round(index),
                t["ssi_contribution"]: round(f["weight"] * index, 1),
            }
        )
    return pd.DataFrame(rows).set_index(t["ssi_factor"])


def ssi_score(answers: pd.DataFrame) -> float:
    """SSI-style index on a 1,000-point scale: Σ weight × 1000·(mean rating − 1)/9."""
    return float(
        sum(f["weight"] * 1000.0 * (answers[k].mean() - 1.0) / 9.0 for k, f in SSI_FACTORS.items())
    )


def pp100(problems: float, vehicles: float) -> float:
    """Problems per 100 vehicles (lower is better).

    >>> pp100(810, 1000)
    81.0
    """
    if vehicles <= 0:
        raise ValueError(f"pp100: vehicles must be > 0, got {vehicles!r}")
    return 100.0 * problems / vehicles


def pp100_spread(
    true_pp100: float,
    owners: Sequence[int],
    *,
    surveys: int = 2000,
    rng: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """How far a PP100 measured on ``owners`` owners strays from the true rate.

    Each owner reports a Poisson number of problems with mean ``true_pp100``/100 (real counts
    vary more than Poisson, so these ranges are the *least* uncertainty to expect). Returns,
    per sample size, the middle 95% of ``surveys`` simulated PP100 results.
    """
    gen = as_generator(rng)
    lam = true_pp100 / 100.0
    rows = []
    for n in owners:
        est = 100.0 * gen.poisson(lam * n, size=surveys) / n
        lo, hi = np.percentile(est, [2.5, 97.5])
        rows.append(
            {"owners": int(n), "low_95": round(float(lo), 1), "high_95": round(float(hi), 1)}
        )
    return pd.DataFrame(rows).set_index("owners")
