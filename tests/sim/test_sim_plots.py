"""Dashboard fonts: a Chinese figure never leaks its font into a later English one."""

from __future__ import annotations

import io
import logging

import pytest

from csat import sim
from csat.lessons.plots import cjk_font, dashboard, font_rc


def test_english_after_chinese_draws_without_font_warnings(caplog):
    if cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    result = sim.run(sim.presets.get("hotel", population=1_000, days=30), rng=1)
    with caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
        for lang in ("zh", "en"):
            dashboard(result, lang=lang).savefig(io.BytesIO(), format="png", dpi=40)
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
    assert font_rc("en") == {"font.family": ["DejaVu Sans"]}
    assert font_rc("en", text="团队 Red") == {"font.family": ["DejaVu Sans", cjk_font()]}
    assert font_rc("zh")["font.family"][0] == cjk_font()


def test_a_chinese_name_in_an_english_figure_has_glyphs(caplog):
    if cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    result = sim.run(sim.presets.get("hotel", population=1_000, days=30), rng=1)
    with caplog.at_level(logging.WARNING):
        fig = dashboard(result, lang="en", title="团队 红 · Team Red")
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    assert not [r for r in caplog.records if "font" in r.getMessage()]
