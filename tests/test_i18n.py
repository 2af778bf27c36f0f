"""The catalogues: every key in every language, no fallback, and a new language is one file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from csat import i18n

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "csat"


def test_every_key_is_in_every_language_with_the_same_placeholders():
    assert i18n.problems() == []


def test_there_is_one_catalogue_per_language_and_no_other():
    assert sorted(p.stem for p in i18n.CATALOGUE_DIR.glob("*.yaml")) == sorted(i18n.LANGUAGES)


def test_unknown_languages_raise_and_missing_keys_name_the_file():
    with pytest.raises(i18n.UnknownLanguage, match="lang: expected one of en, zh, got 'fr'"):
        i18n.t("common.points", "fr")
    with pytest.raises(i18n.UnknownLanguage):
        i18n.Namespace("common")["fr"]
    with pytest.raises(i18n.MissingText, match=r"no 'common\.nope' in zh\.yaml"):
        i18n.t("common.nope", "zh")
    with pytest.raises(i18n.MissingText, match=r"no namespace 'nope' in en\.yaml"):
        i18n.table("nope", "en")


def test_a_catalogue_with_a_wrong_value_names_the_key(tmp_path, monkeypatch):
    (tmp_path / "en.yaml").write_text("common:\n  ok: fine\n  bad: [a, 3]\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.reload()
    try:
        with pytest.raises(ValueError, match=r"en\.yaml: common\.bad\[1\]: expected text, got 3"):
            i18n.catalogue("en")
    finally:
        i18n.reload()


def test_every_namespace_is_read_by_the_code():
    """A namespace no module reads is dead text that translators would keep up for nothing."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    code += "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.ipynb"))
    unused = [
        ns for ns in i18n.catalogue("en") if not re.search(rf"""["']{re.escape(ns)}[."']""", code)
    ]
    assert unused == []


def test_every_key_is_read_by_the_code():
    """A key no module names, literally or through a template such as ``f"source_{kind}"``
    (a mapping's keys, e.g. ``outcomes: {stays: …}``, are named by the code that reads the
    mapping), is dead text too."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    code += "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.ipynb"))
    # Templates that name a key: literal text and a placeholder, nothing else (f"{x}_what").
    found = re.findall(r"""f["']([A-Za-z_]*\{[A-Za-z_.]+\}[A-Za-z_]*)["']""", code)
    templates = [
        re.compile("^" + re.sub(r"\{[^}]*\}", r"\\w+", t) + "$")
        for t in found
        if len(re.sub(r"\{[^}]*\}", "", t)) >= 3
    ]
    dead = [
        f"{ns}.{key}"
        for ns, words in i18n.catalogue("en").items()
        if isinstance(words, dict)
        for key in words
        if not re.search(rf"""["'.]{re.escape(str(key))}["'.]""", code)
        and not any(t.match(str(key)) for t in templates)
    ]
    assert dead == [], f"keys no code reads: {dead}"


def test_the_reports_csv_headers_are_distinct_and_translated():
    """Each header of the report's CSV files names one column in every language (a file reads
    back through ``csat.exercises.spreadsheet.read``), and no language keeps another's."""
    headers = {}
    for lang in i18n.LANGUAGES:
        words = i18n.table("report_csv", lang)
        shown = [*words["columns"].values(), *words["dimensions"].values()]
        assert len(shown) == len(set(shown)), f"{lang}: two columns share a header"
        headers[lang] = dict(words["columns"], **words["dimensions"])
    for lang, names in headers.items():
        for other, theirs in headers.items():
            if other != lang:
                same = sorted(k for k in names if names[k] == theirs[k])
                assert same == [], f"{lang} headers left as in {other}: {same}"


def _pseudo(value):
    """A pseudo-translation: every text bracketed, placeholders kept."""
    if isinstance(value, list):
        return [_pseudo(v) for v in value]
    if isinstance(value, dict):
        return {k: _pseudo(v) for k, v in value.items()}
    return f"⟦{value}⟧"


# Run in a fresh interpreter: the language list is read when modules are imported, as it would
# be after a maintainer adds a language to csat/i18n/__init__.py.
PSEUDO_RUN = r"""
import json, sys
from pathlib import Path
from csat import i18n
i18n.LANGUAGES["xx"] = "Pseudo"
i18n.CATALOGUE_DIR = Path(sys.argv[1])
from matplotlib.text import Text
from csat import sim
from csat.lessons import plots

texts = {}
result = sim.run(sim.presets.get("hotel", population=1_000, days=21), rng=1)
fig = plots.dashboard(result, lang="xx")
texts["dashboard"] = [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]
texts["labels"] = list(plots.labels("xx").values())
print(json.dumps(texts))
"""


def test_a_new_language_is_one_catalogue_and_one_entry_and_nothing_falls_back(tmp_path):
    for path in i18n.CATALOGUE_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    english = yaml.safe_load((i18n.CATALOGUE_DIR / "en.yaml").read_text(encoding="utf-8"))
    (tmp_path / "xx.yaml").write_text(
        yaml.safe_dump(_pseudo(english), allow_unicode=True), encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-c", PSEUDO_RUN, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    texts = json.loads(done.stdout.splitlines()[-1])
    for where, found in texts.items():
        assert found, where
        # Numbers and tick labels carry no words; every text with a word is the pseudo one.
        worded = [t for t in found if re.search(r"[A-Za-z\u4e00-\u9fff]{2,}", t)]
        assert worded, where
        fallen = [t for t in worded if "⟦" not in t]
        assert fallen == [], f"{where}: fell back to another language: {fallen}"
