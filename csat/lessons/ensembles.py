"""Ensembles drawn: the mean of many runs with the bands their spread leaves.

The engine (:mod:`csat.sim.ensemble`) computes the tables; this module draws them, as the
lessons' other figures do, with the fonts of :mod:`csat.lessons.style`, in any language of the
course: every word on the figure comes from the catalogue namespace ``ensembles`` (and a
cause's name from ``cause``).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from csat import i18n
from csat.i18n import Namespace
from csat.lessons import style, typeset
from csat.lessons.plots import COLOURS
from csat.sim.ensemble import Ensemble
from csat.sim.state import CAUSES

TEXT = Namespace("ensembles")
"""The figure's words: ``labels`` and ``units`` of the metrics, the legend, the headlines."""

# Each metric's unit (a key of ``units`` in :data:`TEXT`) and kind: a "level" at the end of each
# day (the title quotes the last day), a "flow" counted each day or a daily "mean" (the title
# quotes each run's average day). Its label is ``labels[metric]`` in :data:`TEXT`.
_METRICS: dict[str, tuple[str, str]] = {
    "customers": ("people", "level"),
    "prospects": ("people", "level"),
    "defected": ("people", "level"),
    "customers_start": ("people", "level"),
    "visits": ("visits_per_day", "flow"),
    "very_satisfied": ("visits_per_day", "flow"),
    "basically_satisfied": ("visits_per_day", "flow"),
    "dissatisfied": ("visits_per_day", "flow"),
    "complaints_front_line": ("complaints_per_day", "flow"),
    "complaints_head_office": ("complaints_per_day", "flow"),
    "silent_problems": ("problems_per_day", "flow"),
    "resolved": ("complaints_per_day", "flow"),
    "resolved_quickly": ("complaints_per_day", "flow"),
    "new_customers": ("people_per_day", "flow"),
    "new_by_word_of_mouth": ("people_per_day", "flow"),
    "prospects_put_off": ("people_per_day", "flow"),
    "wom_positive": ("messages_per_day", "flow"),
    "wom_negative": ("messages_per_day", "flow"),
    "wom_beyond_contacts": ("messages_per_day", "flow"),
    "revenue": ("money_per_day", "flow"),
    "costs": ("money_per_day", "flow"),
    "profit": ("money_per_day", "flow"),
    "discounted_profit": ("money_per_day", "flow"),
    "mean_satisfaction": ("score", "mean"),
    "mean_expectation": ("score_0_10", "mean"),
    "clv": ("money_per_customer", "level"),
}
_MONEY = ("money_per_day", "money_per_customer")
"""The units whose numbers the headline writes in yuan."""

_TITLE_PT, _LABEL_PT = 15, 13


def _metric_info(metric: str, lang: str) -> tuple[str, str, str]:
    """A metric's label in ``lang``, its unit (a key of ``units``) and its kind."""
    words = TEXT[lang]
    if metric in _METRICS:
        unit, kind = _METRICS[metric]
        return words["labels"][metric], unit, kind
    if metric.startswith("defected_"):
        cause = metric.removeprefix("defected_")
        if cause in CAUSES:  # the cause's label, from the catalogue namespace ``cause``
            cause = i18n.t(f"cause.{cause}", lang)
        return words["lost"].format(cause=cause), "people_per_day", "flow"
    return metric, "per_day", "flow"  # a column the catalogue does not name yet: its own name


def _fits(text: str, inches: float, points: float, lang: str) -> bool:
    """Whether ``text`` at ``points`` fits on one line of ``inches`` in ``lang`` (by the mean
    width of its characters, :func:`csat.lessons.typeset.char_em`)."""
    return len(text) * typeset.char_em(lang) * points <= inches * 72


def plot(
    ens: Ensemble,
    metrics: str | Sequence[str] = ("customers",),
    ax: Axes | Sequence[Axes] | None = None,
    *,
    lang: str = "en",
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
    lang : str, optional
        The language of the figure's words (:data:`csat.i18n.LANGUAGES`); Chinese falls back
        to English, with a warning, where no Chinese font exists.

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
    lang = style.figure_lang(i18n.check(lang, where="ensembles.plot: lang"))
    words = TEXT[lang]
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
        style.rc(
            lang, **{"font.size": 13, "axes.titlesize": _TITLE_PT, "axes.labelsize": _LABEL_PT}
        )
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
            label, unit, kind = _metric_info(name, lang)
            unit_text = words["units"][unit]
            colour = COLOURS.get(name, COLOURS["customers"])
            m = b[b["metric"] == name]
            day = m["day"].to_numpy()
            a.fill_between(
                day, m["q05"], m["q95"], color=colour, alpha=0.18, lw=0, label=words["band_90"]
            )
            a.fill_between(
                day, m["q25"], m["q75"], color=colour, alpha=0.38, lw=0, label=words["band_50"]
            )
            a.plot(day, m["mean"], color=colour, lw=2.5,
                   label=words["mean_line"].format(n=ens.n_runs))  # fmt: skip
            ylabel = words["ylabel"].format(label=label, unit=unit_text)
            height = a.get_position().height * fig.get_figheight()
            # The unit alone (as a sentence starts) where "label (unit)" would not fit, and for
            # a cause of loss, whose label holds brackets of its own.
            if name not in _METRICS or not _fits(ylabel, height, _LABEL_PT, lang):
                ylabel = unit_text[:1].upper() + unit_text[1:]
            a.set(xlabel=words["day"], ylabel=ylabel)
            a.set_xlim(day[0], day[-1])
            if float(np.nanmax(np.abs(m[["q05", "q95"]].to_numpy()), initial=0.0)) >= 1_000:
                a.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
            a.legend(loc="best", fontsize=12, framealpha=0.9)
            # The title may use the figure's width less the margins of the axis labels.
            title = _headline(ens, name, label, unit, kind, lang, fig.get_figwidth() - 1.0)
            a.set_title(title, fontweight=style.weight(lang))
    return fig


def _headline(
    ens: Ensemble, name: str, label: str, unit: str, kind: str, lang: str, inches: float
) -> str:
    """The finding a panel shows: mean and 90% range across runs of one number per run, on
    one line if it fits in ``inches``, else with the range on a line of its own."""
    words = TEXT[lang]
    per_run = ens.runs.groupby("run", sort=True)[name]
    days = int(ens.runs["day"].max())
    values = per_run.last() if kind == "level" else per_run.mean()
    mean, lo, hi = values.mean(), values.quantile(0.05), values.quantile(0.95)
    fmt = _number_format(np.array([mean, lo, hi], dtype=float), money=unit in _MONEY)
    head = words[f"{kind}_head"].format(label=label, days=days, value=fmt(mean))
    band = words["band"].format(lo=fmt(lo), hi=fmt(hi))
    one = typeset.one_line(f"{head}\n{band}", lang)  # joined as the language joins lines
    return one if _fits(one, inches, _TITLE_PT, lang) else f"{head}\n{band}"


def _number_format(values: np.ndarray, *, money: bool = False):
    finite = values[np.isfinite(values)]
    span = float(np.abs(finite).max()) if finite.size else 0.0
    sign = "¥" if money else ""
    if span >= 100:
        return lambda x: f"{sign}{x:,.0f}"
    if span >= 1:
        return lambda x: f"{sign}{x:,.1f}"
    return lambda x: f"{sign}{x:.2g}"
