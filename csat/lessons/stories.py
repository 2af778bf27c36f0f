"""Figures, tables and small experiments for the complaint and word-of-mouth notebooks.

Each helper keeps a notebook cell short: the complaint iceberg as the training decks draw it
and as the research measured it, a side-by-side table of runs, a picture of what each run's
problems cost, parameter sweeps, how far one story travels, small contact networks, Bass
diffusion on networks, the "unhappy influencer" experiment and the three views of negative
versus positive word of mouth. Text comes in English (``lang="en"``) or Simplified Chinese
(``lang="zh"``).

Examples
--------
>>> from csat import sim
>>> from csat.lessons import stories
>>> base = sim.presets.get("car_dealer", population=4_000, days=60)
>>> decks = sim.presets.folklore(base)
>>> runs = {"Research": sim.run(base, rng=3), "Decks": sim.run(decks, rng=3)}
>>> voiced = stories.compare_runs(runs, formatted=False).loc["complaints_front_line"]
>>> bool(voiced["Decks"] < voiced["Research"])
True
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, StrMethodFormatter

from csat.i18n import Namespace
from csat.lessons import style
from csat.lessons.plots import COLOURS
from csat.sim import analytic, diffusion, presets
from csat.sim import network as nw
from csat.sim.ensemble import ensemble
from csat.sim.params import with_changes
from csat.sim.run import Result, run

LANGS = ("en", "zh")

_RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13, "legend.fontsize": 12}

# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

TEXT = Namespace("stories")


def _words(lang: str, *, figure: bool = True) -> tuple[dict[str, str], str]:
    """The words for ``lang`` and the language actually used: a figure is in English when no
    Chinese font exists; a table (``figure=False``) needs no font and keeps ``lang``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {list(LANGS)}, got {lang!r}")
    if figure:
        lang = style.figure_lang(lang)
    return TEXT[lang], lang


def text(lang: str = "en") -> dict[str, str]:
    """The words of this module in ``lang``.

    Examples
    --------
    >>> text("en")["deck_tip"]
    '4% complain'
    """
    return _words(lang, figure=False)[0]


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

_SHARES = {"share_of_problems_voiced", "share_dissatisfied", "retention_per_year"}
_MONEY = {"profit", "clv", "revenue"}


def _fmt(key: str, value: float) -> str:
    if key in _SHARES:
        return f"{value:.1%}"
    if key == "wom_positive_to_negative":
        return f"{value:.3g} : 1" if value >= 1 else f"1 : {1 / value:.3g}" if value else "–"
    if key in _MONEY:
        return f"¥{value:,.0f}"
    return f"{value:,.0f}"


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
    lang : {"en", "zh"}
        Language of the row labels (when ``formatted``).
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
# Sweeps
# ---------------------------------------------------------------------------------------------

SWEEP_COLUMNS = (
    "share_dissatisfied",
    "problems",
    "complaints_front_line",
    "visits",
    "defections",
    "customers_end",
    "people_heard_bad_news",
)


def sweep(
    preset: str,
    name: str,
    values: Sequence[float],
    *,
    rng: int = 1,
    columns: Sequence[str] = SWEEP_COLUMNS,
    **changes: Any,
) -> pd.DataFrame:
    """Run ``preset`` once per value of one dotted parameter, same seed each time.

    Returns a tidy table: the parameter's value, then the chosen summary figures.

    Examples
    --------
    >>> df = sweep("hotel", "expectations.promise", [6.0, 9.0], population=3_000, days=60)
    >>> bool(df["share_dissatisfied"].iloc[1] > df["share_dissatisfied"].iloc[0])
    True
    """
    rows = []
    for v in values:
        s = run(presets.get(preset, **{name: v}, **changes), rng=rng).summary()
        rows.append({name: v, **{c: s[c] for c in columns}})
    return pd.DataFrame(rows)


_SWEEP_LABELS = {
    "en": {"complaints_front_line": "Complaints to the front line", "defections": "Customers lost"},
    "zh": {"complaints_front_line": "向一线投诉", "defections": "流失客户"},
}


def sweep_table(df: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """A :func:`sweep` as readable strings for a slide: one row per value of the parameter.

    Examples
    --------
    >>> df = pd.DataFrame({"expectations.promise": [7.0], "share_dissatisfied": [0.125]})
    >>> sweep_table(df).to_dict("records")
    [{'Visits that disappoint': '12.5%'}]
    """
    lang = _words(lang, figure=False)[1]
    t = {**TEXT[lang], **_SWEEP_LABELS[lang]}
    name = df.columns[0]
    out = pd.DataFrame(
        {t.get(c, c): [_fmt(c, v) for v in df[c]] for c in df.columns[1:]},
        index=pd.Index([f"{v:g}" for v in df[name]], name=t.get(name, name)),
    )
    return out


def promise_figure(df: pd.DataFrame, *, today: float | None = None, lang: str = "en") -> Figure:
    """Disappointing visits and complaints per 100 visits against the promise, from a
    :func:`sweep` over ``expectations.promise``; ``today`` marks the business's own promise."""
    t, lang = _words(lang)
    x = df["expectations.promise"].to_numpy(float)
    visits = df["visits"].clip(lower=1).to_numpy(float)
    bad = 100 * df["problems"].to_numpy(float) / visits
    voiced = 100 * df["complaints_front_line"].to_numpy(float) / visits
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(11, 6.2), layout="constrained")
        ax.plot(x, bad, "o-", color=COLOURS["dissatisfied"], lw=3, ms=10, label=t["bad_per_100"])
        ax.plot(
            x,
            voiced,
            "s--",
            color=COLOURS["front_line"],
            lw=2.5,
            ms=9,
            label=t["complaints_per_100"],
        )
        for xi, bi in zip(x, bad, strict=True):
            ax.annotate(
                f"{bi:.0f}",
                (xi, bi),
                textcoords="offset points",
                xytext=(-14, 10),
                fontsize=14,
                color=COLOURS["dissatisfied"],
            )
        if today is not None:
            ax.axvline(today, color="#525252", ls=":", lw=2)
            ax.text(today, 97, " " + t["today_promise"].format(p=today), va="top", fontsize=12)
        ax.set(xlabel=t["promise"], ylabel=t["per_100_visits"], title=t["sweep_title"])
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
        ax.legend(loc="center left", framealpha=0.95)
    return fig


# ---------------------------------------------------------------------------------------------
# How far one story travels
# ---------------------------------------------------------------------------------------------


def story_reach(
    kinds: Sequence[str] = ("well_mixed", "small_world", "scale_free", "ring"),
    *,
    told: float = 10.0,
    second_hop: float = 20.0,
    n: int = 20_000,
    mean_degree: float = 10.0,
    tellers: int = 500,
    rng: int = 1,
) -> pd.DataFrame:
    """How many distinct people one unhappy customer's story reaches, by kind of market.

    Uses the simulator's own telling rule (:func:`csat.sim.network.sample_contacts`): the teller
    tells Poisson(``told``) distinct contacts, and each of them retells it to
    Poisson(``second_hop``) of their own contacts. In a well-mixed market every message lands
    on someone drawn at random. People who hear it twice count once; the teller is not
    counted.

    Returns one row per kind: ``network``, ``first_hop`` and ``second_hop`` (distinct new
    people, mean per teller), ``total`` and ``messages`` (all messages, repeats included).

    Examples
    --------
    >>> df = story_reach(("well_mixed", "ring"), n=5_000, tellers=50)
    >>> bool(df.set_index("network").loc["ring", "total"] < 25)
    True
    """
    gen = np.random.default_rng(rng)
    rows = []
    for kind in kinds:
        net = nw.build(kind, n, mean_degree, rewire=0.1, rng=gen)
        who = gen.choice(n, tellers, replace=False)
        first_counts = gen.poisson(told, tellers)
        if net is None:
            owner1 = np.repeat(np.arange(tellers), first_counts)
            heard1 = gen.integers(0, n, owner1.size)
        else:
            heard1, owner1 = nw.sample_contacts(net, who, first_counts, gen)
        second_counts = gen.poisson(second_hop, heard1.size)
        if net is None:
            owner2 = np.repeat(np.arange(heard1.size), second_counts)
            heard2 = gen.integers(0, n, owner2.size)
        else:
            heard2, owner2 = nw.sample_contacts(net, heard1, second_counts, gen)
        teller2 = owner1[owner2]
        key1 = np.unique(owner1.astype(np.int64) * n + heard1)
        key1 = key1[key1 % n != who[key1 // n]]
        key_all = np.unique(np.concatenate([key1, teller2.astype(np.int64) * n + heard2]))
        key_all = key_all[key_all % n != who[key_all // n]]
        first = key1.size / tellers
        total = key_all.size / tellers
        rows.append(
            {
                "network": kind,
                "first_hop": first,
                "second_hop": total - first,
                "total": total,
                "messages": (heard1.size + heard2.size) / tellers,
            }
        )
    return pd.DataFrame(rows)


def reach_table(df: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """:func:`story_reach` with readable labels, one decimal, for a slide."""
    lang = _words(lang, figure=False)[1]
    t = TEXT[lang]
    cols = {
        "first_hop": t["reach_first"],
        "second_hop": t["reach_second"],
        "total": t["reach_total"],
        "messages": t["reach_messages"],
    }
    labels = [t[k].replace("\n", " " if lang == "en" else "") for k in df["network"]]
    out = df.set_index(pd.Index(labels, name=t["reach_market"]))[list(cols)].rename(columns=cols)
    return out.round(1)


def reach_figure(
    df: pd.DataFrame, *, told: float = 10.0, second_hop: float = 20.0, lang: str = "en"
) -> Figure:
    """Bars of :func:`story_reach`: distinct people reached, first and second hop, with the
    decks' 10 + 10 × 20 as a reference line."""
    t, lang = _words(lang)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(12, 6), layout="constrained")
        y = np.arange(len(df))[::-1]
        labels = [t.get(k, k) for k in df["network"]]
        ax.barh(y, df["first_hop"], color="#b2182b", label=t["reach_first"])
        ax.barh(y, df["second_hop"], left=df["first_hop"], color="#f4a582", label=t["reach_second"])
        claim = told + told * second_hop
        ax.axvline(claim, color="black", ls="--", lw=1.8)
        ax.text(claim, y.max() + 0.6, t["reach_claim"] + " ", va="bottom", ha="right", fontsize=13)
        for yi, total in zip(y, df["total"], strict=True):
            x_text = total if total < 0.85 * claim else claim
            ax.text(x_text, yi, f"  {total:,.0f}", va="center", fontsize=14)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, max(claim, float(df["total"].max())) * 1.15)
        ax.set_ylim(-0.6, y.max() + 1.2)
        ax.set(xlabel=t["reach_x"], title=t["reach_title"])
        ax.legend(loc="lower right", framealpha=0.95)
    return fig


# ---------------------------------------------------------------------------------------------
# Small networks to look at
# ---------------------------------------------------------------------------------------------


def network_gallery(
    kinds: Sequence[str] = ("ring", "small_world", "scale_free"),
    *,
    n: int = 60,
    mean_degree: float = 4.0,
    rewire: float = 0.1,
    rng: int = 2,
    lang: str = "en",
) -> Figure:
    """Draw small contact networks of the simulator's kinds, side by side, with networkx.

    Rings and small worlds are drawn on a circle (shortcuts show as chords); scale-free and
    random networks with a spring layout of fixed seed. Node size and colour follow the number
    of contacts, so hubs stand out.

    Examples
    --------
    >>> fig = network_gallery(n=30)
    >>> len(fig.axes)
    3
    >>> plt.close(fig)
    """
    import networkx as nx

    t, lang = _words(lang)
    gen = np.random.default_rng(rng)
    k = max(2, round(mean_degree / 2) * 2)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, axes = plt.subplots(
            1, len(kinds), figsize=(6.2 * len(kinds), 6.8), layout="constrained", squeeze=False
        )
        nets = [nw.build(kind, n, mean_degree, rewire=rewire, rng=gen) for kind in kinds]
        if any(net is None for net in nets):
            raise ValueError("network_gallery: kinds must be networks, not 'well_mixed'")
        top = max(int(net.degree.max()) for net in nets)
        for ax, kind, net in zip(axes[0], kinds, nets, strict=True):
            g = net.to_networkx()
            if kind in ("ring", "small_world"):
                pos = nx.circular_layout(g)
            else:
                pos = nx.spring_layout(g, seed=rng, k=1.6 / np.sqrt(n), iterations=200)
            deg = net.degree
            nx.draw_networkx_edges(g, pos, ax=ax, edge_color="#969696", width=1.0)
            nx.draw_networkx_nodes(
                g,
                pos,
                ax=ax,
                node_size=40 + 28 * deg,
                node_color=deg,
                cmap="YlOrRd",
                vmin=0,
                vmax=top,
                edgecolors="#404040",
                linewidths=0.8,
            )
            ax.set_title(t[f"{kind}_short"])
            ax.text(
                0.5,
                -0.04,
                t["hub_note"].format(d=int(deg.max())),
                transform=ax.transAxes,
                ha="center",
                va="top",
                fontsize=13,
            )
            ax.set_axis_off()
        fig.suptitle(
            t["gallery_title"].format(n=n, k=k), fontsize=17, fontweight=style.weight(lang)
        )
    return fig


# ---------------------------------------------------------------------------------------------
# Bass diffusion on networks
# ---------------------------------------------------------------------------------------------


def bass_on_networks(
    p: float = 0.03,
    q: float = 0.38,
    *,
    n: int = 10_000,
    years: float = 20.0,
    dt: float = 0.1,
    rng: int = 1,
) -> pd.DataFrame:
    """Share adopted over time: the Bass formula, the ring formula and agent simulations.

    Simulations (:func:`csat.sim.diffusion.simulate`) run well mixed, on a small world and a
    scale-free network with 10 contacts on average, and on a ring of two neighbours.

    Returns a tidy table with columns ``t``, ``curve`` and ``adopted``.

    Examples
    --------
    >>> df = bass_on_networks(n=2_000, years=5, dt=0.5)
    >>> sorted(df["curve"].unique())[:2]
    ['bass_formula', 'ring_formula']
    """
    gen = np.random.default_rng(rng)
    t = np.arange(round(years / dt) + 1) * dt
    parts = [
        pd.DataFrame({"t": t, "curve": "bass_formula", "adopted": analytic.bass_curve(p, q, t)}),
        pd.DataFrame({"t": t, "curve": "ring_formula", "adopted": analytic.ring_curve(p, q, t)}),
    ]
    nets = {
        "sim_well_mixed": None,
        "sim_small_world": nw.small_world(n, 10, 0.1, rng=gen),
        "sim_scale_free": nw.scale_free(n, 5, rng=gen),
        "sim_ring2": nw.ring(n, 2),
    }
    for name, net in nets.items():
        d = diffusion.simulate(p, q, n, years, dt, network=net, rng=gen)
        parts.append(pd.DataFrame({"t": d.t, "curve": name, "adopted": d.adopted}))
    return pd.concat(parts, ignore_index=True)


def years_to(
    df: pd.DataFrame, share: float = 0.5, *, p: float = 0.03, q: float = 0.38, lang: str = "en"
) -> pd.Series:
    """Years until ``share`` of the market has bought, per curve of :func:`bass_on_networks`
    (interpolated between time steps; NaN if never within the horizon), labelled in ``lang``.

    Examples
    --------
    >>> df = bass_on_networks(n=2_000, years=20, dt=0.1)
    >>> round(float(years_to(df)["Bass formula (p = 0.03, q = 0.38)"]), 2)
    6.55
    """
    t, _ = _words(lang, figure=False)
    out = {}
    for curve, d in df.groupby("curve", sort=False):
        f = d["adopted"].to_numpy(float)
        time = d["t"].to_numpy(float)
        i = int(np.argmax(f >= share))
        if f[i] < share:
            years = float("nan")
        elif i == 0:
            years = float(time[0])
        else:
            years = float(np.interp(share, f[i - 1 : i + 1], time[i - 1 : i + 1]))
        label = t[curve].format(p=p, q=q) if curve == "bass_formula" else t[curve]
        out[label] = years
    return pd.Series(out, name=t["years_to"].format(share=share))


def bass_figure(df: pd.DataFrame, *, p: float = 0.03, q: float = 0.38, lang: str = "en") -> Figure:
    """Adoption curves from :func:`bass_on_networks`: formulas dashed, simulations solid."""
    t, lang = _words(lang)
    styles = {
        "bass_formula": ("black", "--", 2.5, t["bass_formula"].format(p=p, q=q)),
        "sim_well_mixed": ("#2166ac", "-", 3.0, t["sim_well_mixed"]),
        "sim_small_world": ("#1a9850", "-", 3.0, t["sim_small_world"]),
        "sim_scale_free": ("#e08214", "-", 3.0, t["sim_scale_free"]),
        "ring_formula": ("#762a83", ":", 3.0, t["ring_formula"]),
        "sim_ring2": ("#762a83", "-", 2.0, t["sim_ring2"]),
    }
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(12, 6.5), layout="constrained")
        for name, (colour, ls, lw, label) in styles.items():
            d = df[df["curve"] == name]
            if len(d):
                z = 3 if name.endswith("formula") else 2
                ax.plot(d["t"], d["adopted"], color=colour, ls=ls, lw=lw, label=label, zorder=z)
        ax.set(xlabel=t["years"], ylabel=t["adopted"], ylim=(0, 1.02), title=t["bass_title"])
        ax.set_xlim(0, float(df["t"].max()))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", framealpha=0.95)
    return fig


# ---------------------------------------------------------------------------------------------
# The unhappy influencer
# ---------------------------------------------------------------------------------------------

INFLUENCER_COLUMNS = (
    "people_heard_bad_news",
    "wom_negative",
    "prospects_put_off",
    "defections",
    "customers_end",
)


def influencer_experiment(
    preset: str = "car_dealer",
    seeds: int = 20,
    *,
    told: float | None = None,
    population: int = 20_000,
    days: int = 7,
    n_runs: int = 16,
    network: str = "scale_free",
    mean_degree: float = 10.0,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """What if the unhappy customers are the best connected? An ensemble for each seeding.

    Three arms share one seed, so run ``i`` of every arm starts from the same market and the
    same network: no unhappy seeds (``"none"``), ``seeds`` unhappy customers picked at random
    (``"random"``), and the ``seeds`` best-connected customers (``"degree"``). Each unhappy
    seed leaves on day 0 and tells ``told`` people on average (the preset's
    ``wom.told_by_dissatisfied`` when None; 1000 means "everyone they know").

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (seeding, run) with the figures of :data:`INFLUENCER_COLUMNS` and
        ``extra_heard_bad_news``, the people who heard bad news beyond the same run without
        seeds.

    Examples
    --------
    >>> df = influencer_experiment(seeds=10, population=3_000, days=2, n_runs=2)
    >>> df["seeding"].unique().tolist()
    ['none', 'random', 'degree']
    """
    base = {"network.kind": network, "network.mean_degree": mean_degree, **changes}
    if told is not None:
        base["wom.told_by_dissatisfied"] = told
    frames = []
    for seeding, k in (("none", 0), ("random", seeds), ("degree", seeds)):
        params = presets.get(
            preset,
            population=population,
            days=days,
            **base,
            **{"wom.unhappy_seeds": k, "wom.unhappy_seeds_by": "random" if k == 0 else seeding},
        )
        ens = ensemble(params, n_runs, rng=rng, n_jobs=1, metrics=["customers"])
        s = ens.summaries[list(INFLUENCER_COLUMNS)].astype(float).reset_index()
        s.insert(0, "seeding", seeding)
        frames.append(s)
    df = pd.concat(frames, ignore_index=True)
    none = df[df["seeding"] == "none"].set_index("run")["people_heard_bad_news"]
    df["extra_heard_bad_news"] = df["people_heard_bad_news"] - df["run"].map(none)
    df["told"] = float(told if told is not None else presets.get(preset).wom.told_by_dissatisfied)
    return df


def influencer_summary(df: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Mean and 90% range (5th to 95th percentile) of the extra people reached, per telling
    rule and seeding; with ``lang``, the index and columns are labelled for a slide."""
    d = df[df["seeding"] != "none"]
    g = d.groupby(["told", "seeding"], sort=False)["extra_heard_bad_news"]
    out = pd.DataFrame({"mean": g.mean(), "q05": g.quantile(0.05), "q95": g.quantile(0.95)})
    if lang is None:
        return out
    t = TEXT[_words(lang, figure=False)[1]]
    rows = [
        (t["rule_all"] if told >= 1000 else t["rule_fixed"].format(told=told), t[f"seeding_{s}"])
        for told, s in out.index
    ]
    out.index = pd.MultiIndex.from_tuples(rows, names=[t["rule"], t["seeding"]])
    return out.rename(columns={"mean": t["mean"], "q05": t["q05"], "q95": t["q95"]})


def influencer_figure(dfs: Sequence[pd.DataFrame], *, lang: str = "en") -> Figure:
    """Box plots of extra people reached, random vs best-connected seeds, one panel per
    experiment from :func:`influencer_experiment` (e.g. a fixed telling count vs telling
    everyone)."""
    t, lang = _words(lang)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, axes = plt.subplots(
            1, len(dfs), figsize=(8 * len(dfs), 6.5), layout="constrained", squeeze=False
        )
        for ax, df in zip(axes[0], dfs, strict=True):
            told = float(df["told"].iloc[0])
            rule = t["rule_all"] if told >= 1000 else t["rule_fixed"].format(told=told)
            data = [
                df.loc[df["seeding"] == s, "extra_heard_bad_news"].to_numpy()
                for s in ("random", "degree")
            ]
            ax.boxplot(
                data,
                whis=(5, 95),
                widths=0.5,
                showfliers=False,
                patch_artist=True,
                boxprops={"facecolor": "#fddbc7"},
                medianprops={"color": "#b2182b", "lw": 2.5},
            )
            rng_ = np.random.default_rng(0)
            for i, vals in enumerate(data, start=1):
                ax.scatter(
                    i + rng_.uniform(-0.12, 0.12, vals.size),
                    vals,
                    s=22,
                    color="#404040",
                    alpha=0.7,
                    zorder=3,
                )
                ax.text(
                    i + 0.3,
                    float(np.mean(vals)),
                    f"{np.mean(vals):,.0f}",
                    va="center",
                    fontsize=14,
                    fontweight=style.weight(lang),
                )
            ratio = float(np.mean(data[1]) / max(np.mean(data[0]), 1e-9))
            ax.set_xticks([1, 2], [t["seeding_random"], t["seeding_degree"]])
            ax.set_xlim(0.5, 2.8)
            ax.set_ylim(bottom=0)
            ax.set_ylabel(textwrap.fill(t["extra_heard"], 34 if lang == "en" else 18))
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
            ax.set_title(t["influencer_panel"].format(rule=rule, ratio=ratio))
            ax.grid(axis="y", alpha=0.3)
            ax.set_xlabel(t["runs_note"].format(n=int(df["run"].nunique())), fontsize=12)
        if len(dfs) > 1:  # one panel alone must not give away the comparison
            fig.suptitle(t["influencer_title"], fontsize=17, fontweight=style.weight(lang))
    return fig


# ---------------------------------------------------------------------------------------------
# Negative and positive word of mouth
# ---------------------------------------------------------------------------------------------

WOM_VIEWS: dict[str, dict[str, float] | None] = {
    "view_tarp": None,  # the preset as it is: TARP's 2:1
    "view_decks": {
        "wom.told_by_dissatisfied": 10.0,
        "wom.told_by_satisfied": 3.5,
        "wom.second_hop_negative": 20.0,
    },
    "view_anderson": {"wom.told_by_dissatisfied": 10.0, "wom.told_by_satisfied": 8.0},
}
"""Three views of who tells whom: TARP's per-person 2:1 (the preset as it is), the decks'
10 told + 20 each more (and 2–5 after a solved problem), and a smaller gap in the spirit of
Anderson (1998) — 10 vs 8 is an illustration, not his estimate."""


def wom_views(preset: str = "car_dealer", *, rng: int = 1, **changes: Any) -> pd.DataFrame:
    """The same business under the three views of :data:`WOM_VIEWS`, same seed.

    Returns one row per view: the telling parameters, the messages, the good : bad ratio and
    the people who heard each kind of news.

    Examples
    --------
    >>> df = wom_views("hotel", population=3_000, days=60)
    >>> df.index.tolist()
    ['view_tarp', 'view_decks', 'view_anderson']
    """
    rows = {}
    for view, extra in WOM_VIEWS.items():
        params = presets.get(preset, **changes)
        if extra:
            params = with_changes(params, **extra)
        s = run(params, rng=rng).summary()
        rows[view] = {
            "told_by_dissatisfied": params.wom.told_by_dissatisfied,
            "told_by_satisfied": params.wom.told_by_satisfied,
            "second_hop_negative": params.wom.second_hop_negative,
            "wom_positive": float(s["wom_positive"]),
            "wom_negative": float(s["wom_negative"]),
            "wom_positive_to_negative": float(s["wom_positive_to_negative"]),
            "people_heard_good_news": float(s["people_heard_good_news"]),
            "people_heard_bad_news": float(s["people_heard_bad_news"]),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("view")


def wom_table(df: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """:func:`wom_views` as readable strings for a slide, one column per view."""
    t = TEXT[lang]
    out = {}
    for view, row in df.iterrows():
        out[t[view]] = [
            f"{row['told_by_dissatisfied']:g}",
            f"{row['told_by_satisfied']:g}",
            f"{row['second_hop_negative']:g}",
            f"{row['wom_positive']:,.0f}",
            f"{row['wom_negative']:,.0f}",
            _fmt("wom_positive_to_negative", row["wom_positive_to_negative"]),
        ]
    keys = [
        "told_by_dissatisfied",
        "told_by_satisfied",
        "second_hop_negative",
        "wom_positive",
        "wom_negative",
        "wom_positive_to_negative",
    ]
    return pd.DataFrame(out, index=pd.Index([t[k] for k in keys], name=t["figure"]))


def wom_figure(df: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Good-news messages per bad-news message under each view, as bars from an even split
    (log scale): right of the line good news dominates, left of it bad news; East et al.'s
    ~3 : 1 is marked."""
    t, lang = _words(lang)
    ratios = df["wom_positive_to_negative"].to_numpy(float)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(12.5, 5.8), layout="constrained")
        y = np.arange(len(df))[::-1]
        colours = [COLOURS["positive"] if r >= 1 else COLOURS["negative"] for r in ratios]
        ax.barh(y, ratios - 1.0, left=1.0, color=colours, height=0.6)
        ax.set_xscale("log")
        lo = min(0.05, float(ratios.min()) / 3)
        hi = max(30.0, float(ratios.max()) * 6)
        ax.set_xlim(lo, hi)
        ax.axvline(1, color="black", lw=1.5)
        ax.axvline(3, color="#1a9850", ls="--", lw=2)
        top = y.max() + 0.55
        ax.text(3, top, " " + t["east_line"], color="#1a9850", va="bottom", fontsize=12)
        ax.text(1, top, t["even_line"] + " ", va="bottom", ha="right", fontsize=12)
        for yi, r in zip(y, ratios, strict=True):
            label = _fmt("wom_positive_to_negative", r)
            x_text, ha = (r * 1.1, "left") if r >= 1 else (r / 1.1, "right")
            ax.text(
                x_text, yi, label, va="center", ha=ha, fontsize=15, fontweight=style.weight(lang)
            )
        ax.set_yticks(
            y,
            [
                textwrap.fill(t[v], 22 if lang == "en" else 16, break_long_words=False)
                for v in df.index
            ],
        )
        ax.set_ylim(-0.6, y.max() + 1.1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set(xlabel=t["ratio_x"], title=t["wom_title"])
    return fig


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
