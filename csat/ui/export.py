"""The export button of a browser-only session (JupyterLite): the trainee's results as a file.

The file's contents come from :mod:`csat.exercises.export`; the trainer merges such files into
the classroom store with ``python -m csat exercises import FILE…``.

>>> from csat.exercises.store import Store
>>> store = Store("sqlite://")
>>> _ = store.trainee("Wang Fang")
>>> button = ExportButton(store, trainee="Wang Fang")
>>> button.button.description
'Export my results'
>>> _ = button.prepare()
>>> "download='csat-results-Wang-Fang.json'" in button.link.value
True
"""

from __future__ import annotations

import base64
import html
from typing import Any

from csat import i18n
from csat.exercises.export import export_json, file_name, trainee_id
from csat.ui.common import _t


class ExportButton:
    """A button that prepares a download link with the results (one trainee's, or all)."""

    def __init__(self, store, *, trainee: str | None = None, lang: str = "en"):
        import ipywidgets as w

        self.store, self.trainee, self.lang = store, trainee, i18n.check(lang)
        self.button = w.Button(description=_t(lang, "export"), icon="download")
        self.button.add_class("csat-export")
        self.link = w.HTML()
        self.link.add_class("csat-export-link")
        self.button.on_click(lambda _b: self.prepare())
        self.widget = w.HBox([self.button, self.link])

    def prepare(self) -> str:
        """Build the file and show its download link; return the JSON text."""
        text = export_json(self.store, trainee_id(self.store, self.trainee))
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        name = file_name(self.trainee)
        self.link.value = (
            f"<a download='{html.escape(name)}' href='data:application/json;base64,{data}'>"
            f"{html.escape(name)}</a> — {html.escape(_t(self.lang, 'export_hint'))}"
        )
        return text

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
