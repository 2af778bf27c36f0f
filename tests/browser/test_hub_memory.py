"""The hub remembers a trainee in this browser: a reload lands on the same step, another device
sees nothing, "Not you?" forgets, and broken storage does no harm."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from csat.exercises.scenario import load
from csat.exercises.store import Store

from .test_voila import SCENARIO

# -- the hub remembers the trainee in this browser -------------------------------------------

MEMORY = "csat-hub"


def stored(page) -> dict:
    """What this browser's localStorage holds for the hub."""
    return page.evaluate(f"JSON.parse(localStorage.getItem('{MEMORY}') || '{{}}')")


def active_language(page) -> str:
    # The hub's switch is the first; the open exercise's own is hidden (the hub's drives it).
    return page.locator(".csat-hub .csat-lang button.mod-active").first.inner_text().strip()


def test_a_reload_brings_the_trainee_back_to_the_same_step_and_another_device_sees_nothing(
    page, browser, voila
):
    scenario = load(SCENARIO)
    page.goto(f"{voila.url}/voila/render/hub.ipynb")
    page.wait_for_selector(".csat-hub .csat-name input")
    # The page is this worktree's code, with its memory widget, not an installed copy.
    assert page.locator(".csat-hub .csat-not-you").count() == 1
    page.fill(".csat-hub .csat-name input", "刘 Reload")
    page.locator(".csat-hub .csat-lang button", has_text="中文").click()
    page.select_option(".csat-picker select", label=f"角色扮演：{scenario.title.zh}")
    page.click(".csat-open")
    page.wait_for_selector(".csat-roleplay .csat-choice")
    path = scenario.best_path()[:3]
    for node, choice in path[:2]:
        line = scenario.nodes[node].customer.zh[:12]
        page.wait_for_function(
            "t => document.querySelector('.csat-chat').innerText.includes(t)", arg=line
        )
        page.click(f".csat-choice-{choice}")
    third = scenario.nodes[path[2][0]].customer.zh[:12]
    page.wait_for_selector(f".csat-chat:has-text('{third}')")
    page.wait_for_function(
        f"() => (JSON.parse(localStorage.getItem('{MEMORY}') || '{{}}').place || '') !== ''"
    )
    memory = stored(page)
    assert memory["name"] == "刘 Reload" and memory["lang"] == "zh"
    assert memory["place"] == f"scenario:{SCENARIO}" and re.fullmatch(r"\d{4}", memory["code"])

    page.reload()
    # Back by itself: the name, 中文, and the same role-play at the third line, no question.
    page.wait_for_selector(f".csat-roleplay .csat-chat:has-text('{third}')")
    assert page.input_value(".csat-hub .csat-name input") == "刘 Reload"
    # The switch's highlight follows a moment after the text, on a busy machine.
    expect(page.locator(".csat-hub .csat-lang button.mod-active").first).to_have_text("中文")
    assert page.locator(".csat-hub .csat-its-me:visible").count() == 0
    assert page.locator(".csat-roleplay .csat-trainee-line").count() == 2
    assert "欢迎回来" in page.inner_text(".csat-roleplay .csat-greeting")
    assert page.locator(".csat-your-code").count() == 0, "a reload does not show the code"
    assert page.locator(".csat-hub .csat-not-you").inner_text().strip() == "不是你？"
    page.shot("voila-hub-after-reload")
    with Store(voila.db_url) as store:
        attempts = store.attempts(exercise_id=SCENARIO)
        mine = attempts[attempts["display_name"] == "刘 Reload"]
        assert len(mine) == 1, "the reload resumed the attempt, it did not start another"
        decisions = store.decisions(int(mine.iloc[0]["attempt_id"]))
        assert [(d.node, d.choice) for d in decisions] == path[:2]

    # Another device (another browser profile): nothing remembered, nothing opened.
    device = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    other = device.new_page()
    other.set_default_timeout(60_000)
    other.goto(f"{voila.url}/voila/render/hub.ipynb")
    other.wait_for_selector(".csat-hub .csat-name input")
    other.wait_for_timeout(1500)  # time for a (wrongly) remembered value to arrive
    assert other.input_value(".csat-hub .csat-name input") == ""
    assert active_language(other) == "English"
    assert other.locator(".csat-roleplay").count() == 0 and stored(other) == {}
    assert not other.locator(".csat-hub .csat-not-you").is_visible()
    device.close()

    # "Not you?": the next person at this screen starts clean, after a reload too.
    page.click(".csat-hub .csat-not-you")
    page.wait_for_selector(".csat-forgotten:has-text('刘 Reload')")
    assert page.locator(".csat-roleplay").count() == 0
    assert page.input_value(".csat-hub .csat-name input") == ""
    page.wait_for_function(f"() => !localStorage.getItem('{MEMORY}').includes('name')")
    assert stored(page) == {"lang": "zh"}
    page.reload()
    page.wait_for_selector(".csat-hub .csat-name input")
    page.wait_for_function("() => document.querySelector('.csat-hub .csat-open')"
                           ".innerText.includes('打开')")  # fmt: skip
    page.wait_for_timeout(1000)
    assert page.input_value(".csat-hub .csat-name input") == ""
    assert page.locator(".csat-roleplay").count() == 0
    assert page.errors == []


def test_lang_in_the_link_opens_the_hub_in_that_language(page, voila):
    page.goto(f"{voila.url}/voila/render/hub.ipynb?lang=zh")
    page.wait_for_selector(".csat-hub .csat-open:has-text('打开')")
    assert active_language(page) == "中文"
    assert page.errors == []


def test_the_hub_works_when_the_browser_storage_is_corrupt_or_refused(browser, voila):
    corrupt = browser.new_context()
    corrupt.add_init_script(f"localStorage.setItem('{MEMORY}', '{{not json')")
    page = corrupt.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{voila.url}/voila/render/hub.ipynb")
    page.wait_for_selector(".csat-hub .csat-name input")
    page.locator(".csat-hub .csat-lang button", has_text="中文").click()
    # Overwritten with what the page knows now (the init script runs again on a reload only).
    page.wait_for_function(f"() => localStorage.getItem('{MEMORY}') === '{{\"lang\":\"zh\"}}'")
    corrupt.close()

    private = browser.new_context()
    # As Safari's private mode and blocked site data do: storage throws on use.
    private.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() {"
        " throw new DOMException('The operation is insecure.', 'SecurityError'); }});"
    )
    page = private.new_page()
    page.set_default_timeout(60_000)
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{voila.url}/voila/render/hub.ipynb")
    page.wait_for_selector(".csat-hub .csat-name input")
    page.fill(".csat-hub .csat-name input", "Private Window")
    page.select_option(".csat-picker select", label=f"Role-play: {load(SCENARIO).title.en}")
    page.click(".csat-open")
    page.wait_for_selector(".csat-roleplay .csat-choice")
    page.locator(".csat-hub .csat-lang button", has_text="中文").first.click()
    page.wait_for_selector(".csat-hub .csat-open:has-text('打开')")
    private.close()
    assert errors == []
