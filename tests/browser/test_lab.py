"""The course in JupyterLab, as a trainer runs it: open a notebook, run all cells, play the
role-play in the output area, and find the attempt in the database."""

from __future__ import annotations

import json
import re
from pathlib import Path

from csat.exercises.scenario import load
from csat.exercises.store import Store

COURSE = Path(__file__).resolve().parents[2] / "csat" / "course"


def roleplay_notebook() -> tuple[str, str]:
    """The first course notebook that shows a role-play, and the scenario it shows (given as a
    string, or as a name assigned a string elsewhere in the notebook)."""
    for path in sorted(COURSE.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        found = re.search(r"RolePlay\(\s*(?:[\"']([a-z0-9-]+)[\"']|([A-Za-z_]\w*))", code)
        if found:
            if found.group(1):
                return path.name, found.group(1)
            value = re.search(rf"^{found.group(2)}\s*=\s*[\"']([a-z0-9-]+)[\"']", code, re.M)
            assert value, f"{path.name}: cannot tell which scenario {found.group(2)} names"
            return path.name, value.group(1)
    raise AssertionError("no course notebook shows a RolePlay")


def run_all(page, lab, name: str) -> None:
    page.goto(f"{lab.url}/lab/tree/{name}")
    page.wait_for_selector(".jp-Notebook")
    page.wait_for_timeout(2000)
    choose = page.locator(".jp-Dialog button:has-text('Select')")
    if choose.count():  # JupyterLab may ask which kernel to start
        choose.first.click()
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    news = page.locator(".jp-toast-button:has-text('No')")
    if news.count():  # "Would you like to be notified about Jupyter news?"
        news.first.click()
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")


def test_run_a_course_notebook_and_play_its_roleplay(page, lab):
    name, sid = roleplay_notebook()
    scenario = load(sid)
    run_all(page, lab, name)
    root = page.locator(".csat-roleplay").first
    root.wait_for(timeout=180_000)
    root.scroll_into_view_if_needed()
    root.locator(".csat-name input").fill("Lab Trainee")
    root.locator(".csat-start").click()
    for node, choice in scenario.best_path():
        line = scenario.nodes[node].customer.en[:30]
        root.locator(".csat-chat", has_text=line).wait_for()
        root.locator(f".csat-choice-{choice}").click()
    root.locator(".csat-scorecard", has_text="100/100").wait_for()
    root.locator(".csat-scorecard").scroll_into_view_if_needed()
    page.shot("lab-roleplay-scorecard")
    with Store(lab.db_url) as store:
        done = store.attempts(exercise_id=sid, finished_only=True)
        assert list(done["display_name"]) == ["Lab Trainee"]
        decisions = store.decisions(int(done.iloc[0]["attempt_id"]))
        assert [(d.node, d.choice) for d in decisions] == scenario.best_path()
