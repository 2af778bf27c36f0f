"""The report's tables as a trainer reads them in a spreadsheet, in the report's language.

The tables of :mod:`csat.exercises.report` keep their column names (``display_name``,
``exercise_id``, ``score_listen``…): code, the figures and the live view read them.
:func:`localise` turns one into what the CSV file shows: every header in the report's language
(the ``report_csv`` namespace of the catalogues; a score, points or rating column is its
template with the dimension's name), words in the cells in that language too (the kind of
exercise, yes/no, the attempt policy, the customer's outcome, the attempt's language), and
beside each id its name: an exercise's title after ``exercise_id``, an ending's title and
outcome after ``ending``, a business's name after ``business``. Ids stay as they are: they are
what joins one file to another. :func:`read` maps a file back to the tables' names and values,
for whatever reads the report again.

>>> import pandas as pd
>>> frame = pd.DataFrame({"display_name": ["王芳"], "passed": [True], "score_listen": [80.0]})
>>> print(*localise(frame, "zh", find=lambda exercise_id: None).columns)
学员 是否通过 得分：倾听
>>> [str(v) for v in localise(frame, "en", find=lambda exercise_id: None).iloc[0]]
['王芳', 'Yes', '80.0']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from csat import i18n
from csat.csvfile import CSV_OPTIONS
from csat.exercises import rubric
from csat.exercises.teams import EXERCISE as CAPSTONE_EXERCISE
from csat.i18n import Namespace

WORDS = Namespace("report_csv")
"""The words of the report's CSV files, per language: ``columns`` (header per column name),
``score``/``points``/``rating`` (a dimension's column), ``dimensions`` (names of what quizzes and
the capstone score), ``exercise_column`` (a gradebook column), and the words of the cells."""

PREFIXES = {"score_": "score", "points_": "points", "rating_": "rating"}
"""A dimension's columns, by the prefix of their name, and the template of their header."""

CAPSTONE = CAPSTONE_EXERCISE.format(business="")

Find = Callable[[str], Any]
"""The exercise of the library with an id (a scenario or a quiz), or None."""


def dimension_name(key: str, lang: str) -> str:
    """A scored dimension's name: the rubric's, a quiz's or the capstone's; else the key."""
    if key in rubric.DIMENSIONS:
        return rubric.name(key, lang)
    return WORDS[lang]["dimensions"].get(key, key)


def header(column: str, lang: str) -> str:
    """The header of the column ``column`` of a report table in ``lang`` (the name itself
    for a column the catalogue does not know)."""
    words = WORDS[lang]
    if column in words["columns"]:
        return words["columns"][column]
    if column in words["dimensions"]:  # capstone.csv: the scores as columns of their own
        return words["dimensions"][column]
    for prefix, template in PREFIXES.items():
        if column.startswith(prefix):
            return words[template].format(name=dimension_name(column[len(prefix) :], lang))
    return column


def title(exercise_id: str, lang: str, find: Find) -> str:
    """An exercise's title in ``lang``: the library's, the capstone's business, else its id."""
    item = find(exercise_id)
    if item is not None:
        return item.title(lang)
    if exercise_id.startswith(CAPSTONE):
        business = exercise_id.removeprefix(CAPSTONE)
        name = i18n.table("business", lang).get(business, business)
        return WORDS[lang]["capstone"].format(business=name)
    return exercise_id


def exercise_header(exercise_id: str, lang: str, find: Find) -> str:
    """A gradebook column: the exercise's title with its id, or the id alone when the library
    no longer has it."""
    named = title(exercise_id, lang, find)
    if named == exercise_id:
        return exercise_id
    return WORDS[lang]["exercise_column"].format(title=named, id=exercise_id)


def _yes_no(value: Any, words: dict) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return words["yes"] if bool(value) else words["no"]


def _cell_words(lang: str) -> dict[str, Callable[[Any], Any]]:
    """Each column whose cells are words: how a value reads in ``lang``."""
    words = WORDS[lang]

    def among(mapping: dict[str, str]) -> Callable[[Any], Any]:
        return lambda v: mapping.get(v, v) if isinstance(v, str) else v

    return {
        "kind": among(words["kinds"]),
        "attempt_counted": among(words["policies"]),
        "lang": among(dict(i18n.LANGUAGES)),
        "passed": lambda v: _yes_no(v, words),
        "counted": lambda v: _yes_no(v, words),
    }


def _ending(exercise_id: str, ending: Any, find: Find):
    if not isinstance(ending, str):
        return None
    item = find(exercise_id)
    endings = getattr(item, "endings", None) or {}
    return endings.get(ending)


def localise(
    frame: pd.DataFrame, lang: str, *, find: Find, exercises: Iterable[str] = ()
) -> pd.DataFrame:
    """A copy of the report table ``frame`` as its CSV file shows it in ``lang``: names beside
    ids, words in the cells, every header in ``lang``. ``exercises`` are the columns that are
    exercises (the gradebook's), headed by their titles with their ids; ``find`` looks an
    exercise up in the library."""
    lang = i18n.check(lang, where="report language")
    words = WORDS[lang]
    find = functools.cache(find)  # each exercise looked up once, however many rows name it
    out = frame.copy()
    if "exercise_id" in out:
        at = out.columns.get_loc("exercise_id") + 1
        titles = {e: title(e, lang, find) for e in out["exercise_id"].dropna().unique()}
        out.insert(at, "exercise", out["exercise_id"].map(titles).fillna(""))
    if "ending" in out and "exercise_id" in out:
        at = out.columns.get_loc("ending") + 1
        found = [
            _ending(e, end, find) for e, end in zip(out["exercise_id"], out["ending"], strict=True)
        ]
        names = [end.title(lang) if end is not None else "" for end in found]
        outcomes = [words["outcomes"][end.outcome] if end is not None else "" for end in found]
        out.insert(at, "ending_title", pd.Series(names, index=out.index, dtype=object))
        out.insert(at + 1, "outcome", pd.Series(outcomes, index=out.index, dtype=object))
    if "business" in out:
        businesses = i18n.table("business", lang)
        at = out.columns.get_loc("business") + 1
        out.insert(at, "business_name", out["business"].map(lambda b: businesses.get(b, b)))
    for column, read in _cell_words(lang).items():
        if column in out:
            out[column] = pd.Series([read(v) for v in out[column]], index=out.index, dtype=object)
    exercises = set(exercises)
    out.columns = [
        exercise_header(c, lang, find) if c in exercises else header(c, lang) for c in out.columns
    ]
    if out.index.name is not None:
        out.index = out.index.rename(header(out.index.name, lang))
    return out


# --------------------------------------------------------------------------------------------
# Reading a report's CSV file back


def _pattern(template: str, **groups: str) -> re.Pattern:
    """A regular expression matching what ``template`` gives, each ``{field}`` of ``groups``
    a named group matching that expression."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        f"(?P<{part}>{groups[part]})" if i % 2 else re.escape(part) for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


def column_name(shown: str, lang: str) -> str:
    """The report table's name of the column a CSV file in ``lang`` heads ``shown`` (the
    inverse of :func:`header`; a gradebook's exercise column gives the exercise's id)."""
    words = WORDS[lang]
    for names in (words["columns"], words["dimensions"]):
        for column, text in names.items():
            if text == shown:
                return column
    dimensions = {dimension_name(k, lang): k for k in [*rubric.DIMENSIONS, *words["dimensions"]]}
    for prefix, template in PREFIXES.items():
        found = _pattern(words[template], name=".+").match(shown)
        if found:
            return prefix + dimensions.get(found["name"], found["name"])
    found = _pattern(words["exercise_column"], title=".+", id=r"[\w-]+").match(shown)
    return found["id"] if found else shown


def read(path: str | Path, lang: str, **options: Any) -> pd.DataFrame:
    """A CSV file of a report written in ``lang``, with the report tables' column names and
    values again (``True``/``False`` for yes and no, ``best`` for the policy…; the names beside
    the ids are kept, as ``exercise``, ``ending_title``, ``outcome`` and ``business_name``).
    ``options`` go to :func:`pandas.read_csv`."""
    lang = i18n.check(lang, where="report language")
    frame = pd.read_csv(path, encoding=CSV_OPTIONS["encoding"], **options)
    frame.columns = [column_name(c, lang) for c in frame.columns]
    words = WORDS[lang]
    back = {
        "kind": {v: k for k, v in words["kinds"].items()},
        "attempt_counted": {v: k for k, v in words["policies"].items()},
        "lang": {v: k for k, v in i18n.LANGUAGES.items()},
        "passed": {words["yes"]: True, words["no"]: False, "": None},
        "counted": {words["yes"]: True, words["no"]: False, "": None},
    }
    for column, values in back.items():
        if column in frame:
            frame[column] = frame[column].map(lambda v, m=values: m.get(v, v))
    return frame
