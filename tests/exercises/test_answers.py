"""The answer keys are written from the scenario files, and the shipped copies are current."""

from __future__ import annotations

from pathlib import Path

import pytest

import csat
from csat import i18n
from csat.exercises import answers, capstone_key
from csat.exercises import quiz as quiz_mod
from csat.exercises.engine import score_path
from csat.exercises.scenario import library, load

GUIDE = Path(csat.__file__).parent / "guide"


@pytest.mark.parametrize("sid", library())
def test_a_key_names_every_reply_and_the_share_of_passing_paths(sid):
    s = load(sid)
    text = answers.key(s, "en")
    for node in s.nodes.values():
        for c in node.choices:
            assert f"*{c.id}*" in text
            assert " ".join(c.feedback("en").split()) in text
    best = [line for line in text.splitlines() if line[:1].isdigit() and ". *" in line]
    assert [line.split("*")[1] for line in best] == [c for _, c in s.best_path()]
    paths = list(s.paths())
    share = sum(score_path(s, p).passed for p, _ in paths) / len(paths)
    assert f"{len(paths)} ways through, {share:.0%} of them pass" in text


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_shipped_answer_keys_match_the_scenarios(lang):
    """The role-play and quiz part, exactly; the capstone part after it has its own tests
    (``test_capstone_key.py``), as playing the game for it takes a while."""
    shipped = (GUIDE / f"answer-keys.{lang}.md").read_text(encoding="utf-8")
    quizzes = [quiz_mod.load(q) for q in quiz_mod.library()]
    capstone = f"\n# {capstone_key.WORDS[lang]['title']}\n"
    assert shipped.count(capstone) == 1, f"answer-keys.{lang}.md has no capstone part"
    assert shipped[: shipped.index(capstone)] == answers.keys(
        [load(s) for s in library()], lang, quizzes
    ), (
        f"csat/guide/answer-keys.{lang}.md is out of date: "
        f"python -m csat exercises answers --lang {lang} --out csat/guide/answer-keys.{lang}.md"
    )


def test_a_quiz_key_gives_the_right_options_in_words():
    q = quiz_mod.load("servqual-quiz")
    text = answers.quiz_key(q, "zh")
    for question in q.questions:
        right = [o for o in question.options if o.correct]
        assert right and all(" ".join(o.text("zh").split()) in text for o in right)
        assert " ".join(question.explanation("zh").split()) in text
