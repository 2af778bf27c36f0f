"""Real servers and a real browser for the delivery tests.

Voilà and JupyterLab are started on free loopback ports with a fresh results database, polled
until they answer, and stopped by their process group at the end. Chromium is Debian's
(``/usr/bin/chromium``), driven by Playwright; no browser is downloaded. Where Chromium is
missing the tests skip — except under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CSAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_answering(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


class Server:
    def __init__(self, url: str, db_url: str, proc: subprocess.Popen, log: Path):
        self.url, self.db_url, self.proc, self.log = url, db_url, proc, log


def _start(
    name: str, args: list[str], port: int, ready_path: str, tmp: Path, cwd: Path = ROOT
) -> Server:
    db_url = f"sqlite:///{tmp / f'{name}.sqlite'}"
    env = {
        **os.environ,
        "CSAT_DB_URL": db_url,
        "JUPYTER_CONFIG_DIR": str(tmp / f"{name}-config"),
        "JUPYTER_RUNTIME_DIR": str(tmp / f"{name}-runtime"),
        "MPLBACKEND": "Agg",
    }
    log = tmp / f"{name}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url + ready_path, proc, log)
    except Exception:
        _stop(proc)
        raise
    return Server(url, db_url, proc, log)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must install Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def voila(tmp_path_factory) -> Server:
    """Voilà serving ``csat/app/`` (the trainee hub, the trainer view, the capstone)."""
    tmp = tmp_path_factory.mktemp("voila")
    port = _free_port()
    args = [
        str(BIN / "voila"),
        ".",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
    ]
    # From the app folder, as `csat app` starts it, so that Voilà reads its voila.py.
    server = _start("voila", args, port, "/", tmp, cwd=ROOT / "csat" / "app")
    yield server
    _stop(server.proc)


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> Server:
    """JupyterLab, no token, on loopback, over a copy of ``course/`` (autosave must never
    touch the committed notebooks)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "course"
    shutil.copytree(ROOT / "csat" / "course", root, ignore=shutil.ignore_patterns("*.sqlite*"))
    port = _free_port()
    args = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = _start("lab", args, port, "/api/status", tmp)
    yield server
    _stop(server.proc)


def _fonts_like_a_trainee_device(tmp: Path) -> dict[str, str]:
    """Environment that gives Chromium a CJK font, as every phone, Mac and Windows laptop has.

    CI installs no Debian font (it plays the fresh laptop); the page's font stack must still
    find a Chinese font on a real device, so Chromium gets the course's own Noto Sans SC through
    fontconfig (the system's configuration first, then that folder)."""
    from csat.lessons import style

    folder = style.bundled_fonts()[0].parent
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{folder}</dir><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="session")
def browser(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    env = _fonts_like_a_trainee_device(tmp_path_factory.mktemp("fonts"))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, env=env)
        yield b
        b.close()


def offline(context) -> list[str]:
    """Block every request that would leave this machine, as a training room without internet
    does, and return the list they are recorded in: a page that needs one fails its test."""
    outside: list[str] = []

    def route(r):
        url = urllib.parse.urlsplit(r.request.url)
        if url.scheme in ("data", "blob", "file") or url.hostname in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort("internetdisconnected")

    context.route("**/*", route)
    return outside


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    outside = offline(context)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.shot = lambda name: _shot(pg, tmp_path, name)  # screenshots for a person to look at
    # JavaScript errors: uncaught, or logged by the page's code. (A resource that cannot be
    # fetched is logged too; requests beyond this machine fail the test on their own, above.)
    pg.errors = []
    pg.on("pageerror", lambda err: pg.errors.append(str(err)))
    pg.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and pg.errors.append(msg.text)
        ),
    )
    yield pg
    context.close()
    assert outside == [], f"the page asked for something beyond this machine: {outside}"


def _shot(page, folder: Path, name: str) -> Path:
    """Save a full-page screenshot under the test's tmp dir (and CSAT_SHOTS, if set)."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("CSAT_SHOTS"):
        target = Path(os.environ["CSAT_SHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    return path
