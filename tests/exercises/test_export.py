"""Results leave a browser-only session as a file the trainer imports; twice adds nothing."""

from __future__ import annotations

import base64
import json
import re

from csat.cli.exercises import main
from csat.exercises.engine import Session
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.ui.export import ExportButton


def test_export_button_file_imports_into_the_classroom_store(tmp_path, capsys):
    browser = Store(f"sqlite:///{tmp_path / 'tab.sqlite'}")
    s = load("delayed-flight")
    tid = browser.trainee("陈静 <Chen>")
    session = Session(s, seed=3, store=browser, trainee_id=tid, lang="zh")
    for _, choice in s.best_path():
        session.choose(choice)
    button = ExportButton(browser, trainee="陈静 <Chen>", lang="zh")
    button.button.click()
    link = button.link.value
    assert "download='csat-results-陈静-Chen.json'" in link and "&lt;" not in link.split("'")[1]
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1)
    exported = tmp_path / "results.json"
    exported.write_text(base64.b64decode(payload).decode("utf-8"), encoding="utf-8")
    assert json.loads(exported.read_text(encoding="utf-8"))["trainees"][0]["display_name"] == (
        "陈静 <Chen>"
    )
    room = f"sqlite:///{tmp_path / 'room.sqlite'}"
    assert main(["import", str(exported), "--db", room]) == 0
    assert main(["import", str(exported), "--db", room]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("added") and "0 attempts" in out[1]
    with Store(room) as store:
        attempts = store.attempts(finished_only=True)
        assert list(attempts["display_name"]) == ["陈静 <Chen>"]
        assert attempts.iloc[0]["total"] == 100.0
        assert len(store.decisions(int(attempts.iloc[0]["attempt_id"]))) == len(s.best_path())
