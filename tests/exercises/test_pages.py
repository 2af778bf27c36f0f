"""An app page whose results database cannot be reached says so in every language, names no
host or user, and comes up by itself on *Try again* once the database answers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import csat
from csat.exercises.store import Store, StoreError
from csat.ui.pages import Unreachable, page

APP = Path(csat.__file__).parent / "app"
DEAD = "postgresql+psycopg://trainee_db_user:secret@127.0.0.1:9/room"
"""A PostgreSQL URL nobody answers on (port 9, discard), with a user and a password."""


class FlakyOpener:
    """Opens the store only after ``down`` refusals, as a database that comes back does."""

    def __init__(self, url: str, down: int):
        self.url, self.down, self.calls = url, down, 0

    def __call__(self, _url):
        self.calls += 1
        if self.calls <= self.down:
            raise StoreError(f"{DEAD}: connection refused")
        return Store(self.url)


def test_a_reachable_database_builds_the_page_directly(tmp_path):
    url = f"sqlite:///{tmp_path / 'room.sqlite'}"
    built = page(lambda store: ("page", store.url), url=url)
    assert built == ("page", url)


def test_an_unreachable_database_shows_a_notice_and_try_again_brings_the_page(tmp_path, caplog):
    import ipywidgets as w

    opener = FlakyOpener(f"sqlite:///{tmp_path / 'room.sqlite'}", down=2)
    made = []

    def build(store):
        made.append(store)
        return type("Page", (), {"widget": w.Label("the hub")})()

    shown = page(build, opener=opener)
    assert isinstance(shown, Unreachable) and made == []
    text = shown.message.value
    assert "cannot be reached" in text and "无法连接成绩数据库" in text
    assert "127.0.0.1" not in text and "trainee_db_user" not in text and "secret" not in text
    assert "Try again" in shown.retry_button.description
    assert "重试" in shown.retry_button.description
    shown.retry_button.click()  # still down
    assert "Still not reachable" in shown.message.value and "仍然无法连接" in shown.message.value
    assert not shown.retry_button.disabled and made == []
    shown.retry_button.click()  # back
    assert len(made) == 1 and shown.widget.children[0].value == "the hub"
    shown.retry_button.click()  # a late second click builds nothing more
    assert len(made) == 1 and opener.calls == 3
    # The trainer's terminal has the reason, twice (first open and the failed retry).
    assert caplog.text.count("cannot open the results database") == 2


@pytest.mark.parametrize("name", ["hub", "trainer", "capstone"])
def test_an_app_page_with_postgresql_down_runs_and_shows_the_notice(name, tmp_path, capfd):
    """The page as Voilà runs it: no error from its cell, and nothing on the page (outputs,
    streams) names the database, its host or its user; the server's terminal (the kernel's
    inherited standard error) gets the reason."""
    nb = nbformat.read(APP / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print(type(_).__name__, _.message.value)"))
    env = {**os.environ, "CSAT_DB_URL": DEAD, "CSAT_TRAINER_CODE": "482915"}
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    old = dict(os.environ)
    os.environ.update(env)  # the kernel inherits the server's environment, as under Voilà
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    page_text = json.dumps(outputs, ensure_ascii=False)
    assert "Unreachable" in page_text and "无法连接成绩数据库" in page_text
    for secret in ("127.0.0.1", "trainee_db_user", "secret", "postgresql", "psycopg"):
        assert secret not in page_text, secret
    terminal = capfd.readouterr().err
    assert "ERROR csat.ui.pages: an app page cannot open the results database" in terminal
    assert "127.0.0.1" in terminal and "secret" not in terminal
