"""The capstone in the room: each team's control panel, its simulated year, and the leaderboard.

The game's rules live in :mod:`csat.sim.capstone` and its results in
:mod:`csat.exercises.teams` (saving a team's run, the standings, the run count; re-exported
here: ``save``, ``standings``, ``all_standings``, ``EXERCISE``, ``SCORE_KEYS``, ``MAX_RUNS``,
``RUN_WINDOW``). This module gives the widgets: :class:`Console` for a team,
:class:`Leaderboard` for the trainer's screen. Widgets update by ``.value`` only, so notebooks
that show them pass nbval.

A team has :data:`MAX_RUNS` runs per business: the console counts the team's runs in the store
(:func:`csat.exercises.teams.runs_made`), shows "Run 2 of 3" with each result and refuses a
fourth. Without a store it counts in memory.
"""

from __future__ import annotations

import html
import io
import uuid
from typing import Any

import pandas as pd

from csat import i18n

# The store side of the capstone, re-exported for the notebooks and tests that use it from here.
from csat.exercises.teams import (  # noqa: F401
    EXERCISE,
    MAX_RUNS,
    RUN_WINDOW,
    SCORE_KEYS,
    all_standings,
    save,
    standings,
)
from csat.exercises.teams import name_key as _name_key
from csat.exercises.teams import runs_made as _runs_made
from csat.i18n import Namespace
from csat.sim import capstone as game
from csat.sim import presets
from csat.sim.params import SERVQUAL
from csat.ui.common import LANGS

TEXT = Namespace("capstone")
BUSINESS_NAMES = Namespace("business")
"""Each business's label, ``BUSINESS_NAMES[lang][name]``: the catalogue's, one per preset."""
DIMENSION_NAMES = Namespace("servqual")
"""Each SERVQUAL dimension's label, ``DIMENSION_NAMES[lang][dimension]``."""


def businesses() -> list[str]:
    """The businesses a team can play: the presets flagged playable, in the registry's order
    (read on each call, so a preset added to :mod:`csat.sim.presets` appears at once)."""
    return presets.playable()


def __getattr__(name: str):
    # ``capstone.BUSINESSES``, as it was when the list was written out here.
    if name == "BUSINESSES":
        return tuple(businesses())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _table(board: pd.DataFrame, lang: str) -> str:
    t = TEXT[lang]
    if board.empty:
        return f"<p>{html.escape(t['empty'])}</p>"
    cols = dict(t["cols"])
    if "business" in board.columns:
        cols = {"team": cols["team"], "business": t["business"], **cols}
    head = "".join(
        f"<th style='padding:4px 12px;text-align:{'left' if c == 'team' else 'right'}'>"
        f"{html.escape(cols[c])}</th>"
        for c in cols
    )
    rows = []
    for rank, r in board.iterrows():
        cells = [f"<td style='padding:4px 12px'><b>{rank}</b></td>"]
        for c in cols:
            v = r[c]
            if c == "team":
                text = html.escape(str(v))
            elif c == "business":
                text = html.escape(BUSINESS_NAMES[lang].get(v, str(v)))
            elif c == "dissatisfied_share":
                text = f"{float(v):.1%}"
            else:
                text = f"{float(v):,.0f}"
            align = "left" if c in ("team", "business") else "right"
            cells.append(f"<td style='padding:4px 12px;text-align:{align}'>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<table class='csat-leaderboard' style='border-collapse:collapse;font-size:16px'>"
        f"<tr><th>{html.escape(t['rank'])}</th>{head}</tr>{''.join(rows)}</table>"
    )


class Console:
    """A team's control panel: name, budget split, promise, and a Run button.

    ``runs`` and ``population`` set how much simulation one click costs (defaults: the game's
    three seeds at the business's own size, about a second). ``max_runs`` is how many runs a team
    has at each business (``None``: no limit). :meth:`set_lang` relabels the panel in place and
    keeps whatever the team typed, set and ran.
    """

    def __init__(
        self,
        store=None,
        *,
        business: str = "hotel",
        lang: str = "en",
        runs: int = 3,
        population: int | None = None,
        max_runs: int | None = MAX_RUNS,
        on_saved=None,
    ):
        import ipywidgets as w

        if business not in businesses():
            known = ", ".join(businesses())
            raise ValueError(f"business must be one of {known}, got {business!r}")
        i18n.check(lang)
        self.store, self.lang, self.runs, self.population = store, lang, runs, population
        self.max_runs, self.on_saved = max_runs, on_saved
        self.outcome: game.Outcome | None = None
        self.run_no: int | None = None  # which of the team's runs ``outcome`` is
        self._said: tuple[str, dict] | None = None  # the message, kept to re-say in a new language
        self._played: dict[tuple[str, str], int] = {}  # runs per (team, business) with no store
        self._relabelling = False
        self._w, self._running, self._token = w, False, ""
        t = TEXT[lang]
        self.team = w.Text(description=t["team"], style={"description_width": "150px"})
        self.team.add_class("csat-team")
        self.business = w.Dropdown(
            options=[(BUSINESS_NAMES[lang][b], b) for b in businesses()],
            value=business,
            description=t["business"],
            style={"description_width": "150px"},
        )
        style = {"description_width": "220px"}
        layout = w.Layout(width="560px")

        def share(label: str, cls: str):
            s = w.FloatSlider(
                0.0, min=0.0, max=1.0, step=0.05, description=label, readout_format=".0%",
                style=style, layout=layout, continuous_update=False,
            )  # fmt: skip
            s.add_class(cls)
            return s

        self.training = share(t["training"], "csat-lever-training")
        self.speed = share(t["speed"], "csat-lever-speed")
        self.quality = [share(DIMENSION_NAMES[lang][d], f"csat-lever-{d}") for d in SERVQUAL]
        self.promise = w.FloatSlider(
            presets.get(business).expectations.promise, min=5.0, max=10.0, step=0.1,
            description=t["promise"], style=style, layout=layout, continuous_update=False,
        )  # fmt: skip
        self.budget = w.HTML()
        self.message = w.HTML()
        self.message.add_class("csat-message")
        self.result = w.HTML()
        self.result.add_class("csat-result")
        # Hidden until there is a picture: an empty Image shows a broken-image icon.
        self.figure = w.Image(format="png", layout=w.Layout(max_width="900px", display="none"))
        self.run_button = self._new_run_button(t["run"])
        self._money = game.budget(business, population=population)
        for s in [self.training, self.speed, *self.quality]:
            s.observe(lambda _c: self._show_budget(), names="value")
        self.business.observe(self._business_changed, names="value")
        self._show_budget()
        self.widget = w.VBox(
            [
                self.team,
                self.business,
                self.budget,
                self.training,
                self.speed,
                *self.quality,
                self.promise,
                self.run_button,
                self.message,
                self.result,
                self.figure,
            ]
        )
        self.widget.add_class("csat-capstone")

    def set_lang(self, lang: str) -> None:
        """Show the panel in ``lang``: only the words change, not the team's name, plan or run."""
        i18n.check(lang)
        if lang == self.lang:
            return
        self.lang = lang
        t = TEXT[lang]
        self.team.description = t["team"]
        self.business.description = t["business"]
        # New options reset the value: put it back without the reset that a new business does.
        chosen, self._relabelling = self.business.value, True
        try:
            self.business.options = [(BUSINESS_NAMES[lang][b], b) for b in businesses()]
            self.business.value = chosen
        finally:
            self._relabelling = False
        self.training.description, self.speed.description = t["training"], t["speed"]
        for slider, dim in zip(self.quality, SERVQUAL, strict=True):
            slider.description = DIMENSION_NAMES[lang][dim]
        self.promise.description = t["promise"]
        self.run_button.description = t["run"]
        self._show_budget()
        self._show_message()
        self._show_result()
        if self.outcome is not None:
            self.figure.value = _dashboard_png(self.outcome, lang)

    def _used(self) -> float:
        return float(self.training.value + self.speed.value + sum(s.value for s in self.quality))

    def _show_budget(self) -> None:
        used = self._used()
        self.budget.value = TEXT[self.lang]["budget"].format(
            budget=self._money, used=used, left=max(0.0, 1 - used)
        )

    def _say(self, key: str | None, **fields) -> None:
        """Show message ``key`` (``None``: none) in the panel's language, now and after a switch."""
        self._said = None if key is None else (key, fields)
        self._show_message()

    def _show_message(self) -> None:
        if self._said is None:
            self.message.value = ""
            return
        key, fields = self._said
        if key == "error":  # the plan's own words, in English only
            self.message.value = _warn(fields["text"])
        elif key in ("running", "saved"):
            self.message.value = html.escape(TEXT[self.lang][key])
        else:
            if "business" in fields:
                fields = {**fields, "business": BUSINESS_NAMES[self.lang][fields["business"]]}
            self.message.value = _warn(TEXT[self.lang][key].format(**fields))

    def _show_result(self) -> None:
        outcome = self.outcome
        if outcome is None:
            self.result.value = ""
            return
        t = TEXT[self.lang]
        self.result.value = t["result"].format(
            team=html.escape(outcome.plan.team),
            value=outcome.value,
            profit=outcome.profit - outcome.spent,
            cv=outcome.customer_value,
            customers=outcome.customers_end,
            dis=outcome.dissatisfied_share,
        )
        if self.max_runs is not None and self.run_no is not None:
            key = "last_run" if self.run_no >= self.max_runs else "run_no"
            count = t[key].format(n=self.run_no, max=self.max_runs)
            self.result.value += f"<p class='csat-run-count'><b>{html.escape(count)}</b></p>"

    def _business_changed(self, change) -> None:
        if self._relabelling:
            return
        self._say(None)
        self.figure.value, self.figure.layout.display = b"", "none"
        self.outcome, self.run_no = None, None
        self._show_result()
        self._money = game.budget(change["new"], population=self.population)
        self.promise.value = presets.get(change["new"]).expectations.promise
        self._show_budget()

    def plan(self) -> game.Plan:
        """The team's plan as the sliders show it (raises ValueError when it is not valid)."""
        return game.Plan(
            team=" ".join(self.team.value.split()),
            training=round(self.training.value, 4),
            speed=round(self.speed.value, 4),
            quality=tuple(round(s.value, 4) for s in self.quality),
            promise=round(self.promise.value, 2),
        )

    def runs_made(self, team: str | None = None, business: str | None = None) -> int:
        """How many runs ``team`` (default: the name typed) has made at ``business`` (default: the
        one chosen): in the store over the last :data:`RUN_WINDOW`, else in this console."""
        key = _name_key(self.team.value if team is None else team)
        business = self.business.value if business is None else business
        if self.store is None:
            return self._played.get((key, business), 0)
        return _runs_made(self.store, key, business)

    def _new_run_button(self, label: str):
        """A Run button good for one run: each carries its own token, and a click that reaches
        the kernel from a button already used (the second click of a double-click, queued while
        the year ran) is ignored."""
        w = self._w
        button = w.Button(description=label, button_style="primary", icon="play")
        button.add_class("csat-run")
        button.on_click(self._run)
        self._token = uuid.uuid4().hex
        return button

    def _run(self, button=None) -> None:
        if button is not None and button is not self.run_button:
            return  # a click on a button already used for a run
        if self._running:
            return
        self._running = True
        self.run_button.disabled = True
        try:
            self._run_once()
        finally:
            self._running = False
            if self.run_button.disabled:
                self.run_button.disabled = False

    def _run_once(self) -> None:
        if not self.team.value.strip():
            self._say("need_team")
            return
        made = self.runs_made()
        if self.max_runs is not None and made >= self.max_runs:
            team = " ".join(self.team.value.split())
            self._say("no_runs_left", team=team, max=self.max_runs, business=self.business.value)
            return
        if self._used() > 1.0 + 1e-9:
            self._say("over", used=self._used())
            return
        try:
            plan = self.plan()
        except ValueError as err:
            self._say("error", text=str(err))
            return
        self._say("running")
        business = self.business.value
        token = self._token
        # This run has its token: the page gets a fresh button for the next one.
        fresh = self._new_run_button(self.run_button.description)
        self.widget.children = [fresh if c is self.run_button else c for c in self.widget.children]
        self.run_button, fresh.disabled = fresh, True
        outcome = game.play(plan, business=business, runs=self.runs, population=self.population)
        self.outcome, self.run_no = outcome, made + 1
        self._show_result()
        self.figure.value = _dashboard_png(outcome, self.lang)
        self.figure.layout.display = None
        if self.store is not None:
            save(self.store, outcome, token=token)
            self._say("saved")
            if self.on_saved is not None:
                self.on_saved()
        else:
            key = (_name_key(plan.team), business)
            self._played[key] = self._played.get(key, 0) + 1
            self._say(None)

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


class Leaderboard:
    """The trainer's leaderboard: a table and a Refresh button. ``business=None`` ranks every
    business played in one table, with a business column."""

    def __init__(self, store, *, business: str | None = None, lang: str = "en"):
        import ipywidgets as w

        self.store, self.business, self.lang = store, business, lang
        self.table = w.HTML()
        self.table.add_class("csat-leaderboard-table")
        self.refresh_button = w.Button(description=TEXT[lang]["refresh"], icon="refresh")
        self.refresh_button.add_class("csat-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.widget = w.VBox([self.refresh_button, self.table])
        self.refresh()

    def refresh(self) -> pd.DataFrame:
        if self.business is None:
            board = all_standings(self.store)
        else:
            board = standings(self.store, self.business)
        self.table.value = _table(board, self.lang)
        return board

    def set_lang(self, lang: str) -> None:
        """Show the leaderboard in ``lang``, read afresh from the store."""
        self.lang = lang
        self.refresh_button.description = TEXT[lang]["refresh"]
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


class Page:
    """The capstone page of the app: language buttons, a team's console and the leaderboard.

    Switching language relabels the page in place: the team's name, plan, result and run count
    stay as they were. A run refreshes the leaderboard.
    """

    def __init__(self, store, *, business: str = "hotel", lang: str = "en", **console_options):
        import ipywidgets as w

        self.store, self.business, self.options = store, business, console_options
        self.lang = w.ToggleButtons(options=LANGS, value=lang, style={"button_width": "80px"})
        self.lang.add_class("csat-lang")
        self.leaderboard = Leaderboard(store, lang=lang)
        self.console = Console(
            store, business=business, lang=lang, on_saved=self.leaderboard.refresh,
            **console_options,
        )  # fmt: skip
        self.heading = w.HTML()
        self.body = w.VBox([self.console.widget, self.heading, self.leaderboard.widget])
        self.widget = w.VBox([self.lang, self.body])
        self.widget.add_class("csat-capstone-page")
        self._label()
        self.lang.observe(lambda _c: self._label(), names="value")

    def _label(self) -> None:
        lang = self.lang.value
        self.console.set_lang(lang)
        if self.leaderboard.lang != lang:
            self.leaderboard.set_lang(lang)
        self.heading.value = f"<h3>{html.escape(TEXT[lang]['leaderboard'])}</h3>"

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


def _warn(text: str) -> str:
    return f"<p style='color:#b2182b;font-weight:bold'>{html.escape(text)}</p>"


def _dashboard_png(outcome: game.Outcome, lang: str) -> bytes:
    import matplotlib.pyplot as plt

    from csat.lessons.plots import dashboard

    fig = dashboard(outcome.results[0], lang=lang, title=outcome.plan.team)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
