"""Every figure carries its own fonts: Chinese renders from the bundled font on any laptop,
nothing writes matplotlib's globals, and tables never need a font."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from csat import sim
from csat.lessons import plots, stories, style


def _draw(fig) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=30)


def _families(fig) -> set[str]:
    return {text.get_fontfamily()[0] for text in fig.findobj(Text) if text.get_text().strip()}


@pytest.fixture(scope="module")
def result():
    return sim.run(sim.presets.get("hotel", population=1_000, days=30), rng=1)


def test_the_bundled_font_is_used_without_any_system_font(monkeypatch):
    """What a Mac or Windows laptop gets: Noto Sans SC from the pip package, with a Bold."""
    if style._variable_font() is None:
        pytest.skip("the font package is not installed (JupyterLite)")
    monkeypatch.delenv("CSAT_CJK_FONT", raising=False)
    style._registered.cache_clear()
    style.cjk_font.cache_clear()
    assert style.cjk_font() == style.BUNDLED
    files = style.bundled_fonts()
    assert [f.name for f in files] == ["NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"]
    weights = {
        f.weight for f in matplotlib.font_manager.fontManager.ttflist if f.name == style.BUNDLED
    }
    assert {400, 700} <= {
        w if isinstance(w, int) else {"normal": 400, "bold": 700}[w] for w in weights
    }
    assert style.weight("zh") == "bold"


def test_chinese_figures_have_every_glyph_and_a_bold_title(result, caplog):
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("error")  # "Glyph … missing from font" is a UserWarning
        fig = plots.dashboard(result, lang="zh")
        _draw(fig)
    assert not caplog.records
    assert fig._suptitle.get_fontweight() == "bold"
    assert _families(fig) == {style.cjk_font()}


def test_no_figure_writes_matplotlibs_globals(result):
    before = dict(plt.rcParams)
    for lang in ("zh", "en"):
        _draw(plots.dashboard(result, lang=lang))
        _draw(stories.iceberg_figure("deck", lang=lang))
    plots.labels("zh")
    assert dict(plt.rcParams) == before


def test_an_english_figure_after_a_chinese_one_keeps_its_latin_font(result, caplog):
    _draw(plots.dashboard(result, lang="zh"))
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        fig = plots.dashboard(result, lang="en")
        _draw(fig)
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
    assert _families(fig) == {style.LATIN}
    assert fig._suptitle.get_fontweight() == "bold"


def test_a_chinese_name_in_an_english_figure_falls_back_to_the_cjk_font(result):
    assert style.rc("en") == {"font.family": [style.LATIN]}
    assert style.rc("en", "团队 Red")["font.family"] == [style.LATIN, style.cjk_font()]
    assert style.rc("zh", **{"font.size": 13}) == {
        "font.size": 13,
        "font.family": [style.cjk_font(), style.LATIN],
        "axes.unicode_minus": False,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draw(plots.dashboard(result, lang="en", title="团队 红 · Team Red"))


def test_csat_cjk_font_overrides_the_bundled_font(monkeypatch):
    regular = style.bundled_fonts()[0] if style._variable_font() else None
    if regular is None:
        pytest.skip("no font file to point at")
    monkeypatch.setenv("CSAT_CJK_FONT", str(regular))
    style._registered.cache_clear()
    try:
        assert style._registered() == style.BUNDLED
        monkeypatch.setenv("CSAT_CJK_FONT", "/no/such/font.ttf")
        style._registered.cache_clear()
        with pytest.raises(
            FileNotFoundError, match=r"CSAT_CJK_FONT: no font file at '/no/such/font.ttf'"
        ):
            style._registered()
    finally:
        monkeypatch.delenv("CSAT_CJK_FONT")
        style._registered.cache_clear()
        style.cjk_font.cache_clear()


def test_without_any_cjk_font_figures_fall_back_but_tables_stay_chinese(monkeypatch):
    monkeypatch.delenv("CSAT_CJK_FONT", raising=False)
    monkeypatch.setattr(style, "_variable_font", lambda: None)
    style._registered.cache_clear()
    style.cjk_font.cache_clear()
    try:
        with pytest.warns(UserWarning, match="No Chinese"):
            assert style.figure_lang("zh") == "en"
        assert plots.labels("zh") == plots.labels("en")
        assert stories.text("zh")["deck_tip"] != stories.text("en")["deck_tip"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in stories.text("zh")["deck_tip"])
    finally:
        style._registered.cache_clear()
        style.cjk_font.cache_clear()


def test_unknown_languages_are_refused():
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        style.figure_lang("fr")
