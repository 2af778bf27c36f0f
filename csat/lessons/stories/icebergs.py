"""The complaint iceberg and what complaint counts hide.

The iceberg as the training decks draw it and as the research measured it (:func:`iceberg`,
:func:`iceberg_figure`); runs side by side (:func:`compare_runs`), unhappy customers behind
each complaint (:func:`per_complaint`), what each run's problems cost
(:func:`hidden_losses_figure`), and the ready-made pairs of runs the complaint notebook
compares (:func:`research_vs_decks`, :func:`handling_compare`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from csat.lessons import style
from csat.lessons.plots import COLOURS
from csat.lessons.stories.words import RC as _RC
from csat.lessons.stories.words import TEXT
from csat.lessons.stories.words import fmt as _fmt
from csat.lessons.stories.words import words as _words
from csat.sim import presets
from csat.sim.run import Result, run

# ---------------------------------------------------------------------------------------------
# The iceberg
# ---------------------------------------------------------------------------------------------

# Half-widths of a stylised iceberg (left, right) at heights y; the top is at y = 1.
_BERG_Y = np.array([1.0, 0.75, 0.45, 0.15, -0.3, -1.0, -1.9, -2.7, -3.4, -3.9])
_BERG_LEFT = np.array([0.0, 0.28, 0.52, 0.95, 1.55, 2.05, 2.25, 1.95, 1.2, 0.0])
_BERG_RIGHT = np.array([0.0, 0.22, 0.62, 0.85, 1.35, 1.85, 2.1, 1.75, 1.0, 0.0])

ICEBERGS: dict[str, tuple[tuple[str, float, str], ...]] = {
    # (band, share of all unhappy customers, colour), from the top down
    "deck": (
        ("deck_tip", 0.04, "#4393c3"),
        ("deck_body", 0.96, "#d9d9d9"),
    ),
    "research": (
        ("research_tip", 0.03, "#053061"),
        ("research_middle", 0.47, "#4393c3"),
        ("research_body", 0.50, "#d9d9d9"),
    ),
}
"""Bands of each iceberg: the deck's 4% / 96%; the research's 1–5% (drawn at 3%) to head
office, about 50% to the front line, the rest silent. Areas are drawn to scale."""


def _berg_profile(n: int = 800) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.linspace(_BERG_Y[-1], _BERG_Y[0], n)
    left = np.interp(y, _BERG_Y[::-1], _BERG_LEFT[::-1])
    right = np.interp(y, _BERG_Y[::-1], _BERG_RIGHT[::-1])
    return y, left, right


def band_edges(shares: Sequence[float]) -> np.ndarray:
    """Heights that cut the iceberg into bands whose areas are ``shares`` (from the top).

    Returns ``len(shares) + 1`` heights, from the top of the iceberg to its bottom.

    Examples
    --------
    >>> edges = band_edges([0.04, 0.96])
    >>> bool(edges[0] > edges[1] > edges[2])
    True
    """
    y, left, right = _berg_profile()
    width = left + right
    # Area above each height (y runs bottom to top).
    seg = 0.5 * (width[1:] + width[:-1]) * np.diff(y)
    above = np.concatenate([np.cumsum(seg[::-1])[::-1], [0.0]])
    total = above[0]
    cuts = np.cumsum(np.asarray(shares, float))
    cuts = cuts / cuts[-1] * total
    heights = np.interp(cuts, above[::-1], y[::-1])
    return np.concatenate([[y[-1]], heights])


def iceberg(kind: str = "deck", *, ax=None, lang: str = "en"):
    """Draw one complaint iceberg, ``"deck"`` or ``"research"``, with its labels and source.

    The waterline sits under the top band (what the company, or head office, hears); band
    areas are drawn to scale.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if kind not in ICEBERGS:
        raise ValueError(f"iceberg: kind must be one of {list(ICEBERGS)}, got {kind!r}")
    t, lang = _words(lang)
    with plt.rc_context(style.rc(lang, **_RC)):
        if ax is None:
            _, ax = plt.subplots(figsize=(10.5, 8), layout="constrained")
        _draw_iceberg(ax, kind, t, lang)
    return ax


def _draw_iceberg(ax, kind: str, t: dict[str, str], lang: str) -> None:
    bands = ICEBERGS[kind]
    edges = band_edges([b[1] for b in bands])
    water = edges[1]
    y, left, right = _berg_profile()
    xmin, xmax, bottom_y = -2.5, 8.3, _BERG_Y[-1] - 0.75
    label_x = 2.7
    ax.axhspan(bottom_y, water, color="#deebf7", zorder=0)
    ax.axhline(water, color="#2171b5", lw=2, zorder=3)
    wl_key = "waterline_deck" if kind == "deck" else "waterline_research"
    ax.text(
        xmax - 0.1,
        water + 0.05,
        "▲ " + t[wl_key],
        color="#2171b5",
        fontsize=12,
        ha="right",
        va="bottom",
    )
    for (key, share, colour), top, bottom in zip(bands, edges[:-1], edges[1:], strict=True):
        sel = (y <= top + 1e-9) & (y >= bottom - 1e-9)
        ax.fill_betweenx(
            y[sel], -left[sel], right[sel], color=colour, ec="#525252", lw=1.2, zorder=2
        )
        tall = top - bottom > 0.3
        mid = (top + bottom) / 2
        x_edge = float(np.interp(mid, y, right))
        ax.annotate(
            t[key],
            xy=(x_edge * 0.85, mid),
            xytext=(label_x, mid if tall else water + 0.45),
            fontsize=14,
            va="center",
            fontweight=style.weight(lang) if share < 0.1 else "normal",
            arrowprops={"arrowstyle": "-", "color": "#525252", "lw": 1.2},
            zorder=4,
        )
    notes = "deck_notes" if kind == "deck" else "research_notes"
    source = "deck_source" if kind == "deck" else "research_source"
    ax.text(
        label_x,
        _BERG_Y[-1] + 0.45,
        t[notes],
        fontsize=12.5,
        va="center",
        bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": "#969696"},
        zorder=4,
    )
    ax.text(xmin + 0.1, bottom_y + 0.08, t[source], fontsize=11, color="#525252", va="bottom")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(bottom_y, _BERG_Y[0] + 0.35)
    ax.set_axis_off()
    ax.set_title(t["deck_title" if kind == "deck" else "research_title"], fontsize=16)


def iceberg_figure(
    kinds: str | Sequence[str] = ("deck", "research"), *, lang: str = "en"
) -> Figure:
    """One or two complaint icebergs side by side (the decks' and the research's).

    Examples
    --------
    >>> fig = iceberg_figure("deck")
    >>> fig.axes[0].get_title()
    'The decks: only the tip complains'
    >>> plt.close(fig)
    """
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    t, lang = _words(lang)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, axes = plt.subplots(
            1, len(kinds), figsize=(10.5 * len(kinds), 8), layout="constrained", squeeze=False
        )
        for ax, kind in zip(axes[0], kinds, strict=True):
            iceberg(kind, ax=ax, lang=lang)
        if len(kinds) > 1:
            fig.suptitle(t["iceberg_suptitle"], fontsize=18, fontweight=style.weight(lang))
    return fig


# ---------------------------------------------------------------------------------------------
# Comparing runs
# ---------------------------------------------------------------------------------------------

COMPARE_ROWS = (
    "problems",
    "complaints_front_line",
    "complaints_head_office",
    "silent_problems",
    "share_of_problems_voiced",
    "defections",
    "defections_silent",
    "defections_unresolved",
    "defections_resolved",
    "defections_natural",
    "people_heard_bad_news",
    "prospects_put_off",
    "customers_end",
)
"""The rows :func:`compare_runs` shows unless told otherwise: the hidden losses."""


def compare_runs(
    results: Mapping[str, Result],
    rows: Sequence[str] = COMPARE_ROWS,
    *,
    lang: str = "en",
    formatted: bool = True,
) -> pd.DataFrame:
    """Headline figures of several runs side by side, one column per run.

    Parameters
    ----------
    results : mapping of str to Result
        Column label → run, in the order to show.
    rows : sequence of str
        Keys of :meth:`sim.Result.summary`.
    lang : str
        A language of :data:`csat.i18n.LANGUAGES`, for the row labels (when ``formatted``).
    formatted : bool
        True: readable strings with bilingual-ready labels as the index (for a slide);
        False: numbers indexed by summary key (for code and tests).
    """
    if not results:
        raise ValueError("compare_runs: results must hold at least one run, got none")
    summaries = {name: r.summary() for name, r in results.items()}
    first = next(iter(summaries.values()))
    unknown = [k for k in rows if k not in first.index]
    if unknown:
        raise ValueError(f"compare_runs: rows must be keys of Result.summary(), got {unknown}")
    numbers = pd.DataFrame({name: s[list(rows)].astype(float) for name, s in summaries.items()})
    if not formatted:
        return numbers
    t = TEXT[lang]
    out = pd.DataFrame(
        {name: [_fmt(k, numbers.loc[k, name]) for k in rows] for name in numbers.columns},
        index=pd.Index([t.get(k, k) for k in rows], name=t["figure"]),
    )
    return out


def per_complaint(results: Mapping[str, Result], *, lang: str = "en") -> pd.DataFrame:
    """Unhappy customers behind each complaint: problems per front-line complaint and per
    head-office complaint, one row per run (the iceberg's multiplier, measured).

    Examples
    --------
    >>> from csat import sim
    >>> p = sim.presets.get("hotel", population=3_000, days=60)
    >>> df = per_complaint({"Research": sim.run(p, rng=1)})
    >>> bool(df.iloc[0, 0] < df.iloc[0, 1])
    True
    """
    t = TEXT[_words(lang, figure=False)[1]]
    rows = {}
    for name, r in results.items():
        s = r.summary()
        problems = float(s["problems"])
        rows[name] = {
            t["per_front_line"]: problems / max(float(s["complaints_front_line"]), 1.0),
            t["per_head_office"]: problems / max(float(s["complaints_head_office"]), 1.0),
        }
    return pd.DataFrame.from_dict(rows, orient="index").round(1)


def _loss_groups(s: pd.Series) -> dict[str, int]:
    return {
        "cause_silent": int(s["defections_silent"]),
        "cause_complaint": int(
            s["defections_unresolved"] + s["defections_resolved"] + s["defections_resolved_quickly"]
        ),
        "cause_wom": int(s["defections_negative_wom"]),
        "cause_natural": int(s["defections_natural"]),
    }


PANELS = ("problems", "lost", "heard", "clv")
"""Panels :func:`hidden_losses_figure` can draw."""

_LOSS_COLOURS = {
    "cause_silent": ("#762a83", "white"),
    "cause_complaint": ("#4393c3", "black"),
    "cause_wom": ("#d73027", "white"),
    "cause_natural": ("#bdbdbd", "black"),
}


def hidden_losses_figure(
    results: Mapping[str, Result],
    *,
    panels: Sequence[str] = ("problems", "lost", "heard"),
    finding: str = "silent",
    lang: str = "en",
    title: str | None = None,
) -> Figure:
    """What each run's problems became, one bar per run in each panel.

    Panels (:data:`PANELS`): ``"problems"`` voiced or silent; ``"lost"`` customers lost by
    cause; ``"heard"`` people who heard bad news; ``"clv"`` customer lifetime value.

    The title states the finding for the first two runs: ``finding="silent"`` compares how
    many problems stay silent and how much of the market hears bad news; ``"handling"`` how
    many more customers the second run loses and how many more people hear bad news.

    Examples
    --------
    >>> from csat import sim
    >>> p = sim.presets.get("hotel", population=3_000, days=30)
    >>> fig = hidden_losses_figure({"A": sim.run(p, rng=1), "B": sim.run(p, rng=2)})
    >>> [a.get_title() for a in fig.axes][:1]
    ['What happened to the problems']
    >>> plt.close(fig)
    """
    unknown = [p for p in panels if p not in PANELS]
    if unknown or not panels:
        raise ValueError(f"hidden_losses_figure: panels must be among {list(PANELS)}, got {panels}")
    if finding not in ("silent", "handling"):
        raise ValueError(
            f"hidden_losses_figure: finding must be 'silent' or 'handling', got {finding!r}"
        )
    t, lang = _words(lang)
    names = list(results)
    s = {k: r.summary() for k, r in results.items()}
    x = np.arange(len(names))
    pop = int(next(iter(s.values()))["population"])
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, axes = plt.subplots(
            1, len(panels), figsize=(6 * len(panels), 7), layout="constrained", squeeze=False
        )
        for ax, panel in zip(axes[0], panels, strict=True):
            _PANEL_DRAW[panel](ax, names, s, x, t, pop)
            ax.set_xticks(x, names)
            if panel != "clv":
                ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        if title is None and len(names) >= 2:
            title = _finding(finding, names[0], names[1], s, t, pop)
        if title:
            fig.suptitle(title, fontsize=17, fontweight=style.weight(lang))
    return fig


def _finding(kind: str, a: str, b: str, s: Mapping[str, pd.Series], t: dict, pop: int) -> str:
    if kind == "silent":
        return t["hidden_title"].format(
            a=a,
            b=b,
            sa=1 - float(s[a]["share_of_problems_voiced"]),
            sb=1 - float(s[b]["share_of_problems_voiced"]),
            ha=float(s[a]["people_heard_bad_news"]) / pop,
            hb=float(s[b]["people_heard_bad_news"]) / pop,
        )
    return t["handling_title"].format(
        a=a,
        b=b,
        lost=int(s[b]["defections"]) - int(s[a]["defections"]),
        heard=int(s[b]["people_heard_bad_news"]) - int(s[a]["people_heard_bad_news"]),
        clv=1 - float(s[b]["clv"]) / float(s[a]["clv"]),
    )


def _panel_problems(ax, names, s, x, t, pop) -> None:
    silent = np.array([s[k]["silent_problems"] for k in names], float)
    head = np.array([s[k]["complaints_head_office"] for k in names], float)
    front = np.array([s[k]["complaints_front_line"] for k in names], float) - head
    ax.bar(x, head, bottom=silent + front, color=COLOURS["head_office"], label=t["head_office"])
    ax.bar(x, front, bottom=silent, color=COLOURS["front_line"], label=t["front_only"])
    ax.bar(x, silent, color=COLOURS["silent"], label=t["silent"])
    for i, k in enumerate(names):
        share = 1 - float(s[k]["share_of_problems_voiced"])
        ax.text(i, silent[i] / 2, f"{share:.0%}", ha="center", va="center", fontsize=15)
    ax.set(title=t["problems_panel"], ylabel=t["problems"])
    ax.set_ylim(0, float((silent + front + head).max()) * 1.4)
    ax.legend(loc="upper left", framealpha=0.95)


def _panel_lost(ax, names, s, x, t, pop) -> None:
    groups = {k: _loss_groups(s[k]) for k in names}
    total = max(sum(groups[k].values()) for k in names)
    bottom = np.zeros(len(names))
    handles = []
    for g, (colour, ink) in _LOSS_COLOURS.items():
        vals = np.array([groups[k][g] for k in names], float)
        if not vals.any():
            continue
        handles.append(ax.bar(x, vals, bottom=bottom, color=colour, label=t[g]))
        for i, v in enumerate(vals):
            if v > 0.06 * max(total, 1):
                ax.text(i, bottom[i] + v / 2, f"{v:,.0f}", ha="center", va="center", color=ink)
        bottom += vals
    for i, v in enumerate(bottom):
        ax.text(i, v, f"{v:,.0f}", ha="center", va="bottom", fontsize=14)
    ax.set(title=t["lost_panel"], ylabel=t["people"])
    ax.set_ylim(0, float(bottom.max()) * 1.4)
    ax.legend(handles=handles[::-1], loc="upper left", framealpha=0.95)


def _panel_heard(ax, names, s, x, t, pop) -> None:
    heard = np.array([s[k]["people_heard_bad_news"] for k in names], float)
    ax.bar(x, heard, color=COLOURS["negative"])
    ax.axhline(pop, color="black", ls="--", lw=1.5)
    ax.text(-0.45, pop * 1.02, t["everyone"].format(n=pop), va="bottom", fontsize=12)
    for i, v in enumerate(heard):
        ax.text(i, v / 2, f"{v:,.0f}", ha="center", va="center", color="white", fontsize=15)
    ax.set(title=t["heard_panel"], ylabel=t["people"])
    ax.set_ylim(0, pop * 1.15)


def _panel_clv(ax, names, s, x, t, pop) -> None:
    clv = np.array([s[k]["clv"] for k in names], float)
    ax.bar(x, clv, color=COLOURS["customers"])
    for i, v in enumerate(clv):
        ax.text(i, v / 2, f"¥{v:,.0f}", ha="center", va="center", color="white", fontsize=15)
    ax.set(title=t["clv_panel"], ylabel=t["clv_axis"])
    ax.set_ylim(0, float(np.nanmax(clv)) * 1.25)
    ax.yaxis.set_major_formatter(StrMethodFormatter("¥{x:,.0f}"))


_PANEL_DRAW = {
    "problems": _panel_problems,
    "lost": _panel_lost,
    "heard": _panel_heard,
    "clv": _panel_clv,
}


# ---------------------------------------------------------------------------------------------
# Ready-made pairs of runs
# ---------------------------------------------------------------------------------------------

GOOD_HANDLING = {"recovery.resolution_rate": 0.9, "recovery.quick_share": 0.7}
"""A complaint desk that resolves 90% of complaints, 70% of those quickly."""
BAD_HANDLING = {"recovery.resolution_rate": 0.2, "recovery.quick_share": 0.1}
"""A complaint desk that resolves 20% of complaints, hardly any quickly."""


def research_vs_decks(
    preset: str = "car_dealer", *, rng: int = 1, lang: str = "en", **changes: Any
) -> dict[str, Result]:
    """The same business and seed under the research figures and under the decks'
    (:func:`csat.sim.presets.folklore`), labelled in ``lang``.

    Examples
    --------
    >>> runs = research_vs_decks("hotel", population=2_000, days=30)
    >>> list(runs)
    ['Research figures', "The decks' figures"]
    """
    t, _ = _words(lang, figure=False)
    params = presets.get(preset, **changes)
    return {
        t["run_research"]: run(params, rng=rng),
        t["run_decks"]: run(presets.folklore(params), rng=rng),
    }


def handling_compare(
    preset: str = "car_dealer",
    *,
    good: Mapping[str, float] = GOOD_HANDLING,
    bad: Mapping[str, float] = BAD_HANDLING,
    rng: int = 1,
    lang: str = "en",
    **changes: Any,
) -> dict[str, Result]:
    """The same business and seed with complaints handled well and handled badly.

    Examples
    --------
    >>> runs = handling_compare("hotel", population=2_000, days=30)
    >>> list(runs)
    ['Handled well', 'Handled badly']
    """
    t, _ = _words(lang, figure=False)
    return {
        t["run_good"]: run(presets.get(preset, **changes, **good), rng=rng),
        t["run_bad"]: run(presets.get(preset, **changes, **bad), rng=rng),
    }
