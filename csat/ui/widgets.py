"""What trainees and observers click: the role-play, the quiz, the observer's sheet and a hub.

Each widget is a plain object holding its ipywidgets as attributes (so tests and browser tests
can drive them: ``rp.buttons[0].click()``, ``rp.lang.value = "zh"``) and shows itself through
``.widget``. Every update sets an ``HTML`` widget's ``.value`` or a box's ``.children`` — never
``with out:``, ``interact`` or ``clear_output`` — so a notebook that shows one still passes
nbval. Every text a trainee typed or a scenario supplies is escaped with :func:`html.escape`.

Stable CSS classes for browser tests: ``csat-roleplay``, ``csat-chat``, ``csat-mood``,
``csat-choice`` (plus ``csat-choice-<choice id>``), ``csat-feedback``, ``csat-scorecard``,
``csat-replay``, ``csat-lang``, ``csat-name``, ``csat-start``, ``csat-message``; ``csat-quiz``,
``csat-quiz-options``, ``csat-submit``, ``csat-next``, ``csat-explanation``, ``csat-score``;
``csat-observer``, ``csat-rating-<dimension>``, ``csat-save``; ``csat-hub``, ``csat-open``.

>>> rp = RolePlay("hotpot-queue", seed=1)
>>> rp.session.node, len(rp.buttons)
('at-the-stand', 4)
>>> for node, choice in rp.scenario.best_path():
...     rp.button_for(choice).click()
>>> rp.session.finished, "100/100" in rp.scorecard.value
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csat.exercises import quiz as quiz_mod
from csat.exercises import scenario as scenario_mod
from csat.exercises.engine import model_answer
from csat.ui.common import (
    CSS,
    FONT_STACK,
    LANGS,
    MAX_NAME,
    MOOD_COLOURS,
    MOOD_WORDS,
    OUTCOME_COLOURS,
    SCALE_WORDS,
    UI,
    _colon,
    _t,
    _warn,
    mood_html,
)
from csat.ui.identity import Identity, hub_user
from csat.ui.observer import ObserverSheet
from csat.ui.quiz import QuizWidget
from csat.ui.roleplay import RolePlay

__all__ = [
    "CSS",
    "FONT_STACK",
    "LANGS",
    "MAX_NAME",
    "MOOD_COLOURS",
    "MOOD_WORDS",
    "OUTCOME_COLOURS",
    "SCALE_WORDS",
    "Hub",
    "ObserverSheet",
    "QuizWidget",
    "RolePlay",
    "model_answer",
    "mood_html",
]


FIT = "calc(100% - 4px)"
"""A control's widest: its box plus ipywidgets' 2 px margin each side stays inside a phone's
screen, where 100% would cut its right edge off."""


class Hub:
    """One page for a workshop: the trainee types a name, picks a role-play, a quiz or the
    observer's sheet, and it opens below.

    Attributes
    ----------
    name : ipywidgets.Text ; picker : ipywidgets.Dropdown ; open_button : ipywidgets.Button
    current : RolePlay, QuizWidget, ObserverSheet or None — what is open
    """

    def __init__(self, store, *, lang: str = "en", seed: int | None = None) -> None:
        import ipywidgets as w

        if lang not in UI:
            raise ValueError(f"lang must be one of {sorted(UI)}, got {lang!r}")
        self.store = store
        self.seed = seed
        self.current: RolePlay | QuizWidget | ObserverSheet | None = None
        self.lang = w.ToggleButtons(options=LANGS, value=lang, style={"button_width": "80px"})
        self.lang.add_class("csat-lang")
        # max_width and a wrapping row: on a phone-sized screen the controls shrink and stack.
        self.name = w.Text(
            layout=w.Layout(width="360px", max_width=FIT), style={"description_width": "110px"}
        )
        self.name.add_class("csat-name")
        self.picker = w.Dropdown(
            layout=w.Layout(width="620px", max_width=FIT), style={"description_width": "110px"}
        )
        self.picker.add_class("csat-picker")
        self.open_button = w.Button(button_style="primary", icon="play")
        self.open_button.add_class("csat-open")
        self.open_button.on_click(self._open)
        self.message = w.HTML()
        self.message.add_class("csat-message")
        # Who is at this screen: a name already in the room's store asks "Is this you?".
        self.identity = Identity(store, lambda: self.language, self._open_as)
        self._wanted: tuple[str, str] | None = None
        user = hub_user()
        if user is not None:  # under JupyterHub the name is the signed-in user's
            self.name.value, self.name.disabled = user, True
        self.body = w.VBox()
        self.widget = w.VBox(
            [
                w.HTML(CSS),
                self.lang,
                self.name,
                w.HBox([self.picker, self.open_button], layout=w.Layout(flex_flow="row wrap")),
                self.message,
                self.identity.widget,
                self.body,
            ]
        )
        self.widget.add_class("csat-root")
        self.widget.add_class("csat-hub")
        self.lang.observe(lambda _change: self._language_changed(), names="value")
        self.render()

    def _language_changed(self) -> None:
        self.render()
        self.identity.render()
        if self.current is not None:
            self.current.lang.value = self.language

    def render(self) -> None:
        lang = self.language
        self.name.description = _t(lang, "name")
        self.name.placeholder = _t(lang, "name_hint")
        self.picker.description = _t(lang, "exercise")
        self.open_button.description = _t(lang, "open")
        keep = self.picker.value
        # A file with problems is left out (the trainer sees it in `python -m csat exercises
        # validate`); one broken file must not take the whole room's hub down.
        options, self.skipped = [], []
        colon = _colon(lang)
        for sid in scenario_mod.library():
            try:
                title = scenario_mod.load(sid).title(lang)
            except scenario_mod.ScenarioError:
                self.skipped.append(sid)
                continue
            options.append((f"{_t(lang, 'roleplay_label')}{colon}{title}", f"scenario:{sid}"))
        for qid in quiz_mod.library():
            try:
                title = quiz_mod.load(qid).title(lang)
            except quiz_mod.QuizError:
                self.skipped.append(qid)
                continue
            options.append((f"{_t(lang, 'quiz_label')}{colon}{title}", f"quiz:{qid}"))
        options.append((_t(lang, "observer_label"), "observer:"))
        self.picker.options = options
        # A new language relabels the same exercises; on first render, offer the first one.
        self.picker.value = keep if keep is not None else options[0][1]

    @property
    def language(self) -> str:
        return self.lang.value

    def _open(self, _button=None) -> None:
        lang = self.language
        kind, _, ref = self.picker.value.partition(":")
        name = " ".join(self.name.value.split())
        if kind != "observer" and not name:
            self.message.value = _warn(_t(lang, "need_name"))
            return
        if len(name) > MAX_NAME:
            self.message.value = _warn(_t(lang, "name_too_long", n=MAX_NAME))
            return
        self.message.value = ""
        if kind == "observer" or self.store is None:
            self._open_as(name, wanted=(kind, ref))
            return
        self._wanted = (kind, ref)
        self.identity.ask(name)

    def _open_as(self, name: str, wanted: tuple[str, str] | None = None) -> None:
        """Open what was picked, for ``name`` (settled by :attr:`identity`)."""
        kind, ref = wanted or self._wanted
        lang = self.language
        if kind != "observer" and name != " ".join(self.name.value.split()):
            self.name.value = name  # e.g. "王芳 2", taken by a second 王芳
        makers: dict[str, Callable[[], Any]] = {
            "scenario": lambda: RolePlay(
                ref, store=self.store, trainee=name, lang=lang, seed=self.seed
            ),
            "quiz": lambda: QuizWidget(ref, store=self.store, trainee=name, lang=lang),
            "observer": lambda: ObserverSheet(self.store, lang=lang),
        }
        self.current = makers[kind]()
        if kind == "observer" and name:
            self.current.observer.value = name  # the person at this screen is the observer
        # One language switch for the page: the hub's drives the open exercise.
        self.current.lang.layout.display = "none"
        self.body.children = [self.current.widget]

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
