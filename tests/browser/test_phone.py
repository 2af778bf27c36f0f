"""On a phone's screen (360 and 390 px): hub, role-play, scorecard, quiz and observer sheet,
nothing past the edge, nothing fetched from beyond the machine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from csat.exercises.scenario import load

from .conftest import _shot, offline
from .test_voila import SCENARIO, play_best_path

PAST_THE_EDGE = """() => {
  const root = document.querySelector('.csat-root').getBoundingClientRect();
  const edge = Math.min(root.right, window.innerWidth);
  const over = Array.from(document.querySelectorAll(
      '.csat-root input, .csat-root select, .csat-root button, .csat-root td,'
      + ' .csat-root textarea, .csat-root label, .csat-root .widget-html-content'))
    .filter(e => e.offsetParent !== null)
    .map(e => Math.ceil(e.getBoundingClientRect().right - edge));
  return Math.max(document.documentElement.scrollWidth - window.innerWidth, ...over);
}"""


def past_the_edge(page) -> int:
    """How far any control or text reaches past the exercise's own box and past the screen, in
    pixels (clipped counts as much as scrolled: a field cut off at the edge cannot be read
    either); 0 or less when everything fits."""
    return page.evaluate(PAST_THE_EDGE)


def test_a_phone_at_390_px_plays_a_role_play_without_sideways_scrolling(browser, voila, tmp_path):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    outside = offline(phone)
    page = phone.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{voila.url}/voila/render/hub.ipynb")
    page.wait_for_selector(".csat-hub .csat-name input")
    widths = {}

    def measure(stage: str) -> None:
        _shot(page, tmp_path, f"phone-390-{stage}")
        # The right edge of every control and text on screen: clipped counts as much as
        # scrolled, since a field cut off at the edge cannot be read either.
        # How far any control or text reaches past the exercise's own box (clipped counts as
        # much as scrolled: a field cut off at the edge cannot be read either), and past the
        # screen.
        widths[stage] = past_the_edge(page)

    measure("hub")
    page.locator(".csat-hub .csat-lang button", has_text="中文").click()
    page.fill(".csat-hub .csat-name input", "手机学员")
    scenario = load(SCENARIO)
    page.select_option(".csat-picker select", label=f"角色扮演：{scenario.title.zh}")
    page.click(".csat-open")
    page.wait_for_selector(".csat-roleplay .csat-choice")
    measure("roleplay")
    play_best_path(page, scenario, "zh")
    measure("scorecard")
    card = tmp_path / "phone-390-scorecard-card.png"  # the whole card, scrolled or not
    page.locator(".csat-scorecard").screenshot(path=str(card))
    if os.environ.get("CSAT_SHOTS"):
        shutil.copy(card, Path(os.environ["CSAT_SHOTS"]) / card.name)
    # A dimension's name reads on one line, not one character a line.
    heights = page.eval_on_selector_all(
        ".csat-dimensions td:first-child", "tds => tds.map(td => td.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 60, f"dimension names wrap: row heights {heights}"
    phone.close()
    assert outside == []
    assert all(w <= 0 for w in widths.values()), f"pixels past the edge, by stage: {widths}"


@pytest.mark.parametrize("width", [360, 390])
def test_a_phone_takes_a_quiz_and_fills_the_observer_sheet_without_sideways_scrolling(
    browser, voila, tmp_path, width
):
    phone = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    outside = offline(phone)
    page = phone.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{voila.url}/voila/render/hub.ipynb")
    page.wait_for_selector(".csat-hub .csat-name input")
    page.locator(".csat-hub .csat-lang button", has_text="中文").click()
    page.fill(".csat-hub .csat-name input", f"手机 {width}")
    widths = {"hub": past_the_edge(page)}
    from csat.exercises import quiz
    from csat.ui.common import _t

    warm_up = quiz.load("warm-up-quiz").title("zh")
    page.select_option(".csat-picker select", label=f"{_t('zh', 'quiz_label')}：{warm_up}")
    page.click(".csat-open")
    page.wait_for_selector(".csat-quiz .csat-quiz-options .widget-radio-box label")
    widths["quiz"] = past_the_edge(page)
    page.locator(".csat-quiz .csat-quiz-options .widget-radio-box label").first.click()
    page.click(".csat-quiz .csat-submit")
    page.wait_for_selector(".csat-quiz .csat-explanation .widget-html-content")
    widths["quiz answered"] = past_the_edge(page)
    _shot(page, tmp_path, f"phone-{width}-quiz")
    page.select_option(".csat-picker select", label=_t("zh", "observer_label"))
    page.click(".csat-open")
    page.wait_for_selector(".csat-observer .csat-save")
    widths["observer"] = past_the_edge(page)
    _shot(page, tmp_path, f"phone-{width}-observer")
    phone.close()
    assert outside == []
    assert all(w <= 0 for w in widths.values()), f"pixels past the edge, by stage: {widths}"
