"""Hostile import files: every impossible value is refused with one line naming the row and
the field, and a file with any problem adds nothing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from csat.cli.exercises import main
from csat.exercises.engine import Session
from csat.exercises.scenario import load
from csat.exercises.store import Store, StoreError

HOTPOT = load("hotpot-queue")


@pytest.fixture(scope="module")
def good():
    """A real export: one trainee's finished role-play and an observer's sheet."""
    with Store("sqlite://") as store:
        tid = store.trainee("Ana")
        s = Session(HOTPOT, seed=1, store=store, trainee_id=tid)
        for _, choice in HOTPOT.best_path():
            s.choose(choice)
        store.record_observer(
            trainee_id=tid, observer="Coach", exercise_id="hotpot-queue", ratings={"listen": 4}
        )
        return json.loads(json.dumps(store.export()))


def _set(table, field, value, row=0):
    def change(data):
        data[table][row][field] = value

    return change


def _first_choice(data):
    node, choice = HOTPOT.best_path()[0]
    return node, choice


# fmt: off
HOSTILE = [
    ("passed as text", _set("attempts", "passed", "false"),
     r"attempts\[0\]\.passed must be true or false, got 'false'"),
    ("total of a billion", _set("attempts", "total", 1e9),
     r"attempts\[0\]\.total must be a number from 0\.0 to 100\.0, got 1000000000\.0"),
    ("negative dimension score", _set("attempts", "scores", {"listen": -5.0}),
     r"attempts\[0\]\.scores\['listen'\] must be a number from 0\.0 to 100\.0, got -5\.0"),
    ("score as text", _set("attempts", "scores", {"listen": "high"}),
     r"attempts\[0\]\.scores\['listen'\] must be a number, got 'high'"),
    ("integer of 400 digits", _set("attempts", "total", 10**400),
     r"attempts\[0\]\.total must be a finite number, got 1000000000"),
    ("ending that does not exist", _set("attempts", "ending", "wins-the-lottery"),
     r"attempts\[0\]\.ending: expected an ending of 'hotpot-queue' \[.*\], got 'wins-the-lottery'"),
    ("unknown kind", _set("attempts", "kind", "exam"),
     r"attempts\[0\]\.kind must be one of \['scenario', 'quiz', 'capstone'\], got 'exam'"),
    ("version true", _set("attempts", "exercise_version", True),
     r"attempts\[0\]\.exercise_version must be an integer, got True"),
    ("finished before it started", _set("attempts", "finished_at", "2001-01-01T00:00:00+00:00"),
     r"attempts\[0\]\.finished_at: expected a time after started_at"),
    ("trainee not in the file", _set("attempts", "trainee_id", "t-ghost"),
     r"attempts\[0\]\.trainee_id: expected a trainee in the file, got 't-ghost'"),
    ("node that does not exist", _set("decisions", "node", "the-moon"),
     r"decisions\[0\]\.node: expected a step of the exercise, got 'the-moon'"),
    ("choice that does not exist", _set("decisions", "choice", "bribe"),
     r"decisions\[0\]\.choice: expected a reply of step '.*' \[.*\], got 'bribe'"),
    ("99,999 points", _set("decisions", "points", {"listen": 99999}),
     r"decisions\[0\]\.points\['listen'\] must be an integer from -100 to 100, got 99999"),
    ("points the reply does not give", _set("decisions", "points", {"listen": 3}),
     r"decisions\[0\]\.points: expected the points of reply .*, got \{'listen': 3\}"),
    ("seq of 2**70", _set("decisions", "seq", 2**70),
     r"decisions\[0\]\.seq must be an integer from 0 to 2147483647, got 1180591620717411303424"),
    ("mood of 500", _set("decisions", "mood", 500),
     r"decisions\[0\]\.mood must be an integer from 0 to 100, got 500"),
    ("elapsed NaN", _set("decisions", "elapsed_s", float("nan")),
     r"decisions\[0\]\.elapsed_s must be a finite number of at least 0\.0, got nan"),
    ("decision of no attempt in the file", _set("decisions", "attempt_uid", "zzz"),
     r"decisions\[0\]\.attempt_uid: expected an attempt in the file, got 'zzz'"),
    ("year 9999 west of UTC", _set("trainees", "created_at", "9999-12-31T23:59:59-14:00"),
     r"trainees\[0\]\.created_at must be an ISO 8601 time with a time zone, from 2000 to 2200"),
    ("year 1 east of UTC", _set("decisions", "at", "0001-01-01T00:00:00+14:00"),
     r"decisions\[0\]\.at must be an ISO 8601 time with a time zone, from 2000 to 2200"),
    ("time without a zone", _set("trainees", "created_at", "2026-12-07T10:00:00"),
     r"trainees\[0\]\.created_at must be an ISO 8601 time with a time zone"),
    ("name with a control character", _set("trainees", "display_name", "Ana\x1b[2J"),
     r"trainees\[0\]\.display_name must be 1 to 80 characters on one line"),
    ("rating of 9", _set("observer_scores", "ratings", {"listen": 9}),
     r"observer_scores\[0\]\.ratings\['listen'\] must be an integer from 1 to 5, got 9"),
    ("comment as a list", _set("observer_scores", "comment", ["x"]),
     r"observer_scores\[0\]\.comment must be a string, got \['x'\]"),
    ("missing field", lambda d: d["decisions"][0].pop("choice"),
     r"decisions\[0\]\.choice: missing"),
    ("table not a list", lambda d: d.update(decisions={"a": 1}),
     r"import: decisions: expected a list, got dict"),
    ("row not a dict", lambda d: d["attempts"].append(7),
     r"import: attempts\[1\]: expected a dict, got 7"),
    ("schema version true", lambda d: d.update(schema_version=True),
     r"import: schema_version: expected 1 to \d+, got True"),
]
# fmt: on


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_a_hostile_import_is_refused_naming_the_row_and_field_and_adds_nothing(
    good, change, message
):
    data = copy.deepcopy(good)
    change(data)
    with Store("sqlite://") as store:
        with pytest.raises(StoreError, match=message) as caught:
            store.import_(data)
        assert all(line.startswith("import: ") for line in str(caught.value).splitlines())
        assert store.trainees().empty and store.attempts().empty  # all or nothing
        assert store.import_(good)["decisions"] == len(good["decisions"])  # the real file is fine


def test_every_problem_of_a_file_is_one_line(good):
    data = copy.deepcopy(good)
    data["attempts"][0]["passed"] = "false"
    data["decisions"][1]["points"] = {"listen": 99999}
    data["decisions"][2]["node"] = "the-moon"
    with Store("sqlite://") as store, pytest.raises(StoreError) as caught:
        store.import_(data)
    lines = str(caught.value).splitlines()
    assert [line.split(" ", 2)[1] for line in lines] == [
        "attempts[0].passed", "decisions[1].points['listen']", "decisions[2].node:"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "csat-results", "schema_version": ' + str(2**70) + "}", "schema_version"),
        ('{"format": "csat-results", "schema_version": 1, "trainees": [1e999]}', "trainees[0]"),
    ],
    ids=["deep nesting", "2**70", "infinity"],
)
def test_the_import_command_says_one_line_and_exits_2(tmp_path, text, message):
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'room.sqlite'}"
    proc = subprocess.run(
        [sys.executable, "-m", "csat", "exercises", "import", str(bad), "--db", db],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and message in proc.stderr
    assert proc.stderr.startswith(f"error: {bad}")


def test_the_import_command_adds_nothing_from_a_bad_file(good, tmp_path, capsys):
    data = copy.deepcopy(good)
    data["decisions"][-1]["choice"] = "bribe"
    bad, ok = tmp_path / "bad.json", tmp_path / "ok.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    ok.write_text(json.dumps(good), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'room.sqlite'}"
    assert main(["import", str(bad), "--db", db]) == 2
    err = capsys.readouterr().err
    assert f"error: {bad}: import: decisions[" in err and "nothing added" in err
    with Store(db) as store:
        assert store.trainees().empty
    assert main(["import", str(ok), "--db", db]) == 0
