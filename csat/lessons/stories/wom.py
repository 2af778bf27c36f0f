"""Word of mouth: how far one story travels (:func:`story_reach`), small contact networks to
look at (:func:`network_gallery`), Bass diffusion on networks (:func:`bass_on_networks`), the
"unhappy influencer" experiment (:func:`influencer_experiment`) and the three views of negative
versus positive word of mouth (:func:`wom_views`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, StrMethodFormatter

from csat.lessons import style
from csat.lessons.plots import COLOURS
from csat.lessons.stories.words import RC as _RC
from csat.lessons.stories.words import TEXT, layout
from csat.lessons.stories.words import fmt as _fmt
from csat.lessons.stories.words import words as _words
from csat.lessons.typeset import one_line
from csat.sim import analytic, diffusion, mechanisms, presets
from csat.sim import network as nw
from csat.sim.ensemble import ensemble
from csat.sim.params import with_changes
from csat.sim.run import run

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

    Uses the simulator's own telling rule, the very kernel of the day
    (:func:`csat.sim.mechanisms.tell_one_hop`): the teller tells each of their k contacts with
    chance min(1, ``told``/k) and, when ``told`` is more than k, Poisson(``told`` − k)
    acquaintances drawn from the whole market; each hearer retells it to ``second_hop`` people
    the same way. In a well-mixed market every message lands on someone drawn at random.
    People who hear it twice count once; the teller is not counted.

    Returns one row per kind: ``network``, ``first_hop`` and ``second_hop`` (distinct new
    people, mean per teller), ``total`` and ``messages`` (all messages, repeats included).

    Examples
    --------
    >>> df = story_reach(("well_mixed", "ring"), n=5_000, tellers=50).set_index("network")
    >>> bool(df.loc["ring", "total"] < 0.7 * df.loc["well_mixed", "total"])
    True
    """
    gen = np.random.default_rng(rng)
    rows = []
    for kind in kinds:
        net = nw.build(kind, n, mean_degree, rewire=0.1, rng=gen)
        who = gen.choice(n, tellers, replace=False)
        if net is None:
            owner1 = np.repeat(np.arange(tellers), gen.poisson(told, tellers))
            heard1 = gen.integers(0, n, owner1.size)
            owner2 = np.repeat(np.arange(heard1.size), gen.poisson(second_hop, heard1.size))
            heard2 = gen.integers(0, n, owner2.size)
        else:
            heard1, owner1 = mechanisms.tell_one_hop(net, who, told, gen)
            heard2, owner2 = mechanisms.tell_one_hop(net, heard1, second_hop, gen)
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
    labels = [one_line(t[k], lang) for k in df["network"]]
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


EVERYONE = 1000
"""``told`` meaning "tells everyone they know" in :func:`influencer_experiment`."""


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
    ``wom.told_by_dissatisfied`` when None). :data:`EVERYONE` (1000, more than anyone's
    contacts) means "everyone they know, and nobody else": the run then tells nobody beyond
    contacts (``network.beyond_contacts="nobody"``). With any smaller ``told`` a seed with
    fewer contacts than ``told`` also tells acquaintances, as in every run.

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
        if told >= EVERYONE:
            base["network.beyond_contacts"] = "nobody"
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
            ax.set_ylabel(textwrap.fill(t["extra_heard"], layout("extra_heard_width", lang)))
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
        "wom.told_by_recovered": 3.5,
        "wom.second_hop_negative": 20.0,
    },
    "view_anderson": {"wom.told_by_dissatisfied": 10.0, "wom.told_by_satisfied": 8.0},
}
"""Three views of who tells whom: TARP's per-person 2:1 (the preset as it is), the decks'
10 told + 20 each more and 2–5 after a solved problem (the decks say nothing of a very
satisfied visit, so that stays the business's own), and a smaller gap in the spirit of
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
            "told_by_recovered": params.wom.recovered_tell_count,
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
            f"{row['told_by_recovered']:g}",
            f"{row['second_hop_negative']:g}",
            f"{row['wom_positive']:,.0f}",
            f"{row['wom_negative']:,.0f}",
            _fmt("wom_positive_to_negative", row["wom_positive_to_negative"]),
        ]
    keys = [
        "told_by_dissatisfied",
        "told_by_satisfied",
        "told_by_recovered",
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
                textwrap.fill(t[v], layout("view_width", lang), break_long_words=False)
                for v in df.index
            ],
        )
        ax.set_ylim(-0.6, y.max() + 1.1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set(xlabel=t["ratio_x"], title=t["wom_title"])
    return fig
