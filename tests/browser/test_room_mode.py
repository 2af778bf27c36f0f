"""A room-mode session end to end, as on the day: `csat app --room` in a workshop folder, a
trainee on a phone-sized screen opens the address it prints, plays a role-play, and the trainer
opens the live view with the printed code — over loopback, every other request blocked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csat.cli import workshop
from csat.exercises.scenario import load
from csat.exercises.store import Store

from .conftest import _free_port, _stop, _wait_until_answering, offline
from .test_voila import SCENARIO, play_best_path


@pytest.fixture
def room(tmp_path):
    folder = workshop.init(tmp_path / "day1")
    port = _free_port()
    db_url = f"sqlite:///{folder / 'csat-results.sqlite'}"
    env = {
        **os.environ,
        "CSAT_DB_URL": db_url,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "MPLBACKEND": "Agg",
    }
    env.pop("CSAT_TRAINER_CODE", None)  # a random code, printed, as on a trainer's laptop
    log = tmp_path / "app.log"
    args = [sys.executable, "-m", "csat", "app", "--room", "--ip", "127.0.0.1",
            f"--port={port}", "--dir", str(folder)]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_until_answering(f"http://127.0.0.1:{port}/", proc, log, timeout=180)
        time.sleep(0.5)  # the banner is flushed before Voilà starts; read it whole
        yield folder, log.read_text(encoding="utf-8"), db_url
    finally:
        _stop(proc)


def test_a_room_mode_session_over_loopback_with_nothing_from_outside(browser, room, tmp_path):
    folder, banner, db_url = room
    hub = re.search(r"http://127\.0\.0\.1:\d+/voila/render/hub\.ipynb", banner).group(0)
    code = re.search(r"\b(\d{6})\b", banner).group(1)
    assert "█" in banner or "▀" in banner, "no QR code in the terminal"
    page_file = folder / "room" / "room.html"

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    outside = offline(phone)
    # The page to project: self-contained, nothing fetched.
    sheet = phone.new_page()
    sheet.goto(page_file.as_uri())
    assert sheet.locator("svg").count() >= 1
    assert hub in "".join(sheet.inner_text("body").split())  # the address, broken for width
    sheet.close()
    # A trainee scans the code and plays.
    trainee = phone.new_page()
    trainee.set_default_timeout(90_000)
    trainee.goto(hub)
    trainee.wait_for_selector(".csat-hub .csat-name input")
    trainee.locator(".csat-hub .csat-lang button", has_text="中文").click()
    trainee.fill(".csat-hub .csat-name input", "周 Room")
    scenario = load(SCENARIO)
    trainee.select_option(".csat-picker select", label=f"角色扮演：{scenario.title.zh}")
    trainee.click(".csat-open")
    trainee.wait_for_selector(".csat-roleplay .csat-choice")
    play_best_path(trainee, scenario, "zh")
    # The trainer opens the live view with the printed code and finds the attempt.
    trainer = phone.new_page()
    trainer.set_default_timeout(90_000)
    trainer.goto(hub.replace("hub.ipynb", "trainer.ipynb"))
    trainer.wait_for_selector(".csat-live .csat-code input")
    trainer.fill(".csat-live .csat-code input", code)
    trainer.press(".csat-live .csat-code input", "Enter")
    trainer.wait_for_selector(".csat-live-room")
    trainer.click(".csat-live .csat-live-names")
    trainer.wait_for_selector(".csat-live-scores:has-text('周 Room')")
    phone.close()
    assert outside == [], f"asked beyond this machine: {outside}"
    with Store(db_url) as store:
        attempts = store.attempts(exercise_id=SCENARIO, finished_only=True)
        assert list(attempts["display_name"]) == ["周 Room"]
        assert attempts.iloc[0]["total"] == 100.0
    assert Path(folder / "room" / "room-qr.png").stat().st_size > 500
