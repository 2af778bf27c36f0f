"""The trainer's day: which exercises the trainees' hub offers, in which order, and the room's
language.

A small YAML file, ``agenda.yaml`` beside the app pages (``app/agenda.yaml`` in a workshop
folder made by ``csat init``), that the trainer edits before the day::

    language: zh            # the room's language: the hub opens in it, the report is written in it
    exercises:              # ids from `csat exercises list`, in the order the hub lists them
      - warm-up-quiz
      - hotel-check-in
      - observer            # the observer's scoresheet

Every problem is reported at once as ``agenda.yaml: field: expected …, got … (line N)``: ``csat
app`` refuses to start on a broken agenda, and the hub shows the problem and every exercise.

>>> agenda = parse({"language": "zh", "exercises": ["hotpot-queue", "warm-up-quiz", "observer"]})
>>> agenda.language, agenda.entries
('zh', ('scenario:hotpot-queue', 'quiz:warm-up-quiz', 'observer:'))
>>> try:
...     parse({"exercises": ["hotpot-queu"]})
... except AgendaError as err:
...     print(err.problems[0])
agenda.yaml: exercises[0]: expected an exercise id, got 'hotpot-queu' (did you mean 'hotpot-queue'?)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csat import i18n
from csat.exercises import quiz as quiz_mod
from csat.exercises import scenario as scenario_mod
from csat.exercises._load import ExerciseFileError, did_you_mean, field_lines, read_yaml, with_lines

FILE = "agenda.yaml"
OBSERVER = "observer"
"""The agenda's word for the observer's scoresheet (not an exercise file)."""
MAX_ENTRIES = 200


class AgendaError(ExerciseFileError):
    """One or more problems in an agenda file, one line each."""


@dataclass(frozen=True)
class Agenda:
    """``language``: the room's language; ``entries``: what the hub offers, in order, as
    ``kind:id`` (``scenario:hotpot-queue``, ``quiz:warm-up-quiz``, ``observer:``)."""

    language: str
    entries: tuple[str, ...]


def _ids() -> dict[str, str]:
    """Every id an agenda may name → its hub entry."""
    ids = {sid: f"scenario:{sid}" for sid in scenario_mod.library()}
    ids.update({qid: f"quiz:{qid}" for qid in quiz_mod.library()})
    ids[OBSERVER] = "observer:"
    return ids


def everything(language: str = i18n.DEFAULT) -> Agenda:
    """No agenda file: every role-play, then every quiz, then the observer's sheet."""
    return Agenda(language, tuple(_ids().values()))


def parse(data: Any, name: str = FILE) -> Agenda:
    """An :class:`Agenda` from the mapping read from an agenda file; raises
    :class:`AgendaError` naming every problem."""
    if not isinstance(data, dict):
        got = type(data).__name__
        raise AgendaError([f"{name}: expected a mapping with 'exercises', got {got}"])
    problems = []
    for key in data:
        if key not in ("language", "exercises"):
            problems.append(
                f"{name}: {key}: expected 'language' or 'exercises', got an unknown field"
                f"{did_you_mean(key, ('language', 'exercises'))}"
            )
    language = data.get("language", i18n.DEFAULT)
    if language not in i18n.codes():
        problems.append(
            f"{name}: language: expected one of {', '.join(i18n.codes())}, got {language!r}"
        )
    raw = data.get("exercises")
    ids, entries = _ids(), []
    if not isinstance(raw, list) or not raw:
        problems.append(
            f"{name}: exercises: expected a list of exercise ids (csat exercises list), "
            f"got {'nothing' if raw is None else repr(raw)[:60]}"
        )
        raw = []
    if len(raw) > MAX_ENTRIES:
        problems.append(f"{name}: exercises: expected at most {MAX_ENTRIES}, got {len(raw)}")
        raw = raw[:MAX_ENTRIES]
    for i, item in enumerate(raw):
        where = f"{name}: exercises[{i}]"
        if not isinstance(item, str) or item not in ids:
            shown = repr(item)[:60]
            hint = did_you_mean(item, ids)
            problems.append(f"{where}: expected an exercise id, got {shown}{hint}")
        elif ids[item] in entries:
            problems.append(f"{where}: expected each exercise once, got {item!r} again")
        else:
            entries.append(ids[item])
    if problems:
        raise AgendaError(problems)
    return Agenda(language, tuple(entries))


def load(path: str | Path) -> Agenda:
    """The agenda in the file at ``path``; raises :class:`AgendaError` naming every problem,
    with its line."""
    path = Path(path)
    data, problems = read_yaml(path, "agenda")
    if data is None:
        raise AgendaError(problems)
    try:
        return parse(data, path.name)
    except AgendaError as err:
        raise AgendaError(with_lines(path.name, err.problems, field_lines(path))) from None


def for_room(folder: str | Path | None = None) -> tuple[Agenda, AgendaError | None]:
    """The agenda of the app pages in ``folder`` (default: the current folder, where Voilà
    runs a page), and the problem that made it fall back to every exercise, if any. No file:
    every exercise, in English, and no problem."""
    path = Path(folder or ".") / FILE
    if not path.exists():
        return everything(), None
    try:
        return load(path), None
    except AgendaError as err:
        return everything(), err
