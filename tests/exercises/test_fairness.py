"""The course's role-plays and quizzes cannot be passed by reading the replies' surface.

A trainee who always takes the longest, shortest, first, last, most apologetic, politest, most
specific-looking or most questioning reply must fail; the best reply must be the longest no more
often than chance allows (plus ten points); and what the trainee reads after a reply speaks in
plain words, the course's codes and citations left to the trainer's notes.
"""

from __future__ import annotations

import math
import re

import pytest

from csat import i18n
from csat.exercises import fairness
from csat.exercises import quiz as quiz_mod
from csat.exercises.scenario import library, load

LIBRARY = library()
QUIZZES = quiz_mod.library()
LANGS = i18n.LANGUAGES


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("sid", LIBRARY)
def test_no_shortcut_passes_a_scenario(sid, lang):
    s = load(sid)
    passing = {
        p: fairness.play(s, p, lang).total
        for p in fairness.POLICIES
        if fairness.play(s, p, lang).passed
    }
    assert not passing, f"{sid} ({lang}): shortcut policies pass with {passing}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_shortcut_passes_more_than_one_scenario(lang):
    scenarios = [load(sid) for sid in LIBRARY]
    for policy in fairness.POLICIES:
        passed = [s.id for s in scenarios if fairness.play(s, policy, lang).passed]
        assert len(passed) <= 1, f"{policy!r} ({lang}) passes {passed}"
    for seed in range(5):
        passed = [s.id for s in scenarios if fairness.play_shown_first(s, seed).passed]
        assert len(passed) <= 1, f"'first shown' (seed {seed}) passes {passed}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("sid", LIBRARY)
def test_the_best_reply_is_not_the_longest_in_one_scenario(sid, lang):
    fig = fairness.lengths([load(sid)], lang)
    allowed = math.ceil(fig.points * (fig.chance + 0.10))
    assert fig.best_longest <= allowed, (
        f"{sid} ({lang}): the best reply is the longest at {fig.best_longest} of {fig.points} "
        f"decision points; chance + 10 points allows {allowed}"
    )
    assert 0.8 <= fig.ratio <= 1.25, f"{sid} ({lang}): best/other length ratio {fig.ratio:.2f}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_best_reply_is_the_longest_no_more_than_chance_allows(lang):
    fig = fairness.lengths([load(sid) for sid in LIBRARY], lang)
    assert fig.share <= fig.chance + 0.10, (
        f"{lang}: best reply longest at {fig.best_longest}/{fig.points} "
        f"({fig.share:.0%}); chance is {fig.chance:.0%}"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_right_quiz_option_is_the_longest_no_more_than_chance_allows(lang):
    fig = fairness.quiz_lengths([quiz_mod.load(q) for q in QUIZZES], lang)
    assert fig.share <= fig.chance + 0.10, (
        f"{lang}: the right option is the longest at {fig.best_longest}/{fig.points} "
        f"single-answer questions ({fig.share:.0%}); chance is {fig.chance:.0%}"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_no_shortcut_passes_more_than_one_quiz(lang):
    quizzes = [quiz_mod.load(q) for q in QUIZZES]
    for policy in fairness.POLICIES:
        passed = [q.id for q in quizzes if fairness.quiz_play(q, policy, lang) >= q.pass_threshold]
        assert len(passed) <= 1, f"{policy!r} ({lang}) passes the quizzes {passed}"


def test_the_policies_can_fail_a_scenario_built_to_be_gamed():
    """The checks above can fail: a scenario whose best reply is always the longest is caught."""
    s = load("hotpot-queue")
    nodes = {}
    for key, node in s.nodes.items():
        best = fairness.model_answer(s, key)
        choices = []
        for c in node.choices:
            pad = " and I mean it sincerely" * 6 if c.id == best.id else ""
            text = {lang: c.text(lang) + pad for lang in LANGS}
            choices.append(c.model_copy(update={"text": type(c.text)(text)}))
        nodes[key] = node.model_copy(update={"choices": choices})
    gamed = s.model_copy(update={"nodes": nodes})
    assert fairness.play(gamed, "longest", "en").passed
    assert fairness.lengths([gamed], "en").share == 1.0


# Course codes (C2, S6、S7, "C6：") and citations (de Matos et al. 2007, 等，2007) belong in a
# trainer_note, not in what the trainee reads.
CODE = re.compile(r"(?<![A-Za-z0-9])[CS]\d{1,2}(?![0-9A-Za-z])")
CITATION = re.compile(
    r"et al\.?|等[，,]\s*\d{4}|[A-Z][a-z]+,? (19|20)\d{2}\)|[（(][^）)]*(19|20)\d{2}[）)]"
)


def _trainee_texts(s):
    yield "title", s.title
    yield "context", s.context
    for key, node in s.nodes.items():
        yield f"nodes.{key}.customer", node.customer
        for c in node.choices:
            yield f"nodes.{key}.{c.id}.text", c.text
            yield f"nodes.{key}.{c.id}.feedback", c.feedback
    for key, e in s.endings.items():
        yield f"endings.{key}.title", e.title
        yield f"endings.{key}.debrief", e.debrief


@pytest.mark.parametrize("sid", LIBRARY)
def test_coach_notes_speak_plain_words(sid):
    s = load(sid)
    found = [
        f"{where} ({lang}): {m.group(0)!r}"
        for where, text in _trainee_texts(s)
        for lang in LANGS
        for m in (CODE.search(text(lang)) or CITATION.search(text(lang)),)
        if m
    ]
    assert not found, f"{sid}: move these to trainer_note:\n" + "\n".join(found)


@pytest.mark.parametrize("qid", QUIZZES)
def test_quiz_texts_carry_no_course_codes(qid):
    q = quiz_mod.load(qid)
    found = [
        f"{question.id} ({lang}): {m.group(0)!r}"
        for question in q.questions
        for text in (question.prompt, question.explanation, *(o.text for o in question.options))
        for lang in LANGS
        for m in (CODE.search(text(lang)),)
        if m
    ]
    assert not found, f"{qid}: move these to trainer_note:\n" + "\n".join(found)
