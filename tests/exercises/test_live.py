"""The trainer's live view reads what trainees write, and escapes their names."""

from __future__ import annotations

from exercises.engine import Session
from exercises.live import TrainerView
from exercises.scenario import load
from exercises.store import Store


def test_refresh_shows_a_newly_finished_attempt_and_the_choice_spread(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'room.sqlite'}")
    view = TrainerView(store)
    view.scenario.value = "hotpot-queue"
    assert "No results yet" in view.scores.value and view.figure.value == b""
    s = load("hotpot-queue")
    tid = store.trainee("Zhao <i>Min</i>")
    session = Session(s, seed=1, store=store, trainee_id=tid)
    for _, choice in s.best_path():
        session.choose(choice)
    assert "Zhao" not in view.scores.value  # nothing changes until the trainer refreshes
    view.refresh_button.click()
    assert "Zhao &lt;i&gt;Min&lt;/i&gt;" in view.scores.value and "<i>Min" not in view.scores.value
    assert ">100<" in view.scores.value
    assert "1 trainees · 1 finished attempts" in view.status.value
    assert "100% (1)" in view.choices.value and "model answer" in view.choices.value
    assert view.figure.value[:4] == b"\x89PNG"


def test_chinese_view(tmp_path):
    view = TrainerView(Store(f"sqlite:///{tmp_path / 'r.sqlite'}"), lang="zh")
    assert "还没有成绩" in view.scores.value and view.refresh_button.description == "刷新"


def test_opens_on_the_scenario_the_room_is_playing(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'room.sqlite'}")
    s = load("delayed-flight")
    Session(s, seed=2, store=store, trainee_id=store.trainee("A")).choose(s.best_path()[0][1])
    view = TrainerView(store)
    assert view.scenario.value == "delayed-flight"
    assert view.figure.layout.display is None and view.figure.value[:4] == b"\x89PNG"
    view.scenario.value = "hotpot-queue"
    assert "Nobody has played this scenario yet." in view.choices.value
    assert view.figure.layout.display == "none"
