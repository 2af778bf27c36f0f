"""The capstone console and leaderboard, driven as a team and a trainer would drive them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from csat.exercises import teams
from csat.exercises.store import Store
from csat.ui import capstone


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'room.sqlite'}") as s:
        yield s


def console(store, **kwargs):
    return capstone.Console(store, runs=1, population=2_000, **kwargs)


def test_a_team_runs_its_year_and_lands_on_the_leaderboard(store):
    c = console(store)
    c.team.value = "  Team <b>Blue</b> "
    c.training.value = 0.3
    c.speed.value = 0.2
    c.quality[0].value = 0.3
    assert "Allocated: <b>80%</b>" in c.budget.value
    c.run_button.click()
    assert "Team &lt;b&gt;Blue&lt;/b&gt;" in c.result.value and "<b>Blue</b>" not in c.result.value
    assert c.figure.value[:4] == b"\x89PNG"
    assert c.message.value == "Saved for the leaderboard."
    attempts = store.attempts(exercise_id="capstone-hotel")
    assert len(attempts) == 1 and attempts.loc[0, "display_name"] == "Team <b>Blue</b>"
    levers = {d.node: d.choice for d in store.decisions(int(attempts.loc[0, "attempt_id"]))}
    assert levers["training"] == "0.3" and levers["quality_reliability"] == "0.3"
    assert attempts.loc[0, "total"] == pytest.approx(round(c.outcome.value))
    board = capstone.Leaderboard(store, business="hotel")
    assert "Team &lt;b&gt;Blue&lt;/b&gt;" in board.table.value


def test_refused_plans_say_why_and_save_nothing(store):
    c = console(store)
    c.run_button.click()
    assert "Type your team&#x27;s name first." in c.message.value
    c.team.value = "Red"
    c.training.value, c.speed.value, c.quality[1].value = 0.5, 0.4, 0.3
    c.run_button.click()
    assert "allocated 120% of the budget" in c.message.value
    assert store.attempts().empty and c.outcome is None


def test_leaderboard_ranks_each_teams_best_year(store):
    lb = capstone.Leaderboard(store, business="hotel", lang="zh")
    assert "还没有团队运行过" in lb.table.value
    for team, promise in [("Hype", 9.6), ("Calm", 7.0), ("Hype", 7.2)]:
        c = console(store)
        c.team.value, c.promise.value, c.training.value = team, promise, 0.3
        c.run_button.click()
    board = lb.refresh()
    assert sorted(board["team"]) == ["Calm", "Hype"]
    assert board["value"].is_monotonic_decreasing
    assert "企业价值" in lb.table.value


def test_bad_business_or_language():
    with pytest.raises(ValueError, match="business must be one of car_dealer, hotel"):
        capstone.Console(business="bank")
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'de'"):
        capstone.Console(lang="de")


def test_page_shows_every_business_refreshes_after_a_run_and_speaks_chinese(store):
    page = capstone.Page(store, runs=1, population=2_000)
    c = page.console
    assert c.figure.layout.display == "none"  # no broken-image icon before the first run
    c.team.value, c.business.value, c.training.value = "Blue", "car_dealer", 0.5
    c.run_button.click()
    assert c.figure.layout.display is None
    board = page.leaderboard.table.value
    assert "Blue" in board and "Car dealer" in board  # refreshed without a click
    c.business.value = "hotel"
    assert c.result.value == "" and c.figure.layout.display == "none"
    page.lang.value = "zh"
    assert page.console.run_button.description == "运行我们的一年"
    assert "4S店" in page.leaderboard.table.value


# -- the language switch keeps what the team did --------------------------------------------------


def set_plan(c, team="Blue"):
    c.team.value, c.business.value = team, "car_dealer"
    c.training.value, c.speed.value, c.quality[2].value, c.promise.value = 0.3, 0.2, 0.25, 8.4


def assert_plan_kept(c, team="Blue"):
    assert c.team.value == team and c.business.value == "car_dealer"
    assert (c.training.value, c.speed.value, c.quality[2].value) == (0.3, 0.2, 0.25)
    assert c.promise.value == 8.4


def test_switching_language_after_a_run_keeps_the_plan_the_result_and_the_count(store):
    page = capstone.Page(store, runs=1, population=2_000)
    c = page.console
    set_plan(c)
    c.run_button.click()
    value = f"{c.outcome.value:,.0f}"
    assert "Run 1 of 3" in c.result.value

    page.lang.value = "zh"
    c = page.console
    assert_plan_kept(c)
    assert c.team.description == "团队名称" and c.business.label == "4S店"
    assert c.training.description == "投诉处理培训" and "已分配：<b>75%" in c.budget.value
    assert f"Blue：企业价值 ¥{value}" in c.result.value and "第1次，共3次" in c.result.value
    assert c.message.value == "已保存，可在排行榜查看。"
    assert c.figure.value[:4] == b"\x89PNG" and c.figure.layout.display is None
    assert "Blue" in page.leaderboard.table.value and "企业价值" in page.leaderboard.table.value
    assert page.leaderboard.refresh_button.description == "刷新"

    page.lang.value = "en"
    c = page.console
    assert_plan_kept(c)
    assert c.business.label == "Car dealer" and "Allocated: <b>75%" in c.budget.value
    assert f"Blue: business value ¥{value}" in c.result.value and "Run 1 of 3" in c.result.value
    assert c.message.value == "Saved for the leaderboard."
    assert c.figure.layout.display is None
    assert len(store.attempts(exercise_id="capstone-car_dealer")) == 1  # relabelling ran nothing


def test_switching_language_before_any_run_keeps_the_plan(store):
    page = capstone.Page(store, runs=1, population=2_000)
    c = page.console
    set_plan(c)
    page.lang.value = "zh"
    assert_plan_kept(page.console)
    assert page.console.result.value == "" and page.console.figure.layout.display == "none"
    assert page.console.run_button.description == "运行我们的一年"
    page.lang.value = "en"
    assert_plan_kept(page.console)
    page.console.run_button.click()  # the kept plan is the one that runs
    levers = store.decisions(int(store.attempts().loc[0, "attempt_id"]))
    assert {d.node: d.choice for d in levers}["quality_assurance"] == "0.25"


def test_a_warning_follows_the_language(store):
    page = capstone.Page(store, runs=1, population=2_000)
    page.console.run_button.click()
    assert "Type your team&#x27;s name first." in page.console.message.value
    page.lang.value = "zh"
    assert "请先输入团队名称。" in page.console.message.value


# -- three runs per team ----------------------------------------------------------------------


def test_each_run_is_counted_and_a_fourth_is_refused(store):
    c = console(store)
    for n in (1, 2, 3):
        c.team.value = "Blue" if n != 2 else " blue "  # the store's name matching
        c.training.value = 0.1 * n
        c.run_button.click()
        assert f"Run {n} of 3" in c.result.value and c.message.value == "Saved for the leaderboard."
    assert "that was your last run" in c.result.value
    third = c.outcome
    c.training.value = 0.5
    c.run_button.click()
    assert "Blue has used all 3 runs at Business hotel" in c.message.value
    assert c.outcome is third and "Run 3 of 3" in c.result.value
    assert len(store.attempts(exercise_id="capstone-hotel")) == 3
    c.set_lang("zh")
    assert "Blue 在商务酒店的 3 次运行机会已经用完" in c.message.value
    assert "第3次，共3次，这是最后一次" in c.result.value

    again = console(store)  # a reload, or the team's second laptop, does not reset the count
    again.team.value = "BLUE"
    again.run_button.click()
    assert "used all 3 runs" in again.message.value and again.outcome is None
    again.team.value = "Red"  # another team still plays
    again.run_button.click()
    assert "Run 1 of 3" in again.result.value
    again.team.value, again.business.value = "Blue", "airline"  # and so does Blue elsewhere
    again.run_button.click()
    assert "Run 1 of 3" in again.result.value
    assert len(store.attempts()) == 5


def test_runs_from_an_earlier_class_do_not_count(store, monkeypatch):
    c = console(store)
    c.team.value = "Blue"
    c.run_button.click()
    monkeypatch.setattr(teams, "RUN_WINDOW", timedelta(0))  # where the count reads it
    assert c.runs_made() == 0
    c.run_button.click()
    assert "Run 1 of 3" in c.result.value


def test_without_a_store_the_console_counts_itself():
    c = capstone.Console(runs=1, population=2_000, max_runs=2)
    c.team.value = "Blue"
    c.run_button.click()
    c.run_button.click()
    assert "Run 2 of 2" in c.result.value
    c.run_button.click()
    assert "used all 2 runs" in c.message.value and c.runs_made() == 2
    unlimited = capstone.Console(runs=1, population=2_000, max_runs=None)
    unlimited.team.value = "Blue"
    unlimited.run_button.click()
    assert "csat-run-count" not in unlimited.result.value


def test_a_double_click_on_run_is_one_run(store):
    """The second click of a double-click reaches the kernel from the button that ran the year:
    it runs nothing, and the team still has two runs left."""
    c = console(store)
    c.team.value = "Green"
    button = c.run_button
    button.click()
    button.click()
    assert c.run_button is not button and not c.run_button.disabled
    assert len(store.attempts(exercise_id="capstone-hotel")) == 1
    assert c.runs_made() == 1 and "Run 1 of 3" in c.result.value


def test_saving_one_click_twice_keeps_one_year(store):
    c = console(store)
    c.team.value = "Teal"
    c.run_button.click()
    first = capstone.save(store, c.outcome, token="click-1")
    assert capstone.save(store, c.outcome, token="click-1") == first
    assert len(store.attempts(exercise_id="capstone-hotel")) == 2  # the console's, and click-1
