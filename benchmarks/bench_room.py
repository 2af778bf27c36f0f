"""A room of trainees on one laptop: kernels and memory of the app server, measured in real
browsers.

Run: ``.venv/bin/python benchmarks/bench_room.py [--pages 30] [--capstone 4]`` (``make bench``
runs it with the defaults; ``tests/browser/test_room_load.py`` runs the same :func:`measure`
with fewer pages in every ``make test``).

It starts Voilà from the app folder exactly as ``csat app`` does (the folder's ``voila.py``:
unload shutdown, culling, the kernel cap), on loopback, with a fresh results database, and
drives Debian's Chromium through Playwright, one browser context per trainee (cookies and
storage of their own, as separate phones would have):

1. **open** — the trainees arrive over ``--arrive`` seconds (a minute); each opens the hub,
   types a name, opens a role-play and answers its first step; ``--capstone`` teams open the
   capstone and run their year.
2. **reload** — every other trainee reloads the page (and opens the role-play again).
3. **close** — a third of the trainees close their tab (the page says goodbye), a third vanish
   (a phone locked, a browser killed: no goodbye), a third stay.
4. **culled** — the vanished pages' kernels are culled once idle (the test shortens the idle
   timeout to seconds with Voilà's own command-line options; the room's is ten minutes).
5. **empty** — everyone closes; the server should hold no kernel and its memory should be back
   near where it started.

At the end of each phase it records the pages open, the kernels alive, the resident memory of
the server alone and of the server with its kernels (RSS summed over the process tree, which
counts shared libraries once per process, so it overstates a little); a sampler keeps the peak.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "csat" / "app"
CHROMIUM = os.environ.get("CSAT_CHROMIUM", "/usr/bin/chromium")
MIB = 2**20
SCENARIO_LABEL = "Role-play: 'Fifteen minutes', fifty minutes ago: the hot-pot queue"
PAGE_TIMEOUT_MS = 180_000


@dataclass
class Phase:
    name: str
    pages: int
    kernels: int
    server_mib: float
    tree_mib: float
    seconds: float


@dataclass
class Room:
    phases: list[Phase] = field(default_factory=list)
    peak_tree_mib: float = 0.0
    peak_kernels: int = 0
    outside: list[str] = field(default_factory=list)
    """Requests that tried to leave the machine (there should be none)."""
    leftover: list[str] = field(default_factory=list)
    """Kernel processes alive when the room is empty (there should be none)."""

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)

    def table(self) -> str:
        rows = [
            f"{'phase':<10}{'pages':>7}{'kernels':>9}{'server MiB':>12}{'with kernels MiB':>18}"
            f"{'at s':>8}"
        ]
        rows += [
            f"{p.name:<10}{p.pages:>7}{p.kernels:>9}{p.server_mib:>12.0f}{p.tree_mib:>18.0f}"
            f"{p.seconds:>8.0f}"
            for p in self.phases
        ]
        rows.append(f"peak: {self.peak_kernels} kernels, {self.peak_tree_mib:.0f} MiB with kernels")
        return "\n".join(rows)


# -- the server ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Voilà from the app folder, as ``csat app`` starts it, in its own process group."""

    def __init__(self, folder: Path, *, idle_timeout: int, cull_interval: int):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "voila.log"
        env = {
            **os.environ,
            "CSAT_DB_URL": f"sqlite:///{folder / 'room.sqlite'}",
            "JUPYTER_CONFIG_DIR": str(folder / "config"),
            "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
            "MPLBACKEND": "Agg",
        }
        voila = Path(sys.executable).parent / "voila"
        args = [
            str(voila), ".", "--no-browser", f"--port={self.port}", "--Voila.ip=127.0.0.1",
            f"--MappingKernelManager.cull_idle_timeout={idle_timeout}",
            f"--MappingKernelManager.cull_interval={cull_interval}",
        ]  # fmt: skip
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                args, cwd=APP, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Voilà exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError(f"Voilà did not answer in 90 s: {self.log.read_text()[-2000:]}")
        self.process = psutil.Process(self.proc.pid)

    def kernels(self) -> list[psutil.Process]:
        found = []
        for child in self.process.children(recursive=True):
            try:
                if "ipykernel" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.Error:
                pass
        return found

    def memory(self) -> tuple[float, float]:
        """(server alone, server and its kernels) resident memory, MiB."""
        server = self.process.memory_info().rss
        tree = server
        for child in self.process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                tree += child.memory_info().rss
        return server / MIB, tree / MIB

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# -- the trainees ---------------------------------------------------------------------------------
async def _offline(context, outside: list[str]) -> None:
    async def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            await r.continue_()
        else:
            outside.append(url)
            await r.abort("internetdisconnected")

    await context.route("**/*", route)


async def _trainee(page, url: str, name: str, delay: float = 0.0) -> None:
    await asyncio.sleep(delay)
    await page.goto(f"{url}/voila/render/hub.ipynb")
    await page.wait_for_selector(".csat-hub .csat-name input")
    await page.fill(".csat-hub .csat-name input", name)
    await page.select_option(".csat-picker select", label=SCENARIO_LABEL)
    await page.click(".csat-open")
    await page.wait_for_selector(".csat-roleplay .csat-choice")
    await page.locator(".csat-roleplay .csat-choice").first.click()


async def _team(page, url: str, name: str, delay: float = 0.0) -> None:
    await asyncio.sleep(delay)
    await page.goto(f"{url}/voila/render/capstone.ipynb")
    await page.wait_for_selector(".csat-capstone .csat-team input")
    await page.fill(".csat-capstone .csat-team input", name)
    await page.click(".csat-capstone .csat-run")
    await page.wait_for_selector(".csat-result:has-text('Run 1 of 3')", timeout=PAGE_TIMEOUT_MS)


async def _room(
    server: Server, pages: int, capstone: int, arrive_s: float, settle_s: float, room: Room
) -> None:
    from playwright.async_api import async_playwright

    start = time.monotonic()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                room.peak_tree_mib = max(room.peak_tree_mib, server.memory()[1])
                room.peak_kernels = max(room.peak_kernels, len(server.kernels()))
            except psutil.Error:
                pass
            stop.wait(0.5)

    def record(name: str, open_pages: int) -> None:
        server_mib, tree_mib = server.memory()
        room.phases.append(
            Phase(name, open_pages, len(server.kernels()), server_mib, tree_mib,
                  time.monotonic() - start)
        )  # fmt: skip

    async def kernels_become(expected: int, within: float) -> None:
        deadline = time.monotonic() + within
        while len(server.kernels()) != expected and time.monotonic() < deadline:
            await asyncio.sleep(0.5)

    record("baseline", 0)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        contexts, tabs = [], []
        for _ in range(pages + capstone):
            context = await browser.new_context(viewport={"width": 390, "height": 844})
            await _offline(context, room.outside)
            tab = await context.new_page()
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            contexts.append(context)
            tabs.append(tab)
        trainees, teams = tabs[:pages], tabs[pages:]
        # A room arrives over a minute or so, not in one millisecond: page i comes at
        # i × arrive_s / pages.
        gap = arrive_s / max(1, len(tabs))
        await asyncio.gather(
            *(_trainee(t, server.url, f"Trainee {i + 1}", i * gap) for i, t in enumerate(trainees)),
            *(
                _team(t, server.url, f"Team {i + 1}", (pages + i) * gap)
                for i, t in enumerate(teams)
            ),
        )
        await kernels_become(len(tabs), 30)
        record("open", len(tabs))

        again = trainees[::2]
        await asyncio.gather(*(t.reload() for t in again))
        await asyncio.gather(
            # A name of its own: the same name would ask "Is this you?" and the trainee's code.
            *(_trainee(t, server.url, f"Trainee {2 * i + 1}b") for i, t in enumerate(again))
        )
        await kernels_become(len(tabs), 30)
        record("reload", len(tabs))

        third = max(1, len(tabs) // 3)
        goodbye, vanish = tabs[:third], tabs[third : 2 * third]
        await asyncio.gather(*(t.close(run_before_unload=True) for t in goodbye))
        # No goodbye: the tab dies without its unload handler, as a killed browser does.
        await asyncio.gather(*(t.close(run_before_unload=False) for t in vanish))
        left = len(tabs) - len(goodbye) - len(vanish)
        await kernels_become(left + len(vanish), 20)
        record("close", left)

        await kernels_become(left, settle_s)
        record("culled", left)

        await asyncio.gather(*(t.close(run_before_unload=True) for t in tabs[2 * third :]))
        for context in contexts:
            await context.close()
        await browser.close()
    await kernels_become(0, settle_s)
    await asyncio.sleep(3)  # let the server let go of the closed kernels' buffers
    stop.set()
    sampler.join()
    record("empty", 0)
    for kernel in server.kernels():  # what outlived the room, to find out why
        with contextlib.suppress(psutil.Error):
            room.leftover.append(f"pid {kernel.pid} {kernel.status()}: {kernel.cmdline()[-1]}")


def measure(
    pages: int = 30,
    capstone: int = 4,
    *,
    arrive_s: float = 60,
    idle_timeout: int = 20,
    cull_interval: int = 5,
) -> Room:
    """Run the room (see the module's docstring) and return what was measured."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    room = Room()
    folder = Path(tempfile.mkdtemp(prefix="csat-room-"))
    server = Server(folder, idle_timeout=idle_timeout, cull_interval=cull_interval)
    try:
        settle = idle_timeout + 2 * cull_interval + 30
        # In a thread of its own: the caller may already run an event loop (pytest's sync
        # Playwright does).
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            run = _room(server, pages, capstone, arrive_s, settle, room)
            pool.submit(asyncio.run, run).result()
    except Exception:
        print(f"Voilà's log ends:\n{server.log.read_text()[-4000:]}", file=sys.stderr)
        raise
    finally:
        server.stop()
        if not os.environ.get("CSAT_BENCH_KEEP"):  # the server's log, to read after a run
            shutil.rmtree(folder, ignore_errors=True)
    return room


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=30, help="trainees with the hub open")
    parser.add_argument("--capstone", type=int, default=4, help="teams running the capstone")
    parser.add_argument("--arrive", type=float, default=60, help="seconds the room takes to arrive")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    room = measure(args.pages, args.capstone, arrive_s=args.arrive)
    print(f"A room of {args.pages} trainees and {args.capstone} capstone teams, one server:")
    print(room.table())
    opened = room.phase("open")
    base, empty = room.phase("baseline"), room.phase("empty")
    per_kernel = (opened.tree_mib - opened.server_mib) / max(1, opened.kernels)
    print(f"per page's kernel at 'open': {per_kernel:.0f} MiB (RSS)")
    print(f"server memory: {base.server_mib:.0f} MiB before, {empty.server_mib:.0f} MiB after")
    print(f"requests beyond this machine: {len(room.outside)}")
    for line in room.leftover:
        print(f"kernel left when the room was empty: {line}")
    print(f"measured in {time.monotonic() - t0:.0f} s")
    ok = (
        empty.kernels == 0
        and not room.outside
        and room.phase("culled").kernels == (room.phase("culled").pages)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
