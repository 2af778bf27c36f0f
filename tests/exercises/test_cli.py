"""``python -m csat exercises``: validate, play, list — clear output and exit codes."""

from __future__ import annotations

import io
import subprocess
import sys

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
