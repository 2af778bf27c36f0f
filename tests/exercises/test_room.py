"""A scripted room of ten trainees on one store, as the hub serves them: two share a name,
several double-click, two have names a spreadsheet would run as formulas. Afterwards every
decision in the store is one its trainee saw, nobody holds another's attempt, and the report's
files open with no formula in any cell."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from csat.cli import main as cli_main
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.ui.widgets import Hub

SCENARIOS = ("hotpot-queue", "hotel-check-in", "car-not-ready")
ROOM = [
    ("王芳", False),
    ("王芳", True),  # a second 王芳, on another device
    ("Li Lei", True),
    ("=cmd|' /C calc'!A0", True),
    ("+SUM(1)", False),
    ("Zhang Wei", True),
    ("Ana", False),
    ("陈静", True),
    ("@A1", False),
    ("Kenji", True),
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _seen_path_is_valid(scenario, decisions) -> bool:
    """The decisions, in order, walk the scenario from its start: each answers the node the
    trainee was at after the ones before it."""
    node = scenario.start
    for d in decisions:
        if scenario.is_ending(node) or d.node != node:
            return False
        node = scenario.choice(node, d.choice).next
    return True


@pytest.fixture
def room(tmp_path):
    url = f"sqlite:///{tmp_path / 'room.sqlite'}"
    rng = np.random.default_rng(7)
    with Store(url) as store:
        hubs = []
        for i, (name, _double) in enumerate(ROOM):
            hub = Hub(store)
            hub.name.value = name
            hub.picker.value = f"scenario:{SCENARIOS[i % len(SCENARIOS)]}"
            hub.open_button.click()
            if hub.identity.pending is not None:  # the second 王芳
                hub.identity.someone_else()
            hubs.append(hub)
        # Round-robin, as a room plays: each trainee clicks one reply per turn, and records
        # what it read on the button.
        meant: dict[int, list[tuple[str, str]]] = {i: [] for i in range(len(hubs))}
        for _ in range(12):
            for i, (hub, (_, double)) in enumerate(zip(hubs, ROOM, strict=True)):
                rp = hub.current
                if rp.session.finished:
                    continue
                k = int(rng.integers(len(rp.buttons)))
                button = rp.buttons[k]
                meant[i].append((rp.session.node, rp._shown[k].id))
                button.click()
                if double:
                    button.click()  # the second click of a double-click
        for i, hub in enumerate(hubs):
            hub.meant = meant[i]
        yield url, store, hubs


def test_every_decision_in_the_room_is_one_its_trainee_saw(room):
    _url, store, hubs = room
    assert all(h.current.session.finished for h in hubs)
    people = store.trainees()
    assert sorted(people["display_name"]) == sorted(
        ["王芳", "王芳 2", *(n for n, _ in ROOM if n != "王芳")]
    )
    attempts = store.attempts()
    assert len(attempts) == len(ROOM) and attempts["trainee_id"].is_unique
    for hub in hubs:
        s = hub.current.session
        decisions = store.decisions(s.attempt_id)
        assert [(d.node, d.choice) for d in decisions] == s.path == hub.meant
        assert _seen_path_is_valid(load(s.scenario.id), decisions)
    second = next(h for h in hubs if h.name.value == "王芳 2")
    first = next(h for h in hubs if h.name.value == "王芳")
    assert second.current.session.attempt_id != first.current.session.attempt_id


def test_the_rooms_report_opens_with_no_formula_in_any_cell(room, tmp_path):
    url, _store, _hubs = room
    out = tmp_path / "report"
    assert cli_main(["exercises", "report", "--db", url, "--out", str(out)]) == 0
    files = sorted(out.glob("*.csv"))
    assert {"gradebook.csv", "attempts.csv", "decisions.csv"} <= {f.name for f in files}
    names = set()
    for path in files:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    if cell.startswith(DANGEROUS):
                        float(cell)  # only a plain number may start with '-' or '+'
                    names.add(cell)
    assert "'=cmd|' /C calc'!A0" in names and "'+SUM(1)" in names and "'@A1" in names
