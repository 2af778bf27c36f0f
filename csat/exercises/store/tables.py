"""The store's report tables: one DataFrame per kind of row, for gradebooks and charts."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from csat.exercises.store.schema import Connection, attempts, decisions, observer_scores, trainees
from csat.exercises.store.values import (
    _ATTEMPT_COLUMNS,
    _ATTEMPT_KEYS,
    _DECISION_COLUMNS,
    _expand,
    _frame,
    _times,
)


class Tables(Connection):
    """Attempts, decisions and observer sheets as DataFrames (part of ``Store``)."""

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
