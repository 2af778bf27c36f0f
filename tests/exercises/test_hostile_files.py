"""A library with broken and hostile files beside good ones.

One good scenario and one good quiz share their folders with every hostile file a room has
produced (numbers and nothing as node names, deep or self-referring YAML, a 2,500-node chain,
a 5,000-digit number, an unreadable file, "billion laughs"). Each hostile file is one located
problem, a bomb is refused by a bounded count before anything is expanded, and every entry
point (CLI list and validate, the hub, the live view, the observer sheet, the report, the
agenda) still lists, plays and reports the good ones and names the broken ones.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
from pathlib import Path

import pytest

from csat.cli.exercises import main
from csat.exercises import agenda
from csat.exercises import quiz as quiz_mod
from csat.exercises import scenario as scenario_mod
from csat.exercises._load import field_lines, read_yaml
from csat.exercises.engine import Session
from csat.exercises.store import Store

GOOD_SCENARIO = "hotpot-queue"
GOOD_QUIZ = "warm-up-quiz"
T = "{en: a, zh: 一}"
MAX_LINE = 300  # one clear line, not a dump of the file


def scenario_text(sid: str, nodes: str, start: object = "a") -> str:
    """A small scenario that is valid unless ``nodes`` makes it otherwise."""
    return (
        f"id: {sid}\nversion: 1\ntitle: {T}\nbusiness: hotpot\ncontext: {T}\n"
        f"persona: {{name: {T}, description: {T}}}\nmood: 50\nstart: {start}\nnodes:\n{nodes}"
        f"endings:\n  end: {{outcome: stays, tells: 0, sentiment: positive, title: {T}, "
        f"debrief: {T}}}\n"
    )


def node(key: object, nxt: object) -> str:
    return (
        f"  {key}:\n    customer: {T}\n    choices:\n"
        f"      - {{id: x, text: {T}, feedback: {T}, points: {{listen: 1}}, next: {nxt}}}\n"
        f"      - {{id: y, text: {T}, feedback: {T}, next: end}}\n"
    )


def chain(sid: str, n: int) -> str:
    nodes = "".join(node(f"n{i}", f"n{i + 1}" if i < n - 1 else "end") for i in range(n))
    return scenario_text(sid, nodes, start="n0")


def billion_laughs(sid: str) -> str:
    lines = [f"id: {sid}", 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\nnodes: *l9\n"


# name -> (the file's content, what its one problem says after "<name>.yaml: ")
HOSTILE: dict[str, tuple[str | bytes, str]] = {
    "int-key": (
        scenario_text("int-key", node(1, "end"), start=1),
        "line 10: expected a name (text) as each key, got 1; put it in quotes if it is a name",
    ),
    "null-key": (
        scenario_text("null-key", node("~", "end")),
        "line 10: expected a name (text) as each key, got nothing",
    ),
    "bool-key": (
        scenario_text("bool-key", node("true", "end")),
        "line 10: expected a name (text) as each key, got True",
    ),
    "deep-list": ("id: deep-list\nnodes: " + "[" * 3000 + "]" * 3000 + "\n", "nesting"),
    "deep-map": ("id: deep-map\nnodes: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "nesting"),
    "self-alias-map": (
        "id: self-alias-map\nnodes: &a\n  x: *a\n",
        "line 2: expected no alias inside what it names, got one that refers to itself",
    ),
    "self-alias-list": (
        "id: self-alias-list\nnodes: &a [*a]\n",
        "line 2: expected no alias inside what it names, got one that refers to itself",
    ),
    "chain-2500": (chain("chain-2500", 2500), "expected at most 20,000 values in one file"),
    "chain-150": (chain("chain-150", 150), "nodes: expected at most 100 item(s), got 150"),
    "big-integer": (
        scenario_text("big-integer", node("a", "end")).replace(
            "version: 1", "version: " + "9" * 5000
        ),
        "line 2: expected a number of at most 30 digits, got 5000",
    ),
    "billion-laughs": (
        billion_laughs("billion-laughs"),
        "expected at most 20,000 values with every alias expanded, got more",
    ),
    "many-aliases": (
        "id: many-aliases\nx: &x 1\nnodes: [" + ", ".join(["*x"] * 101) + "]\n",
        "expected at most 100 aliases (*name), got more",
    ),
    "unreadable": ("id: unreadable\n", "expected a readable scenario file, got Permission denied"),
    "utf-16": (
        codecs.BOM_UTF16_LE + "id: utf-16\n".encode("utf-16-le"),
        "expected UTF-8 text, got UTF-16 (save the file as UTF-8)",
    ),
}
IN_QUIZZES = ["int-key", "deep-map", "self-alias-list", "big-integer", "billion-laughs"]


def write(folder: Path, name: str) -> Path:
    content = HOSTILE[name][0]
    path = folder / f"{name}.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def unreadable(monkeypatch):
    """A file no one may read (permissions are no bar to root, so opening it is refused)."""
    real_open = Path.open

    def guarded(self, mode="r", *args, **kwargs):
        if self.name == "unreadable.yaml" and "r" in mode:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)


@pytest.fixture
def room(tmp_path, monkeypatch, unreadable):
    """The library folders: the good files and every hostile one."""
    scenarios, quizzes = tmp_path / "scenarios", tmp_path / "quizzes"
    scenarios.mkdir()
    quizzes.mkdir()
    shutil.copy(scenario_mod.SCENARIO_DIR / f"{GOOD_SCENARIO}.yaml", scenarios)
    shutil.copy(quiz_mod.QUIZ_DIR / f"{GOOD_QUIZ}.yaml", quizzes)
    for name in HOSTILE:
        write(scenarios, name)
    for name in IN_QUIZZES:
        write(quizzes, name)
    monkeypatch.setattr(scenario_mod, "SCENARIO_DIR", scenarios)
    monkeypatch.setattr(quiz_mod, "QUIZ_DIR", quizzes)
    return scenarios, quizzes


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as s:
        yield s


def play_the_good_one(store) -> None:
    sc = scenario_mod.load(GOOD_SCENARIO)
    session = Session(sc, seed=1, store=store, trainee_id=store.trainee("Wang Fang"))
    for _, choice in sc.best_path():
        session.choose(choice)
    assert session.finished


def played_before_it_broke(store, sid: str, decisions: int = 9) -> None:
    """Results saved for a scenario whose file was broken later (an edit during the day)."""
    attempt = store.start_attempt(
        store.trainee("Li Lei"), kind="scenario", exercise_id=sid, exercise_version=1, seed=1
    )
    for seq in range(decisions):
        store.record_decision(
            attempt, seq=seq, node=f"n{seq}", choice="x", points={"listen": 1}, mood=50,
            elapsed_s=1.0,
        )  # fmt: skip
    store.finish_attempt(attempt, ending="end", scores={"listen": 100.0}, total=80.0, passed=True)


def names_every_bad_file(text: str, names=HOSTILE) -> None:
    missing = [n for n in names if f"{n}.yaml" not in text]
    assert not missing, f"not named: {missing}"


# -- each file ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_file_is_one_located_problem(name, tmp_path, unreadable):
    path = write(tmp_path, name)
    loaded, problems = scenario_mod.check(path)
    assert loaded is None and len(problems) == 1
    assert problems[0].startswith(f"{name}.yaml: ") and HOSTILE[name][1] in problems[0]
    assert len(problems[0]) < MAX_LINE
    with pytest.raises(scenario_mod.ScenarioError):
        scenario_mod.load(path)


@pytest.mark.parametrize("name", IN_QUIZZES)
def test_each_hostile_quiz_file_is_one_located_problem(name, tmp_path):
    path = write(tmp_path, name)
    loaded, problems = quiz_mod.check(path)
    assert loaded is None and len(problems) == 1
    assert problems[0].startswith(f"{name}.yaml: ") and HOSTILE[name][1] in problems[0]


def test_a_bomb_is_refused_by_counting_not_by_expanding(tmp_path):
    # Expanded, the file holds 9**10 strings; the loader measures each distinct node once and
    # stops at l4 (line 6), the first that expands past 20,000 (9**5 strings).
    path = write(tmp_path, "billion-laughs")
    assert read_yaml(path, "scenario")[1] == [
        "billion-laughs.yaml: line 6: expected at most 20,000 values with every alias "
        "expanded, got more (aliases that multiply each other)"
    ]
    assert field_lines(path) == {}  # the line walk refuses it too, without walking it


def test_a_node_named_no_or_on_stays_a_name(tmp_path):
    # YAML 1.1 reads no, on, yes and off as booleans; ids are names, so only true/false are.
    path = tmp_path / "no.yaml"
    path.write_text(scenario_text("no", node("no", "on") + node("on", "end"), start="no"))
    loaded, problems = scenario_mod.check(path)
    assert problems == [] and loaded.start == "no" and list(loaded.nodes) == ["no", "on"]
    assert loaded.nodes["no"].choices[0].next == "on"


def test_a_name_that_looks_like_a_date_stays_a_name(tmp_path):
    path = tmp_path / "dated.yaml"
    path.write_text(scenario_text("dated", node("2024-05-01", "end"), start="2024-05-01"))
    loaded, problems = scenario_mod.check(path)
    assert problems == [] and list(loaded.nodes) == ["2024-05-01"]


def test_a_pipe_or_a_link_to_nothing_is_named_and_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it to read would wait for a writer
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "deleted.yaml")
    assert scenario_mod.check(tmp_path / "pipe.yaml")[1] == [
        "pipe.yaml: expected a scenario file, got something that is not a file"
    ]
    assert quiz_mod.check(tmp_path / "gone.yaml")[1] == [
        "gone.yaml: expected a quiz file, got a link that leads nowhere"
    ]


def test_merge_keys_work(tmp_path):
    path = tmp_path / "merge.yaml"
    reply = f"{{id: x, text: {T}, feedback: {T}, points: {{listen: 1}}, next: end}}"
    nodes = (
        f"  a:\n    customer: {T}\n    choices:\n      - &reply {reply}\n"
        "      - <<: *reply\n        id: y\n        points: {listen: -1}\n"
    )
    path.write_text(scenario_text("merge", nodes))
    loaded, problems = scenario_mod.check(path)
    assert problems == []
    first, second = loaded.nodes["a"].choices
    assert (second.id, second.points, second.next) == ("y", {"listen": -1}, "end")
    assert second.feedback == first.feedback


def test_a_merge_of_something_that_is_not_a_mapping_is_one_plain_line(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("id: merge\nx: &x [1]\nnodes:\n  <<: *x\n")
    (problem,) = scenario_mod.check(path)[1]
    assert problem == (
        "merge.yaml: line 2: expected a mapping after '<<:' (a merge key), got scalar"
    )


def test_a_byte_order_mark_is_accepted_and_lines_still_count_from_the_top(tmp_path):
    text = (scenario_mod.SCENARIO_DIR / f"{GOOD_SCENARIO}.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"{GOOD_SCENARIO}.yaml"
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    assert scenario_mod.check(path, strict=True)[1] == []
    path.write_bytes(codecs.BOM_UTF8 + text.replace("mood: 25", "mood: 250").encode())
    (problem,) = scenario_mod.check(path)[1]
    assert problem.startswith(f"{GOOD_SCENARIO}.yaml: mood: expected at most 100, got 250")
    assert problem.endswith(f"(line {text.splitlines().index('mood: 25') + 1})")


def test_a_results_file_with_a_byte_order_mark_is_imported(tmp_path, capsys):
    with Store(f"sqlite:///{tmp_path / 'day.sqlite'}") as day:
        play_the_good_one(day)
        exported = day.export()
    path = tmp_path / "results.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps(exported).encode())
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert main(["import", "--db", url, str(path)]) == 0
    assert "1 attempts, 5 decisions" in capsys.readouterr().out


# -- every entry point ----------------------------------------------------------------------


def test_the_cli_lists_and_validates_the_good_ones_and_names_each_bad_one(room, capsys):
    scenarios, quizzes = room
    assert main(["list"]) == 1
    out = capsys.readouterr().out
    assert "hot-pot queue" in out and "Warm-up" in out and "Traceback" not in out
    names_every_bad_file(out)
    assert out.count("Left out, its file has a problem") == len(HOSTILE) + len(IN_QUIZZES)
    assert main(["list", "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "火锅店等位" in out and "文件有问题，暂未列出" in out
    assert main(["validate", str(scenarios), str(quizzes)]) == 1
    out = capsys.readouterr().out
    assert f"{GOOD_SCENARIO}.yaml: ok" in out and f"{GOOD_QUIZ}.yaml: ok" in out
    names_every_bad_file(out)
    assert "Traceback" not in out


def test_the_hub_offers_the_good_ones_and_names_each_bad_one(room, store):
    from csat.ui.hub import Hub

    hub = Hub(store, memory=False)
    offered = [v for _, v in hub.picker.options]
    assert f"scenario:{GOOD_SCENARIO}" in offered and f"quiz:{GOOD_QUIZ}" in offered
    assert not [v for v in offered if v.partition(":")[2] in HOSTILE]
    names_every_bad_file(hub.notice.value)
    assert "Some exercise files have a problem" in hub.notice.value
    hub.lang.value = "zh"
    assert "有些练习文件有问题" in hub.notice.value
    names_every_bad_file(hub.notice.value)


def test_an_agenda_naming_a_broken_file_offers_the_rest_and_a_bomb_agenda_falls_back(
    room, store, tmp_path
):
    from csat.ui.hub import Hub

    day = agenda.parse({"exercises": ["billion-laughs", GOOD_SCENARIO, "int-key"]})
    hub = Hub(store, agenda=day, memory=False)
    assert [v for _, v in hub.picker.options] == [f"scenario:{GOOD_SCENARIO}"]
    names_every_bad_file(hub.notice.value, ["billion-laughs", "int-key"])
    (tmp_path / agenda.FILE).write_text(billion_laughs("x").replace("nodes:", "exercises:"))
    plan, problem = agenda.for_room(tmp_path)
    assert f"scenario:{GOOD_SCENARIO}" in plan.entries
    assert problem.problems == [
        f"{agenda.FILE}: line 6: expected at most 20,000 values with every alias expanded, "
        "got more (aliases that multiply each other)"
    ]


def test_the_live_view_and_the_observer_sheet_show_the_good_one_and_name_the_bad(room, store):
    from csat.ui.live import TrainerView
    from csat.ui.observer import ObserverSheet

    play_the_good_one(store)
    played_before_it_broke(store, "deep-map")  # the most decisions: what the room played
    view = TrainerView(store, code=None)
    assert [v for _, v in view.scenario.options] == [GOOD_SCENARIO]
    assert view.scenario.value == GOOD_SCENARIO
    assert view.figure.value  # the choice spread of what was played
    names_every_bad_file(view.choices_heading.value)
    view.lang.value = "zh"
    assert "文件有问题" in view.choices_heading.value
    sheet = ObserverSheet(store)
    assert [v for _, v in sheet.scenario.options] == [GOOD_SCENARIO, ObserverSheet.FREE]
    names_every_bad_file(sheet.scale.value)
    sheet.lang.value = "zh"
    assert "有些练习文件有问题" in sheet.scale.value


def test_the_report_writes_its_summary_and_figures_and_names_each_bad_file(
    room, store, tmp_path, capsys
):
    play_the_good_one(store)
    played_before_it_broke(store, "big-integer")
    played_before_it_broke(store, "self-alias-map")
    out = tmp_path / "results"
    assert main(["report", "--db", store.url, "--out", str(out)]) == 0
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert f"({GOOD_SCENARIO}): 1 trainee(s)" in summary
    assert "(big-integer): 1 trainee(s)" in summary  # its results are reported, by id
    names_every_bad_file(summary)
    assert (out / f"choices-{GOOD_SCENARIO}.png").is_file() and (out / "scores.png").is_file()
    assert main(["report", "--db", store.url, "--out", str(out), "--lang", "zh"]) == 0
    assert "文件有问题" in (out / "summary.txt").read_text(encoding="utf-8")
