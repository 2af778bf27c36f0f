"""The results store: round trips, idempotent writes, resume, migration, concurrency, export.

Every test runs against SQLite; set ``CSAT_TEST_PG_URL`` (an SQLAlchemy URL of a database the
tests may create schemas in) to run the same tests against PostgreSQL too.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from csat.exercises.store import (
    DEFAULT_URL,
    ENV_VAR,
    SCHEMA_VERSION,
    Attempt,
    Decision,
    Store,
    StoreError,
    default_url,
)
from csat.exercises.store.schema import decisions as decisions_table

PG_URL = os.environ.get("CSAT_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]

TRICKY_NAMES = [
    'Mary "Mo" O\'Brien',
    "Smith, John",
    "<script>alert('x')</script>",
    "王芳",
    "李四, Li Si ‘经理’",
    "Robert'); DROP TABLE trainees;--",
]


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    """A fresh, empty database: an SQLite file, or a private schema on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.sqlite'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'results.sqlite'}"


@pytest.fixture
def store(url):
    with Store(url) as s:
        yield s


def _play(store, tid, exercise_id="car-not-ready", n=3, *, finish=True, lang="en", seed=1):
    """Start an attempt, make `n` decisions, optionally finish; return the attempt id."""
    a = store.start_attempt(
        tid, kind="scenario", exercise_id=exercise_id, exercise_version=2, seed=seed, lang=lang
    )
    for seq in range(n):
        store.record_decision(
            a,
            seq=seq,
            node=f"node-{seq}",
            choice=f"choice-{seq}",
            points={"listen": seq, "ownership": -1},
            mood=40 + seq,
            elapsed_s=1.5 * seq,
        )
    if finish:
        store.finish_attempt(
            a,
            ending="stays-loyal",
            scores={"listen": 80.0, "ownership": 12.5},
            total=46.25,
            passed=False,
        )
    return a


@contextmanager
def _raw_sqlite(path):
    """A plain sqlite3 connection, committed and closed on leaving the block."""
    raw = sqlite3.connect(path)
    try:
        with raw:
            yield raw
    finally:
        raw.close()


def _importable_by_children(monkeypatch):
    # Spawned processes unpickle this module's worker functions by module name; with
    # --import-mode=importlib that name (tests.exercises.test_store) resolves from the root.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[__name__.count(".")]))


# --------------------------------------------------------------------------------------------
# Trainees


def test_same_name_gives_same_pseudonymous_id(store):
    tid = store.trainee("Anna Schmidt")
    assert re.fullmatch(r"t-[0-9a-f]{8}", tid)
    assert store.trainee("  Anna Schmidt ") == tid
    # Retyped in another case or with extra spaces: the same trainee, shown as first typed.
    assert store.trainee("anna  schmidt") == tid == store.trainee("ANNA SCHMIDT")
    assert store.trainee("Anna Schmidt-Li") != tid
    assert store.trainee("Bo", trainee_id="t-custom01") == "t-custom01"
    frame = store.trainees()
    assert list(frame.columns) == ["trainee_id", "display_name", "created_at"]
    assert sorted(frame["display_name"]) == ["Anna Schmidt", "Anna Schmidt-Li", "Bo"]
    assert str(frame["created_at"].dt.tz) == "UTC"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81, "two\nlines", 42])
def test_bad_display_name_raises_value_error_naming_it(store, bad):
    with pytest.raises(
        ValueError, match=r"trainee: display_name must be .*got " + re.escape(repr(bad))
    ):
        store.trainee(bad)
    assert store.trainees().empty


def test_display_name_of_80_characters_is_accepted(store):
    name = "名" * 80
    assert store.trainees().empty
    store.trainee(name)
    assert store.trainees()["display_name"].tolist() == [name]


def test_trainee_id_clash_raises(store):
    store.trainee("Ann", trainee_id="t-00000001")
    with pytest.raises(StoreError, match=r"trainee 'Ann': already has id 't-00000001'"):
        store.trainee("Ann", trainee_id="t-00000002")
    with pytest.raises(StoreError, match=r"id 't-00000001' already belongs to 'Ann'"):
        store.trainee("Bea", trainee_id="t-00000001")


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_names_round_trip_exactly(url, name):
    with Store(url) as store:
        tid = store.trainee(name)
        _play(store, tid)
        store.record_observer(
            trainee_id=tid, observer=name, exercise_id="car-not-ready", ratings={"listen": 3}
        )
    with Store(url) as store:  # reopened: what is on disk, not a cache
        assert store.trainee(name) == tid
        assert store.trainees()["display_name"].tolist() == [name]
        assert store.attempts()["display_name"].tolist() == [name]
        assert set(store.decisions_frame()["display_name"]) == {name}
        sheets = store.observer_scores()
        assert sheets["display_name"].tolist() == [name] == sheets["observer"].tolist()
        exported = json.loads(json.dumps(store.export(), ensure_ascii=False))
        assert exported["trainees"][0]["display_name"] == name


# --------------------------------------------------------------------------------------------
# Attempts and decisions


def test_attempt_and_decisions_round_trip(store):
    tid = store.trainee("Chen Jie")
    a = store.start_attempt(
        tid, kind="quiz", exercise_id="iceberg-quiz", exercise_version=3, seed=2**40, lang="zh"
    )
    for seq in (2, 0, 1):  # written out of order, read back in order
        store.record_decision(
            a,
            seq=seq,
            node=f"q{seq}",
            choice="b",
            points={"listen": seq - 1},
            mood=None,
            elapsed_s=0.25 + seq,
        )
    opened = store.attempt(a)
    assert opened == Attempt(
        id=a,
        trainee_id=tid,
        kind="quiz",
        exercise_id="iceberg-quiz",
        exercise_version=3,
        seed=2**40,
        lang="zh",
        started_at=opened.started_at,
        finished_at=None,
        ending=None,
        scores=None,
        total=None,
        passed=None,
    )
    assert opened.started_at.utcoffset().total_seconds() == 0
    made = store.decisions(a)
    assert [d.seq for d in made] == [0, 1, 2]
    assert made[2] == Decision(
        attempt_id=a,
        seq=2,
        node="q2",
        choice="b",
        points={"listen": 1},
        mood=None,
        at=made[2].at,
        elapsed_s=2.25,
    )
    assert all(d.at >= opened.started_at for d in made)

    store.finish_attempt(
        a, ending="passed", scores={"recall": 66.5, "apply": 100.0}, total=83.25, passed=True
    )
    done = store.attempt(a)
    assert (done.ending, done.scores, done.total, done.passed) == (
        "passed",
        {"recall": 66.5, "apply": 100.0},
        83.25,
        True,
    )
    assert done.finished_at >= done.started_at


def test_recording_the_same_decision_again_is_a_no_op(store):
    a = _play(store, store.trainee("Dev"), n=2, finish=False)
    first = store.decisions(a)
    store.record_decision(
        a,
        seq=1,
        node="node-1",
        choice="choice-1",
        points={"ownership": -1, "listen": 1},  # same content, other key order
        mood=41,
        elapsed_s=99.0,  # timing of a replay is not a new decision
    )
    assert store.decisions(a) == first


@pytest.mark.parametrize(
    "change",
    [{"choice": "other"}, {"node": "elsewhere"}, {"points": {"listen": 3}}, {"mood": 0}],
)
def test_a_different_decision_under_a_recorded_seq_raises(store, change):
    a = _play(store, store.trainee("Eve"), n=2, finish=False)
    first = store.decisions(a)
    kwargs = dict(
        seq=1,
        node="node-1",
        choice="choice-1",
        points={"listen": 1, "ownership": -1},
        mood=41,
        elapsed_s=1.0,
    )
    with pytest.raises(StoreError, match=rf"attempt {a} decision 1: already recorded as node"):
        store.record_decision(a, **{**kwargs, **change})
    assert store.decisions(a) == first


def test_a_second_answer_to_a_step_is_refused_by_the_store_and_by_the_database(store):
    """One decision per step of an attempt: a second one under the next seq (the double-click
    that used to answer the next line) is refused by the store, and by the unique index when
    written past it."""
    a = _play(store, store.trainee("Gus"), n=2, finish=False)
    first = store.decisions(a)
    with pytest.raises(StoreError, match=r"step 'node-1' was already answered with 'choice-1'"):
        store.record_decision(
            a, seq=2, node="node-1", choice="other", points={}, mood=None, elapsed_s=0.1
        )
    assert store.decisions(a) == first
    with pytest.raises(sa.exc.IntegrityError), store._engine.begin() as conn:
        conn.execute(
            decisions_table.insert().values(
                attempt_id=a, seq=2, node="node-1", choice="x", points="{}", at="t", elapsed_s=0
            )
        )
    assert store.decisions(a) == first


def test_finished_attempt_takes_no_new_decision_and_keeps_its_result(store):
    a = _play(store, store.trainee("Fay"), n=2)
    with pytest.raises(StoreError, match=rf"attempt {a} decision 2: the attempt finished at"):
        store.record_decision(
            a, seq=2, node="late", choice="x", points={}, mood=None, elapsed_s=0.0
        )
    same = dict(
        ending="stays-loyal", scores={"ownership": 12.5, "listen": 80.0}, total=46.25, passed=False
    )
    store.finish_attempt(a, **same)  # the same finish again: nothing happens
    with pytest.raises(StoreError, match=rf"attempt {a}: already finished at .* total 46.25"):
        store.finish_attempt(a, **{**same, "total": 99.0})
    assert store.attempt(a).total == 46.25
    assert len(store.decisions(a)) == 2


def test_unknown_ids_raise_store_error_naming_them(store):
    with pytest.raises(StoreError, match=r"trainee 't-nobody': no such trainee"):
        store.start_attempt(
            "t-nobody", kind="scenario", exercise_id="x", exercise_version=1, seed=0
        )
    with pytest.raises(StoreError, match=r"attempt 999: no such attempt"):
        store.record_decision(999, seq=0, node="n", choice="c", points={}, mood=None, elapsed_s=0.0)
    with pytest.raises(StoreError, match=r"attempt 999: no such attempt"):
        store.attempt(999)
    with pytest.raises(StoreError, match=r"attempt 999: no such attempt"):
        store.finish_attempt(999, ending="e", scores={}, total=0.0, passed=False)
    with pytest.raises(StoreError, match=r"trainee 't-nobody': no such trainee"):
        store.record_observer(
            trainee_id="t-nobody", observer="Obs", exercise_id="x", ratings={"listen": 3}
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"kind": "game"},
            r"start_attempt: kind must be one of \['scenario', 'quiz', 'capstone'\], got 'game'",
        ),
        ({"seed": 1.5}, r"start_attempt: seed must be an integer, got 1.5"),
        ({"exercise_id": " "}, r"start_attempt: exercise_id must be"),
    ],
)
def test_start_attempt_validates_its_arguments(store, kwargs, message):
    tid = store.trainee("Gus")
    args = dict(kind="scenario", exercise_id="x", exercise_version=1, seed=3)
    with pytest.raises(ValueError, match=message):
        store.start_attempt(tid, **{**args, **kwargs})
    assert store.attempts().empty


def test_resume_after_closing_and_reopening(url):
    with Store(url) as store:
        tid = store.trainee("Hui Min")
        _play(store, tid, n=5)  # an earlier, finished attempt
        older = _play(store, tid, n=1, finish=False)
        a = _play(store, tid, n=3, finish=False)
        other = _play(store, tid, exercise_id="hotel-check-in", n=2, finish=False)
    with Store(url) as store:  # as after a kernel restart
        assert store.trainee("Hui Min") == tid
        resumed = store.open_attempt(tid, "car-not-ready")
        assert resumed is not None and resumed.id == a and resumed.id != older
        assert not resumed.finished
        assert [(d.seq, d.choice) for d in store.decisions(a)] == [
            (0, "choice-0"),
            (1, "choice-1"),
            (2, "choice-2"),
        ]
        assert store.open_attempt(tid, "hotel-check-in").id == other
        assert store.open_attempt(tid, "never-played") is None
        assert store.open_attempt(store.trainee("Somebody else"), "car-not-ready") is None
        store.record_decision(
            a, seq=3, node="node-3", choice="choice-3", points={}, mood=50, elapsed_s=2.0
        )
        store.finish_attempt(a, ending="stays-loyal", scores={}, total=70.0, passed=True)
        assert store.open_attempt(tid, "car-not-ready").id == older


# --------------------------------------------------------------------------------------------
# Report frames and observer sheets


def test_attempts_frame_numbers_attempts_and_expands_scores(store):
    ann, bob = store.trainee("Ann"), store.trainee("Bob")
    a1 = _play(store, ann, n=2)
    b1 = _play(store, bob, n=1)
    a2 = _play(store, ann, n=4, finish=False)
    q1 = _play(store, ann, exercise_id="iceberg-quiz", n=0)
    frame = store.attempts()
    assert frame["attempt_id"].tolist() == [a1, b1, a2, q1]
    assert frame["attempt_no"].tolist() == [1, 1, 2, 1]
    assert frame["display_name"].tolist() == ["Ann", "Bob", "Ann", "Ann"]
    assert frame["n_decisions"].tolist() == [2, 1, 4, 0]
    assert frame["score_listen"].tolist()[:2] == [80.0, 80.0]
    assert pd.isna(frame.loc[2, "score_listen"]) and pd.isna(frame.loc[2, "finished_at"])
    assert frame["passed"].dtype == "boolean" and pd.isna(frame.loc[2, "passed"])
    assert (frame["duration_s"].dropna() >= 0).all()

    done = store.attempts(finished_only=True)
    assert done["attempt_id"].tolist() == [a1, b1, q1]
    mine = store.attempts(trainee_id=ann, exercise_id="car-not-ready")
    assert mine["attempt_id"].tolist() == [a1, a2] and mine["attempt_no"].tolist() == [1, 2]
    assert store.attempts(exercise_id="nothing").empty


def test_decisions_frame_joins_trainee_and_exercise(store):
    ann = store.trainee("Ann")
    a = _play(store, ann, n=3)
    _play(store, ann, exercise_id="other", n=2)
    frame = store.decisions_frame(exercise_id="car-not-ready")
    assert len(frame) == 3
    assert set(frame["attempt_id"]) == {a}
    assert frame["seq"].tolist() == [0, 1, 2]
    assert frame["display_name"].tolist() == ["Ann"] * 3
    assert frame["points_listen"].tolist() == [0, 1, 2]
    assert frame["points_ownership"].tolist() == [-1, -1, -1]
    assert frame["ending"].tolist() == ["stays-loyal"] * 3
    assert len(store.decisions_frame()) == 5


def test_observer_scores_round_trip_and_validation(store):
    tid = store.trainee("Ivy")
    sheet = store.record_observer(
        trainee_id=tid,
        observer="Coach Liu",
        exercise_id="hotpot-queue",
        ratings={"listen": 5, "empathise": 3},
        comment="Good pause before answering; 语气很好",
    )
    store.record_observer(
        trainee_id=tid, observer="Peer", exercise_id="hotpot-queue", ratings={"solve": 1}
    )
    frame = store.observer_scores()
    assert frame["observation_id"].tolist()[0] == sheet
    assert frame["rating_listen"].tolist()[0] == 5 and pd.isna(frame["rating_listen"][1])
    assert frame["rating_solve"].tolist()[1] == 1
    assert frame["comment"].tolist()[0] == "Good pause before answering; 语气很好"
    for dim, value in [("listen", 0), ("empathise", 6), ("solve", True), ("listen", "4")]:
        with pytest.raises(ValueError, match=rf"ratings\['{dim}'\] must be .*got {value!r}"):
            store.record_observer(
                trainee_id=tid, observer="Peer", exercise_id="x", ratings={dim: value}
            )
    assert len(store.observer_scores()) == 2


# --------------------------------------------------------------------------------------------
# Opening databases: URLs, versions, migration


def test_default_database_is_the_workshop_folders_from_anywhere_inside_it(tmp_path, monkeypatch):
    # Notebooks run in course/, the app and the report from the top: one file for the day.
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = tmp_path / "workshop"
    (root / "course").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "csat-workshop"\n')
    expected = f"sqlite:///{root.resolve() / 'csat-results.sqlite'}"
    assert default_url(root / "course") == expected == default_url(root)
    monkeypatch.chdir(root / "course")
    with Store() as store:
        assert store.url == expected
    assert (root / "csat-results.sqlite").is_file()
    assert not (root / "course" / "csat-results.sqlite").exists()


def test_default_url_and_environment_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    with Store() as store:
        assert store.url == DEFAULT_URL
        store.trainee("Local")
    assert (tmp_path / "csat-results.sqlite").is_file()
    elsewhere = tmp_path / "shared.sqlite"
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{elsewhere}")
    with Store() as store:
        assert store.trainees().empty
        store.trainee("Shared")
    assert elsewhere.is_file()


def test_password_never_appears_in_messages_or_repr():
    with pytest.raises(StoreError) as info:
        Store("postgresql://trainer:s3cret@127.0.0.1:1/classroom")
    assert "s3cret" not in str(info.value)
    assert "postgresql://trainer:***@127.0.0.1:1/classroom" in str(info.value)


def test_closed_store_refuses_work(url):
    store = Store(url)
    assert repr(store) == f"Store({store.url!r})"
    store.close()
    store.close()
    with pytest.raises(StoreError, match="the store is closed"):
        store.trainee("Late")


def test_newer_schema_is_refused(url):
    with Store(url) as store:
        store.trainee("Keep me")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
            {"v": str(SCHEMA_VERSION + 1)},
        )
    engine.dispose()
    with pytest.raises(
        StoreError,
        match=rf"schema version {SCHEMA_VERSION + 1} is newer than this code supports "
        rf"\({SCHEMA_VERSION}\); upgrade",
    ):
        Store(url)


def test_file_that_is_not_a_database_raises_naming_the_url(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("trainee,score\nAnn,80\n" * 200)
    url = f"sqlite:///{path}"
    with pytest.raises(StoreError, match=rf"^{url}: cannot open .*file is not a database"):
        Store(url)
    assert path.read_text().startswith("trainee,score")  # left alone


def test_database_of_something_else_is_refused(sqlite_url, tmp_path):
    with _raw_sqlite(tmp_path / "results.sqlite") as raw:
        raw.execute("CREATE TABLE attempts (whatever TEXT)")
    with pytest.raises(StoreError, match=r"expected a results database with a 'meta' table"):
        Store(sqlite_url)


V1_SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE trainees (
    trainee_id VARCHAR PRIMARY KEY, display_name VARCHAR NOT NULL UNIQUE,
    created_at VARCHAR NOT NULL);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, uid VARCHAR NOT NULL UNIQUE,
    trainee_id VARCHAR NOT NULL REFERENCES trainees (trainee_id),
    kind VARCHAR NOT NULL, exercise_id VARCHAR NOT NULL, exercise_version INTEGER NOT NULL,
    seed BIGINT NOT NULL, started_at VARCHAR NOT NULL, finished_at VARCHAR, ending VARCHAR,
    scores TEXT, total FLOAT, passed BOOLEAN);
CREATE TABLE decisions (
    attempt_id INTEGER NOT NULL REFERENCES attempts (id), seq INTEGER NOT NULL,
    node VARCHAR NOT NULL, choice VARCHAR NOT NULL, points TEXT NOT NULL, mood INTEGER,
    at VARCHAR NOT NULL, elapsed_s FLOAT NOT NULL, PRIMARY KEY (attempt_id, seq));
INSERT INTO meta VALUES ('schema_version', '1');
"""


def test_migration_from_v1_keeps_every_row(tmp_path, sqlite_url):
    t0 = "2025-03-01T09:00:00.000000+00:00"
    with _raw_sqlite(tmp_path / "results.sqlite") as raw:
        raw.executescript(V1_SCHEMA)
        raw.executemany(
            "INSERT INTO trainees VALUES (?, ?, ?)",
            [("t-0000000a", "Ann", t0), ("t-0000000b", "王芳", t0), ("t-0000000c", "O'Neil", t0)],
        )
        rows = []
        for i, tid in enumerate(["t-0000000a", "t-0000000b", "t-0000000c", "t-0000000a"]):
            done = i < 3
            rows.append(
                (i + 1, f"uid-{i}", tid, "scenario", "car-not-ready", 1, 100 + i,
                 f"2025-03-01T09:0{i}:00.000000+00:00",
                 f"2025-03-01T09:0{i}:30.000000+00:00" if done else None,
                 "stays-loyal" if done else None,
                 json.dumps({"listen": 10.0 * i}) if done else None,
                 10.0 * i if done else None, (i % 2 == 0) if done else None)
            )  # fmt: skip
        raw.executemany(f"INSERT INTO attempts VALUES ({', '.join('?' * 13)})", rows)
        raw.executemany(
            "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (a, seq, f"n{seq}", "c", json.dumps({"listen": seq}), seq, t0, 1.0)
                for a in (1, 2, 3, 4)
                for seq in range(a + 1)
            ],
        )
    with Store(sqlite_url) as store:
        frame = store.attempts()
        assert frame["attempt_id"].tolist() == [1, 2, 3, 4]
        assert frame["lang"].tolist() == ["en"] * 4
        assert frame["display_name"].tolist() == ["Ann", "王芳", "O'Neil", "Ann"]
        assert frame["n_decisions"].tolist() == [2, 3, 4, 5]
        assert frame["score_listen"].tolist()[:3] == [0.0, 10.0, 20.0]
        assert store.attempt(1).passed is True and store.attempt(2).passed is False
        assert store.open_attempt("t-0000000a", "car-not-ready").id == 4
        assert len(store.decisions(4)) == 5
        assert len(store.decisions_frame()) == 14
        # what version 2 added works on the upgraded file
        store.record_observer(
            trainee_id="t-0000000b", observer="Obs", exercise_id="x", ratings={"listen": 4}
        )
        a = store.start_attempt(
            "t-0000000b", kind="quiz", exercise_id="q", exercise_version=1, seed=0, lang="zh"
        )
        assert store.attempt(a).lang == "zh"
    with _raw_sqlite(tmp_path / "results.sqlite") as raw:
        version = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Store(sqlite_url) as store:  # opening again changes nothing
        assert len(store.attempts()) == 5 and len(store.observer_scores()) == 1


# --------------------------------------------------------------------------------------------
# Several processes at once; a process killed mid-session

WORKERS, SESSIONS, DECISIONS = 8, 50, 5


def _session_worker(url: str, worker: int, barrier) -> None:
    barrier.wait()  # all open the (possibly new) database at the same moment
    with Store(url) as store:
        own = store.trainee(f"worker {worker}")
        shared = store.trainee("Shared trainee")  # every process asks for the same name
        for i in range(SESSIONS):
            a = store.start_attempt(
                shared if i % 5 == 0 else own,
                kind="scenario",
                exercise_id=f"ex-{i % 3}",
                exercise_version=1,
                seed=worker * 1000 + i,
            )
            for seq in range(DECISIONS):
                store.record_decision(
                    a,
                    seq=seq,
                    node=f"n{seq}",
                    choice=f"w{worker}-s{i}",
                    points={"listen": seq},
                    mood=seq,
                    elapsed_s=0.01,
                )
            store.finish_attempt(
                a, ending="stays", scores={"listen": float(i)}, total=float(i), passed=True
            )


@pytest.mark.slow
def test_concurrent_processes_lose_nothing(url, monkeypatch):
    _importable_by_children(monkeypatch)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    procs = [ctx.Process(target=_session_worker, args=(url, w, barrier)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * WORKERS

    with Store(url) as store:
        people = store.trainees()
        assert len(people) == WORKERS + 1
        assert (people["display_name"] == "Shared trainee").sum() == 1
        frame = store.attempts()
        assert len(frame) == WORKERS * SESSIONS
        assert frame["finished_at"].notna().all()
        assert (frame["n_decisions"] == DECISIONS).all()
        assert frame["seed"].nunique() == WORKERS * SESSIONS
        made = store.decisions_frame()
        assert len(made) == WORKERS * SESSIONS * DECISIONS
        seqs = made.groupby("attempt_id")["seq"].apply(list)
        assert all(got == list(range(DECISIONS)) for got in seqs)
        assert made.groupby("choice").size().eq(DECISIONS).all()  # each session complete
        shared = frame[frame["display_name"] == "Shared trainee"]
        assert len(shared) == WORKERS * SESSIONS // 5
        # attempt numbers are a clean 1..n per trainee and exercise, whoever wrote them
        numbers = frame.groupby(["trainee_id", "exercise_id"])["attempt_no"].apply(list)
        assert all(n == list(range(1, len(n) + 1)) for n in numbers)
    if url.startswith("sqlite"):
        with _raw_sqlite(url.removeprefix("sqlite:///")) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


KILL_AFTER = 3


def _doomed_worker(url: str, pipe) -> None:
    with Store(url) as store:
        tid = store.trainee("Doomed trainee")
        a = store.start_attempt(
            tid, kind="scenario", exercise_id="car-not-ready", exercise_version=1, seed=5
        )
        for seq in range(KILL_AFTER):
            store.record_decision(
                a, seq=seq, node=f"n{seq}", choice="c", points={"solve": 1}, mood=seq,
                elapsed_s=0.5,
            )  # fmt: skip
    pipe.send(a)
    # Die in the middle of a write: one more decision inserted, never committed, lock held.
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO decisions (attempt_id, seq, node, choice, points, mood, at, "
                "elapsed_s) VALUES (:a, :seq, 'lost', 'lost', '{}', NULL, :at, 0)"
            ),
            {"a": a, "seq": KILL_AFTER, "at": "2025-01-01T00:00:00.000000+00:00"},
        )
        pipe.send("holding")
        time.sleep(300)


def test_process_killed_mid_session_leaves_a_resumable_attempt(url, monkeypatch):
    _importable_by_children(monkeypatch)
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_doomed_worker, args=(url, child))
    proc.start()
    try:
        assert parent.poll(60), "the worker never reported its attempt"
        a = parent.recv()
        assert parent.poll(30) and parent.recv() == "holding"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL

    started = time.monotonic()
    with Store(url) as store:
        tid = store.trainee("Doomed trainee")
        resumed = store.open_attempt(tid, "car-not-ready")
        assert resumed is not None and resumed.id == a and not resumed.finished
        assert [d.seq for d in store.decisions(a)] == list(range(KILL_AFTER))
        assert "lost" not in {d.node for d in store.decisions(a)}
        store.record_decision(
            a, seq=KILL_AFTER, node="n3", choice="c", points={}, mood=None, elapsed_s=1.0
        )
        store.finish_attempt(a, ending="stays", scores={"solve": 60.0}, total=60.0, passed=True)
        assert store.attempt(a).finished
    assert time.monotonic() - started < 10  # the dead writer's lock did not linger
    if url.startswith("sqlite"):
        with _raw_sqlite(url.removeprefix("sqlite:///")) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# --------------------------------------------------------------------------------------------
# Export and import


def _fill(store):
    ann, wang = store.trainee('Ann, "the" <b>boss</b>'), store.trainee("王芳")
    # A trainer's own role-play (not in the library): its steps are not checked on import.
    _play(store, ann, exercise_id="own-role-play", n=3)
    _play(store, ann, exercise_id="own-role-play", n=2, finish=False, lang="zh", seed=9)
    _play(store, wang, exercise_id="iceberg-quiz", n=4)
    store.record_observer(
        trainee_id=wang, observer="Coach", exercise_id="car-not-ready",
        ratings={"listen": 4, "follow_up": 2}, comment="清楚, calm",
    )  # fmt: skip


def _snapshot(store):
    """The store's content without its local row ids."""
    attempts = store.attempts().drop(columns=["attempt_id"])
    made = store.decisions_frame().drop(columns=["attempt_id"])
    sheets = store.observer_scores().drop(columns=["observation_id"])
    return store.trainees(), attempts, made, sheets


def test_export_import_reproduces_the_data_and_is_idempotent(url, tmp_path):
    with Store(url) as source:
        _fill(source)
        data = json.loads(json.dumps(source.export()))  # through real JSON text
        before = _snapshot(source)
    with Store(f"sqlite:///{tmp_path / 'fresh.sqlite'}") as target:
        assert target.import_(data) == {
            "trainees": 2,
            "attempts": 3,
            "decisions": 9,
            "observer_scores": 1,
        }
        for got, want in zip(_snapshot(target), before, strict=True):
            pd.testing.assert_frame_equal(got, want)
        nothing = {"trainees": 0, "attempts": 0, "decisions": 0, "observer_scores": 0}
        assert target.import_(data) == nothing
        for got, want in zip(_snapshot(target), before, strict=True):
            pd.testing.assert_frame_equal(got, want)


def test_import_merges_by_name_and_completes_an_open_attempt(url, tmp_path):
    with Store(f"sqlite:///{tmp_path / 'lite.sqlite'}") as browser:
        tid = browser.trainee("Ann")
        a = _play(browser, tid, exercise_id="own-role-play", n=2, finish=False)
        early = browser.export(tid)
        browser.record_decision(
            a, seq=2, node="node-2", choice="choice-2", points={}, mood=None, elapsed_s=1.0
        )
        browser.finish_attempt(a, ending="stays", scores={"listen": 50.0}, total=50.0, passed=False)
        late = browser.export(tid)
    with Store(url) as classroom:
        here = classroom.trainee("Ann")  # the same person, registered here first
        classroom.trainee("Bob")
        assert classroom.import_(early) == {
            "trainees": 0,
            "attempts": 1,
            "decisions": 2,
            "observer_scores": 0,
        }
        assert classroom.import_(late) == {
            "trainees": 0,
            "attempts": 0,
            "decisions": 1,
            "observer_scores": 0,
        }
        frame = classroom.attempts()
        assert frame["trainee_id"].tolist() == [here]
        assert frame["total"].tolist() == [50.0] and frame["n_decisions"].tolist() == [3]
        assert len(classroom.export(classroom.trainee("Bob"))["attempts"]) == 0
        with pytest.raises(StoreError, match=r"trainee 't-nobody': no such trainee"):
            classroom.export("t-nobody")


def test_import_rejects_a_malformed_export_and_adds_nothing(store):
    with pytest.raises(
        StoreError, match=r"import: format: expected a dict with format 'csat-results'"
    ):
        store.import_({"trainees": []})
    bad = store.export()
    bad["trainees"] = [{"trainee_id": "t-1", "display_name": "Ok", "created_at": "2025-01-01"}]
    with pytest.raises(StoreError, match=r"import: trainees\[0\]\.created_at must be .*time zone"):
        store.import_(bad)
    bad["trainees"][0]["created_at"] = "2025-01-01T00:00:00+00:00"
    bad["attempts"] = [{"uid": "u1", "trainee_id": "t-1"}]
    with pytest.raises(StoreError, match=r"import: attempts\[0\]\.kind: missing"):
        store.import_(bad)
    assert store.trainees().empty


# --- one file for the day -----------------------------------------------------------------------


def test_a_finished_attempt_is_in_the_sqlite_file_itself(sqlite_url, tmp_path):
    """Copying only the .sqlite file (not its -wal) after an attempt finishes loses nothing."""
    with Store(sqlite_url) as store:
        a = _play(store, store.trainee("Copy Me"), n=3)
        path = Path(sa.make_url(sqlite_url).database)
        copy = tmp_path / "copied.sqlite"
        copy.write_bytes(path.read_bytes())  # what a trainer drags to a USB stick
    with sqlite3.connect(copy) as raw:
        found = raw.execute("SELECT count(*) FROM decisions WHERE attempt_id = ?", (a,))
        assert found.fetchone() == (3,)


def test_backup_writes_one_consistent_file_that_reads_back(url, tmp_path):
    with Store(url) as store:
        tid = store.trainee("王芳")
        done = _play(store, tid, exercise_id="own-role-play", n=3)
        _play(store, tid, exercise_id="own-quiz", n=1, finish=False)  # still open
        out = store.backup(tmp_path / "usb" / "day.sqlite")
        with pytest.raises(FileExistsError, match="exists already"):
            store.backup(out)
        before = store.export()
    assert not out.with_name("day.sqlite-wal").exists()
    with Store(f"sqlite:///{out}") as copy:
        after = copy.export()
        assert [t["display_name"] for t in after["trainees"]] == ["王芳"]
        assert len(after["attempts"]) == 2 and len(after["decisions"]) == 4
        assert {a["uid"] for a in after["attempts"]} == {a["uid"] for a in before["attempts"]}
        assert copy.attempts(finished_only=True)["attempt_id"].tolist() != [] and done
