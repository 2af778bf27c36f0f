"""Take results out of a browser-only session (JupyterLite) to the trainer: the file's contents.

In JupyterLite the results database lives in the browser tab. :func:`export_json` turns the
trainee's attempts into the JSON text a download offers (the button that offers it is
:class:`csat.ui.export.ExportButton`); the trainer merges such files into the classroom store
with ``python -m csat exercises import FILE…`` (importing twice adds nothing).

>>> from csat.exercises.store import Store
>>> store = Store("sqlite://")
>>> tid = store.trainee("Wang Fang")
>>> data = json.loads(export_json(store, tid))
>>> [t["display_name"] for t in data["trainees"]]
['Wang Fang']
>>> file_name("Wang Fang")
'csat-results-Wang-Fang.json'
"""

from __future__ import annotations

import json
import re


def export_json(store, trainee_id: str | None = None) -> str:
    """The store's contents (or one trainee's) as the JSON text ``import`` reads."""
    return json.dumps(store.export(trainee_id), ensure_ascii=False, indent=1, default=str)


def trainee_id(store, name: str | None) -> str | None:
    """The id of the trainee called ``name`` in ``store``; None for everyone or nobody found."""
    if name is None:
        return None
    people = store.trainees()
    match = people[people["display_name"] == name]
    return match["trainee_id"].iloc[0] if len(match) else None


def file_name(name: str | None) -> str:
    """The download's file name for trainee ``name`` (or everyone): letters, digits, hyphens."""
    stem = re.sub(r"[^\w\-]+", "-", name or "everyone", flags=re.UNICODE).strip("-")
    return f"csat-results-{stem or 'trainee'}.json"
