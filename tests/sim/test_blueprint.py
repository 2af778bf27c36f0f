"""Service blueprints: the table is checked, and the drawing has every step, lane, line and
fail point (csat/lessons/blueprint.py)."""

import matplotlib
import pytest

from csat.lessons import blueprint
from csat.lessons.blueprint import HOTEL_STAY, LINES, Blueprint

matplotlib.use("Agg")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [fig.axes[0].get_title()]


def squash(text):
    return "".join(text.split())


@pytest.fixture(scope="module")
def hotel():
    return Blueprint.from_rows(HOTEL_STAY)


def test_the_hotel_stay_has_the_six_steps_of_the_course(hotel):
    assert [s.name["en"] for s in hotel.steps] == [
        "Arrive",
        "Porter",
        "Check in",
        "Room",
        "Room service",
        "Checkout",
    ]
    assert all(s.lanes["customer"] and s.standard for s in hotel.steps)
    assert len(hotel.fail_points()) == 6


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_drawing_has_every_step_lane_line_and_standard(hotel, lang):
    fig = blueprint.draw(hotel, lang=lang)
    words = squash("".join(texts(fig)))
    for s in hotel.steps:
        assert squash(s.name[lang]) in words
        assert squash(s.standard[lang]) in words
    for lane in blueprint.LANES:
        assert squash(blueprint.lane_name(lane, lang)) in words
    for line in LINES.values():
        assert squash(blueprint.line_name(line, lang)) in words
    ax = fig.axes[0]
    assert [ln.get_gid() for ln in ax.lines].count("line-of-visibility") == 1


def test_every_fail_point_is_marked_and_listed(hotel):
    fig = blueprint.draw(hotel)
    ax = fig.axes[0]
    marks = [ln for ln in ax.lines if ln.get_gid() == "fail-point"]
    assert len(marks) == len(hotel.fail_points())
    listed = [t for t in texts(fig) if t[:1] == "F" and t[1:2].isdigit() and " " in t]
    assert len(listed) == 6 and listed[0].startswith("F1 Arrive")
    assert "5 of them behind the line of visibility" in ax.get_title()


def test_the_title_says_all_when_every_fail_point_is_hidden():
    rows = [blueprint.HOTEL_STAY[2], blueprint.HOTEL_STAY[3]]
    bp = Blueprint.from_rows(rows, title=("An evening", "一个晚上"))
    lanes = [lane for _i, lane, _text in bp.fail_points()]
    assert lanes and all(lane in ("back", "support") for lane in lanes)
    en = blueprint.draw(bp).axes[0].get_title()
    zh = blueprint.draw(bp, lang="zh").axes[0].get_title()
    assert f"all {len(lanes)} behind the line of visibility" in en and "of them" not in en
    assert "全部在可视分界线之后" in zh


def test_fail_points_sit_in_their_lane(hotel):
    fig = blueprint.draw(hotel)
    ax = fig.axes[0]
    visibility_y = next(ln for ln in ax.lines if ln.get_gid() == "line-of-visibility").get_ydata()[
        0
    ]
    marks = [ln for ln in ax.lines if ln.get_gid() == "fail-point"]
    for (_i, lane, _t), mark in zip(hotel.fail_points(), marks, strict=True):
        below = mark.get_ydata()[0] < visibility_y
        assert below == (lane in ("back", "support"))


def test_any_service_can_be_blueprinted_from_its_rows():
    rows = [
        {"step": ("Book", "预约"), "customer": ("Calls to book", "打电话预约")},
        {
            "step": ("Hand over", "交车"),
            "customer": ("Collects the car", "提车"),
            "front": ("Advisor explains the work", "顾问讲解维修内容"),
            "fails": [("front", ("Nobody explains", "没人讲解"))],
        },
    ]
    bp = Blueprint.from_rows(rows, title=("Car service", "汽车保养"))
    fig = blueprint.draw(bp)
    words = "\n".join(texts(fig))
    assert "1. Book" in words and "2. Hand over" in words and "Car service" in words
    assert bp.table().shape == (6, 2)


def test_a_broken_table_lists_every_problem_at_once():
    rows = [
        {"step": ("Arrive", "到达")},  # no customer action
        {"step": ("Pay", ""), "customer": ("Pays", "付款")},  # empty Chinese
        {
            "step": ("Leave", "离开"),
            "customer": ("Leaves", "离开"),
            "fails": [("kitchen", ("x", "x"))],
        },
        {"step": ("Wait", "等"), "customer": ("Waits", "等"), "colour": "red"},
    ]
    with pytest.raises(ValueError) as err:
        Blueprint.from_rows(rows)
    msg = str(err.value)
    for needle in ("row 0.customer", "row 1.step", "row 2.fails[0]", "row 3: unknown columns"):
        assert needle in msg
    with pytest.raises(ValueError):
        Blueprint.from_rows([])


def test_chinese_wrapping_keeps_numbers_whole_and_never_starts_a_line_with_punctuation():
    for row in HOTEL_STAY:
        for key, value in row.items():
            if key in ("step", "fails"):
                continue
            lines = blueprint._wrap(value["zh"], "zh").split("\n")
            assert "".join(lines) == value["zh"]
            assert all(line and line[0] not in "、，；：" for line in lines)
    assert "30分钟" in blueprint._wrap("3声内接听；30分钟内送到", "zh")


def test_unknown_language_is_refused(hotel):
    with pytest.raises(ValueError, match=r"lang: expected one of en, zh, got 'fr'"):
        blueprint.draw(hotel, lang="fr")


def test_a_table_joins_each_language_its_own_way(hotel):
    assert "Front stage (staff, seen)" in hotel.table("en").index
    assert "前台（看得见的员工行为）" in hotel.table("zh").index


def test_texts_come_as_pairs_or_as_one_mapping_per_language():
    pairs = Blueprint.from_rows([{"step": ("Book", "预约"), "customer": ("Calls", "打电话")}])
    mapped = Blueprint.from_rows(
        [{"step": {"en": "Book", "zh": "预约"}, "customer": {"en": "Calls", "zh": "打电话"}}]
    )
    assert pairs.steps == mapped.steps
    assert pairs.title == {"en": "Overnight hotel stay", "zh": "酒店住宿一晚"}
    with pytest.raises(ValueError, match=r"row 0\.step needs a non-empty text in every language"):
        Blueprint.from_rows([{"step": {"en": "Book"}, "customer": ("Calls", "打电话")}])


def test_a_third_language_needs_only_its_catalogue(monkeypatch, tmp_path):
    """Add 'fr' (a copy of the English catalogue): a blueprint whose rows give three texts
    draws in French without any code knowing the language."""
    from csat import i18n

    for lang in i18n.LANGUAGES:
        (tmp_path / f"{lang}.yaml").write_bytes(i18n.catalogue_path(lang).read_bytes())
    (tmp_path / "fr.yaml").write_bytes(i18n.catalogue_path("en").read_bytes())
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "LANGUAGES", {**i18n.LANGUAGES, "fr": "Français"})
    i18n.reload()
    try:
        rows = [{"step": ("Book", "预约", "Réserver"), "customer": ("Calls", "打电话", "Appelle")}]
        bp = Blueprint.from_rows(rows, title=("Booking", "预约", "Réservation"))
        words = "\n".join(texts(blueprint.draw(bp, lang="fr")))
        assert "1. Réserver" in words and "Appelle" in words and "Line of visibility" in words
        with pytest.raises(ValueError, match="one text per language"):
            Blueprint.from_rows([{"step": ("Book", "预约"), "customer": ("Calls", "打电话")}])
    finally:
        i18n.reload()
