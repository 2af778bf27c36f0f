"""The trainees' hub as the trainer sets the day (the agenda, the room's language, a link's
``?lang=``) and as the trainee's browser remembers it across reloads.

The browser's side of :class:`~csat.ui.memory.BrowserMemory` is played here as the front end
plays it: ``set_state`` with what ``localStorage`` held and ``loaded``, which is what the
widget's comm delivers to the kernel; a reload is a new :class:`Hub` (a new kernel) on the
same store, given what the first one left in the browser."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pytest

from csat.exercises import agenda
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.ui.hub import Hub, query_language
from csat.ui.observer import ObserverSheet
from csat.ui.quiz import QuizWidget
from csat.ui.roleplay import RolePlay

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "hotpot-queue"
DAY = {"language": "zh", "exercises": ["servqual-quiz", "observer", SCENARIO, "warm-up-quiz"]}


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as s:
        yield s


@pytest.fixture(autouse=True)
def no_query(monkeypatch):
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)


def browser_sends(hub: Hub, stored: dict | None = None, *, available: bool = True) -> None:
    """The front end's first message: what this browser's localStorage held."""
    hub.memory.set_state({"value": stored or {}, "loaded": True, "available": available})


def values(hub: Hub) -> list[str]:
    return [v for _, v in hub.picker.options]


def best(n: int) -> list[str]:
    return [c for _, c in load(SCENARIO).best_path()[:n]]


# -- the agenda ------------------------------------------------------------------------------


def test_the_hub_offers_exactly_the_agenda_in_its_order_and_language(store):
    hub = Hub(store, agenda=agenda.parse(DAY))
    assert values(hub) == [
        "quiz:servqual-quiz",
        "observer:",
        f"scenario:{SCENARIO}",
        "quiz:warm-up-quiz",
    ]
    assert hub.language == "zh" and hub.open_button.description == "打开"
    assert hub.picker.value == "quiz:servqual-quiz"  # the first of the day
    assert hub.notice.value == ""
    assert Hub(store, agenda=agenda.parse(DAY), lang="en").language == "en"  # told otherwise


def test_without_an_agenda_the_hub_offers_everything_in_english(store):
    hub = Hub(store)
    assert tuple(values(hub)) == agenda.everything().entries and hub.language == "en"


def test_a_broken_agenda_shows_its_problems_and_offers_every_exercise(store, tmp_path):
    (tmp_path / "agenda.yaml").write_text(
        "language: zh\nexercises:\n  - hotpot-queu\n  - <b>bold</b>\n", encoding="utf-8"
    )
    day, problem = agenda.for_room(tmp_path)
    hub = Hub(store, agenda=day, problem=problem)
    assert tuple(values(hub)) == agenda.everything().entries
    notice = html.unescape(hub.notice.value)
    assert "Today's agenda file has a problem, so every exercise is listed" in notice
    assert "agenda.yaml: exercises[0]: expected an exercise id, got 'hotpot-queu'" in notice
    assert "(did you mean 'hotpot-queue'?)" in notice
    assert "<b>bold</b>" not in hub.notice.value and "<b>bold</b>" in notice  # escaped
    hub.lang.value = "zh"
    assert "今天的练习安排文件有问题" in hub.notice.value
    assert "hotpot-queu" in hub.notice.value  # the problem lines as they are


def test_a_broken_exercise_file_in_the_agenda_is_left_out(tmp_path, monkeypatch):
    import shutil

    from csat.exercises import scenario as scenario_mod

    folder = tmp_path / "scenarios"
    shutil.copytree(scenario_mod.SCENARIO_DIR, folder)
    (folder / "broken.yaml").write_text("id: broken\nnodes: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(scenario_mod, "SCENARIO_DIR", folder)
    day = agenda.parse({"exercises": ["broken", SCENARIO]})
    hub = Hub(Store(f"sqlite:///{tmp_path / 'r.sqlite'}"), agenda=day)
    assert values(hub) == [f"scenario:{SCENARIO}"] and hub.skipped == ["broken"]


def test_lang_in_the_address_overrides_the_agenda(store, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "lang=zh")
    assert Hub(store).language == "zh"
    assert Hub(store, lang="en").language == "en"
    monkeypatch.setenv("QUERY_STRING", "lang=fr&x=1")
    assert Hub(store, agenda=agenda.parse(DAY)).language == "zh"  # unknown: the agenda's
    assert query_language("a=1&lang=en") == "en" and query_language("lang=") is None


def test_the_hub_notebook_reads_the_rooms_agenda_and_survives_a_broken_one(tmp_path):
    nb = json.loads((ROOT / "csat" / "app" / "hub.ipynb").read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c["cell_type"] == "code"]
    source = "".join(cell["source"])
    assert len(source.splitlines()) <= 8, "the page stays thin: the logic is in csat.ui.hub"
    *body, last = source.strip().splitlines()
    code = "\n".join([*body, f"hub = {last}"])
    (tmp_path / "agenda.yaml").write_text("exercises: [warm-up-quiz, nope]\n", encoding="utf-8")
    here = Path.cwd()
    env = os.environ.get("CSAT_DB_URL")
    os.environ["CSAT_DB_URL"] = f"sqlite:///{tmp_path / 'r.sqlite'}"
    os.chdir(tmp_path)  # Voilà runs a page with its folder as the working directory
    try:
        scope: dict = {}
        exec(compile(code, "hub.ipynb", "exec"), scope)
        broken = scope["hub"]
        (tmp_path / "agenda.yaml").write_text(
            "language: zh\nexercises: [warm-up-quiz, observer]\n", encoding="utf-8"
        )
        scope = {}
        exec(compile(code, "hub.ipynb", "exec"), scope)
        good = scope["hub"]
    finally:
        os.chdir(here)
        if env is None:
            os.environ.pop("CSAT_DB_URL")
        else:
            os.environ["CSAT_DB_URL"] = env
    assert "got 'nope'" in html.unescape(broken.notice.value)
    assert tuple(values(broken)) == agenda.everything().entries
    assert values(good) == ["quiz:warm-up-quiz", "observer:"] and good.language == "zh"


# -- the browser's memory --------------------------------------------------------------------


def test_opening_an_exercise_is_remembered_with_the_settled_name_and_code(store):
    hub = Hub(store, agenda=agenda.parse(DAY))
    browser_sends(hub)
    hub.lang.value = "en"
    hub.name.value = "  Wang   Fang "
    hub.picker.value = f"scenario:{SCENARIO}"
    hub.open_button.click()
    assert hub.memory.value == {
        "lang": "en",
        "place": f"scenario:{SCENARIO}",
        "name": "Wang Fang",
        "code": hub.identity.code,
    }
    assert hub.not_you.layout.display == ""


def test_a_reload_comes_back_to_the_same_role_play_at_the_same_step_in_the_same_language(store):
    first = Hub(store, agenda=agenda.parse({"exercises": [SCENARIO, "servqual-quiz"]}))
    browser_sends(first)
    first.name.value = "李雷"
    first.lang.value = "zh"
    first.open_button.click()
    for choice in best(2):
        first.current.button_for(choice).click()
    remembered = dict(first.memory.value)

    again = Hub(store, agenda=agenda.parse({"exercises": ["servqual-quiz", SCENARIO]}))
    assert again.current is None and again.language == "en"  # drawn before the browser answers
    browser_sends(again, remembered)
    assert again.language == "zh" and again.name.value == "李雷"
    assert isinstance(again.current, RolePlay) and again.current.language == "zh"
    assert again.current.session.path == load(SCENARIO).best_path()[:2]
    assert "欢迎回来" in again.current.greeting.value
    assert again.identity.pending is None and again.identity.code is None  # not shown again
    assert again.picker.value == f"scenario:{SCENARIO}"


def test_a_reload_of_a_quiz_comes_back_at_the_question(store):
    first = Hub(store, agenda=agenda.parse({"exercises": ["servqual-quiz"]}))
    browser_sends(first)
    first.name.value = "Ana"
    first.open_button.click()
    quiz = first.current
    q = quiz.quiz.questions[0]
    quiz.session.answer(q.id, [q.options[0].id])
    again = Hub(store, agenda=agenda.parse({"exercises": ["servqual-quiz"]}))
    browser_sends(again, first.memory.value)
    assert isinstance(again.current, QuizWidget) and again.current.index == 1


def test_another_browser_remembers_nothing_and_is_asked(store):
    first = Hub(store)
    browser_sends(first)
    first.name.value = "Li Lei"
    first.picker.value = f"scenario:{SCENARIO}"
    first.open_button.click()
    other = Hub(store)
    browser_sends(other, {})  # another device: its own empty storage
    assert other.name.value == "" and other.current is None
    assert other.not_you.layout.display == "none"


def test_what_arrives_late_does_not_undo_what_the_trainee_did_meanwhile(store):
    first = Hub(store)
    browser_sends(first)
    first.name.value = "Zhou Xun"
    first.lang.value = "zh"
    first.picker.value = f"scenario:{SCENARIO}"
    first.open_button.click()
    remembered = dict(first.memory.value)

    typed = Hub(store)
    typed.name.value = "Sun Li"  # typed before the browser answered
    typed.lang.value = "en"
    typed.lang.value = "en"
    browser_sends(typed, remembered)
    assert typed.name.value == "Sun Li" and typed.current is None
    assert typed.not_you.layout.display == "none"

    chose = Hub(store)
    chose.lang.value = "zh"
    chose.lang.value = "en"  # the trainee's own choice on this page
    browser_sends(chose, remembered)
    assert chose.language == "en" and chose.name.value == "Zhou Xun"
    assert isinstance(chose.current, RolePlay)

    opened = Hub(store)
    opened.name.value = "Kenji"
    opened.picker.value = "quiz:servqual-quiz"
    opened.open_button.click()  # before the browser answered: kept, laid over what it held
    browser_sends(opened, remembered)
    assert isinstance(opened.current, QuizWidget) and opened.name.value == "Kenji"
    assert opened.memory.value["name"] == "Kenji"
    assert opened.memory.value["place"] == "quiz:servqual-quiz"
    assert opened.memory.value["lang"] == "zh"  # what the browser held and nobody changed


def test_a_remembered_exercise_the_agenda_no_longer_offers_is_not_opened(store):
    first = Hub(store)
    browser_sends(first)
    first.name.value = "Ana"
    first.picker.value = f"scenario:{SCENARIO}"
    first.open_button.click()
    again = Hub(store, agenda=agenda.parse({"exercises": ["warm-up-quiz"]}))
    browser_sends(again, first.memory.value)
    assert again.current is None and again.picker.value == "quiz:warm-up-quiz"
    assert again.name.value == "Ana"


def test_a_code_that_no_longer_checks_out_fills_the_name_but_asks(store, tmp_path):
    first = Hub(store)
    browser_sends(first)
    first.name.value = "Ana"
    first.picker.value = f"scenario:{SCENARIO}"
    first.open_button.click()
    remembered = dict(first.memory.value)
    with Store(f"sqlite:///{tmp_path / 'after-reset.sqlite'}") as fresh:  # the trainer reset
        fresh.trainee("Ana")  # and someone else took the name
        again = Hub(fresh)
        browser_sends(again, remembered)
        assert again.name.value == "Ana" and again.picker.value == f"scenario:{SCENARIO}"
        assert again.current is None and "code" not in again.memory.value
        again.open_button.click()
        assert again.current is None and again.identity.pending == "Ana"  # "Is this you?"


def test_rubbish_in_the_browser_is_ignored(store):
    hub = Hub(store)
    browser_sends(
        hub,
        {"lang": "fr", "name": 5, "place": "scenario:nope", "code": "12", "x": ["a"] * 3},
    )
    assert hub.language == "en" and hub.name.value == "" and hub.current is None
    assert "x" not in hub.memory.value and "name" not in hub.memory.value
    hub = Hub(store)
    browser_sends(hub, {"name": "Ana", "code": "not a code", "place": f"scenario:{SCENARIO}"})
    assert hub.name.value == "Ana" and hub.current is None
    hub = Hub(store)
    browser_sends(hub, {"name": "x" * 81, "place": "observer:"})
    assert hub.name.value == "" and isinstance(hub.current, ObserverSheet)


def test_a_browser_that_refuses_storage_leaves_a_working_hub(store):
    hub = Hub(store)
    browser_sends(hub, {}, available=False)
    assert not hub.memory.available
    hub.name.value = "Private Window"
    hub.picker.value = f"scenario:{SCENARIO}"
    hub.open_button.click()
    assert isinstance(hub.current, RolePlay)


def test_the_kernel_writes_to_the_browser_only_after_it_has_answered(store, monkeypatch):
    hub = Hub(store)
    sent = []
    monkeypatch.setattr(hub.memory, "send_state", lambda key=None: sent.append(key))
    hub.lang.value = "zh"
    assert sent == [] and hub.memory.value == {}  # nothing may overwrite what it holds
    browser_sends(hub, {"name": "Old"})
    assert hub.memory.value == {"name": "Old", "lang": "zh"} and sent
    sent.clear()
    hub.lang.value = "en"
    assert sent and hub.memory.value["lang"] == "en"


def test_not_you_forgets_the_person_on_this_device(store):
    first = Hub(store)
    browser_sends(first)
    first.name.value = "陈静"
    first.lang.value = "zh"
    first.picker.value = f"scenario:{SCENARIO}"
    first.open_button.click()
    first.current.button_for(best(1)[0]).click()
    shared = Hub(store)
    browser_sends(shared, first.memory.value)  # the next person at the same laptop
    assert isinstance(shared.current, RolePlay)
    assert shared.not_you.description == "不是你？" and shared.not_you.layout.display == ""
    shared.not_you.click()
    assert shared.memory.value == {"lang": "zh"}  # the page's language stays
    assert shared.current is None and shared.body.children == ()
    assert shared.name.value == "" and shared.not_you.layout.display == "none"
    assert "这台设备已不再记得陈静" in shared.message.value
    shared.name.value = "陈静"  # the same name now is asked, as on any new device
    shared.picker.value = f"scenario:{SCENARIO}"
    shared.open_button.click()
    assert shared.current is None and shared.identity.pending == "陈静"


def test_the_observer_sheet_comes_back_without_a_name(store):
    hub = Hub(store)
    browser_sends(hub)
    hub.picker.value = "observer:"
    hub.open_button.click()
    assert hub.memory.value == {"place": "observer:"}
    again = Hub(store)
    browser_sends(again, hub.memory.value)
    assert isinstance(again.current, ObserverSheet)


def test_under_jupyterhub_the_place_comes_back_and_no_name_is_kept(store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "wangfang")
    hub = Hub(store)
    browser_sends(hub)
    hub.picker.value = f"scenario:{SCENARIO}"
    hub.open_button.click()
    assert hub.memory.value == {"place": f"scenario:{SCENARIO}"}
    assert hub.not_you.layout.display == "none"
    again = Hub(store)
    browser_sends(again, hub.memory.value)
    assert isinstance(again.current, RolePlay) and again.current.trainee_name == "wangfang"


def test_a_hub_without_memory_still_works(store):
    hub = Hub(store, memory=False)
    assert hub.memory is None
    hub.name.value = "Ana"
    hub.picker.value = f"scenario:{SCENARIO}"
    hub.open_button.click()
    assert isinstance(hub.current, RolePlay)
    hub.not_me()
    assert hub.current is None


def test_without_anywidget_the_hub_works_and_forgets_on_reload(store, monkeypatch):
    """A JupyterLite tab installs the course without anywidget: its hub has no memory."""
    import sys

    monkeypatch.delitem(sys.modules, "csat.ui.memory", raising=False)
    monkeypatch.setitem(sys.modules, "anywidget", None)  # import anywidget: ImportError
    hub = Hub(store)
    assert hub.memory is None
    hub.name.value = "Lite"
    hub.picker.value = f"scenario:{SCENARIO}"
    hub.open_button.click()
    assert isinstance(hub.current, RolePlay) and hub.not_you.layout.display == "none"


def test_the_course_notebooks_widgets_do_not_need_anywidget():
    import subprocess
    import sys

    code = "import sys, csat.ui.widgets; print('anywidget' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_observer_sheet_in_the_hub_lists_nobody_but_the_trainers_lists_the_room(store):
    for name in ("陈静", "Wang Fang"):
        store.trainee(name)
    hub = Hub(store)
    browser_sends(hub)
    hub.picker.value = "observer:"
    hub.open_button.click()
    sheet = hub.current
    assert isinstance(sheet, ObserverSheet) and list(sheet.trainee.options) == []
    # What the observer types is saved against that trainee as before.
    sheet.trainee.value, sheet.observer.value = "陈静", "Li Lei"
    next(iter(sheet.ratings.values())).value = 4
    sheet.save_button.click()
    assert store.observer_scores()["trainee_id"].tolist() == [store.trainee("陈静")]
    assert list(sheet.trainee.options) == []  # saving does not reveal the room either
    # On the trainer's own notebook the sheet still offers every name.
    assert sorted(ObserverSheet(store).trainee.options) == ["Wang Fang", "陈静"]
