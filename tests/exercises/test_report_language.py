"""The report in the room's language: every CSV header and every word in a cell, each exercise
named beside its id, the figures; the language taken from the day's agenda."""

from __future__ import annotations

import csv
import re
import warnings

import pandas as pd
import pytest

from csat import i18n
from csat.cli import workshop
from csat.cli.exercises import main
from csat.exercises import spreadsheet
from csat.exercises.engine import Session
from csat.exercises.quiz import QuizSession
from csat.exercises.quiz import load as load_quiz
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.lessons import results, style

HOTPOT, HOTEL, QUIZ = "hotpot-queue", "hotel-check-in", "servqual-quiz"
HOSTILE = "=cmd|' /C calc'!A0"
CJK = re.compile(r"[\u4e00-\u9fff]")
WORDS = {lang: i18n.table("report_csv", lang) for lang in i18n.codes()}
CSVS = {"gradebook.csv", "attempts.csv", "decisions.csv", "observer.csv", "capstone.csv"}


def _play(store, name, sid, pick):
    sc = load(sid)
    s = Session(sc, seed=2, store=store, trainee_id=store.trainee(name))
    node = sc.start
    while not sc.is_ending(node):
        choice = pick(sc, node)
        s.choose(choice.id)
        node = choice.next


def _best(sc, node):
    return sc.choice(node, dict(sc.best_path())[node])


def _worst(sc, node):
    return min(sc.nodes[node].choices, key=lambda c: sum(c.points.values()))


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """A day with every table filled: role-plays that end well and badly, a quiz, an open
    attempt, an observer's sheet and a capstone year."""
    from csat.sim.capstone import Plan, play
    from csat.ui import capstone

    url = f"sqlite:///{tmp_path_factory.mktemp('day') / 'day.sqlite'}"
    with Store(url) as store:
        _play(store, "王芳", HOTPOT, _best)
        _play(store, HOSTILE, HOTPOT, _worst)
        _play(store, "Sam", HOTEL, _best)
        quiz = load_quiz(QUIZ)
        qs = QuizSession(quiz, store=store, trainee_id=store.trainee("王芳"))
        for q in quiz.questions:
            qs.answer(q.id, q.correct_ids())
        open_attempt = Session(load(HOTEL), seed=1, store=store, trainee_id=store.trainee("Li"))
        open_attempt.choose(load(HOTEL).best_path()[0][1])
        store.record_observer(
            trainee_id=store.trainee("王芳"),
            observer="李老师",
            exercise_id=HOTPOT,
            ratings={"listen": 4, "solve": 3},
            comment="复述得很好",
        )
        capstone.save(store, play(Plan(team="红队", training=0.4), runs=1, population=2_000))
    return url


@pytest.fixture(scope="module")
def written(url, tmp_path_factory):
    """The report in each language: language → its CSV files by name."""
    out = {}
    with Store(url) as store, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a machine without a Chinese font draws English figures
        for lang in i18n.codes():
            files = results.write(store, tmp_path_factory.mktemp(lang), policy="best", lang=lang)
            out[lang] = {p.name: p for p in files if p.suffix == ".csv"}
    return out


def rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def table(path) -> list[dict[str, str]]:
    head, *body = rows(path)
    return [dict(zip(head, row, strict=True)) for row in body]


def test_the_report_writes_every_table(written):
    for lang in i18n.codes():
        assert set(written[lang]) == CSVS


def test_no_header_of_a_chinese_report_stays_english(written):
    """Every header of every CSV file the Chinese report writes is Chinese words from the
    catalogue: none is a column name of the code or an English header."""
    english = {h for path in written["en"].values() for h in rows(path)[0]}
    for name, path in written["zh"].items():
        for shown in rows(path)[0]:
            assert CJK.search(shown), f"{name}: header {shown!r} is not Chinese"
            assert shown not in english, f"{name}: header {shown!r} is the English one"
            assert spreadsheet.column_name(shown, "zh") != shown, f"{name}: {shown!r} unknown"


def test_english_headers_read_as_words(written):
    def headed(title, sid):
        return f"{title} ({sid})"

    book = rows(written["en"]["gradebook.csv"])[0]
    assert book == [
        "Trainee",
        "Trainee ID",
        "Attempt counted",
        headed(load(HOTEL).title("en"), HOTEL),
        headed(load(HOTPOT).title("en"), HOTPOT),
        headed(load_quiz(QUIZ).title("en"), QUIZ),
        "Finished attempts",
    ]
    tried = rows(written["en"]["attempts.csv"])[0]
    assert tried[:6] == ["Attempt ID", "Trainee ID", "Trainee", "Type", "Exercise ID", "Exercise"]
    assert {"Started", "Finished", "Score", "Passed", "Counted", "Score: Listen"} <= set(tried)
    for path in written["en"].values():
        for shown in rows(path)[0]:
            assert "_" not in shown, f"{path.name}: {shown!r} is a column name, not a header"


@pytest.mark.parametrize("lang", i18n.codes())
def test_words_in_the_cells_are_in_the_reports_language(written, lang):
    w, files = WORDS[lang], written[lang]
    c = w["columns"]
    yes_no = {w["yes"], w["no"]}
    tried = table(files["attempts.csv"])
    assert {r[c["kind"]] for r in tried} == set(w["kinds"].values())
    assert {r[c["passed"]] for r in tried} <= yes_no | {""}
    assert {r[c["counted"]] for r in tried} == yes_no
    assert {r[c["lang"]] for r in tried} == {i18n.LANGUAGES["en"]}  # what the trainees played in
    wang = next(r for r in tried if (r[c["display_name"]], r[c["exercise_id"]]) == ("王芳", HOTPOT))
    ending = load(HOTPOT).endings[wang[c["ending"]]]
    assert wang[c["ending_title"]] == ending.title(lang)
    assert wang[c["outcome"]] == w["outcomes"][ending.outcome] == w["outcomes"]["stays"]
    assert wang[c["passed"]] == w["yes"]
    hostile = next(r for r in tried if r[c["display_name"]] == "'" + HOSTILE)  # still escaped
    assert hostile[c["outcome"]] in set(w["outcomes"].values())
    assert hostile[c["passed"]] == w["no"]
    book = table(files["gradebook.csv"])
    assert {r[c["attempt_counted"]] for r in book} == {w["policies"]["best"]}
    made = table(files["decisions.csv"])
    first = next(r for r in made if r[c["exercise_id"]] == HOTPOT)
    reply = load(HOTPOT).choice(first[c["node"]], first[c["choice"]])
    assert first[c["choice_text"]] == reply.text(lang)
    games = table(files["capstone.csv"])
    assert games[0][c["business"]] == "hotel"
    assert games[0][c["business_name"]] == i18n.t("business.hotel", lang)


@pytest.mark.parametrize("lang", i18n.codes())
def test_every_row_naming_an_exercise_has_its_title_beside_the_id(written, lang):
    c = WORDS[lang]["columns"]
    titles = {sid: load(sid).title(lang) for sid in (HOTPOT, HOTEL)}
    titles[QUIZ] = load_quiz(QUIZ).title(lang)
    titles["capstone-hotel"] = WORDS[lang]["capstone"].format(
        business=i18n.t("business.hotel", lang)
    )
    named = 0
    for name, path in written[lang].items():
        head = rows(path)[0]
        if c["exercise_id"] not in head:
            continue
        at = head.index(c["exercise_id"])
        assert head[at + 1] == c["exercise"], f"{name}: the title is not beside the id"
        for row in table(path):
            assert row[c["exercise"]] == titles[row[c["exercise_id"]]], name
            named += 1
    assert named > 10
    book = rows(written[lang]["gradebook.csv"])[0]
    for sid in (HOTEL, HOTPOT, QUIZ):
        assert WORDS[lang]["exercise_column"].format(title=titles[sid], id=sid) in book


@pytest.mark.parametrize("lang", i18n.codes())
def test_every_csv_opens_in_excel_with_chinese_intact(written, lang):
    for name, path in written[lang].items():
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name}: no byte-order mark for Excel"
        assert raw.endswith(b"\r\n"), name
        for row in rows(path):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), f"{name}: {cell!r}"
    assert "王芳" in {r[0] for r in rows(written[lang]["gradebook.csv"])}


def test_either_language_reads_back_as_the_same_table(written):
    worded = {"exercise", "ending_title", "outcome", "business_name", "choice_text", "trainer_note"}
    for name in CSVS:
        en = spreadsheet.read(written["en"][name], "en")
        zh = spreadsheet.read(written["zh"][name], "zh")
        assert list(en.columns) == list(zh.columns), name
        same = [col for col in en.columns if col not in worded]
        pd.testing.assert_frame_equal(en[same], zh[same], obj=name)
    tried = spreadsheet.read(written["zh"]["attempts.csv"], "zh")
    assert {"display_name", "exercise_id", "total", "score_listen", "counted"} <= set(tried)
    assert set(tried["kind"]) == {"scenario", "quiz", "capstone"}
    assert tried["counted"].isin([True, False]).all()


# --------------------------------------------------------------------------------------------
# The language: --lang, else the agenda's, else English


def _agenda(path, language="zh", exercise=HOTPOT):
    path.write_text(f"language: {language}\nexercises:\n  - {exercise}\n", encoding="utf-8")
    return path


def _first_header(out):
    return rows(out / "gradebook.csv")[0][0]


def test_the_report_speaks_the_agendas_language_unless_told(url, tmp_path, capsys):
    agenda = _agenda(tmp_path / "agenda.yaml")
    assert main(["report", "--db", url, "--out", str(tmp_path / "a"), "--agenda", str(agenda)]) == 0
    assert _first_header(tmp_path / "a") == "学员"
    summary = (tmp_path / "a" / "summary.txt").read_text(encoding="utf-8")
    assert summary.startswith(i18n.t("summary.title", "zh"))
    argv = ["report", "--db", url, "--out", str(tmp_path / "b"), "--agenda", str(agenda)]
    assert main([*argv, "--lang", "en"]) == 0
    assert _first_header(tmp_path / "b") == "Trainee"
    assert main(["report", "--db", url, "--out", str(tmp_path / "c")]) == 0
    assert _first_header(tmp_path / "c") == "Trainee"
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "language: fr\nexercises:\n  - hotpot-queue\n",
            "agenda.yaml: language: expected one of en, zh, got 'fr' (line 1)",
        ),
        (
            "language: zh\nexercises:\n  - hotpot-queu\n",
            "agenda.yaml: exercises[0]: expected an exercise id, got 'hotpot-queu'",
        ),
        ("language: [zh\n", "agenda.yaml: "),
    ],
    ids=["language", "exercise", "yaml"],
)
def test_a_broken_agenda_gives_an_english_report_and_one_warning(
    url, tmp_path, capsys, text, problem
):
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", "--db", url, "--out", str(out), "--agenda", str(agenda)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: ") and problem in err
    assert "English" in err and "--lang" in err
    assert _first_header(out) == "Trainee" and {p.name for p in out.glob("*.csv")} == CSVS


def test_a_missing_agenda_file_is_named_and_the_report_written(url, tmp_path, capsys):
    missing = tmp_path / "nowhere" / "agenda.yaml"
    out = tmp_path / "out"
    assert main(["report", "--db", url, "--out", str(out), "--agenda", str(missing)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(missing) in err
    assert _first_header(out) == "Trainee"


def test_csat_report_takes_the_workshop_folders_agenda(url, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "day"
    (folder / "app").mkdir(parents=True)
    (folder / workshop.MARKER).write_text("", encoding="utf-8")
    monkeypatch.setenv("CSAT_DB_URL", url)
    assert workshop.main(["report", "--dir", str(folder)]) == 0  # no agenda yet: English
    assert _first_header(folder / "results") == "Trainee"
    _agenda(folder / "app" / "agenda.yaml")
    assert workshop.main(["report", "--dir", str(folder)]) == 0
    assert _first_header(folder / "results") == "学员"
    assert workshop.main(["report", "--dir", str(folder), "--lang", "en"]) == 0
    assert _first_header(folder / "results") == "Trainee"
    assert "warning" not in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# The figures


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text).rstrip("…")


@pytest.mark.parametrize("lang", i18n.codes())
def test_the_figures_name_exercises_by_their_titles(url, lang):
    with Store(url) as store, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        drawn = style.figure_lang(lang)  # English where no Chinese font exists
        scores = results.plot_scores(store, lang=lang)
        choices = results.plot_choices(store, HOTPOT, lang=lang)
    labels = [_bare(t.get_text()) for t in scores.axes[0].get_yticklabels()]
    titles = [_bare(load(sid).title(drawn)) for sid in (HOTEL, HOTPOT)]
    assert len(labels) == 2
    for label in labels:
        assert any(t.startswith(label) for t in titles), label
        assert label not in (HOTEL, HOTPOT)
    assert _bare(load(HOTPOT).title(drawn)) in _bare(choices.axes[0].get_title())
    heading = scores._suptitle.get_text()
    assert any(t[:8] in _bare(heading) for t in titles) and HOTEL not in heading
    assert HOTPOT not in heading
