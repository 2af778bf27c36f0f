"""The one way the package writes CSV files: ready for Excel, and safe to open in it.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab
or a carriage return in front does not stop them), so a trainee who types
``=cmd|' /C calc'!A0`` as their name could run a program on the trainer's laptop when the
gradebook opens (CSV injection). :func:`safe_frame` starts every such *text* cell with an
apostrophe, as OWASP advises, in the columns, the index (every level) and the headers,
whatever their dtype (object, ``str``/``string``, category, mixed); numbers are left as
numbers, so a score of -5.0 is still -5.0. :func:`write_csv` writes with :data:`CSV_OPTIONS`.

>>> import pandas as pd

from csat import clock
>>> safe_frame(pd.DataFrame({"name": ["=1+1", "Li"], "score": [-5.0, 80.0]}))
    name  score
0  '=1+1   -5.0
1     Li   80.0
"""

from __future__ import annotations

import contextlib
import csv
import numbers
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csat import clock

CSV_OPTIONS = {"encoding": "utf-8-sig", "quoting": csv.QUOTE_NONNUMERIC, "lineterminator": "\r\n"}
"""How every CSV is written: UTF-8 with a byte-order mark, so Excel shows Chinese names
correctly; every text field quoted, so commas, quotes and line breaks inside names and
comments stay in their cell; CRLF line ends, as RFC 4180 and Excel expect."""

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
"""Timestamps in the CSV files: in the trainer's time zone (:mod:`csat.clock`, stated in the
report's summary), in a form Excel recognises as a date and time."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a text cell may not start with (OWASP, CSV injection)."""


def safe_cell(value: Any) -> Any:
    """``value`` as a cell no spreadsheet runs: text that starts like a formula gets a ``'``
    in front; numbers (and missing values) are returned as they are.

    >>> safe_cell("-2+3"), safe_cell(-5.0), safe_cell("Wang Fang")
    ("'-2+3", -5.0, 'Wang Fang')
    """
    if isinstance(value, str):
        text = value
    elif value is None or isinstance(value, numbers.Number) or value is pd.NA or value is pd.NaT:
        return value
    else:  # written as its text (a Timedelta of -1 day, say), so that text must be safe
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else value


def _safe_values(values: pd.Series | pd.Index) -> np.ndarray | pd.Series | pd.Index:
    """The values of one column or index level, each made safe; numeric ones untouched."""
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        here = clock.zone()
        if isinstance(values, pd.Index):
            return values.tz_convert(here).strftime(TIME_FORMAT)
        return values.dt.tz_convert(here).dt.strftime(TIME_FORMAT)
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_dtype(dtype):
        return values  # numbers and bools stay numbers; naive times print as digits
    cells = values.astype(object).to_numpy(copy=True)
    for i, value in enumerate(cells):
        cells[i] = safe_cell(value)
    return cells


def _safe_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [_safe_values(index.get_level_values(i)) for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(levels, names=[safe_cell(n) for n in index.names])
    values = _safe_values(index)
    if values is index:
        return index.rename(safe_cell(index.name))
    return pd.Index(values, dtype=object, name=safe_cell(index.name), tupleize_cols=False)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` ready for a spreadsheet: times as text in the trainer's zone
    (:data:`TIME_FORMAT`),
    and every text cell, index label and header that starts like a formula
    (:data:`FORMULA_STARTS`) prefixed with ``'`` so the spreadsheet shows it instead of
    running it. Numeric columns keep their dtype."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        values = _safe_values(column)
        if values is not column:
            out.isetitem(i, values.to_numpy() if isinstance(values, pd.Series) else values)
    out.columns = _safe_index(out.columns)
    out.index = _safe_index(out.index)
    return out


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Write a file whole or not at all: yield a temporary path in the same folder (with the
    same extension), and move it onto ``path`` only when the block succeeds. On any error the
    temporary file is removed and a file already at ``path`` is left as it was; an
    :class:`OSError` (a full disk, say) names ``path``.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with replacing(target) as part:
    ...     _ = part.write_text("whole")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('whole', ['a.txt'])
    """
    path = Path(path)
    part = path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")
    try:
        yield part
        os.replace(part, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        if exc.filename is None or Path(exc.filename) == part:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    except BaseException:  # Ctrl-C too: never leave the part behind
        with contextlib.suppress(OSError):
            part.unlink()
        raise


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` made safe (:func:`safe_frame`) with :data:`CSV_OPTIONS`;
    return ``path``. Every CSV file the package writes goes through here, whole or not at all
    (:func:`replacing`)."""
    safe = safe_frame(frame)
    with replacing(path) as part:
        safe.to_csv(part, index=index, **CSV_OPTIONS)
    return Path(path)
