"""The results database's shape: where it is, its tables, their upgrades, and the connection.

:class:`Connection` opens the database at a URL, creates or upgrades its tables, and runs each
piece of work in one short transaction; the rest of :class:`~csat.exercises.store.Store` is
built on it (trainees and attempts in :mod:`.records`, report tables in :mod:`.tables`, export
and import in :mod:`.transfer`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from csat.exercises.store.values import _mask, _reason

DEFAULT_URL = "sqlite:///csat-results.sqlite"
"""Where results go when nothing else is said and the working folder is outside the workshop
folder: an SQLite file in the working folder (see :func:`default_url`)."""

ENV_VAR = "CSAT_DB_URL"
"""Environment variable holding the database URL (e.g. a classroom PostgreSQL server)."""

SCHEMA_VERSION = 3
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


class NotFound(StoreError):
    """The trainee or attempt asked for is not in the database: never was, or was cleared by a
    reset (``csat exercises reset``) while a page still had it open."""


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
    # A short personal code set at first use (hashed with the trainee's id), so a second
    # person typing the same name is asked for it instead of continuing the first one's work.
    sa.Column("code_hash", sa.String),
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
    # One answer per step: a second click on a step already answered is refused by the
    # database itself, whatever the page did.
    sa.Index("ux_decisions_attempt_node", "attempt_id", "node", unique=True),
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

# Holds no results, only how often a code box of this room was answered wrong (the trainer
# page's, :mod:`csat.exercises.gate`): created whenever missing, whatever the schema version,
# so older databases gain it on opening and older code ignores it.
gate_failures = sa.Table(
    "gate_failures",
    metadata,
    sa.Column("gate", sa.String, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),  # seconds since the epoch (time.time())
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


def _upgrade_v2_to_v3(conn: sa.Connection) -> None:
    """Version 2 → 3: one decision per node of an attempt (``ux_decisions_attempt_node``),
    and ``trainees.code_hash`` (empty for trainees made before: they set a code on next use).

    A database written before may hold two decisions for one node of an attempt only if
    something other than the course wrote it; the upgrade then stops with the attempts named,
    and changes nothing.
    """
    twice = conn.execute(
        sa.select(decisions.c.attempt_id, decisions.c.node)
        .group_by(decisions.c.attempt_id, decisions.c.node)
        .having(sa.func.count() > 1)
    ).all()
    if twice:
        listed = ", ".join(f"attempt {a} node {n!r}" for a, n in twice[:5])
        raise StoreError(
            f"cannot upgrade the results database: two decisions for one step in {listed}"
        )
    conn.execute(sa.text("ALTER TABLE trainees ADD COLUMN code_hash VARCHAR"))
    conn.execute(
        sa.text(
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_decisions_attempt_node "
            "ON decisions (attempt_id, node)"
        )
    )


_UPGRADES: dict[int, Callable[[sa.Connection], None]] = {
    1: _upgrade_v1_to_v2,
    2: _upgrade_v2_to_v3,
}
"""``_UPGRADES[v]`` turns a version-``v`` database into version ``v + 1``, in place."""


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
# The connection


class Connection:
    """An open results database: the URL, the engine, and one transaction per piece of work.

    The base of :class:`~csat.exercises.store.Store`; see there for the parameters.
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections; the store cannot be used afterwards."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def checkpoint(self, *, wait: bool = True) -> None:
        """Fold SQLite's write-ahead log back into the database file, so that the ``.sqlite``
        file alone holds every result (a copy of it taken now misses nothing). Nothing to do
        on other databases. ``wait=False`` never waits for a reader (what a trainee's page
        does after each attempt); the default also empties the log, waiting for readers as
        any write does."""
        if self._engine.dialect.name != "sqlite":
            return
        try:
            with self._engine.connect() as conn:
                mode = "TRUNCATE" if wait else "PASSIVE"
                conn.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})")
        except sa_exc.SQLAlchemyError as err:
            raise StoreError(f"{self.url}: checkpoint: {_reason(err)}") from err

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
        gate_failures.create(conn, checkfirst=True)
        if version == SCHEMA_VERSION:
            return
        for step in range(version, SCHEMA_VERSION):
            _UPGRADES[step](conn)
        conn.execute(
            meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
        )
