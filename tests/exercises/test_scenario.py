"""Scenario files: the shipped library is valid, and a broken file shows every problem at once."""

from __future__ import annotations

import copy
import itertools
import math
import re
from pathlib import Path

import pytest
import yaml

from csat.exercises import scenario
from csat.exercises.engine import score_path
from csat.exercises.scenario import LIBRARY_RULES, ScenarioError, Text, check, load

LIBRARY = scenario.library()
REQUIRED = {
    "car-not-ready",
    "repair-not-fixed",
    "nitpicking-delivery",
    "hotel-check-in",
    "hotpot-queue",
    "sales-office-new-staff",
    "b2b-defective-batch",
    "delayed-flight",
}


def test_library_has_the_course_scenarios():
    missing = REQUIRED - set(LIBRARY)
    assert not missing, f"scenarios missing from the library: {sorted(missing)}"


@pytest.mark.parametrize("sid", LIBRARY)
def test_shipped_scenario_validates_strictly(sid):
    s, problems = check(sid, strict=True)
    assert problems == []
    assert s.id == sid


@pytest.mark.parametrize("sid", LIBRARY)
def test_every_path_ends_at_an_ending_with_a_finite_score(sid):
    s = load(sid)
    totals, endings = [], set()
    for path, ending in s.paths():
        sc = score_path(s, path)
        assert sc.ending == ending
        assert math.isfinite(sc.total) and 0.0 <= sc.total <= 100.0
        for value in sc.dimensions.values():
            assert value is None or 0.0 <= value <= 100.0
        totals.append(sc.total)
        endings.add(ending)
    # The normalisation is attained: some path scores 100 and some 0.
    assert max(totals) == 100.0 and min(totals) == 0.0
    assert endings == set(s.endings), "an ending no path reaches"


@pytest.mark.parametrize("sid", LIBRARY)
def test_library_rules(sid):
    s = load(sid)
    assert len(s.best_path()) >= LIBRARY_RULES["decision_points"]
    assert all(len(n.choices) >= 3 for n in s.nodes.values())
    assert {e.outcome for e in s.endings.values()} >= {"stays", "leaves"}
    assert len(s.endings) >= 3
    # Feedback that teaches: every reply's feedback is more than a verdict.
    for node in s.nodes.values():
        for c in node.choices:
            assert len(c.feedback.en) >= 60, f"{sid}: {c.id} feedback is too thin"


@pytest.mark.parametrize("sid", LIBRARY)
def test_a_wrong_turn_never_pays(sid):
    """At every node, the reply that leads to the best total is itself a good reply: never one
    that loses points, and never far below the best reply on offer there. Otherwise a trainee
    could outscore the model answer by blaming a colleague and recovering later."""
    s = load(sid)
    for name, node in s.nodes.items():

        def after(c):
            return 0.0 if c.next in s.endings else s._bounds[c.next]["total"][0]

        best = max(node.choices, key=lambda c: sum(c.points.values()) + after(c))
        own = sum(best.points.values())
        top = max(sum(c.points.values()) for c in node.choices)
        assert own >= 0 and own >= top - 2, f"{sid}: at {name}, {best.id} ({own}) leads furthest"


def test_best_and_worst_totals_are_computed_from_the_graph():
    s = load("hotpot-queue")
    totals = [sum(score_path(s, p).raw.values()) for p, _ in s.paths()]
    assert s.best_total == max(totals)
    assert s.worst_total == min(totals)


# --- broken files -----------------------------------------------------------------------------


def _good() -> dict:
    return copy.deepcopy(_GOOD)


def _build() -> dict:
    text = {"en": "x", "zh": "某"}
    choice = {"id": "a", "text": text, "points": {"listen": 1}, "feedback": text, "next": "end"}
    return {
        "id": "broken",
        "version": 1,
        "title": text,
        "business": "hotel",
        "context": text,
        "persona": {"name": text, "description": text},
        "mood": 40,
        "start": "one",
        "nodes": {
            "one": {
                "customer": text,
                "choices": [
                    {**choice, "next": "two"},
                    {**choice, "id": "b", "points": {"listen": -1}, "next": "two"},
                ],
            },
            "two": {"customer": text, "choices": [choice, {**choice, "id": "b"}]},
        },
        "endings": {
            "end": {
                "outcome": "stays",
                "tells": 3,
                "sentiment": "positive",
                "title": text,
                "debrief": text,
            }
        },
    }


_GOOD = yaml.safe_load(yaml.safe_dump(_build()))  # no shared sub-dicts


def _write(tmp_path: Path, data, name="broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True))
    return path


def test_a_minimal_valid_file_has_no_problems(tmp_path):
    s, problems = check(_write(tmp_path, _good()))
    assert problems == [] and s is not None


def test_broken_scenario_lists_every_problem_at_once(tmp_path):
    data = _good()
    one = data["nodes"]["one"]["choices"]
    one[0]["points"] = {"listen": 9, "charm": 1}  # out of range; not a rubric key
    one[1]["next"] = "nowhere"  # unknown target
    one[1]["mood"] = "lots"  # not an integer
    del data["nodes"]["two"]["customer"]["zh"]  # missing Chinese
    data["nodes"]["island"] = {  # unreachable, and loops on itself
        "customer": {"en": "x", "zh": "某"},
        "choices": [
            {**one[0], "points": {}, "next": "island"},
            {**one[0], "id": "b", "points": {}, "next": "island"},
        ],
    }
    data["endings"]["end"]["outcome"] = "happy"
    path = _write(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        load(path)
    problems = info.value.problems
    text = str(info.value)
    expected = [
        "broken.yaml: nodes.one.choices[0].points.listen: expected at most 3, got 9",
        "broken.yaml: nodes.one.choices[0].points.charm: expected a rubric dimension (listen,",
        "broken.yaml: nodes.one.choices[1].mood: expected an integer, got 'lots'",
        "broken.yaml: nodes.two.customer.zh: expected Simplified Chinese text, got nothing",
        "broken.yaml: endings.end.outcome: expected one of 'stays', 'leaves' or 'escalates', "
        "got 'happy'",
        "broken.yaml: nodes.one.choices[1].next: expected a node or an ending, got 'nowhere'",
        "broken.yaml: nodes.island: expected a node reachable from the start, got none",
        "broken.yaml: nodes.island: expected no cycle, got island -> island",
        "broken.yaml: nodes.island: expected a path to an ending, got none",
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), f"missing: {line}\n{text}"
    assert text.startswith(f"{len(problems)} problems found:")


def test_missing_start_and_wrong_id(tmp_path):
    data = _good()
    data["start"] = "hello"
    problems = check(_write(tmp_path, data, "other.yaml"))[1]
    lines = (tmp_path / "other.yaml").read_text().splitlines()
    start, id_ = (
        next(i for i, t in enumerate(lines, 1) if t.startswith(k)) for k in ("start:", "id:")
    )
    assert f"other.yaml: start: expected one of the nodes, got 'hello' (line {start})" in problems
    assert (
        f"other.yaml: id: expected the file's name 'other', got 'broken' (line {id_})" in problems
    )


def test_unknown_field_is_named(tmp_path):
    data = _good()
    data["nodes"]["one"]["choices"][0]["feedbak"] = {"en": "x", "zh": "某"}
    problems = check(_write(tmp_path, data))[1]
    assert any(
        p.startswith("broken.yaml: nodes.one.choices[0].feedbak: expected no such field")
        for p in problems
    ), problems


def test_strict_adds_the_library_rules(tmp_path):
    path = _write(tmp_path, _good())
    assert check(path)[1] == []
    problems = check(path, strict=True)[1]
    assert (
        "broken.yaml: nodes.one.choices: expected at least 3 choices in a shipped "
        in (problems[0][:78])
    )
    assert any("expected at least 3 endings" in p for p in problems)


def test_all_paths_equal_is_refused(tmp_path):
    data = _good()
    data["nodes"]["one"]["choices"][1]["points"] = {"listen": 1}
    problems = check(_write(tmp_path, data))[1]
    assert len(problems) == 1 and problems[0].startswith(
        "broken.yaml: nodes: expected replies that differ in points, got every path scoring 2 "
        "(line "
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "broken.yaml: expected a scenario (a YAML mapping), got an empty file"),
        ("   \n\n", "broken.yaml: expected a scenario (a YAML mapping), got an empty file"),
        ("- a\n- b\n", "broken.yaml: expected a scenario (a YAML mapping), got a list of 2"),
        ("id: [unclosed\n", "broken.yaml: expected YAML, got a syntax error at line 2"),
        ("just words", "broken.yaml: expected a scenario (a YAML mapping), got 'just words'"),
        ("!!python/object:os.system {}", "broken.yaml: expected YAML, got a syntax error"),
    ],
)
def test_unusable_files_get_one_clear_line(tmp_path, content, message):
    path = _write(tmp_path, content)
    scenario_, problems = check(path)
    assert scenario_ is None
    assert len(problems) == 1 and problems[0].startswith(message), problems


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        ("title: Why: because\n", "(text that contains ': ' must be in quotes)"),
        ("nodes:\n\tone: {}\n", "(indent with spaces, not tabs)"),
        ("nodes:\n  - a\n - b\n", "(check the indentation: items of one list or mapping line up)"),
        ('title: "unclosed\n', "(a quote or bracket is not closed)"),
    ],
)
def test_syntax_errors_say_in_plain_words_what_to_fix(tmp_path, content, hint):
    (problem,) = check(_write(tmp_path, content))[1]
    assert problem.startswith("broken.yaml: expected YAML, got a syntax error at line ")
    assert problem.endswith(hint), problem


def test_a_name_in_the_wrong_case_is_suggested_as_it_is_spelt(tmp_path):
    data = _good()
    data["nodes"]["one"]["choices"][0]["next"] = data["start"].capitalize()
    problems = check(_write(tmp_path, data))[1]
    assert any(f"(did you mean {data['start']!r}?)" in p for p in problems), problems


def test_huge_and_binary_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 1_200_000)
    assert check(big)[1] == ["big.yaml: expected a scenario file under 1 MB, got 1.2 MB"]
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00id: x")
    assert check(binary)[1][0].startswith("bin.yaml: expected UTF-8 text")
    absent = check(tmp_path / "absent.yaml")[1][0]
    assert absent.endswith("expected a scenario file, got no such file")


def test_every_single_field_error_is_located(tmp_path):
    """Break each choice field in turn: the message names that exact field."""
    fields = {"id": "Bad Id", "points": [1], "mood": 99, "feedback": "plain", "next": 5}
    for (field, bad), index in itertools.product(fields.items(), (0, 1)):
        data = _good()
        data["nodes"]["two"]["choices"][index][field] = bad
        problems = check(_write(tmp_path, data))[1]
        where = f"broken.yaml: nodes.two.choices[{index}].{field}"
        assert any(p.startswith(where) for p in problems), (field, problems)


def test_no_stray_spaces_inside_chinese_sentences():
    """Folded YAML turns a line break into a space; between Chinese characters it must go."""
    from csat.exercises import quiz

    gap = re.compile(r"[\u4e00-\u9fff，。、；：？！“”] +[\u4e00-\u9fff，。、；：？！“”]")
    texts = []
    for sid in LIBRARY:
        s = load(sid)
        texts += [s.context.zh, s.persona.description.zh]
        texts += [n.customer.zh for n in s.nodes.values()]
        texts += [c.feedback.zh for n in s.nodes.values() for c in n.choices]
        texts += [e.debrief.zh for e in s.endings.values()]
    for qid in quiz.library():
        for q in quiz.load(qid).questions:
            texts += [q.prompt.zh, q.explanation.zh, *(o.text.zh for o in q.options)]
    bad = [gap.search(t).group(0) for t in texts if gap.search(t)]
    assert not bad, bad[:5]
    assert Text(en="x", zh="让客户 感到\n你重视").zh == "让客户感到你重视"


def test_a_key_given_twice_is_named_with_its_lines(tmp_path):
    text = yaml.safe_dump(_good(), allow_unicode=True, sort_keys=False)
    text = text.replace("next: two\n", "next: two\n      next: end\n", 1)
    problems = check(_write(tmp_path, text))[1]
    assert len(problems) == 1
    assert problems[0].startswith("broken.yaml: expected each key once in a mapping, got 'next'")
    assert "twice (lines " in problems[0]


_MISSPELT = """\
id: broken
version: 1
title: {en: "T", zh: "题"}
business: hotel
context: {en: "C", zh: "情"}
persona:
  name: {en: "P", zh: "人"}
  description: {en: "D", zh: "述"}
mood: 40
start: one
nodes:
  one:
    customer: {en: "Hi", zh: "你好"}
    choices:
      - id: a
        text: {en: "A", zh: "甲"}
        points: {empathize: 2}
        mood: 5
        feedback: {en: "F", zh: "反"}
        next: ennd
      - id: b
        text: {en: "B", zh: "乙"}
        points: {listen: 1}
        mood: 0
        feedbak: {en: "F", zh: "反"}
        next: end
endings:
  end:
    outcome: stays
    tells: 1
    sentiment: positive
    title: {en: "E", zh: "终"}
    debrief: {en: "D", zh: "评"}
"""


def test_problems_say_the_line_and_the_likely_spelling(tmp_path):
    # A maintainer's typos: the line to look at, and what was probably meant.
    problems = check(_write(tmp_path, _MISSPELT))[1]
    expected = [
        "broken.yaml: nodes.one.choices[0].points.empathize: expected a rubric dimension "
        "(listen, empathise, ownership, solve, expectations, follow_up), got 'empathize' "
        "(did you mean 'empathise'?) (line 17)",
        "broken.yaml: nodes.one.choices[0].next: expected a node or an ending, got 'ennd' "
        "(did you mean 'end'?) (line 20)",
        "broken.yaml: nodes.one.choices[1].feedbak: expected no such field (check its "
        "spelling), got 'feedbak' (did you mean 'feedback'?) (line 25)",
        # a missing field is reported at its parent
        "broken.yaml: nodes.one.choices[1].feedback: expected a value, got nothing (line 21)",
    ]
    for line in expected:
        assert line in problems, f"missing: {line}\n" + "\n".join(problems)


def test_a_text_in_a_language_the_course_does_not_speak_is_named(tmp_path):
    data = _good()
    data["nodes"]["two"]["customer"] = {"en": "x", "zh": "某", "zn": "某"}  # a stray key
    data["title"] = {"en": "T", "fr": "Titre"}  # French instead of Chinese
    path = _write(tmp_path, data)
    problems = check(path)[1]
    line = {k: i for i, k in enumerate(path.read_text().splitlines(), 1)}
    expected = [
        "broken.yaml: nodes.two.customer.zn: expected a language of the course (en, zh), got 'zn'",
        "broken.yaml: title.fr: expected a language of the course (en, zh), got 'fr'",
        "broken.yaml: title.zh: expected Simplified Chinese text, got nothing",
    ]
    for want in expected:
        assert any(p.startswith(want) and "(line " in p for p in problems), (want, problems)
    assert f"(line {line['  fr: Titre']})" in next(p for p in problems if "title.fr" in p)


def test_every_language_of_the_course_is_required(monkeypatch):
    from csat import i18n

    monkeypatch.setitem(i18n.LANGUAGES, "fr", "Français")  # a third language, no code changed
    problems = check(scenario.SCENARIO_DIR / "hotpot-queue.yaml")[1]
    want = "hotpot-queue.yaml: title.fr: expected Français text, got nothing (line "
    assert any(p.startswith(want) for p in problems), problems[:3]


def test_a_text_is_a_mapping_of_the_languages():
    text = Text({"en": "Hello", "zh": "你好"})
    assert dict(text) == {"en": "Hello", "zh": "你好"} and len(text) == 2
    assert text("zh") == text["zh"] == text.zh == "你好"
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        text("fr")
    with pytest.raises(ValueError, match="fr"):
        Text(en="Hello", zh="你好", fr="Bonjour")
