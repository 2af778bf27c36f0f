"""A trainee and a trainer in a real browser, on the Voilà app (no code visible)."""

from __future__ import annotations

import contextlib
import re
import time

import pytest

from csat.exercises.engine import Session
from csat.exercises.scenario import load
from csat.exercises.store import Store

from .conftest import _shot, offline

SCENARIO = "hotpot-queue"

LATIN_ONLY = {"DejaVu Sans", "DejaVu Sans Mono", "Liberation Sans", "Liberation Serif", "Arial"}


def fonts_drawing(page, selector: str) -> dict[str, int]:
    """The fonts Chromium really drew the text of ``selector`` with, and how many glyphs each
    (DevTools' CSS.getPlatformFontsForNode): missing-glyph boxes leave a Latin-only font or
    none, so this tells whether Chinese shows as Chinese."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    found: dict[str, int] = {}
    for child in [
        node,
        *cdp.send("DOM.querySelectorAll", {"nodeId": node, "selector": "*"})["nodeIds"],
    ]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": child})["fonts"]:
            found[font["familyName"]] = found.get(font["familyName"], 0) + font["glyphCount"]
    return found


def open_hub(page, voila, name: str):
    page.goto(f"{voila.url}/voila/render/hub.ipynb")
    page.wait_for_selector(".csat-hub .csat-name input")
    assert "import" not in page.inner_text("body"), "code is visible to the trainee"
    page.fill(".csat-hub .csat-name input", name)
    scenario = load(SCENARIO)
    page.select_option(".csat-picker select", label=f"Role-play: {scenario.title.en}")
    page.click(".csat-open")
    page.wait_for_selector(".csat-roleplay .csat-choice")
    return scenario


def play_best_path(page, scenario, lang="en"):
    for node, choice in scenario.best_path():
        line = scenario.nodes[node].customer(lang)[:30]
        page.wait_for_function(
            "t => document.querySelector('.csat-chat').innerText.includes(t)", arg=line
        )
        page.click(f".csat-choice-{choice}")
    page.wait_for_selector(".csat-scorecard:has-text('100/100')")


def test_trainee_plays_a_scenario_to_the_end_and_every_decision_is_stored(page, voila):
    scenario = open_hub(page, voila, "Wang Fang")
    page.shot("voila-hub-started")
    play_best_path(page, scenario)
    card = page.inner_text(".csat-scorecard")
    assert "100/100" in card and scenario.endings[scenario.best_ending()].title.en in card
    page.shot("voila-scorecard")
    with Store(voila.db_url) as store:
        attempts = store.attempts(exercise_id=SCENARIO, finished_only=True)
        mine = attempts[attempts["display_name"] == "Wang Fang"]
        assert len(mine) == 1 and mine.iloc[0]["total"] == 100.0
        decisions = store.decisions(int(mine.iloc[0]["attempt_id"]))
        assert [(d.node, d.choice) for d in decisions] == scenario.best_path()
    # voila.py keeps out the JupyterLab extensions that break outside JupyterLab.
    assert page.errors == []


def test_language_switch_shows_chinese_that_renders(page, voila):
    scenario = open_hub(page, voila, "李雷")
    page.locator(".csat-hub .csat-lang button", has_text="中文").first.click()
    line = scenario.nodes[scenario.start].customer.zh
    page.wait_for_selector(f".csat-chat:has-text('{line[:8]}')")
    assert scenario.nodes[scenario.start].customer.en[:20] not in page.inner_text(".csat-chat")
    drawn = fonts_drawing(page, ".csat-chat")
    cjk = {family: n for family, n in drawn.items() if family not in LATIN_ONLY}
    assert sum(cjk.values()) >= len(line), f"Chinese drawn as missing-glyph boxes: {drawn}"
    page.shot("voila-chinese")


TRAINER_CODE = "5729"


@pytest.fixture
def voila_with_code(tmp_path, monkeypatch):
    """Voilà as `make app` starts it, with a trainer code in the environment its kernels
    inherit (the shared ``voila`` server has none, so its trainer page opens directly)."""
    from tests.browser.conftest import BIN, ROOT, _free_port, _start, _stop

    monkeypatch.setenv("CSAT_TRAINER_CODE", TRAINER_CODE)
    port = _free_port()
    args = [
        str(BIN / "voila"),
        ".",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
    ]
    server = _start("voila-code", args, port, "/", tmp_path, cwd=ROOT / "csat" / "app")
    yield server
    _stop(server.proc)


def test_trainer_view_asks_for_the_code_and_shows_a_newly_finished_attempt_after_refresh(
    page, voila_with_code, browser
):
    voila = voila_with_code
    scenario = load(SCENARIO)
    with Store(voila.db_url) as store:  # someone finished before the trainer opened the page
        session = Session(scenario, seed=1, store=store, trainee_id=store.trainee("Sun Li"))
        for _, choice in scenario.best_path():
            session.choose(choice)
    page.goto(f"{voila.url}/voila/render/trainer.ipynb")
    page.wait_for_selector(".csat-live .csat-code input")
    assert "Sun Li" not in page.content() and not page.locator(".csat-refresh").count()
    page.fill(".csat-live .csat-code input", "1234")
    page.click(".csat-live .csat-unlock")
    page.wait_for_selector(".csat-code-message:has-text('Wrong code')")
    assert "Sun Li" not in page.content() and not page.locator(".csat-refresh").count()
    page.fill(".csat-live .csat-code input", TRAINER_CODE)
    page.press(".csat-live .csat-code input", "Enter")
    # Projected as it opens: the room's figures, nobody's name.
    page.wait_for_selector(".csat-live-room:has-text('Median score')")
    assert "Sun Li" not in page.inner_text(".csat-live")
    page.click(".csat-live .csat-live-names")
    page.wait_for_selector(".csat-live-scores:has-text('Sun Li')")
    assert "Zhou Xun" not in page.inner_text(".csat-live")
    trainee = browser.new_page()
    try:
        open_hub(trainee, voila, "Zhou Xun")
        play_best_path(trainee, scenario)
    finally:
        trainee.close()
    page.click(".csat-live .csat-refresh")
    page.wait_for_selector(".csat-live-scores:has-text('Zhou Xun')")
    text = page.inner_text(".csat-live")
    assert re.search(r"Zhou Xun\s+.*100", text)
    # Decision points are the customer's lines, numbered as the trainees' scorecards were.
    page.wait_for_selector(".csat-live-choices:has-text('seen as step 1 · 2 decisions')")
    first = scenario.nodes[scenario.start].customer.en[:40]
    assert first in page.inner_text(".csat-live-choices")
    page.shot("voila-trainer-view")
    page.locator(".csat-live .csat-lang button", has_text="中文").click()
    reply = scenario.choice(*scenario.best_path()[0]).text.zh
    page.wait_for_selector(f".csat-live-choices:has-text('{reply[:12]}')")
    assert page.locator(".csat-live .csat-refresh").inner_text().strip() == "刷新"
    page.shot("voila-trainer-view-zh")
    assert page.errors == []


def test_a_team_runs_its_capstone_year_and_appears_on_the_leaderboard(page, voila):
    page.goto(f"{voila.url}/voila/render/capstone.ipynb")
    page.wait_for_selector(".csat-capstone .csat-team input")
    page.locator(".csat-capstone-page .csat-lang button", has_text="中文").click()
    page.wait_for_selector(".csat-capstone .csat-run:has-text('运行我们的一年')")
    page.fill(".csat-capstone .csat-team input", "红队 Red")
    page.focus(".csat-lever-training .noUi-handle")
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # training: 20% of the budget
    page.wait_for_selector(".csat-capstone:has-text('已分配：20%')")
    page.click(".csat-capstone .csat-run")
    page.wait_for_selector(".csat-result:has-text('企业价值')", timeout=120_000)
    page.wait_for_selector(".csat-result:has-text('第1次，共3次')")
    page.wait_for_selector(".csat-leaderboard-table:has-text('红队 Red')")
    page.shot("voila-capstone-zh")
    # Back to English: the name, the plan and the result stay; only the words change.
    page.locator(".csat-capstone-page .csat-lang button", has_text="English").click()
    page.wait_for_selector(".csat-result:has-text('红队 Red: business value')")
    page.wait_for_selector(".csat-result:has-text('Run 1 of 3')")
    assert page.input_value(".csat-capstone .csat-team input") == "红队 Red"
    assert "Allocated: 20%" in page.inner_text(".csat-capstone")
    page.shot("voila-capstone-en-after-switch")
    with Store(voila.db_url) as store:
        runs = store.attempts(exercise_id="capstone-hotel", finished_only=True)
        assert list(runs["display_name"]) == ["红队 Red"]


def test_a_double_click_on_a_reply_records_only_the_reply_the_trainee_saw(page, voila):
    scenario = open_hub(page, voila, "Double Click")
    (node, first), (second_node, _) = scenario.best_path()[:2]
    page.dblclick(f".csat-choice-{first}")
    second_line = scenario.nodes[second_node].customer.en[:30]
    page.wait_for_function(
        "t => document.querySelector('.csat-chat').innerText.includes(t)", arg=second_line
    )
    page.wait_for_timeout(1500)  # let a second click, if one got through, reach the store
    with Store(voila.db_url) as store:
        attempts = store.attempts(exercise_id=SCENARIO)
        mine = attempts[attempts["display_name"] == "Double Click"]
        decisions = store.decisions(int(mine.iloc[0]["attempt_id"]))
    assert [(d.node, d.choice) for d in decisions] == [(node, first)]
    assert page.locator(".csat-roleplay .csat-choice:not([disabled])").count() == len(
        scenario.nodes[second_node].choices
    )


def test_a_double_click_on_run_our_year_uses_one_run(page, voila):
    page.goto(f"{voila.url}/voila/render/capstone.ipynb")
    page.wait_for_selector(".csat-capstone .csat-team input")
    page.fill(".csat-capstone .csat-team input", "Blue Double")
    page.dblclick(".csat-capstone .csat-run")
    page.wait_for_selector(".csat-result:has-text('Run 1 of 3')", timeout=120_000)
    page.wait_for_timeout(3000)  # a second run, if one started, would be saved by now
    with Store(voila.db_url) as store:
        runs = store.attempts()
        mine = runs[runs["display_name"] == "Blue Double"]
    assert len(mine) == 1
    assert "Run 2 of 3" not in page.inner_text(".csat-capstone")


def test_a_second_trainee_with_the_same_name_is_asked_and_gets_a_name_of_their_own(
    page, browser, voila, tmp_path
):
    scenario = open_hub(page, voila, "陈静")
    page.click(f".csat-choice-{scenario.best_path()[0][1]}")
    code = page.inner_text(".csat-your-code b")
    assert re.fullmatch(r"\d{4}", code)
    # Another trainee, on a phone, types the same name.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    outside = offline(phone)
    other = phone.new_page()
    other.set_default_timeout(60_000)
    other.goto(f"{voila.url}/voila/render/hub.ipynb")
    other.wait_for_selector(".csat-hub .csat-name input")
    other.locator(".csat-hub .csat-lang button", has_text="中文").click()
    other.fill(".csat-hub .csat-name input", "陈静")
    other.select_option(".csat-picker select", label=f"角色扮演：{scenario.title.zh}")
    other.click(".csat-open")
    other.wait_for_selector(".csat-identity:has-text('是你本人吗')")
    assert other.locator(".csat-roleplay").count() == 0, "nothing opens before the answer"
    wide = other.evaluate("document.documentElement.scrollWidth")
    other.shot = lambda name: _shot(other, tmp_path, name)
    other.shot("voila-is-this-you-390")
    assert wide <= 400, f"the question runs off a 390 px screen ({wide} px wide)"
    other.click(".csat-someone-else")
    other.wait_for_selector(".csat-roleplay .csat-choice")
    assert other.input_value(".csat-hub .csat-name input") == "陈静 2"
    assert "欢迎回来" not in other.inner_text(".csat-hub")
    phone.close()
    assert outside == []
    with Store(voila.db_url) as store:
        assert {"陈静", "陈静 2"} <= set(store.trainees()["display_name"])


def _kernels(server) -> int:
    """Kernels the Voilà server is running now (its child processes that are kernels)."""
    import psutil

    count = 0
    for child in psutil.Process(server.proc.pid).children(recursive=True):
        # A kernel that has just exited may be a zombie for a moment: not alive.
        with contextlib.suppress(psutil.Error):
            count += "ipykernel" in " ".join(child.cmdline())
    return count


def _wait_for_kernels(server, expected: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while (n := _kernels(server)) != expected and time.monotonic() < deadline:
        time.sleep(0.25)
    return n


def test_offline_the_icons_are_the_packages_own_and_closed_pages_give_their_kernels_back(
    page, voila
):
    before = _kernels(voila)
    page.goto(f"{voila.url}/voila/render/hub.ipynb")
    page.wait_for_selector(".csat-hub .csat-open")
    # Font Awesome came from the package (no request left the machine: the page fixture blocks
    # and counts them) and is really drawn: the icon's glyph is in the icon font.
    icon_font = page.evaluate(
        """async () => {
          await document.fonts.ready;
          const icon = document.querySelector('.csat-open i');
          return [getComputedStyle(icon).fontFamily,
                  getComputedStyle(icon, '::before').content,
                  [...document.fonts].some(f => f.family.includes('Font Awesome 5 Free')
                                                && f.weight === '900' && f.status === 'loaded')];
        }"""
    )
    assert icon_font[0].startswith('"Font Awesome 5') and icon_font[1] not in ("none", "normal")
    assert icon_font[2], "the icon font did not load"
    assert _wait_for_kernels(voila, before + 1) == before + 1
    page.reload()
    page.wait_for_selector(".csat-hub .csat-open")
    assert _wait_for_kernels(voila, before + 1) == before + 1, "a reload kept the old kernel"
    page.close(run_before_unload=True)
    assert _wait_for_kernels(voila, before) == before, "a closed page kept its kernel"
