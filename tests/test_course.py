"""The course notebooks: present, executed, thin, bilingual, and covering the brief.

nbval (run by ``make test``) checks that each stored output is what the notebook produces today;
this file checks the house rules nbval cannot see.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

COURSE = Path(__file__).resolve().parent.parent / "csat" / "course"
NOTEBOOKS = [
    "00-welcome.ipynb",
    "01-S1-expectation-vs-experience.ipynb",
    "02-S2-service-quality.ipynb",
    "03-S3-measuring-satisfaction.ipynb",
    "04-S4-loyalty-and-value.ipynb",
    "05-C1-complaint-iceberg.ipynb",
    "06-C2-handling-complaints.ipynb",
    "07-C3-service-recovery.ipynb",
    "08-C4-word-of-mouth.ipynb",
    "09-capstone.ipynb",
]
PRESENT = sorted(p.name for p in COURSE.glob("*.ipynb"))
MAX_LINES = 15
CJK = re.compile(r"[\u4e00-\u9fff]")


def load(name: str) -> dict:
    return json.loads((COURSE / name).read_text(encoding="utf-8"))


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def headings(nb) -> list[str]:
    return [
        line.lstrip("#").strip()
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for line in source(cell).splitlines()
        if line.startswith("#")
    ]


def test_the_workshop_has_every_notebook_in_order():
    assert PRESENT == NOTEBOOKS


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_is_committed_executed(name):
    nb = load(name)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{name} has no code"
    unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unrun, f"{name}: code cells {unrun} have not been run"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), (
        f"{name}: run it top to bottom in a fresh kernel (make notebooks)"
    )
    assert sum(bool(c.get("outputs")) for c in code) >= len(code) // 2, f"{name}: few outputs"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", PRESENT)
def test_house_rules(name):
    nb = load(name)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert source(code[0]).splitlines()[0].strip() == "%matplotlib inline", (
        f"{name}: the first code cell starts with %matplotlib inline"
    )
    for i, cell in enumerate(code):
        text = source(cell)
        lines = text.splitlines()
        assert len(lines) <= MAX_LINES, (
            f"{name}: code cell {i} has {len(lines)} lines; move logic into sim/ or exercises/"
        )
        assert not text.rstrip().endswith(";"), f"{name}: code cell {i} ends with ';'"
        tags = cell.get("metadata", {}).get("tags", [])
        if "nbval-ignore-output" in tags:
            assert lines and lines[0].startswith("# "), (
                f"{name}: code cell {i} ignores its output; its first line must say why"
            )
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{name}: code cell {i} raised an error"
            if out.get("name") == "stderr":
                raise AssertionError(f"{name}: code cell {i} wrote to stderr: {out['text'][:200]}")


@pytest.mark.parametrize("name", PRESENT)
def test_opens_with_goals_and_timing_and_ends_with_an_exercise(name):
    nb = load(name)
    first = source(nb["cells"][0])
    assert nb["cells"][0]["cell_type"] == "markdown"
    assert "Learning goals" in first and "学习目标" in first, f"{name}: goals in en and zh"
    assert re.search(r"\b\d{1,3}\s*(–\s*\d{1,3}\s*)?min", first), f"{name}: timing in minutes"
    titles = headings(nb)
    if name != "00-welcome.ipynb":
        assert any("Exercise" in h for h in titles[-4:]), f"{name}: end with an exercise"


@pytest.mark.parametrize("name", PRESENT)
def test_key_terms_carry_chinese_and_no_answer_keys_or_machine_paths(name):
    nb = load(name)
    text = "\n".join(source(c) for c in nb["cells"])
    outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)
    assert len(CJK.findall(text)) >= 40, f"{name}: key terms need their Chinese names"
    for needle in ("Answer key", "答案要点", "/work/", "/tmp/", "/root/", "/home/"):
        assert needle not in text, f"{name} contains {needle!r}"
        if needle.startswith("/"):
            assert needle not in outputs, f"{name} outputs contain {needle!r}"


def test_coverage_maps_every_brief_item_to_an_existing_section():
    coverage = yaml.safe_load((COURSE / "coverage.yaml").read_text(encoding="utf-8"))
    items = (
        [f"S{i}" for i in range(1, 13)]
        + [f"C{i}" for i in range(1, 8)]
        + [f"R{i}" for i in range(1, 7)]
    )
    assert sorted(coverage) == sorted(items)
    missing = []
    for item in items:
        entry = coverage[item]
        path = COURSE / entry["notebook"]
        if not path.exists():
            missing.append(f"{item}: {entry['notebook']} does not exist")
            continue
        found = [h for h in headings(load(entry["notebook"])) if entry["section"] in h]
        if not found:
            missing.append(f"{item}: no heading with {entry['section']!r} in {entry['notebook']}")
    assert not missing, "\n".join(missing)


def test_trainer_guide_covers_every_notebook():
    guide = (COURSE.parent / "guide" / "trainer-guide.md").read_text(encoding="utf-8")
    for required in ("One-day agenda", "Two-day agenda", "observer", "When the simulator"):
        assert required in guide, f"trainer guide lacks {required!r}"
    for name in NOTEBOOKS:
        stem = name.removesuffix(".ipynb")
        heading = f"\n## `{stem}`"
        assert heading in guide, f"trainer guide has no section for {stem}"
        if name not in ("00-welcome.ipynb",):
            section = guide.split(heading, 1)[1].split("\n## ", 1)[0]
            assert "Answer key" in section, f"trainer guide: {stem} needs answer keys"


def test_no_trainer_material_in_the_folder_trainees_browse():
    """Answer keys and the trainer guide sit in csat/guide (trainer/ after csat init)."""
    trainee_side = {p.name for p in COURSE.iterdir()}
    assert not {n for n in trainee_side if "answer" in n or "trainer" in n}
