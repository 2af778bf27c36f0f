"""Knowledge-check quizzes: single and multiple choice, in every language of the course.

Answers go to the same store as role-plays (``kind='quiz'``; one decision per question, the
chosen option ids joined by commas, one point when exactly right).

>>> q = load("servqual-quiz")
>>> s = QuizSession(q)
>>> first = q.questions[0]
>>> s.answer(first.id, first.correct_ids()).correct
True
"""

from __future__ import annotations

import functools
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pydantic
from pydantic import Field

from csat import i18n
from csat.exercises import _load
from csat.exercises._load import (
    ExerciseFileError,
    Library,
    field_lines,
    field_names,
    pydantic_problems,
    read_yaml,
    with_lines,
)
from csat.exercises.scenario import Slug, Text, _Model

QUIZ_DIR = Path(__file__).parent / "quizzes"


class QuizError(ExerciseFileError):
    """A quiz file with problems; ``problems`` lists every one."""


class Option(_Model):
    id: Slug
    text: Text
    correct: bool = False


class Question(_Model):
    id: Slug
    kind: Literal["single", "multiple"]
    prompt: Text
    options: Annotated[list[Option], Field(min_length=2, max_length=8)]
    explanation: Text
    trainer_note: Text | None = None
    """For the trainer only (report, answer key): the module and the source behind the answer."""

    def correct_ids(self) -> list[str]:
        return [o.id for o in self.options if o.correct]


class Quiz(_Model):
    id: Slug
    version: Annotated[int, Field(ge=1)]
    title: Text
    pass_threshold: Annotated[int, Field(ge=0, le=100)] = 60
    questions: Annotated[list[Question], Field(min_length=1)]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"{self.id}: no question {question_id!r}")


def _semantic_problems(name: str, data: dict) -> list[str]:
    out = []
    questions = data.get("questions")
    if not isinstance(questions, list):
        return out
    seen = set()
    for i, q in enumerate(questions):
        if not isinstance(q, dict):
            continue
        if q.get("id") in seen:
            out.append(
                f"{name}: questions[{i}].id: expected a unique id, got {q.get('id')!r} twice"
            )
        seen.add(q.get("id"))
        options = q.get("options") if isinstance(q.get("options"), list) else []
        n_right = sum(1 for o in options if isinstance(o, dict) and o.get("correct") is True)
        ids = [o.get("id") for o in options if isinstance(o, dict)]
        if len(set(ids)) != len(ids):
            out.append(f"{name}: questions[{i}].options: expected unique option ids, got {ids}")
        if q.get("kind") == "single" and n_right != 1:
            out.append(
                f"{name}: questions[{i}].options: expected exactly one correct option for a "
                f"single-choice question, got {n_right}"
            )
        if q.get("kind") == "multiple" and n_right < 1:
            out.append(
                f"{name}: questions[{i}].options: expected at least one correct option, got 0"
            )
    return out


def check(ref: str | Path) -> tuple[Quiz | None, list[str]]:
    """Validate one quiz; return ``(quiz or None, every problem found)``."""
    path = resolve(ref)
    data, problems = read_yaml(path, "quiz")
    if data is None:
        return None, problems
    quiz = None
    try:
        quiz = Quiz.model_validate(data)
    except pydantic.ValidationError as err:
        problems += pydantic_problems(path.name, err, field_names(Quiz))
    problems += _semantic_problems(path.name, data)
    if isinstance(data.get("id"), str) and data["id"] != path.stem:
        problems.append(
            f"{path.name}: id: expected the file's name {path.stem!r}, got {data['id']!r}"
        )
    problems = with_lines(path.name, problems, field_lines(path)) if problems else problems
    return (quiz if not problems else None), problems


def resolve(ref: str | Path) -> Path:
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return QUIZ_DIR / f"{ref}.yaml"


@functools.lru_cache(maxsize=32)
def _checked(path: Path, mtime: float) -> tuple[Quiz | None, tuple[str, ...]]:
    quiz, problems = check(path)  # a broken file's problems are kept too
    return quiz, tuple(problems)


def load(ref: str | Path) -> Quiz:
    """Load and validate a quiz by id or path; raise :class:`QuizError` listing every problem."""
    path = resolve(ref)
    mtime = path.stat().st_mtime if path.is_file() else -1.0
    quiz, problems = _checked(path.resolve() if path.exists() else path, mtime)
    if problems:
        raise QuizError(problems)
    return quiz


def library() -> list[str]:
    return sorted(p.stem for p in QUIZ_DIR.glob("*.yaml"))


def survey() -> Library:
    """Every quiz of the library loaded: ``.good`` (id → Quiz) and ``.broken`` (id → its
    problems), so a broken file leaves the others listed and is named for the trainer."""
    return _load.survey(library(), load)


@dataclass(frozen=True)
class Answer:
    question: Question
    chosen: tuple[str, ...]
    correct: bool


class QuizSession:
    """One trainee taking one quiz; answers are saved as given when a store is attached."""

    def __init__(
        self,
        quiz: Quiz,
        *,
        store=None,
        trainee_id=None,
        lang=i18n.DEFAULT,
        seed: int | None = None,
        _attempt_id: int | None = None,
    ):
        i18n.check(lang, where="QuizSession: lang")
        if (store is None) != (trainee_id is None):
            raise ValueError("QuizSession needs both store and trainee_id to save, or neither")
        self.quiz, self.store, self.trainee_id, self.lang = quiz, store, trainee_id, lang
        # The order the options are shown in: drawn per attempt, kept with it.
        self.seed = int(seed) if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        self.answers: dict[str, Answer] = {}
        self._clock = time.monotonic()
        self.attempt_id = _attempt_id
        if store is not None and _attempt_id is None:
            self.attempt_id = store.start_attempt(
                trainee_id,
                kind="quiz",
                exercise_id=quiz.id,
                exercise_version=quiz.version,
                seed=self.seed,
                lang=lang,
            )

    def options(self, question: Question) -> list[Option]:
        """The options of ``question`` in this attempt's order (the same on every reload)."""
        salt = zlib.crc32(question.id.encode())
        order = np.random.default_rng([self.seed, salt]).permutation(len(question.options))
        return [question.options[i] for i in order]

    @property
    def next_question(self) -> Question | None:
        """The first question not answered yet (None when finished)."""
        return next((q for q in self.quiz.questions if q.id not in self.answers), None)

    @classmethod
    def resume(cls, quiz: Quiz, store, trainee_id: str) -> QuizSession | None:
        """The trainee's unfinished attempt at ``quiz``, with its answers and its option order,
        or None (none open, or one made for another version of the quiz)."""
        attempt = store.open_attempt(trainee_id, quiz.id)
        if attempt is None or attempt.exercise_version != quiz.version:
            return None
        session = cls(
            quiz,
            store=store,
            trainee_id=trainee_id,
            lang=attempt.lang,
            seed=attempt.seed,
            _attempt_id=attempt.id,
        )
        for d in store.decisions(attempt.id):
            q = quiz.question(d.node)
            chosen = tuple(sorted(c for c in d.choice.split(",") if c))
            session.answers[q.id] = Answer(q, chosen, set(chosen) == set(q.correct_ids()))
        if session.finished:  # every answer saved but not the finish (older stores): finish
            store.finish_attempt(attempt.id, **session._finish_values(session.answers))
        return session

    @property
    def finished(self) -> bool:
        return len(self.answers) == len(self.quiz.questions)

    def answer(self, question_id: str, chosen) -> Answer:
        """Answer one question with an option id or a list of them."""
        q = self.quiz.question(question_id)
        if question_id in self.answers:
            raise RuntimeError(f"{self.quiz.id}: question {question_id!r} is already answered")
        chosen = (chosen,) if isinstance(chosen, str) else tuple(chosen)
        valid = {o.id for o in q.options}
        bad = [c for c in chosen if c not in valid]
        if bad or not chosen or (q.kind == "single" and len(chosen) != 1):
            raise ValueError(
                f"{self.quiz.id}: question {question_id!r} takes "
                f"{'one option' if q.kind == 'single' else 'one or more options'} "
                f"from {sorted(valid)}, got {list(chosen)}"
            )
        ok = set(chosen) == set(q.correct_ids())
        now = time.monotonic()
        a = Answer(q, tuple(sorted(chosen)), ok)
        if self.store is not None:
            # The last answer and the finish are one transaction: the score shown is stored.
            after = {**self.answers, q.id: a}
            last = len(after) == len(self.quiz.questions)
            self.store.record_decision(
                self.attempt_id,
                seq=len(self.answers),
                node=q.id,
                choice=",".join(sorted(chosen)),
                points={"correct": int(ok)},
                mood=None,
                elapsed_s=round(now - self._clock, 3),
                finish=self._finish_values(after) if last else None,
            )
        self._clock = now
        self.answers[q.id] = a
        return a

    def _finish_values(self, answers: dict[str, Answer]) -> dict:
        score = _percent(answers, self.quiz)
        return {
            "ending": "done",
            "scores": {"correct": score},
            "total": score,
            "passed": score >= self.quiz.pass_threshold,
        }

    def score(self) -> float:
        """Percentage of questions answered exactly right so far, out of all questions."""
        return _percent(self.answers, self.quiz)

    @property
    def passed(self) -> bool:
        return self.finished and self.score() >= self.quiz.pass_threshold


def _percent(answers: dict[str, Answer], quiz: Quiz) -> float:
    """Percentage of questions answered exactly right, out of all of ``quiz``'s questions."""
    right = sum(a.correct for a in answers.values())
    return round(100.0 * right / len(quiz.questions), 1)
