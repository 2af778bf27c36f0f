"""Pictures of a run, legible when projected: large fonts, labelled axes, titles that say
what the picture shows. Fonts and weights come from :mod:`csat.lessons.style`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from csat.i18n import Namespace
from csat.lessons import style
from csat.sim.run import Result
from csat.sim.state import CAUSES

COLOURS = {
    "very_satisfied": "#1a9850",
    "basically_satisfied": "#fee08b",
    "dissatisfied": "#d73027",
    "customers": "#2166ac",
    "positive": "#1a9850",
    "negative": "#d73027",
    "front_line": "#4393c3",
    "head_office": "#053061",
    "silent": "#bdbdbd",
}

LABELS = Namespace("plots")
"""Axis, legend and title words of the dashboard, read as ``LABELS[lang][key]``."""

CAUSE_NAMES = Namespace("cause")
"""Why a customer left, one label per :data:`csat.sim.state.CAUSES` (the shared registry)."""


def labels(lang: str = "en") -> dict[str, str]:
    """Axis and legend labels of the dashboard in ``lang`` (English when no Chinese font
    exists: see :func:`csat.lessons.style.figure_lang`)."""
    return LABELS[style.figure_lang(lang)]


def _weekly(values: np.ndarray) -> np.ndarray:
    n = len(values) // 7 * 7
    if n == 0:
        return np.asarray([values.sum()], float)
    return values[:n].reshape(-1, 7).sum(axis=1)


def dashboard(result: Result, *, lang: str = "en", title: str | None = None) -> Figure:
    """One figure of a run: customers, satisfaction mix, voiced vs silent problems, why
    customers left, word of mouth and money.

    Examples
    --------
    >>> from csat import sim
    >>> fig = dashboard(sim.run(sim.Params(population=2_000, days=60), rng=0))
    >>> len(fig.axes)
    6
    """
    lang = style.figure_lang(lang)
    t = LABELS[lang]
    d = result.daily
    s = result.summary()
    with plt.rc_context(
        style.rc(lang, title, **{"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13})
    ):
        fig, axes = plt.subplots(2, 3, figsize=(18, 9.5), layout="constrained")
        day = d["day"].to_numpy()

        ax = axes[0, 0]
        ax.plot(day, d["customers"], color=COLOURS["customers"], lw=2.5)
        ax.set(title=t["customers"], xlabel=t["day"], ylabel=t["people"])
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))

        ax = axes[0, 1]
        keys = ["very_satisfied", "basically_satisfied", "dissatisfied"]
        weekly = np.array([_weekly(d[k].to_numpy()) for k in keys], float)
        total = weekly.sum(axis=0)
        shares = np.divide(weekly, total, out=np.zeros_like(weekly), where=total > 0)
        weeks = np.arange(1, shares.shape[1] + 1)
        ax.stackplot(weeks, shares, labels=[t[k] for k in keys], colors=[COLOURS[k] for k in keys])
        ax.set(title=t["mix"], xlabel=t["week"], ylabel=t["share_visits"], ylim=(0, 1))
        ax.legend(loc="lower left", fontsize=11, framealpha=0.9)

        ax = axes[0, 2]
        front = _weekly(d["complaints_front_line"].to_numpy())
        head = _weekly(d["complaints_head_office"].to_numpy())
        silent = _weekly(d["silent_problems"].to_numpy())
        ax.bar(weeks, silent, color=COLOURS["silent"], label=t["silent"])
        ax.bar(
            weeks, front - head, bottom=silent, color=COLOURS["front_line"], label=t["front_line"]
        )
        ax.bar(
            weeks,
            head,
            bottom=silent + front - head,
            color=COLOURS["head_office"],
            label=t["head_office"],
        )
        ax.set(title=t["complaints"], xlabel=t["week"], ylabel=t["problems_per_week"])
        ax.set_ylim(0, max(float((silent + front).max()), 1.0) * 1.45)
        ax.legend(loc="upper right", fontsize=11, framealpha=0.9)

        ax = axes[1, 0]
        # Lapsing exists only where customers differ (params.customers): no empty bar for it
        # in a business where it cannot happen.
        shown = [c for c in CAUSES if c != "lapsed" or int(s["defections_lapsed"]) > 0]
        counts = [int(s[f"defections_{c}"]) for c in shown]
        cause = CAUSE_NAMES[lang]  # the one registry of cause labels
        names = [cause[c] for c in shown]
        order = np.argsort(counts)
        ax.barh([names[i] for i in order], [counts[i] for i in order], color="#762a83")
        for y, i in enumerate(order):
            ax.text(counts[i], y, f" {counts[i]:,}", va="center", fontsize=12)
        ax.set(title=t["defections"], xlabel=t["count"])
        ax.set_xlim(0, max(max(counts), 1) * 1.2)

        ax = axes[1, 1]
        ax.plot(
            day, d["wom_positive"].cumsum(), color=COLOURS["positive"], lw=2.5, label=t["positive"]
        )
        ax.plot(
            day, d["wom_negative"].cumsum(), color=COLOURS["negative"], lw=2.5, label=t["negative"]
        )
        ax.set(title=t["wom"], xlabel=t["day"], ylabel=t["messages"])
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.legend(loc="upper left", fontsize=11)

        ax = axes[1, 2]
        ax.plot(day, d["revenue"].cumsum() / 1e6, color="#35978f", lw=2.5, label=t["revenue"])
        ax.plot(day, d["profit"].cumsum() / 1e6, color="#8c510a", lw=2.5, label=t["profit"])
        ax.axhline(0, color="black", lw=0.8)
        ax.set(title=t["money"], xlabel=t["day"], ylabel=t["yuan"])
        ax.legend(loc="upper left", fontsize=11)

        start = max(int(s["customers_start"]), 1)
        lost = max(int(s["defections"]), 1)
        heading = title or t["title"].format(
            customers_end=int(s["customers_end"]),
            days=int(s["days"]),
            change=int(s["customers_end"]) / start - 1,
            voiced=float(np.nan_to_num(s["share_of_problems_voiced"])),
            silent_share=int(s["defections_silent"]) / lost,
        )
        fig.suptitle(heading, fontsize=17, fontweight=style.weight(lang, heading))
    return fig
