"""Loyalty and value: the figures and tables of module S4.

Customers kept per year compound over five years; lifetime value (CLV) is m·r/(1+i−r) at
constant margin, and grows faster when margins grow with tenure, which is what Reichheld &
Sasser's "+25–85% from five points more retention" needs. The simulator tests the decks'
claims (five points of satisfaction, lower churn, retention against acquisition). What lives
here: :func:`five_year_losses`, :func:`satisfaction_gain_test`, :func:`clv_table`,
:func:`deck_clv_examples`, :func:`clv_growing`, :func:`growth_needed`,
:func:`retention_gain_figure`, :func:`lifetime_value_check`, :func:`retention_test`,
:func:`strategies`, :func:`why_customers_leave_figure`, and customers who differ against the
CDNOW purchase data (:func:`customers_differ_table`, :func:`customers_differ_figure`).

Which lifetime value is which (:mod:`csat.sim.lifetime`): the formula m·r/(1+i−r) is taught as
the manager's estimate from a yearly retention rate; :func:`lifetime_value_check` sets it beside
what simulated customers really bring (a cohort followed by the engine) and the closed form
M/(h+δ) that matches it. Where a table counts money the customers will bring
(:func:`retention_test`'s ``lifetime_value``, :func:`strategies`' business value, as in the
capstone) it uses the closed form at the run's rates. The slider of the same lesson is a
widget, ``RetentionGainSlider`` in the UI layer's ``teaching`` module; notebooks reach the
rest through :mod:`csat.lessons.teaching`.

Words come from the catalogues: figure texts from namespace ``teaching``, the decks' brands
from ``teaching_brands``, business names from the registry ``business`` (through
:func:`csat.lessons.tables.preset_label`) and the simulator's causes of leaving from ``cause``.

>>> round(clv_growing(100, 0.8, 0.1, 0.0), 2)  # no growth: the usual m·r/(1+i−r)
266.67
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from csat import i18n
from csat.lessons import style
from csat.lessons.expectation import quality_shift
from csat.lessons.tables import preset_label
from csat.sim import analytic, lifetime, presets
from csat.sim.ensemble import ensemble, paired_difference
from csat.sim.params import Params, with_changes
from csat.sim.run import Result, run
from csat.sim.state import CAUSES

_RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 14, "legend.fontsize": 13}

TEXT = i18n.Namespace("teaching")
"""The words of the teaching figures, ``TEXT[lang][key]``."""

WHY_LEAVE = {
    "die": 1,
    "move": 3,
    "friend": 5,
    "competitor": 9,
    "problem": 14,
    "indifference": 68,
}
"""The decks' reasons why customers leave a supplier (course brief S10), in percent; each
reason's label is the key of the same name in catalogue namespace ``teaching``."""

DECK_CLV = {
    "coca_cola": (11_000, 50),
    "marlboro": (25_000, 30),
    "att": (72_000, 30),
}
"""The decks' lifetime-value examples (course brief S9): US dollars over a number of years;
each brand's label is in catalogue namespace ``teaching_brands``."""


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


def _runs(params: Params, n_runs: int, rng: int) -> pd.DataFrame:
    if int(n_runs) < 2:
        raise ValueError(f"n_runs must be at least 2 to measure the noise, got {n_runs}")
    return (
        ensemble(params, n_runs, rng=rng, n_jobs=1).summaries.astype(float).reset_index(drop=True)
    )


def _means(s: pd.DataFrame) -> pd.Series:
    out = s.mean()
    out["clv_q05"] = s["clv"].quantile(0.05)
    out["clv_q95"] = s["clv"].quantile(0.95)
    return out


def _add_change(
    out: pd.DataFrame, name: str, runs: list[pd.DataFrame], key: str, *, relative: bool = True
) -> None:
    """Columns ``name`` (the change of ``key`` against the first row: relative, or absolute),
    ``name_lo`` / ``name_hi`` (its 90% interval, paired run by run) and ``name_clear``
    (whether the interval leaves out 0); the first row's are blank."""
    cols: dict[str, list] = {name: [], f"{name}_lo": [], f"{name}_hi": [], f"{name}_clear": []}
    for i, r in enumerate(runs):
        if i == 0:
            d = (0.0, float("nan"), float("nan"), False)
        else:
            p = paired_difference(r[key], runs[0][key], relative=relative)
            d = (p.diff, p.lo, p.hi, p.clear)
        for col, v in zip(cols, d, strict=True):
            cols[col].append(v)
    for col, values in cols.items():
        out[col] = values


def satisfaction_gain_test(
    preset: str = "hotel",
    shifts: Sequence[float] = (0.0, 0.3),
    *,
    n_runs: int = 20,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """Test the decks' "5 points more satisfaction doubles profit" (5:100).

    Runs the business ``n_runs`` times (:func:`csat.sim.ensemble`, the same seeds for every
    row) at each quality change in ``shifts`` (points added to every dimension, at no cost —
    the most favourable case) and reports the share of satisfied visits, profit and lifetime
    value, with the change against the first row and its 90% interval, run by run.

    Returns
    -------
    pandas.DataFrame
        Index ``quality_shift``; columns ``satisfied``, ``very_satisfied``, ``profit``,
        ``profit_change``, ``clv``, ``clv_change`` (means over the runs), and for each change
        ``_lo`` / ``_hi`` (its 90% interval) and ``_clear`` (False: within the noise).
    """
    base = presets.get(preset, **changes)
    rows, runs = [], []
    for shift in shifts:
        runs.append(_runs(quality_shift(base, shift), n_runs, rng))
        s = _means(runs[-1])
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
    _add_change(out, "profit_change", runs, "profit")
    out["clv"] = out.pop("clv")
    _add_change(out, "clv_change", runs, "clv")
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
    brands = i18n.table("teaching_brands", i18n.check(lang, where="lang"))
    rows = []
    for key, (total, years) in DECK_CLV.items():
        spend = total / years
        r = years / (years + 1)
        annuity = (1 - (1 + discount) ** -years) / discount if discount else years
        rows.append(
            {
                "brand": brands[key],
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
    lang = style.figure_lang(i18n.check(lang, where="lang"))
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


def lifetime_value_check(
    names: Sequence[str] = ("car_dealer", "hotel"),
    *,
    years: float = lifetime.YEARS,
    rng: int = 1,
    lang: str = "en",
) -> pd.DataFrame:
    """The manager's formula against what the customers bring, for each business in ``names``.

    For each, :func:`csat.sim.lifetime.cohort_value` follows the customers of the whole market
    for ``years`` years in the simulator: the realised value is what they brought (visits
    really made, until they really left, net of retention and complaint costs, discounted), with
    its standard error. Beside it the closed form M/(h+δ) at the rates the cohort showed, and
    the formula m·r/(1+i−r) with r = e^{−h} the yearly retention a manager would measure. The
    formula's gap is what theory predicts, (h+δ)/(e^{h+δ}−1) − 1.

    Returns
    -------
    pandas.DataFrame
        Index ``preset`` (the business's short name in ``lang``); columns ``customers``,
        ``retention_per_year``, ``formula``, ``realised``, ``standard_error``,
        ``closed_form``, ``formula_gap``, ``predicted_formula_gap``, ``closed_form_gap``.
    """
    i18n.check(lang, where="lang")
    rows = []
    for name in names:
        v = lifetime.cohort_value(presets.get(name), years=years, rng=rng)
        rows.append(
            {
                "preset": preset_label(name, lang),
                "customers": v.customers,
                "retention_per_year": v.retention,
                "formula": v.formula,
                "realised": v.realised,
                "standard_error": v.standard_error,
                "closed_form": v.closed_form,
                "formula_gap": v.formula_gap,
                "predicted_formula_gap": v.predicted_formula_gap,
                "closed_form_gap": v.closed_form_gap,
            }
        )
    return pd.DataFrame(rows).set_index("preset")


def retention_test(
    preset: str = "car_dealer",
    churns: Sequence[float] = (0.10, 0.04),
    *,
    n_runs: int = 20,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """Retention economics in the simulator: lower ordinary churn, measure retention and CLV.

    Each row is ``n_runs`` replications (:func:`csat.sim.ensemble`) of one simulated year with the
    given ordinary churn per year. The simulator measures retention (every cause of leaving
    counted) and the margin per customer-year; ``clv`` is the manager's m·r/(1+i−r) of those,
    ``lifetime_value`` what the customers bring at those rates, M/(h+δ)
    (:mod:`csat.sim.lifetime`). Margins are constant with tenure in the simulator, so neither
    gain goes past what constant margins allow; the two gains differ because the formula's
    shortfall grows with the rate at which customers leave.

    Returns
    -------
    pandas.DataFrame
        Index ``natural_churn``; columns ``retention_per_year``, ``margin_per_customer_year``,
        ``clv``, ``clv_q05``, ``clv_q95`` (90% of runs between), ``clv_change`` (against the
        first row), ``lifetime_value``, ``lifetime_value_change``; each change with ``_lo`` /
        ``_hi`` (its 90% interval, run by run on the same seeds) and ``_clear``.
    """
    base = presets.get(preset, **changes)
    rows, runs = [], []
    for churn in churns:
        runs.append(_runs(with_changes(base, natural_churn=float(churn)), n_runs, rng))
        s = _means(runs[-1])
        rows.append(
            {
                "natural_churn": float(churn),
                "retention_per_year": s["retention_per_year"],
                "margin_per_customer_year": s["margin_per_customer_year"],
                "clv": s["clv"],
                "clv_q05": s["clv_q05"],
                "clv_q95": s["clv_q95"],
                "lifetime_value": s["lifetime_value"],
            }
        )
    out = pd.DataFrame(rows).set_index("natural_churn")
    lifetime_value = out.pop("lifetime_value")
    _add_change(out, "clv_change", runs, "clv")
    out["lifetime_value"] = lifetime_value
    _add_change(out, "lifetime_value_change", runs, "lifetime_value")
    return out


def strategies(
    preset: str,
    options: Mapping[str, Mapping[str, Any]],
    *,
    n_runs: int = 20,
    rng: int = 1,
    **changes: Any,
) -> pd.DataFrame:
    """Compare ways of spending money on the same business (e.g. retention vs acquisition).

    Each option is a dict of dotted parameter changes applied to the preset (with ``changes``
    applied to all); each runs ``n_runs`` times on the same seeds. Business value is the
    period's profit plus the lifetime value of the customers at the end, the capstone's
    yardstick: customers × ``lifetime_value``, what they bring at the run's rates (M/(h+δ),
    :mod:`csat.sim.lifetime`), not the manager's formula.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario`` (the option labels, in order); columns ``retention_per_year``,
        ``new_customers``, ``customers_end``, ``profit``, ``lifetime_value``,
        ``customer_value``, ``business_value`` (means over the runs), and
        ``business_value_change`` against the first option (absolute, with ``_lo`` / ``_hi``,
        its 90% interval run by run on the same seeds, and ``_clear``).
    """
    base = presets.get(preset, **changes)
    rows, runs = [], []
    for label, option in options.items():
        s = _runs(with_changes(base, **dict(option)), n_runs, rng)
        value = s["customers_end"] * s["lifetime_value"]
        s["business_value"] = s["profit"] + value
        runs.append(s)
        rows.append(
            {
                "scenario": label,
                "retention_per_year": s["retention_per_year"].mean(),
                "new_customers": s["new_customers"].mean(),
                "customers_end": s["customers_end"].mean(),
                "profit": s["profit"].mean(),
                "lifetime_value": s["lifetime_value"].mean(),
                "customer_value": value.mean(),
                "business_value": s["business_value"].mean(),
            }
        )
    out = pd.DataFrame(rows).set_index("scenario")
    _add_change(out, "business_value_change", runs, "business_value", relative=False)
    return out


def why_customers_leave_figure(
    result: Result | None = None, *, preset_label: str | None = None, lang: str = "en"
) -> Figure:
    """The decks' reasons why customers leave (1/3/5/9/14/68%), with the 68% picked out.

    Given a simulator ``result``, a second panel shows why its customers actually left in the
    run, by the simulator's causes, for comparison.
    """
    lang = style.figure_lang(i18n.check(lang, where="lang"))
    t = TEXT[lang]
    causes = i18n.table("cause", lang)
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
                [causes[CAUSES[i]] for i in order],
                [counts[i] for i in order],
                color="#762a83",
                height=0.65,
            )
            for y, i in enumerate(order):
                share = counts[i] / max(sum(counts), 1)
                bx.text(counts[i], y, f" {counts[i]:,} ({share:.0%})", va="center", fontsize=13)
            bx.set(xlabel=t["count_axis"], xlim=(0, max(counts) * 1.45))
            label = preset_label or i18n.t("teaching_figures.this_run", lang)
            bx.set_title(t["sim_panel"].format(preset=label, n=sum(counts), days=int(s["days"])))
        fig.suptitle(
            t["why_title"].format(top=WHY_LEAVE["indifference"]),
            fontsize=16,
            fontweight=style.weight(lang),
        )
    return fig


DIFFER = i18n.Namespace("customers_differ")
"""The words of :func:`customers_differ_table` and :func:`customers_differ_figure`."""

DIFFER_FIGURES = ("zero_repeat", "var_to_mean", "holdout_to_calibration")
"""The columns of :func:`customers_differ_table`, the figures of :data:`csat.sim.repeats.CDNOW`."""


def customers_differ_table(*, rng: int = 11, lang: str = "en") -> pd.DataFrame:
    """Customers alike, customers who differ, and the CDNOW data, on the three figures of
    repeat buying (:mod:`csat.sim.repeats`).

    Both simulated rows are the ``cd_retailer`` preset as a cohort of about 24,000 first buyers
    joining over 12 weeks (:func:`csat.sim.repeats.cohort_params`): once with everyone visiting
    at the same mean rate and nobody lapsing (how every other preset runs), once with the rates
    and lapsing chances of the CDNOW customers' BG/NBD fit. The last row is the CDNOW cohort
    itself (:data:`csat.sim.repeats.CDNOW`).

    Returns
    -------
    pandas.DataFrame
        Index ``customers`` (row labels in ``lang``); columns ``zero_repeat`` (share with no
        repeat purchase in the 39 calibration weeks), ``var_to_mean`` (variance/mean of their
        repeat counts) and ``holdout_to_calibration`` (purchases in weeks 40–78 per purchase in
        weeks 1–39).
    """
    from csat.sim import repeats

    t = DIFFER[i18n.check(lang, where="lang")]
    differ = repeats.cohort_params(presets.get("cd_retailer"))
    alike = with_changes(
        differ, **{"customers.visit_shape": 0.0, "customers.dropout_per_visit": 0.0}
    )
    rows = {}
    for key, params in (("alike", alike), ("differ", differ)):
        cohort = repeats.simulate_cohort(params, rng=rng)
        rows[t[key]] = repeats.figures(cohort["calibration"], cohort["holdout"])
    rows[t["data"]] = dict(repeats.CDNOW)
    table = pd.DataFrame.from_dict(rows, orient="index")[list(DIFFER_FIGURES)]
    return table.rename_axis("customers")


def customers_differ_figure(table: pd.DataFrame | None = None, *, lang: str = "en") -> Figure:
    """:func:`customers_differ_table` as three panels of bars, one per figure: customers alike
    miss every one of the data's figures; customers who differ come close to the first two, and
    halfway on the third, where the BG/NBD closed form itself falls as short of the data."""
    lang = style.figure_lang(lang)
    if table is None:
        table = customers_differ_table(lang=lang)
    t = DIFFER[lang]
    colours = ["#8c8c8c", "#2166ac", "#b2182b"]
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, axes = plt.subplots(1, 3, figsize=(16, 5.8), layout="constrained")
        for ax, key in zip(axes, DIFFER_FIGURES, strict=True):
            values = table[key].to_numpy(float)
            ax.bar(range(len(values)), values, color=colours[: len(values)], width=0.65)
            for x, v in enumerate(values):
                text = f"{v:.0%}" if key == "zero_repeat" else f"{v:.2f}"
                ax.text(x, v, text, ha="center", va="bottom", fontsize=13)
            ax.set_xticks(range(len(values)), list(table.index), fontsize=12)
            ax.set_ylim(0, float(np.nanmax(values)) * 1.2)
            ax.set_title(t[key])
            if key == "zero_repeat":
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            if key == "holdout_to_calibration":
                ax.axhline(1.0, color="#444444", lw=1, ls=":")
        fig.suptitle(t["title"], fontsize=16, fontweight=style.weight(lang))
    return fig
