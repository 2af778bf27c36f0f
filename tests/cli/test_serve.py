"""Voilà's settings for a room (csat/cli/serve.py), as the app folder's voila.py applies them."""

from __future__ import annotations

import contextvars
import os
import runpy
from pathlib import Path

import pytest
from tornado import web
from traitlets.config import Config

from csat.cli import serve

APP = Path(__file__).resolve().parents[2] / "csat" / "app"


def test_the_app_folder_config_applies_the_room_settings(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "")
    c = Config()
    runpy.run_path(str(APP / "voila.py"), init_globals={"c": c})
    assert c.VoilaConfiguration.template == "csat"
    assert c.VoilaConfiguration.prelaunch_hook is serve.prelaunch
    assert c.VoilaConfiguration.multi_kernel_manager_class is serve.RoomKernelManager
    assert c.MappingKernelManager.cull_connected is False
    assert 0 < c.MappingKernelManager.cull_idle_timeout <= 900
    assert c.VoilaExecutor.iopub_timeout >= 60
    # Voilà finds the template on the Jupyter data path, once however often it is configured.
    serve.configure(Config())
    assert os.environ["JUPYTER_PATH"].split(os.pathsep).count(str(serve.DATA)) == 1
    assert (serve.DATA / "voila" / "templates" / "csat" / "index.html.j2").is_file()


def test_the_template_links_no_font_awesome_beyond_this_machine():
    template = serve.DATA / "voila" / "templates" / "csat"
    text = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "http" not in text.replace("voila/templates/csat/static", "")
    for css in ("all.min.css", "v4-shims.min.css"):
        assert (template / "static" / "fontawesome" / "css" / css).stat().st_size > 10_000
    # Every web font the stylesheet asks a browser for first is there.
    sheet = (template / "static" / "fontawesome" / "css" / "all.min.css").read_text()
    for face in ("fa-solid-900", "fa-regular-400", "fa-brands-400"):
        assert f"../webfonts/{face}.woff2" in sheet
        assert (template / "static" / "fontawesome" / "webfonts" / f"{face}.woff2").is_file()


def test_the_prelaunch_hook_gives_the_page_its_xsrf_cookie():
    class Handler:
        read = False
        request = type("Request", (), {"remote_ip": "192.168.1.40"})()

        @property
        def xsrf_token(self):  # tornado sets the _xsrf cookie when this is read
            Handler.read = True
            return b"token"

    page_view = contextvars.copy_context()  # the request's own task, as in Voilà
    assert page_view.run(serve.prelaunch, Handler(), notebook=None, cwd=".") is None
    assert Handler.read
    assert page_view[serve._client] == "192.168.1.40"  # the device whose kernels are counted


@pytest.mark.parametrize(
    ("raw", "expected"), [("3", 3), ("  40 ", 40)]
)  # fmt: skip
def test_the_kernel_cap_is_read_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("CSAT_MAX_KERNELS", raw)
    assert serve.max_kernels() == expected


@pytest.mark.parametrize("raw", ["lots", "0", "-2"])
def test_a_bad_kernel_cap_names_the_variable_and_the_value(monkeypatch, raw):
    monkeypatch.setenv("CSAT_MAX_KERNELS", raw)
    with pytest.raises(ValueError, match=f"CSAT_MAX_KERNELS: .*{raw}"):
        serve.max_kernels()


def test_without_a_cap_set_the_machine_memory_decides_and_at_least_ten(monkeypatch):
    monkeypatch.delenv("CSAT_MAX_KERNELS", raising=False)
    assert serve.max_kernels() >= 10


def test_past_the_cap_a_new_page_is_refused_in_every_language(monkeypatch, run_async):
    manager = serve.RoomKernelManager(max_kernels=2)
    monkeypatch.setattr(manager, "list_kernel_ids", lambda: ["a", "b"])
    with pytest.raises(web.HTTPError) as refused:
        run_async(manager.start_kernel(path="."))
    assert refused.value.status_code == 503
    assert "wait a minute" in refused.value.reason and "请等一分钟" in refused.value.reason


def test_csat_app_refuses_a_broken_agenda_naming_the_file_and_the_line(tmp_path, capsys):
    from csat.cli import workshop

    folder = workshop.init(tmp_path / "day")
    (folder / "app" / "agenda.yaml").write_text(
        "language: en\nexercises:\n  - hotpot-queue\n  - hotpot-queu\n", encoding="utf-8"
    )
    assert workshop.main(["app", "--dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "agenda.yaml" in err and "exercises[1]" in err and "(line 4)" in err
    assert "did you mean 'hotpot-queue'" in err


def test_the_culler_counts_the_websockets_really_open_not_a_drifted_count(monkeypatch, run_async):
    from jupyter_server.services.kernels.connection.channels import (
        ZMQChannelsWebsocketConnection as Connection,
    )

    class Socket:
        def __init__(self, closing):
            self.closing = closing

        def is_closing(self):
            return self.closing

    class Open:
        def __init__(self, kernel_id, socket):
            self.kernel_id = kernel_id
            self.websocket_handler = type("Handler", (), {"ws_connection": socket})()

    sockets = [Open("k", Socket(False)), Open("k", Socket(True)), Open("k", None),
               Open("other", Socket(False))]  # fmt: skip
    monkeypatch.setattr(Connection, "_open_sockets", sockets)
    assert serve.open_websockets("k") == 1
    manager = serve.RoomKernelManager(max_kernels=2)
    looked = []

    async def parent(self, kernel_id):
        looked.append(self._kernel_connections[kernel_id])

    monkeypatch.setattr(serve.AsyncMappingKernelManager, "cull_kernel_if_idle", parent)
    for drifted in (-1, 3):  # closed before set up; set up failed half way
        manager._kernel_connections["k"] = drifted
        run_async(manager.cull_kernel_if_idle("k"))
    monkeypatch.setattr(Connection, "_open_sockets", [])
    run_async(manager.cull_kernel_if_idle("k"))
    assert looked == [1, 1, 0]
