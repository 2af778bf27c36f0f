"""A classroom on one PostgreSQL server: thirty trainees playing at once lose no decision, and the
trainer's report reads consistent results while they write.

Runs when ``CSAT_TEST_PG_URL`` names a PostgreSQL database (``.ci/run`` starts one); under CI
(``CI=true``) a missing server is a failure, not a skip.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time

import numpy as np

from csat.exercises import report
from csat.exercises.engine import Session
from csat.exercises.scenario import library, load
from csat.exercises.store import Store

PG_URL = os.environ.get("CSAT_TEST_PG_URL")
TRAINEES = 30
SCENARIOS_EACH = 3


def test_postgresql_is_there_in_ci():
    if os.environ.get("CI") == "true":
        assert PG_URL, "CI must set CSAT_TEST_PG_URL (see .ci/postgres.sh)"


def trainee(url: str, index: int, start, done) -> None:
    """One trainee's process: three scenarios, random replies, every decision saved as made."""
    rng = np.random.default_rng(index)
    start.wait()
    made = 0
    with Store(url) as store:
        tid = store.trainee(f"Trainee {index:02d} 学员")
        for sid in rng.choice(library(), size=SCENARIOS_EACH, replace=False):
            session = Session(load(str(sid)), seed=index, store=store, trainee_id=tid)
            while not session.finished:
                options = session.choices
                session.choose(options[int(rng.integers(len(options)))].id)
                made += 1
    done.put(made)


def test_thirty_trainees_at_once_lose_nothing_and_reports_stay_consistent(pg_schema_url):
    pg_url = pg_schema_url
    Store(pg_url).close()  # create the schema once, before the rush
    ctx = mp.get_context("spawn")
    start, done = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=trainee, args=(pg_url, i, start, done)) for i in range(TRAINEES)]
    for p in procs:
        p.start()
    start.set()
    try:
        _watch(pg_url, procs, done)
    finally:
        for p in procs:  # never leave writers behind when the schema is dropped
            if p.is_alive():
                p.kill()
                p.join()


def _watch(pg_url, procs, done):
    reads = 0
    with Store(pg_url) as trainer:
        while any(p.is_alive() for p in procs) or reads == 0:
            # Whatever the moment, a finished attempt holds a whole path, in order, that ends
            # where the attempt says it ended.
            attempts = trainer.attempts(finished_only=True).set_index("attempt_id")
            decisions = trainer.decisions_frame().sort_values(["attempt_id", "seq"])
            for attempt_id, rows in decisions.groupby("attempt_id"):
                if attempt_id not in attempts.index:
                    continue
                a = attempts.loc[attempt_id]
                assert list(rows["seq"]) == list(range(len(rows)))
                sc = load(a["exercise_id"])
                last = sc.choice(rows["node"].iloc[-1], rows["choice"].iloc[-1])
                assert last.next == a["ending"]
            scores = report.gradebook(trainer).drop(columns=["trainee_id", "attempts"])
            assert scores.stack().dropna().between(0, 100).all()
            reads += 1
            time.sleep(0.2)
        for p in procs:
            p.join(timeout=120)
            assert p.exitcode == 0
        expected = sum(done.get(timeout=10) for _ in procs)
        final = trainer.decisions_frame()
        assert len(final) == expected
        attempts = trainer.attempts(finished_only=True)
        assert len(attempts) == TRAINEES * SCENARIOS_EACH
        assert trainer.trainees()["display_name"].nunique() == TRAINEES
        book = report.gradebook(trainer)
        assert (book["attempts"] == SCENARIOS_EACH).all()
    assert reads >= 2, "the report should have been read while trainees were writing"
