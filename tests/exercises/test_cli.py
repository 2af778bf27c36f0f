"""``python -m csat exercises``: validate, play, list — clear output and exit codes."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from csat.cli.exercises import main
from csat.exercises.engine import Session
from csat.exercises.scenario import load


def test_validate_the_shipped_library(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok") >= 8 and "problem" not in out


def test_validate_lists_every_problem_and_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 0\nstart: a\nnodes: {}\nendings: {}\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert main(["validate", str(bad), str(empty)]) == 1
    out = capsys.readouterr().out
    assert "bad.yaml: version: expected at least 1, got 0" in out
    assert "bad.yaml: title: expected a value, got nothing" in out
    assert "empty.yaml: expected a scenario (a YAML mapping), got an empty file" in out
    assert "Traceback" not in out


def test_play_in_the_terminal_follows_the_typed_numbers(monkeypatch, capsys):
    scenario = load("hotpot-queue")
    # Type the number of the best reply at each node, as shown in the seeded order.
    mirror = Session(scenario, seed=1)
    typed = []
    for _node, choice in scenario.best_path():
        ids = [c.id for c in mirror.choices]
        typed.append(str(ids.index(choice) + 1))
        mirror.choose(choice)
    stdin = io.StringIO("\n".join(["9", "x", *typed]) + "\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["play", "hotpot-queue", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "type a number from 1 to" in out
    assert "Score 100/100 (passed)" in out
    assert scenario.endings[scenario.best_ending()].title.en in out


def test_unknown_scenario_is_one_line_exit_2():
    proc = subprocess.run(
        [sys.executable, "-m", "csat", "exercises", "play", "no-such-scenario"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert "no-such-scenario.yaml" in proc.stderr


def test_list_names_every_exercise_in_chinese(capsys):
    assert main(["list", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "火锅店等位" in out and "servqual-quiz" in out


def test_report_refuses_a_missing_database_instead_of_making_an_empty_one(tmp_path, capsys):
    missing = tmp_path / "elsewhere" / "csat-results.sqlite"
    assert main(["report", "--db", f"sqlite:///{missing}", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: no results database at {missing}") and "--db" in err
    assert "Traceback" not in err and not missing.exists() and not (tmp_path / "out").exists()


def test_report_names_the_database_it_read(tmp_path, capsys):
    from csat.exercises.store import Store

    db = tmp_path / "room.sqlite"
    Store(f"sqlite:///{db}").close()
    assert main(["report", "--db", f"sqlite:///{db}", "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.startswith(f"reading sqlite:///{db}")
    assert f"Read from sqlite:///{db}" in (tmp_path / "out" / "summary.txt").read_text()


def test_terminal_play_says_it_saves_nothing_and_speaks_chinese(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n" * 12))
    assert main(["play", "hotpot-queue", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "练习模式：结果不保存" in out and "情绪" in out and "得分" in out
    assert "Score" not in out and "mood" not in out


def test_reset_saves_everything_then_clears_and_import_brings_it_back(
    tmp_path, monkeypatch, capsys
):
    from csat.exercises.store import Store

    url = f"sqlite:///{tmp_path / 'day.sqlite'}"
    with Store(url) as store:
        s = Session(
            load("hotpot-queue"), seed=1, store=store, trainee_id=store.trainee("Rehearsal")
        )
        s.choose(s.choices[0].id)
    monkeypatch.chdir(tmp_path)
    # Asked first: anything but "yes" changes nothing.
    monkeypatch.setattr(sys, "stdin", io.StringIO("no\n"))
    assert main(["reset", "--db", url]) == 1
    with Store(url) as store:
        assert store.trainees()["display_name"].tolist() == ["Rehearsal"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    assert main(["reset", "--db", url, "--backup", "before.json"]) == 0
    out = capsys.readouterr().out
    assert "1 trainees, 1 attempts, 1 decisions, 0 observer scores" in out
    with Store(url) as store:
        assert store.trainees().empty and store.attempts().empty
    assert main(["reset", "--db", url, "--yes"]) == 0
    assert "already empty" in capsys.readouterr().out
    assert main(["import", "before.json", "--db", url]) == 0
    with Store(url) as store:
        assert store.trainees()["display_name"].tolist() == ["Rehearsal"]
        assert len(store.decisions_frame()) == 1
    # Before anything was ever saved there is nothing to clear, and no file is made.
    assert main(["reset", "--db", f"sqlite:///{tmp_path / 'never.sqlite'}"]) == 0
    assert "nothing to clear" in capsys.readouterr().out
    assert not (tmp_path / "never.sqlite").exists()
    # A backup is never overwritten.
    assert main(["reset", "--db", url, "--yes", "--backup", "before.json"]) == 2
    assert "already exists" in capsys.readouterr().err
    # A backup into a missing folder is refused before anything is cleared.
    assert main(["reset", "--db", url, "--yes", "--backup", "gone/after.json"]) == 2
    assert "--backup gone/after.json: no folder gone" in capsys.readouterr().err
    with Store(url) as store:
        assert store.trainees()["display_name"].tolist() == ["Rehearsal"]


def test_answers_and_fairness_commands(tmp_path, capsys):
    from csat.cli.exercises import main

    out = tmp_path / "keys.md"
    assert main(["answers", "hotpot-queue", "--lang", "zh", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    sc = load("hotpot-queue")
    assert text.startswith("# 角色扮演答案要点")
    assert all(f"*{c.id}*" in text for node in sc.nodes.values() for c in node.choices)
    assert main(["fairness", "hotpot-queue"]) == 0
    shown = capsys.readouterr().out
    assert "always the longest" in shown and "<- passes" not in shown


def test_backup_command_writes_the_day_into_one_file(tmp_path, capsys):
    from csat.exercises.store import Store

    url = f"sqlite:///{tmp_path / 'room.sqlite'}"
    with Store(url) as store:
        s = Session(load("hotpot-queue"), seed=1, store=store, trainee_id=store.trainee("Ana"))
        for _, choice in s.scenario.best_path():
            s.choose(choice)
    dest = tmp_path / "usb" / "day1.sqlite"
    assert main(["backup", str(dest), "--db", url]) == 0
    assert "csat exercises report --db sqlite:///" in capsys.readouterr().out
    with Store(f"sqlite:///{dest}") as copy:
        assert copy.attempts(finished_only=True)["total"].tolist() == [100.0]
    assert main(["backup", str(dest), "--db", url]) == 2  # never overwrites


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path):
    """A fresh results database: an SQLite file, or a private PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'day.sqlite'}"
    return request.getfixturevalue("pg_schema_url")


def _until(stream, text: bytes) -> bytes:
    """What ``stream`` prints up to and including ``text`` (all of it if it ends first)."""
    seen = b""
    while text not in seen:
        byte = stream.read(1)
        if not byte:
            break
        seen += byte
    return seen


def test_ctrl_c_at_the_reset_question_clears_nothing_and_writes_no_file(tmp_path):
    import signal

    from csat.exercises.store import Store

    url = f"sqlite:///{tmp_path / 'day.sqlite'}"
    hotpot = load("hotpot-queue")
    with Store(url) as store:
        ana = Session(hotpot, seed=3, store=store, trainee_id=store.trainee("Ana"))
        ana.choose(hotpot.best_path()[0][1])
    backup = tmp_path / "before.json"
    reset = subprocess.Popen(
        [sys.executable, "-m", "csat", "exercises", "reset", "--db", url,
         "--backup", str(backup)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert b"Type yes" in _until(reset.stdout, b"Type yes")
        reset.send_signal(signal.SIGINT)  # the trainer changes their mind: Ctrl-C
        _out, err = reset.communicate(timeout=60)
    finally:
        reset.kill()
    assert reset.returncode == 130
    assert err.decode().strip().splitlines() == ["interrupted (Ctrl-C)"]
    assert not backup.exists()
    with Store(url) as store:  # everything is still there, and Ana plays on
        assert store.trainees()["display_name"].tolist() == ["Ana"]
        assert len(store.decisions(ana.attempt_id)) == 1


def test_reset_loses_nothing_saved_while_it_waits_for_yes(any_url, tmp_path):
    """A trainee keeps playing while the trainer is asked "Type yes": every decision ends up
    in the backup file or still in the database, and the trainee plays on to the end."""
    import json

    from csat.exercises.store import Store

    hotpot = load("hotpot-queue")
    path = hotpot.best_path()
    with Store(any_url) as store:
        rehearsal = Session(hotpot, seed=1, store=store, trainee_id=store.trainee("Rehearsal"))
        for _, choice in path:
            rehearsal.choose(choice)
        idle = Session(hotpot, seed=2, store=store, trainee_id=store.trainee("Idle"))
        idle.choose(path[0][1])  # left open before the reset, untouched during it
        ana = Session(hotpot, seed=3, store=store, trainee_id=store.trainee("Ana"))
        ana.choose(path[0][1])
        backup = tmp_path / "before.json"
        reset = subprocess.Popen(
            [sys.executable, "-m", "csat", "exercises", "reset", "--db", any_url,
             "--backup", str(backup)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert b"Type yes" in _until(reset.stdout, b"Type yes")
            # While the trainer reads the question: Ana answers on, Li arrives and starts.
            for _, choice in path[1:3]:
                ana.choose(choice)
            li = Session(hotpot, seed=4, store=store, trainee_id=store.trainee("Li"))
            li.choose(path[0][1])
            out, err = reset.communicate(b"yes\n", timeout=120)
        finally:
            reset.kill()
        assert reset.returncode == 0, err.decode()
        # Ana plays on to the end in the same page, and her result counts.
        for _, choice in path[3:]:
            ana.choose(choice)
        assert store.attempt(ana.attempt_id).total == 100.0
        li.choose(path[1][1])
        here = store.export()
    text = out.decode()
    assert "saved 4 trainees, 4 attempts, 10 decisions" in text
    assert "cleared 2 trainees, 2 attempts, 6 decisions" in text
    assert "kept 2 trainees, 2 attempts, 4 decisions" in text
    saved = json.loads(backup.read_text(encoding="utf-8"))
    played = {
        (s.attempt_id, i, node, choice)
        for s in (rehearsal, idle, ana, li)
        for i, (node, choice) in enumerate(s.path)
    }
    uid_of = {a["id"]: a["uid"] for a in saved["attempts"] + here["attempts"]}
    found = {
        (d["attempt_uid"], d["seq"], d["node"], d["choice"])
        for d in saved["decisions"] + here["decisions"]
    }
    assert {(uid_of[a], i, n, c) for a, i, n, c in played} <= found
    assert [t["display_name"] for t in here["trainees"]] == ["Ana", "Li"]
    # Bringing the file back adds the cleared rows and clashes with nothing kept.
    with Store(any_url) as store:
        store.import_(saved)
        assert sorted(store.trainees()["display_name"]) == ["Ana", "Idle", "Li", "Rehearsal"]
        assert len(store.decisions_frame()) == len(played)
