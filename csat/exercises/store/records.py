"""Writing and reading results one at a time: trainees, attempts, decisions, observer sheets.

Every write is one short transaction of its own, made the moment the trainee acts, so a
restarted kernel resumes where the trainee was.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa

from csat.exercises.store.schema import (
    KINDS,
    MAX_NAME,
    Connection,
    NotFound,
    StoreError,
    attempts,
    decisions,
    observer_scores,
    trainees,
)
from csat.exercises.store.values import (
    SEQ_MAX,
    Attempt,
    Decision,
    _attempt,
    _describe,
    _dumps,
    _id,
    _int,
    _key,
    _loads,
    _now,
    _parse_time,
    _points,
    _real,
    _text,
    _times,
)


class Records(Connection):
    """Trainees, their attempts and decisions, and observers' scoresheets (part of ``Store``)."""

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

    # -- who is who ----------------------------------------------------------------------

    def find_trainee(self, display_name: str) -> str | None:
        """The id of the trainee called ``display_name`` (ignoring case and extra spaces), or
        None when nobody in this store has that name yet."""
        name = _text("find_trainee: display_name", display_name, limit=MAX_NAME)
        return self._read(f"find_trainee {name!r}", lambda conn: _find_trainee(conn, name))

    def has_code(self, trainee_id: str) -> bool:
        """Whether the trainee has set a personal code."""
        row = self._read(
            f"has_code {trainee_id!r}",
            lambda conn: conn.execute(
                sa.select(trainees.c.code_hash).where(trainees.c.trainee_id == trainee_id)
            ).first(),
        )
        if row is None:
            raise NotFound(f"{self.url}: trainee {trainee_id!r}: no such trainee")
        return row.code_hash is not None

    def set_code(self, trainee_id: str, code: str) -> None:
        """Give the trainee a personal code; refused when one is already set (a code, once
        given, is changed only by the trainer resetting the store)."""
        code = _code(code)

        def work(conn: sa.Connection) -> None:
            self._need_trainee(conn, trainee_id)
            done = conn.execute(
                trainees.update()
                .where(trainees.c.trainee_id == trainee_id, trainees.c.code_hash.is_(None))
                .values(code_hash=_hash_code(trainee_id, code))
            )
            if done.rowcount != 1:
                raise StoreError(f"{self.url}: trainee {trainee_id!r}: already has a code")

        self._write(f"set_code {trainee_id!r}", work)

    def check_code(self, trainee_id: str, code: str) -> bool:
        """Whether ``code`` is the trainee's personal code (False when none is set)."""
        row = self._read(
            f"check_code {trainee_id!r}",
            lambda conn: conn.execute(
                sa.select(trainees.c.code_hash).where(trainees.c.trainee_id == trainee_id)
            ).first(),
        )
        if row is None or row.code_hash is None:
            return False
        return hmac.compare_digest(row.code_hash, _hash_code(trainee_id, _code(code)))

    def free_name(self, display_name: str) -> str:
        """``display_name`` if nobody has it, else the name with the first free number after
        it (``"王芳 2"``, ``"王芳 3"``…): the name a second person of the same name takes."""
        name = _text("free_name: display_name", display_name, limit=MAX_NAME - 4)

        def work(conn: sa.Connection) -> str:
            if _find_trainee(conn, name) is None:
                return name
            n = 2
            while _find_trainee(conn, f"{name} {n}") is not None:
                n += 1
            return f"{name} {n}"

        return self._read(f"free_name {name!r}", work)

    def trainees(self) -> pd.DataFrame:
        """Every trainee: ``trainee_id``, ``display_name``, ``created_at`` (UTC), oldest first."""
        rows = self._read(
            "trainees",
            lambda conn: conn.execute(
                sa.select(
                    trainees.c.trainee_id, trainees.c.display_name, trainees.c.created_at
                ).order_by(trainees.c.created_at, trainees.c.trainee_id)
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
            raise NotFound(
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
        uid: str | None = None,
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
        uid : str, optional
            A token naming what started the attempt (one click of a Run button). Starting
            again with a uid already stored returns that attempt's id, so a repeated request
            is one attempt; for another trainee or exercise it raises :class:`StoreError`.
        """
        if kind not in KINDS:
            raise ValueError(f"start_attempt: kind must be one of {list(KINDS)}, got {kind!r}")
        row = {
            "uid": uuid.uuid4().hex if uid is None else _text("start_attempt: uid", uid, limit=64),
            "trainee_id": _text("start_attempt: trainee_id", trainee_id),
            "kind": kind,
            "exercise_id": _text("start_attempt: exercise_id", exercise_id),
            "exercise_version": _int(
                "start_attempt: exercise_version", exercise_version, lo=0, hi=SEQ_MAX
            ),
            "seed": _int("start_attempt: seed", seed, lo=-(2**63), hi=2**63 - 1),
            "lang": _text("start_attempt: lang", lang, limit=16),
            "started_at": _now(),
        }

        def work(conn: sa.Connection) -> int:
            self._need_trainee(conn, row["trainee_id"])
            if uid is not None:
                old = conn.execute(
                    sa.select(attempts.c.id, attempts.c.trainee_id, attempts.c.exercise_id).where(
                        attempts.c.uid == row["uid"]
                    )
                ).first()
                if old is not None:
                    if (old.trainee_id, old.exercise_id) != (row["trainee_id"], exercise_id):
                        raise StoreError(
                            f"{self.url}: start_attempt: uid {uid!r} already names attempt "
                            f"{old.id} of {old.trainee_id!r} at {old.exercise_id!r}"
                        )
                    return old.id
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
        finish: Mapping | None = None,
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
            The step the decision answers (a scenario's node, a quiz's question, a capstone
            lever), and the id of the reply chosen. One decision per step of an attempt: a
            second one for the same step is refused (also by a unique index), however it
            arrives.
        points : dict of str to int
            Rubric points the choice earned, by dimension.
        mood : int or None
            The customer's mood after the choice (None for a quiz).
        elapsed_s : float
            Seconds the trainee took to choose.
        finish : dict or None, optional
            For the last decision: the keyword arguments of :meth:`finish_attempt`
            (``ending``, ``scores``, ``total``, ``passed``). The decision and the finish are
            then one transaction: both are saved, or neither is, so a score shown on the
            page is always the one in the store.
        """
        where = f"attempt {attempt_id} decision {seq}"
        attempt_id = _id("record_decision: attempt_id", attempt_id)
        pts = _points("record_decision: points", points)
        row = {
            "attempt_id": attempt_id,
            "seq": _int("record_decision: seq", seq, lo=0, hi=SEQ_MAX),
            "node": _text("record_decision: node", node),
            "choice": _text("record_decision: choice", choice),
            "points": _dumps(pts),
            "mood": None if mood is None else _int("record_decision: mood", mood, lo=0, hi=100),
            "at": _now(),
            "elapsed_s": _real("record_decision: elapsed_s", elapsed_s, lo=0.0),
        }
        end = None if finish is None else _finish_values("record_decision: finish", **finish)

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
                    if end is not None:
                        self._finish(conn, attempt_id, *end)
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
            answered = conn.execute(
                sa.select(decisions.c.seq, decisions.c.choice).where(
                    decisions.c.attempt_id == attempt_id, decisions.c.node == row["node"]
                )
            ).first()
            if answered is not None:
                raise StoreError(
                    f"{self.url}: {where}: step {row['node']!r} was already answered with "
                    f"{answered.choice!r} (decision {answered.seq}); one answer per step"
                )
            conn.execute(decisions.insert().values(row))
            if end is not None:
                self._finish(conn, attempt_id, *end)

        self._write(where, work)
        if end is not None:
            self._fold_log()

    def _attempt_state(self, conn: sa.Connection, attempt_id: int) -> str | None:
        """``finished_at`` of the attempt (None while open); StoreError if there is none."""
        row = conn.execute(
            sa.select(attempts.c.finished_at).where(attempts.c.id == attempt_id)
        ).first()
        if row is None:
            raise NotFound(f"{self.url}: attempt {attempt_id}: no such attempt")
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
        end = _finish_values(
            "finish_attempt", ending=ending, scores=scores, total=total, passed=passed
        )
        self._write(
            f"finish_attempt {attempt_id}", lambda conn: self._finish(conn, attempt_id, *end)
        )
        self._fold_log()

    def _finish(
        self, conn: sa.Connection, attempt_id: int, values: dict, clean: dict[str, float]
    ) -> None:
        old = conn.execute(
            sa.select(
                attempts.c.kind,
                attempts.c.finished_at,
                attempts.c.ending,
                attempts.c.scores,
                attempts.c.total,
                attempts.c.passed,
            ).where(attempts.c.id == attempt_id)
        ).first()
        if old is None:
            raise NotFound(f"{self.url}: attempt {attempt_id}: no such attempt")
        _score_range(f"attempt {attempt_id}", old.kind, values["total"], clean)
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

    def _fold_log(self) -> None:
        # A finished attempt is in the database file itself, not only in SQLite's log: the
        # file a trainer copies at any moment holds every attempt finished so far. Passive:
        # a trainee's page never waits for the trainer's report to finish reading; and best
        # effort: when another page is checkpointing at this moment, its checkpoint does the
        # work (the attempt is safe in the log either way).
        with contextlib.suppress(StoreError):
            self.checkpoint(wait=False)

    def attempt(self, attempt_id: int) -> Attempt:
        """The attempt with this id; StoreError if there is none."""
        attempt_id = _id("attempt: attempt_id", attempt_id)

        def work(conn: sa.Connection) -> Attempt:
            row = conn.execute(sa.select(attempts).where(attempts.c.id == attempt_id)).first()
            if row is None:
                raise NotFound(f"{self.url}: attempt {attempt_id}: no such attempt")
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


CODE_DIGITS = 4
"""Length of a personal code: short enough to remember for a day, enough to tell two people of
the same name apart (it is no password: the trainer's store is the room's)."""


def _finish_values(
    where: str, *, ending: str, scores: Mapping[str, float], total: float, passed: bool
) -> tuple[dict, dict[str, float]]:
    """The row values of a finish (and the scores as a dict), each argument checked."""
    if not isinstance(scores, Mapping):
        raise ValueError(f"{where}: scores must be a dict, got {scores!r}")
    clean = {
        _key(f"{where}: scores", k): _real(f"{where}: scores[{k!r}]", v) for k, v in scores.items()
    }
    if not isinstance(passed, bool | np.bool_):
        raise ValueError(f"{where}: passed must be True or False, got {passed!r}")
    values = {
        "ending": _text(f"{where}: ending", ending),
        "scores": _dumps(clean),
        "total": _real(f"{where}: total", total),
        "passed": bool(passed),
        "finished_at": _now(),
    }
    return values, clean


SCORED_KINDS = ("scenario", "quiz")
"""Kinds of attempt scored 0 to 100 (a capstone year scores business value)."""


def _score_range(where: str, kind: str, total: float, scores: Mapping[str, float]) -> None:
    """A role-play's or quiz's total and dimension scores lie from 0 to 100."""
    if kind not in SCORED_KINDS:
        return
    _real(f"{where}: total", total, lo=0.0, hi=100.0)
    for k, v in scores.items():
        _real(f"{where}: scores[{k!r}]", v, lo=0.0, hi=100.0)


def _code(code: str) -> str:
    text = str(code).strip()
    if not (text.isdigit() and text.isascii() and len(text) == CODE_DIGITS):
        raise ValueError(f"personal code: expected {CODE_DIGITS} digits, got {code!r}")
    return text


def new_code() -> str:
    """A fresh personal code of :data:`CODE_DIGITS` digits."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _hash_code(trainee_id: str, code: str) -> str:
    return hashlib.sha256(f"csat-code:{trainee_id}:{code}".encode()).hexdigest()


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


def _free_trainee_id(conn: sa.Connection) -> str:
    """A fresh pseudonymous id, ``t-`` and 8 random hex digits, not yet used here."""
    while True:
        candidate = f"t-{uuid.uuid4().hex[:8]}"
        used = conn.execute(
            sa.select(trainees.c.trainee_id).where(trainees.c.trainee_id == candidate)
        ).first()
        if used is None:
            return candidate
