"""Moving results between databases: export to JSON, import (merging), and clearing.

For JupyterLite, where results live in the browser: export there, download the JSON, and
import it into the classroom database; importing twice adds nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from csat.exercises.store import known
from csat.exercises.store.records import (
    Records,
    _find_trainee,
    _free_trainee_id,
    _score_range,
)
from csat.exercises.store.schema import (
    EXPORT_FORMAT,
    KINDS,
    MAX_NAME,
    SCHEMA_VERSION,
    StoreError,
    attempts,
    decisions,
    observer_scores,
    trainees,
)
from csat.exercises.store.values import (
    SEQ_MAX,
    _bool,
    _describe,
    _dumps,
    _int,
    _iso,
    _jsonable,
    _key,
    _loads,
    _now,
    _points,
    _real,
    _short,
    _text,
)


class Transfer(Records):
    """Export, import and clear (part of ``Store``)."""

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

        return self._read("export", lambda conn: self._export(conn, trainee_id))

    def _export(self, conn: sa.Connection, trainee_id: str | None = None) -> dict:
        if trainee_id is not None:
            self._need_trainee(conn, trainee_id)
        who = (lambda t: t.c.trainee_id == trainee_id) if trainee_id else (lambda t: sa.true())
        people = conn.execute(
            sa.select(trainees).where(who(trainees)).order_by(trainees.c.created_at)
        ).all()
        tried = conn.execute(sa.select(attempts).where(who(attempts)).order_by(attempts.c.id)).all()
        made = conn.execute(
            sa.select(decisions, attempts.c.uid.label("attempt_uid"))
            .join(attempts, attempts.c.id == decisions.c.attempt_id)
            .where(who(attempts))
            .order_by(decisions.c.attempt_id, decisions.c.seq)
        ).all()
        sheets = conn.execute(
            sa.select(observer_scores).where(who(observer_scores)).order_by(observer_scores.c.id)
        ).all()
        return {
            "format": EXPORT_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "exported_at": _now(),
            # A personal code stays in the room's database: an export never carries it.
            "trainees": [{k: v for k, v in p._mapping.items() if k != "code_hash"} for p in people],
            "attempts": [_jsonable(a, "scores", passed=_bool(a.passed)) for a in tried],
            "decisions": [_jsonable(d, "points") for d in made],
            "observer_scores": [_jsonable(o, "ratings") for o in sheets],
        }

    def backup(self, dest: str | os.PathLike) -> Path:
        """Write every result into one SQLite file at ``dest`` (a new file; an existing one is
        refused): the file to take home on a USB stick, which ``csat report --db`` and
        :meth:`import_` can read. From SQLite through SQLite's online backup (consistent while
        trainees write); from another database by export and import."""
        path = Path(dest).expanduser().resolve()
        if path.exists():
            raise FileExistsError(f"backup: {path} exists already; choose a new file name")
        path.parent.mkdir(parents=True, exist_ok=True)
        if self._engine.dialect.name == "sqlite" and self._url.database not in (
            None,
            "",
            ":memory:",
        ):
            self.checkpoint()
            raw = self._engine.raw_connection()
            try:
                target = sqlite3.connect(path)
                try:
                    raw.driver_connection.backup(target)
                    target.execute("PRAGMA journal_mode = DELETE")
                finally:
                    target.close()
            finally:
                raw.close()
        else:
            copy = type(self)(f"sqlite:///{path}")
            try:
                copy.import_(self.export())
                copy.checkpoint()
            finally:
                copy.close()
            with sqlite3.connect(path) as target:
                target.execute("PRAGMA journal_mode = DELETE")
        return path

    def reset(
        self, dest: str | os.PathLike, *, since: str | None = None
    ) -> dict[str, dict[str, int]]:
        """Save every result to the new JSON file ``dest``, then clear what was saved, in one
        transaction: no write can come between the two, so what is cleared is exactly what
        the file holds (:meth:`import_` brings it back).

        Kept in the database as well: what trainees saved at or after ``since`` (an ISO 8601
        time with a zone; the trainer's "are you sure?" question), so that a trainee who
        played while the trainer was asked goes on playing: the attempts still open that
        they touched since, with all their decisions, and those trainees themselves. Without
        ``since`` everything is cleared.

        Returns
        -------
        dict
            ``{"saved": counts, "cleared": counts, "kept": counts}``, each counts a dict of
            table name to rows.
        """
        path = Path(dest)
        if path.exists():
            raise FileExistsError(f"reset: {path}: already exists; choose another file")
        if since is not None:
            since = _iso(datetime.fromisoformat(since))

        def work(conn: sa.Connection) -> dict[str, dict[str, int]]:
            if conn.dialect.name == "postgresql":
                # Readers go on; writers wait until the file is written and the rows gone.
                conn.execute(
                    sa.text(
                        "LOCK TABLE trainees, attempts, decisions, observer_scores "
                        "IN EXCLUSIVE MODE"
                    )
                )
            data = self._export(conn)
            _write_new(path, data)
            saved = {k: len(data[k]) for k in _TABLES}
            cleared = _clear(conn, since=since)
            kept = {k: saved[k] - cleared[k] for k in _TABLES}
            return {"saved": saved, "cleared": cleared, "kept": kept}

        return self._write("reset", work)

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


_TABLES = ("trainees", "attempts", "decisions", "observer_scores")


def _write_new(path: Path, data: dict) -> None:
    """Write ``data`` as JSON into the new file ``path``, whole or not at all, and on disk
    before the rows it holds are deleted."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    part = path.with_name(f".{path.name}.part")
    try:
        with open(part, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.link(part, path)  # never replaces a file that appeared meanwhile
    finally:
        part.unlink(missing_ok=True)


def _clear(conn: sa.Connection, *, since: str | None) -> dict[str, int]:
    """Delete the rows :meth:`Transfer.reset` clears; return how many each table lost."""
    if since is None:
        gone = {
            t.name: conn.execute(t.delete()).rowcount
            for t in (decisions, observer_scores, attempts, trainees)
        }
        return {k: gone[k] for k in _TABLES}
    touched = sa.select(decisions.c.attempt_id).where(decisions.c.at >= since)
    live = sa.select(attempts.c.id).where(
        attempts.c.finished_at.is_(None),
        (attempts.c.started_at >= since) | attempts.c.id.in_(touched),
    )
    live_ids = [row[0] for row in conn.execute(live)]
    busy = sa.union(
        sa.select(attempts.c.trainee_id).where(
            attempts.c.id.in_(live_ids)
            | (attempts.c.started_at >= since)
            | (attempts.c.finished_at >= since)
        ),
        sa.select(trainees.c.trainee_id).where(trainees.c.created_at >= since),
        sa.select(observer_scores.c.trainee_id).where(observer_scores.c.at >= since),
    )
    keep = sorted({row[0] for row in conn.execute(busy)})
    gone = {
        "decisions": conn.execute(
            decisions.delete().where(decisions.c.attempt_id.not_in(live_ids))
        ).rowcount,
        "observer_scores": conn.execute(observer_scores.delete()).rowcount,
        "attempts": conn.execute(attempts.delete().where(attempts.c.id.not_in(live_ids))).rowcount,
        "trainees": conn.execute(
            trainees.delete().where(trainees.c.trainee_id.not_in(keep))
        ).rowcount,
    }
    return {k: gone[k] for k in _TABLES}


# --------------------------------------------------------------------------------------------
# Import: merging an export's rows, each step returning how many rows it added


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
            person = {k: v for k, v in person.items() if k != "code_hash"}
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


MAX_PROBLEMS = 20
"""Problems an import lists before it stops looking (a hostile file can hold millions)."""

_EARLIEST, _LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def _time(where: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    try:
        moment = datetime.fromisoformat(value)
        ok = moment.tzinfo is not None and _EARLIEST <= moment < _LATEST
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(
            f"{where} must be an ISO 8601 time with a time zone, from {_EARLIEST.year} to "
            f"{_LATEST.year}, got {_short(value)}"
        )
    return _iso(moment)


def _passed(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"passed must be true or false, got {_short(value)}")
    return value


def _trainee(r: Mapping) -> dict:
    return {
        "trainee_id": lambda: _text("trainee_id", r["trainee_id"], limit=64),
        "display_name": lambda: _text("display_name", r["display_name"], limit=MAX_NAME),
        "created_at": lambda: _time("created_at", r["created_at"]),
    }


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {_short(value)}")
    return value


def _scores(value: Any) -> str:
    if not isinstance(value, Mapping):
        raise ValueError(f"scores must be a dict of dimension to number, got {_short(value)}")
    return _dumps({_key("scores", k): _real(f"scores[{k!r}]", v) for k, v in value.items()})


def _attempt(r: Mapping) -> dict:
    finished = r.get("finished_at") is not None

    def done(read):
        return read if finished else lambda: None

    return {
        "uid": lambda: _text("uid", r["uid"], limit=64),
        "trainee_id": lambda: _text("trainee_id", r["trainee_id"], limit=64),
        "kind": lambda: _kind(r["kind"]),
        "exercise_id": lambda: _text("exercise_id", r["exercise_id"]),
        "exercise_version": lambda: _int(
            "exercise_version", r["exercise_version"], lo=0, hi=SEQ_MAX
        ),
        "seed": lambda: _int("seed", r["seed"], lo=-(2**63), hi=2**63 - 1),
        "lang": lambda: _text("lang", r.get("lang", "en"), limit=16),
        "started_at": lambda: _time("started_at", r["started_at"]),
        "finished_at": lambda: _time("finished_at", r.get("finished_at"), optional=True),
        "ending": done(lambda: _text("ending", r["ending"])),
        "scores": done(lambda: _scores(r["scores"])),
        "total": done(lambda: _real("total", r["total"])),
        "passed": done(lambda: _passed(r["passed"])),
    }


def _decision(r: Mapping) -> dict:
    mood = r.get("mood")
    return {
        "attempt_uid": lambda: _text("attempt_uid", r["attempt_uid"], limit=64),
        "seq": lambda: _int("seq", r["seq"], lo=0, hi=SEQ_MAX),
        "node": lambda: _text("node", r["node"]),
        "choice": lambda: _text("choice", r["choice"]),
        "points": lambda: _dumps(_points("points", r["points"])),
        "mood": lambda: None if mood is None else _int("mood", mood, lo=0, hi=100),
        "at": lambda: _time("at", r["at"]),
        "elapsed_s": lambda: _real("elapsed_s", r["elapsed_s"], lo=0.0),
    }


def _ratings(value: Any) -> str:
    if not isinstance(value, Mapping) or not value:
        raise ValueError(
            f"ratings must be a non-empty dict of dimension to 1..5, got {_short(value)}"
        )
    return _dumps(
        {_key("ratings", k): _int(f"ratings[{k!r}]", v, lo=1, hi=5) for k, v in value.items()}
    )


def _comment(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"comment must be a string, got {_short(value)}")
    return value


def _sheet(r: Mapping) -> dict:
    return {
        "uid": lambda: _text("uid", r["uid"], limit=64),
        "trainee_id": lambda: _text("trainee_id", r["trainee_id"], limit=64),
        "observer": lambda: _text("observer", r["observer"], limit=MAX_NAME),
        "exercise_id": lambda: _text("exercise_id", r["exercise_id"]),
        "ratings": lambda: _ratings(r["ratings"]),
        "comment": lambda: _comment(r.get("comment", "")),
        "at": lambda: _time("at", r["at"]),
    }


_READERS = {"trainees": _trainee, "attempts": _attempt, "decisions": _decision,
            "observer_scores": _sheet}  # fmt: skip


def _parse_export(data: Any) -> dict[str, list[dict]]:
    """Check an export's shape, every field of every row, and what rows refer to, with the
    checks the store's own writes make; StoreError listing one located line per problem."""
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        got = data.get("format") if isinstance(data, Mapping) else type(data).__name__
        raise StoreError(
            f"import: format: expected a dict with format {EXPORT_FORMAT!r}, got {_short(got)}"
        )
    version = data.get("schema_version")
    if (
        isinstance(version, bool)
        or not isinstance(version, int)
        or not 1 <= version <= SCHEMA_VERSION
    ):
        raise StoreError(
            f"import: schema_version: expected 1 to {SCHEMA_VERSION}, got {_short(version)}"
            "; an export from newer code needs the newer csat-workshop package"
        )
    problems: list[str] = []
    parsed: dict[str, list[dict]] = {}
    broken: set[str] = set()
    steps: dict[str, dict] = {}
    at: dict[str, list[int]] = {table: [] for table in _READERS}  # each parsed row's index
    for table, reader in _READERS.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            problems.append(f"import: {table}: expected a list, got {type(rows).__name__}")
            rows = []
        parsed[table] = []
        for i, r in enumerate(rows):
            if not isinstance(r, Mapping):
                problems.append(f"import: {table}[{i}]: expected a dict, got {_short(r)}")
                continue
            row, bad = {}, False
            for name, read in reader(r).items():
                try:
                    row[name] = read()
                except KeyError as err:
                    problems.append(f"import: {table}[{i}].{err.args[0]}: missing")
                    bad = True
                except (ValueError, TypeError) as err:
                    problems.append(f"import: {table}[{i}].{err}")
                    bad = True
            if not bad:
                parsed[table].append(row)
                at[table].append(i)
            else:  # named already: what refers to it is not reported again
                broken.update(str(r.get(k)) for k in ("trainee_id", "uid") if k in r)
                if table == "attempts" and {"uid", "kind", "exercise_id"} <= set(row):
                    steps[row["uid"]] = row  # its decisions are still checked
    problems += _references(parsed, at, broken, steps)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"import: ... and {len(problems) - MAX_PROBLEMS} more problems")
        raise StoreError("\n".join(shown))
    return parsed


def _references(
    parsed: dict[str, list[dict]],
    at: dict[str, list[int]],
    broken: set[str],
    steps: dict[str, dict],
) -> list[str]:
    """What rows refer to: trainees and attempts of the file, and the steps, replies and
    endings of the course's exercises (see :mod:`.known`)."""
    problems = []
    people = {p["trainee_id"] for p in parsed["trainees"]} | broken
    tried = {}
    for i, a in zip(at["attempts"], parsed["attempts"], strict=True):
        where = f"import: attempts[{i}]"
        if a["trainee_id"] not in people:
            problems.append(
                f"{where}.trainee_id: expected a trainee in the file, got {a['trainee_id']!r}"
            )
        tried[a["uid"]] = a
        if a["finished_at"] is None:
            continue
        if a["finished_at"] < a["started_at"]:
            problems.append(
                f"{where}.finished_at: expected a time after started_at {a['started_at']}, "
                f"got {a['finished_at']}"
            )
        try:
            _score_range(where, a["kind"], a["total"], _loads(a["scores"]))
        except ValueError as err:
            problems.append(str(err).replace(f"{where}: ", f"{where}.", 1))
        exercise = known.exercise(a["kind"], a["exercise_id"], a["exercise_version"])
        if exercise is not None and a["ending"] not in exercise.endings:
            problems.append(
                f"{where}.ending: expected an ending of {a['exercise_id']!r} "
                f"{sorted(exercise.endings)}, got {a['ending']!r}"
            )
    for i, d in zip(at["decisions"], parsed["decisions"], strict=True):
        where = f"import: decisions[{i}]"
        a = tried.get(d["attempt_uid"]) or steps.get(d["attempt_uid"])
        if a is None and d["attempt_uid"] in broken:
            continue
        if a is None:
            problems.append(
                f"{where}.attempt_uid: expected an attempt in the file, got {d['attempt_uid']!r}"
            )
            continue
        exercise = known.exercise(a["kind"], a["exercise_id"], a.get("exercise_version"))
        if exercise is not None:
            wrong = known.decision_problem(exercise, d["node"], d["choice"], _loads(d["points"]))
            if wrong is not None:
                problems.append(f"{where}.{wrong}")
    for i, o in zip(at["observer_scores"], parsed["observer_scores"], strict=True):
        if o["trainee_id"] not in people:
            problems.append(
                f"import: observer_scores[{i}].trainee_id: expected a trainee in the file, "
                f"got {o['trainee_id']!r}"
            )
    return problems
