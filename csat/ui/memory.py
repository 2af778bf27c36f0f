"""What the trainee's own browser remembers for the hub: a tiny invisible widget.

A Voilà page gets a new kernel on every reload, so the kernel forgets who was at the screen.
:class:`BrowserMemory` keeps a small mapping in the browser's ``localStorage`` under one key
(``csat-hub``) and syncs it with the kernel through one trait, ``value``:

* once the page is drawn (the memory's view rendered, so every widget of the page exists in
  the browser), the front end reads the key and sends what it holds (``value``) and
  ``loaded = True`` — also when nothing is stored, when the stored text is not JSON, and when
  the browser refuses storage (private mode, blocked site data: ``available = False``); the
  kernel learns it through :meth:`BrowserMemory.on_load`, some time after the hub was drawn;
* when the kernel changes ``value`` (:meth:`~BrowserMemory.remember`,
  :meth:`~BrowserMemory.forget`), the front end writes it; a browser that refuses is ignored.

The memory belongs to one browser on one device: another browser, or a private window, starts
empty. Changes made before the stored value arrived are kept and laid over it when it does.

What the hub keeps here (see :class:`csat.ui.hub.Hub`): ``lang`` (the trainee's own choice),
``name`` (once settled by the "Is this you?" step), ``place`` (the exercise open) and ``code``.

The personal code is stored too. Without it a reload would ask "Is this you?" every time and
the trainee would have to type the four digits again, which is what a reload in the middle of
a role-play must not cost; with it the page goes straight back to the exercise, at the same
step. The code is no password (it only tells two people of the same name apart, see
:mod:`csat.ui.identity`), and the browser that holds it is the one the trainee played on. What
it does cost is the shared device, a real case in a training room (a pair on one laptop, a
tablet passed on after lunch): the next person would carry on as the first. So the hub shows
"Not you? / 不是你？" beside a remembered name, which forgets the name, the code and the place on
this device and closes the exercise; and a reload never shows the code again (only the screen
where it was made shows it, to be written down).

>>> memory = BrowserMemory()
>>> seen = []
>>> memory.on_load(seen.append)
>>> memory.remember(lang="zh")  # before the browser answered: kept, sent once it does
>>> memory.set_state({"value": {"name": "Wang Fang"}, "loaded": True})  # as the front end does
>>> seen, memory.value
([{'name': 'Wang Fang'}], {'name': 'Wang Fang', 'lang': 'zh'})
>>> memory.forget("name")
>>> memory.value
{'lang': 'zh'}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

KEY = "csat-hub"
"""The one ``localStorage`` key the hub's memory lives under."""

MAX_TEXT = 200
"""Longest text kept for one field: a remembered value is the trainee's own, but still bounded."""

ESM = """
function storage() {
  // Private windows and blocked site data make localStorage throw or refuse writes.
  try {
    const s = window.localStorage;
    const probe = "csat-probe";
    s.setItem(probe, probe);
    s.removeItem(probe);
    return s;
  } catch (e) {
    return null;
  }
}

function read(s, key) {
  if (s === null) return {};
  try {
    const data = JSON.parse(s.getItem(key) || "{}");
    return data !== null && typeof data === "object" && !Array.isArray(data) ? data : {};
  } catch (e) {
    return {};  // not JSON: as if nothing were stored (and overwritten at the next write)
  }
}

export default {
  initialize({ model }) {
    const key = model.get("key");
    const s = storage();
    const write = () => {
      if (s === null) return;
      try {
        const value = model.get("value") || {};
        if (Object.keys(value).length) s.setItem(key, JSON.stringify(value));
        else s.removeItem(key);
      } catch (e) {
        // full or refused: the page works on without memory
      }
    };
    model.on("change:value", write);
    return () => model.off("change:value", write);
  },
  render({ model, el }) {
    el.style.display = "none";
    // Answer once the page is drawn, not when this model is made: a page's models are made
    // one by one, and a change the kernel makes in answer (the hub's language) to a widget
    // whose model the page has not made yet would be lost, leaving the page showing the old
    // value while the kernel holds the new.
    if (model.get("loaded")) return;
    setTimeout(() => {
      if (model.get("loaded")) return;  // another view of this model answered first
      const s = storage();
      model.set({ value: read(s, model.get("key")), available: s !== null, loaded: true });
      model.save_changes();
    }, 0);
  },
};
"""


def _clean(value: Any) -> dict[str, Any]:
    """What the browser sent, as a flat mapping of short texts (anything else is dropped)."""
    if not isinstance(value, dict):
        return {}
    return {
        k: v
        for k, v in value.items()
        if isinstance(k, str) and isinstance(v, str) and len(k) <= 40 and len(v) <= MAX_TEXT
    }


class BrowserMemory(anywidget.AnyWidget):
    """A mapping of short texts kept in this browser's ``localStorage`` under ``key``.

    Attributes
    ----------
    value : dict — what is remembered (synced: the front end writes every change).
    loaded : bool — the browser has answered (True even when it had nothing or refuses).
    available : bool — the browser keeps what it is given (False in a private window, say).
    stored : dict — what the browser held when the page was drawn (empty until loaded).
    """

    _esm = ESM
    key = traitlets.Unicode(KEY).tag(sync=True)
    value = traitlets.Dict().tag(sync=True)
    loaded = traitlets.Bool(False).tag(sync=True)
    available = traitlets.Bool(False).tag(sync=True)

    def __init__(self, key: str = KEY, **kwargs: Any) -> None:
        super().__init__(key=key, **kwargs)
        self.layout.display = "none"
        self.stored: dict[str, Any] = {}
        self._early: dict[str, str | None] = {}
        self._callbacks: list[Callable[[dict[str, Any]], None]] = []
        self.observe(self._arrived, names="loaded")

    def on_load(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback(stored)`` once the browser has sent what it holds (at once, if it
        already has)."""
        self._callbacks.append(callback)
        if self.loaded:
            callback(dict(self.stored))

    def remember(self, **fields: str | None) -> None:
        """Keep ``fields`` in the browser; a field given as None is forgotten."""
        if not self.loaded:
            self._early.update(fields)
            return
        merged = dict(self.value)
        for k, v in fields.items():
            if v is None:
                merged.pop(k, None)
            else:
                merged[k] = str(v)[:MAX_TEXT]
        if merged != self.value:
            self.value = merged

    def forget(self, *keys: str) -> None:
        """Forget ``keys`` in the browser."""
        self.remember(**dict.fromkeys(keys))

    def _arrived(self, change: dict) -> None:
        if not change["new"]:
            return
        self.stored = _clean(self.value)
        early, self._early = self._early, {}
        self.value = self.stored  # what the kernel holds is what the browser held, cleaned
        self.remember(**early)
        for callback in self._callbacks:
            callback(dict(self.stored))
