"""Results store: trainees, attempts and every decision, in a real database.

One SQLAlchemy URL says where results live: an SQLite file in the workshop folder by default
(:func:`default_url`), or any URL in the environment variable :data:`ENV_VAR` — PostgreSQL for
a shared classroom server. Every decision is written in its own short transaction the moment
it is made, so a restarted kernel resumes where the trainee was (:meth:`Store.open_attempt`),
and many trainees' kernels can write to one file at once.

Tables (SQLAlchemy Core, no ORM; timestamps are UTC ISO 8601 text, dictionaries JSON text):

``meta``
    ``key``, ``value``; holds ``schema_version``.
``trainees``
    ``trainee_id`` (pseudonymous, ``t-`` and 8 hex digits), ``display_name`` (unique),
    ``created_at``.
``attempts``
    one scenario, quiz or capstone year played once: ``id``, ``uid`` (stable across
    databases, for :meth:`Store.import_`), ``trainee_id``, ``kind``, ``exercise_id``,
    ``exercise_version``, ``seed``, ``lang``, ``started_at``; once finished also
    ``finished_at``, ``ending``, ``scores``, ``total``, ``passed``.
``decisions``
    ``attempt_id``, ``seq`` (unique together), ``node``, ``choice``, ``points``, ``mood``,
    ``at``, ``elapsed_s``.
``observer_scores``
    one observer's scoresheet for a live pair role-play: ``id``, ``uid``, ``trainee_id``,
    ``observer``, ``exercise_id``, ``ratings`` (dimension → 1..5), ``comment``, ``at``.
``gate_failures``
    no results: wrong answers in a row to a code box of the room (the trainer page's),
    ``gate``, ``failures``, ``last_at`` (:mod:`csat.exercises.gate`); created whenever
    missing, in any schema version.

Schema versions: version 1 had no ``observer_scores`` table and no ``attempts.lang`` column;
version 2 (:data:`SCHEMA_VERSION`) adds both. Opening an older database upgrades it in place,
keeping every row; a database written by newer code is refused rather than misread.

>>> store = Store("sqlite://")  # in memory
>>> tid = store.trainee("王芳 (Wang Fang)")
>>> a = store.start_attempt(tid, kind="scenario", exercise_id="car-not-ready",
...                         exercise_version=1, seed=7)
>>> store.record_decision(a, seq=0, node="arrival", choice="apologise",
...                       points={"ownership": 2, "listen": 1}, mood=10, elapsed_s=4.5)
>>> store.open_attempt(tid, "car-not-ready").id == a
True
>>> store.finish_attempt(a, ending="stays-loyal", scores={"ownership": 100.0, "listen": 50.0},
...                      total=75.0, passed=True)
>>> store.attempts()[["display_name", "attempt_no", "total", "passed", "score_listen"]]
     display_name  attempt_no  total  passed  score_listen
0  王芳 (Wang Fang)           1   75.0    True          50.0
>>> store.close()
"""

from __future__ import annotations

from csat.exercises.store.gates import Gates
from csat.exercises.store.records import Records
from csat.exercises.store.schema import (
    DEFAULT_URL,
    ENV_VAR,
    KINDS,
    SCHEMA_VERSION,
    NotFound,
    StoreError,
    default_url,
)
from csat.exercises.store.tables import Tables
from csat.exercises.store.transfer import Transfer
from csat.exercises.store.values import Attempt, Decision

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "KINDS",
    "SCHEMA_VERSION",
    "Attempt",
    "Decision",
    "NotFound",
    "Store",
    "StoreError",
    "default_url",
]


class Store(Transfer, Tables, Gates, Records):
    """Results of every trainee's attempts, in the database at `url`.

    Parameters
    ----------
    url : str or None, optional
        SQLAlchemy database URL. None means ``$CSAT_DB_URL`` if set, else
        :func:`default_url` (``csat-results.sqlite`` in the workshop folder). ``"sqlite://"``
        is a private in-memory database, handy for a demonstration.

    Raises
    ------
    StoreError
        When the URL cannot be opened, the file is not a database, or the database was written
        by a newer version of this code. The message names the URL (password hidden).

    Notes
    -----
    Opening creates the tables, or upgrades an older schema in place. Each method runs in one
    short transaction of its own; on SQLite writes take the write lock at ``BEGIN IMMEDIATE``
    and wait up to 30 s for other processes, with the file in WAL mode so readers never block
    writers. Use the store as a context manager, or call :meth:`close`.
    """
