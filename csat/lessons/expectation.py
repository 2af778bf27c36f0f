"""Expectation and experience: the figures and tables of module S1.

A customer compares each visit with what they expected (disconfirmation); loss aversion makes
a shortfall weigh more than a surplus, so the zone of tolerance is lopsided, and a bigger
promise raises the expectation a visit must meet. What lives here: :func:`visit_outcomes`,
:func:`tolerance_zone`, :func:`outcome_shares`, :func:`outcome_zones_figure`,
:func:`loss_aversion_figure`, :func:`quality_shift`, :func:`over_promising`,
:func:`promise_quality_plans`, :func:`over_promising_figure`. The slider explorer of the
same lesson is a widget, ``PromiseQualityExplorer`` in the UI layer's ``teaching`` module;
notebooks reach the rest through :mod:`csat.lessons.teaching`.

Figures follow the course's projection rules (13 pt text and more, units on the axes, a title
that states the finding from the very numbers drawn); fonts come from :mod:`csat.lessons.style`
and every word from the catalogue namespace ``teaching``.

>>> lo, hi = tolerance_zone(Params())
>>> lo < 0 < hi
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from csat import i18n
from csat.lessons import plots, style
from csat.sim import analytic, presets, steps
from csat.sim._rng import as_generator
from csat.sim.params import Params, with_changes
from csat.sim.run import run

OUTCOMES = ("very_satisfied", "basically_satisfied", "dissatisfied")
"""The course's three outcomes of a visit, best first."""

_OUTCOME_OF_CODE = np.array(["dissatisfied", "basically_satisfied", "very_satisfied"])
_RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 14, "legend.fontsize": 13}

TEXT = i18n.Namespace("teaching")
"""The words of the teaching figures, ``TEXT[lang][key]``."""


def visit_outcomes(
    params: Params,
    n: int = 20_000,
    *,
    own_view: float | None = None,
    rng: int | np.random.Generator | None = 0,
) -> pd.DataFrame:
    """``n`` visits of one customer to the business ``params`` describes, as the simulator
    scores them: experience, expectation, disconfirmation, satisfaction and outcome.

    The customer's own view defaults to the service's mean experience (a regular customer whose
    view has adapted to the service); the expectation mixes it with the firm's promise.

    Examples
    --------
    >>> v = visit_outcomes(presets.get("hotel"), 1_000, rng=1)
    >>> list(v.columns)
    ['experience', 'expectation', 'disconfirmation', 'satisfaction', 'outcome']
    >>> bool((v["disconfirmation"] == v["experience"] - v["expectation"]).all())
    True
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"visit_outcomes: n must be a positive integer, got {n!r}")
    gen = as_generator(rng)
    x = steps.experience(params.service, n, gen)
    view = params.service.mean_experience if own_view is None else float(own_view)
    e = steps.expectation(params.expectations, np.full(n, view))
    sat = steps.satisfaction(params.satisfaction, x, e)
    code = steps.classify(params.satisfaction, sat)
    return pd.DataFrame(
        {
            "experience": x,
            "expectation": e,
            "disconfirmation": x - e,
            "satisfaction": sat,
            "outcome": pd.Categorical(_OUTCOME_OF_CODE[code], categories=list(OUTCOMES)),
        }
    )


def tolerance_zone(params: Params) -> tuple[float, float]:
    """The zone of tolerance on the experience − expectation scale: ``(lower, upper)``.

    A visit whose disconfirmation d lies inside is *basically satisfied*; above ``upper`` it is
    *very satisfied*, below ``lower`` *dissatisfied*. Loss aversion makes the zone lopsided:
    a small shortfall already disappoints, while delight needs a larger surplus.

    Examples
    --------
    >>> lo, hi = tolerance_zone(Params())
    >>> round(lo, 3), round(hi, 3)
    (-0.207, 0.455)
    """
    s = params.satisfaction
    upper = s.tolerance ** (1.0 / s.curvature)
    lower = -((s.tolerance / s.loss_aversion) ** (1.0 / s.curvature))
    return lower, upper


def outcome_shares(outcome: pd.Series | pd.Categorical) -> pd.Series:
    """Share of visits in each of the three outcomes, best first (sums to 1)."""
    counts = pd.Series(pd.Categorical(outcome, categories=list(OUTCOMES))).value_counts()
    return (counts / counts.sum()).reindex(list(OUTCOMES))


def outcome_zones_figure(visits: pd.DataFrame, params: Params, *, lang: str = "en") -> Figure:
    """Histogram of one customer's visit experiences, coloured by the outcome each gives.

    A dashed line marks the expectation and a grey band the zone of tolerance, from *adequate*
    to *desired* service; the legend and the title give the share of each outcome.
    """
    lang = style.figure_lang(i18n.check(lang, where="lang"))
    t = TEXT[lang]
    shares = outcome_shares(visits["outcome"])
    e = float(visits["expectation"].mean())
    lo, hi = tolerance_zone(params)
    x = visits["experience"].to_numpy()
    # Bins about 0.1 wide with edges on both ends of the zone, so no bin straddles an outcome.
    width = (hi - lo) / max(1, round((hi - lo) / 0.1))
    first = e + lo - math.ceil((e + lo - x.min()) / width) * width
    bins = first + width * np.arange(math.ceil((x.max() - first) / width) + 2)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(13, 6.8), layout="constrained")
        order = list(reversed(OUTCOMES))
        ax.hist(
            [visits.loc[visits["outcome"] == key, "experience"] for key in order],
            bins=bins,
            stacked=True,
            color=[plots.COLOURS[key] for key in order],
            edgecolor="#555555",
            linewidth=0.3,
            label=[f"{t[key]}: {shares[key]:.0%}" for key in order],
        )
        ax.axvspan(e + lo, e + hi, color="#888888", alpha=0.18, lw=0, zorder=0)
        ax.axvline(e, color="black", ls="--", lw=2)
        top = ax.get_ylim()[1]
        ax.set_ylim(0, top * 1.28)
        ax.text(
            e,
            top * 1.2,
            t["expectation_line"].format(e=e),
            ha="center",
            fontsize=14,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 2},
        )
        ax.annotate(
            f"{t['zone']}\n{t['adequate']} {e + lo:.2f} – {t['desired']} {e + hi:.2f}",
            xy=(e + hi, top * 0.98),
            xytext=(e + hi + 0.5, top * 1.02),
            fontsize=13,
            arrowprops={"arrowstyle": "->", "color": "#444444"},
        )
        ax.set(xlabel=t["experience_axis"], ylabel=t["visits_axis"].format(n=len(visits)))
        ax.legend(loc="upper left", framealpha=0.95)
        ax.set_title(
            t["zones_title"].format(
                very=shares["very_satisfied"],
                basic=shares["basically_satisfied"],
                dis=shares["dissatisfied"],
            ),
            fontweight=style.weight(lang),
        )
    return fig


def loss_aversion_figure(
    *, loss_aversion: float = 2.0, curvature: float = 0.88, lang: str = "en"
) -> Figure:
    """The prospect-theory value of disconfirmation, with and without loss aversion.

    v(d) = d^α above expectation, −λ(−d)^α below (:func:`csat.sim.analytic.value`); the figure
    marks one point short and one point over, and shades the zone of tolerance of the
    simulator's default (±0.5 on the value scale).
    """
    lang = style.figure_lang(i18n.check(lang, where="lang"))
    t = TEXT[lang]
    d = np.linspace(-3, 3, 601)
    v = analytic.value(d, loss_aversion, curvature)
    v1 = analytic.value(d, 1.0, curvature)
    over, short = (float(x) for x in analytic.value([1.0, -1.0], loss_aversion, curvature))
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(12, 7), layout="constrained")
        ax.axhspan(-0.5, 0.5, color="#888888", alpha=0.15, lw=0)
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(0, color="black", lw=0.8)
        ax.plot(d, v1, color="#777777", ls="--", lw=2.5, label=t["no_loss_aversion"])
        ax.plot(d, v, color="#b2182b", lw=3.5, label=t["loss_aversion"].format(lam=loss_aversion))
        ax.plot([1, -1], [over, short], "o", color="black", ms=10, zorder=5)
        ax.annotate(
            t["over"].format(v=over),
            xy=(1, over),
            xytext=(1.3, over - 1.3),
            fontsize=14,
            arrowprops={"arrowstyle": "->"},
        )
        ax.annotate(
            t["short"].format(v=short),
            xy=(-1, short),
            xytext=(0.25, short - 0.4),
            fontsize=14,
            arrowprops={"arrowstyle": "->"},
        )
        ax.text(2.95, 0.08, t["zone"], ha="right", va="bottom", fontsize=12, color="#444444")
        ax.set(xlabel=t["d_axis"], ylabel=t["v_axis"], xlim=(-3, 3))
        ax.legend(loc="upper left", framealpha=0.95)
        ax.set_title(t["loss_title"].format(ratio=-short / over), fontweight=style.weight(lang))
    return fig


def quality_shift(params: Params, shift: float) -> Params:
    """``params`` with every SERVQUAL dimension's mean quality moved by ``shift`` points (kept
    within 0–10).

    Examples
    --------
    >>> quality_shift(Params(), 0.5).service.quality[0]
    8.3
    """
    quality = tuple(min(10.0, max(0.0, q + shift)) for q in params.service.quality)
    return with_changes(params, **{"service.quality": quality})


def _row(s: pd.Series) -> dict[str, float]:
    return {
        "very_satisfied": float(s["share_very_satisfied"]),
        "basically_satisfied": float(s["share_basically_satisfied"]),
        "dissatisfied": float(s["share_dissatisfied"]),
        "retention_per_year": float(s["retention_per_year"]),
        "customers_end": float(s["customers_end"]),
        "profit": float(s["profit"]),
        "clv": float(s["clv"]),
    }


def over_promising(
    preset: str = "hotel",
    promises: Sequence[float] = (7.0, 7.8, 8.6, 9.4),
    *,
    quality: float = 0.0,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """One simulated year of the same business at several promises, quality held fixed.

    Parameters
    ----------
    preset : str
        A name from :func:`csat.sim.presets.names`.
    promises : sequence of float
        The promises to try (0–10).
    quality : float, optional
        Points added to every SERVQUAL dimension (see :func:`quality_shift`), the same in
        every run.
    rng : int
        One seed for every run, so the runs differ by the promise, not by luck.
    **changes
        Further dotted parameter changes (e.g. ``population=5_000``).

    Returns
    -------
    pandas.DataFrame
        Index ``promise``; columns: the three outcome shares of visits, mean expectation,
        customers kept per year, customers at the end, profit and lifetime value.
    """
    base = quality_shift(presets.get(preset, **changes), quality)
    rows = []
    for promise in promises:
        result = run(with_changes(base, **{"expectations.promise": float(promise)}), rng=rng)
        row = _row(result.summary())
        row["mean_expectation"] = float(np.nanmean(result.daily["mean_expectation"]))
        rows.append({"promise": float(promise), **row})
    cols = ["promise", *OUTCOMES, "mean_expectation", "retention_per_year", "customers_end"]
    return pd.DataFrame(rows)[[*cols, "profit", "clv"]].set_index("promise")


def promise_quality_plans(
    preset: str,
    plans: Mapping[str, tuple[float, float]],
    *,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """One simulated year per plan, each plan a ``(promise, quality change)`` pair.

    For "predict, then run" exercises: what happens when marketing raises the promise while
    operations raise quality? Every plan runs on the same seed.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario`` (the plan labels, in order); columns ``promise``,
        ``quality_shift`` and those of :func:`over_promising`.
    """
    rows = []
    for label, (promise, shift) in plans.items():
        one = over_promising(preset, (promise,), quality=shift, rng=rng, **changes)
        row = one.reset_index().iloc[0].to_dict()
        rows.append(
            {"scenario": label, "promise": row.pop("promise"), "quality_shift": shift, **row}
        )
    return pd.DataFrame(rows).set_index("scenario")


def over_promising_figure(
    table: pd.DataFrame, *, today: float | None = None, lang: str = "en"
) -> Figure:
    """Two panels from :func:`over_promising`: the outcome mix of visits at each promise
    (stacked bars), and the share of customers kept per year.

    ``today`` marks the business's current promise on both panels.
    """
    lang = style.figure_lang(i18n.check(lang, where="lang"))
    t = TEXT[lang]
    promises = table.index.to_numpy(dtype=float)
    labels = [f"{p:.1f}" + (f"\n({t['today']})" if today == p else "") for p in promises]
    y = np.arange(len(promises))
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, (ax, bx) = plt.subplots(
            1, 2, figsize=(16, 6.8), layout="constrained", width_ratios=(2.2, 1), sharey=True
        )
        left = np.zeros(len(promises))
        for key in OUTCOMES:
            share = table[key].to_numpy()
            ax.barh(y, share, left=left, color=plots.COLOURS[key], label=t[key], height=0.65)
            for yi, (lf, s) in enumerate(zip(left, share, strict=True)):
                if s >= 0.06:
                    ax.text(lf + s / 2, yi, f"{s:.0%}", ha="center", va="center", fontsize=14)
            left += share
        ax.set(xlim=(0, 1), xlabel=t["share_axis"], ylabel=t["promise_axis"])
        ax.set_yticks(y, labels)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_title(t["mix_panel"])
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3, frameon=False)
        kept = table["retention_per_year"].to_numpy()
        bx.barh(y, kept, color=plots.COLOURS["customers"], height=0.65)
        for yi, k in enumerate(kept):
            bx.text(k, yi, f" {k:.0%}", va="center", fontsize=14)
        bx.set(xlim=(0, 1), xlabel=t["kept_axis"])
        bx.xaxis.set_major_formatter(PercentFormatter(1.0))
        bx.set_title(t["kept_panel"])
        dis = table["dissatisfied"].to_numpy()
        fig.suptitle(
            t["promise_title"].format(lo=dis[0], hi=dis[-1], klo=kept[0], khi=kept[-1]),
            fontsize=16,
            fontweight=style.weight(lang),
        )
    return fig
