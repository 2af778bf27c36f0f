"""Worked examples and debriefs: tables built from the rubric and the game's rules, paths scored
by the engine, and role-play endings turned into a year of customers."""

from __future__ import annotations

import math
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from csat import i18n, sim
from csat.exercises import rubric
from csat.exercises.bridge import handling_params
from csat.exercises.engine import Session, score_path
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.lessons import debrief, recovery
from csat.sim import capstone as game

CJK = re.compile(r"[\u4e00-\u9fff]")
CAR = load("car-not-ready")
EAGER = ["guess-wash", "another-guess", "no-need-manager", "waive-the-film", "pay-it-yourself",
         "wait-and-see", "keys-and-go", "read-the-manual"]  # fmt: skip


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def store():
    s = Store("sqlite://")
    yield s
    s.close()


def play(store, name: str, choices: list[str]) -> None:
    session = Session(CAR, seed=1, store=store, trainee_id=store.trainee(name))
    for choice in choices:
        session.choose(choice)


# -- the rubric as frameworks ------------------------------------------------------------------


def test_framework_table_is_the_rubric_read_through_each_framework():
    table = debrief.framework_table()
    assert list(table.index) == [d.en for d in rubric.DIMENSIONS.values()]
    for framework in debrief.FRAMEWORK_COLUMNS:
        column = "Deck's service steps" if framework == "deck" else framework
        for step, keys in rubric.FRAMEWORKS[framework].items():
            for key in rubric.DIMENSIONS:
                cell = table.loc[rubric.name(key), column]
                assert (step in cell.split(" · ")) == (key in keys), (framework, step, key)
    zh = debrief.framework_table("zh")
    assert list(zh.index) == [d.zh for d in rubric.DIMENSIONS.values()]
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'de'"):
        debrief.framework_table("de")


# -- paths --------------------------------------------------------------------------------------


def test_follow_walks_the_graph_and_says_where_a_reply_does_not_fit():
    assert debrief.follow(CAR, [c for _n, c in CAR.best_path()]) == CAR.best_path()
    path = debrief.follow(CAR, EAGER)
    assert path[0] == ("arrival", "guess-wash") and len(path) == len(EAGER)
    with pytest.raises(ValueError, match="must be one of"):
        debrief.follow(CAR, ["check-first", "guess-wash"])
    with pytest.raises(ValueError, match="still at"):
        debrief.follow(CAR, ["check-first"])
    with pytest.raises(ValueError, match="ended"):
        debrief.follow(CAR, [*EAGER, "own-and-close"])


def test_compare_paths_scores_with_the_engine():
    wrong = debrief.follow(CAR, EAGER)
    table = debrief.compare_paths(CAR, {"best": CAR.best_path(), "eager": wrong})
    assert table.loc["Total score (0–100)", "best"] == "100"
    assert table.loc["Total score (0–100)", "eager"] == f"{score_path(CAR, wrong).total:.0f}"
    assert table.loc["Passed", "best"] == "yes" and table.loc["Passed", "eager"] == "no"
    assert table.loc["Ending", "best"] == CAR.endings["proud-owner"].title.en
    assert table.loc["The customer", "eager"] == "stays"
    replies = debrief.path_replies(CAR, wrong, width=40)
    assert len(replies) == len(EAGER) and replies["Reply"].str.len().max() <= 40
    assert list(replies["Mood change"]) == [CAR.choice(n, c).mood for n, c in wrong]
    full = debrief.path_replies(CAR, wrong)
    assert list(full["Reply"]) == [CAR.choice(n, c).text("en") for n, c in wrong]


def test_all_paths_spans_the_whole_score_range_and_the_figure_says_so():
    table = debrief.all_paths(CAR)
    assert len(table) == sum(1 for _ in CAR.paths())
    assert table["total"].max() == 100 and table["total"].min() == 0
    assert table["passed"].mean() < 0.5
    fig = debrief.paths_figure(CAR, {"best": CAR.best_path()})
    title = fig.axes[0].get_title()
    assert f"{len(table):,}" in title and f"{table['passed'].mean():.1%}" in title
    zh = debrief.paths_figure(CAR, lang="zh")
    assert CJK.search(zh.axes[0].get_title())


def test_scenario_table_counts_the_ways_through():
    table = debrief.scenario_table(["car-not-ready", "sales-office-new-staff"])
    assert table.loc["car-not-ready", "Ways through"] == f"{sum(1 for _ in CAR.paths()):,}"
    assert table.loc["car-not-ready", "Decisions on the best path"] == len(CAR.best_path())
    assert table.loc["car-not-ready", "Business"] == "Car dealership (4S store)"
    zh = debrief.scenario_table(["car-not-ready"], lang="zh")
    assert zh.loc["car-not-ready", "行业"] == "汽车4S店"


def test_demo_class_is_deterministic_and_spread_over_the_scores():
    paths = debrief.demo_paths(CAR, 8)
    assert paths == debrief.demo_paths(CAR, 8)
    totals = [score_path(CAR, p).total for p in paths]
    assert totals == sorted(totals) and totals[0] < 30 < 60 < totals[-1]
    assert len(debrief.demo_endings(CAR, 5)) == 5
    with pytest.raises(ValueError, match="n >= 1"):
        debrief.demo_paths(CAR, 0)


# -- endings from the store --------------------------------------------------------------------


def test_endings_come_from_the_store_when_there_are_any(store):
    demo, source = debrief.endings_for(store, CAR)
    assert source == "fallback" and demo == debrief.demo_endings(CAR)
    play(store, "王芳", [c for _n, c in CAR.best_path()])
    play(store, "Li Lei", EAGER)
    Session(CAR, seed=2, store=store, trainee_id=store.trainee("Li Lei")).choose("check-first")
    everyone, source = debrief.endings_for(store, CAR)
    assert source == "class"
    assert sorted(e.title.en for e in everyone) == sorted(
        [CAR.endings["proud-owner"].title.en, CAR.endings["stays-cool"].title.en]
    )  # the unfinished attempt is not counted
    mine, source = debrief.endings_for(store, CAR, "  li   LEI ")
    assert source == "trainee" and [e.title.en for e in mine] == ["Keeps the car, loses the warmth"]
    _nobody, source = debrief.endings_for(store, CAR, "Nobody")
    assert source == "fallback"


def test_mix_table_reads_endings_as_a_policy():
    endings = [CAR.endings[k] for k in ("proud-owner", "services-elsewhere", "hotline-complaint",
                                        "proud-owner")]  # fmt: skip
    table = debrief.mix_table(endings)
    col = table.columns[0]
    assert table.loc["Customer stays (complaint resolved)", col] == "50%"
    assert table.loc["Complaint escalated", col] == "25%"
    assert table.loc["People an unhappy customer tells", col] == "9.0"
    assert table.loc["Role-plays counted", col] == "4"


def test_handling_worlds_and_all_leaves_loses_more_customers_than_the_preset():
    base = sim.presets.get("car_dealer")
    leaves = [CAR.endings["services-elsewhere"]] * 4
    worlds = debrief.handling_worlds(base, leaves, CAR, source="class")
    default, handled, best = worlds.values()
    assert default == base and handled == handling_params(base, leaves)
    assert handled.recovery.resolution_rate == 0.0 and best.recovery.resolution_rate == 1.0
    assert "your class's role-plays" in list(worlds)[1]
    t = recovery.compare_years(worlds, n_runs=6, rng=11)
    kept, lost = t["customers_end"].to_numpy(), t["lost_after_problem"].to_numpy()
    assert kept[1] < kept[0] < kept[2]
    assert lost[1] > lost[0] > lost[2]
    assert t["customers_end_clear"].iloc[1]
    fig = debrief.handling_figure(t, source="class", name="Car dealership")
    title = fig._suptitle.get_text()
    assert f"{kept[1]:,.0f}" in title and f"{kept[0] - kept[1]:,.0f} fewer" in title
    assert "6 runs each" in title
    # A difference inside the noise is said to be so, not "fewer".
    t.loc[t.index[1], "customers_end_clear"] = False
    noisy = debrief.handling_figure(t, source="class", name="Car dealership")._suptitle.get_text()
    assert "beyond the noise" in noisy and "no different" in noisy
    assert "fewer" not in noisy
    assert CJK.search(debrief.handling_figure(t, lang="zh")._suptitle.get_text())
    assert "No class results" not in title
    fallback = debrief.handling_figure(t, source="fallback", name="Car dealership")
    assert fallback._suptitle.get_text().startswith("No class results yet — demo class shown\n")
    zh = debrief.handling_figure(t, source="fallback", lang="zh")._suptitle.get_text()
    assert zh.startswith("还没有全班的结果")


# -- the capstone ------------------------------------------------------------------------------


def test_capstone_rules_come_from_applying_the_game():
    table = debrief.capstone_rules("hotel")
    base = sim.presets.get("hotel")
    whole = game.apply(game.Plan(team="x", training=1.0), base).recovery.resolution_rate
    assert table.loc["Complaint-handling training", "The whole budget on it"] == f"{whole:.0%}"
    assert table.loc["Complaint-handling training", "Today"] == "60%"
    half = game.apply(game.Plan(team="x", quality=(0.5, 0, 0, 0, 0)), base)
    assert table.loc["Reliability", "Half the budget on it"] == (
        f"{half.service.quality[0]:.2f} ({half.service.spread[0]:.2f})"
    )
    assert len(table) == 2 + len(sim.SERVQUAL)
    assert CJK.search("".join(debrief.capstone_rules("hotel", lang="zh").index))


def test_promise_rules_show_both_edges():
    table = debrief.promise_rules("hotel", steps=(0.0, 1.0))
    expect, regular, delivered, reach = table.columns
    hotel = sim.presets.get("hotel")
    lo, hi = (float(v) for v in table[expect])
    assert hi - lo == pytest.approx(hotel.expectations.promise_weight, abs=0.01)
    assert list(table[delivered]) == [f"{hotel.service.mean_experience:.2f}"] * 2
    # today a regular expects less than a visit delivers; a point bolder, more
    assert float(table[regular].iloc[0]) < float(table[delivered].iloc[0])
    assert float(table[regular].iloc[1]) > float(table[regular].iloc[0])
    assert list(table[reach]) == ["×1.00", f"×{math.e:.2f}"]


def test_returns_and_plans_figures_state_their_finding():
    fig = debrief.returns_figure()
    assert "78%" in fig.axes[0].get_title() and "95%" in fig.axes[0].get_title()
    a = game.play(game.Plan(team="Basics", training=0.3, quality=(0.4, 0.3, 0, 0, 0)),
                  business="hotel", runs=1, population=2_000)  # fmt: skip
    b = game.play(game.Plan(team="Bold", quality=(0, 0, 0, 0, 1.0), promise=9.5),
                  business="hotel", runs=1, population=2_000)  # fmt: skip
    fig = debrief.plans_figure([b, a])
    winner = max((a, b), key=lambda o: o.value)
    assert fig.axes[0].get_title().startswith(f"“{winner.plan.team}”")
    ax = fig.axes[0]
    ticks = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    assert ticks[max(ticks)] == winner.plan.team  # the winner is drawn on top
    with pytest.raises(ValueError, match="at least one"):
        debrief.plans_figure([])
    assert np.isfinite(winner.value)


def test_leaderboard_table_ranks_teams_and_formats_money_and_shares():
    rows = [
        {"team": "Bold", "value": 803_711, "profit_after_spend": 283_943,
         "customer_value": 519_768, "customers_end": 1884, "dissatisfied_share": 0.521,
         "spent": 108_600},
        {"team": "Basics", "value": 2_950_187, "profit_after_spend": 741_025,
         "customer_value": 2_209_162, "customers_end": 1568, "dissatisfied_share": 0.017,
         "spent": 108_600},
    ]  # fmt: skip
    table = debrief.leaderboard_table(game.leaderboard(rows))
    assert table.index.name == "Rank" and list(table.index) == [1, 2]
    assert list(table["Team"]) == ["Basics", "Bold"]
    assert table.loc[1, "Business value"] == "¥2,950,187"
    assert table.loc[1, "Customers at year end"] == "1,568"
    assert table.loc[1, "Visits that disappoint"] == "1.7%"
    assert table.loc[2, "Spent of the budget"] == "¥108,600"
    zh = debrief.leaderboard_table(game.leaderboard(rows), lang="zh")
    assert zh.index.name == "名次" and all(CJK.search(c) for c in zh.columns)
    assert debrief.leaderboard_table([]).empty
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        debrief.leaderboard_table(rows, lang="fr")


def test_words_and_typography_come_from_the_catalogue():
    assert debrief.capstone_rules("hotel", lang="zh").index[2] == i18n.t(
        "servqual.reliability", "zh"
    )
    zh = debrief.path_replies(CAR, CAR.best_path(), lang="zh")
    assert any("，" in p for p in zh.iloc[:, 1]) and not any(", " in p for p in zh.iloc[:, 1])
    assert debrief._wrap_label("研究默认值（解决60%）", "zh") == "研究默认值\n（解决60%）"
    assert debrief._wrap_label("Research default (60% resolved)", "en") == (
        "Research default\n(60% resolved)"
    )
    a = game.play(game.Plan(team="甲队"), business="hotel", runs=1, population=1_000)
    totals = [t.get_text() for t in debrief.plans_figure([a], lang="zh").axes[0].texts]
    assert totals == [f"{a.value / 1e6:,.1f}"]
    totals = [t.get_text() for t in debrief.plans_figure([a]).axes[0].texts]
    assert totals == [f"¥{a.value / 1e6:,.1f}m"]
