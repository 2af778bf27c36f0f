"""The trainer's report, from a store filled by sessions with known paths."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from csat import clock
from csat.cli.exercises import main
from csat.exercises import report, rubric, spreadsheet
from csat.exercises.engine import POLICIES, Session, counted_score, score_path
from csat.exercises.quiz import QuizSession
from csat.exercises.quiz import load as load_quiz
from csat.exercises.scenario import library, load
from csat.exercises.store import Store
from csat.lessons import results

HOTPOT, HOTEL = "hotpot-queue", "hotel-check-in"
ZHANG, WANG = 'Zhang, "Wei" <b>', "王芳"


def walk(scenario_id: str, pick) -> list[tuple[str, str]]:
    """A whole path, choosing ``pick(choices)`` at every node."""
    sc = load(scenario_id)
    path, node = [], sc.start
    while not sc.is_ending(node):
        c = pick(sc.nodes[node].choices)
        path.append((node, c.id))
        node = c.next
    return path


def best(sid):
    return load(sid).best_path()


def last(sid):
    return walk(sid, lambda cs: cs[-1])


def second(sid):
    return walk(sid, lambda cs: cs[1])


PLAYS = {  # trainee -> [(scenario, path, finished?)] in the order played
    ZHANG: [(HOTPOT, last, True), (HOTPOT, best, True), (HOTEL, second, True)],
    WANG: [(HOTPOT, best, True), (HOTPOT, second, True), (HOTPOT, last, True)],
    "Li Na": [(HOTPOT, second, True), (HOTPOT, best, False)],
    "Sam": [(HOTEL, best, True)],
}


def fill(store: Store) -> dict:
    """Play PLAYS into ``store``; return {trainee: {scenario: [totals of finished attempts]}}."""
    totals: dict[str, dict[str, list[float]]] = {}
    for name, plays in PLAYS.items():
        tid = store.trainee(name)
        for sid, make, finish in plays:
            path = make(sid)
            s = Session(load(sid), seed=7, store=store, trainee_id=tid)
            for _, choice in path if finish else path[:2]:
                s.choose(choice)
            if finish:
                totals.setdefault(name, {}).setdefault(sid, []).append(
                    score_path(load(sid), path).total
                )
    quiz = load_quiz("servqual-quiz")
    qs = QuizSession(quiz, store=store, trainee_id=store.trainee(WANG))
    for q in quiz.questions:
        qs.answer(q.id, q.correct_ids())
    totals[WANG]["servqual-quiz"] = [100.0]
    return totals


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'r.sqlite'}"


@pytest.fixture
def filled(url):
    with Store(url) as store:
        totals = fill(store)
        yield store, totals


@pytest.mark.parametrize("policy", POLICIES)
def test_gradebook_holds_the_counted_score(filled, policy):
    store, totals = filled
    book = report.gradebook(store, policy=policy)
    assert book.index.name == "display_name"
    assert sorted(book.index) == sorted(PLAYS)
    assert list(book.columns) == ["trainee_id", HOTEL, HOTPOT, "servqual-quiz", "attempts"]
    for name in PLAYS:
        for exercise in (HOTEL, HOTPOT, "servqual-quiz"):
            expected = counted_score(totals.get(name, {}).get(exercise, []), policy)
            got = book.loc[name, exercise]
            if expected is None:
                assert np.isnan(got)
            else:
                assert got == pytest.approx(expected)
        finished = sum(len(v) for v in totals.get(name, {}).values())
        assert book.loc[name, "attempts"] == finished
    assert book.loc[WANG, "trainee_id"] == store.trainee(WANG)


def test_policies_differ_where_they_should(filled):
    store, _ = filled
    books = {p: report.gradebook(store, policy=p) for p in POLICIES}
    assert books["best"].loc[WANG, HOTPOT] == 100.0
    assert books["first"].loc[WANG, HOTPOT] == 100.0
    assert books["last"].loc[WANG, HOTPOT] == pytest.approx(
        score_path(load(HOTPOT), last(HOTPOT)).total
    )
    assert books["first"].loc[ZHANG, HOTPOT] < books["best"].loc[ZHANG, HOTPOT]
    with pytest.raises(ValueError, match="attempt policy must be one of best, first, last"):
        report.gradebook(store, policy="average")


def test_attempts_mark_the_counted_one(filled):
    store, _ = filled
    frame = report.attempts(store, policy="best")
    assert len(frame) == sum(len(v) for v in PLAYS.values()) + 1  # + the quiz
    counted = frame[frame["counted"]]
    assert not counted.duplicated(["trainee_id", "exercise_id"]).any()
    assert counted["finished_at"].notna().all()
    li = frame[frame["display_name"] == "Li Na"]
    assert li["counted"].tolist() == [True, False]  # the open attempt never counts
    for score in ("score_listen", "total", "attempt_no", "passed"):
        assert score in frame


def test_choice_distribution_counts_every_decision(filled):
    store, _ = filled
    sc = load(HOTPOT)
    dist = report.choice_distribution(store, HOTPOT)
    # Decisions at each (node, choice), counted straight from the plays.
    expected: dict[tuple[str, str], int] = {}
    for plays in PLAYS.values():
        for sid, make, finish in plays:
            if sid == HOTPOT:
                for step in make(sid) if finish else make(sid)[:2]:
                    expected[step] = expected.get(step, 0) + 1
    for _, row in dist.iterrows():
        assert row["count"] == expected.get((row["node"], row["choice"]), 0)
    start = dist[dist["node"] == sc.start]
    assert start["step"].unique().tolist() == [1]
    assert start["n_node"].iloc[0] == sum(
        1 for plays in PLAYS.values() for sid, _, _ in plays if sid == HOTPOT
    )
    assert start["share"].sum() == pytest.approx(1.0)
    model = start[start["model"]]
    assert model["choice"].tolist() == [sc.best_path()[0][1]]
    assert model["share"].iloc[0] == pytest.approx(model["count"].iloc[0] / start["n_node"].iloc[0])
    assert set(dist["choice"]) == {c.id for n in sc.nodes.values() for c in n.choices}
    unreached = dist[dist["n_node"] == 0]
    assert unreached["share"].isna().all()
    zh = report.choice_distribution(store, HOTPOT, lang="zh")
    assert zh["text"].iloc[0] == sc.nodes[sc.start].choices[0].text("zh")


def test_score_distribution_and_framework_view(filled):
    store, totals = filled
    dist = report.score_distribution(store, policy="best")
    total = dist[(dist["exercise_id"] == HOTPOT) & (dist["dimension"] == "total")].iloc[0]
    counted = [counted_score(t[HOTPOT], "best") for t in totals.values() if HOTPOT in t]
    assert total["n"] == len(counted)
    assert total["mean"] == pytest.approx(np.mean(counted))
    assert total["max"] == 100.0
    assert set(dist["dimension"]) <= {"total", *rubric.DIMENSIONS}
    assert dist.loc[dist["dimension"] != "total", "pass_rate"].isna().all()
    heard = report.framework_view(store, "HEARD")
    assert list(heard.columns) == ["display_name", "exercise_id", *rubric.FRAMEWORKS["HEARD"]]
    sam = heard[heard["display_name"] == "Sam"].iloc[0]
    expected = score_path(load(HOTEL), best(HOTEL)).as_framework("HEARD")
    for step, value in expected.items():
        assert sam[step] == pytest.approx(value) if value is not None else np.isnan(sam[step])


def test_figures_state_their_finding(filled, tmp_path):
    store, _ = filled
    figures = {
        "scores": results.plot_scores(store),
        "dimensions": results.plot_dimensions(store),
        "choices": results.plot_choices(store, HOTPOT),
    }
    for name, fig in figures.items():
        assert isinstance(fig, Figure)
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.stat().st_size > 10_000
    assert figures["scores"]._suptitle.get_text().startswith("Hardest:")
    assert "Weakest dimension:" in figures["dimensions"]._suptitle.get_text()
    assert "did not give the model answer" in figures["choices"]._suptitle.get_text()


def test_figures_in_chinese(filled, tmp_path):
    store, _ = filled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CJK font on this machine: English, with a warning
        fig = results.plot_choices(store, HOTPOT, lang="zh")
    fig.savefig(tmp_path / "zh.png")
    assert (tmp_path / "zh.png").stat().st_size > 10_000


def test_write_makes_csv_excel_can_read(filled, tmp_path):
    store, _ = filled
    store.record_observer(
        trainee_id=store.trainee(ZHANG),
        observer="Coach, Li",
        exercise_id=HOTPOT,
        ratings={"listen": 4, "solve": 2},
        comment='Said "sorry", then, finally,\nrestated the problem.',
    )
    store.record_observer(
        trainee_id=store.trainee(WANG),
        observer="=HYPERLINK(1)",
        exercise_id=HOTEL,
        ratings={"empathise": 5},
    )
    out = tmp_path / "report"
    written = results.write(store, out, policy="best")
    names = [p.name for p in written]
    assert names[:5] == [
        "gradebook.csv",
        "attempts.csv",
        "decisions.csv",
        "observer.csv",
        "summary.txt",
    ]
    assert {"scores.png", "dimensions.png", f"choices-{HOTPOT}.png", f"choices-{HOTEL}.png"} <= set(
        names
    )
    assert all(p.exists() and p.stat().st_size > 0 for p in written)
    raw = (out / "gradebook.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    book = spreadsheet.read(out / "gradebook.csv", "en").set_index("display_name")
    assert set(book.index) == set(PLAYS)  # names exact, comma, quotes and all
    assert book.loc[WANG, "servqual-quiz"] == 100.0
    pd.testing.assert_series_equal(
        book[HOTPOT],
        report.gradebook(store, policy="best")[HOTPOT],
        check_names=False,
        check_index=False,
    )
    assert (book["attempt_counted"] == "best").all(), "the file says which attempt counts"
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == len(PLAYS) + 1 and all(len(r) == len(rows[0]) for r in rows)
    observer = spreadsheet.read(out / "observer.csv", "en")
    assert observer["comment"].iloc[0] == 'Said "sorry", then, finally,\nrestated the problem.'
    assert observer["observer"].tolist() == ["Coach, Li", "'=HYPERLINK(1)"]
    attempts = spreadsheet.read(out / "attempts.csv", "en")
    assert ZHANG in attempts["display_name"].tolist()
    assert attempts["started_at"].str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$").all()
    decisions = spreadsheet.read(out / "decisions.csv", "en")
    first = decisions[(decisions["exercise_id"] == HOTPOT) & (decisions["seq"] == 0)].iloc[0]
    reply = load(HOTPOT).choice(first["node"], first["choice"])
    assert first["choice_text"] == reply.text("en")
    noted = decisions.dropna(subset=["trainer_note"])
    assert len(noted), "the trainer's notes travel with the decisions"
    for _, row in noted.head(5).iterrows():
        note = load(row["exercise_id"]).choice(row["node"], row["choice"]).trainer_note
        assert row["trainer_note"] == note("en")
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "Attempt policy: best" in summary and "hotpot-queue" in summary


def test_an_empty_store_writes_headers_and_a_note(url, tmp_path):
    with Store(url) as store:
        written = results.write(store, tmp_path / "empty")
    assert [p.name for p in written] == [
        "gradebook.csv",
        "attempts.csv",
        "decisions.csv",
        "observer.csv",
        "summary.txt",
    ]
    book = spreadsheet.read(tmp_path / "empty" / "gradebook.csv", "en")
    assert list(book.columns) == ["display_name", "trainee_id", "attempt_counted", "attempts"]
    assert book.empty
    attempts = spreadsheet.read(tmp_path / "empty" / "attempts.csv", "en")
    assert {"display_name", "exercise_id", "total", "counted"} <= set(attempts.columns)
    summary = (tmp_path / "empty" / "summary.txt").read_text(encoding="utf-8")
    assert "No results yet" in summary and "Attempt policy: first" in summary
    with Store(url) as store:
        assert isinstance(results.plot_scores(store), Figure)  # says "No results yet"
        assert isinstance(results.plot_choices(store, HOTPOT), Figure)


def test_command_line_report(filled, url, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["report", "--db", url, "--out", str(out), "--policy", "last"]) == 0
    printed = capsys.readouterr().out.split()
    assert (out / "gradebook.csv").exists() and str(out / "gradebook.csv") in printed
    book = spreadsheet.read(out / "gradebook.csv", "en").set_index("display_name")
    assert book.loc[WANG, HOTPOT] == pytest.approx(score_path(load(HOTPOT), last(HOTPOT)).total)


def test_capstone_teams_are_not_trainees_in_the_gradebook(tmp_path):
    from csat.sim.capstone import Plan, play
    from csat.ui import capstone

    store = Store(f"sqlite:///{tmp_path / 'room.sqlite'}")
    s = load("hotpot-queue")
    session = Session(s, seed=1, store=store, trainee_id=store.trainee("Wang Fang"))
    for _, choice in s.best_path():
        session.choose(choice)
    outcome = play(Plan(team="Team Red", training=0.4), runs=1, population=2_000)
    capstone.save(store, outcome)
    book = report.gradebook(store)
    assert list(book.index) == ["Wang Fang"] and "capstone-hotel" not in book.columns
    written = results.write(store, tmp_path / "out")
    games = spreadsheet.read(tmp_path / "out" / "capstone.csv", "en")
    assert list(games["team"]) == ["Team Red"] and games.loc[0, "business"] == "hotel"
    summary = (tmp_path / "out" / "summary.txt").read_text(encoding="utf-8")
    assert "Trainees: 1 " in summary and "Capstone: 1 team(s), 1 year(s) run" in summary
    assert "/100" not in summary.split("Capstone:")[1]
    assert tmp_path / "out" / "capstone.csv" in written


@pytest.mark.parametrize("sid", library())
def test_step_numbers_are_those_trainees_see_on_their_scorecards(sid):
    # Whatever way a trainee comes, the step their scorecard gives a decision point lies in the
    # range the report and the live view print for it ("Step 3–5").
    sc = load(sid)
    with Store("sqlite://") as empty:
        dist = report.choice_distribution(empty, sc).drop_duplicates("node").set_index("node")
    assert (dist["step_last"] >= dist["step"]).all() and dist.loc[sc.start, "step"] == 1
    rng = np.random.default_rng(0)
    for _ in range(200):  # random ways through the conversation
        node, seen = sc.start, 1
        while not sc.is_ending(node):
            assert dist.loc[node, "step"] <= seen <= dist.loc[node, "step_last"], (node, seen)
            choices = sc.nodes[node].choices
            node, seen = choices[rng.integers(len(choices))].next, seen + 1
    for i, (node, _) in enumerate(sc.best_path()):
        assert dist.loc[node, "step"] <= i + 1 <= dist.loc[node, "step_last"]


def test_times_are_in_the_trainers_time_zone_said_once(tmp_path, monkeypatch):
    monkeypatch.setenv("CSAT_TIMEZONE", "Asia/Shanghai")
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        s = Session(load(HOTPOT), seed=1, store=store, trainee_id=store.trainee("Ana"))
        for _, choice in s.scenario.best_path():
            s.choose(choice)
        stored = store.attempts()["started_at"].iloc[0]  # UTC
        results.write(store, tmp_path / "out")
    attempts = spreadsheet.read(tmp_path / "out" / "attempts.csv", "en")
    shown = pd.Timestamp(attempts["started_at"].iloc[0])
    assert shown == stored.tz_convert("Asia/Shanghai").tz_localize(None).floor("s")
    summary = (tmp_path / "out" / "summary.txt").read_text(encoding="utf-8")
    assert "Times are in Asia/Shanghai (UTC+08:00)." in summary
    monkeypatch.setenv("CSAT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="CSAT_TIMEZONE: expected a time zone name"):
        clock.zone()


def test_the_summary_speaks_the_reports_language(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        s = Session(load(HOTPOT), seed=1, store=store, trainee_id=store.trainee("王芳"))
        for _, choice in s.scenario.best_path():
            s.choose(choice)
        results.write(store, tmp_path / "zh", lang="zh")
    text = (tmp_path / "zh" / "summary.txt").read_text(encoding="utf-8")
    assert text.startswith("客户满意度与投诉处理工作坊：成绩报告")
    assert "每个练习按第一次完成的成绩计" in text and load(HOTPOT).title("zh") in text
    assert "Trainees:" not in text and "Files:" not in text
