"""The capstone console and leaderboard, driven as a team and a trainer would drive them."""

from __future__ import annotations

import pytest

from exercises import capstone
from exercises.store import Store


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
    with pytest.raises(ValueError, match="business must be one of hotel"):
        capstone.Console(business="bank")
    with pytest.raises(ValueError, match="lang must be 'en' or 'zh', got 'de'"):
        capstone.Console(lang="de")


def test_page_shows_every_business_refreshes_after_a_run_and_speaks_chinese(store):
    page = capstone.Page(store, runs=1, population=2_000)
    c = page.console
    assert c.figure.layout.display == "none"  # no broken-image icon before the first run
    c.team.value, c.business.value, c.training.value = "Blue", "car_dealer", 0.5
    c.run_button.click()
    assert c.figure.layout.display is None
    board = page.leaderboard.table.value
    assert "Blue" in board and "Car dealership" in board  # refreshed without a click
    c.business.value = "hotel"
    assert c.result.value == "" and c.figure.layout.display == "none"
    page.lang.value = "zh"
    assert page.console.run_button.description == "运行我们的一年"
    assert "汽车4S店" in page.leaderboard.table.value
