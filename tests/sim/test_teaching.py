"""The teaching helpers show what they claim: the numbers behind each figure and table."""

from __future__ import annotations

import math
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from csat import i18n, sim
from csat.lessons import style, teaching
from csat.sim import analytic, presets
from csat.sim.state import CAUSES
from csat.ui import teaching as teaching_ui

CJK = re.compile(r"[\u4e00-\u9fff]")
SMALL = {"population": 3_000, "days": 120}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts_are_legible(fig):
    """Every title and axis label is set and at least 12 pt; the figure has a title."""
    titles = [a.get_title() for a in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]
    assert any(titles), "figure has no title"
    for ax in fig.axes:
        for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
            if label.get_text():
                assert label.get_fontsize() >= 12, label.get_text()
        for tick in ax.get_xticklabels() + ax.get_yticklabels():
            assert tick.get_fontsize() >= 12
    return " ".join(titles)


# -- expectation and experience ---------------------------------------------------------------


def test_tolerance_zone_is_lopsided_by_loss_aversion():
    p = sim.Params()
    lo, hi = teaching.tolerance_zone(p)
    assert lo < 0 < hi and abs(lo) < hi  # a small shortfall disappoints, delight needs more
    s = p.satisfaction
    assert analytic.value(hi, s.loss_aversion, s.curvature) == pytest.approx(s.tolerance)
    assert analytic.value(lo, s.loss_aversion, s.curvature) == pytest.approx(-s.tolerance)
    even = sim.with_changes(p, **{"satisfaction.loss_aversion": 1.0})
    lo1, hi1 = teaching.tolerance_zone(even)
    assert lo1 == pytest.approx(-hi1)


def test_visit_outcomes_follow_the_zone_of_tolerance():
    p = presets.get("hotel")
    v = teaching.visit_outcomes(p, 5_000, rng=3)
    lo, hi = teaching.tolerance_zone(p)
    d = v["disconfirmation"]
    assert (v.loc[d > hi + 1e-9, "outcome"] == "very_satisfied").all()
    assert (v.loc[d < lo - 1e-9, "outcome"] == "dissatisfied").all()
    inside = (d > lo + 1e-9) & (d < hi - 1e-9)
    assert (v.loc[inside, "outcome"] == "basically_satisfied").all()
    shares = teaching.outcome_shares(v["outcome"])
    assert list(shares.index) == list(teaching.OUTCOMES)
    assert shares.sum() == pytest.approx(1.0)
    same = teaching.visit_outcomes(p, 5_000, rng=3)
    assert same.equals(v)


def test_outcome_zones_figure_states_the_shares_it_draws():
    p = presets.get("hotel")
    v = teaching.visit_outcomes(p, 4_000, rng=1)
    fig = teaching.outcome_zones_figure(v, p)
    title = _texts_are_legible(fig)
    shares = teaching.outcome_shares(v["outcome"])
    for key in teaching.OUTCOMES:
        assert f"{shares[key]:.0%}" in title
    ax = fig.axes[0]
    assert "points" in ax.get_xlabel() and "Visits" in ax.get_ylabel()
    drawn = sum(bar.get_height() for bars in ax.containers for bar in bars)
    assert drawn == pytest.approx(len(v))  # every visit is in exactly one bar


def test_loss_aversion_figure_marks_short_and_over():
    fig = teaching.loss_aversion_figure(loss_aversion=2.0)
    title = _texts_are_legible(fig)
    assert "2.0×" in title
    ax = fig.axes[0]
    red = next(line for line in ax.get_lines() if line.get_color() == "#b2182b")
    x, y = red.get_data()
    assert np.allclose(y, analytic.value(x, 2.0, 0.88))
    assert "Experience − expectation" in ax.get_xlabel()


def test_over_promising_lowers_satisfaction_at_equal_quality():
    table = teaching.over_promising("hotel", promises=(7.0, 7.8, 8.6, 9.4), **SMALL)
    assert list(table.index) == [7.0, 7.8, 8.6, 9.4]
    assert table["dissatisfied"].is_monotonic_increasing
    assert table["very_satisfied"].is_monotonic_decreasing
    assert table["mean_expectation"].is_monotonic_increasing
    assert table["retention_per_year"].iloc[-1] < table["retention_per_year"].iloc[0]
    shares = table[list(teaching.OUTCOMES)].sum(axis=1)
    assert np.allclose(shares, 1.0)


def test_over_promising_figure_title_quotes_its_table():
    table = teaching.over_promising("hotel", promises=(7.0, 9.4), **SMALL)
    fig = teaching.over_promising_figure(table, today=7.0)
    title = _texts_are_legible(fig)
    assert f"{table['dissatisfied'].iloc[0]:.0%}" in title
    assert f"{table['dissatisfied'].iloc[-1]:.0%}" in title
    assert any("today" in t.get_text() for t in fig.axes[0].get_yticklabels())


def test_a_bolder_promise_can_outrun_better_quality():
    plans = {"today": (7.8, 0.0), "better": (7.8, 0.3), "both": (9.0, 0.3)}
    table = teaching.promise_quality_plans("hotel", plans, **SMALL)
    assert list(table.index) == ["today", "better", "both"]
    assert table.loc["both", "promise"] == 9.0 and table.loc["better", "quality_shift"] == 0.3
    assert table.loc["better", "dissatisfied"] < table.loc["today", "dissatisfied"]
    assert table.loc["both", "dissatisfied"] > table.loc["today", "dissatisfied"]


def test_quality_shift_moves_every_dimension_within_bounds():
    p = presets.get("hotpot")
    up = teaching.quality_shift(p, 1.0)
    assert all(q <= 10.0 for q in up.service.quality)
    assert up.service.quality[1] == pytest.approx(p.service.quality[1] + 1.0)
    assert teaching.quality_shift(p, -20.0).service.quality == (0.0,) * 5


def test_promise_quality_explorer_reruns_with_all_three_sliders():
    ex = teaching_ui.PromiseQualityExplorer("hotel", population=2_000, days=30)
    base = presets.get("hotel").service.quality
    ex.quality.value = -0.5
    assert ex.result.params.service.quality[0] == pytest.approx(base[0] - 0.5)
    ex.sliders["expectations.promise"].value = 9.0
    assert ex.result.params.expectations.promise == 9.0
    assert ex.result.params.service.quality[0] == pytest.approx(base[0] - 0.5)
    assert ex.image.value[:4] == b"\x89PNG"
    assert len(ex.widget.children[0].children[0].children) == 3


# -- loyalty and value --------------------------------------------------------------------------


def test_clv_table_numbers_are_the_closed_form():
    table = teaching.clv_table(1_000.0, (0.70, 0.75, 0.80, 0.85, 0.90, 0.95), 0.10)
    for r, row in table.iterrows():
        assert row["clv"] == pytest.approx(analytic.clv(1_000.0, r, 0.10))
        assert row["expected_years"] == pytest.approx(r / (1 - r))
    # science.md V5: a five-point gain at constant margin adds about 22-41% (r from 0.7 to 0.9).
    assert table.loc[0.75, "gain_vs_5_points_less"] == pytest.approx(0.224, abs=1e-3)
    assert table.loc[0.85, "gain_vs_5_points_less"] == pytest.approx(0.275, abs=1e-3)
    assert table.loc[0.95, "gain_vs_5_points_less"] == pytest.approx(0.407, abs=1e-3)


def test_deck_clv_examples_are_consistent():
    table = teaching.deck_clv_examples(0.10)
    for _, row in table.iterrows():
        assert row["spend_per_year_usd"] * row["years"] == pytest.approx(row["deck_figure_usd"])
        r = row["retention_for_that_tenure"]
        assert r / (1 - r) == pytest.approx(row["years"])
        assert row["clv_usd"] == pytest.approx(analytic.clv(row["spend_per_year_usd"], r, 0.10))
        # Discounting alone takes most of the deck's figure away.
        assert row["clv_usd"] < row["value_today_if_stays_usd"] < 0.4 * row["deck_figure_usd"]
    assert "可口可乐消费者" in teaching.deck_clv_examples(lang="zh").index


def test_clv_growing_matches_the_sum_it_stands_for():
    m, r, i, g = 100.0, 0.8, 0.1, 0.12
    t = np.arange(1, 2_000)
    brute = float(np.sum(m * (1 + g) ** (t - 1) * r**t / (1 + i) ** t))
    assert teaching.clv_growing(m, r, i, g) == pytest.approx(brute)
    assert teaching.clv_growing(m, r, i, 0.0) == pytest.approx(analytic.clv(m, r, i))
    with pytest.raises(ValueError, match=r"r·\(1\+g\) must be < 1\+i"):
        teaching.clv_growing(m, 0.95, 0.1, 0.2)


def test_growth_needed_for_reichheld_top_figure():
    g = teaching.growth_needed(0.85, 0.80, 0.10)
    ratio = teaching.clv_growing(1, 0.85, 0.1, g) / teaching.clv_growing(1, 0.80, 0.1, g)
    assert ratio - 1 == pytest.approx(0.85, abs=1e-6)
    assert 0.15 < g < 0.25
    assert teaching.growth_needed(0.10, 0.80) == 0.0  # constant margin already gives 27.5%


def test_retention_gain_figure_starts_at_constant_margin_gains():
    fig = teaching.retention_gain_figure(retentions=(0.7, 0.8, 0.9), discount=0.1)
    title = _texts_are_legible(fig)
    assert "22%–41%" in title and "20%" in title
    ax = fig.axes[0]
    starts = [line.get_ydata()[0] for line in ax.get_lines() if len(line.get_ydata()) > 1]
    assert starts == pytest.approx([0.224, 0.275, 0.407], abs=1e-3)


def test_retention_slider_sentence_follows_the_sliders():
    s = teaching_ui.RetentionGainSlider()
    assert "+28%" in s.text.value  # 0.80 -> 0.85 at constant margin
    s.growth.value = 0.2
    assert "+86%" in s.text.value
    s.retention.value = 0.9
    assert "never stops growing" in s.text.value
    zh = teaching_ui.RetentionGainSlider(lang="zh")
    assert CJK.search(zh.text.value)


def test_five_year_losses_compound_the_yearly_retention():
    table = teaching.five_year_losses(("hotel", "b2b_supplier"))
    for _, row in table.iterrows():
        assert row["kept_after_5_years"] == pytest.approx(row["retention_per_year"] ** 5)
        assert row["lost_in_5_years"] == pytest.approx(1 - row["kept_after_5_years"])
    hotel, b2b = teaching.preset_label("hotel"), teaching.preset_label("b2b_supplier")
    assert table.loc[hotel, "lost_in_5_years"] > table.loc[b2b, "lost_in_5_years"]
    assert set(i18n.table("business", "en")) == set(presets.names())
    assert teaching.preset_label("hotel", "zh") == i18n.t("business.hotel", "zh")
    with pytest.raises(ValueError, match="car_dealer"):  # the message lists the known ones
        teaching.preset_label("bakery")
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        teaching.preset_label("hotel", "fr")


def test_satisfaction_gain_raises_satisfaction_and_value():
    table = teaching.satisfaction_gain_test("hotel", (0.0, 0.3), n_runs=2, population=5_000)
    assert table["satisfied"].iloc[1] > table["satisfied"].iloc[0]
    assert table["clv"].iloc[1] > table["clv"].iloc[0]
    assert table["profit_change"].iloc[0] == 0.0
    assert table["profit_change"].iloc[1] == pytest.approx(
        table["profit"].iloc[1] / table["profit"].iloc[0] - 1
    )


def test_retention_test_in_the_simulator_agrees_with_the_closed_form():
    table = teaching.retention_test("car_dealer", (0.10, 0.04), n_runs=2, population=8_000)
    assert table["retention_per_year"].is_monotonic_increasing
    assert table["clv"].iloc[1] > table["clv"].iloc[0]
    assert (table["clv_q05"] <= table["clv"]).all() and (table["clv"] <= table["clv_q95"]).all()
    r0, r1 = table["retention_per_year"]
    m0, m1 = table["margin_per_customer_year"]
    predicted = analytic.clv(m1, r1, 0.1) / analytic.clv(m0, r0, 0.1) - 1
    assert table["clv_change"].iloc[1] == pytest.approx(predicted, abs=0.05)


def test_strategies_keep_their_order_and_add_up():
    options = {"today": {}, "keep": {"natural_churn": 0.02}, "win": {"innovation": 0.2}}
    table = teaching.strategies("car_dealer", options, n_runs=2, **SMALL)
    assert list(table.index) == ["today", "keep", "win"]
    assert np.allclose(table["business_value"], table["profit"] + table["customer_value"])
    assert table.loc["keep", "retention_per_year"] > table.loc["today", "retention_per_year"]
    assert table.loc["win", "new_customers"] > table.loc["today", "new_customers"]


def test_why_customers_leave_figure_draws_the_decks_and_the_run():
    result = sim.run(presets.get("car_dealer", **SMALL), rng=2)
    fig = teaching.why_customers_leave_figure(result, preset_label="car dealer")
    title = _texts_are_legible(fig)
    assert "68%" in title
    deck = sorted(p.get_width() for p in fig.axes[0].patches)
    assert deck == sorted(teaching.WHY_LEAVE.values())
    assert sum(teaching.WHY_LEAVE.values()) == 100
    s = result.summary()
    drawn = sorted(p.get_width() for p in fig.axes[1].patches)
    assert drawn == sorted(int(s[f"defections_{c}"]) for c in CAUSES if s[f"defections_{c}"] > 0)
    causes = i18n.table("cause", "en")
    assert {t.get_text() for t in fig.axes[1].get_yticklabels()} <= set(causes.values())
    assert teaching.why_customers_leave_figure().axes[0].get_xlabel().endswith("(%)")


@pytest.mark.skipif(style.cjk_font() is None, reason="no Chinese font installed")
def test_figures_speak_chinese():
    fig = teaching.loss_aversion_figure(lang="zh")
    assert CJK.search(fig.axes[0].get_title())
    assert CJK.search(fig.axes[0].get_xlabel())
    fig = teaching.retention_gain_figure(lang="zh")
    assert CJK.search(fig.axes[0].get_title())


def test_readable_translates_and_formats():
    table = teaching.clv_table(100.0, (0.8,), 0.1)
    en = teaching.readable(table)
    assert en.index.name == "Retention r" and list(en.index) == ["80%"]
    assert en.iloc[0]["Lifetime value by the formula (¥)"] == "267"
    assert en.iloc[0]["Gain over 5 points less"] == "+24%"
    zh = teaching.readable(table, "zh")
    assert zh.index.name == "留存率 r"
    assert all(CJK.search(c) for c in zh.columns if c != "Retention r")
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        teaching.readable(table, "fr")


def test_text_tables_have_the_same_keys_in_both_languages():
    assert set(teaching.TEXT["en"]) == set(teaching.TEXT["zh"])
    for key, text in teaching.TEXT["zh"].items():
        assert CJK.search(text) or key in {"reichheld"}, key
    assert math.isclose(sum(teaching.WHY_LEAVE.values()), 100)


def test_customers_differ_table_and_figure_set_the_model_beside_the_cdnow_data():
    table = teaching.customers_differ_table()
    assert list(table.index) == ["Customers alike", "Customers who differ", "CDNOW data"]
    assert list(table.columns) == ["zero_repeat", "var_to_mean", "holdout_to_calibration"]
    alike, differ, data = (table.iloc[i] for i in range(3))
    assert data.to_dict() == sim.repeats.CDNOW
    # customers alike miss the data by far; customers who differ come close on the first two
    assert alike["zero_repeat"] < 0.3 and alike["var_to_mean"] < 1.2
    assert abs(differ["zero_repeat"] - data["zero_repeat"]) < 0.03
    assert differ["var_to_mean"] == pytest.approx(data["var_to_mean"], rel=0.2)
    assert differ["holdout_to_calibration"] < 1.0 < alike["holdout_to_calibration"]
    fig = teaching.customers_differ_figure(table)
    _texts_are_legible(fig)
    assert [ax.get_title() for ax in fig.axes] == [
        i18n.t(f"customers_differ.{key}", "en") for key in table.columns
    ]
    heights = [p.get_height() for p in fig.axes[1].patches]
    assert heights == pytest.approx(list(table["var_to_mean"]))
    zh = teaching.customers_differ_table(lang="zh")
    assert all(CJK.search(label) for label in zh.index)
    np.testing.assert_array_equal(zh.to_numpy(), table.to_numpy())  # the same runs, in Chinese


def test_a_change_the_noise_cannot_tell_from_nothing_says_so_in_both_languages():
    """A plan identical to no plan differs by exactly 0 and is not a clear difference; a real
    change (service far worse) is. The readable table says "within the noise" only for the
    first, in English and Chinese, and gives the interval for both."""
    plans = {"none": {}, "same": {}, "worse": {"service.quality": (5.0,) * 5}}
    table = teaching.strategies("hotel", plans, n_runs=4, population=3_000, days=120)
    assert table.loc["same", "business_value_change"] == 0.0
    assert not table.loc["same", "business_value_change_clear"]
    assert table.loc["worse", "business_value_change_clear"]
    lo, hi = table.loc["worse", ["business_value_change_lo", "business_value_change_hi"]]
    assert lo <= table.loc["worse", "business_value_change"] <= hi
    for lang in ("en", "zh"):
        shown = teaching.readable(table, lang)
        column = i18n.t("teaching_columns.business_value_change", lang)
        within = i18n.t("teaching_noise.within", lang)
        assert not any(c.endswith("_lo") or c.endswith("_clear") for c in shown.columns)
        assert within in shown.loc["same", column]
        assert within not in shown.loc["worse", column]
    gain = teaching.satisfaction_gain_test("hotel", (0.0, 0.0), n_runs=3, population=3_000)
    assert not gain["profit_change_clear"].iloc[1]
    with pytest.raises(ValueError, match="n_runs must be at least 2"):
        teaching.retention_test("hotel", (0.1,), n_runs=1)
