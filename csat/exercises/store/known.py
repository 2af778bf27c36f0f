"""What an imported result may refer to: the steps, replies and endings of the course's own
scenarios and quizzes.

An imported decision for a scenario or quiz of the library, at the version the library holds,
must name one of its steps and replies and carry that reply's points, as a session would have
written it; a finished attempt must name one of its endings. Results for an exercise the
library does not hold (a trainer's own file, an older version) keep the range checks only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """The steps of one exercise: step id → reply id → points, and its endings."""

    steps: Mapping[str, Mapping[str, Mapping[str, int]]]
    endings: frozenset[str]
    quiz: bool = False  # a quiz: a decision's choice is its options joined by commas
    multiple: frozenset[str] = frozenset()  # quiz questions that take several options


@functools.cache
def exercise(kind: str, exercise_id: str, version: int) -> Exercise | None:
    """The library's exercise ``exercise_id`` at ``version``, or None when there is none."""
    # Imported here: the store is usable (and importable) without loading the library.
    if kind == "scenario":
        from csat.exercises import scenario as module
    elif kind == "quiz":
        from csat.exercises import quiz as module
    else:
        return None
    if exercise_id not in module.library():
        return None
    try:
        item = module.load(exercise_id)
    except ValueError:  # a broken file in the library: nothing to check against
        return None
    if item.version != version:
        return None
    if kind == "scenario":
        steps = {
            key: {c.id: dict(c.points) for c in node.choices} for key, node in item.nodes.items()
        }
        return Exercise(steps=steps, endings=frozenset(item.endings))
    steps = {q.id: {o.id: {} for o in q.options} for q in item.questions}
    multiple = frozenset(q.id for q in item.questions if q.kind == "multiple")
    return Exercise(steps=steps, endings=frozenset({"done"}), quiz=True, multiple=multiple)


def decision_problem(known: Exercise, node: str, choice: str, points: Mapping) -> str | None:
    """Why this decision cannot have been made in ``known`` (a located phrase), or None."""
    replies = known.steps.get(node)
    if replies is None:
        return f"node: expected a step of the exercise, got {node!r}"
    if known.quiz:
        picked = choice.split(",")
        if not picked or any(p not in replies for p in picked) or len(set(picked)) < len(picked):
            return f"choice: expected options from {sorted(replies)}, got {choice!r}"
        if node not in known.multiple and len(picked) != 1:
            return f"choice: expected one option from {sorted(replies)}, got {choice!r}"
        if set(points) - {"correct"} or points.get("correct", 0) not in (0, 1):
            return f"points: expected {{'correct': 0 or 1}}, got {dict(points)!r}"
        return None
    if choice not in replies:
        return f"choice: expected a reply of step {node!r} {sorted(replies)}, got {choice!r}"
    if dict(points) != dict(replies[choice]):
        return (
            f"points: expected the points of reply {choice!r} {dict(replies[choice])!r}, "
            f"got {dict(points)!r}"
        )
    return None
