"""A hostile or unlucky client against the real app server (csat/cli/serve.py): Voilà serving
``csat/app/`` on a loopback port, as ``csat app`` starts it, with its memory bounded so that an
unguarded server cannot take the machine down with it.

The trainee's script runs from 127.0.0.2, another device as the server sees it; the trainer's
laptop is 127.0.0.1, the address the server answers on."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

import csat
from csat.cli import serve

ROOT = Path(csat.__file__).resolve().parents[1]
TRAINEE = "127.0.0.2"
PER_CLIENT = 3  # kept small here so the test starts few kernels; the real default is above
MEMORY_LIMIT = 8 * 2**30  # bytes of address space, for the server and its kernels


class Server:
    def __init__(self, port: int, proc: subprocess.Popen, log: Path):
        self.port, self.proc, self.log = port, proc, log

    def get(self, path: str, source: str = "127.0.0.1", timeout: float = 120):
        """``(status, body)`` of a GET from the device at ``source``."""
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(source, 0)
        )
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def answers(self, timeout: float = 5) -> bool:
        """Whether the server sends its front page within ``timeout`` seconds."""
        try:
            return self.get("/", timeout=timeout)[0] == 200
        except OSError:
            return False

    def rss(self) -> int:
        return psutil.Process(self.proc.pid).memory_info().rss

    def kernels(self) -> list[psutil.Process]:
        return [
            p
            for p in psutil.Process(self.proc.pid).children(recursive=True)
            if "ipykernel" in " ".join(p.cmdline()) and p.status() != psutil.STATUS_ZOMBIE
        ]

    def kernel_id(self, notebook: str) -> str:
        status, page = self.get(f"/voila/render/{notebook}")
        assert status == 200, page[-2000:]
        return re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)

    def socket_url(self, kernel_id: str, session: str) -> str:
        return f"ws://127.0.0.1:{self.port}/api/kernels/{kernel_id}/channels?session_id={session}"


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture
def server(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CSAT_DB_URL": f"sqlite:///{tmp_path / 'results.sqlite'}",
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "MPLBACKEND": "Agg",
    }
    args = [str(Path(sys.executable).parent / "voila"), ".", "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1",
            f"--RoomKernelManager.kernels_per_client={PER_CLIENT}"]  # fmt: skip
    log = tmp_path / "voila.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, cwd=ROOT / "csat" / "app", env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_limit_memory,
        )  # fmt: skip
    server = Server(port, proc, log)
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 90
        while not server.answers(timeout=2):
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        yield server
    finally:
        with contextlib.suppress(psutil.Error):
            started = psutil.Process(proc.pid).children(recursive=True)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a frozen server does not stop on SIGTERM
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for child in started:
            with contextlib.suppress(psutil.Error):
                child.kill()


def _message(session: str, msg_type: str, content: dict, metadata: dict | None = None) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "", "session": session,
                   "msg_type": msg_type, "version": "5.3"},
        "parent_header": {}, "metadata": metadata or {}, "content": content,
    }  # fmt: skip


def _v1_frame(channel: str, msg: dict) -> bytes:
    """A message as a browser sends it over the v1 protocol."""
    parts = [channel.encode()] + [
        json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")
    ]
    offsets = [8 * (len(parts) + 2)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join(n.to_bytes(8, "little") for n in [len(offsets), *offsets]) + b"".join(parts)


def _assert_still_serving(server: Server, rss_before: int) -> None:
    deadline = time.monotonic() + 10
    while not server.answers(timeout=2):
        assert time.monotonic() < deadline, "the server stopped answering"
    status, page = server.get("/voila/render/hub.ipynb", timeout=60)
    assert status == 200, page[-2000:]
    assert server.rss() < rss_before + 200 * 2**20, "the server's memory ballooned"


def test_a_script_without_the_v1_protocol_is_refused_and_cannot_freeze_the_server(server):
    # The capstone page has an Image widget: asking for the widgets' states makes the kernel
    # send binary messages, which Voilà misread for a client without v1 and looped over.
    kernel = server.kernel_id("capstone.ipynb")
    rss_before = server.rss()
    session = uuid.uuid4().hex
    refused = None
    try:
        ws = connect(server.socket_url(kernel, session), open_timeout=30)
    except InvalidStatus as exc:
        refused = exc.response
    else:
        with ws:  # an unguarded server lets the script in: play the attack
            comm = uuid.uuid4().hex
            control = {"comm_id": comm, "target_name": "jupyter.widget.control", "data": {}}
            ask = {"comm_id": comm, "data": {"method": "request_states"}}
            for msg in (
                _message(session, "comm_open", control, {"version": "1.0.0"}),
                _message(session, "comm_msg", ask),
            ):
                ws.send(json.dumps({**msg, "channel": "shell"}))
            time.sleep(2)  # the states' binary reply reaches the server
            # A legacy binary frame claiming 2**20 parts in 12 bytes.
            with contextlib.suppress(ConnectionClosed):
                ws.send((2**20).to_bytes(4, "big") + (8).to_bytes(4, "big") + b"{}{}")
    _assert_still_serving(server, rss_before)
    assert refused is not None and refused.status_code == 400


@pytest.mark.parametrize(
    "frame",
    [
        (2**63).to_bytes(8, "little") + b"\0" * 64,  # a count of parts in the quintillions
        (6).to_bytes(8, "little") + (10**12).to_bytes(8, "little") * 6 + b"shell",  # past the end
        # offsets that fall back
        b"".join(n.to_bytes(8, "little") for n in (6, 61, 56, 60, 61, 62, 63)) + b"shell{}{}",
        b"\x01\x02",  # shorter than a count
        "a text frame where v1 expects binary",
    ],
    ids=["huge-count", "offsets-past-the-end", "falling-offsets", "short", "text"],
)  # fmt: skip
def test_a_malformed_or_oversized_v1_frame_is_dropped_and_the_page_still_works(server, frame):
    kernel = server.kernel_id("hub.ipynb")
    rss_before = server.rss()
    session = uuid.uuid4().hex
    info = _v1_frame("shell", _message(session, "kernel_info_request", {}))
    with connect(server.socket_url(kernel, session), subprotocols=[serve.V1_PROTOCOL],
                 open_timeout=30, max_size=None) as ws:  # fmt: skip
        ws.send(frame)
        ws.send(info)  # the same socket still carries a real page's messages
        deadline = time.monotonic() + 20
        while True:
            reply = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            if isinstance(reply, bytes) and b'"kernel_info_reply"' in reply:
                break
        ws.send(b"\0" * (serve.MAX_MESSAGE_BYTES + 1))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # too big
    _assert_still_serving(server, rss_before)


def test_an_oversized_request_body_is_refused_before_it_is_read(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(
            b"POST /voila/api/shutdown/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: %d\r\n\r\n" % (50 * serve.MAX_MESSAGE_BYTES)
        )
        assert s.recv(100).startswith(b"HTTP/1.1 400")  # not a wait for 50 MiB of body
    assert server.answers()


def test_bare_requests_from_one_device_start_at_most_its_share_of_kernels(server):
    statuses, pages = [], []
    for _ in range(PER_CLIENT + 3):  # `curl` in a loop, from a trainee's device
        status, page = server.get("/voila/render/hub.ipynb", source=TRAINEE)
        statuses.append(status)
        pages.append(page)
    assert statuses == [200] * PER_CLIENT + [429] * 3
    assert "close the tabs" in pages[-1] and "标签页" in pages[-1]  # in every language
    assert len(server.kernels()) == PER_CLIENT
    # Another device, and the trainer's laptop, still get their pages.
    assert server.get("/voila/render/hub.ipynb", source="127.0.0.3")[0] == 200
    assert server.get("/voila/render/hub.ipynb")[0] == 200
    assert len(server.kernels()) == PER_CLIENT + 2


def test_the_default_share_leaves_a_trainee_room_for_tabs_and_reloads(monkeypatch):
    monkeypatch.delenv("CSAT_KERNELS_PER_DEVICE", raising=False)
    assert serve.RoomKernelManager(max_kernels=99).kernels_per_client == serve.KERNELS_PER_CLIENT
    assert serve.KERNELS_PER_CLIENT >= 6  # three tabs, each reloaded once before its kernel goes
    # A room behind one address-hiding router is one "device": the trainer lifts the share.
    monkeypatch.setenv("CSAT_KERNELS_PER_DEVICE", "40")
    assert serve.RoomKernelManager(max_kernels=99).kernels_per_client == 40
    monkeypatch.setenv("CSAT_KERNELS_PER_DEVICE", "lots")
    with pytest.raises(ValueError, match="CSAT_KERNELS_PER_DEVICE: expected a whole number"):
        _ = serve.RoomKernelManager(max_kernels=99).kernels_per_client


def test_the_trainers_laptop_is_the_address_the_server_answers_on():
    class Request:
        def __init__(self, remote_ip, here):
            self.remote_ip = remote_ip
            sock = type("Socket", (), {"getsockname": lambda self: (here, 8866)})()
            self.connection = type("Conn", (), {"stream": type("S", (), {"socket": sock})()})()

    assert serve.client_of(Request("192.168.1.23", "192.168.1.23")) is None  # the trainer
    assert serve.client_of(Request("127.0.0.1", "127.0.0.1")) is None
    assert serve.client_of(Request("192.168.1.40", "192.168.1.23")) == "192.168.1.40"


def test_at_its_share_a_device_loses_its_oldest_unconnected_kernel_not_its_new_page(
    monkeypatch, run_async
):
    from tornado import web

    manager = serve.RoomKernelManager(max_kernels=99, kernels_per_client=2)
    live, shut = ["old", "open"], []
    monkeypatch.setattr(manager, "list_kernel_ids", lambda: list(live))
    monkeypatch.setattr(serve, "open_websockets", lambda k: 1 if k == "open" else 0)

    async def shutdown_kernel(kernel_id, *args, **kwargs):
        shut.append(kernel_id)
        live.remove(kernel_id)

    names = iter(["new", "newer"])

    async def start(self, **kwargs):
        live.append(next(names))
        return live[-1]

    monkeypatch.setattr(manager, "shutdown_kernel", shutdown_kernel)
    monkeypatch.setattr(serve.AsyncMappingKernelManager, "start_kernel", start)
    long_ago = time.monotonic() - serve.STALE_AFTER - 1
    manager._clients.update({"old": ("10.0.0.9", long_ago), "open": ("10.0.0.9", long_ago)})

    async def page_view():
        serve._client.set("10.0.0.9")
        return await manager.start_kernel(path=".")

    assert run_async(page_view()) == "new"
    assert shut == ["old"]  # the page still connected keeps its kernel
    with pytest.raises(web.HTTPError) as refused:  # "open" is connected, "new" is too young
        run_async(page_view())
    assert refused.value.status_code == 429 and shut == ["old"]
