"""The capstone game: plans are validated, levers do what the rules say, teams are ranked fairly."""

from __future__ import annotations

import math

import pytest

from csat.sim import capstone, presets
from csat.sim.capstone import Plan, apply, leaderboard, play

BASE = presets.get("hotel")
SMALL = 4_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"team": ""}, "Plan.team must be a non-empty name, got ''"),
        ({"team": "x" * 41}, "Plan.team must be at most 40 characters, got 41"),
        ({"team": "A", "training": 1.2}, "Plan.training must be a share in [0, 1], got 1.2"),
        ({"team": "A", "quality": (0, 0, -0.1, 0, 0)}, "Plan.quality[assurance] must be a share"),
        ({"team": "A", "quality": (0.1, 0.2)}, "Plan.quality must be 5 shares"),
        ({"team": "A", "training": 0.6, "speed": 0.6}, "Plan spends 120% of the budget"),
        ({"team": "A", "promise": 11}, "Plan.promise must be in [0, 10], got 11"),
    ],
)
def test_bad_plans_are_refused_with_the_reason(kwargs, message):
    with pytest.raises(ValueError) as info:
        Plan(**kwargs)
    assert str(info.value).startswith(message)


def test_levers_follow_the_documented_rules():
    nothing = apply(Plan(team="A"), BASE)
    assert nothing.recovery == BASE.recovery and nothing.service == BASE.service
    half = apply(Plan(team="A", training=0.5, quality=(0.5, 0, 0, 0, 0)), BASE)
    effect = 1 - math.exp(-3 * 0.5)
    r0 = BASE.recovery.resolution_rate
    assert half.recovery.resolution_rate == pytest.approx(r0 + (0.95 - r0) * effect)
    assert half.service.quality[0] == pytest.approx(min(10, BASE.service.quality[0] + 1.5 * effect))
    assert half.service.quality[1:] == BASE.service.quality[1:]
    assert half.service.spread[0] < BASE.service.spread[0]
    # Diminishing returns: the first half of the budget buys more than the second.
    full = apply(Plan(team="A", training=1.0), BASE).recovery.resolution_rate
    assert half.recovery.resolution_rate - r0 > full - half.recovery.resolution_rate
    bold = apply(Plan(team="A", promise=BASE.expectations.promise + 1), BASE)
    assert bold.innovation == pytest.approx(BASE.innovation * math.e)
    assert bold.expectations.promise == BASE.expectations.promise + 1


def test_same_plan_same_result_and_spend_is_the_share_of_budget():
    plan = Plan(team="A", training=0.25, speed=0.25, quality=(0.2, 0.1, 0, 0, 0))
    one = play(plan, business="hotel", runs=2, population=SMALL)
    two = play(plan, business="hotel", runs=2, population=SMALL)
    assert one.value == two.value
    assert one.spent == pytest.approx(0.8 * one.budget)
    assert one.budget == capstone.budget("hotel", population=SMALL) > 0


def test_over_promising_loses_value_to_a_balanced_plan():
    balanced = play(
        Plan(team="Balanced", training=0.3, speed=0.2, quality=(0.3, 0.1, 0, 0.1, 0)),
        business="hotel",
        population=SMALL,
    )
    hype = play(Plan(team="Hype", promise=9.5), business="hotel", population=SMALL)
    assert hype.dissatisfied_share > 3 * balanced.dissatisfied_share
    assert balanced.value > hype.value
    board = leaderboard([hype, balanced])
    assert list(board["team"]) == ["Balanced", "Hype"]
    assert list(board.index) == [1, 2] and board.index.name == "rank"
    assert leaderboard([]).empty


def test_runs_out_of_range():
    with pytest.raises(ValueError, match=r"play runs must be in \[1, 5\], got 9"):
        play(Plan(team="A"), runs=9)


# -- one registry per concept ----------------------------------------------------------------


def test_catalogue_namespaces_are_the_registries():
    from csat import i18n
    from csat.sim.params import SERVQUAL
    from csat.sim.state import CAUSES

    for lang in i18n.codes():
        assert list(i18n.table("business", lang)) == presets.names(), lang
        assert list(i18n.table("servqual", lang)) == list(SERVQUAL), lang
        assert list(i18n.table("cause", lang)) == list(CAUSES), lang


def test_a_preset_added_to_the_registry_is_playable_everywhere(monkeypatch, tmp_path):
    """Register a business (a preset and its two labels) and nothing else: the scenario
    validator, the capstone's list and its labels all take it."""
    import shutil

    import yaml

    from csat import i18n
    from csat.exercises import scenario
    from csat.ui import capstone as room

    new = presets.Preset("bike_shop", "Bike shop", "自行车店", presets._PRESETS["hotel"].build)
    monkeypatch.setitem(presets._PRESETS, "bike_shop", new)
    for lang, label in (("en", "Bike shop"), ("zh", "自行车店")):
        src = i18n.catalogue_path(lang)
        shutil.copy(src, tmp_path / src.name)
        data = yaml.safe_load((tmp_path / src.name).read_text(encoding="utf-8"))
        data["business"]["bike_shop"] = label
        (tmp_path / src.name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.reload()
    try:
        assert "bike_shop" in presets.playable()
        assert "bike_shop" in room.businesses() and "bike_shop" in room.BUSINESSES
        assert room.BUSINESS_NAMES["zh"]["bike_shop"] == "自行车店"
        data = yaml.safe_load(
            (scenario.SCENARIO_DIR / "hotpot-queue.yaml").read_text(encoding="utf-8")
        )
        data["business"] = "bike_shop"
        assert scenario.Scenario.model_validate(data).business == "bike_shop"
        data["business"] = "bike_shops"
        with pytest.raises(Exception, match="bike_shop"):
            scenario.Scenario.model_validate(data)
        console = room.Console(business="bike_shop")
        assert ("Bike shop", "bike_shop") in console.business.options
    finally:
        monkeypatch.undo()
        i18n.reload()


def test_teaching_variants_are_not_capstone_businesses():
    from csat.ui import capstone as room

    assert "deck_folklore" in presets.names()
    assert "deck_folklore" not in room.businesses()
