"""Playing a scenario: the session, its score, and which attempt counts.

A :class:`Session` is pure logic — no widgets — so a widget, the terminal player and the tests
all drive the same object. When given a store, it writes every decision the moment it is made,
and :meth:`Session.resume` picks an unfinished attempt up after a kernel restart.

>>> from csat.exercises.scenario import load
>>> s = Session(load("hotpot-queue"), seed=1)
>>> s.node, s.finished
('at-the-stand', False)
>>> for node, choice in s.scenario.best_path():
...     _ = s.choose(choice)
>>> s.finished, s.score().total
(True, 100.0)
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from csat import i18n
from csat.exercises import rubric
from csat.exercises.scenario import Choice, Ending, Scenario

POLICIES = ("best", "first", "last")
"""Which attempt counts for the gradebook when a trainee plays a scenario more than once."""

DEFAULT_POLICY = "first"
"""The attempt that counts unless the trainer says otherwise: the first, as for an assessment
(a trainee who replays until the model path shows 100 has learnt the path, not the judgement).
For a day of practice the trainer can count the ``best``."""


class StaleChoice(RuntimeError):
    """A reply given for a step the conversation has already left (e.g. a double-click)."""


@dataclass(frozen=True)
class Step:
    """What happened when the trainee chose a reply."""

    node: str
    choice: Choice
    mood_before: int
    mood_after: int
    next: str


@dataclass(frozen=True)
class Score:
    """A path's score: 0 is the worst path the graph allows, 100 the best.

    ``dimensions`` holds one score per rubric dimension the scenario assesses (None for a
    dimension no reply in it touches); ``raw`` the summed points.
    """

    total: float
    dimensions: dict[str, float | None]
    raw: dict[str, int]
    passed: bool
    threshold: int
    ending: str | None
    path: list[tuple[str, str]] = field(default_factory=list)
    best_path: list[tuple[str, str]] = field(default_factory=list)

    def as_framework(self, framework: str) -> dict[str, float | None]:
        """The dimension scores read as HEARD, LATTE, LAST, SERVQUAL or the deck's steps."""
        return rubric.translate(self.dimensions, framework)


def _scale(value: float, worst: float, best: float) -> float | None:
    if best == worst:
        return None
    return round(100.0 * (value - worst) / (best - worst), 1)


def score_path(scenario: Scenario, path: Sequence[tuple[str, str]]) -> Score:
    """Score any path (a list of ``(node, choice_id)``) through ``scenario``."""
    raw = dict.fromkeys(rubric.DIMENSIONS, 0)
    ending = None
    for node, choice_id in path:
        c = scenario.choice(node, choice_id)
        for key, pts in c.points.items():
            raw[key] += pts
        if scenario.is_ending(c.next):
            ending = c.next
    total = _scale(sum(raw.values()), scenario.worst_total, scenario.best_total)
    dims = {k: _scale(raw[k], *scenario.dimension_range(k)) for k in rubric.DIMENSIONS}
    return Score(
        total=total if total is not None else 0.0,
        dimensions=dims,
        raw=raw,
        passed=ending is not None and total is not None and total >= scenario.pass_threshold,
        threshold=scenario.pass_threshold,
        ending=ending,
        path=list(path),
        best_path=scenario.best_path(),
    )


class Session:
    """One trainee's way through one scenario.

    Parameters
    ----------
    scenario : a loaded :class:`~csat.exercises.scenario.Scenario`.
    seed : shuffles the order the replies are shown in, so the best reply is not always first;
        the same seed shows the same order, so a trainer can reproduce a run.
    store, trainee_id : when both are given, the attempt and every decision are saved as made.
    lang : a code of :data:`csat.i18n.LANGUAGES`, recorded with the attempt.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        store=None,
        trainee_id: str | None = None,
        lang: str = i18n.DEFAULT,
        _attempt_id: int | None = None,
    ):
        i18n.check(lang, where="Session: lang")
        if (store is None) != (trainee_id is None):
            raise ValueError("Session needs both store and trainee_id to save, or neither")
        self.scenario = scenario
        self.seed = int(seed) if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        self.lang = lang
        self.store = store
        self.trainee_id = trainee_id
        self.node = scenario.start
        self.mood = scenario.mood
        self.steps: list[Step] = []
        self.ending: str | None = None
        self._clock = time.monotonic()
        self.attempt_id = _attempt_id
        if store is not None and _attempt_id is None:
            self.attempt_id = store.start_attempt(
                trainee_id,
                kind="scenario",
                exercise_id=scenario.id,
                exercise_version=scenario.version,
                seed=self.seed,
                lang=lang,
            )

    # -- what the trainee sees -------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.ending is not None

    @property
    def line(self):
        """The customer's current line (a Text; call it with a language)."""
        return self.scenario.nodes[self.node].customer

    @property
    def choices(self) -> list[Choice]:
        """The replies on offer, in this session's shuffled order (empty when finished)."""
        if self.finished:
            return []
        choices = list(self.scenario.nodes[self.node].choices)
        salt = zlib.crc32(self.node.encode())
        order = np.random.default_rng([self.seed, salt]).permutation(len(choices))
        return [choices[i] for i in order]

    @property
    def path(self) -> list[tuple[str, str]]:
        return [(s.node, s.choice.id) for s in self.steps]

    @property
    def ending_info(self) -> Ending | None:
        return self.scenario.endings[self.ending] if self.ending else None

    # -- acting --------------------------------------------------------------------------
    def choose(self, choice_id: str, *, at: str | None = None) -> Step:
        """Take the reply ``choice_id`` at the current node; save it when a store is attached.

        ``at`` names the node the reply answers (the step the trainee saw it at). A reply for
        another node — a second click that arrives after the conversation moved on — raises
        :class:`StaleChoice` and changes nothing.
        """
        if at is not None and (self.finished or at != self.node):
            raise StaleChoice(
                f"{self.scenario.id}: reply {choice_id!r} answers node {at!r}, but the "
                f"conversation is {'over' if self.finished else f'at {self.node!r}'}"
            )
        if self.finished:
            raise RuntimeError(
                f"{self.scenario.id}: the conversation has ended ({self.ending}); "
                "start a new attempt with replay()"
            )
        c = self.scenario.choice(self.node, choice_id)
        now = time.monotonic()
        elapsed, self._clock = now - self._clock, now
        after = int(min(100, max(0, self.mood + c.mood)))
        step = Step(self.node, c, self.mood, after, c.next)
        if self.store is not None:
            # The last decision and the finish are one transaction: a page never shows an
            # ending and a score the store does not hold.
            finish = None
            if self.scenario.is_ending(c.next):
                finish = self._finish_values(
                    score_path(self.scenario, [*self.path, (step.node, c.id)])
                )
            self.store.record_decision(
                self.attempt_id,
                seq=len(self.steps),
                node=self.node,
                choice=c.id,
                points=dict(c.points),
                mood=after,
                elapsed_s=round(elapsed, 3),
                finish=finish,
            )
        self._apply(step)
        return step

    def _finish_values(self, s: Score) -> dict:
        return {
            "ending": s.ending,
            "scores": {k: v for k, v in s.dimensions.items() if v is not None},
            "total": s.total,
            "passed": s.passed,
        }

    def _apply(self, step: Step) -> None:
        self.steps.append(step)
        self.mood = step.mood_after
        if self.scenario.is_ending(step.next):
            self.ending = step.next
        else:
            self.node = step.next

    def score(self) -> Score:
        """The score so far (final once :attr:`finished`)."""
        return score_path(self.scenario, self.path)

    def replay(self, *, seed: int | None = None) -> Session:
        """A fresh attempt at the same scenario (a new attempt in the store)."""
        return Session(
            self.scenario,
            seed=self.seed + 1 if seed is None else seed,
            store=self.store,
            trainee_id=self.trainee_id,
            lang=self.lang,
        )

    @classmethod
    def resume(
        cls, scenario: Scenario, store, trainee_id: str, *, finished: bool = False
    ) -> Session | None:
        """The trainee's unfinished attempt at ``scenario``, replayed from the store, or None.

        With ``finished=True``, the latest attempt whether finished or not: a finished one
        comes back as a finished session, to show how it ended (:meth:`replay` starts anew).
        Decisions recorded for another version of the scenario cannot be replayed: that
        attempt is left as it is and None is returned.
        """
        if finished:
            attempt = store.latest_attempt(trainee_id, scenario.id)
        else:
            attempt = store.open_attempt(trainee_id, scenario.id)
        if attempt is None or attempt.exercise_version != scenario.version:
            return None
        session = cls(
            scenario,
            seed=attempt.seed,
            store=store,
            trainee_id=trainee_id,
            lang=attempt.lang,
            _attempt_id=attempt.id,
        )
        for d in store.decisions(attempt.id):
            c = scenario.choice(session.node, d.choice)
            after = int(min(100, max(0, session.mood + c.mood)))
            session._apply(Step(session.node, c, session.mood, after, c.next))
        if session.finished and not attempt.finished:
            # The last decision reached an ending but the finish was never saved (a store
            # written before both were one transaction): finish it now, so the gradebook
            # counts the attempt the page shows as ended.
            store.finish_attempt(attempt.id, **session._finish_values(session.score()))
        return session

    def __repr__(self) -> str:
        state = f"ended at {self.ending}" if self.finished else f"at {self.node}"
        return f"Session({self.scenario.id!r}, seed={self.seed}, {state}, mood={self.mood})"


def counted_score(totals: Iterable[float | None], policy: str = DEFAULT_POLICY) -> float | None:
    """The score that counts from a trainee's attempts (in the order they were made).

    >>> counted_score([40, 85, 70], "best"), counted_score([40, 85, 70], "first")
    (85, 40)
    >>> counted_score([40, 85, 70], "last")
    70
    """
    if policy not in POLICIES:
        raise ValueError(f"attempt policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    values = [t for t in totals if t is not None]
    if not values:
        return None
    return {"best": max(values), "first": values[0], "last": values[-1]}[policy]


def model_answer(scenario: Scenario, node: str) -> Choice:
    """The reply to hold up as the model at ``node``.

    On the best path it is the best path's reply. Elsewhere it is the reply worth the most
    points at this node, ties going to the one with the best way on from there: a poor reply
    that leads back into a longer conversation can open up more points in total, and that
    should not make it the model answer.

    >>> from csat.exercises.scenario import load
    >>> s = load("hotpot-queue")
    >>> all(model_answer(s, node).id == choice for node, choice in s.best_path())
    True
    """
    on_best = dict(scenario.best_path())
    if node in on_best:
        return scenario.choice(node, on_best[node])
    memo: dict[str, float] = {}

    def best_on(key: str) -> float:
        if scenario.is_ending(key):
            return 0.0
        if key not in memo:
            memo[key] = max(
                sum(c.points.values()) + best_on(c.next) for c in scenario.nodes[key].choices
            )
        return memo[key]

    choices = scenario.nodes[node].choices
    ranked = sorted(
        range(len(choices)),
        key=lambda i: (-sum(choices[i].points.values()), -best_on(choices[i].next), i),
    )
    return choices[ranked[0]]
