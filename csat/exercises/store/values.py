"""Records, checks and conversions the store's parts share: rows in, rows out, one line why.

:class:`Attempt` and :class:`Decision` are what the store returns; the ``_text``/``_int``/...
checks turn a bad argument into a ``ValueError`` naming it; the rest converts between rows,
JSON text and DataFrames.
"""

from __future__ import annotations

import json
import math
import numbers
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

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
        raise ValueError(f"{where} must be an integer {span}, got {_short(value)}")
    return value


def _real(where: str, value: Any, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        number = math.inf
    if (
        not math.isfinite(number)
        or (lo is not None and number < lo)
        or (hi is not None and number > hi)
    ):
        if hi is not None:
            need = f"a number from {lo} to {hi}"
        else:
            need = "a finite number" if lo is None else f"a finite number of at least {lo}"
        raise ValueError(f"{where} must be {need}, got {_short(value)}")
    return number


def _short(value: Any) -> str:
    """``repr(value)``, cut to a line: a message names a hostile value without repeating it."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return f"an integer of more than {sys.get_int_max_str_digits()} digits"
    return text if len(text) <= 60 else f"{text[:57]}..."


SEQ_MAX = 2**31 - 1
"""Largest decision number (the database column is a 32-bit integer)."""

POINTS_MAX = 100
"""Largest rubric points, plus or minus, one decision can carry on one dimension (replies in
the course carry a few)."""


def _key(where: str, key: Any) -> str:
    # JSON turns any other key into a string, so a replayed write would no longer compare equal.
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"{where}: keys must be non-empty strings such as 'listen', got {key!r}")
    return key


def _id(where: str, value: Any) -> int:
    return _int(where, value, lo=1)


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
    return {
        _key(where, k): _int(f"{where}[{k!r}]", v, lo=-POINTS_MAX, hi=POINTS_MAX)
        for k, v in points.items()
    }


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
