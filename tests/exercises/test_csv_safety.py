"""No CSV cell the package writes can run as a spreadsheet formula (CSV injection).

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, after a tab or a carriage return, one that follows) as a formula, so a trainee called
``=cmd|' /C calc'!A0`` could run a program on the trainer's laptop when the gradebook is
opened. OWASP's advice is to start such text with an apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from csat import csvfile
from csat.cli.exercises import main
from csat.csvfile import CSV_OPTIONS, safe_cell, safe_frame, write_csv
from csat.exercises import report, spreadsheet, teams
from csat.exercises.engine import Session
from csat.exercises.quiz import QuizSession
from csat.exercises.quiz import load as load_quiz
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.sim.capstone import Outcome, Plan

DANGER = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$")
HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
NAMES = [*HOSTILE, "王芳", "Sam Lee"]
TEAM = '=HYPERLINK("http://x")'


def shown(text: str) -> str:
    """How a name the store keeps (stripped of surrounding spaces) must appear in a cell."""
    return "'" + text if text.startswith(DANGER) else text


def read(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_every_report_csv_neutralises_formulas(tmp_path):
    url = f"sqlite:///{tmp_path / 'room.sqlite'}"
    hotpot, quiz = load("hotpot-queue"), load_quiz("servqual-quiz")
    with Store(url) as store:
        for name in NAMES:
            tid = store.trainee(name)
            session = Session(hotpot, seed=3, store=store, trainee_id=tid)
            for _, choice in hotpot.best_path():
                session.choose(choice)
            qs = QuizSession(quiz, store=store, trainee_id=tid)
            for q in quiz.questions:
                qs.answer(q.id, q.correct_ids())
        for observer, comment in zip(HOSTILE, reversed(HOSTILE), strict=True):
            store.record_observer(
                trainee_id=store.trainee(NAMES[0]),
                observer=observer,
                exercise_id="hotpot-queue",
                ratings={"listen": 4, "solve": 2},
                comment=comment,
            )
        outcome = Outcome(
            plan=Plan(team=TEAM, training=0.2),
            business="hotel",
            budget=10_000.0,
            spent=2_000.0,
            profit=-50_000.0,  # a year that loses money: its value is a negative number
            customer_value=1_000.0,
            customers_end=900.0,
            satisfied_share=0.5,
            dissatisfied_share=0.2,
            complaints=30.0,
            defections=40.0,
        )
        teams.save(store, outcome)

    out = tmp_path / "report"
    assert main(["report", "--db", url, "--out", str(out)]) == 0
    files = sorted(out.glob("*.csv"))
    assert {p.name for p in files} == {
        "gradebook.csv",
        "attempts.csv",
        "decisions.csv",
        "observer.csv",
        "capstone.csv",
    }
    for path in files:
        for row_no, row in enumerate(read(path)):
            for cell in row:
                assert not cell.startswith(DANGER) or NUMBER.match(cell), (
                    f"{path.name} row {row_no}: {cell!r} would run as a formula"
                )

    expected = {shown(name.strip()) for name in NAMES}
    book = spreadsheet.read(out / "gradebook.csv", "en").set_index("display_name")
    assert set(book.index) == expected
    assert "'=cmd|' /C calc'!A0" in book.index and "王芳" in book.index
    for column in ("hotpot-queue", "servqual-quiz", "attempts"):
        assert pd.api.types.is_numeric_dtype(book[column]), column
    assert (book["servqual-quiz"] == 100.0).all()

    attempts = spreadsheet.read(out / "attempts.csv", "en")
    assert set(attempts["display_name"]) == expected | {shown(TEAM)}
    assert pd.api.types.is_numeric_dtype(attempts["total"])

    observer = spreadsheet.read(out / "observer.csv", "en", keep_default_na=False)
    assert observer["observer"].tolist() == [shown(o.strip()) for o in HOSTILE]
    assert observer["comment"].tolist() == [shown(c) for c in reversed(HOSTILE)]
    assert observer["display_name"].eq(shown(NAMES[0])).all()
    assert pd.api.types.is_integer_dtype(observer["rating_listen"])

    games = spreadsheet.read(out / "capstone.csv", "en")
    assert games["team"].tolist() == [shown(TEAM)]
    assert pd.api.types.is_numeric_dtype(games["value"]) and games["value"].iloc[0] < 0
    raw = (out / "capstone.csv").read_text(encoding="utf-8-sig")
    assert f",{outcome.value:.1f}," in raw  # unquoted, so a spreadsheet reads a number


# --------------------------------------------------------------------------------------------
# The writer itself, whatever the dtypes

TEXT_DTYPES = [object, "string", "str", "category"]
VALUES = [*HOSTILE, "'=already", "王芳", "Sam"]


def cells(path) -> list[str]:
    return [cell for row in read(path) for cell in row]


def assert_safe(path) -> None:
    for cell in cells(path):
        assert not cell.startswith(DANGER) or NUMBER.match(cell), f"{cell!r} runs as a formula"


def test_safe_cell_escapes_text_and_leaves_numbers():
    assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert safe_cell("Li Lei") == "Li Lei" and safe_cell("'=x") == "'=x" and safe_cell("") == ""
    for number in (-5.0, -3, np.int64(-2), np.float32(-1.5), True, None, np.nan, pd.NA):
        assert safe_cell(number) is number
    assert safe_cell(pd.Timedelta(days=-1)) == "'-1 days +00:00:00"  # written as that text


@pytest.mark.parametrize("dtype", TEXT_DTYPES, ids=str)
def test_text_columns_index_and_headers_of_every_dtype(tmp_path, dtype):
    frame = pd.DataFrame(
        {
            "name": pd.Series(VALUES, dtype=dtype),
            "=HYPERLINK(1)": pd.Series(VALUES[::-1], dtype=dtype),
            "score": [-5.0, 1.5, -0.25, 0.0, 100.0, np.nan, -1e-3, 7.0, 8.0],
            "count": pd.array([-3, 1, None, 2, 3, 4, 5, 6, 7], dtype="Int64"),
            "passed": [True, False] * 4 + [True],
        }
    )
    frame.index = pd.Index(VALUES, dtype=dtype, name="-who")
    frame.columns = frame.columns.astype(dtype if dtype != "category" else object)
    before = frame.copy()
    path = write_csv(frame, tmp_path / "t.csv", index=True)
    assert_frame_equal(frame, before)  # the caller's frame is left alone
    assert_safe(path)
    rows = read(path)
    assert rows[0] == ["'-who", "name", "'=HYPERLINK(1)", "score", "count", "passed"]
    assert [r[0] for r in rows[1:]] == [shown(v) for v in VALUES]
    assert [r[1] for r in rows[1:]] == [shown(v) for v in VALUES]
    assert [r[2] for r in rows[1:]] == [shown(v) for v in VALUES[::-1]]
    back = pd.read_csv(path, encoding="utf-8-sig", index_col=0)
    np.testing.assert_array_equal(back["score"], frame["score"])  # -5.0 is still -5.0
    assert back["count"].tolist()[:2] == [-3, 1] and back["passed"].dtype == bool
    safe = safe_frame(frame)
    assert safe["score"].dtype == "float64" and safe["count"].dtype == "Int64"


def test_mixed_columns_keep_their_numbers(tmp_path):
    frame = pd.DataFrame({"mixed": [-5.0, "=1+1", 3, None, "-x", True]})
    path = write_csv(frame, tmp_path / "m.csv")
    assert_safe(path)
    assert [r[0] for r in read(path)[1:]] == ["-5.0", "'=1+1", "3", "", "'-x", "True"]
    raw = path.read_bytes()
    assert b"\r\n-5.0\r\n" in raw and b'\r\n"\'=1+1"\r\n' in raw  # the number is not quoted


def test_multiindex_levels_and_headers(tmp_path):
    index = pd.MultiIndex.from_arrays(
        [
            pd.Series(["=a", "b", "+c"], dtype="str"),
            pd.Categorical(["@x", "y", "@x"]),
            [-1, 2, -3],
        ],
        names=["=level", None, "n"],
    )
    columns = pd.MultiIndex.from_tuples([("-top", "score"), ("top", "@sub")])
    frame = pd.DataFrame([[-1.0, "=q"], [2.0, "ok"], [-3.5, "\tq"]], index=index, columns=columns)
    path = write_csv(frame, tmp_path / "mi.csv", index=True)
    assert_safe(path)
    rows = read(path)
    assert rows[0][-2:] == ["'-top", "top"] and rows[1][-2:] == ["score", "'@sub"]
    body = [r for r in rows if r and r[0] in {"'=a", "b", "'+c"}]
    assert [r[:3] for r in body] == [["'=a", "'@x", "-1"], ["b", "y", "2"], ["'+c", "'@x", "-3"]]
    assert [r[3:] for r in body] == [["-1.0", "'=q"], ["2.0", "ok"], ["-3.5", "'\tq"]]
    assert "'=level" in rows[2]


def test_times_become_utc_text_and_options_suit_excel(tmp_path):
    frame = pd.DataFrame(
        {"at": pd.to_datetime(["2024-05-01 08:00"]).tz_localize("Asia/Shanghai"), "n": ["李"]},
        index=pd.Index(["=x"], name="who"),
    )
    path = write_csv(frame, tmp_path / "t.csv", index=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    assert read(path) == [["who", "at", "n"], ["'=x", "2024-05-01 00:00:00", "李"]]
    assert CSV_OPTIONS == report.CSV_OPTIONS and report.write_csv is write_csv


def test_duplicate_labels_and_an_empty_frame(tmp_path):
    frame = pd.DataFrame([["=a", "-b"], ["@c", "d"]], columns=["x", "x"], index=["+i", "+i"])
    path = write_csv(frame, tmp_path / "d.csv", index=True)
    assert read(path) == [["", "x", "x"], ["'+i", "'=a", "'-b"], ["'+i", "'@c", "d"]]
    empty = write_csv(pd.DataFrame(columns=["=x", "y"]), tmp_path / "e.csv")
    assert read(empty) == [["'=x", "y"]]


def test_csvfile_is_the_only_csv_writer():
    # A new to_csv elsewhere would skip the escaping: route it through csat.csvfile.write_csv.
    root = Path(csvfile.__file__).parent
    writers = re.compile(r"\.to_csv\(|\.to_excel\(|ExcelWriter|csv\.(Dict)?[wW]riter")
    found = [
        str(p.relative_to(root))
        for p in sorted(root.rglob("*.py"))
        if writers.search(p.read_text(encoding="utf-8"))
    ]
    assert found == ["csvfile.py"]
