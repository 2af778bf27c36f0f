"""The capstone's results: each team's simulated year in the store, and the standings.

The game's rules live in :mod:`csat.sim.capstone`; this module keeps its results (kind
``capstone``: the team is the trainee, each lever one decision, business value the score) so
that the widgets (:mod:`csat.ui.capstone`) and the trainer's report (:mod:`.report`) read
the same tables without the report importing any widget.

A team has :data:`MAX_RUNS` runs per business, counted in the store by name (ignoring case and
spacing) over the last :data:`RUN_WINDOW`, so a reload or a second laptop does not reset the
count and next week's class starts afresh (:func:`runs_made`).

>>> from csat.exercises.store import Store
>>> from csat.sim.capstone import Plan, play
>>> store = Store("sqlite://")
>>> outcome = play(Plan(team="Blue", training=0.5), business="hotel", runs=1, population=2_000)
>>> attempt = save(store, outcome)
>>> list(standings(store, "hotel")["team"])
['Blue']
>>> runs_made(store, " blue ", "hotel")
1
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from csat.sim import capstone as game
from csat.sim import presets

EXERCISE = "capstone-{business}"
"""The ``exercise_id`` of a capstone year at one business."""

MAX_RUNS = 3
"""Runs a team has at each business."""

RUN_WINDOW = timedelta(hours=12)
"""How far back a team's runs count towards :data:`MAX_RUNS` (one class day)."""

SCORE_KEYS = (
    "value",
    "profit_after_spend",
    "customer_value",
    "customers_end",
    "dissatisfied_share",
    "spent",
)
"""What a year scores, saved as the attempt's scores and shown in the standings."""


def name_key(name: str) -> str:
    """A team's name as the store matches it: case and extra spaces do not count."""
    return " ".join(str(name).split()).casefold()


def save(store, outcome: game.Outcome, *, token: str | None = None) -> int:
    """Save a team's year to the store; return the attempt id.

    ``token`` names the click that ran the year: saving again with the same token finds the
    attempt already saved and changes nothing, so one click is one run however often it
    arrives."""
    plan = outcome.plan
    tid = store.trainee(plan.team)
    attempt = store.start_attempt(
        tid,
        kind="capstone",
        exercise_id=EXERCISE.format(business=outcome.business),
        exercise_version=1,
        seed=game.SEEDS[0],
        uid=token,
    )
    levers = {k: v for k, v in plan.as_dict().items() if k != "team" and v is not None}
    for seq, (lever, value) in enumerate(levers.items()):
        store.record_decision(
            attempt, seq=seq, node=lever, choice=f"{value:g}", points={}, mood=None, elapsed_s=0.0
        )
    row = outcome.as_row()
    store.finish_attempt(
        attempt,
        ending="year-done",
        scores={k: float(row[k]) for k in SCORE_KEYS},
        total=float(row["value"]),
        passed=True,
    )
    return attempt


def runs_made(store, team: str, business: str, *, now: datetime | None = None) -> int:
    """How many years ``team`` has run at ``business`` in the store over the last
    :data:`RUN_WINDOW` (before ``now``, default: the present)."""
    frame = store.attempts(exercise_id=EXERCISE.format(business=business), finished_only=True)
    if frame.empty:
        return 0
    since = (now or datetime.now(UTC)) - RUN_WINDOW
    mine = frame["display_name"].map(name_key) == name_key(team)
    return int((mine & (frame["started_at"] >= since)).sum())


def standings(store, business: str) -> pd.DataFrame:
    """Each team's best year at ``business``, ranked by business value."""
    frame = store.attempts(exercise_id=EXERCISE.format(business=business), finished_only=True)
    if frame.empty:
        return pd.DataFrame(columns=["team", *SCORE_KEYS])
    frame = frame.rename(columns={f"score_{k}": k for k in SCORE_KEYS})
    best = frame.sort_values("value", ascending=False, kind="stable").drop_duplicates(
        "display_name"
    )
    best = best.rename(columns={"display_name": "team"})[["team", *SCORE_KEYS]]
    return game.leaderboard(best.to_dict("records"))


def played(store) -> list[str]:
    """The businesses some team has played in the store: the presets' order, then any other
    (a business since removed) by name."""
    every = store.attempts()
    ids = every.loc[every["kind"] == "capstone", "exercise_id"].unique()
    found = {str(e).removeprefix(EXERCISE.format(business="")) for e in ids}
    known = [b for b in presets.names() if b in found]
    return known + sorted(found - set(known))


def all_standings(store) -> pd.DataFrame:
    """Each team's best year at every business played, ranked by business value overall."""
    boards = []
    for business in played(store):
        board = standings(store, business)
        if not board.empty:
            boards.append(board.assign(business=business))
    if not boards:
        return pd.DataFrame(columns=["team", "business", *SCORE_KEYS])
    return game.leaderboard(pd.concat(boards, ignore_index=True))
