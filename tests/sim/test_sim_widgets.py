"""The explorer re-runs the simulator when a slider moves, and shows what it ran."""

import pytest

from csat.ui.explorers import CONTROLS, Explorer, headline_html


def test_moving_a_slider_reruns_with_the_new_value():
    ex = Explorer("hotel", controls=["recovery.resolution_rate"], population=3_000, days=60)
    before = ex.image.value
    ex.sliders["recovery.resolution_rate"].value = 1.0
    assert ex.result.params.recovery.resolution_rate == 1.0
    assert ex.image.value[:4] == b"\x89PNG" and ex.image.value != before
    assert "Retention per year" in ex.headlines.value


def test_an_impossible_combination_is_explained_not_raised():
    ex = Explorer("hotel", controls=["complaints.front_line"], population=2_000, days=30)
    ex.sliders["complaints.front_line"].value = 0.0  # below the head-office share
    assert "head_office must be &lt;= front_line" in ex.headlines.value


def test_sliders_start_at_the_preset_values_and_speak_chinese():
    ex = Explorer("car_dealer", controls=list(CONTROLS), population=2_000, days=20, lang="zh")
    assert ex.sliders["complaints.front_line"].value == 0.5
    assert ex.sliders["expectations.promise"].description == "服务承诺（0–10）"
    assert "年保留率" in ex.headlines.value


def test_unknown_control_is_refused():
    with pytest.raises(ValueError, match=r"Explorer: controls must be among \["):
        Explorer("hotel", controls=["colour"])


def test_headlines_escape_and_format():
    from csat import sim

    html = headline_html(sim.run(sim.Params(population=1_000, days=30), rng=1))
    assert html.startswith("<table class='sim-headlines'")
    assert "%" in html
