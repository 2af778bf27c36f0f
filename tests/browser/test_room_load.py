"""A room in real browsers: the app server's kernels follow the open pages and its memory
settles when the room empties (the driver is benchmarks/bench_room.py; `make bench` runs it
with a room of thirty)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_room.py"
PAGES, TEAMS = 6, 1


def _bench():
    spec = importlib.util.spec_from_file_location("bench_room", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_kernels_follow_the_open_pages_and_memory_settles_when_the_room_empties(chromium):
    # Idle kernels are culled after 40 s here instead of the room's ten minutes; no shorter, for
    # on a busy machine a page may take that long to connect to the kernel that drew it.
    room = _bench().measure(PAGES, TEAMS, arrive_s=6, idle_timeout=40, cull_interval=5)
    print(f"\n{room.table()}")  # the figures, in the test log (pytest -s, or on failure)
    base, opened, empty = room.phase("baseline"), room.phase("open"), room.phase("empty")
    assert room.outside == [], "a page asked for something beyond this machine"
    opened, reloaded = room.phase("open"), room.phase("reload")
    close, culled = room.phase("close"), room.phase("culled")
    # One kernel per open page once the room has come in.
    assert opened.kernels == opened.pages, room.table()
    # A reload starts a new kernel and hands the old one back: at once, by the page's goodbye,
    # or, if the goodbye is lost (a busy laptop), by the culler once it is idle.
    assert reloaded.pages <= reloaded.kernels <= reloaded.pages + (PAGES + 1) // 2, room.table()
    # Goodbyes give theirs back at once; the vanished pages' kernels wait for the culler ...
    assert close.kernels < reloaded.kernels, "goodbyes kept their kernels"
    # ... and once idle, every kernel without a page is gone: one kernel per open page.
    assert culled.kernels == culled.pages, f"{room.table()}\nleft: {room.leftover}"
    # The memory of the kernels comes back: the server alone is left, near its start.
    assert empty.kernels == 0, f"{room.table()}\nleft: {room.leftover}"
    assert empty.tree_mib == pytest.approx(empty.server_mib, abs=1)
    assert opened.tree_mib - opened.server_mib > 100 * PAGES  # the kernels were really there
    assert empty.server_mib < base.server_mib + 80, room.table()
