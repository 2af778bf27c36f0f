"""The trainees' hub: one page for the day, as the trainer set it, that remembers the trainee.

The trainer's agenda (:mod:`csat.exercises.agenda`) says which exercises the hub offers, in
which order, and the room's language. The page opens in the first of:

1. ``lang=`` given to :class:`Hub` (a notebook that wants one language);
2. ``lang=`` in the page's address (``hub.ipynb?lang=zh``: Voilà hands the address's query to
   the kernel as ``QUERY_STRING``), so a trainer can hand out one link per language;
3. the agenda's ``language``;

and then, once the trainee's browser has answered, in the language the trainee last chose on
this device (their own choice beats the room's).

The browser also remembers (:mod:`csat.ui.memory`) the trainee's settled name, personal code
and the exercise open. After a reload the name comes back if the field is still empty, the
exercise is selected if the agenda still offers it, and when the remembered code is still the
trainee's the exercise opens by itself: the role-play or quiz resumes from the store at the
step the trainee was on. "Not you? / 不是你？" beside a remembered name forgets all of it on
this device.

>>> from csat.exercises import agenda
>>> hub = Hub(None, agenda=agenda.parse({"language": "zh", "exercises": ["servqual-quiz",
...                                                                  "hotpot-queue"]}))
>>> hub.language, [v for _, v in hub.picker.options]
('zh', ['quiz:servqual-quiz', 'scenario:hotpot-queue'])
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from csat import i18n
from csat.exercises import agenda as agenda_mod
from csat.exercises import quiz as quiz_mod
from csat.exercises import scenario as scenario_mod
from csat.exercises.agenda import Agenda, AgendaError
from csat.ui.common import CSS, FIT, LANGS, MAX_NAME, UI, _colon, _e, _t, _warn
from csat.ui.identity import Identity, hub_user
from csat.ui.observer import ObserverSheet
from csat.ui.quiz import QuizWidget
from csat.ui.roleplay import RolePlay

if TYPE_CHECKING:
    from csat.ui.memory import BrowserMemory


QUERY = "QUERY_STRING"
"""Where Voilà puts the query of the page's address for the kernel (``lang=zh``)."""


def query_language(query: str | None = None) -> str | None:
    """The language asked for by ``lang=`` in the page's address (default: Voilà's
    ``QUERY_STRING``), or None when none is asked for or it is not one the course speaks.

    >>> query_language("lang=zh"), query_language("x=1&lang=fr"), query_language("")
    ('zh', None, None)
    """
    if query is None:
        query = os.environ.get(QUERY, "")
    asked = parse_qs(query).get("lang", [])
    return asked[-1] if asked and asked[-1] in i18n.LANGUAGES else None


def _browser_memory() -> BrowserMemory | None:
    """The memory widget, or None where anywidget cannot be imported (a JupyterLite tab that
    could not fetch it): the hub then works as before and forgets on a reload. Imported here,
    not at the top, so that the course notebooks' widgets never need it."""
    try:
        from csat.ui.memory import BrowserMemory
    except ImportError:
        return None
    return BrowserMemory()


class Hub:
    """One page for a workshop: the trainee types a name, picks a role-play, a quiz or the
    observer's sheet, and it opens below.

    Parameters
    ----------
    store : the room's :class:`~csat.exercises.store.Store` (None: nothing is saved).
    agenda : the day (:class:`~csat.exercises.agenda.Agenda`): what the picker offers, in its
        order, and the room's language. Default: every exercise, in English.
    problem : what was wrong with the agenda file, if the agenda is the fall-back of
        :func:`csat.exercises.agenda.for_room`: shown to the trainee in a small notice.
    lang : the language to open in; default: ``lang=`` of the page's address, else the
        agenda's.
    seed : the reply order of every role-play (default: one per attempt).
    memory : remember the trainee in the browser (:mod:`csat.ui.memory`).

    Attributes
    ----------
    name : ipywidgets.Text ; picker : ipywidgets.Dropdown ; open_button : ipywidgets.Button
    not_you : ipywidgets.Button — "Not you?", shown beside a remembered name
    notice : ipywidgets.HTML — the agenda's problem, if any
    memory : BrowserMemory or None
    current : RolePlay, QuizWidget, ObserverSheet or None — what is open
    """

    def __init__(
        self,
        store,
        *,
        agenda: Agenda | None = None,
        problem: AgendaError | None = None,
        lang: str | None = None,
        seed: int | None = None,
        memory: bool = True,
    ) -> None:
        import ipywidgets as w

        self.agenda = agenda if agenda is not None else agenda_mod.everything()
        if lang is None:
            lang = query_language() or self.agenda.language
        if lang not in UI:
            raise ValueError(f"lang must be one of {sorted(UI)}, got {lang!r}")
        self.store = store
        self.seed = seed
        self.problem = problem
        self.skipped: list[str] = []  # refs of exercises whose files have problems
        self.left_out: list[str] = []  # the first problem of each, shown in the notice
        self.current: RolePlay | QuizWidget | ObserverSheet | None = None
        self.lang = w.ToggleButtons(options=LANGS, value=lang, style={"button_width": "80px"})
        self.lang.add_class("csat-lang")
        # max_width and a wrapping row: on a phone-sized screen the controls shrink and stack.
        self.name = w.Text(
            layout=w.Layout(width="360px", max_width=FIT), style={"description_width": "110px"}
        )
        self.name.add_class("csat-name")
        self.not_you = w.Button(button_style="", layout=w.Layout(width="auto", display="none"))
        self.not_you.add_class("csat-not-you")
        self.not_you.on_click(lambda _b: self.not_me())
        self.picker = w.Dropdown(
            layout=w.Layout(width="620px", max_width=FIT), style={"description_width": "110px"}
        )
        self.picker.add_class("csat-picker")
        self.open_button = w.Button(button_style="primary", icon="play")
        self.open_button.add_class("csat-open")
        self.open_button.on_click(self._open)
        self.message = w.HTML()
        self.message.add_class("csat-message")
        self.notice = w.HTML()
        self.notice.add_class("csat-agenda-problem")
        # Who is at this screen: a name already in the room's store asks "Is this you?".
        self.identity = Identity(store, lambda: self.language, self._open_as)
        self._wanted: tuple[str, str] | None = None
        self._remembered: str | None = None  # the name this browser remembers, if any
        self._recalling = False  # applying what the browser remembered (not the trainee's doing)
        self._lang_chosen = False  # the trainee switched language on this page
        user = hub_user()
        if user is not None:  # under JupyterHub the name is the signed-in user's
            self.name.value, self.name.disabled = user, True
        self.memory = _browser_memory() if memory else None
        self.body = w.VBox()
        self.widget = w.VBox(
            [
                w.HTML(CSS),
                *([self.memory] if self.memory is not None else []),
                self.notice,
                self.lang,
                w.HBox(
                    [self.name, self.not_you],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                ),
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
        if self.memory is not None:
            self.memory.on_load(self._recall)

    # -- drawing -----------------------------------------------------------------------------
    def _language_changed(self) -> None:
        if not self._recalling:
            self._lang_chosen = True
        if self.memory is not None:
            self.memory.remember(lang=self.language)
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
        self.not_you.description = _t(lang, "not_you")
        self.not_you.tooltip = _t(lang, "not_you_hint")
        self.not_you.layout.display = "" if self._remembered is not None else "none"
        keep = self.picker.value
        # A file with problems is left out and named in the notice (`csat exercises validate`
        # lists every problem); one broken file must not take the whole room's hub down.
        options, self.skipped, self.left_out = [], [], []
        colon = _colon(lang)
        for entry in self.agenda.entries:
            kind, _, ref = entry.partition(":")
            if kind == "observer":
                options.append((_t(lang, "observer_label"), entry))
                continue
            module = scenario_mod if kind == "scenario" else quiz_mod
            try:
                title = module.load(ref).title(lang)
            except (scenario_mod.ScenarioError, quiz_mod.QuizError) as err:
                self.skipped.append(ref)
                self.left_out.append(err.problems[0])
                continue
            label = _t(lang, "roleplay_label" if kind == "scenario" else "quiz_label")
            options.append((f"{label}{colon}{title}", entry))
        self.notice.value = self._notice_html(lang)
        self.picker.options = options
        # A new language relabels the same exercises; on first render, offer the first one.
        values = [v for _, v in options]
        self.picker.value = keep if keep in values else (values[0] if values else None)
        self.open_button.disabled = not values

    def _notice_html(self, lang: str) -> str:
        boxes = []
        if self.problem is not None:
            boxes.append((_t(lang, "agenda_problem"), self.problem.problems))
        if self.left_out:
            boxes.append((_t(lang, "broken_files"), self.left_out))
        html = ""
        for head, problems in boxes:
            lines = "".join(f"<li><code>{_e(p)}</code></li>" for p in problems)
            html += (
                "<div style='border-left:4px solid #e08214;background:#fff7ec;padding:6px 12px;"
                "margin:4px 0;font-size:13px'>"
                f"{_e(head)}<ul style='margin:4px 0'>{lines}</ul></div>"
            )
        return html

    @property
    def language(self) -> str:
        return self.lang.value

    # -- opening -----------------------------------------------------------------------------
    def _open(self, _button=None) -> None:
        lang = self.language
        if self.picker.value is None:
            return
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
            "observer": lambda: ObserverSheet(self.store, lang=lang, list_names=False),
        }
        self.current = makers[kind]()
        if kind == "observer" and name:
            self.current.observer.value = name  # the person at this screen is the observer
        # One language switch for the page: the hub's drives the open exercise.
        self.current.lang.layout.display = "none"
        self.body.children = [self.current.widget]
        self._keep(kind, ref)

    # -- the browser's memory ----------------------------------------------------------------
    def _keep(self, kind: str, ref: str) -> None:
        """Have the browser remember what is open and, once settled with a code, who opened
        it (a JupyterHub user is the hub's to remember, not this page's)."""
        if self.memory is None:
            return
        self.memory.remember(place=f"{kind}:{ref}")
        settled = self.identity.settled
        if kind != "observer" and settled is not None and settled[1] is not None:
            name, code = settled
            self.memory.remember(name=name, code=code)
            self._remembered = name
            self.not_you.layout.display = ""

    def _recall(self, stored: dict[str, Any]) -> None:
        """What the browser remembered arrived (after the page was drawn): take what still
        fits, and leave alone whatever the trainee has done on this page meanwhile."""
        lang, name, code = stored.get("lang"), stored.get("name"), stored.get("code")
        place = stored.get("place")
        with self._recall_guard():
            if lang in i18n.LANGUAGES and not self._lang_chosen:
                self.lang.value = lang
            typed = " ".join(self.name.value.split())
            if isinstance(name, str) and 0 < len(name) <= MAX_NAME and not self.name.disabled:
                if not typed:
                    self.name.value = typed = name
                if typed == name:
                    self._remembered = name
            if self.current is None and place in [v for _, v in self.picker.options]:
                self.picker.value = place
            else:
                place = None
        self.render()
        if place is None or self.current is not None or self.identity.pending is not None:
            return
        # Straight back in when nobody needs asking: the observer's sheet, a JupyterHub user,
        # and a name whose remembered code is still that trainee's.
        if place.partition(":")[0] != "observer":
            if not self.name.value.strip():
                return
            if self.store is not None and hub_user() is None:
                if self._remembered is None or not isinstance(code, str):
                    return
                if not self.identity.recognise(self._remembered, code):
                    self.memory.forget("code")  # e.g. the trainer reset the store: ask again
                    return
        self._open()

    @contextlib.contextmanager
    def _recall_guard(self):
        self._recalling = True
        try:
            yield
        finally:
            self._recalling = False

    def not_me(self) -> None:
        """The trainee said "Not you?": forget the remembered name, code and exercise on this
        device, close the exercise and clear the name, for the next person at this screen."""
        lang, name = self.language, self._remembered
        if self.memory is not None:
            self.memory.forget("name", "code", "place")
        self._remembered = None
        self.identity.forget()
        self.current = None
        self.body.children = []
        if not self.name.disabled:
            self.name.value = ""
        self.render()
        if name:
            self.message.value = (
                f"<p class='csat-forgotten'>{_e(_t(lang, 'forgotten', name=name))}</p>"
            )

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
