"""Service recovery helpers: the tables match the parameters, speed keeps customers over an
ensemble, and the recovery paradox works only through complaints resolved quickly."""

from __future__ import annotations

import math
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from csat import sim
from csat.lessons import recovery
from csat.sim import analytic, presets

CJK = re.compile(r"[\u4e00-\u9fff]")
DEALER = presets.get("car_dealer")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- what happens after a problem -----------------------------------------------------------


def test_problem_paths_split_every_problem_customer_and_use_the_policy_rates():
    p = sim.with_changes(
        DEALER,
        **{
            "complaints.front_line": 0.6,
            "complaints.head_office": 0.05,
            "recovery.resolution_rate": 0.5,
            "recovery.quick_share": 0.4,
        },
    )
    t = recovery.problem_paths(p)
    assert list(t.index) == list(recovery.PATHS)
    assert t["share"].sum() == pytest.approx(1.0)
    assert t.loc["silent", "share"] == pytest.approx(0.4)
    assert t.loc["unresolved", "share"] == pytest.approx(0.3)
    assert t.loc["resolved", "share"] == pytest.approx(0.18)
    assert t.loc["resolved_quickly", "share"] == pytest.approx(0.12)
    assert t.loc["resolved_quickly", "buy_again"] == p.recovery.repurchase_quick
    assert t["kept_per_100"].sum() == pytest.approx(
        100 * (0.4 * 0.37 + 0.3 * 0.30 + 0.18 * 0.70 + 0.12 * 0.95)
    )
    shown = recovery.problem_paths(p, lang="zh")
    assert shown.shape == (4, 3) and CJK.search(shown.index.name)


def test_repurchase_claims_set_tarp_beside_the_decks():
    t = recovery.repurchase_claims(DEALER)
    research, decks = t.columns
    assert list(t[research]) == ["37%", "30%", "70%", "95%"]
    assert list(t[decks]) == ["10%", "10%", "62%", "95%"]
    with pytest.raises(ValueError, match="lang"):
        recovery.repurchase_claims(DEALER, lang="fr")


# -- speed against retention ----------------------------------------------------------------


def test_faster_resolution_keeps_more_customers_over_an_ensemble():
    base = sim.with_changes(DEALER, **{"recovery.resolution_rate": 0.9})
    slow = sim.with_changes(base, **{"recovery.quick_share": 0.0})
    fast = sim.with_changes(base, **{"recovery.quick_share": 1.0})
    t = recovery.compare_years({"slow": slow, "fast": fast}, n_runs=3, rng=5)
    assert list(t.index) == ["slow", "fast"]
    # TARP: 70% stay after a slow resolution, 95% after a quick one.
    assert t.loc["fast", "lost_after_problem"] < t.loc["slow", "lost_after_problem"] - 50
    assert t.loc["fast", "customers_end"] > t.loc["slow", "customers_end"]
    assert t.loc["fast", "value"] > t.loc["slow", "value"]
    for key in ("customers_end", "lost_after_problem", "profit", "value"):
        assert (t[f"{key}_q05"] <= t[key]).all() and (t[key] <= t[f"{key}_q95"]).all()


def test_resolving_nothing_loses_more_than_resolving_most():
    small = sim.with_changes(DEALER, population=5_000)
    sweep = recovery.speed_sweep(
        small, resolution_rates=(0.0, 0.9), quick_shares=(0.5,), n_runs=2, rng=3
    )
    assert list(sweep["resolution_rate"]) == [0.0, 0.9]
    assert sweep["lost_after_problem"].iloc[0] > sweep["lost_after_problem"].iloc[1]
    assert sweep.attrs["n_runs"] == 2 and sweep.attrs["business"] == "car_dealer"


def test_compare_years_is_reproducible_and_refuses_nothing_to_compare():
    small = {"a": sim.with_changes(DEALER, population=2_000, days=60)}
    one = recovery.compare_years(small, n_runs=2, rng=9)
    two = recovery.compare_years(small, n_runs=2, rng=9)
    pd.testing.assert_frame_equal(one, two)
    with pytest.raises(ValueError, match="at least one world"):
        recovery.compare_years({})


def test_speed_figure_quotes_the_numbers_it_draws():
    sweep = pd.DataFrame(
        {
            "resolution_rate": [0.3, 0.3, 0.9, 0.9],
            "quick_share": [0.0, 1.0, 0.0, 1.0],
            "lost_after_problem": [800.0, 740.0, 620.0, 500.0],
            "customers_end": [5000.0, 5050.0, 5200.0, 5350.0],
        }
    )
    for key in ("lost_after_problem", "customers_end"):
        sweep[f"{key}_q05"] = sweep[key] - 10
        sweep[f"{key}_q95"] = sweep[key] + 10
    sweep.attrs.update(n_runs=3, business="hotel")
    found = recovery.speed_findings(sweep)
    # the middle speed of (0, 1) is 1, the middle rate of (0.3, 0.9) is 0.9
    assert found == {"by_resolving": 240.0, "by_speed": 120.0, "worst": 800.0, "best": 500.0,
                     "lowest_rate": 0.3, "highest_rate": 0.9}  # fmt: skip
    fig = recovery.speed_figure(sweep)
    title = fig._suptitle.get_text()
    assert "240" in title and "120" in title and "800" in title and "Business hotel" in title
    assert "90% of complaints instead of 30%" in title
    zh = recovery.speed_figure(sweep, lang="zh")
    assert CJK.search(zh._suptitle.get_text())


def test_levers_change_one_thing_each():
    worlds = recovery.levers(DEALER)
    assert len(worlds) == len(recovery.LEVERS)
    today, training, speed, voice, paradox = worlds.values()
    assert today == DEALER
    assert training.recovery.resolution_rate == 0.9
    assert speed.recovery.quick_share == 0.9
    assert voice.complaints.front_line == 0.75
    assert paradox.recovery.paradox_loyalty == recovery.TARP_PARADOX
    for world in (training, speed, voice, paradox):
        assert world.service == DEALER.service and world.economics == DEALER.economics
    assert any(CJK.search(k) for k in recovery.levers(DEALER, lang="zh"))


def test_readable_shows_ranges_and_the_difference_against_the_first_row_or_the_noise():
    t = pd.DataFrame(
        {"customers_end": [100.0, 110.0, 101.0], "lost_after_problem": [50.0, 38.0, 49.0],
         "complaints": [20.0, 30.0, 20.0], "profit": [1e6, 9e5, 1e6], "value": [2e6, 2.5e6, 2e6]},
        index=pd.Index(["today", "better", "lucky"], name="world"),
    )  # fmt: skip
    for key in ("customers_end", "lost_after_problem", "value"):
        t[f"{key}_q05"], t[f"{key}_q95"] = t[key] - 1, t[key] + 1
        t[f"{key}_diff"] = t[key] - t[key].iloc[0]
        t[f"{key}_diff_lo"], t[f"{key}_diff_hi"] = t[f"{key}_diff"] - 3, t[f"{key}_diff"] + 3
        t[f"{key}_clear"] = [False, True, False]
    shown = recovery.readable(t)
    versus = "Customers against the first row (90% interval)"
    assert shown.loc["better", versus] == "+10 (+7 to +13)"
    assert shown.loc["lucky", versus] == "+1 (-2 to +4) — within the noise"
    assert shown.loc["today", versus] == ""
    assert shown.loc["today", "Customers at year end"] == "100 (99–101)"
    zh = recovery.readable(t, lang="zh")
    assert "在随机波动之内" in zh.loc["lucky", "客户数与第一行相比（90%区间）"]


def test_compare_years_pairs_runs_and_says_when_a_difference_is_noise():
    """The same world twice differs by nothing; a recovery paradox of 8% on a small hotel for
    a quarter is within the noise of 12 runs; resolving every complaint quickly is not."""
    small = sim.presets.get("hotel", population=4_000, days=90)
    worlds = {
        "today": small,
        "again": small,
        "paradox": sim.with_changes(small, **{"recovery.paradox_loyalty": 0.08}),
        "all quick": sim.with_changes(
            small, **{"recovery.resolution_rate": 1.0, "recovery.quick_share": 1.0}
        ),
    }
    t = recovery.compare_years(worlds, n_runs=12, rng=3)
    assert t.attrs["n_runs"] == 12
    assert t.loc["again", "customers_end_diff"] == 0 and not t.loc["again", "customers_end_clear"]
    assert not t.loc["paradox", "customers_end_clear"]
    lo, hi = t.loc["paradox", ["customers_end_diff_lo", "customers_end_diff_hi"]]
    assert lo <= 0 <= hi
    assert t.loc["all quick", "customers_end_clear"]
    assert t.loc["all quick", "customers_end_diff_lo"] > 0
    with pytest.raises(ValueError, match="n_runs must be at least 2"):
        recovery.compare_years(worlds, n_runs=1)


# -- the recovery paradox ---------------------------------------------------------------------


def test_problem_value_starts_at_the_repurchase_rates_and_grows_with_the_paradox():
    assert recovery.problem_value(DEALER, 0.0, handling="quick") == pytest.approx(0.95)
    today = recovery.problem_paths(DEALER)
    assert recovery.problem_value(DEALER, 0.0) == pytest.approx(today["kept_per_100"].sum() / 100)
    grid = np.linspace(0, 1, 11)
    for handling in recovery.HANDLINGS:
        values = [recovery.problem_value(DEALER, x, handling=handling) for x in grid]
        assert np.all(np.diff(values) > 0)
    # perfect handling beats today's, and only a quick fix can beat "no problem at all"
    assert recovery.problem_value(DEALER, 0.5, handling="perfect") > recovery.problem_value(
        DEALER, 0.5
    )
    with pytest.raises(ValueError, match="handling"):
        recovery.problem_value(DEALER, 0.1, handling="slow")
    with pytest.raises(ValueError, match="loyalty"):
        recovery.problem_value(DEALER, 1.5)


def test_problem_value_is_the_lifetime_value_ratio_of_analytic_clv():
    churn, i, loyalty = DEALER.natural_churn, DEALER.economics.discount_rate, 0.3
    plain = analytic.clv(1.0, math.exp(-churn), i)
    boosted = analytic.clv(1.0, math.exp(-churn * (1 - loyalty)), i)
    assert recovery.problem_value(DEALER, loyalty, handling="quick") == pytest.approx(
        0.95 * boosted / plain
    )


def test_break_even_is_where_a_problem_stops_costing_value():
    quick = recovery.break_even_loyalty(DEALER, handling="quick")
    assert 0.05 < quick < 0.12  # TARP's 8% is about the break-even at a dealership
    assert recovery.problem_value(DEALER, quick, handling="quick") == pytest.approx(1.0)
    perfect = recovery.break_even_loyalty(DEALER, handling="perfect")
    assert recovery.problem_value(DEALER, perfect, handling="perfect") == pytest.approx(1.0)
    assert quick < perfect < 1.0
    # today's handling: even a customer who never leaves again cannot make up for the rest
    assert recovery.break_even_loyalty(DEALER) is None
    assert recovery.problem_value(DEALER, 1.0) < 1.0
    # no quick resolutions, no paradox to pay with
    none_quick = sim.with_changes(DEALER, **{"recovery.quick_share": 0.0})
    assert recovery.break_even_loyalty(none_quick) is None


def test_paradox_table_lists_each_business_break_even():
    table = recovery.paradox_table()
    assert len(table) == len(presets.playable())  # not the decks' folklore, not the CD retailer
    row = table.loc["Car dealer"]
    assert row["Ordinary churn a year"] == "10%"
    assert row["Break-even: a complainer resolved quickly"] == "9%"
    assert row["Break-even: anyone with a problem, today's handling"] == "never"
    assert row.iloc[-1] == "77%"
    assert CJK.search(recovery.paradox_table(["hotel"], lang="zh").index[0])


def test_paradox_figure_marks_the_break_even_in_its_title():
    fig = recovery.paradox_figure(DEALER)
    title = fig.axes[0].get_title()
    assert "9%" in title and "77%" in title and "Car dealer" in title
    zh = recovery.paradox_figure(DEALER, lang="zh")
    assert CJK.search(zh.axes[0].get_title())


SMALL = {"population": 3_000, "days": 150}


def _daily(params, seed=4):
    return sim.run(params, rng=seed).daily


@pytest.mark.parametrize(
    "no_quick",
    [{"recovery.quick_share": 0.0}, {"recovery.resolution_rate": 0.0}],
    ids=["nothing-resolved-quickly", "nothing-resolved"],
)
def test_paradox_loyalty_changes_nothing_without_quick_resolutions(no_quick):
    base = sim.with_changes(DEALER, **SMALL, **no_quick)
    with_paradox = sim.with_changes(base, **{"recovery.paradox_loyalty": 1.0})
    pd.testing.assert_frame_equal(_daily(base), _daily(with_paradox))


def test_paradox_loyalty_raises_retention_through_quickly_resolved_customers():
    # Every problem voiced and resolved quickly, plenty of problems and of ordinary churn:
    # with the paradox at its maximum, the recovered never churn for ordinary reasons again.
    q = tuple(x - 1.0 for x in DEALER.service.quality)
    base = sim.with_changes(
        DEALER,
        population=5_000,
        natural_churn=1.0,
        **{
            "service.quality": q,
            "complaints.front_line": 1.0,
            "recovery.resolution_rate": 1.0,
            "recovery.quick_share": 1.0,
        },
    )
    paradox = sim.with_changes(base, **{"recovery.paradox_loyalty": 1.0})
    off = sim.ensemble(base, 3, rng=2, n_jobs=1, metrics=["customers"]).summaries
    on = sim.ensemble(paradox, 3, rng=2, n_jobs=1, metrics=["customers"]).summaries
    assert on["defections_natural"].mean() < 0.9 * off["defections_natural"].mean()
    assert on["customers_end"].mean() > off["customers_end"].mean()
    # the satisfaction bonus alone changes who stays not at all (meta-analysis: no repurchase)
    bonus = sim.with_changes(base, **SMALL, **{"recovery.paradox_satisfaction": 2.0})
    plain = sim.with_changes(base, **SMALL)
    a, b = sim.run(plain, rng=1).daily, sim.run(bonus, rng=1).daily
    assert (a["customers"] == b["customers"]).all()
    seen = a["visits"] > 0  # mean satisfaction is undefined on a day without visits
    assert (b["mean_satisfaction"][seen] >= a["mean_satisfaction"][seen] - 1e-9).all()
    assert b["mean_satisfaction"].mean() > a["mean_satisfaction"].mean()
