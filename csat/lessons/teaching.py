"""Figures, tables and small widgets for the teaching notebooks on expectations and loyalty.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure`, a pandas
:class:`~pandas.DataFrame` or a widget, and takes ``lang`` (``"en"`` or ``"zh"``) where it
shows words. Tables come back with plain snake_case columns so they can be computed with;
:func:`readable` turns one into what a room reads (translated headers, formatted numbers).
Figures follow the course's projection rules: 13 pt text and more, units on the axes, and a
title that states the finding, built from the very numbers the figure draws.

Fonts and title weights come from :mod:`csat.lessons.style`, as in every figure module.

What lives here:

- expectation and experience: :func:`visit_outcomes`, :func:`tolerance_zone`,
  :func:`outcome_zones_figure`, :func:`loss_aversion_figure`, :func:`over_promising`,
  :func:`over_promising_figure`, :func:`quality_shift`, :class:`PromiseQualityExplorer`;
- loyalty and value: :func:`five_year_losses`, :func:`satisfaction_gain_test`,
  :func:`clv_table`, :func:`deck_clv_examples`, :func:`clv_growing`, :func:`growth_needed`,
  :func:`retention_gain_figure`, :func:`retention_test`, :func:`strategies`,
  :func:`why_customers_leave_figure`, :class:`RetentionGainSlider`.

>>> round(clv_growing(100, 0.8, 0.1, 0.0), 2)  # no growth: the usual m·r/(1+i−r)
266.67
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

from csat.i18n import Namespace
from csat.lessons import plots, style
from csat.sim import analytic, presets, steps
from csat.sim._rng import as_generator
from csat.sim.ensemble import ensemble
from csat.sim.params import Params, with_changes
from csat.sim.run import Result, run
from csat.sim.state import CAUSES
from csat.ui.explorers import Explorer, figure_png, headline_html

OUTCOMES = ("very_satisfied", "basically_satisfied", "dissatisfied")
"""The course's three outcomes of a visit, best first."""

_OUTCOME_OF_CODE = np.array(["dissatisfied", "basically_satisfied", "very_satisfied"])
_RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 14, "legend.fontsize": 13}

# The decks' reasons why customers leave a supplier (course brief S10), in percent.
WHY_LEAVE = {
    "die": 1,
    "move": 3,
    "friend": 5,
    "competitor": 9,
    "problem": 14,
    "indifference": 68,
}

# The decks' lifetime-value examples (course brief S9): US dollars over a number of years.
DECK_CLV = {
    "coca_cola": (11_000, 50),
    "marlboro": (25_000, 30),
    "att": (72_000, 30),
}

TEXT = Namespace("teaching")

# Column headers and number formats of :func:`readable`.
COLUMNS: dict[str, tuple[str, str, str]] = {
    "scenario": ("Scenario", "方案", "{}"),
    "preset": ("Business", "业态", "{}"),
    "promise": ("Promise (0–10)", "服务承诺（0–10）", "{:.1f}"),
    "quality_shift": ("Quality change (points)", "质量变化（分）", "{:+.1f}"),
    "loss_aversion": ("Loss aversion λ", "损失厌恶系数 λ", "{:.1f}"),
    "natural_churn": ("Ordinary churn per year", "每年正常流失率", "{:.0%}"),
    "very_satisfied": ("Very satisfied", "很满意", "{:.1%}"),
    "basically_satisfied": ("Basically satisfied", "基本满意", "{:.1%}"),
    "dissatisfied": ("Dissatisfied", "不满意", "{:.1%}"),
    "satisfied": ("Satisfied (very + basically)", "满意（很满意＋基本满意）", "{:.1%}"),
    "mean_expectation": ("Mean expectation (0–10)", "平均期望（0–10）", "{:.2f}"),
    "retention_per_year": ("Kept per year", "年保留率", "{:.1%}"),
    "kept_after_5_years": ("Still there after 5 years", "5年后仍在", "{:.0%}"),
    "lost_in_5_years": ("Lost in 5 years", "5年内流失", "{:.0%}"),
    "customers_end": ("Customers at the end", "期末客户数", "{:,.0f}"),
    "new_customers": ("New customers", "新客户数", "{:,.0f}"),
    "profit": ("Profit in the period (¥)", "期间利润（元）", "{:,.0f}"),
    "profit_change": ("Profit change", "利润变化", "{:+.0%}"),
    "margin_per_customer_year": ("Margin per customer-year (¥)", "每客户每年毛利（元）", "{:,.0f}"),
    "clv": ("Lifetime value (¥)", "客户终身价值（元）", "{:,.0f}"),
    "clv_q05": ("…5% of runs below (¥)", "……5%的模拟低于（元）", "{:,.0f}"),
    "clv_q95": ("…5% of runs above (¥)", "……5%的模拟高于（元）", "{:,.0f}"),
    "clv_change": ("Lifetime value change", "终身价值变化", "{:+.0%}"),
    "customer_value": ("Customers × lifetime value (¥)", "客户数 × 终身价值（元）", "{:,.0f}"),
    "business_value": ("Business value (¥)", "企业价值（元）", "{:,.0f}"),
    "retention": ("Retention r", "留存率 r", "{:.0%}"),
    "expected_years": ("Expected years as a customer", "预期客户年数", "{:.1f}"),
    "margin_multiple": ("Margin multiple r/(1+i−r)", "毛利倍数 r/(1+i−r)", "{:.2f}"),
    "gain_vs_5_points_less": ("Gain over 5 points less", "比低5个百分点时高出", "{:+.0%}"),
    "brand": ("Deck example", "课件案例", "{}"),
    "deck_figure_usd": ("Deck figure ($)", "课件数字（美元）", "{:,.0f}"),
    "years": ("Years", "年数", "{:.0f}"),
    "spend_per_year_usd": ("Spend per year ($)", "每年消费（美元）", "{:,.0f}"),
    "value_today_if_stays_usd": (
        "Worth today if she surely stays ($)",
        "一定留满时的现值（美元）",
        "{:,.0f}",
    ),
    "retention_for_that_tenure": ("Retention giving that tenure", "对应的年留存率", "{:.1%}"),
    "clv_usd": ("CLV at that retention ($)", "按该留存率的CLV（美元）", "{:,.0f}"),
}

PRESET_LABELS = {
    "car_dealer": ("Car dealer", "4S店"),
    "hotel": ("Business hotel", "商务酒店"),
    "hotpot": ("Hot-pot restaurant", "火锅店"),
    "sales_office": ("Sales office", "房地产案场"),
    "b2b_supplier": ("B2B supplier", "B2B供应商"),
    "airline": ("Airline", "航空公司"),
    "deck_folklore": ("Car dealer, decks' figures", "按课件数字运行的4S店"),
}


def preset_label(name: str, lang: str = "en") -> str:
    """A short name of the preset ``name`` for tables and figure titles, in ``lang``.

    Examples
    --------
    >>> preset_label("car_dealer", "zh")
    '4S店'
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {sorted(TEXT)}, got {lang!r}")
    if name not in PRESET_LABELS:
        raise ValueError(f"preset must be one of {sorted(PRESET_LABELS)}, got {name!r}")
    return PRESET_LABELS[name][1 if lang == "zh" else 0]


BRANDS = {
    "coca_cola": ("Coca-Cola drinker", "可口可乐消费者"),
    "marlboro": ("Marlboro smoker", "万宝路吸烟者"),
    "att": ("AT&T customer", "AT&T用户"),
}


def readable(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A table from this module as a room reads it: headers in ``lang``, numbers formatted.

    Known columns (and the index name) get their header from :data:`COLUMNS` and its number
    format (percentages, thousands separators); others are left as they are.

    Examples
    --------
    >>> t = pd.DataFrame({"retention": [0.8], "clv": [266.666]})
    >>> readable(t).to_dict("records")
    [{'Retention r': '80%', 'Lifetime value (¥)': '267'}]
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {sorted(TEXT)}, got {lang!r}")
    pick = 1 if lang == "zh" else 0
    out = table.copy()
    for col in out.columns:
        if col in COLUMNS:
            fmt = COLUMNS[col][2]
            out[col] = [fmt.format(v) if _is_value(v) else "–" for v in out[col]]
    out = out.rename(columns={c: COLUMNS[c][pick] for c in out.columns if c in COLUMNS})
    name = out.index.name
    if name in COLUMNS:
        fmt = COLUMNS[name][2]
        out.index = pd.Index([fmt.format(v) for v in out.index], name=COLUMNS[name][pick])
    return out


def _is_value(v: Any) -> bool:
    if isinstance(v, str):
        return True
    try:
        return bool(np.isfinite(float(v)))
    except (TypeError, ValueError):
        return False


# -- expectation and experience -------------------------------------------------------------


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
    lang = style.figure_lang(_known(lang))
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
    lang = style.figure_lang(_known(lang))
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
    lang = style.figure_lang(_known(lang))
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


class PromiseQualityExplorer(Explorer):
    """The simulator's :class:`~csat.ui.explorers.Explorer` with a third slider for quality.

    Sliders: the promise, loss aversion λ, and a quality change in points added to every
    SERVQUAL dimension (:func:`quality_shift`). Each change re-runs the same seeded year and
    redraws the dashboard and the headline figures.

    Examples
    --------
    >>> ex = PromiseQualityExplorer("hotel", population=2_000, days=30)
    >>> ex.quality.value = 0.5
    >>> round(ex.result.params.service.quality[0] - presets.get("hotel").service.quality[0], 6)
    0.5
    """

    def __init__(self, preset: str = "hotel", *, lang: str = "en", **kwargs: Any) -> None:
        import ipywidgets as w

        self.quality = w.FloatSlider(
            value=0.0,
            min=-1.5,
            max=1.5,
            step=0.1,
            description=TEXT["zh" if lang == "zh" else "en"]["quality_slider"],
            continuous_update=False,
            style={"description_width": "220px"},
            layout=w.Layout(width="520px"),
        )
        super().__init__(
            preset,
            controls=("expectations.promise", "satisfaction.loss_aversion"),
            lang=lang,
            **kwargs,
        )
        self.quality.observe(self._changed, names="value")
        self.widget = w.VBox(
            [
                w.HBox([w.VBox([*self.sliders.values(), self.quality]), self.headlines]),
                self.image,
            ]
        )

    def _run(self) -> Result:
        changes = {name: s.value for name, s in self.sliders.items()}
        params = quality_shift(with_changes(self.base, **changes), self.quality.value)
        result = run(params, rng=self.seed)
        self.headlines.value = headline_html(result, self.lang)
        self.image.value = figure_png(self._draw(result, self.lang))
        return result


# -- loyalty and value ----------------------------------------------------------------------


def five_year_losses(
    names: Sequence[str] = ("car_dealer", "b2b_supplier", "hotel"),
    *,
    rng: int = 1,
    lang: str = "en",
) -> pd.DataFrame:
    """Customers kept per year in one simulated year of each business, and what that means
    over five years (kept after five years = r⁵), to set beside the decks' "45–50% lost every
    five years".

    Returns
    -------
    pandas.DataFrame
        Index ``preset`` (short names in ``lang``, see :func:`preset_label`); columns
        ``retention_per_year``, ``kept_after_5_years``, ``lost_in_5_years``.
    """
    rows = []
    for name in names:
        r = float(run(presets.get(name), rng=rng).summary()["retention_per_year"])
        rows.append(
            {
                "preset": preset_label(name, lang),
                "retention_per_year": r,
                "kept_after_5_years": r**5,
                "lost_in_5_years": 1 - r**5,
            }
        )
    return pd.DataFrame(rows).set_index("preset")


def _ensemble_means(params: Params, n_runs: int, rng: int) -> pd.Series:
    ens = ensemble(params, n_runs, rng=rng, n_jobs=1)
    s = ens.summaries.astype(float)
    out = s.mean()
    out["clv_q05"] = s["clv"].quantile(0.05)
    out["clv_q95"] = s["clv"].quantile(0.95)
    return out


def satisfaction_gain_test(
    preset: str = "hotel",
    shifts: Sequence[float] = (0.0, 0.3),
    *,
    n_runs: int = 3,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """Test the decks' "5 points more satisfaction doubles profit" (5:100).

    Runs the business ``n_runs`` times (:func:`csat.sim.ensemble`) at each quality change in
    ``shifts`` (points added to every dimension, at no cost — the most favourable case) and
    reports the share of satisfied visits, profit and lifetime value, with the change against
    the first row.

    Returns
    -------
    pandas.DataFrame
        Index ``quality_shift``; columns ``satisfied``, ``very_satisfied``, ``profit``,
        ``profit_change``, ``clv``, ``clv_change``, each the mean over the runs.
    """
    base = presets.get(preset, **changes)
    rows = []
    for shift in shifts:
        s = _ensemble_means(quality_shift(base, shift), n_runs, rng)
        rows.append(
            {
                "quality_shift": float(shift),
                "satisfied": s["share_very_satisfied"] + s["share_basically_satisfied"],
                "very_satisfied": s["share_very_satisfied"],
                "profit": s["profit"],
                "clv": s["clv"],
            }
        )
    out = pd.DataFrame(rows).set_index("quality_shift")
    out.insert(3, "profit_change", out["profit"] / out["profit"].iloc[0] - 1)
    out["clv_change"] = out["clv"] / out["clv"].iloc[0] - 1
    return out


def clv_table(
    margin: float = 1_000.0,
    retentions: Sequence[float] = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95),
    discount: float = 0.10,
) -> pd.DataFrame:
    """Customer lifetime value at constant margin for several retentions (Gupta & Lehmann).

    CLV = m·r/(1+i−r) (:func:`csat.sim.analytic.clv`); expected years as a customer r/(1−r); the
    gain over a retention five points lower (blank for the first row when that is not in the
    table).

    Examples
    --------
    >>> clv_table(100, (0.8, 0.85), 0.1)["gain_vs_5_points_less"].round(3).tolist()
    [0.244, 0.275]
    """
    rows = []
    for r in retentions:
        value = analytic.clv(margin, r, discount)
        lower = r - 0.05
        gain = value / analytic.clv(margin, lower, discount) - 1 if lower > 0 else float("nan")
        rows.append(
            {
                "retention": float(r),
                "expected_years": r / (1 - r),
                "margin_multiple": r / (1 + discount - r),
                "clv": value,
                "gain_vs_5_points_less": gain,
            }
        )
    return pd.DataFrame(rows).set_index("retention")


def deck_clv_examples(discount: float = 0.10, *, lang: str = "en") -> pd.DataFrame:
    """What the decks' lifetime values (Coca-Cola $11,000 over 50 years, Marlboro $25,000 over
    30, AT&T $72,000 over 30) imply.

    The deck figures are undiscounted spend over a customer who surely stays the whole time.
    The table gives the yearly spend that implies, its value today at ``discount`` if she
    surely stays (an annuity), the yearly retention whose expected tenure r/(1−r) equals those
    years, and the CLV formula's value at that retention, m·r/(1+i−r) with m the yearly spend.
    Spend, not margin: the lifetime *margin* is a fraction of each figure.
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {sorted(TEXT)}, got {lang!r}")
    rows = []
    for key, (total, years) in DECK_CLV.items():
        spend = total / years
        r = years / (years + 1)
        annuity = (1 - (1 + discount) ** -years) / discount if discount else years
        rows.append(
            {
                "brand": BRANDS[key][1 if lang == "zh" else 0],
                "deck_figure_usd": float(total),
                "years": float(years),
                "spend_per_year_usd": spend,
                "value_today_if_stays_usd": spend * annuity,
                "retention_for_that_tenure": r,
                "clv_usd": analytic.clv(spend, r, discount),
            }
        )
    return pd.DataFrame(rows).set_index("brand")


def clv_growing(margin: float, retention: float, discount: float, growth: float) -> float:
    """Lifetime value when the margin grows by ``growth`` a year while the customer stays.

    Σ_{t≥1} m (1+g)^{t−1} r^t / (1+i)^t = m r / (1 + i − r(1+g)), finite only when
    r(1+g) < 1+i. With g = 0 it is :func:`csat.sim.analytic.clv`.

    Examples
    --------
    >>> round(clv_growing(100, 0.8, 0.1, 0.1), 2)
    363.64
    """
    if not 0 <= retention < 1:
        raise ValueError(f"clv_growing: retention must be in [0, 1), got {retention!r}")
    if growth <= -1:
        raise ValueError(f"clv_growing: growth must be > -1, got {growth!r}")
    denominator = 1 + discount - retention * (1 + growth)
    if denominator <= 0:
        raise ValueError(
            "clv_growing: r·(1+g) must be < 1+i for a finite value, got "
            f"r={retention!r}, g={growth!r}, i={discount!r}"
        )
    return margin * retention / denominator


def _gain(r0: float, growth: float, discount: float, step: float = 0.05) -> float:
    return (
        clv_growing(1.0, r0 + step, discount, growth) / clv_growing(1.0, r0, discount, growth) - 1
    )


def growth_needed(
    target: float, retention: float, discount: float = 0.10, *, step: float = 0.05
) -> float:
    """Yearly margin growth at which a ``step`` gain in retention from ``retention`` raises
    CLV by ``target`` (0.85 for Reichheld & Sasser's top figure). Solved by bisection; the
    gain rises with growth.

    Examples
    --------
    >>> g = growth_needed(0.85, 0.8)
    >>> round(_gain(0.8, g, 0.1), 6)
    0.85
    """
    lo = 0.0
    hi = (1 + discount) / (retention + step) - 1 - 1e-9  # where the higher CLV blows up
    if _gain(retention, lo, discount, step) >= target:
        return 0.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if _gain(retention, mid, discount, step) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def retention_gain_figure(
    *,
    retentions: Sequence[float] = (0.70, 0.80, 0.90),
    discount: float = 0.10,
    max_growth: float = 0.25,
    lang: str = "en",
) -> Figure:
    """CLV gain from five more points of retention against how fast margins grow with tenure.

    One curve per starting retention, the band of Reichheld & Sasser's 25–85% shaded. At zero
    growth the curves start at the constant-margin gains (about 22–41% at i = 10%); the title
    gives the growth at which the middle curve reaches 85%.
    """
    lang = style.figure_lang(_known(lang))
    t = TEXT[lang]
    colours = ["#4393c3", "#2166ac", "#053061", "#67001f"]
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(12, 7), layout="constrained")
        ax.axhspan(0.25, 0.85, color="#fdb863", alpha=0.35, lw=0, label=t["reichheld"])
        flat = []
        for r0, colour in zip(retentions, colours, strict=False):
            limit = min(max_growth, (1 + discount) / (r0 + 0.05) - 1 - 1e-3)
            g = np.linspace(0, limit, 300)
            gain = np.array([_gain(r0, gi, discount) for gi in g])
            keep = gain <= 2.0
            ax.plot(
                g[keep],
                gain[keep],
                lw=3,
                color=colour,
                label=t["start_r"].format(r=r0, r2=r0 + 0.05),
            )
            flat.append(gain[0])
        middle = retentions[len(retentions) // 2]
        need = growth_needed(0.85, middle, discount)
        ax.plot([need], [0.85], "o", ms=11, color="black", zorder=5)
        ax.annotate(
            f"{need:.0%}",
            xy=(need, 0.85),
            xytext=(need + 0.012, 0.62),
            fontsize=14,
            arrowprops={"arrowstyle": "->"},
        )
        ax.set(xlabel=t["growth_axis"], ylabel=t["gain_axis"], xlim=(0, max_growth), ylim=(0, 2))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.legend(loc="upper left", framealpha=0.95)
        ax.set_title(
            t["gain_title"].format(lo=min(flat), hi=max(flat), g=need, r=middle),
            fontweight=style.weight(lang),
        )
    return fig


def retention_test(
    preset: str = "car_dealer",
    churns: Sequence[float] = (0.10, 0.04),
    *,
    n_runs: int = 3,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """Retention economics in the simulator: lower ordinary churn, measure retention and CLV.

    Each row is ``n_runs`` replications (:func:`csat.sim.ensemble`) of one simulated year with the
    given ordinary churn per year. The simulator measures retention (every cause of leaving
    counted) and the margin per customer-year; CLV is m·r/(1+i−r) of those. Margins are constant
    with tenure in the simulator, so the gain is what the closed form predicts.

    Returns
    -------
    pandas.DataFrame
        Index ``natural_churn``; columns ``retention_per_year``, ``margin_per_customer_year``,
        ``clv``, ``clv_q05``, ``clv_q95`` (90% of runs between), ``clv_change`` (against the
        first row).
    """
    base = presets.get(preset, **changes)
    rows = []
    for churn in churns:
        s = _ensemble_means(with_changes(base, natural_churn=float(churn)), n_runs, rng)
        rows.append(
            {
                "natural_churn": float(churn),
                "retention_per_year": s["retention_per_year"],
                "margin_per_customer_year": s["margin_per_customer_year"],
                "clv": s["clv"],
                "clv_q05": s["clv_q05"],
                "clv_q95": s["clv_q95"],
            }
        )
    out = pd.DataFrame(rows).set_index("natural_churn")
    out["clv_change"] = out["clv"] / out["clv"].iloc[0] - 1
    return out


def strategies(
    preset: str,
    options: Mapping[str, Mapping[str, Any]],
    *,
    n_runs: int = 3,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """Compare ways of spending money on the same business (e.g. retention vs acquisition).

    Each option is a dict of dotted parameter changes applied to the preset (with ``changes``
    applied to all); each runs ``n_runs`` times on the same seeds. Business value is the
    period's profit plus the lifetime value of the customers at the end (customers × CLV), the
    capstone's yardstick.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario`` (the option labels, in order); columns ``retention_per_year``,
        ``new_customers``, ``customers_end``, ``profit``, ``clv``, ``customer_value``,
        ``business_value`` (means over the runs).
    """
    base = presets.get(preset, **changes)
    rows = []
    for label, option in options.items():
        ens = ensemble(with_changes(base, **dict(option)), n_runs, rng=rng, n_jobs=1)
        s = ens.summaries.astype(float)
        value = s["customers_end"] * s["clv"]
        rows.append(
            {
                "scenario": label,
                "retention_per_year": s["retention_per_year"].mean(),
                "new_customers": s["new_customers"].mean(),
                "customers_end": s["customers_end"].mean(),
                "profit": s["profit"].mean(),
                "clv": s["clv"].mean(),
                "customer_value": value.mean(),
                "business_value": (s["profit"] + value).mean(),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def why_customers_leave_figure(
    result: Result | None = None, *, preset_label: str | None = None, lang: str = "en"
) -> Figure:
    """The decks' reasons why customers leave (1/3/5/9/14/68%), with the 68% picked out.

    Given a simulator ``result``, a second panel shows why its customers actually left in the
    run, by the simulator's causes, for comparison.
    """
    lang = style.figure_lang(_known(lang))
    t = TEXT[lang]
    keys = list(WHY_LEAVE)
    values = [WHY_LEAVE[k] for k in keys]
    colours = ["#b2182b" if k == "indifference" else "#8c8c8c" for k in keys]
    with plt.rc_context(style.rc(lang, **_RC)):
        if result is None:
            fig, ax = plt.subplots(figsize=(12, 6.5), layout="constrained")
            bx = None
        else:
            fig, (ax, bx) = plt.subplots(1, 2, figsize=(17, 6.8), layout="constrained")
        ax.barh([t[k] for k in keys], values, color=colours, height=0.65)
        for y, value in enumerate(values):
            ax.text(value + 1, y, f"{value}%", va="center", fontsize=14)
        ax.set(xlabel=t["why_axis"], xlim=(0, 80))
        ax.set_title(t["deck_panel"])
        if bx is not None:
            s = result.summary()
            counts = [int(s[f"defections_{c}"]) for c in CAUSES]
            order = [i for i in np.argsort(counts) if counts[i] > 0]
            bx.barh(
                [t[CAUSES[i]] for i in order],
                [counts[i] for i in order],
                color="#762a83",
                height=0.65,
            )
            for y, i in enumerate(order):
                share = counts[i] / max(sum(counts), 1)
                bx.text(counts[i], y, f" {counts[i]:,} ({share:.0%})", va="center", fontsize=13)
            bx.set(xlabel=t["count_axis"], xlim=(0, max(counts) * 1.45))
            label = preset_label or "run"
            bx.set_title(t["sim_panel"].format(preset=label, n=sum(counts), days=int(s["days"])))
        fig.suptitle(
            t["why_title"].format(top=WHY_LEAVE["indifference"]),
            fontsize=16,
            fontweight=style.weight(lang),
        )
    return fig


class RetentionGainSlider:
    """Two sliders — retention today and margin growth per year — and one sentence: how much
    five more points of retention raise lifetime value (:func:`clv_growing`), beside
    Reichheld & Sasser's 25–85%.

    Updates by setting ``HTML.value``, so a notebook showing it passes nbval (tag the cell
    ``nbval-ignore-output``).

    Examples
    --------
    >>> s = RetentionGainSlider()
    >>> s.growth.value = 0.0
    >>> "+28%" in s.text.value
    True
    """

    def __init__(self, *, discount: float = 0.10, lang: str = "en") -> None:
        import ipywidgets as w

        if lang not in TEXT:
            raise ValueError(f"lang must be one of {sorted(TEXT)}, got {lang!r}")
        self.discount = discount
        self.lang = lang
        t = TEXT[lang]
        style = {"description_width": "200px"}
        layout = w.Layout(width="520px")
        self.retention = w.FloatSlider(
            value=0.80,
            min=0.50,
            max=0.90,
            step=0.01,
            description=t["slider_r"],
            readout_format=".2f",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.growth = w.FloatSlider(
            value=0.0,
            min=0.0,
            max=0.30,
            step=0.01,
            description=t["slider_g"],
            readout_format=".2f",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.text = w.HTML()
        for slider in (self.retention, self.growth):
            slider.observe(self._update, names="value")
        self.widget = w.VBox([self.retention, self.growth, self.text])
        self._update()

    def _update(self, _change: dict | None = None) -> None:
        t = TEXT[self.lang]
        r, g, i = self.retention.value, self.growth.value, self.discount
        try:
            c1 = clv_growing(100.0, r, i, g)
            c2 = clv_growing(100.0, r + 0.05, i, g)
        except ValueError:
            self.text.value = f"<p style='font-size:16px'>{t['slider_bad'].format(r=r, g=g)}</p>"
            return
        line = t["slider_out"].format(r=r, r2=r + 0.05, g=g, c1=c1, c2=c2, gain=c2 / c1 - 1)
        self.text.value = f"<p style='font-size:16px'>{line}</p>"

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


__all__ = [
    "COLUMNS",
    "OUTCOMES",
    "PRESET_LABELS",
    "TEXT",
    "WHY_LEAVE",
    "PromiseQualityExplorer",
    "RetentionGainSlider",
    "clv_growing",
    "clv_table",
    "deck_clv_examples",
    "five_year_losses",
    "growth_needed",
    "loss_aversion_figure",
    "outcome_shares",
    "outcome_zones_figure",
    "over_promising",
    "over_promising_figure",
    "preset_label",
    "promise_quality_plans",
    "quality_shift",
    "readable",
    "retention_gain_figure",
    "retention_test",
    "satisfaction_gain_test",
    "strategies",
    "tolerance_zone",
    "visit_outcomes",
    "why_customers_leave_figure",
]


def _known(lang: str) -> str:
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {sorted(TEXT)}, got {lang!r}")
    return lang
