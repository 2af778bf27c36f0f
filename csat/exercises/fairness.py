"""Does a reply's surface give the answer away?

A role-play or a quiz measures judgement only if no surface feature of a reply predicts its
score: a trainee who always picks the longest, the first, the most apologetic or the politest
reply should fail. This module plays those shortcut policies through every scenario and quiz,
and measures how often the best reply is also the longest. The library test holds the course's
exercises to it; ``csat exercises fairness FILE`` shows an author the same figures.

>>> from csat.exercises.scenario import load
>>> s = load("hotpot-queue")
>>> sorted(POLICIES) == sorted(SHORTCUTS)
True
>>> play(s, "longest", "en").passed
False
"""

from __future__ import annotations

import re
import statistics
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from csat import i18n
from csat.exercises.engine import Score, Session, model_answer, score_path
from csat.exercises.quiz import Quiz
from csat.exercises.scenario import Scenario
from csat.i18n import Namespace

MARKS = Namespace("fairness_words")
"""Surface marks per language (``apology``, ``politeness``: texts of comma-separated marks),
from the catalogues: a new language brings its own lists in its catalogue file."""


def _marks(kind: str, lang: str) -> tuple[str, ...]:
    """The ``kind`` marks of ``lang``, lowercase: ``_marks("apology", "en")[0] == "sorry"``."""
    return tuple(m.strip().lower() for m in MARKS[lang][kind].split(",") if m.strip())


def _count(text: str, words: Sequence[str]) -> int:
    low = text.lower()
    return sum(low.count(w) for w in words)


def _length(text: str) -> int:
    """Characters a reader reads: letters, digits and CJK ideographs, not spaces or marks."""
    return sum(ch.isalnum() for ch in text)


# A shortcut scores each reply on its surface; the highest-scoring reply is taken, ties going to
# the one listed first (so a tie can never help the policy by looking ahead).
Surface = Callable[[str, str, int], float]
SHORTCUTS: dict[str, Surface] = {
    "longest": lambda text, lang, i: _length(text),
    "shortest": lambda text, lang, i: -_length(text),
    "first listed": lambda text, lang, i: -i,
    "last listed": lambda text, lang, i: i,
    "most apologies": lambda text, lang, i: _count(text, _marks("apology", lang)),
    "most polite": lambda text, lang, i: _count(text, _marks("politeness", lang)),
    "most numbers": lambda text, lang, i: len(re.findall(r"\d+", text)),
    "most questions": lambda text, lang, i: text.count("?") + text.count("？"),
}
POLICIES = tuple(SHORTCUTS)


def _pick(texts: Sequence[str], policy: str, lang: str) -> int:
    surface = SHORTCUTS[policy]
    marks = [surface(t, lang, i) for i, t in enumerate(texts)]
    return max(range(len(texts)), key=lambda i: (marks[i], -i))


def play(scenario: Scenario, policy: str, lang: str) -> Score:
    """Play ``scenario`` always taking the reply ``policy`` prefers in ``lang``; the score."""
    node, path = scenario.start, []
    while not scenario.is_ending(node):
        choices = scenario.nodes[node].choices
        c = choices[_pick([c.text(lang) for c in choices], policy, lang)]
        path.append((node, c.id))
        node = c.next
    return score_path(scenario, path)


def play_shown_first(scenario: Scenario, seed: int) -> Score:
    """Always take the reply shown first, in the order a session with ``seed`` shows them."""
    s = Session(scenario, seed=seed)
    while not s.finished:
        s.choose(s.choices[0].id)
    return s.score()


@dataclass(frozen=True)
class Lengths:
    """How the best reply's length compares with the others' at the decision points."""

    points: int
    best_longest: int
    chance: float
    ratio: float
    """Median over decision points of (best reply's length / mean length of the others)."""

    @property
    def share(self) -> float:
        return self.best_longest / self.points if self.points else 0.0


def lengths(scenarios: Sequence[Scenario], lang: str) -> Lengths:
    """At every node of ``scenarios``: is the model answer the longest reply (ties count)?"""
    points, longest, chance, ratios = 0, 0, 0.0, []
    for s in scenarios:
        for key, node in s.nodes.items():
            best = model_answer(s, key)
            size = {c.id: _length(c.text(lang)) for c in node.choices}
            others = [v for k, v in size.items() if k != best.id]
            points += 1
            longest += size[best.id] >= max(others)
            chance += 1 / len(node.choices)
            ratios.append(size[best.id] / statistics.fmean(others))
    return Lengths(points, longest, chance / max(points, 1), statistics.median(ratios))


def quiz_lengths(quizzes: Sequence[Quiz], lang: str) -> Lengths:
    """The same for single-answer quiz questions: is the right option the longest?"""
    points, longest, chance, ratios = 0, 0, 0.0, []
    for q in (q for quiz in quizzes for q in quiz.questions if q.kind == "single"):
        size = {o.id: _length(o.text(lang)) for o in q.options}
        right = q.correct_ids()[0]
        others = [v for k, v in size.items() if k != right]
        points += 1
        longest += size[right] >= max(others)
        chance += 1 / len(q.options)
        ratios.append(size[right] / statistics.fmean(others))
    return Lengths(points, longest, chance / max(points, 1), statistics.median(ratios))


def quiz_play(quiz: Quiz, policy: str, lang: str) -> float:
    """The quiz score (0–100) of always ticking the one option ``policy`` prefers."""
    right = 0
    for q in quiz.questions:
        i = _pick([o.text(lang) for o in q.options], policy, lang)
        right += q.correct_ids() == [q.options[i].id]
    return round(100.0 * right / len(quiz.questions), 1)


def random_pass_rate(scenario: Scenario, *, draws: int = 2000, seed: int = 0) -> float:
    """The share of uniformly random walks through ``scenario`` that pass: what guessing earns."""
    rng = np.random.default_rng([seed, zlib.crc32(scenario.id.encode())])
    passed = 0
    for _ in range(draws):
        node, path = scenario.start, []
        while not scenario.is_ending(node):
            choices = scenario.nodes[node].choices
            c = choices[int(rng.integers(len(choices)))]
            path.append((node, c.id))
            node = c.next
        passed += score_path(scenario, path).passed
    return passed / draws


def report(scenarios: Sequence[Scenario], langs: Sequence[str] = i18n.LANGUAGES) -> list[dict]:
    """One row per scenario and language: each shortcut's score, the length figures."""
    rows = []
    for s in scenarios:
        for lang in langs:
            row: dict = {"scenario": s.id, "lang": lang}
            for policy in POLICIES:
                row[policy] = play(s, policy, lang).total
            fig = lengths([s], lang)
            row.update(
                best_longest=f"{fig.best_longest}/{fig.points}",
                chance=round(fig.chance * fig.points, 1),
                ratio=round(fig.ratio, 2),
                threshold=s.pass_threshold,
            )
            rows.append(row)
    return rows
