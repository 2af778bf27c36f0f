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

import json
import math
import numbers
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "KINDS",
    "SCHEMA_VERSION",
    "Attempt",
    "Decision",
    "Store",
    "StoreError",
    "default_url",
]

DEFAULT_URL = "sqlite:///csat-results.sqlite"
"""Where results go when nothing else is said and the working folder is outside the workshop
folder: an SQLite file in the working folder (see :func:`default_url`)."""

ENV_VAR = "CSAT_DB_URL"
"""Environment variable holding the database URL (e.g. a classroom PostgreSQL server)."""

SCHEMA_VERSION = 2
"""Version of the tables this code writes; see the module docstring for what each added."""

KINDS = ("scenario", "quiz", "capstone")
"""What an attempt can be an attempt at: a role-play, a knowledge check, or a team's simulated
business year in the capstone."""

MAX_NAME = 80
"""Longest display name or observer name, in characters."""

BUSY_TIMEOUT_MS = 30_000
"""How long an SQLite writer waits for another process's write to finish before giving up."""

EXPORT_FORMAT = "csat-results"
"""Value of the ``format`` key of :meth:`Store.export`, checked by :meth:`Store.import_`."""

_PG_LOCK_KEY = 0x43534154  # "CSAT": serialises schema creation/upgrade across PG clients
_T = TypeVar("_T")
# Column orders of the report frames.
# fmt: off
_ATTEMPT_COLUMNS = [
    "attempt_id", "trainee_id", "display_name", "kind", "exercise_id", "exercise_version",
    "attempt_no", "seed", "lang", "started_at", "finished_at", "duration_s", "n_decisions",
    "ending", "total", "passed",
]
_ATTEMPT_KEYS = [
    "attempt_id", "trainee_id", "display_name", "kind", "exercise_id", "exercise_version",
    "attempt_no", "lang", "ending",
]
_DECISION_COLUMNS = [
    "attempt_id", "trainee_id", "display_name", "kind", "exercise_id", "exercise_version",
    "attempt_no", "lang", "seq", "node", "choice", "mood", "at", "elapsed_s", "ending",
]
# fmt: on


def default_url(start: str | os.PathLike | None = None) -> str:
    """The results database when none is given: ``$CSAT_DB_URL`` if set; else
    ``csat-results.sqlite`` in the workshop folder when working anywhere inside it (a folder
    made by ``csat init``, or the one holding this project's ``pyproject.toml``), so that the
    notebooks in ``course/``, the app and ``csat report`` share one file; else
    :data:`DEFAULT_URL`."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "csat-workshop.toml").is_file():  # a folder made by ``csat init``
            return f"sqlite:///{folder / 'csat-results.sqlite'}"
        project = folder / "pyproject.toml"
        try:
            if project.is_file() and 'name = "csat-workshop"' in project.read_text("utf-8"):
                return f"sqlite:///{folder / 'csat-results.sqlite'}"
        except (OSError, UnicodeDecodeError):
            continue
    return DEFAULT_URL


class StoreError(Exception):
    """The results database cannot do what was asked; the message says where and why."""


# --------------------------------------------------------------------------------------------
# Tables


metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.String, nullable=False),
)

trainees = sa.Table(
    "trainees",
    metadata,
    sa.Column("trainee_id", sa.String, primary_key=True),
    sa.Column("display_name", sa.String, nullable=False, unique=True),
    sa.Column("created_at", sa.String, nullable=False),
)

attempts = sa.Table(
    "attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uid", sa.String, nullable=False, unique=True),
    sa.Column("trainee_id", sa.String, sa.ForeignKey("trainees.trainee_id"), nullable=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("exercise_id", sa.String, nullable=False),
    sa.Column("exercise_version", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("lang", sa.String, nullable=False, server_default="en"),
    sa.Column("started_at", sa.String, nullable=False),
    sa.Column("finished_at", sa.String),
    sa.Column("ending", sa.String),
    sa.Column("scores", sa.Text),
    sa.Column("total", sa.Float),
    sa.Column("passed", sa.Boolean),
    sa.Index("ix_attempts_trainee_exercise", "trainee_id", "exercise_id"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("node", sa.String, nullable=False),
    sa.Column("choice", sa.String, nullable=False),
    sa.Column("points", sa.Text, nullable=False),
    sa.Column("mood", sa.Integer),
    sa.Column("at", sa.String, nullable=False),
    sa.Column("elapsed_s", sa.Float, nullable=False),
)

observer_scores = sa.Table(
    "observer_scores",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uid", sa.String, nullable=False, unique=True),
    sa.Column("trainee_id", sa.String, sa.ForeignKey("trainees.trainee_id"), nullable=False),
    sa.Column("observer", sa.String, nullable=False),
    sa.Column("exercise_id", sa.String, nullable=False),
    sa.Column("ratings", sa.Text, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("at", sa.String, nullable=False),
)


def _upgrade_v1_to_v2(conn: sa.Connection) -> None:
    """Version 1 → 2: add ``attempts.lang`` (old rows were played in English) and
    ``observer_scores``.

    Version 1 is the starting point of the migrations: the tables ``meta``, ``trainees``,
    ``decisions`` as in version 2, and ``attempts`` without ``lang``. Plain ``ALTER TABLE …
    ADD COLUMN`` keeps every row and runs unchanged on SQLite and PostgreSQL.
    """
    conn.execute(sa.text("ALTER TABLE attempts ADD COLUMN lang VARCHAR NOT NULL DEFAULT 'en'"))
    observer_scores.create(conn, checkfirst=True)


_UPGRADES: dict[int, Callable[[sa.Connection], None]] = {1: _upgrade_v1_to_v2}
"""``_UPGRADES[v]`` turns a version-``v`` database into version ``v + 1``, in place."""


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Attempt:
    """One scenario or quiz played once; the last five fields are None until it finishes."""

    id: int
    trainee_id: str
    kind: str
    exercise_id: str
    exercise_version: int
    seed: int
    lang: str
    started_at: datetime
    finished_at: datetime | None
    ending: str | None
    scores: dict[str, float] | None
    total: float | None
    passed: bool | None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


@dataclass(frozen=True)
class Decision:
    """One choice made in an attempt, as written when it was made."""

    attempt_id: int
    seq: int
    node: str
    choice: str
    points: dict[str, int]
    mood: int | None
    at: datetime
    elapsed_s: float


# --------------------------------------------------------------------------------------------
# Small helpers: time, JSON, validation


def _now() -> str:
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    # Fixed width (always microseconds, always +00:00) so text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), sort_keys=True, ensure_ascii=False, allow_nan=False)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _mask(raw: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", raw)


def _reason(err: BaseException) -> str:
    """The driver's message alone, first line: what went wrong, without SQL and parameters."""
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _text(where: str, value: Any, *, limit: int | None = None) -> str:
    """A non-empty one-line string, stripped."""
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a string, got {value!r}")
    clean = value.strip()
    too_long = limit is not None and len(clean) > limit
    if not clean or too_long or any(unicodedata.category(c) == "Cc" for c in clean):
        size = f"1 to {limit} characters" if limit else "at least 1 character"
        raise ValueError(
            f"{where} must be {size} on one line after stripping spaces, got {value!r}"
        )
    return clean


def _int(where: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{where} must be an integer, got {value!r}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        span = f"from {lo} to {hi}" if hi is not None else f"at least {lo}"
        raise ValueError(f"{where} must be an integer {span}, got {value!r}")
    return value


def _real(where: str, value: Any, lo: float | None = None) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (lo is not None and value < lo):
        need = "a finite number" if lo is None else f"a finite number of at least {lo}"
        raise ValueError(f"{where} must be {need}, got {value!r}")
    return value


def _key(where: str, key: Any) -> str:
    # JSON turns any other key into a string, so a replayed write would no longer compare equal.
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"{where}: keys must be non-empty strings such as 'listen', got {key!r}")
    return key


def _id(where: str, value: Any) -> int:
    return _int(where, value, lo=1)


# --------------------------------------------------------------------------------------------
# SQLite connection setup (the dialect guard: nothing here runs for other databases)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module (SQLAlchemy's documented pysqlite recipe), so
    # the "begin" hook below decides between a deferred read and an immediate write.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL").fetchone()
        # In WAL mode NORMAL survives a killed process (the kernel restart case); only a power
        # cut can lose the last commits, never corrupt the file.
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    # A write takes the write lock at BEGIN: a deferred transaction that reads and then writes
    # can be refused the upgrade (SQLITE_BUSY without waiting) when another writer got in.
    write = conn.get_execution_options().get("csat_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# --------------------------------------------------------------------------------------------
# The store


class Store:
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

    def __init__(self, url: str | None = None):
        raw = url or default_url()
        self._closed = False
        try:
            self._url = sa.make_url(raw)
        except sa_exc.ArgumentError:
            raise StoreError(f"{_mask(raw)}: expected an SQLAlchemy database URL") from None
        try:
            self._engine = sa.create_engine(self._url)
        except (sa_exc.ArgumentError, ImportError) as err:
            raise StoreError(f"{self.url}: cannot use this database URL: {err}") from None
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_on_connect)
            event.listen(self._engine, "begin", _sqlite_on_begin)
        try:
            self._write("cannot open the results database", self._ensure_schema)
        except BaseException:
            self._engine.dispose()
            self._closed = True
            raise

    # -- plumbing ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL, with any password replaced by ``***``."""
        return self._url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections; the store cannot be used afterwards."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    @contextmanager
    def _transaction(self, where: str, *, write: bool) -> Iterator[sa.Connection]:
        if self._closed:
            raise StoreError(f"{self.url}: {where}: the store is closed")
        try:
            with self._engine.connect() as conn:
                if write:
                    conn = conn.execution_options(csat_write=True)
                with conn.begin():
                    yield conn
        except sa_exc.SQLAlchemyError as err:
            raise StoreError(f"{self.url}: {where}: {_reason(err)}") from err

    def _read(self, where: str, work: Callable[[sa.Connection], _T]) -> _T:
        with self._transaction(where, write=False) as conn:
            return work(conn)

    def _write(self, where: str, work: Callable[[sa.Connection], _T]) -> _T:
        """Run `work` in one write transaction; retry when another writer won a race.

        On PostgreSQL two clients can both find no row and both insert; the loser gets an
        IntegrityError, and running `work` again finds the winner's row. SQLite never gets
        here: BEGIN IMMEDIATE serialises writers.
        """
        for attempt in range(3):
            try:
                with self._transaction(where, write=True) as conn:
                    return work(conn)
            except StoreError as err:
                if attempt == 2 or not isinstance(err.__cause__, sa_exc.IntegrityError):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _ensure_schema(self, conn: sa.Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        names = set(sa.inspect(conn).get_table_names())
        if "meta" not in names:
            ours = sorted(names & set(metadata.tables))
            if ours:
                raise StoreError(
                    f"{self.url}: expected a results database with a 'meta' table, "
                    f"got tables {ours} without one"
                )
            metadata.create_all(conn)
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            return
        row = conn.execute(
            sa.select(meta.c.value).where(meta.c.key == "schema_version")
        ).scalar_one_or_none()
        try:
            version = int(row) if row is not None else None
        except ValueError:
            version = None
        if version is None or version < 1:
            raise StoreError(
                f"{self.url}: meta.schema_version: expected a positive integer, got {row!r}"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.url}: schema version {version} is newer than this code supports "
                f"({SCHEMA_VERSION}); upgrade the csat-workshop package to open it"
            )
        if version == SCHEMA_VERSION:
            return
        for step in range(version, SCHEMA_VERSION):
            _UPGRADES[step](conn)
        conn.execute(
            meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
        )

    # -- trainees ------------------------------------------------------------------------

    def trainee(self, display_name: str, *, trainee_id: str | None = None) -> str:
        """Return the pseudonymous id of the trainee called `display_name`, creating it if new.

        Parameters
        ----------
        display_name : str
            The name shown in reports, 1 to 80 characters after stripping surrounding spaces;
            kept exactly otherwise (quotes, commas, HTML and Chinese are all fine). A name
            that differs from a known one only in case or spacing (``" li  lei"`` for
            ``"Li Lei"``) is the same trainee, shown as first typed.
        trainee_id : str or None, optional
            Use this id for a new trainee instead of a fresh ``t-`` + 8 hex digits.

        Returns
        -------
        str
            The same id for the same name, every time and from every process.
        """
        name = _text("trainee: display_name", display_name, limit=MAX_NAME)
        if trainee_id is not None:
            trainee_id = _text("trainee: trainee_id", trainee_id, limit=64)

        def work(conn: sa.Connection) -> str:
            found = _find_trainee(conn, name)
            if found is not None:
                if trainee_id is not None and trainee_id != found:
                    raise StoreError(
                        f"{self.url}: trainee {name!r}: already has id {found!r}, "
                        f"got trainee_id={trainee_id!r}"
                    )
                return found
            new_id = trainee_id or _free_trainee_id(conn)
            taken = conn.execute(
                sa.select(trainees.c.display_name).where(trainees.c.trainee_id == new_id)
            ).scalar_one_or_none()
            if taken is not None:
                raise StoreError(
                    f"{self.url}: trainee {name!r}: id {new_id!r} already belongs to {taken!r}"
                )
            conn.execute(
                trainees.insert().values(trainee_id=new_id, display_name=name, created_at=_now())
            )
            return new_id

        return self._write(f"trainee {name!r}", work)

    def trainees(self) -> pd.DataFrame:
        """Every trainee: ``trainee_id``, ``display_name``, ``created_at`` (UTC), oldest first."""
        rows = self._read(
            "trainees",
            lambda conn: conn.execute(
                sa.select(trainees).order_by(trainees.c.created_at, trainees.c.trainee_id)
            ).all(),
        )
        frame = pd.DataFrame(
            [tuple(r) for r in rows], columns=["trainee_id", "display_name", "created_at"]
        )
        frame["created_at"] = _times(frame["created_at"])
        return frame

    def _need_trainee(self, conn: sa.Connection, trainee_id: str) -> None:
        found = conn.execute(
            sa.select(trainees.c.trainee_id).where(trainees.c.trainee_id == trainee_id)
        ).first()
        if found is None:
            raise StoreError(
                f"{self.url}: trainee {trainee_id!r}: no such trainee; "
                "create one with Store.trainee(display_name)"
            )

    # -- attempts and decisions ----------------------------------------------------------

    def start_attempt(
        self,
        trainee_id: str,
        *,
        kind: str,
        exercise_id: str,
        exercise_version: int,
        seed: int,
        lang: str = "en",
    ) -> int:
        """Record that `trainee_id` started an exercise; return the new attempt's id.

        Parameters
        ----------
        kind : {"scenario", "quiz", "capstone"}
        exercise_id : str
            The scenario's or quiz's ``id`` (for the capstone, the business played).
        exercise_version : int
            The file's ``version``, so results stay tied to the dialogue that was played.
        seed : int
            The seed the engine used (order of choices, random events), to replay the attempt.
        lang : str, optional
            Language the trainee played in, ``"en"`` or ``"zh"``.
        """
        if kind not in KINDS:
            raise ValueError(f"start_attempt: kind must be one of {list(KINDS)}, got {kind!r}")
        row = {
            "uid": uuid.uuid4().hex,
            "trainee_id": _text("start_attempt: trainee_id", trainee_id),
            "kind": kind,
            "exercise_id": _text("start_attempt: exercise_id", exercise_id),
            "exercise_version": _int("start_attempt: exercise_version", exercise_version, lo=0),
            "seed": _int("start_attempt: seed", seed, lo=-(2**63), hi=2**63 - 1),
            "lang": _text("start_attempt: lang", lang, limit=16),
            "started_at": _now(),
        }

        def work(conn: sa.Connection) -> int:
            self._need_trainee(conn, row["trainee_id"])
            return conn.execute(attempts.insert().values(row)).inserted_primary_key[0]

        return int(self._write(f"start_attempt {trainee_id!r} {exercise_id!r}", work))

    def record_decision(
        self,
        attempt_id: int,
        *,
        seq: int,
        node: str,
        choice: str,
        points: Mapping[str, int],
        mood: int | None,
        elapsed_s: float,
    ) -> None:
        """Write one decision, in a transaction of its own, the moment it is made.

        Recording the same `seq` again with the same node, choice, points and mood does
        nothing (a resumed session may replay what was already saved; the first ``at`` and
        ``elapsed_s`` are kept). A different decision under a `seq` already written raises
        :class:`StoreError`: a decision, once made, is never rewritten.

        Parameters
        ----------
        seq : int
            Position of the decision in the attempt (0, 1, 2, ...), unique within it.
        node, choice : str
            The node where the trainee chose, and the id of the reply chosen.
        points : dict of str to int
            Rubric points the choice earned, by dimension.
        mood : int or None
            The customer's mood after the choice (None for a quiz).
        elapsed_s : float
            Seconds the trainee took to choose.
        """
        where = f"attempt {attempt_id} decision {seq}"
        attempt_id = _id("record_decision: attempt_id", attempt_id)
        pts = _points("record_decision: points", points)
        row = {
            "attempt_id": attempt_id,
            "seq": _int("record_decision: seq", seq, lo=0),
            "node": _text("record_decision: node", node),
            "choice": _text("record_decision: choice", choice),
            "points": _dumps(pts),
            "mood": None if mood is None else _int("record_decision: mood", mood),
            "at": _now(),
            "elapsed_s": _real("record_decision: elapsed_s", elapsed_s, lo=0.0),
        }

        def work(conn: sa.Connection) -> None:
            finished_at = self._attempt_state(conn, attempt_id)
            old = conn.execute(
                sa.select(decisions).where(
                    decisions.c.attempt_id == attempt_id, decisions.c.seq == row["seq"]
                )
            ).first()
            if old is not None:
                had = (old.node, old.choice, _loads(old.points), old.mood)
                got = (row["node"], row["choice"], pts, row["mood"])
                if had == got:
                    return
                raise StoreError(
                    f"{self.url}: {where}: already recorded as "
                    f"{_describe(*had)}, got {_describe(*got)}; a decision is never rewritten"
                )
            if finished_at is not None:
                raise StoreError(
                    f"{self.url}: {where}: the attempt finished at {finished_at}; "
                    "start a new attempt to play again"
                )
            conn.execute(decisions.insert().values(row))

        self._write(where, work)

    def _attempt_state(self, conn: sa.Connection, attempt_id: int) -> str | None:
        """``finished_at`` of the attempt (None while open); StoreError if there is none."""
        row = conn.execute(
            sa.select(attempts.c.finished_at).where(attempts.c.id == attempt_id)
        ).first()
        if row is None:
            raise StoreError(f"{self.url}: attempt {attempt_id}: no such attempt")
        return row.finished_at

    def finish_attempt(
        self,
        attempt_id: int,
        *,
        ending: str,
        scores: Mapping[str, float],
        total: float,
        passed: bool,
    ) -> None:
        """Record how an attempt ended: the ending reached, scores by dimension, total, pass.

        Finishing again with the same values does nothing; with different values it raises
        :class:`StoreError`.
        """
        attempt_id = _id("finish_attempt: attempt_id", attempt_id)
        if not isinstance(scores, Mapping):
            raise ValueError(f"finish_attempt: scores must be a dict, got {scores!r}")
        clean = {
            _key("finish_attempt: scores", k): _real(f"finish_attempt: scores[{k!r}]", v)
            for k, v in scores.items()
        }
        if not isinstance(passed, bool | np.bool_):
            raise ValueError(f"finish_attempt: passed must be True or False, got {passed!r}")
        values = {
            "ending": _text("finish_attempt: ending", ending),
            "scores": _dumps(clean),
            "total": _real("finish_attempt: total", total),
            "passed": bool(passed),
            "finished_at": _now(),
        }
        where = f"finish_attempt {attempt_id}"

        def work(conn: sa.Connection) -> None:
            old = conn.execute(
                sa.select(
                    attempts.c.finished_at,
                    attempts.c.ending,
                    attempts.c.scores,
                    attempts.c.total,
                    attempts.c.passed,
                ).where(attempts.c.id == attempt_id)
            ).first()
            if old is None:
                raise StoreError(f"{self.url}: attempt {attempt_id}: no such attempt")
            if old.finished_at is not None:
                had = (old.ending, _loads(old.scores), old.total, bool(old.passed))
                got = (values["ending"], clean, values["total"], values["passed"])
                if had == got:
                    return
                raise StoreError(
                    f"{self.url}: attempt {attempt_id}: already finished at {old.finished_at} "
                    f"with ending {had[0]!r}, total {had[2]!r}, passed {had[3]!r}; "
                    f"got ending {got[0]!r}, total {got[2]!r}, passed {got[3]!r}"
                )
            conn.execute(attempts.update().where(attempts.c.id == attempt_id).values(values))

        self._write(where, work)

    def attempt(self, attempt_id: int) -> Attempt:
        """The attempt with this id; StoreError if there is none."""
        attempt_id = _id("attempt: attempt_id", attempt_id)

        def work(conn: sa.Connection) -> Attempt:
            row = conn.execute(sa.select(attempts).where(attempts.c.id == attempt_id)).first()
            if row is None:
                raise StoreError(f"{self.url}: attempt {attempt_id}: no such attempt")
            return _attempt(row)

        return self._read(f"attempt {attempt_id}", work)

    def decisions(self, attempt_id: int) -> list[Decision]:
        """The attempt's decisions in order of ``seq``; StoreError if there is no such attempt."""
        attempt_id = _id("decisions: attempt_id", attempt_id)

        def work(conn: sa.Connection) -> list[Decision]:
            self._attempt_state(conn, attempt_id)
            rows = conn.execute(
                sa.select(decisions)
                .where(decisions.c.attempt_id == attempt_id)
                .order_by(decisions.c.seq)
            ).all()
            return [
                Decision(
                    attempt_id=r.attempt_id,
                    seq=r.seq,
                    node=r.node,
                    choice=r.choice,
                    points=_loads(r.points),
                    mood=r.mood,
                    at=_parse_time(r.at),
                    elapsed_s=r.elapsed_s,
                )
                for r in rows
            ]

        return self._read(f"decisions of attempt {attempt_id}", work)

    def open_attempt(self, trainee_id: str, exercise_id: str) -> Attempt | None:
        """The trainee's latest unfinished attempt at `exercise_id`, or None.

        This is how a session resumes after a kernel restart: replay
        :meth:`decisions` of the attempt returned.
        """
        return self._latest(trainee_id, exercise_id, unfinished=True)

    def latest_attempt(self, trainee_id: str, exercise_id: str) -> Attempt | None:
        """The trainee's latest attempt at `exercise_id`, finished or not, or None.

        A role-play reopened after it was finished shows how it ended (its decisions replayed).
        """
        return self._latest(trainee_id, exercise_id, unfinished=False)

    def _latest(self, trainee_id: str, exercise_id: str, *, unfinished: bool) -> Attempt | None:
        def work(conn: sa.Connection) -> Attempt | None:
            query = sa.select(attempts).where(
                attempts.c.trainee_id == trainee_id, attempts.c.exercise_id == exercise_id
            )
            if unfinished:
                query = query.where(attempts.c.finished_at.is_(None))
            row = conn.execute(
                query.order_by(attempts.c.started_at.desc(), attempts.c.id.desc()).limit(1)
            ).first()
            return None if row is None else _attempt(row)

        which = "open_attempt" if unfinished else "latest_attempt"
        return self._read(f"{which} {trainee_id!r} {exercise_id!r}", work)

    # -- tables for reports --------------------------------------------------------------

    def attempts(
        self,
        *,
        exercise_id: str | None = None,
        trainee_id: str | None = None,
        finished_only: bool = False,
    ) -> pd.DataFrame:
        """One row per attempt, oldest first, for gradebooks and score distributions.

        Returns
        -------
        pandas.DataFrame
            ``attempt_id``, ``trainee_id``, ``display_name``, ``kind``, ``exercise_id``,
            ``exercise_version``, ``attempt_no`` (1, 2, ... per trainee and exercise, in time
            order, counted over all attempts), ``seed``, ``lang``, ``started_at``,
            ``finished_at`` (NaT while open), ``duration_s``, ``n_decisions``, ``ending``,
            ``total``, ``passed`` (nullable boolean), then one ``score_<dimension>`` column per
            dimension scored anywhere in the table.
        """
        frame = self._read(
            "attempts", lambda conn: self._attempts_frame(conn, exercise_id, trainee_id)
        )
        if finished_only:
            frame = frame[frame["finished_at"].notna()].reset_index(drop=True)
        return frame

    def _attempts_frame(
        self, conn: sa.Connection, exercise_id: str | None, trainee_id: str | None
    ) -> pd.DataFrame:
        counts = (
            sa.select(decisions.c.attempt_id, sa.func.count().label("n"))
            .group_by(decisions.c.attempt_id)
            .subquery()
        )
        query = (
            sa.select(
                attempts.c.id.label("attempt_id"),
                attempts.c.trainee_id,
                trainees.c.display_name,
                attempts.c.kind,
                attempts.c.exercise_id,
                attempts.c.exercise_version,
                attempts.c.seed,
                attempts.c.lang,
                attempts.c.started_at,
                attempts.c.finished_at,
                sa.func.coalesce(counts.c.n, 0).label("n_decisions"),
                attempts.c.ending,
                attempts.c.total,
                attempts.c.passed,
                attempts.c.scores,
            )
            .join(trainees, trainees.c.trainee_id == attempts.c.trainee_id)
            .outerjoin(counts, counts.c.attempt_id == attempts.c.id)
            .order_by(attempts.c.started_at, attempts.c.id)
        )
        if exercise_id is not None:
            query = query.where(attempts.c.exercise_id == exercise_id)
        if trainee_id is not None:
            query = query.where(attempts.c.trainee_id == trainee_id)
        frame = _frame(conn.execute(query), "scores")
        frame["attempt_no"] = frame.groupby(["trainee_id", "exercise_id"]).cumcount() + 1
        frame["started_at"] = _times(frame["started_at"])
        frame["finished_at"] = _times(frame["finished_at"])
        frame["duration_s"] = (frame["finished_at"] - frame["started_at"]).dt.total_seconds()
        for col in ("attempt_id", "exercise_version", "seed", "n_decisions", "attempt_no"):
            frame[col] = frame[col].astype("int64")
        frame["total"] = frame["total"].astype("float64")
        frame["passed"] = frame["passed"].astype("boolean")
        scores = _expand(frame.pop("scores"), "score_", "float64")
        return pd.concat([frame[_ATTEMPT_COLUMNS], scores], axis=1)

    def decisions_frame(self, *, exercise_id: str | None = None) -> pd.DataFrame:
        """One row per decision with its trainee and exercise, for choice distributions.

        Returns
        -------
        pandas.DataFrame
            ``attempt_id``, ``trainee_id``, ``display_name``, ``kind``, ``exercise_id``,
            ``exercise_version``, ``attempt_no``, ``lang``, ``seq``, ``node``, ``choice``,
            ``mood`` (nullable integer), ``at``, ``elapsed_s``, ``ending`` (missing while the
            attempt is open), then one ``points_<dimension>`` integer column per dimension
            (0 where the choice earned nothing on it), ordered by attempt then ``seq``.
        """

        def work(conn: sa.Connection) -> pd.DataFrame:
            tried = self._attempts_frame(conn, exercise_id, None)
            query = sa.select(decisions).order_by(decisions.c.attempt_id, decisions.c.seq)
            if exercise_id is not None:
                query = query.join(attempts, attempts.c.id == decisions.c.attempt_id).where(
                    attempts.c.exercise_id == exercise_id
                )
            return tried, _frame(conn.execute(query), "points")

        tried, frame = self._read("decisions_frame", work)
        frame = frame.merge(
            tried[_ATTEMPT_KEYS], on="attempt_id", how="inner", validate="many_to_one"
        )
        frame["at"] = _times(frame["at"])
        frame["mood"] = frame["mood"].astype("Int64")
        frame["elapsed_s"] = frame["elapsed_s"].astype("float64")
        for col in ("attempt_id", "seq", "exercise_version", "attempt_no"):
            frame[col] = frame[col].astype("int64")
        points = _expand(frame.pop("points"), "points_", "int64", fill=0)
        return pd.concat([frame[_DECISION_COLUMNS], points], axis=1)

    # -- observers -----------------------------------------------------------------------

    def record_observer(
        self,
        *,
        trainee_id: str,
        observer: str,
        exercise_id: str,
        ratings: Mapping[str, int],
        comment: str = "",
    ) -> int:
        """Save an observer's scoresheet for a live pair role-play; return its id.

        Parameters
        ----------
        ratings : dict of str to int
            A rating from 1 to 5 for each rubric dimension observed, e.g. ``{"listen": 4}``.
        comment : str, optional
            Free text for the debrief.
        """
        if not isinstance(ratings, Mapping) or not ratings:
            raise ValueError(
                f"record_observer: ratings must be a non-empty dict of dimension to 1..5, "
                f"got {ratings!r}"
            )
        clean = {
            _key("record_observer: ratings", dim): _int(
                f"record_observer: ratings[{dim!r}]", value, lo=1, hi=5
            )
            for dim, value in ratings.items()
        }
        if not isinstance(comment, str):
            raise ValueError(f"record_observer: comment must be a string, got {comment!r}")
        row = {
            "uid": uuid.uuid4().hex,
            "trainee_id": _text("record_observer: trainee_id", trainee_id),
            "observer": _text("record_observer: observer", observer, limit=MAX_NAME),
            "exercise_id": _text("record_observer: exercise_id", exercise_id),
            "ratings": _dumps(clean),
            "comment": comment,
            "at": _now(),
        }

        def work(conn: sa.Connection) -> int:
            self._need_trainee(conn, row["trainee_id"])
            return conn.execute(observer_scores.insert().values(row)).inserted_primary_key[0]

        return int(self._write(f"record_observer {trainee_id!r} {exercise_id!r}", work))

    def observer_scores(self) -> pd.DataFrame:
        """One row per observer scoresheet, oldest first.

        Returns
        -------
        pandas.DataFrame
            ``observation_id``, ``trainee_id``, ``display_name``, ``observer``,
            ``exercise_id``, ``at``, ``comment``, then one ``rating_<dimension>`` column per
            dimension rated anywhere (nullable integer, missing where a sheet did not rate it).
        """
        query = (
            sa.select(
                observer_scores.c.id.label("observation_id"),
                observer_scores.c.trainee_id,
                trainees.c.display_name,
                observer_scores.c.observer,
                observer_scores.c.exercise_id,
                observer_scores.c.at,
                observer_scores.c.comment,
                observer_scores.c.ratings,
            )
            .join(trainees, trainees.c.trainee_id == observer_scores.c.trainee_id)
            .order_by(observer_scores.c.at, observer_scores.c.id)
        )

        def work(conn: sa.Connection) -> pd.DataFrame:
            return _frame(conn.execute(query), "ratings")

        frame = self._read("observer_scores", work)
        frame["observation_id"] = frame["observation_id"].astype("int64")
        frame["at"] = _times(frame["at"])
        ratings = _expand(frame.pop("ratings"), "rating_", "Int64")
        return pd.concat([frame, ratings], axis=1)

    # -- moving results between databases ------------------------------------------------

    def export(self, trainee_id: str | None = None) -> dict:
        """Everything (or one trainee's results) as a JSON-serialisable dict.

        For JupyterLite, where results live in the browser: export there, download the JSON,
        and :meth:`import_` it into the classroom database.

        Returns
        -------
        dict
            ``format``, ``schema_version``, ``exported_at`` and lists ``trainees``,
            ``attempts`` (keyed by ``uid``), ``decisions`` (keyed by ``attempt_uid`` and
            ``seq``), ``observer_scores`` (keyed by ``uid``).
        """

        def work(conn: sa.Connection) -> dict:
            if trainee_id is not None:
                self._need_trainee(conn, trainee_id)
            who = (lambda t: t.c.trainee_id == trainee_id) if trainee_id else (lambda t: sa.true())
            people = conn.execute(
                sa.select(trainees).where(who(trainees)).order_by(trainees.c.created_at)
            ).all()
            tried = conn.execute(
                sa.select(attempts).where(who(attempts)).order_by(attempts.c.id)
            ).all()
            made = conn.execute(
                sa.select(decisions, attempts.c.uid.label("attempt_uid"))
                .join(attempts, attempts.c.id == decisions.c.attempt_id)
                .where(who(attempts))
                .order_by(decisions.c.attempt_id, decisions.c.seq)
            ).all()
            sheets = conn.execute(
                sa.select(observer_scores)
                .where(who(observer_scores))
                .order_by(observer_scores.c.id)
            ).all()
            return {
                "format": EXPORT_FORMAT,
                "schema_version": SCHEMA_VERSION,
                "exported_at": _now(),
                "trainees": [dict(p._mapping) for p in people],
                "attempts": [_jsonable(a, "scores", passed=_bool(a.passed)) for a in tried],
                "decisions": [_jsonable(d, "points") for d in made],
                "observer_scores": [_jsonable(o, "ratings") for o in sheets],
            }

        return self._read("export", work)

    def clear(self) -> dict[str, int]:
        """Delete every trainee, attempt, decision and observer sheet (the tables stay), in one
        transaction; return how many rows each table lost. Export first: see
        ``python -m csat exercises reset``, which saves a file :meth:`import_` can bring back."""

        def work(conn: sa.Connection) -> dict[str, int]:
            gone = {}
            for table in (decisions, observer_scores, attempts, trainees):
                gone[table.name] = conn.execute(table.delete()).rowcount
            return gone

        return self._write("clear", work)

    def import_(self, data: Mapping[str, Any]) -> dict[str, int]:
        """Merge an :meth:`export` into this database; return how many rows each table gained.

        Importing is idempotent: rows already present (trainees by display name, attempts and
        observer sheets by ``uid``, decisions by attempt and ``seq``) are skipped, so
        importing the same file twice adds nothing. An attempt that was still open when
        exported gains the decisions made since, and its finish, from a later export. A
        trainee whose display name exists here is merged into that trainee. The import is
        one transaction: if any row is invalid, nothing is added.

        Returns
        -------
        dict of str to int
            ``{"trainees": n, "attempts": n, "decisions": n, "observer_scores": n}``.
        """
        parsed = _parse_export(data)

        def work(conn: sa.Connection) -> dict[str, int]:
            added: dict[str, int] = {}
            added["trainees"], local = _merge_trainees(conn, parsed["trainees"])
            added["attempts"], ids = _merge_attempts(conn, parsed["attempts"], local)
            added["decisions"] = _merge_decisions(conn, parsed["decisions"], ids)
            added["observer_scores"] = _merge_sheets(conn, parsed["observer_scores"], local)
            return added

        return self._write("import", work)


# --------------------------------------------------------------------------------------------
# Import: merging an export's rows, each step returning how many rows it added


def _name_key(name: str) -> str:
    """What makes two typed names the same person: case and runs of spaces do not count."""
    return " ".join(name.split()).casefold()


def _find_trainee(conn: sa.Connection, name: str) -> str | None:
    """The id of the trainee called ``name`` (exactly, else ignoring case and extra spaces)."""
    found = conn.execute(
        sa.select(trainees.c.trainee_id).where(trainees.c.display_name == name)
    ).scalar_one_or_none()
    if found is not None:
        return found
    key = _name_key(name)
    for trainee_id, display_name in conn.execute(
        sa.select(trainees.c.trainee_id, trainees.c.display_name).order_by(
            trainees.c.created_at, trainees.c.trainee_id
        )
    ):
        if _name_key(display_name) == key:
            return trainee_id
    return None


def _merge_trainees(conn: sa.Connection, rows: list[dict]) -> tuple[int, dict[str, str]]:
    """Add trainees whose display name is new; map every exported id to the id here."""
    added, local = 0, {}
    for person in rows:
        found = _find_trainee(conn, person["display_name"])
        if found is None:
            found = person["trainee_id"]
            clash = conn.execute(
                sa.select(trainees.c.trainee_id).where(trainees.c.trainee_id == found)
            ).first()
            if clash is not None:  # the same random id drawn for another person
                found = _free_trainee_id(conn)
            conn.execute(trainees.insert().values({**person, "trainee_id": found}))
            added += 1
        local[person["trainee_id"]] = found
    return added, local


def _merge_attempts(
    conn: sa.Connection, rows: list[dict], local: dict[str, str]
) -> tuple[int, dict[str, int]]:
    """Add attempts with a new uid, finish ones that finished since; map uid to id here."""
    added, ids = 0, {}
    for i, row in enumerate(rows):
        if row["trainee_id"] not in local:
            raise StoreError(
                f"import: attempts[{i}].trainee_id: expected a trainee in the export, "
                f"got {row['trainee_id']!r}"
            )
        row = {**row, "trainee_id": local[row["trainee_id"]]}
        old = conn.execute(
            sa.select(attempts.c.id, attempts.c.finished_at).where(attempts.c.uid == row["uid"])
        ).first()
        if old is None:
            ids[row["uid"]] = conn.execute(attempts.insert().values(row)).inserted_primary_key[0]
            added += 1
            continue
        ids[row["uid"]] = old.id
        if old.finished_at is None and row["finished_at"] is not None:
            finish = ("finished_at", "ending", "scores", "total", "passed")
            conn.execute(
                attempts.update().where(attempts.c.id == old.id).values({k: row[k] for k in finish})
            )
    return added, ids


def _merge_decisions(conn: sa.Connection, rows: list[dict], ids: dict[str, int]) -> int:
    """Add decisions not yet here; a different decision under the same seq is an error."""
    added = 0
    for i, row in enumerate(rows):
        attempt_id = ids.get(row["attempt_uid"])
        if attempt_id is None:
            raise StoreError(
                f"import: decisions[{i}].attempt_uid: expected an attempt in the export, "
                f"got {row['attempt_uid']!r}"
            )
        old = conn.execute(
            sa.select(decisions).where(
                decisions.c.attempt_id == attempt_id, decisions.c.seq == row["seq"]
            )
        ).first()
        if old is None:
            values = {k: v for k, v in row.items() if k != "attempt_uid"}
            conn.execute(decisions.insert().values({**values, "attempt_id": attempt_id}))
            added += 1
            continue
        had = (old.node, old.choice, _loads(old.points), old.mood)
        got = (row["node"], row["choice"], _loads(row["points"]), row["mood"])
        if had != got:
            raise StoreError(
                f"import: decisions[{i}]: attempt {row['attempt_uid']} decision {row['seq']} "
                f"is already recorded here as {_describe(*had)}, got {_describe(*got)}"
            )
    return added


def _merge_sheets(conn: sa.Connection, rows: list[dict], local: dict[str, str]) -> int:
    """Add observer scoresheets with a new uid."""
    added = 0
    for i, row in enumerate(rows):
        if row["trainee_id"] not in local:
            raise StoreError(
                f"import: observer_scores[{i}].trainee_id: expected a trainee in the export, "
                f"got {row['trainee_id']!r}"
            )
        exists = conn.execute(
            sa.select(observer_scores.c.id).where(observer_scores.c.uid == row["uid"])
        ).first()
        if exists is None:
            conn.execute(
                observer_scores.insert().values({**row, "trainee_id": local[row["trainee_id"]]})
            )
            added += 1
    return added


# --------------------------------------------------------------------------------------------
# Row and frame conversion


def _attempt(row: sa.Row) -> Attempt:
    return Attempt(
        id=row.id,
        trainee_id=row.trainee_id,
        kind=row.kind,
        exercise_id=row.exercise_id,
        exercise_version=row.exercise_version,
        seed=row.seed,
        lang=row.lang,
        started_at=_parse_time(row.started_at),
        finished_at=_parse_time(row.finished_at),
        ending=row.ending,
        scores=_loads(row.scores),
        total=row.total,
        passed=_bool(row.passed),
    )


def _free_trainee_id(conn: sa.Connection) -> str:
    """A fresh pseudonymous id, ``t-`` and 8 random hex digits, not yet used here."""
    while True:
        candidate = f"t-{uuid.uuid4().hex[:8]}"
        used = conn.execute(
            sa.select(trainees.c.trainee_id).where(trainees.c.trainee_id == candidate)
        ).first()
        if used is None:
            return candidate


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _jsonable(row: sa.Row, json_column: str, **override: Any) -> dict[str, Any]:
    """A row as a plain dict for :meth:`Store.export`, its JSON text column decoded."""
    out = dict(row._mapping)
    out[json_column] = _loads(out[json_column])
    out.update(override)
    return out


def _describe(node: str, choice: str, points: Mapping[str, int], mood: int | None) -> str:
    return f"node {node!r} choice {choice!r} points {dict(points)!r} mood {mood!r}"


def _points(where: str, points: Any) -> dict[str, int]:
    if not isinstance(points, Mapping):
        raise ValueError(f"{where} must be a dict of dimension to integer, got {points!r}")
    return {_key(where, k): _int(f"{where}[{k!r}]", v) for k, v in points.items()}


def _times(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, utc=True, format="ISO8601")


def _frame(result: sa.CursorResult, json_column: str) -> pd.DataFrame:
    """A query result as a DataFrame, its JSON text column decoded into dicts."""
    columns = list(result.keys())
    at = columns.index(json_column)
    rows = [tuple(_loads(v) if i == at else v for i, v in enumerate(r)) for r in result]
    return pd.DataFrame(rows, columns=columns)


def _expand(dicts: pd.Series, prefix: str, dtype: str, fill: Any = None) -> pd.DataFrame:
    """Spread a column of dicts (or None) into one column per key, keys sorted."""
    keys = sorted({k for d in dicts if d for k in d})
    data = {f"{prefix}{k}": [d.get(k, fill) if d else fill for d in dicts] for k in keys}
    return pd.DataFrame(data, index=dicts.index, columns=[f"{prefix}{k}" for k in keys]).astype(
        dtype
    )


def _parse_export(data: Any) -> dict[str, list[dict]]:
    """Check an export's shape and every row's fields; StoreError naming the row if not."""
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        got = data.get("format") if isinstance(data, Mapping) else type(data).__name__
        raise StoreError(f"import: expected a dict with format {EXPORT_FORMAT!r}, got {got!r}")
    version = data.get("schema_version")
    if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        raise StoreError(
            f"import: schema_version: expected 1 to {SCHEMA_VERSION}, got {version!r}"
            "; an export from newer code needs the newer csat-workshop package"
        )

    def time(where: str, value: Any, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError(f"{where} must be an ISO 8601 time with a time zone, got {value!r}")
        return _iso(moment)

    def trainee(r: Mapping) -> dict:
        return {
            "trainee_id": _text("trainee_id", r["trainee_id"], limit=64),
            "display_name": _text("display_name", r["display_name"], limit=MAX_NAME),
            "created_at": time("created_at", r["created_at"]),
        }

    def attempt(r: Mapping) -> dict:
        if r["kind"] not in KINDS:
            raise ValueError(f"kind must be one of {list(KINDS)}, got {r['kind']!r}")
        finished = r.get("finished_at") is not None
        scores = r.get("scores")
        if finished and not isinstance(scores, Mapping):
            raise ValueError(f"scores must be a dict, got {scores!r}")
        return {
            "uid": _text("uid", r["uid"], limit=64),
            "trainee_id": _text("trainee_id", r["trainee_id"], limit=64),
            "kind": r["kind"],
            "exercise_id": _text("exercise_id", r["exercise_id"]),
            "exercise_version": _int("exercise_version", r["exercise_version"], lo=0),
            "seed": _int("seed", r["seed"], lo=-(2**63), hi=2**63 - 1),
            "lang": _text("lang", r.get("lang", "en"), limit=16),
            "started_at": time("started_at", r["started_at"]),
            "finished_at": time("finished_at", r.get("finished_at"), optional=True),
            "ending": _text("ending", r["ending"]) if finished else None,
            "scores": _dumps({k: _real(f"scores[{k!r}]", v) for k, v in scores.items()})
            if finished
            else None,
            "total": _real("total", r["total"]) if finished else None,
            "passed": bool(r["passed"]) if finished else None,
        }

    def decision(r: Mapping) -> dict:
        return {
            "attempt_uid": _text("attempt_uid", r["attempt_uid"], limit=64),
            "seq": _int("seq", r["seq"], lo=0),
            "node": _text("node", r["node"]),
            "choice": _text("choice", r["choice"]),
            "points": _dumps(_points("points", r["points"])),
            "mood": None if r.get("mood") is None else _int("mood", r["mood"]),
            "at": time("at", r["at"]),
            "elapsed_s": _real("elapsed_s", r["elapsed_s"], lo=0.0),
        }

    def sheet(r: Mapping) -> dict:
        ratings = r["ratings"]
        if not isinstance(ratings, Mapping) or not ratings:
            raise ValueError(f"ratings must be a non-empty dict, got {ratings!r}")
        return {
            "uid": _text("uid", r["uid"], limit=64),
            "trainee_id": _text("trainee_id", r["trainee_id"], limit=64),
            "observer": _text("observer", r["observer"], limit=MAX_NAME),
            "exercise_id": _text("exercise_id", r["exercise_id"]),
            "ratings": _dumps(
                {
                    _key("ratings", k): _int(f"ratings[{k!r}]", v, lo=1, hi=5)
                    for k, v in ratings.items()
                }
            ),
            "comment": r.get("comment", "") or "",
            "at": time("at", r["at"]),
        }

    parsed: dict[str, list[dict]] = {}
    readers = {
        "trainees": trainee,
        "attempts": attempt,
        "decisions": decision,
        "observer_scores": sheet,
    }
    for table, read in readers.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise StoreError(f"import: {table}: expected a list, got {type(rows).__name__}")
        parsed[table] = []
        for i, r in enumerate(rows):
            if not isinstance(r, Mapping):
                raise StoreError(f"import: {table}[{i}]: expected a dict, got {r!r}")
            try:
                parsed[table].append(read(r))
            except KeyError as err:
                raise StoreError(f"import: {table}[{i}]: missing key {err.args[0]!r}") from None
            except (ValueError, TypeError, AttributeError) as err:
                raise StoreError(f"import: {table}[{i}].{err}") from None
    return parsed
