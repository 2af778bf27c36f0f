"""Reading exercise files safely and turning every problem into one readable line.

Scenario and quiz files are written by trainers, so every problem is reported as
``file: path.to.field: expected …, got …`` and all problems come at once, never a traceback.
"""

from __future__ import annotations

import codecs
import difflib
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import yaml

from csat import i18n

MAX_BYTES = 1_000_000
"""Largest exercise file accepted (1 MB): a real scenario is about 30 kB."""
MAX_DEPTH = 20
"""Deepest nesting of mappings and lists accepted: a real scenario nests 6 deep."""
MAX_ALIASES = 100
"""Most aliases (``*name``) accepted in one file: a few are enough for merge keys."""
MAX_VALUES = 20_000
"""Most values (keys, texts, numbers, lists, mappings) accepted, counted with every alias
expanded: a real scenario has about 1,500, and a "billion laughs" bomb, which expands to
millions, is refused before it is expanded."""
MAX_DIGITS = 30
"""Longest integer accepted, in digits (Python refuses more than 4,300 with a traceback)."""

_MERGE = "tag:yaml.org,2002:merge"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Refused(yaml.YAMLError):
    """A file that parses but that we will not build: ``expected``, ``got`` and the line."""

    def __init__(self, expected: str, got: str, mark=None):
        super().__init__(f"expected {expected}, got {got}")
        self.expected, self.got = expected, got
        self.line = mark.line + 1 if mark is not None else None


class _Loader(yaml.SafeLoader):
    """The safe loader, bounded and a little stricter.

    - YAML 1.2 booleans: only ``true``/``false`` are booleans, so a node or id named ``no``,
      ``yes``, ``on`` or ``off`` stays text (YAML 1.1 would make it False or True); and, as
      in YAML 1.2, no implicit dates (an id ``2024-05-01`` stays text);
    - every key is text (``1:`` or ``~:`` as a node name would be a number or nothing);
    - a key given twice in one mapping is refused (YAML would keep the last silently, so a
      typo'd second ``next:`` would go unnoticed); a merge key (``<<: *base``) may override;
    - nesting, aliases, the expanded size and integers are capped (see the constants), so a
      bomb or a deep file is refused at once instead of hanging or overflowing the stack.
    """

    yaml_implicit_resolvers: typing.ClassVar[dict] = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._values = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _Refused(f"at most {MAX_ALIASES} aliases (*name)", "more", mark)
        else:
            self._values += 1
            mark = self.peek_event().start_mark
            if self._values > MAX_VALUES:
                raise _Refused(f"at most {MAX_VALUES:,} values in one file", "more", mark)
            if self._depth >= MAX_DEPTH and self.check_event(
                yaml.MappingStartEvent, yaml.SequenceStartEvent
            ):
                raise _Refused(f"at most {MAX_DEPTH} levels of nesting", "more", mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self._key(key_node, deep)
            if key in seen:
                raise _Refused(
                    "each key once in a mapping",
                    f"{key!r} twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1})",
                )
            seen[key] = key_node.start_mark.line
        self.flatten_mapping(node)  # merge keys: '<<: *base' copies the fields of base
        for key_node, _ in node.value:
            self._key(key_node, deep)
        return super().construct_mapping(node, deep=deep)

    def _key(self, key_node, deep) -> str:
        key = self.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            shown = "nothing" if key is None else repr(key)
            raise _Refused(
                "a name (text) as each key",
                f"{shown}; put it in quotes if it is a name",
                key_node.start_mark,
            )
        return key

    def construct_yaml_int(self, node):
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise _Refused(f"a number of at most {MAX_DIGITS} digits", f"{digits}", node.start_mark)
        return super().construct_yaml_int(node)


_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _bounded(root) -> None:
    """Refuse a composed document that refers to itself or, aliases expanded, holds more than
    :data:`MAX_VALUES` values or nests deeper than :data:`MAX_DEPTH`. Each distinct node is
    visited once, so a bomb is measured without being expanded."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_VALUES:
                raise _Refused(
                    f"at most {MAX_VALUES:,} values with every alias expanded",
                    "more (aliases that multiply each other)",
                    node.start_mark,
                )
            if depth[key] > MAX_DEPTH + 1:
                raise _Refused(
                    f"at most {MAX_DEPTH} levels of nesting with every alias expanded",
                    f"{depth[key] - 1}",
                    node.start_mark,
                )
            continue
        if key in size:
            continue
        if key in open_:
            raise _Refused(
                "no alias inside what it names", "one that refers to itself", node.start_mark
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return None


def _compose(text: str):
    """The document's node graph, bounded (raises :class:`_Refused` or another YAMLError)."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _bounded(root)
        return loader, root
    except BaseException:
        loader.dispose()
        raise


def read_text(path: Path) -> str:
    """The file's text: UTF-8, with or without a byte-order mark (raises OSError or
    UnicodeDecodeError)."""
    return path.read_bytes().decode("utf-8-sig")


class ExerciseFileError(ValueError):
    """One or more problems in an exercise file; ``problems`` lists them, one line each."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


@dataclass(frozen=True)
class Library:
    """A library folder read whole: ``good`` maps the id of every file that loads to what it
    holds, ``broken`` the id of every other file to its problems (each names the file)."""

    good: dict[str, Any]
    broken: dict[str, list[str]]

    def left_out(self, lang: str) -> list[str]:
        """One line per broken file for the trainer, in ``lang``: its first problem."""
        return [
            i18n.t("exercise_files.left_out", lang, problem=problems[0])
            for problems in self.broken.values()
        ]


def survey(ids: Iterable[str], load: Callable[[str], Any]) -> Library:
    """Load every id with ``load`` (which raises :class:`ExerciseFileError` for a file with
    problems): one broken file leaves the others listed."""
    good, broken = {}, {}
    for ref in ids:
        try:
            good[ref] = load(ref)
        except ExerciseFileError as err:
            broken[ref] = err.problems
    return Library(good, broken)


def read_yaml(path: str | Path, what: str) -> tuple[Any, list[str]]:
    """Read one YAML file with the safe, bounded loader; return ``(data, problems)``.

    ``data`` is None when the file cannot be used at all (missing, unreadable, empty, too big,
    not YAML, too deep, a bomb, not a mapping); ``problems`` then says why, in one line.
    """
    path = Path(path)
    name = path.name
    if path.is_dir():
        return None, [f"{name}: expected a {what} file, got a folder"]
    if not path.is_file():
        if path.is_symlink() and not path.exists():
            return None, [f"{name}: expected a {what} file, got a link that leads nowhere"]
        if path.exists():  # a pipe or a device: reading it could wait for ever
            return None, [f"{name}: expected a {what} file, got something that is not a file"]
        return None, [f"{path}: expected a {what} file, got no such file"]
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [
                f"{name}: expected a {what} file under {MAX_BYTES // 1_000_000} MB, "
                f"got {size / 1e6:.1f} MB"
            ]
        text = read_text(path)
    except UnicodeDecodeError as err:
        if err.object[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Notepad's "Unicode"
            return None, [f"{name}: expected UTF-8 text, got UTF-16 (save the file as UTF-8)"]
        return None, [f"{name}: expected UTF-8 text, got an undecodable byte at {err.start}"]
    except OSError as err:
        return None, [f"{name}: expected a readable {what} file, got {err.strerror or err}"]
    if not text.strip():
        return None, [f"{name}: expected a {what} (a YAML mapping), got an empty file"]
    try:
        loader, root = _compose(text)
        try:
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except _Refused as err:
        where = f" line {err.line}:" if err.line else ""
        return None, [f"{name}:{where} expected {err.expected}, got {err.got}"]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        if "for merging, but found " in problem and mark:  # '<<: *x' where x is no mapping
            found = problem.rsplit("found ", 1)[1]
            return None, [
                f"{name}: line {mark.line + 1}: expected a mapping after '<<:' (a merge key), "
                f"got {found}"
            ]
        return None, [
            f"{name}: expected YAML, got a syntax error{where}: {problem}{_hint(problem)}"
        ]
    if not isinstance(data, dict):
        return None, [f"{name}: expected a {what} (a YAML mapping), got {_kind(data)}"]
    return data, []


def field_lines(path: str | Path) -> dict[str, int]:
    """The line (from 1) where each field of a YAML file starts, by its path.

    ``{"nodes": 12, "nodes.arrival.choices[0].next": 31, ...}``: the paths problems name, so
    that :func:`with_lines` can say where to look. Empty if the file is not one
    :func:`read_yaml` accepts.
    """
    try:
        loader, root = _compose(read_text(Path(path)))
        loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[str, int] = {}

    def walk(node, at: str) -> None:  # as deep as MAX_DEPTH, as long as MAX_VALUES
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = f"{at}.{key.value}" if at else str(key.value)
                lines.setdefault(here, key.start_mark.line + 1)
                walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                lines.setdefault(f"{at}[{i}]", value.start_mark.line + 1)
                walk(value, f"{at}[{i}]")

    walk(root, "")
    return lines


def with_lines(name: str, problems: list[str], lines: dict[str, int]) -> list[str]:
    """Add ``(line N)`` to each ``name: field: …`` problem: the line of the field, or of the
    nearest enclosing one the file has (a missing field is reported where its parent is)."""
    out = []
    for problem in problems:
        head = f"{name}: "
        if problem.startswith(head) and lines:
            where = problem[len(head) :].split(": ", 1)[0]
            while where and where not in lines:
                cut = max(where.rfind("."), where.rfind("["))
                where = where[:cut] if cut > 0 else ""
            if where:
                problem = f"{problem} (line {lines[where]})"
        out.append(problem)
    return out


def did_you_mean(word: Any, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to a misspelt ``word``, or ''."""
    if not isinstance(word, str):
        return ""
    choices = list(choices)
    same = [c for c in choices if c.casefold() == word.casefold()]  # 'Heated' for 'heated'
    close = same or difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def field_names(model: type[pydantic.BaseModel]) -> set[str]:
    """Every field name of ``model`` and of the models nested in it (for spelling hints)."""
    names: set[str] = set()
    todo, seen = [model], set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        if issubclass(m, pydantic.RootModel):  # a Text: its keys are languages, not fields
            continue
        for fname, info in m.model_fields.items():
            names.add(fname)
            stack = [info.annotation]
            while stack:
                t = stack.pop()
                if isinstance(t, type) and issubclass(t, pydantic.BaseModel):
                    todo.append(t)
                stack.extend(typing.get_args(t))
    return names


_SYNTAX_HINTS = (
    ("mapping values are not allowed", "text that contains ': ' must be in quotes"),
    ("found character '\\t'", "indent with spaces, not tabs"),
    ("expected <block end>", "check the indentation: items of one list or mapping line up"),
    ("did not find expected key", "check the indentation, and quotes around text"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("while scanning a quoted scalar", "a quote is not closed"),
)


def _hint(problem: str) -> str:
    """Plain words after PyYAML's message, for the mistakes people make most."""
    for fragment, hint in _SYNTAX_HINTS:
        if fragment in problem:
            return f" ({hint})"
    return ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    return repr(value)


def location(loc: Iterable[Any]) -> str:
    """``('nodes', 'a', 'choices', 0, 'next')`` → ``nodes.a.choices[0].next``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


_EXPECTED = {
    "missing": "a value",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}


def _language_text(code: str) -> str:
    """What a missing language's text is called in a problem: 'Simplified Chinese text'."""
    names = i18n.table("exercise_files", "en")["language_text"]
    return names.get(code) or f"{i18n.LANGUAGES[code]} text"


def pydantic_problems(
    name: str, err: pydantic.ValidationError, known: Iterable[str] = ()
) -> list[str]:
    """One ``file: field: expected …, got …`` line per pydantic error (``known``: the field
    names a misspelt field is compared with)."""
    lines = []
    for e in err.errors(include_url=False):
        loc = location(e["loc"])
        kind = e["type"]
        ctx = e.get("ctx") or {}
        got = "nothing" if kind == "missing" else _kind(e.get("input"))
        last = loc.rsplit(".", 1)[-1]
        if kind == "missing" and last in i18n.LANGUAGES:  # one language of a text left out
            expected = _language_text(last)
        elif kind in _EXPECTED:
            expected = _EXPECTED[kind]
        elif kind == "unknown_language":
            expected = f"a language of the course ({', '.join(i18n.LANGUAGES)})"
            got = _kind(last) + did_you_mean(last, i18n.LANGUAGES)
        elif kind == "extra_forbidden":
            expected = "no such field (check its spelling)"
            field = loc.rsplit(".", 1)[-1]
            got = _kind(field) + did_you_mean(field, known)
        elif kind == "literal_error":
            expected = f"one of {ctx.get('expected', '')}"
        elif kind in ("greater_than_equal", "greater_than"):
            sign = "at least" if kind == "greater_than_equal" else "more than"
            expected = f"{sign} {ctx.get('ge', ctx.get('gt'))}"
        elif kind in ("less_than_equal", "less_than"):
            sign = "at most" if kind == "less_than_equal" else "less than"
            expected = f"{sign} {ctx.get('le', ctx.get('lt'))}"
        elif kind == "too_short":
            expected = f"at least {ctx.get('min_length')} item(s)"
            got = f"{ctx.get('actual_length')}"
        elif kind == "too_long":
            expected = f"at most {ctx.get('max_length')} item(s)"
            got = f"{ctx.get('actual_length') or len(e.get('input') or ())}"
        elif kind == "string_too_short":
            expected = "non-empty text"
        elif kind == "string_pattern_mismatch":
            expected = "lowercase letters, digits and '-' (like 'car-not-ready')"
        elif kind == "value_error":
            expected = str(ctx.get("error", e["msg"]))
        else:
            expected = e["msg"][0].lower() + e["msg"][1:]
        lines.append(f"{name}: {loc}: expected {expected}, got {got}")
    return lines
