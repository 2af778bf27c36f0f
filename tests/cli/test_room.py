"""``csat app --room``: the address trainees reach, chosen from fake interface tables (no network
needed); what is refused; what the terminal says in every language; the page to project; and a
real server on the address given."""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest

from csat import i18n
from csat.cli import room
from csat.cli.workshop import init, main

A = room.Address


def _table(interfaces: dict[str, list[str]] | None = None, **more: list[str]):
    """A table shaped like ``psutil.net_if_addrs()``: IPv4 addresses, plus the IPv6 and
    hardware entries a real one has beside them."""
    return {
        name: [
            SimpleNamespace(family=socket.AF_INET6, address="fe80::1"),
            *(SimpleNamespace(family=socket.AF_INET, address=ip) for ip in ips),
            SimpleNamespace(family=-1, address="02:00:00:00:00:01"),
        ]
        for name, ips in {**(interfaces or {}), **more}.items()
    }


def test_loopback_link_local_and_down_interfaces_are_not_for_the_room():
    table = _table(
        lo=["127.0.0.1"], wlan0=["192.168.1.23"], eth0=["169.254.3.4"], eth1=["10.0.0.5"]
    )
    assert room.lan_addresses(table, up={"eth1": False}) == [A("wlan0", "192.168.1.23")]
    assert [a.ip for a in room.machine_addresses(table)] == [
        "127.0.0.1",
        "192.168.1.23",
        "169.254.3.4",
        "10.0.0.5",
    ]


def test_the_routed_address_is_chosen_and_the_others_are_listed():
    lan = room.lan_addresses(_table(wlan0=["192.168.1.23"], eth0=["10.0.0.5"]))
    assert room.choose_address(lan, routed="10.0.0.5") == (
        A("eth0", "10.0.0.5"),
        [A("wlan0", "192.168.1.23")],
    )


def test_without_a_route_private_ranges_come_in_order():
    lan = room.lan_addresses(
        _table(a=["203.0.113.7"], b=["172.20.1.2"], c=["10.1.1.1"], d=["192.168.0.9"])
    )
    chosen, others = room.choose_address(lan, routed=None)
    assert chosen.ip == "192.168.0.9"
    assert [a.ip for a in others] == ["10.1.1.1", "172.20.1.2", "203.0.113.7"]


def test_a_private_address_beats_a_routed_public_one_but_not_a_virtual_one():
    lan = room.lan_addresses(_table(eth0=["203.0.113.7"], wlan0=["192.168.1.23"]))
    assert room.choose_address(lan, routed="203.0.113.7")[0].ip == "192.168.1.23"
    # Docker's bridge, WSL's and VirtualBox's adapters, a VPN: no phone reaches those.
    lan = room.lan_addresses(
        _table(
            {
                "docker0": ["172.17.0.1"],
                "vEthernet (WSL)": ["172.29.160.1"],
                "VirtualBox Host-Only Network": ["192.168.56.1"],
                "tun0": ["10.8.0.2"],
                "Wi-Fi": ["203.0.113.7"],
            }
        )
    )
    chosen, others = room.choose_address(lan, routed="10.8.0.2")
    assert chosen == A("Wi-Fi", "203.0.113.7")
    assert len(others) == 4


def test_a_public_address_serves_when_there_is_no_private_one():
    lan = room.lan_addresses(_table(lo=["127.0.0.1"], eth0=["192.0.2.2"]))
    assert room.choose_address(lan, routed="192.0.2.2") == (A("eth0", "192.0.2.2"), [])


def test_no_network_address_is_refused_in_every_language():
    with pytest.raises(room.RoomError) as caught:
        room.choose_address(room.lan_addresses(_table(lo=["127.0.0.1"])))
    lines = caught.value.lines()
    assert len(lines) == len(i18n.LANGUAGES)
    for lang, line in zip(i18n.LANGUAGES, lines, strict=True):
        assert line == f"csat app: {i18n.t('room.no_address', lang)}"


def test_the_routing_probe_sends_nothing_and_answers_an_address_of_this_machine_or_none():
    found = room.routed_address()
    assert found is None or found in {a.ip for a in room.machine_addresses()}


def test_a_foreign_address_is_refused_with_one_line_per_language(capsys):
    table = room.machine_addresses(_table(lo=["127.0.0.1"], wlan0=["192.168.1.23"]))
    assert room.check_address("192.168.1.23", table) == "192.168.1.23"
    with pytest.raises(room.RoomError) as caught:
        room.check_address("192.168.1.99", table)
    assert caught.value.values == {"ip": "192.168.1.99", "addresses": "127.0.0.1, 192.168.1.23"}
    # The command refuses before waiting for the simulator, and says why in every language.
    assert main(["app", "--room", "--ip", "198.51.100.77"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(i18n.LANGUAGES)
    assert all(line.startswith("csat app: 198.51.100.77 ") for line in err)
    assert "127.0.0.1" in err[0] and "Traceback" not in "".join(err)


def test_this_machines_loopback_is_accepted_as_given():
    assert room.address("127.0.0.1") == ("127.0.0.1", [])


@pytest.mark.parametrize("code", ["12345", "abc"])
def test_a_short_trainer_code_is_refused_in_room_mode(monkeypatch, capsys, code):
    monkeypatch.setenv("CSAT_TRAINER_CODE", code)
    assert main(["app", "--room", "--ip", "127.0.0.1"]) == 2
    err = capsys.readouterr().err
    for lang in i18n.LANGUAGES:
        assert i18n.t("room.short_code", lang, n=room.MIN_CODE) in err
    assert room.check_code("a-longer-code") == "a-longer-code"


def test_the_terminal_says_the_address_and_the_code_in_every_language():
    others = [A("eth1", "10.0.0.5")]
    text = room.room_text("192.168.1.23", 8866, "482913", others=others)
    url = "http://192.168.1.23:8866/voila/render/hub.ipynb"
    blocks = text.split("  " + "=" * 72)[1:-1]
    assert len(blocks) == len(i18n.LANGUAGES)
    for lang, block in zip(i18n.LANGUAGES, blocks, strict=True):
        words = i18n.table("room", lang)
        assert url in block
        assert "http://192.168.1.23:8866/voila/render/trainer.ipynb" in block
        assert i18n.t("cli_workshop.trainer_code", lang, code="482913") in block
        assert "10.0.0.5 (eth1)" in block
        assert words["open"] in block and words["trouble_hotspot"] in block
        assert "ufw allow 8866/tcp" in block


def test_the_qr_code_is_drawn_black_on_white_after_the_text(tmp_path):
    import io

    out = io.StringIO()
    files = (tmp_path / "room.html", tmp_path / "room-qr.png")
    room.announce("192.168.1.23", 8866, "482913", files=files, out=out)
    printed = out.getvalue()
    assert str(files[0]) in printed and str(files[1]) in printed
    qr = room.qr_terminal(room.hub_url("192.168.1.23", 8866))
    assert printed.rstrip().endswith(qr.rstrip())
    rows = qr.splitlines()
    side = room.qr_code(room.hub_url("192.168.1.23", 8866)).symbol_size(scale=1, border=4)[0]
    assert len(rows) == (side + 1) // 2
    assert all(r.startswith("\033[30;107m") and r.endswith("\033[0m") for r in rows)
    assert {len(re.sub(r"\033\[[0-9;]*m", "", r)) for r in rows} == {side}


def test_the_room_page_is_self_contained_with_the_qr_code_and_both_languages(tmp_path, monkeypatch):
    import segno

    url = room.hub_url("192.168.1.23", 8866)
    encoded = []
    make_qr = segno.make_qr
    monkeypatch.setattr(
        segno, "make_qr", lambda data, **kw: encoded.append(data) or make_qr(data, **kw)
    )
    page, png = room.write_room_page(tmp_path / "room", url)
    assert encoded and set(encoded) == {url}  # the QR codes hold exactly the hub's address

    text = page.read_text(encoding="utf-8")
    assert page.name == "room.html" and "<svg" in text and "</svg>" in text
    # Nothing to fetch: no links, no scripts, no images, no web fonts; the one "http" is the
    # address shown in big type (host and path in separate spans).
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|<script|<link|<img", text)
    assert text.count("http") == 1
    shown = re.sub(r"<[^>]+>", "", text.split('<div class="url">')[1].split("</div>")[0])
    assert shown == url
    for lang in i18n.LANGUAGES:
        words = i18n.table("room", lang)
        for key in (*room.STEPS, "page_title"):
            assert words[key].replace("'", "&#x27;") in text
    assert "PingFang SC" in text and "Microsoft YaHei" in text  # CJK fonts in the stack

    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    expected = make_qr(url).symbol_size(scale=room.QR_SCALE, border=4)
    assert (width, height) == expected and width >= 400


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_csat_app_room_serves_on_the_address_given(tmp_path):
    folder = init(tmp_path / "workshop")
    port = _free_port()
    env = {
        **os.environ,
        "CSAT_DB_URL": f"sqlite:///{tmp_path / 'results.sqlite'}",
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "MPLBACKEND": "Agg",
    }
    env.pop("CSAT_TRAINER_CODE", None)
    log = tmp_path / "app.log"
    cmd = [sys.executable, "-m", "csat", "app", "--room", "--ip", "127.0.0.1"]
    cmd += ["--port", str(port), "--dir", str(folder)]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status != 200:
            assert proc.poll() is None, log.read_text(encoding="utf-8")[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status = response.status
            except OSError:
                time.sleep(0.3)
        assert status == 200, log.read_text(encoding="utf-8")[-3000:]
        printed = log.read_text(encoding="utf-8")
        assert printed.count(f"http://127.0.0.1:{port}/voila/render/hub.ipynb") >= 2
        assert (folder / "room" / "room.html").is_file()
        assert (folder / "room" / "room-qr.png").is_file()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
