"""No CSV cell the package writes can run as a spreadsheet formula (CSV injection).

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, after a tab or a carriage return, one that follows) as a formula, so a trainee called
``=cmd|' /C calc'!A0`` could run a program on the trainer's laptop when the gradebook is
opened. OWASP's advice is to start such text with an apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import re

import pandas as pd

from csat.cli.exercises import main
from csat.exercises import teams
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
    book = pd.read_csv(out / "gradebook.csv", encoding="utf-8-sig", index_col="display_name")
    assert set(book.index) == expected
    assert "'=cmd|' /C calc'!A0" in book.index and "王芳" in book.index
    for column in ("hotpot-queue", "servqual-quiz", "attempts"):
        assert pd.api.types.is_numeric_dtype(book[column]), column
    assert (book["servqual-quiz"] == 100.0).all()

    attempts = pd.read_csv(out / "attempts.csv", encoding="utf-8-sig")
    assert set(attempts["display_name"]) == expected | {shown(TEAM)}
    assert pd.api.types.is_numeric_dtype(attempts["total"])

    observer = pd.read_csv(out / "observer.csv", encoding="utf-8-sig", keep_default_na=False)
    assert observer["observer"].tolist() == [shown(o.strip()) for o in HOSTILE]
    assert observer["comment"].tolist() == [shown(c) for c in reversed(HOSTILE)]
    assert observer["display_name"].eq(shown(NAMES[0])).all()
    assert pd.api.types.is_integer_dtype(observer["rating_listen"])

    games = pd.read_csv(out / "capstone.csv", encoding="utf-8-sig")
    assert games["team"].tolist() == [shown(TEAM)]
    assert pd.api.types.is_numeric_dtype(games["value"]) and games["value"].iloc[0] < 0
    raw = (out / "capstone.csv").read_text(encoding="utf-8-sig")
    assert f",{round(outcome.value)}," in raw  # unquoted, so a spreadsheet reads a number
