"""What an app page shows: its widget, or, while the results database cannot be reached, a
notice in every language with a *Try again* button.

An app page (``csat/app/*.ipynb``) builds its widget from a :class:`~csat.exercises.store.Store`.
When the database cannot be reached (PostgreSQL restarting, a network cable pulled), opening
the store raises, and Voilà would show its generic "error when executing cell" with nothing
to press. :func:`page` shows instead a notice, in every language because nobody has picked one
yet, and a button that tries again and, once the database answers, puts the page's widget in
its place. The reason (host, user, driver message) goes to the trainer's terminal
(:mod:`csat.log`), never to the page.

>>> import tempfile, os
>>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "room.sqlite")
>>> type(page(lambda store: store, url=url)).__name__
'Store'
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

from csat import i18n
from csat.exercises.store import Store, StoreError
from csat.i18n import Namespace

log = logging.getLogger(__name__)

TEXT = Namespace("pages")
"""The notice's words in every language."""


def said(part: str) -> str:
    """One of the notice's texts, in every language at once."""
    return " · ".join(TEXT[lang][part] for lang in i18n.LANGUAGES)


class Unreachable:
    """The notice shown while the database cannot be reached; :meth:`retry` (the button)
    opens the store and replaces the notice with the page's widget.

    Attributes
    ----------
    retry_button : ipywidgets.Button ; message : ipywidgets.HTML
    page : the page's widget object once it could be built, else None
    widget : ipywidgets.VBox — what the page shows
    """

    def __init__(
        self, build: Callable[[Store], Any], *, url: str | None, opener: Callable[..., Store]
    ):
        import ipywidgets as w

        self._build, self._url, self._opener = build, url, opener
        self.page: Any = None
        self.message = w.HTML(self._notice(said("unreachable")))
        self.message.add_class("csat-unreachable")
        self.retry_button = w.Button(description=said("retry"), button_style="primary")
        self.retry_button.add_class("csat-retry")
        self.retry_button.on_click(lambda _b: self.retry())
        self.widget = w.VBox([self.message, self.retry_button])

    @staticmethod
    def _notice(text: str) -> str:
        return (
            "<p style='color:#b2182b;font-weight:bold;font-size:16px;max-width:640px'>"
            f"{html.escape(text)}</p>"
        )

    def retry(self) -> bool:
        """Try to open the store again; True once the page's widget is shown."""
        if self.page is not None:
            return True
        self.retry_button.disabled = True  # a double click tries once
        try:
            store = _open(self._url, self._opener)
            if store is None:
                self.message.value = self._notice(said("still_unreachable"))
                return False
            self.page = self._build(store)
        finally:
            self.retry_button.disabled = False
        shown = getattr(self.page, "widget", self.page)
        self.widget.children = [shown]
        return True

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


def _open(url: str | None, opener: Callable[..., Store]) -> Store | None:
    try:
        return opener(url)
    except StoreError as err:
        log.error("an app page cannot open the results database: %s", err)
        return None


def page(
    build: Callable[[Store], Any],
    *,
    url: str | None = None,
    opener: Callable[..., Store] = Store,
) -> Any:
    """``build(Store(url))``, the page's widget; or, when the database cannot be reached, an
    :class:`Unreachable` notice that builds it on *Try again*.

    Parameters
    ----------
    build : makes the page's widget from an open store
    url : the database; by default the room's (``$CSAT_DB_URL``, see :class:`Store`)
    opener : opens the store (tests pass one that fails)
    """
    store = _open(url, opener)
    if store is None:
        return Unreachable(build, url=url, opener=opener)
    return build(store)
