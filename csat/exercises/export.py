"""Take results out of a browser-only session (JupyterLite) to the trainer.

In JupyterLite the results database lives in the browser tab. :class:`ExportButton` turns the
trainee's attempts into a JSON file offered as a download; the trainer merges such files into
the classroom store with ``python -m csat exercises import FILE…`` (importing twice adds nothing).

>>> from csat.exercises.store import Store
>>> store = Store("sqlite://")
>>> tid = store.trainee("Wang Fang")
>>> data = json.loads(export_json(store, tid))
>>> [t["display_name"] for t in data["trainees"]]
['Wang Fang']
"""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any


def export_json(store, trainee_id: str | None = None) -> str:
    """The store's contents (or one trainee's) as the JSON text ``import`` reads."""
    return json.dumps(store.export(trainee_id), ensure_ascii=False, indent=1, default=str)


def _file_name(name: str | None) -> str:
    stem = re.sub(r"[^\w\-]+", "-", name or "everyone", flags=re.UNICODE).strip("-")
    return f"csat-results-{stem or 'trainee'}.json"


class ExportButton:
    """A button that prepares a download link with the results (one trainee's, or all)."""

    def __init__(self, store, *, trainee: str | None = None, lang: str = "en"):
        import ipywidgets as w

        self.store, self.trainee, self.lang = store, trainee, lang
        label = "导出我的成绩" if lang == "zh" else "Export my results"
        self.button = w.Button(description=label, icon="download")
        self.button.add_class("csat-export")
        self.link = w.HTML()
        self.link.add_class("csat-export-link")
        self.button.on_click(lambda _b: self.prepare())
        self.widget = w.HBox([self.button, self.link])

    def prepare(self) -> str:
        """Build the file and show its download link; return the JSON text."""
        tid = None
        if self.trainee is not None:
            people = self.store.trainees()
            match = people[people["display_name"] == self.trainee]
            tid = match["trainee_id"].iloc[0] if len(match) else None
        text = export_json(self.store, tid)
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        name = _file_name(self.trainee)
        hint = (
            "点击下载，然后把文件交给培训师。"
            if self.lang == "zh"
            else "Click to download, then hand the file to your trainer."
        )
        self.link.value = (
            f"<a download='{html.escape(name)}' href='data:application/json;base64,{data}'>"
            f"{html.escape(name)}</a> — {html.escape(hint)}"
        )
        return text

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
