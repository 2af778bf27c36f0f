"""The trainer's live view reads what trainees write, escapes their names, stays shut behind the
trainer code, labels decision points as trainees saw them and speaks English or Chinese."""

from __future__ import annotations

import html
import re

import pytest
from ipywidgets.widgets.widget import _instances

from csat.exercises.engine import Session
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.ui import live
from csat.ui.live import CODE_ENV, MAX_TRIES, TrainerView
from csat.ui.widgets import model_answer

CODE = "482913"


@pytest.fixture(autouse=True)
def no_code_in_the_environment(monkeypatch):
    """A trainer who exported a code in their shell must not change what these tests see."""
    monkeypatch.delenv(CODE_ENV, raising=False)


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'room.sqlite'}") as s:
        yield s


def play(store, name: str, choices: list[str], scenario: str = "hotpot-queue") -> None:
    """``name`` takes ``choices`` from the start, then the best way on to an ending."""
    s = load(scenario)
    session = Session(s, seed=1, store=store, trainee_id=store.trainee(name))
    for choice in choices:
        session.choose(choice)
    best = dict(s.best_path())
    while not session.finished:
        node = session.node
        session.choose(best.get(node) or model_answer(s, node).id)


def everything_sent_to_the_browser() -> str:
    """The state of every widget alive in this kernel (what Voilà would sync to the page)."""
    return " ".join(str(w.get_state()) for w in list(_instances.values()))


def point_block(choices_html: str, node: str, lang: str = "en") -> str:
    """The rows of one decision point in the choices table: its heading and its replies."""
    line = html.escape(load("hotpot-queue").nodes[node].customer(lang), quote=True)
    start = choices_html.index(f"<tr class='csat-live-point' title='{line}'>")
    end = choices_html.find("<tr class='csat-live-point'", start + 1)
    return choices_html[start : end if end > 0 else None]


def test_refresh_shows_a_newly_finished_attempt_and_the_choice_spread(store):
    view = TrainerView(store)
    view.scenario.value = "hotpot-queue"
    assert "No results yet" in view.scores.value and view.figure.value == b""
    s = load("hotpot-queue")
    tid = store.trainee("Zhao <i>Min</i>")
    session = Session(s, seed=1, store=store, trainee_id=tid)
    for _, choice in s.best_path():
        session.choose(choice)
    assert "No results yet" in view.scores.value  # nothing changes until the trainer refreshes
    view.refresh_button.click()
    # Projected by default: the room's figures, no names.
    assert "Zhao" not in view.scores.value and "csat-live-room" in view.scores.value
    assert html.escape(s.title("en")) in view.scores.value
    view.show_names.value = True  # the trainer asks for them
    assert "Zhao &lt;i&gt;Min&lt;/i&gt;" in view.scores.value and "<i>Min" not in view.scores.value
    assert ">100<" in view.scores.value
    assert "1 trainees · 1 finished attempts" in view.status.value
    assert "100% (1)" in view.choices.value and "model answer" in view.choices.value
    assert view.figure.value[:4] == b"\x89PNG"


def test_chinese_view(store):
    view = TrainerView(store, lang="zh")
    assert "还没有成绩" in view.scores.value and view.refresh_button.description == "刷新"
    assert view.lang.value == "zh"


def test_opens_on_the_scenario_the_room_is_playing(store):
    s = load("delayed-flight")
    Session(s, seed=2, store=store, trainee_id=store.trainee("A")).choose(s.best_path()[0][1])
    view = TrainerView(store)
    assert view.scenario.value == "delayed-flight"
    assert view.figure.layout.display is None and view.figure.value[:4] == b"\x89PNG"
    view.scenario.value = "hotpot-queue"
    assert "Nobody has played this scenario yet." in view.choices.value
    assert view.figure.layout.display == "none"


# -- the trainer code ----------------------------------------------------------------------


def test_a_wrong_code_keeps_every_result_out_of_the_page(store, monkeypatch):
    play(store, "Secret Trainee", [])
    monkeypatch.setenv(CODE_ENV, CODE)
    view = TrainerView(store)
    assert not view.unlocked and view.scores is None and view.lang is None
    gate = str([c.get_state() for c in view.body.children[0].children])
    assert "Trainer code · 培训师口令" in gate and "Open · 打开" in str(
        view.unlock_button.get_state()
    )
    assert "Secret Trainee" not in everything_sent_to_the_browser()
    view.code_box.value = "111111"
    view.unlock_button.click()
    assert not view.unlocked and view.scores is None
    assert "Wrong code" in view.gate_message.value and "口令不对" in view.gate_message.value
    assert "Secret Trainee" not in everything_sent_to_the_browser()


def test_the_right_code_opens_the_view(store, monkeypatch):
    play(store, "Secret Trainee", [])
    monkeypatch.setenv(CODE_ENV, CODE)
    view = TrainerView(store)
    view.code_box.value = "9"
    view.unlock_button.click()
    assert not view.unlocked
    box = view.code_box
    box.value = f" {CODE} "  # pasted with spaces around it
    assert view.unlocked  # Enter (the value arriving) is enough; no click needed
    view.show_names.value = True
    assert "Secret Trainee" in view.scores.value and view.figure.value[:4] == b"\x89PNG"
    assert view.code_box is None and box.comm is None  # the gate has left the page


def test_without_a_code_in_the_environment_the_view_opens_directly(store, monkeypatch):
    play(store, "Secret Trainee", [])
    monkeypatch.setenv(CODE_ENV, "   ")  # blank counts as unset
    view = TrainerView(store)
    assert view.unlocked and view.code_box is None
    assert "Secret Trainee" not in view.scores.value  # not until asked
    view.show_names.value = True
    assert "Secret Trainee" in view.scores.value


def test_codes_are_compared_in_constant_time(store, monkeypatch):
    calls = []
    real = live.hmac.compare_digest
    monkeypatch.setattr(live.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    view = TrainerView(store, code=CODE)
    view.code_box.value = CODE
    assert view.unlocked and calls


class Clock:
    """A clock the test moves by hand (seconds since the epoch)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def hostile_tries(view, codes) -> None:
    """What a client does over the widget channel: re-enable the box and send values."""
    for typed in codes:
        view.code_box.disabled = view.unlock_button.disabled = False
        view.code_box.value = typed  # fires the kernel's observer, as Enter does
        view.unlock_button.click()  # and the button's handler


def test_wrong_codes_from_a_hostile_client_lock_the_room_in_the_kernel(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'room.sqlite'}"
    clock = Clock()
    caplog.set_level("INFO", logger="csat")
    with Store(url) as store:
        view = TrainerView(store, code=CODE, clock=clock)
        hostile_tries(view, [f"{i:06d}" for i in range(3000)])
        assert store.gate_state("trainer")[0] == MAX_TRIES  # the rest were refused unread
        hostile_tries(view, [CODE])
        assert not view.unlocked and view.scores is None
        assert "locked for 30 s" in view.gate_message.value
        assert "锁定 30 秒" in view.gate_message.value
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("csat")]
    assert sum("wrong code" in m for m in warnings) == MAX_TRIES
    assert f"wrong code, {MAX_TRIES} in a row in this room; locked for 30 s" in warnings[-1]
    # A new kernel (a reloaded page, another browser) sees the same lock, from the store.
    with Store(url) as store:
        fresh = TrainerView(store, code=CODE, clock=clock)
        assert "locked for 30 s" in fresh.gate_message.value
        clock.now += 29
        fresh.code_box.value = CODE
        assert not fresh.unlocked and "locked for 1 s" in fresh.gate_message.value
        clock.now += 1.5
        # The lock passed: one more wrong code locks for twice as long, in every kernel.
        hostile_tries(fresh, ["111111"])
        assert "locked for 60 s" in fresh.gate_message.value
        assert store.gate_state("trainer")[0] == MAX_TRIES + 1
        clock.now += 61
        fresh.code_box.value = CODE  # the trainer's own code, once the lock has passed
        assert fresh.unlocked and fresh.scores is not None
        assert store.gate_state("trainer") == (0, None)  # the right code clears the count
    assert "trainer page: opened with the right code" in caplog.text


def test_the_lock_grows_to_five_minutes_at_most():
    from csat.exercises.gate import MAX_LOCK_S, lock_seconds

    waits = [lock_seconds(n) for n in range(1, 40)]
    assert waits[: MAX_TRIES - 1] == [0.0] * (MAX_TRIES - 1)
    assert waits == sorted(waits) and max(waits) == MAX_LOCK_S == 300


def test_a_few_typos_do_not_lock_and_the_same_code_twice_counts_once(store):
    view = TrainerView(store, code=CODE)
    for i in range(MAX_TRIES - 1):
        view.code_box.value = f"00000{i}"
        view.unlock_button.click()  # the same wrong code again is not another try
    assert store.gate_state("trainer")[0] == MAX_TRIES - 1
    assert "Wrong code" in view.gate_message.value and "locked" not in view.gate_message.value
    view.code_box.value = CODE
    assert view.unlocked


def test_an_unreachable_store_keeps_the_gate_shut_and_tells_the_trainer(store, caplog):
    view = TrainerView(store, code=CODE)
    store.close()  # the database went away
    view.code_box.value = CODE
    assert not view.unlocked and view.scores is None
    assert "cannot be reached" in view.gate_message.value
    assert "无法连接成绩数据库" in view.gate_message.value
    assert "sqlite" not in view.gate_message.value and "room.sqlite" in caplog.text


# -- decision points as trainees saw them --------------------------------------------------


def test_decision_points_are_labelled_with_the_customers_line_and_the_step_trainees_saw(store):
    s = load("hotpot-queue")
    play(store, "A", [])  # the best path: at-the-stand, real-time, the-wait, seated, goodbye
    play(store, "B", ["standard-line", "hear-and-own"])  # at-the-stand, heated, real-time, …
    view = TrainerView(store)
    view.scenario.value = "hotpot-queue"
    table = view.choices.value
    # B saw "heated" as step 2; counting nodes breadth first made it decision point 3.
    heated = point_block(table, "heated")
    assert "seen as step 2 · 1 decision</div>" in heated and "on the best path" not in heated
    said = s.nodes["heated"].customer.en
    assert html.escape(said[:60]) in heated
    assert "seen as step 2 or 3 · 2 decisions · on the best path" in point_block(table, "real-time")
    assert "seen as step 3 or 4" in point_block(table, "the-wait")
    assert not re.search(r"<td[^>]*>\d+</td>", table)  # no bare numbers for rows
    # Long lines are shortened (the whole line on hover); a stage direction is set apart.
    wait = point_block(table, "the-wait")
    stage, spoken = re.match(r"(\(.*?\))\s*(.*)", s.nodes["the-wait"].customer.en).groups()
    shown = re.sub(r"title='[^']*'", "", wait)
    assert html.escape(spoken) in shown and html.escape(stage) not in shown
    assert html.escape(stage[:40]) in shown and "…" in shown
    # Ordered like the conversation: the start, then by depth, the best path first at each.
    order = [table.index(point_block(table, n)) for n in ("at-the-stand", "real-time", "heated")]
    assert order == sorted(order)
    assert table.index(point_block(table, "the-wait")) > order[-1]
    # The figure is drawn from the same points.
    assert view.figure.value[:4] == b"\x89PNG"


def test_unreached_decision_points_are_left_out(store):
    play(store, "A", [])
    view = TrainerView(store)
    view.scenario.value = "hotpot-queue"
    assert (
        "csat-live-point' title='"
        + html.escape(load("hotpot-queue").nodes["heated"].customer.en, quote=True)
        not in view.choices.value
    )
    assert view.choices.value.count("csat-live-point") == 5


# -- English / 中文 ------------------------------------------------------------------------


def test_the_language_switch_redraws_scores_and_choices_in_chinese(store):
    s = load("hotpot-queue")
    play(store, "王芳", [])
    view = TrainerView(store)
    view.scenario.value = "hotpot-queue"
    reply = s.choice("at-the-stand", "apologise-check-now")
    assert html.escape(reply.text.en) in view.choices.value
    assert [label for label, _ in view.lang.options] == ["English", "中文"]
    view.lang.value = "zh"
    table = view.choices.value
    assert html.escape(reply.text.zh) in table and html.escape(reply.text.en) not in table
    assert "参考答案" in table and "学员看到的第1步" in point_block(table, "at-the-stand", "zh")
    assert view.refresh_button.description == "刷新" and "目前成绩" in view.scores_heading.value
    assert "完成人数" in view.scores.value and "王芳" not in view.scores.value
    view.show_names.value = True
    assert view.show_names.description == "显示姓名"
    assert "王芳" in view.scores.value and "学员" in view.scores.value
    assert html.escape(s.title("zh")) in view.scores.value  # exercises by title, not id
    assert view.scenario.value == "hotpot-queue"  # the same scenario, its title in Chinese
    assert dict(view.scenario.options)[s.title.zh] == "hotpot-queue"
    assert "位学员" in view.status.value
    view.lang.value = "en"
    assert html.escape(reply.text.en) in view.choices.value
