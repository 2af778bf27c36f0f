"""The languages the workshop speaks, and every word it shows, from one catalogue per language.

The list of languages is :data:`LANGUAGES`, here and nowhere else. Each language has one
catalogue, ``csat/i18n/<code>.yaml``: namespaces (one per module or theme) holding keys, each
key a text, a list (the steps of a cycle) or a mapping of names (the nodes of a diagram)
of texts, the same keys in every language. Code asks for a word with :func:`t`, or for a
whole namespace with :func:`table` (what the figure and table modules hold as ``TEXT``), and
never falls back to another language: a key missing in one catalogue raises, naming the key and
the file, and ``tests/test_i18n.py`` lists every key missing anywhere.

To add a language: add its code and its own name to :data:`LANGUAGES` and write
``<code>.yaml`` with every key of ``en.yaml``.

>>> t("common.language_name", "zh")
'中文'
>>> t("common.points", "en", n=3)
'3 points'
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}
"""Every language the course speaks: code → the language's name in itself, in menu order."""

DEFAULT = "en"
"""The language a page opens in until the trainee picks one."""

CATALOGUE_DIR = Path(__file__).resolve().parent
"""Where the catalogues live (tests point it elsewhere to try a new language)."""


class UnknownLanguage(ValueError):
    """A language code that is not in :data:`LANGUAGES`."""


class MissingText(KeyError):
    """A key that a language's catalogue lacks."""

    def __str__(self) -> str:  # KeyError's own str() would wrap the message in quotes
        return str(self.args[0])


def codes() -> tuple[str, ...]:
    """The language codes, in menu order: ``('en', 'zh')``."""
    return tuple(LANGUAGES)


def check(lang: Any, *, where: str = "lang") -> str:
    """``lang`` if it is a known language code; else :class:`UnknownLanguage` naming ``where``."""
    if isinstance(lang, str) and lang in LANGUAGES:
        return lang
    known = ", ".join(LANGUAGES)
    raise UnknownLanguage(f"{where}: expected one of {known}, got {lang!r}")


def catalogue_path(lang: str) -> Path:
    """The catalogue file of ``lang``."""
    return CATALOGUE_DIR / f"{check(lang)}.yaml"


def _leaves(where: str, value: Any) -> Iterator[tuple[str, Any]]:
    """The texts inside one key's value, each with its path (``ns.key``, ``ns.key[0]``,
    ``ns.key.sub``): a value is a text, a list of values or a mapping of names to values."""
    if isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from _leaves(f"{where}[{i}]", item)
    elif isinstance(value, dict) and value:
        for name, item in value.items():
            yield from _leaves(f"{where}.{name}", item)
    else:
        yield where, value


@functools.cache
def _catalogue(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        raise MissingText(f"no catalogue for this language: {path.name} is missing")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected namespaces of keys, got {type(data).__name__}")
    for ns, keys in data.items():
        if not isinstance(keys, dict):
            raise ValueError(f"{path.name}: {ns}: expected keys, got {type(keys).__name__}")
        for key, value in keys.items():
            for leaf, text in _leaves(f"{ns}.{key}", value):
                if not isinstance(text, str):
                    raise ValueError(f"{path.name}: {leaf}: expected text, got {text!r}")
    return data


def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """The whole catalogue of ``lang``: namespace → key → text."""
    return _catalogue(catalogue_path(lang))


def reload() -> None:
    """Forget the catalogues read so far (after editing one, or in tests)."""
    _catalogue.cache_clear()


def table(namespace: str, lang: str) -> dict[str, str]:
    """Every key of ``namespace`` in ``lang`` (a fresh dict: change it freely)."""
    found = catalogue(lang).get(namespace)
    if found is None:
        raise MissingText(f"no namespace {namespace!r} in {catalogue_path(lang).name}")
    return dict(found)


def t(key: str, lang: str, /, **values: Any) -> str:
    """The text of ``namespace.key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Raises :class:`UnknownLanguage` for a language not in the list and :class:`MissingText`
    for a key its catalogue lacks: nothing falls back to English.
    """
    namespace, _, name = key.partition(".")
    keys = catalogue(lang).get(namespace, {})
    if name not in keys:
        raise MissingText(f"no {key!r} in {catalogue_path(lang).name}")
    text = keys[name]
    return text.format(**values) if values else text


def pick(texts: Mapping[str, str], lang: str, *, where: str = "text") -> str:
    """One language's version from a mapping of language → text (a scenario's ``Text``)."""
    check(lang)
    try:
        return texts[lang]
    except KeyError:
        raise MissingText(f"{where}: no {LANGUAGES[lang]} ({lang}) version") from None


class Namespace(Mapping[str, dict[str, str]]):
    """One namespace in every language, read as ``TEXT[lang][key]`` (a figure module's words).

    >>> Namespace("common")["zh"]["language_name"]
    '中文'
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, lang: str) -> dict[str, str]:
        return table(self.name, check(lang))

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)

    def __repr__(self) -> str:
        return f"Namespace({self.name!r})"


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text fills in (for checking that translations agree)."""
    return {
        name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name
    }


def problems() -> list[str]:
    """Every key missing in a language (against the union of all), and every placeholder
    that differs between languages: one line each, empty when the catalogues agree."""
    found: list[str] = []
    flat = {
        lang: {
            leaf: text
            for ns, keys in catalogue(lang).items()
            for key, value in keys.items()
            for leaf, text in _leaves(f"{ns}.{key}", value)
        }
        for lang in LANGUAGES
    }
    every = sorted({leaf for texts in flat.values() for leaf in texts})
    for leaf in every:
        have = {lang: texts.get(leaf) for lang, texts in flat.items()}
        for lang, text in have.items():
            if text is None:
                found.append(f"{catalogue_path(lang).name}: {leaf} is missing")
        given = {lang: placeholders(text) for lang, text in have.items() if text is not None}
        if len({frozenset(v) for v in given.values()}) > 1:
            shown = "; ".join(f"{lang} {sorted(v)}" for lang, v in given.items())
            found.append(f"{leaf}: placeholders differ ({shown})")
    return found
