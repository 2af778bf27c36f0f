"""The capstone's answer keys: written by the game, and the shipped copies are current.

Playing every plan at every business takes a while, so the check of a shipped file is cheaper
than regenerating it: the whole capstone part is rewritten from the figures the file's tables
hold (the rules, the plans, their names and what they do, the order, every sentence under a
table must come out the same), and three plans of one business are played again with the game
itself, so the figures cannot be stale either.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import csat
from csat import i18n
from csat.exercises import capstone_key
from csat.sim import capstone as game
from csat.sim import presets

GUIDE = Path(csat.__file__).parent / "guide"
REPLAYED = ("hotel", ("basics", "lowered", "bold"))
"""The business and plans played again: every lever kind, and the promise both ways."""
ROW = re.compile(
    r"^\| (?P<rank>\d+) \| \*\*.+?\*\* \(`(?P<team>\w+)`\) \| .+? \| (?P<value>¥-?[\d,]+) "
    r"\| (?P<profit_after_spend>¥-?[\d,]+) \| (?P<customer_value>¥-?[\d,]+) "
    r"\| (?P<customers_end>[\d,]+) \| (?P<dissatisfied_share>[\d.]+)% \|$"
)


def _capstone_part(text: str, lang: str) -> str:
    head = f"\n# {capstone_key.WORDS[lang]['title']}\n"
    assert text.count(head) == 1, "no capstone part"
    return text[text.index(head) + 1 :]


def _number(text: str) -> int:
    return int(text.replace("¥", "").replace(",", ""))


def _rows(part: str) -> dict[str, list[dict]]:
    """The figures of each business's table, by business, as ``Outcome.as_row`` names them."""
    rows: dict[str, list[dict]] = {}
    business = None
    for line in part.splitlines():
        if line.startswith("## "):
            business = line.rsplit("`", 2)[-2]
            rows[business] = []
        elif m := ROW.match(line):
            row = {k: _number(m[k]) for k in capstone_key.COLUMNS[:4]}
            row["dissatisfied_share"] = round(float(m["dissatisfied_share"]) / 100, 3)
            rows[business].append({"team": m["team"], **row})
    return rows


@pytest.fixture(scope="module")
def replayed() -> dict[str, dict]:
    """The replayed plans' rows, played with the game's own call, as the console plays it."""
    business, pids = REPLAYED
    plans = capstone_key.plans(business)
    return {
        pid: game.play(plans[pid], business=business, runs=capstone_key.RUNS).as_row()
        for pid in pids
    }


def _problems(text: str, lang: str, replayed: dict[str, dict]) -> list[str]:
    """What is stale in the answer-keys text ``text`` (of ``lang``): empty when it is current."""
    try:
        part = _capstone_part(text, lang)
    except AssertionError as err:
        return [str(err)]
    rows = _rows(part)
    found = []
    if list(rows) != presets.playable():
        found.append(f"businesses {list(rows)}, not the playable {presets.playable()}")
    else:
        try:
            again = capstone_key.part(presets.playable(), lang, rows)
        except ValueError as err:
            again = str(err)
        if part != again:
            found.append("the capstone part is not what the code writes from its own figures")
    business, _ = REPLAYED
    section = part.split(f"(`{business}`)\n", 1)[-1].split("\n## ", 1)[0]
    for pid, row in replayed.items():
        if f"| {capstone_key.row(business, row, lang)}" not in section:
            found.append(f"{business}: the row of {pid} is not what the game plays")
    return found


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_shipped_capstone_keys_are_current(lang, replayed):
    shipped = (GUIDE / f"answer-keys.{lang}.md").read_text(encoding="utf-8")
    assert _problems(shipped, lang, replayed) == [], (
        f"csat/guide/answer-keys.{lang}.md is out of date: "
        f"python -m csat exercises answers --lang {lang} --out csat/guide/answer-keys.{lang}.md"
    )


def test_a_stale_file_is_caught(replayed):
    """The check fails on a file the code would not write now: a figure, the order, a rule."""
    lang = "en"
    shipped = (GUIDE / f"answer-keys.{lang}.md").read_text(encoding="utf-8")
    part = _capstone_part(shipped, lang)
    hotel = part.split("(`hotel`)\n", 1)[1].split("\n## ", 1)[0]
    basics = next(line for line in hotel.splitlines() if "(`basics`)" in line)
    first = next(line for line in hotel.splitlines() if line.startswith("| 1 |"))
    value = ROW.match(basics)["value"]
    stale = [
        # a replayed plan's figure, as an older simulator would have written it
        shipped.replace(basics, basics.replace(value, value[:-1] + str(int(value[-1]) ^ 1))),
        # two rows swapped: the ranks no longer follow business value
        shipped.replace(basics, "\0").replace(first, basics).replace("\0", first),
        # a rule from another budget
        shipped.replace(f"**{capstone_key.money(game.budget('hotel'))}**", "**¥1**", 1),
        # a sentence the figures do not support
        shipped.replace("Prevention beat recovery", "Recovery beat prevention", 1),
        # no capstone part at all
        shipped[: shipped.index(f"\n# {capstone_key.WORDS[lang]['title']}\n")],
    ]
    for i, text in enumerate(stale):
        assert text != shipped, f"stale copy {i} changed nothing"
        assert _problems(text, lang, replayed), f"stale copy {i} passed the check"


def test_the_plans_are_played_as_a_teams_console_plays_them():
    """The key's plays are the console's: the game's ``play`` with the console's seeds, at the
    whole market (the console's default population)."""
    from csat.ui.capstone import Console

    defaults = inspect.signature(Console).parameters
    assert defaults["runs"].default == capstone_key.RUNS
    assert defaults["population"].default is None


def test_every_business_gets_the_same_named_plans_and_each_spends_as_documented():
    for business in presets.playable():
        plans = capstone_key.plans(business)
        assert list(plans) == list(capstone_key.plans("hotel"))
        for pid, plan in plans.items():
            assert plan.team == pid
            spends = pid in capstone_key.SPENDERS
            assert plan.spent_share == pytest.approx(1.0 if spends else 0.0)
            for lang in i18n.LANGUAGES:
                assert capstone_key.plan_name(pid, lang).strip()
    assert len(capstone_key.plans("hotel")) == 14


def test_a_section_says_what_its_figures_show_and_nothing_they_do_not():
    """The sentences follow the figures: swap which plan won and the sentence turns round."""
    business = "hotel"
    rows = [
        {"team": pid, "value": 1_000 + i, "profit_after_spend": 0, "customer_value": 0,
         "customers_end": 100, "dissatisfied_share": 0.1}
        for i, pid in enumerate(capstone_key.plans(business))
    ]  # fmt: skip
    by = {r["team"]: r for r in rows}
    by["all_training"]["value"] = 5_000  # recovery above every dimension and every spread plan
    by["bold"]["value"] = 9_000  # the bold promise on top
    text = capstone_key.section(business, "en", rows)
    words = capstone_key.WORDS["en"]["lessons"]
    assert words["single_best"].split(":")[0] in text
    assert words["recovery"].split(":")[0] in text
    assert words["bold_pays"].split(":")[0] in text
    assert words["spread_all"].split(":")[0] not in text
    assert "Prevention beat recovery" not in text
    assert text.index("(`bold`)") < text.index("(`all_training`)")  # ranked by value
    with pytest.raises(ValueError, match="rows must hold each of"):
        capstone_key.section(business, "en", rows[:-1])
