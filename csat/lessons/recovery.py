"""Service recovery in the simulator: resolution, speed, retention and the recovery paradox.

What the complaint-handling notebooks show, computed rather than typed:

- :func:`problem_paths` — what happens to customers with a problem: how many say nothing, how
  many complaints are left unresolved, resolved, resolved quickly, and who buys again on each
  path; :func:`repurchase_claims` sets the research defaults beside the training decks' figures.
- :func:`compare_years` — a few versions of one business, each run as a small ensemble on the
  same seeds, summarised as mean and 90% range of customers kept, customers lost after a
  problem, profit and business value; :func:`speed_sweep` and :func:`speed_figure` apply it to
  resolution rate × speed; :func:`levers` gives the worlds of the "predict, then run" exercise.
- the recovery paradox as "when would it pay?": :func:`problem_value` is the lifetime value of a
  customer who had a problem, relative to one who had none, for a given paradox size
  (``RecoveryPolicy.paradox_loyalty``, a relative cut in later churn after a quick
  resolution); :func:`break_even_loyalty` is the size at which a failure stops costing money,
  and :func:`paradox_figure` draws both.

>>> from csat import sim
>>> dealer = sim.presets.get("car_dealer")
>>> round(problem_value(dealer, 0.0, handling="quick"), 2)  # a quick fix keeps 95%
0.95
>>> round(break_even_loyalty(dealer, handling="quick"), 3)
0.089
>>> break_even_loyalty(dealer) is None  # counting the silent half, a failure never pays
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from csat import i18n
from csat.i18n import Namespace
from csat.lessons import style
from csat.sim import presets
from csat.sim.ensemble import ensemble, paired_difference
from csat.sim.params import Params, with_changes

PATHS = ("silent", "unresolved", "resolved", "resolved_quickly")
"""What happens to a customer with a problem, worst first."""

HANDLINGS = ("quick", "today", "perfect")
"""Whose value :func:`problem_value` reports: a complainer resolved quickly; any customer with
a problem under the business's own recovery policy; any customer with a problem when every
complaint is resolved quickly."""

TARP_PARADOX = 0.08
"""TARP: complainers whose problem was resolved can be up to 8% more loyal than customers who
had no problem (Goodman's summary, 1999). Read here as 8% less ordinary churn afterwards."""

_RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 14, "legend.fontsize": 13}
_LINES = ("#d6604d", "#4393c3", "#053061", "#1a9850")

TEXT = Namespace("recovery")
MORE = Namespace("recovery_words")
"""Words of this module added after ``recovery``: the name of a business that is no preset."""


def business_key(params: Params) -> str | None:
    """The preset whose business ``params`` describes (same economics), or None."""
    for name in presets.names():
        if presets.get(name).economics == params.economics:
            return name
    return None


def business_label(key: str | None, lang: str) -> str:
    """The short name of the preset ``key`` in ``lang``, from the ``business`` registry of the
    catalogues; "this business" for None (a business that is no preset)."""
    if key is None:
        return MORE[i18n.check(lang, where="lang")]["this_business"]
    return i18n.t(f"business.{key}", i18n.check(lang, where="lang"))


def business_name(params: Params, lang: str) -> str:
    """A short name for the business ``params`` describes, when it is one of the presets."""
    return business_label(business_key(params), lang)


# -- what happens after a problem -----------------------------------------------------------


def problem_paths(params: Params, *, lang: str | None = None) -> pd.DataFrame:
    """Customers with a problem, by what happened next, and who buys again.

    Shares hold for a problem of the reference size (``complaints.reference_severity``), where
    the share who complain is exactly ``complaints.front_line``.

    Returns
    -------
    pandas.DataFrame
        Index :data:`PATHS`; columns ``share`` (of customers with a problem), ``buy_again``
        and ``kept_per_100`` (customers kept per 100 with a problem). With ``lang``, headers and
        row names in that language.

    Examples
    --------
    >>> from csat.sim import Params
    >>> t = problem_paths(Params())
    >>> float(round(t["share"].sum(), 6)), float(round(t["kept_per_100"].sum(), 1))
    (1.0, 49.2)
    """
    voiced = params.complaints.front_line
    rec = params.recovery
    share = {
        "silent": 1.0 - voiced,
        "unresolved": voiced * (1.0 - rec.resolution_rate),
        "resolved": voiced * rec.resolution_rate * (1.0 - rec.quick_share),
        "resolved_quickly": voiced * rec.resolution_rate * rec.quick_share,
    }
    keep = _keep(params)
    table = pd.DataFrame(
        {
            "share": [share[p] for p in PATHS],
            "buy_again": [keep[p] for p in PATHS],
        },
        index=pd.Index(PATHS, name="path"),
    )
    table["kept_per_100"] = 100.0 * table["share"] * table["buy_again"]
    if lang is None:
        return table
    t = TEXT[lang]
    out = pd.DataFrame(
        {
            t["share"]: [f"{v:.0%}" for v in table["share"]],
            t["buy_again"]: [f"{v:.0%}" for v in table["buy_again"]],
            t["kept_per_100"]: [f"{v:.1f}" for v in table["kept_per_100"]],
        },
        index=pd.Index([t[p] for p in PATHS], name=t["path"]),
    )
    return out


def _keep(params: Params) -> dict[str, float]:
    rec = params.recovery
    return {
        "silent": rec.repurchase_silent,
        "unresolved": rec.repurchase_unresolved,
        "resolved": rec.repurchase_resolved,
        "resolved_quickly": rec.repurchase_quick,
    }


def repurchase_claims(params: Params, *, lang: str = "en") -> pd.DataFrame:
    """Who buys again after a problem: the research defaults beside the decks' figures.

    The research column is ``params`` as given (TARP's 37% / 70% / 95%); the decks' column is
    :func:`csat.sim.presets.folklore` applied to it ("90% never come back", 54–70% → 62%, 95%).
    """
    i18n.check(lang, where="lang")
    t = TEXT[lang]
    research, decks = _keep(params), _keep(presets.folklore(params))
    return pd.DataFrame(
        {
            t["research"]: [f"{research[p]:.0%}" for p in PATHS],
            t["decks"]: [f"{decks[p]:.0%}" for p in PATHS],
        },
        index=pd.Index([t[p] for p in PATHS], name=t["buy_again"]),
    )


# -- a year of customers, several ways --------------------------------------------------------

_FIGURES = ("customers_end", "lost_after_problem", "complaints", "profit", "value")


def compare_years(worlds: Mapping[str, Params], *, n_runs: int = 20, rng: int = 1) -> pd.DataFrame:
    """Run each version of a business ``n_runs`` times on the same seeds and summarise.

    Run ``i`` of every world starts from the same seed, so each world is compared with the
    first one run by run (paired); the difference of the means comes with its 90% confidence
    interval, and a difference whose interval includes 0 is within the noise of ``n_runs``
    runs. (The seeds are shared, but a change in one mechanism still changes the random
    numbers every later day draws, so pairing narrows the interval less than it would with
    common random numbers throughout.)

    Returns
    -------
    pandas.DataFrame
        One row per world (index ``world``, in the order given). For each of
        ``customers_end``, ``lost_after_problem`` (defections of the silent, the unresolved and
        the resolved), ``complaints`` (to the front line), ``profit`` and ``value`` (profit
        plus what the customers at year end will bring, :func:`csat.sim.analytic.clv_closed_form`
        on the run's own rates): the mean, ``_q05`` / ``_q95`` columns, between which 90% of runs
        fall, and against the first world ``_diff`` (difference of the means), ``_diff_lo`` /
        ``_diff_hi`` (its 90% confidence interval) and ``_clear`` (whether the interval leaves
        out 0; False for the first world itself).
    """
    if not worlds:
        raise ValueError("compare_years needs at least one world, got none")
    if int(n_runs) < 2:
        raise ValueError(f"compare_years: n_runs must be at least 2 to measure noise, got {n_runs}")
    rows = []
    first: pd.DataFrame | None = None
    for name, params in worlds.items():
        runs = _summaries(params, n_runs, rng)
        first = runs if first is None else first
        row: dict[str, float | str | bool] = {"world": name}
        for key in _FIGURES:
            values = runs[key]
            row[key] = float(values.mean())
            row[f"{key}_q05"] = float(values.quantile(0.05))
            row[f"{key}_q95"] = float(values.quantile(0.95))
            paired = paired_difference(values, first[key])
            row[f"{key}_diff"] = paired.diff
            row[f"{key}_diff_lo"] = paired.lo
            row[f"{key}_diff_hi"] = paired.hi
            row[f"{key}_clear"] = paired.clear
        rows.append(row)
    table = pd.DataFrame(rows).set_index("world")
    table.attrs["n_runs"] = int(n_runs)
    return table


def _summaries(params: Params, n_runs: int, rng: int) -> pd.DataFrame:
    s = ensemble(params, n_runs, rng=rng, n_jobs=1, metrics=["customers"]).summaries
    s = s.astype(float)
    return pd.DataFrame(
        {
            "customers_end": s["customers_end"],
            "lost_after_problem": s[[f"defections_{c}" for c in PATHS]].sum(axis=1),
            "complaints": s["complaints_front_line"],
            "profit": s["profit"],
            "value": s["profit"] + s["customers_end"] * s["lifetime_value"].fillna(0.0),
        }
    ).reset_index(drop=True)


def speed_sweep(
    base: Params,
    *,
    resolution_rates: Sequence[float] = (0.3, 0.6, 0.9),
    quick_shares: Sequence[float] = (0.0, 0.5, 1.0),
    n_runs: int = 3,
    rng: int = 1,
) -> pd.DataFrame:
    """:func:`compare_years` over resolution rate × share of resolutions that are quick.

    Returns the summary with two more columns, ``resolution_rate`` and ``quick_share``, one row
    per combination (resolution rate first).
    """
    worlds, keys = {}, []
    for rr in resolution_rates:
        for q in quick_shares:
            name = f"resolved {rr:.0%}, quick {q:.0%}"
            worlds[name] = with_changes(
                base, **{"recovery.resolution_rate": float(rr), "recovery.quick_share": float(q)}
            )
            keys.append((float(rr), float(q)))
    table = compare_years(worlds, n_runs=n_runs, rng=rng)
    table.insert(0, "resolution_rate", [k[0] for k in keys])
    table.insert(1, "quick_share", [k[1] for k in keys])
    table.attrs["n_runs"] = n_runs
    table.attrs["business"] = business_key(base)
    return table


def speed_findings(sweep: pd.DataFrame) -> dict[str, float]:
    """The numbers :func:`speed_figure` quotes: customers kept by resolving more complaints
    (lowest to highest resolution rate, at the middle speed), by resolving them fast (slowest
    to fastest, at the middle resolution rate), and the worst and best corners."""
    rates = sorted(sweep["resolution_rate"].unique())
    speeds = sorted(sweep["quick_share"].unique())
    mid_r, mid_q = rates[len(rates) // 2], speeds[len(speeds) // 2]

    def lost(rr: float, q: float) -> float:
        row = sweep[(sweep["resolution_rate"] == rr) & (sweep["quick_share"] == q)]
        return float(row["lost_after_problem"].iloc[0])

    return {
        "by_resolving": lost(rates[0], mid_q) - lost(rates[-1], mid_q),
        "by_speed": lost(mid_r, speeds[0]) - lost(mid_r, speeds[-1]),
        "worst": lost(rates[0], speeds[0]),
        "best": lost(rates[-1], speeds[-1]),
        "lowest_rate": rates[0],
        "highest_rate": rates[-1],
    }


def speed_figure(sweep: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Customers lost after a problem, and customers at year end, against speed: one line per
    resolution rate, with the 90% range of the runs shaded."""
    lang = style.figure_lang(_known(lang))
    t = TEXT[lang]
    found = speed_findings(sweep)
    rates = sorted(sweep["resolution_rate"].unique())
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, axes = plt.subplots(1, 2, figsize=(14, 6.5), layout="constrained")
        for ax, key, label in (
            (axes[0], "lost_after_problem", t["lost_axis"]),
            (axes[1], "customers_end", t["kept_axis"]),
        ):
            for rr, colour in zip(rates, _LINES, strict=False):
                part = sweep[sweep["resolution_rate"] == rr].sort_values("quick_share")
                x = part["quick_share"].to_numpy()
                ax.fill_between(
                    x, part[f"{key}_q05"], part[f"{key}_q95"], color=colour, alpha=0.18, lw=0
                )
                ax.plot(x, part[key], "-o", lw=3, ms=8, color=colour,
                        label=t["resolved_line"].format(rr=rr))  # fmt: skip
            ax.set(xlabel=t["quick_axis"], ylabel=label)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
            ax.grid(alpha=0.3)
        axes[0].legend(loc="lower left", framealpha=0.95,
                       title=t["band"].format(n=sweep.attrs.get("n_runs", "?")))  # fmt: skip
        fig.suptitle(
            t["speed_title"].format(
                lo=found["lowest_rate"],
                hi=found["highest_rate"],
                r=found["by_resolving"],
                s=found["by_speed"],
                worst=found["worst"],
                best=found["best"],
                name=business_label(sweep.attrs.get("business"), lang),
            ),
            fontsize=15,
            fontweight=style.weight(lang),
        )
    return fig


# -- the exercise's worlds ------------------------------------------------------------------

LEVERS = ("today", "training", "speed", "voice", "paradox")
"""The worlds of the "predict, then run" exercise, in the order shown."""


def levers(base: Params, *, lang: str = "en") -> dict[str, Params]:
    """Today and four recovery levers, each changed on its own: train staff to resolve 90% of
    complaints; make 90% of resolutions quick; invite complaints so that 75% speak up about a
    problem of the reference size (smaller ones less often, so fewer than 75% of all problems
    are voiced); the recovery paradox at TARP's 8%. Keys are labels in ``lang``."""
    i18n.check(lang, where="lang")
    t, rec, com = TEXT[lang], base.recovery, base.complaints
    changes = {
        "today": {},
        "training": {"recovery.resolution_rate": 0.9},
        "speed": {"recovery.quick_share": 0.9},
        "voice": {"complaints.front_line": max(0.75, com.front_line)},
        "paradox": {"recovery.paradox_loyalty": TARP_PARADOX},
    }
    label = {
        "today": t["lever_today"],
        "training": t["lever_training"].format(rr=rec.resolution_rate),
        "speed": t["lever_speed"].format(q=rec.quick_share),
        "voice": t["lever_voice"].format(v=com.front_line),
        "paradox": t["lever_paradox"],
    }
    return {label[k]: with_changes(base, **changes[k]) for k in LEVERS}


def readable(comparison: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """A :func:`compare_years` table as a room reads it: customers at year end and customers
    lost after a problem with their 90% range, how the customers at year end differ from the
    first row and whether that is more than the noise, complaints, profit and business value."""
    i18n.check(lang, where="lang")
    t = TEXT[lang]

    def rng(key: str) -> list[str]:
        return [
            t["range"].format(m=r[key], lo=r[f"{key}_q05"], hi=r[f"{key}_q95"])
            for _, r in comparison.iterrows()
        ]

    def versus(key: str) -> list[str]:
        out = [""]
        for _, r in comparison.iloc[1:].iterrows():
            text = t["diff_range"].format(d=r[f"{key}_diff"], lo=r[f"{key}_diff_lo"],
                                          hi=r[f"{key}_diff_hi"])  # fmt: skip
            out.append(text if r[f"{key}_clear"] else f"{text} {t['within_noise']}")
        return out

    out = pd.DataFrame(
        {
            t["customers_end"]: rng("customers_end"),
            t["versus_first"]: versus("customers_end"),
            t["lost_after_problem"]: rng("lost_after_problem"),
            t["complaints"]: [f"{v:,.0f}" for v in comparison["complaints"]],
            t["profit"]: [f"{v:,.0f}" for v in comparison["profit"]],
            t["value"]: [f"{v:,.0f}" for v in comparison["value"]],
            t["value_versus_first"]: versus("value"),
        },
        index=pd.Index(list(comparison.index), name=t["world"]),
    )
    return out


# -- the recovery paradox: when would it pay? -------------------------------------------------


def _lifetime(retention: float, discount: float) -> float:
    """Lifetime value per unit of yearly margin, m·r/(1+i−r) with m = 1."""
    return retention / (1.0 + discount - retention)


def _retention(params: Params, loyalty: float = 0.0) -> float:
    """Yearly retention from ordinary churn, cut by a relative ``loyalty`` gain."""
    return math.exp(-params.natural_churn * (1.0 - loyalty))


def _handling_params(params: Params, handling: str) -> Params:
    if handling not in HANDLINGS:
        raise ValueError(f"handling must be one of {', '.join(HANDLINGS)}, got {handling!r}")
    if handling == "perfect":
        return with_changes(
            params, **{"recovery.resolution_rate": 1.0, "recovery.quick_share": 1.0}
        )
    return params


def problem_value(params: Params, loyalty: float, *, handling: str = "today") -> float:
    """Lifetime value of a customer who had a problem, as a share of one who had none.

    Everything else equal (same margin, same later visits), a customer with a problem first
    buys again or not (:func:`problem_paths`); one resolved quickly then churns ``loyalty``
    less than usual for good — the recovery paradox (``RecoveryPolicy.paradox_loyalty``).
    Lifetime value is m·r/(1+i−r) with r the yearly retention from ordinary churn
    (``natural_churn``) and i the discount rate.

    ``handling``: ``"quick"`` — a customer who complained and was resolved quickly;
    ``"today"`` — anyone with a problem under ``params``' recovery policy; ``"perfect"`` —
    anyone with a problem when every complaint is resolved quickly (the silent stay silent).
    """
    if not 0.0 <= loyalty <= 1.0:
        raise ValueError(f"loyalty must be in [0, 1], got {loyalty!r}")
    params = _handling_params(params, handling)
    i = params.economics.discount_rate
    plain = _lifetime(_retention(params), i)
    boosted = _lifetime(_retention(params, loyalty), i) / plain
    keep = _keep(params)
    if handling == "quick":
        return keep["resolved_quickly"] * boosted
    share = problem_paths(params)["share"]
    return float(
        sum(share[p] * keep[p] for p in PATHS[:-1])
        + share["resolved_quickly"] * keep["resolved_quickly"] * boosted
    )


def break_even_loyalty(params: Params, *, handling: str = "today") -> float | None:
    """The paradox size at which a problem stops costing lifetime value, or None when no
    size up to 1 (a quickly resolved customer never churning again) is enough."""
    p = _handling_params(params, handling)
    i = p.economics.discount_rate
    plain = _lifetime(_retention(p), i)
    keep = _keep(p)
    if handling == "quick":
        rest, weight = 0.0, keep["resolved_quickly"]
    else:
        share = problem_paths(p)["share"]
        rest = float(sum(share[k] * keep[k] for k in PATHS[:-1]))
        weight = float(share["resolved_quickly"] * keep["resolved_quickly"])
    if weight <= 0.0:
        return None
    need = (1.0 - rest) / weight * plain  # lifetime value the boosted customer must reach
    r = (1.0 + i) * need / (1.0 + need)
    churn = p.natural_churn
    if churn <= 0.0 or r >= 1.0:
        return 0.0 if need <= plain else None
    loyalty = 1.0 + math.log(r) / churn
    if loyalty > 1.0:
        return None
    return max(0.0, loyalty)


def paradox_table(names: Sequence[str] | None = None, *, lang: str = "en") -> pd.DataFrame:
    """Break-even paradox sizes for several businesses (default: the playable presets, not the
    decks' folklore nor the CDNOW-calibrated CD retailer): ordinary churn a year, and
    :func:`break_even_loyalty` for a complainer resolved quickly, for anyone with a problem
    today, and when every complaint is resolved quickly ("never" when no size up to 100% is
    enough)."""
    i18n.check(lang, where="lang")
    t = TEXT[lang]
    names = presets.playable() if names is None else names

    def pct(x: float | None) -> str:
        return t["never_short"] if x is None else f"{x:.0%}"

    rows = []
    for name in names:
        p = presets.get(name)
        rows.append(
            {
                t["business_col"]: business_name(p, lang),
                t["churn_col"]: f"{p.natural_churn:.0%}",
                **{t[f"even_{h}"]: pct(break_even_loyalty(p, handling=h)) for h in HANDLINGS},
            }
        )
    return pd.DataFrame(rows).set_index(t["business_col"])


def paradox_figure(params: Params, *, lang: str = "en") -> Figure:
    """Lifetime value after a problem against the size of the recovery paradox, for a
    complainer resolved quickly and for everyone with a problem (today's handling, and every
    complaint resolved quickly); TARP's 8% and the meta-analysis's "no effect" marked."""
    lang = style.figure_lang(_known(lang))
    t = TEXT[lang]
    grid = np.linspace(0.0, 1.0, 201)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(13, 7), layout="constrained")
        ax.axhline(1.0, color="black", lw=2, ls="--", label=t["no_problem"])
        for handling, colour in zip(HANDLINGS, ("#1a9850", "#d6604d", "#4393c3"), strict=True):
            values = [problem_value(params, x, handling=handling) for x in grid]
            ax.plot(grid, values, lw=3.5, color=colour, label=t[handling])
            even = break_even_loyalty(params, handling=handling)
            if even is not None:
                ax.plot([even], [1.0], "o", ms=12, color=colour, mec="black", zorder=5)
        ax.axvline(TARP_PARADOX, color="#7f3b08", lw=2)
        ax.annotate(t["tarp"], xy=(TARP_PARADOX, 0.06), xytext=(TARP_PARADOX + 0.02, 0.06),
                    fontsize=13, color="#7f3b08")  # fmt: skip
        start = problem_value(params, 0.0, handling="quick")
        ax.annotate(t["meta"], xy=(0.0, start), xytext=(0.05, 0.25), fontsize=13, color="#444",
                    arrowprops={"arrowstyle": "->", "color": "#444"})  # fmt: skip
        ax.set(xlabel=t["loyalty_axis"], ylabel=t["value_axis"], xlim=(0, 1), ylim=(0, 2.2))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", framealpha=0.95)

        def pct(x: float | None) -> str:
            return t["never"] if x is None else f"{x:.0%}"

        title = t["paradox_title"].format(
            q=pct(break_even_loyalty(params, handling="quick")),
            p=pct(break_even_loyalty(params, handling="perfect")),
            name=business_name(params, lang),
        )
        ax.set_title(title, fontweight=style.weight(lang))
    return fig


def _known(lang: str) -> str:
    return i18n.check(lang, where="lang")
