"""Who is at this screen: one name, one person, in a room that shares one results store.

A name typed for the first time makes a new trainee with a personal code of four digits, shown
once to write down. A name already in the store asks "Is this you?": the code brings that
trainee's work back (after a reload, on another device); "I'm someone else" takes the name
with the next free number ("王芳 2") and a code of its own. A trainee made before codes
existed (in a notebook, say) sets one on the first "Is this you?". Under JupyterHub the name is
the hub's user name, locked, and needs no code.

A name and code the trainee's browser remembered (:mod:`csat.ui.memory`) are settled without
asking by :meth:`Identity.recognise` when the code is that trainee's; :meth:`Identity.forget`
is "Not you?": this screen no longer holds anyone.

>>> from csat.exercises.store import Store
>>> store = Store("sqlite://")
>>> seen = []
>>> gate = Identity(store, lambda: "en", seen.append)
>>> gate.ask("Wang Fang")
>>> seen, gate.code is not None
(['Wang Fang'], True)
>>> other = Identity(store, lambda: "en", seen.append)
>>> other.ask("wang  fang")  # the same name: asked, not let in
>>> seen, other.pending
(['Wang Fang'], 'wang  fang')
>>> other.someone_else()
>>> seen
['Wang Fang', 'wang  fang 2']
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable

from csat.exercises.store.records import CODE_DIGITS, new_code
from csat.i18n import Namespace

WORDS = Namespace("identity")
HUB_USER = "JUPYTERHUB_USER"
"""Environment variable JupyterHub sets to the signed-in user: the name, locked."""


def hub_user() -> str | None:
    """The JupyterHub user signed in on this server, or None outside JupyterHub."""
    user = os.environ.get(HUB_USER, "").strip()
    return user or None


class Identity:
    """The "Is this you?" step between typing a name and opening an exercise.

    Parameters
    ----------
    store : the room's :class:`~csat.exercises.store.Store`.
    language : a function giving the page's current language.
    ready : called with the display name to use once it is settled.

    Attributes
    ----------
    widget : the panel to place on the page (hidden until it has something to say).
    code : the personal code made at this screen, shown until the page is closed, or None.
    pending : the name waiting for an answer to "Is this you?", or None.
    settled : ``(name, code)`` of the last person settled here (code None when this screen
        does not know it, e.g. under JupyterHub), or None.
    """

    def __init__(self, store, language: Callable[[], str], ready: Callable[[str], None]):
        import ipywidgets as w

        self.store, self._language, self._ready = store, language, ready
        self.code: str | None = None
        self.pending: str | None = None
        self.settled: tuple[str, str | None] | None = None
        self._mine: dict[str, str | None] = {}  # trainee ids this screen has shown it owns
        self.question = w.HTML()
        self.code_box = w.Text(layout=w.Layout(width="120px"))
        self.code_box.add_class("csat-code")
        self.yes = w.Button(button_style="primary")
        self.yes.add_class("csat-its-me")
        self.yes.on_click(lambda _b: self.confirm(self.code_box.value))
        self.no = w.Button()
        self.no.add_class("csat-someone-else")
        self.no.on_click(lambda _b: self.someone_else())
        self.note = w.HTML()
        self.note.add_class("csat-code-note")
        self.asking = w.VBox(
            [self.question, w.HBox([self.code_box, self.yes, self.no], layout=w.Layout(
                flex_flow="row wrap"))]
        )  # fmt: skip
        self.asking.layout.display = "none"
        self.widget = w.VBox([self.asking, self.note])
        self.widget.add_class("csat-identity")

    # -- the steps ---------------------------------------------------------------------------
    def ask(self, name: str) -> None:
        """The trainee typed ``name`` and asked to begin."""
        user = hub_user()
        if user is not None:
            self._done(user, self.store.trainee(user), None)
            return
        found = self.store.find_trainee(name)
        if found is None:
            self._new(name)
        elif found in self._mine:
            self._done(name, found, self._mine[found])
        else:
            self.pending = name
            self.render()

    def confirm(self, code: str) -> None:
        """The trainee says the name is theirs and gives ``code``."""
        if self.pending is None:
            return
        found = self.store.find_trainee(self.pending)
        if found is None:  # removed meanwhile (a reset): a new trainee after all
            self._new(self.pending)
            return
        if not self.store.has_code(found):
            # Made before codes existed: this first claim sets one.
            self.code = new_code()
            self.store.set_code(found, self.code)
            self._done(self.pending, found, self.code)
            return
        try:
            right = self.store.check_code(found, code)
        except ValueError:
            right = False
        if not right:
            self._say("wrong_code", n=CODE_DIGITS)
            return
        self._done(self.pending, found, code.strip())

    def someone_else(self) -> None:
        """The trainee is another person of the same name: the next free numbered name."""
        if self.pending is None:
            return
        self._new(self.store.free_name(self.pending))

    def recognise(self, name: str, code: str) -> bool:
        """Whether ``code`` is the personal code of the trainee called ``name``: then that
        trainee is settled at this screen, and the next :meth:`ask` for the name lets them in
        without the question. Anything amiss (no such trainee any more, a malformed code, a
        store that cannot be read) is simply not recognised: the question is asked as usual."""
        if hub_user() is not None:
            return False
        try:
            found = self.store.find_trainee(name)
            right = found is not None and self.store.check_code(found, code)
        except Exception:  # remembered text from a browser, an unreachable store: never fatal
            return False
        if right:
            self._mine[found] = code.strip()
        return right

    def forget(self) -> None:
        """The trainee said "Not you?": nobody is settled at this screen any more, and the code
        made here is no longer shown."""
        self._mine.clear()
        self.settled = self.code = self.pending = None
        self.code_box.value = ""
        self.render()

    # -- inside ------------------------------------------------------------------------------
    def _new(self, name: str) -> None:
        trainee_id = self.store.trainee(name)
        if not self.store.has_code(trainee_id):
            self.code = new_code()
            self.store.set_code(trainee_id, self.code)
            self._done(name, trainee_id, self.code)
        else:  # another screen made this name a moment ago: ask, as for any known name
            self.pending = name
            self.render()

    def _done(self, name: str, trainee_id: str, code: str | None) -> None:
        self._mine[trainee_id] = code
        self.settled = (name, code)
        self.pending = None
        self.code_box.value = ""
        self.render()
        self._ready(name)

    def _say(self, key: str, **kwargs) -> None:
        self.render()
        text = WORDS[self._language()][key].format(**kwargs)
        self.note.value = f"<p style='color:#b2182b;font-weight:bold'>{html.escape(text)}</p>"

    def render(self) -> None:
        """Redraw in the page's current language."""
        t = WORDS[self._language()]
        self.yes.description, self.no.description = t["its_me"], t["someone_else"]
        self.code_box.placeholder = t["code_hint"].format(n=CODE_DIGITS)
        if self.pending is not None:
            self.asking.layout.display = ""
            question = t["is_this_you"].format(name=self.pending)
            self.question.value = (
                f"<p style='margin:4px 0'><b>{html.escape(question)}</b><br>"
                f"{html.escape(t['enter_code'].format(n=CODE_DIGITS))}</p>"
            )
        else:
            self.asking.layout.display = "none"
        self.note.value = (
            f"<p class='csat-your-code' style='margin:4px 0'>"
            f"{html.escape(t['your_code'])} <b style='font-size:18px;letter-spacing:2px'>"
            f"{html.escape(self.code)}</b> — {html.escape(t['keep_code'])}</p>"
            if self.code is not None and self.pending is None
            else ""
        )
