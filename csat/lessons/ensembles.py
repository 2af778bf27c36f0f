"""Ensembles drawn: the mean of many runs with the bands their spread leaves.

The engine (:mod:`csat.sim.ensemble`) computes the tables; this module draws them, as the
lessons' other figures do, with the fonts of :mod:`csat.lessons.style`.

Its words are English only, as they were when the figure lived in the engine (no Chinese
exists for them yet).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from csat import i18n
from csat.lessons import style
from csat.lessons.plots import COLOURS
from csat.sim.ensemble import Ensemble
from csat.sim.state import CAUSES

# label, y-axis unit, and kind: a "level" at the end of each day (the title quotes the last
# day), a "flow" counted each day or a daily "mean" (the title quotes each run's average day).
_METRICS: dict[str, tuple[str, str, str]] = {
    "customers": ("Customers", "people", "level"),
    "prospects": ("Prospects", "people", "level"),
    "defected": ("Former customers", "people", "level"),
    "customers_start": ("Customers at start of day", "people", "level"),
    "visits": ("Visits", "visits per day", "flow"),
    "very_satisfied": ("Very satisfied visits", "visits per day", "flow"),
    "basically_satisfied": ("Basically satisfied visits", "visits per day", "flow"),
    "dissatisfied": ("Dissatisfied visits", "visits per day", "flow"),
    "complaints_front_line": ("Complaints to the front line", "complaints per day", "flow"),
    "complaints_head_office": ("Complaints to head office", "complaints per day", "flow"),
    "silent_problems": ("Silent problems", "problems per day", "flow"),
    "resolved": ("Complaints resolved", "complaints per day", "flow"),
    "resolved_quickly": ("Complaints resolved quickly", "complaints per day", "flow"),
    "new_customers": ("New customers", "people per day", "flow"),
    "new_by_word_of_mouth": ("New customers by word of mouth", "people per day", "flow"),
    "prospects_put_off": ("Prospects put off by bad news", "people per day", "flow"),
    "wom_positive": ("Good-news messages", "messages per day", "flow"),
    "wom_negative": ("Bad-news messages", "messages per day", "flow"),
    "revenue": ("Revenue", "¥ per day", "flow"),
    "costs": ("Costs", "¥ per day", "flow"),
    "profit": ("Profit", "¥ per day", "flow"),
    "discounted_profit": ("Discounted profit", "¥ per day", "flow"),
    "mean_satisfaction": ("Mean satisfaction", "score", "mean"),
    "mean_expectation": ("Mean expectation", "score (0–10)", "mean"),
    "clv": ("Customer lifetime value", "¥ per customer", "level"),
}


def _metric_info(metric: str) -> tuple[str, str, str]:
    if metric in _METRICS:
        return _METRICS[metric]
    if metric.startswith("defected_"):
        cause = metric.removeprefix("defected_")
        if cause in CAUSES:  # the cause's label, from the catalogue namespace ``cause``
            cause = i18n.t(f"cause.{cause}", "en")
        return f"Customers lost ({cause})", "people per day", "flow"
    return metric.replace("_", " ").capitalize(), "per day", "flow"


def plot(
    ens: Ensemble,
    metrics: str | Sequence[str] = ("customers",),
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """Mean line with shaded 50% and 90% bands across runs, one panel per metric.

    Parameters
    ----------
    ens : csat.sim.Ensemble
        The runs to draw (:func:`csat.sim.ensemble`).
    metrics : str or sequence of str, optional
        Daily metrics to draw (columns of :attr:`Ensemble.runs`).
    ax : matplotlib Axes or sequence of Axes, optional
        Where to draw, one Axes per metric; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel holds the mean (a line) and two shaded bands (the middle 50% and 90% of
        runs); its title states the last day's mean and 90% range.

    Examples
    --------
    >>> from csat.sim import Params, ensemble
    >>> ens = ensemble(Params(population=500, days=20), 3, rng=0, n_jobs=1)
    >>> fig = plot(ens, ["customers", "revenue"])
    >>> [len(a.collections) for a in fig.axes]
    [2, 2]
    """
    names = ens._check_metrics(metrics, "ensembles.plot")
    if ax is None:
        axes = None
    else:
        axes = [ax] if not isinstance(ax, Sequence | np.ndarray) else list(np.ravel(ax))
        if len(axes) != len(names):
            raise ValueError(
                f"ensembles.plot: ax must hold one Axes per metric ({len(names)}), got {len(axes)}"
            )
    b = ens.bands(names, quantiles=(0.05, 0.25, 0.75, 0.95))
    with plt.rc_context(
        style.rc("en", **{"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13})
    ):
        if axes is None:
            fig, grid = plt.subplots(
                len(names),
                1,
                figsize=(11, 4.8 * len(names)),
                layout="constrained",
                squeeze=False,
            )
            axes = list(grid[:, 0])
        fig = axes[0].figure
        for a, name in zip(axes, names, strict=True):
            label, unit, kind = _metric_info(name)
            colour = COLOURS.get(name, COLOURS["customers"])
            m = b[b["metric"] == name]
            day = m["day"].to_numpy()
            a.fill_between(
                day, m["q05"], m["q95"], color=colour, alpha=0.18, lw=0, label="90% of runs"
            )
            a.fill_between(
                day, m["q25"], m["q75"], color=colour, alpha=0.38, lw=0, label="50% of runs"
            )
            a.plot(day, m["mean"], color=colour, lw=2.5, label=f"Mean of {ens.n_runs} runs")
            ylabel = f"{label} ({unit})" if len(label) + len(unit) <= 28 else unit.capitalize()
            a.set(xlabel="Day", ylabel=ylabel)
            a.set_xlim(day[0], day[-1])
            if float(np.nanmax(np.abs(m[["q05", "q95"]].to_numpy()), initial=0.0)) >= 1_000:
                a.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
            a.legend(loc="best", fontsize=12, framealpha=0.9)
            a.set_title(_headline(ens, name, label, unit, kind), fontweight=style.weight("en"))
    return fig


def _headline(ens: Ensemble, name: str, label: str, unit: str, kind: str) -> str:
    """The finding a panel shows: mean and 90% range across runs of one number per run."""
    per_run = ens.runs.groupby("run", sort=True)[name]
    days = int(ens.runs["day"].max())
    if kind == "level":
        values = per_run.last()
        what = f"{label} after {days} days"
    else:
        values = per_run.mean()
        what = (
            f"{label}, average over {days} days" if kind == "flow" else f"{label} over {days} days"
        )
    mean, lo, hi = values.mean(), values.quantile(0.05), values.quantile(0.95)
    fmt = _number_format(np.array([mean, lo, hi], dtype=float), money=unit.startswith("¥"))
    rate = " a day" if kind == "flow" else ""
    head = f"{what}: {fmt(mean)}{rate}"
    band = f"(90% of runs between {fmt(lo)} and {fmt(hi)})"
    # One line fits about 80 characters at the projected font size.
    return f"{head} {band}" if len(head) + len(band) < 80 else f"{head}\n{band}"


def _number_format(values: np.ndarray, *, money: bool = False):
    finite = values[np.isfinite(values)]
    span = float(np.abs(finite).max()) if finite.size else 0.0
    sign = "¥" if money else ""
    if span >= 100:
        return lambda x: f"{sign}{x:,.0f}"
    if span >= 1:
        return lambda x: f"{sign}{x:,.1f}"
    return lambda x: f"{sign}{x:.2g}"
