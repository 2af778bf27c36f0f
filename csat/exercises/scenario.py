"""Role-play scenarios: the YAML format, its validation, and what the graph allows.

A scenario is a directed acyclic graph: nodes are the customer's lines, edges the trainee's
replies, leaves the endings. Loading checks the file in two passes and reports every problem
at once — first the schema (types, ranges, every language of the course present and no
other), then the graph (unknown targets, unreachable nodes, cycles, dead ends) — each as
``file: nodes.<node>.choices[<i>].<field>: expected …, got …``.

>>> s = load("hotpot-queue")
>>> s.title("en")
"'Fifteen minutes', fifty minutes ago: the hot-pot queue"
>>> s.best_total > s.worst_total
True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import InitErrorDetails, PydanticCustomError

from csat import i18n
from csat.exercises import _load, rubric
from csat.exercises._load import (
    ExerciseFileError,
    Library,
    did_you_mean,
    field_lines,
    field_names,
    pydantic_problems,
    read_yaml,
    with_lines,
)
from csat.sim import presets

SCENARIO_DIR = Path(__file__).parent / "scenarios"
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

MAX_NODES = 100
"""Most nodes (and most endings) in one scenario: a real one has about a dozen; the checks walk
the graph, and a long chain must be refused, not overflow the stack."""

LIBRARY_RULES = {"decision_points": 4, "choices": 3, "endings": 3}
"""What every scenario shipped with the course must offer (checked with ``strict=True``)."""


class ScenarioError(ExerciseFileError):
    """A scenario file with problems; ``problems`` lists every one."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A line break inside a folded YAML string becomes a space; between two Chinese characters (or
# Chinese punctuation) that space is a typo on screen, so it is dropped.
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’…—]"
_CJK_GAP = re.compile(rf"(?<={_CJK})[ \t\n]+(?={_CJK})")


class Text(pydantic.RootModel[dict[str, NonEmpty]]):
    """A text a trainee sees: one version per language of the course (:data:`csat.i18n.LANGUAGES`).

    Written in a file as a mapping ``{en: …, zh: …}``: every language is required, and a key
    that is not a language of the course is an error, each named where it is
    (``nodes.two.customer.fr``). Call it with a language for that version; it reads like a
    mapping, and ``text.en`` is ``text("en")``.

    >>> Text(en="x", zh="让客户 感到你重视。 然后")("zh")
    '让客户感到你重视。然后'
    >>> sorted(Text({"en": "x", "zh": "某"}))
    ['en', 'zh']
    """

    model_config = ConfigDict(frozen=True)

    @pydantic.model_validator(mode="wrap")
    @classmethod
    def _languages(cls, value: Any, handler: pydantic.ValidatorFunctionWrapHandler) -> Text:
        """Check the languages against the course's list, reporting every problem at once."""
        if isinstance(value, Text) or not isinstance(value, Mapping):
            return handler(value)
        problems: list[Any] = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "unknown_language",
                    "expected a language of the course ({known}), got {got}",
                    {"known": ", ".join(i18n.LANGUAGES), "got": repr(key)},
                ),
                loc=(str(key),),
                input=key,
            )
            for key in value
            if key not in i18n.LANGUAGES
        ]
        problems += [
            InitErrorDetails(type="missing", loc=(code,), input=dict(value))
            for code in i18n.LANGUAGES
            if code not in value
        ]
        known = {k: v for k, v in value.items() if k in i18n.LANGUAGES}
        try:
            text = handler(known)
        except pydantic.ValidationError as err:
            problems += [
                InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=e.get("ctx"))
                if e.get("ctx")
                else InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"])
                for e in err.errors()
            ]
            text = None
        if problems:
            raise pydantic.ValidationError.from_exception_data(cls.__name__, problems)
        return text

    @pydantic.field_validator("root")
    @classmethod
    def _join_chinese_lines(cls, value: dict[str, str]) -> dict[str, str]:
        return {lang: _CJK_GAP.sub("", text) for lang, text in value.items()}

    def __call__(self, lang: str = i18n.DEFAULT) -> str:
        """The version in ``lang``; :class:`csat.i18n.UnknownLanguage` for another code."""
        return i18n.pick(self.root, i18n.check(lang, where="lang"))

    def __getitem__(self, lang: str) -> str:
        return self(lang)

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]  # a mapping's keys
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __contains__(self, lang: object) -> bool:
        return lang in self.root

    def keys(self):
        return self.root.keys()

    def items(self):
        return self.root.items()

    def values(self):
        return self.root.values()

    def __getattr__(self, name: str) -> str:
        # ``text.en``, ``text.zh``: the spelling of the time when each language was a field.
        if name in i18n.LANGUAGES:
            return self(name)
        return super().__getattr__(name)  # type: ignore[misc]


class Persona(_Model):
    name: Text
    description: Text


class Choice(_Model):
    """One reply the trainee can give, and what it earns."""

    id: Slug
    text: Text
    points: dict[str, Annotated[int, Field(ge=-3, le=3)]] = Field(default_factory=dict)
    mood: Annotated[int, Field(ge=-50, le=50)] = 0
    feedback: Text
    """The coach's note the trainee reads after the reply: plain words, no course codes."""
    trainer_note: Text | None = None
    """For the trainer only (live view, report, answer key): the course module, the source."""
    next: Slug


class Node(_Model):
    customer: Text
    choices: Annotated[list[Choice], Field(min_length=2, max_length=4)]


class Ending(_Model):
    outcome: Literal["stays", "leaves", "escalates"]
    tells: Annotated[int, Field(ge=0, le=1000)]
    sentiment: Literal["positive", "neutral", "negative"]
    title: Text
    debrief: Text
    trainer_note: Text | None = None
    """For the trainer only: where the course teaches this, and the research behind it."""


class Scenario(_Model):
    """A validated scenario. Load one with :func:`load`."""

    id: Slug
    version: Annotated[int, Field(ge=1)]
    title: Text
    business: str
    context: Text
    persona: Persona
    mood: Annotated[int, Field(ge=0, le=100)]
    pass_threshold: Annotated[int, Field(ge=0, le=100)] = 60
    start: Slug
    nodes: Annotated[dict[Slug, Node], Field(min_length=1, max_length=MAX_NODES)]
    endings: Annotated[dict[Slug, Ending], Field(min_length=1, max_length=MAX_NODES)]

    @pydantic.field_validator("business")
    @classmethod
    def _known_business(cls, value: str) -> str:
        """A business the course simulates: a playable preset (:func:`csat.sim.presets.playable`),
        read when the file is checked, so a preset added to the registry is accepted at once."""
        known = presets.playable()
        if value not in known:
            expected = ", ".join(repr(b) for b in known)
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": expected}
            )
        return value

    # -- the graph --------------------------------------------------------------------------
    def is_ending(self, key: str) -> bool:
        return key in self.endings

    def choice(self, node: str, choice_id: str) -> Choice:
        for c in self.nodes[node].choices:
            if c.id == choice_id:
                return c
        ids = ", ".join(c.id for c in self.nodes[node].choices)
        raise KeyError(f"{self.id}: node {node!r} has no choice {choice_id!r} (it has {ids})")

    def paths(self) -> Iterator[tuple[list[tuple[str, str]], str]]:
        """Every path from the start: ``([(node, choice_id), …], ending)``."""

        def walk(node: str, path: list[tuple[str, str]]):
            for c in self.nodes[node].choices:
                step = [*path, (node, c.id)]
                if c.next in self.endings:
                    yield step, c.next
                else:
                    yield from walk(c.next, step)

        yield from walk(self.start, [])

    @functools.cached_property
    def _bounds(self) -> dict[str, dict[str, tuple[float, float]]]:
        """Best and worst attainable sums from each node onward, per dimension and in total."""
        keys = [*rubric.DIMENSIONS, "total"]
        memo: dict[str, dict[str, tuple[float, float]]] = {}

        def gain(c: Choice, key: str) -> int:
            return sum(c.points.values()) if key == "total" else c.points.get(key, 0)

        def bounds(node: str) -> dict[str, tuple[float, float]]:
            if node in self.endings:
                return dict.fromkeys(keys, (0.0, 0.0))
            if node not in memo:
                rest = [(c, bounds(c.next)) for c in self.nodes[node].choices]
                memo[node] = {
                    k: (
                        max(gain(c, k) + b[k][0] for c, b in rest),
                        min(gain(c, k) + b[k][1] for c, b in rest),
                    )
                    for k in keys
                }
            return memo[node]

        bounds(self.start)
        return memo

    @property
    def best_total(self) -> float:
        """The highest total attainable on any path (computed from the graph)."""
        return self._bounds[self.start]["total"][0]

    @property
    def worst_total(self) -> float:
        return self._bounds[self.start]["total"][1]

    def dimension_range(self, key: str) -> tuple[float, float]:
        """(worst, best) attainable sum on one rubric dimension over all paths."""
        best, worst = self._bounds[self.start][key]
        return worst, best

    def best_path(self) -> list[tuple[str, str]]:
        """The path with the best total (first listed choice wins a tie)."""
        path, node = [], self.start
        while node not in self.endings:
            here = self._bounds[node]["total"][0]
            for c in self.nodes[node].choices:
                after = 0.0 if c.next in self.endings else self._bounds[c.next]["total"][0]
                if sum(c.points.values()) + after == here:
                    path.append((node, c.id))
                    node = c.next
                    break
        return path

    def best_ending(self) -> str:
        node, choice_id = self.best_path()[-1]
        return self.choice(node, choice_id).next


def _graph_problems(name: str, data: dict, strict: bool) -> list[str]:
    """Graph checks on the raw mapping, so they run even when the schema pass found problems."""
    nodes = data.get("nodes") if isinstance(data.get("nodes"), dict) else {}
    endings = data.get("endings") if isinstance(data.get("endings"), dict) else {}
    if len(nodes) > MAX_NODES or len(endings) > MAX_NODES:
        return []  # the schema pass says so; walking a graph that size is not worth it
    problems: list[str] = []
    for key in set(nodes) & set(endings):
        problems.append(
            f"{name}: endings.{key}: expected a name not used by a node, got {key!r} in both"
        )
    edges: dict[str, list[str]] = {}
    for key, node in nodes.items():
        choices = node.get("choices") if isinstance(node, dict) else None
        edges[key] = []
        if not isinstance(choices, list):
            continue
        seen = set()
        for i, c in enumerate(choices):
            if not isinstance(c, dict):
                continue
            cid = c.get("id")
            if cid in seen:
                problems.append(
                    f"{name}: nodes.{key}.choices[{i}].id: expected an id unique in the node, "
                    f"got {cid!r} twice"
                )
            seen.add(cid)
            points = c.get("points")
            for dim in points if isinstance(points, dict) else ():
                if dim not in rubric.DIMENSIONS:
                    problems.append(
                        f"{name}: nodes.{key}.choices[{i}].points.{dim}: expected a rubric "
                        f"dimension ({', '.join(rubric.DIMENSIONS)}), got {dim!r}"
                        + did_you_mean(dim, rubric.DIMENSIONS)
                    )
            target = c.get("next")
            if not isinstance(target, str):
                continue
            if target not in nodes and target not in endings:
                problems.append(
                    f"{name}: nodes.{key}.choices[{i}].next: expected a node or an ending, "
                    f"got {target!r}" + did_you_mean(target, [*nodes, *endings])
                )
            elif target in nodes:
                edges[key].append(target)
    start = data.get("start")
    if isinstance(start, str) and start not in nodes:
        problems.append(
            f"{name}: start: expected one of the nodes, got {start!r}" + did_you_mean(start, nodes)
        )
        return problems
    if not nodes or not isinstance(start, str):
        return problems
    reached, stack = {start}, [start]
    while stack:
        for t in edges[stack.pop()]:
            if t not in reached:
                reached.add(t)
                stack.append(t)
    for key in nodes:
        if key not in reached:
            problems.append(
                f"{name}: nodes.{key}: expected a node reachable from the start, got none"
            )
    # Cycles: depth-first search with colours.
    colour: dict[str, int] = {}

    def visit(key: str, trail: list[str]) -> None:
        colour[key] = 1
        for t in edges[key]:
            if colour.get(t) == 1:
                loop = " -> ".join([*trail[trail.index(t) :], t])
                problems.append(f"{name}: nodes.{key}: expected no cycle, got {loop}")
            elif t not in colour:
                visit(t, [*trail, t])
        colour[key] = 2

    for key in nodes:
        if key not in colour:
            visit(key, [key])
    # A path to an ending from every node.
    ends = {
        key
        for key, node in nodes.items()
        if isinstance(node, dict)
        and isinstance(node.get("choices"), list)
        and any(isinstance(c, dict) and c.get("next") in endings for c in node["choices"])
    }
    changed = True
    while changed:
        changed = False
        for key in nodes:
            if key not in ends and any(t in ends for t in edges[key]):
                ends.add(key)
                changed = True
    for key in nodes:
        if key not in ends:
            problems.append(f"{name}: nodes.{key}: expected a path to an ending, got none")
    if strict:
        problems += _library_problems(name, nodes, endings)
    return list(dict.fromkeys(problems))


def _library_problems(name: str, nodes: dict, endings: dict) -> list[str]:
    out = []
    for key, node in nodes.items():
        choices = node.get("choices") if isinstance(node, dict) else None
        if isinstance(choices, list) and len(choices) < LIBRARY_RULES["choices"]:
            out.append(
                f"{name}: nodes.{key}.choices: expected at least {LIBRARY_RULES['choices']} "
                f"choices in a shipped scenario, got {len(choices)}"
            )
    if len(endings) < LIBRARY_RULES["endings"]:
        out.append(
            f"{name}: endings: expected at least {LIBRARY_RULES['endings']} endings in a shipped "
            f"scenario, got {len(endings)}"
        )
    return out


def resolve(ref: str | Path) -> Path:
    """A scenario id ('hotpot-queue') or a path, as a path."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return SCENARIO_DIR / f"{ref}.yaml"


def check(ref: str | Path, *, strict: bool = False) -> tuple[Scenario | None, list[str]]:
    """Validate one scenario; return ``(scenario or None, every problem found)``."""
    path = resolve(ref)
    data, problems = read_yaml(path, "scenario")
    if data is None:
        return None, problems
    name = path.name
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except pydantic.ValidationError as err:
        problems += pydantic_problems(name, err, field_names(Scenario))
    problems += _graph_problems(name, data, strict)
    if isinstance(data.get("id"), str) and data["id"] != path.stem:
        problems.append(f"{name}: id: expected the file's name {path.stem!r}, got {data['id']!r}")
    if scenario is not None and not problems:
        if scenario.best_total == scenario.worst_total:
            problems.append(
                f"{name}: nodes: expected replies that differ in points, "
                f"got every path scoring {scenario.best_total:g}"
            )
        elif strict:
            depth = len(scenario.best_path())
            if depth < LIBRARY_RULES["decision_points"]:
                problems.append(
                    f"{name}: start: expected at least {LIBRARY_RULES['decision_points']} "
                    f"decision points on the best path in a shipped scenario, got {depth}"
                )
    problems = with_lines(name, problems, field_lines(path)) if problems else problems
    return (scenario if not problems else None), problems


@functools.lru_cache(maxsize=64)
def _checked(path: Path, mtime: float, strict: bool) -> tuple[Scenario | None, tuple[str, ...]]:
    # A broken file's problems are kept too: a hub redrawn in another language does not
    # read it again.
    scenario, problems = check(path, strict=strict)
    return scenario, tuple(problems)


def load(ref: str | Path, *, strict: bool = False) -> Scenario:
    """Load and validate a scenario by id or path; raise :class:`ScenarioError` listing every
    problem. ``strict`` adds the rules for scenarios shipped with the course."""
    path = resolve(ref)
    mtime = path.stat().st_mtime if path.is_file() else -1.0
    scenario, problems = _checked(path.resolve() if path.exists() else path, mtime, strict)
    if problems:
        raise ScenarioError(problems)
    return scenario


def library() -> list[str]:
    """The ids of the scenarios shipped with the course, sorted."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def survey() -> Library:
    """Every scenario of the library loaded: ``.good`` (id → Scenario) and ``.broken`` (id → its
    problems), so a broken file leaves the others listed and is named for the trainer."""
    return _load.survey(library(), load)
