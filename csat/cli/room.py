"""``csat app --room``: trainees' phones and laptops on the room's Wi-Fi reach the trainer's laptop.

The app listens on one network address of this laptop, found without the internet: the
addresses of its own interfaces (:func:`lan_addresses`), and the one the operating system would
route a packet through (:func:`routed_address`, a UDP socket connected to a private address,
which sends nothing). :func:`choose_address` prefers a private address (``192.168.*``, ``10.*``,
``172.16-31.*``) of a real interface, the routed one first; the others are printed, for
``--ip``. :func:`room_text` is what the terminal shows, in every language (nobody has picked one
yet), and :func:`write_room_page` the page to project or print: the QR code, the address in
big type and the steps, in every language, in one file with nothing to fetch.
"""

from __future__ import annotations

import html
import ipaddress
import socket
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from csat import i18n

MIN_CODE = 6
"""The shortest trainer code room mode accepts: everyone on the network can try codes."""

PROBE = "10.254.254.254"
"""A private address to ask the routing table about (a UDP connect sends no packet)."""

VIRTUAL = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "lxc", "lxd", "podman", "cni")
VIRTUAL += ("tun", "tap", "utun", "wg", "tailscale", "zt", "vethernet", "virtual", "vmware")
"""Interface names (case-insensitive prefixes or words) of virtual machines, containers and
VPNs: trainees' phones cannot reach those, so they come last."""

PRIVATE = ("192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12")
"""The private ranges a room's Wi-Fi uses, in the order they are preferred."""

STEPS = ("step_wifi", "step_scan", "step_name")
"""The steps on the page, keys of the ``room`` namespace."""

QR_SCALE = 16
"""Pixels per module of ``room-qr.png``."""


class Address(NamedTuple):
    interface: str
    ip: str


class RoomError(Exception):
    """A reason not to start room mode: a key of the ``room`` namespace and its values."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def lines(self) -> list[str]:
        """The reason in every language, one line each."""
        return [
            f"csat app: {i18n.table('room', lang)[self.key].format(**self.values)}"
            for lang in i18n.LANGUAGES
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def machine_addresses(table: Mapping[str, Iterable[Any]] | None = None) -> list[Address]:
    """Every IPv4 address of this machine, loopback included, from ``table`` (the shape of
    ``psutil.net_if_addrs()``: interface name → entries with ``family`` and ``address``)."""
    if table is None:
        import psutil

        table = psutil.net_if_addrs()
    return [
        Address(name, entry.address)
        for name, entries in table.items()
        for entry in entries
        if entry.family == socket.AF_INET
    ]


def lan_addresses(
    table: Mapping[str, Iterable[Any]] | None = None, up: Mapping[str, bool] | None = None
) -> list[Address]:
    """The IPv4 addresses other machines could reach: not loopback, not link-local (what
    Windows gives itself without a network), on an interface that is up (``up``: name → is
    up, the shape of ``psutil.net_if_stats()``; an interface it does not name counts as up)."""
    if table is None:
        import psutil

        table = psutil.net_if_addrs()
        up = {name: s.isup for name, s in psutil.net_if_stats().items()} if up is None else up
    up = up or {}
    found = []
    for a in machine_addresses(table):
        ip = ipaddress.IPv4Address(a.ip)
        unreachable = ip.is_loopback or ip.is_link_local or ip.is_unspecified
        if not unreachable and up.get(a.interface, True):
            found.append(a)
    return found


def routed_address(probe: str = PROBE) -> str | None:
    """The address this machine would send from towards the private address ``probe`` (the
    default route, on most networks), or None without a route. Connecting a UDP socket only
    picks the route: no packet leaves."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect((probe, 9))
            return s.getsockname()[0]
        except OSError:
            return None


def _private_rank(ip: str) -> int:
    """0, 1, 2 for the private ranges in :data:`PRIVATE` order; 3 for any other address."""
    address = ipaddress.IPv4Address(ip)
    for rank, net in enumerate(PRIVATE):
        if address in ipaddress.IPv4Network(net):
            return rank
    return len(PRIVATE)


def _virtual(interface: str) -> bool:
    name = interface.lower()
    return any(name.startswith(v) or f" {v}" in name or f"({v}" in name for v in VIRTUAL)


def choose_address(
    addresses: Iterable[Address], routed: str | None = None
) -> tuple[Address, list[Address]]:
    """The address to serve the room on, and the others (for ``--ip``): a real interface
    before a virtual one, a private address before another, the routed one (``routed``) before
    the rest, then by range (``192.168`` first). Raises :class:`RoomError` for none.

    >>> wifi, docker = Address("wlan0", "192.168.1.23"), Address("docker0", "172.17.0.1")
    >>> choose_address([docker, wifi], routed="192.168.1.23")
    (Address(interface='wlan0', ip='192.168.1.23'), [Address(interface='docker0', ip='172.17.0.1')])
    """
    ranked = sorted(
        dict.fromkeys(addresses),
        key=lambda a: (
            _virtual(a.interface),
            _private_rank(a.ip) == len(PRIVATE),
            a.ip != routed,
            _private_rank(a.ip),
        ),
    )
    if not ranked:
        raise RoomError("no_address")
    return ranked[0], ranked[1:]


def check_address(ip: str, addresses: Iterable[Address]) -> str:
    """``ip`` if it is one of ``addresses`` (this machine's), else :class:`RoomError`."""
    mine = [a.ip for a in addresses]
    if ip not in mine:
        raise RoomError("not_mine", ip=ip, addresses=", ".join(dict.fromkeys(mine)))
    return ip


def check_code(code: str) -> str:
    """``code`` if it is long enough for a room that can try codes, else :class:`RoomError`."""
    if len(code) < MIN_CODE:
        raise RoomError("short_code", n=MIN_CODE)
    return code


def address(ip: str | None = None) -> tuple[str, list[Address]]:
    """The address to serve on and the others to mention: ``ip`` when given (it must be this
    machine's), else :func:`choose_address` over this machine's network addresses."""
    if ip:
        return check_address(ip, machine_addresses()), []
    chosen, others = choose_address(lan_addresses(), routed_address())
    return chosen.ip, others


def hub_url(ip: str, port: int) -> str:
    """The address trainees open: ``http://192.168.1.23:8866/voila/render/hub.ipynb``."""
    return f"http://{ip}:{port}/voila/render/hub.ipynb"


def trainer_url(ip: str, port: int) -> str:
    """The trainer's live view at the same address."""
    return f"http://{ip}:{port}/voila/render/trainer.ipynb"


def qr_code(url: str):
    """The QR code of ``url`` (a full QR code, never a Micro QR a phone may not read)."""
    import segno

    return segno.make_qr(url)


def qr_terminal(url: str) -> str:
    """The QR code of ``url`` in half-block characters, black on white whatever the terminal's
    colours (a light-on-dark code, which some phones do not read, cannot happen), with its
    quiet zone: two rows of modules to a line."""
    rows = [list(r) for r in qr_code(url).matrix_iter(scale=1, border=4)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    blocks = {(0, 0): " ", (1, 0): "▀", (0, 1): "▄", (1, 1): "█"}
    return "".join(
        "\033[30;107m"
        + "".join(blocks[bool(a), bool(b)] for a, b in zip(top, bottom, strict=True))
        + "\033[0m\n"
        for top, bottom in zip(rows[::2], rows[1::2], strict=True)
    )


def room_text(
    ip: str,
    port: int,
    code: str,
    *,
    others: Iterable[Address] = (),
    files: tuple[Path, Path] | None = None,
) -> str:
    """What the terminal says in room mode, in every language: the address trainees open,
    the trainer page and its code, the other addresses, what to do when phones cannot
    connect, and where the page to project is."""
    hub, trainer = hub_url(ip, port), trainer_url(ip, port)
    others = list(others)
    bar = "  " + "=" * 72
    lines = [bar]
    for lang in i18n.LANGUAGES:
        words = i18n.table("room", lang)
        lines += [
            f"  {words['open']}",
            f"      {hub}",
            f"  {words['trainer_page'].format(url=trainer)}",
            f"  {i18n.t('cli_workshop.trainer_code', lang, code=code)}",
        ]
        if others:
            shown = ", ".join(f"{a.ip} ({a.interface})" for a in others)
            lines.append(f"  {words['others'].format(addresses=shown)}")
        if files:
            lines.append(f"  {words['files'].format(html=files[0], png=files[1])}")
        lines.append(f"  {words['trouble']}")
        for key in ("trouble_wifi", "trouble_local", "trouble_windows", "trouble_macos"):
            lines.append(f"    - {words[key]}")
        lines.append(f"    - {words['trouble_linux'].format(port=port)}")
        lines.append(f"    - {words['trouble_hotspot']}")
        lines.append(bar)
    return "\n".join(lines) + "\n"


def announce(
    ip: str,
    port: int,
    code: str,
    *,
    others: Iterable[Address] = (),
    files: tuple[Path, Path] | None = None,
    out: TextIO | None = None,
) -> None:
    """Print :func:`room_text` and the QR code of the hub's address under it."""
    out = out or sys.stdout
    if sys.platform == "win32" and out is sys.__stdout__:
        _windows_colours()
    out.write(room_text(ip, port, code, others=others, files=files))
    out.write("\n" + qr_terminal(hub_url(ip, port)) + "\n")
    out.flush()


def _windows_colours() -> None:  # pragma: no cover - Windows only
    """Let the Windows console draw the QR code's colours (it reads escape codes once asked)."""
    try:
        import ctypes

        kernel = ctypes.windll.kernel32
        handle = kernel.GetStdHandle(-11)
        mode = ctypes.c_uint32()
        if kernel.GetConsoleMode(handle, ctypes.byref(mode)):
            kernel.SetConsoleMode(handle, mode.value | 0x0004)  # virtual terminal processing
    except (AttributeError, OSError):
        pass


_FONTS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
_MONO = 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace'

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
@page {{ size: A4 landscape; margin: 12mm; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; background: #fff; color: #111; }}
body {{ font-family: {fonts}; min-height: 100vh; padding: 3vh 4vw;
  display: flex; flex-direction: column; gap: 3vh; }}
h1 {{ margin: 0; font-size: 6vh; line-height: 1.15; }}
h1 span {{ white-space: nowrap; }}
main {{ flex: 1; display: flex; gap: 4vw; align-items: center; }}
.qr {{ flex: none; width: min(56vh, 44vw); aspect-ratio: 1; }}
.qr svg {{ display: block; width: 100%; height: 100%; }}
.steps {{ flex: 1; display: flex; flex-direction: column; gap: 4vh; }}
ol {{ margin: 0; padding-left: 1.4em; font-size: 3.7vh; line-height: 1.3; }}
li + li {{ margin-top: 0.6vh; }}
.url {{ font-family: {mono}; font-size: min(5.2vw, 8vh); font-weight: 700; text-align: center;
  line-height: 1.2; border-top: 0.5vh solid #111; padding-top: 2vh; }}
.url span {{ white-space: nowrap; }}
.url .dim {{ font-weight: 400; color: #444; }}
@media print {{
  body {{ min-height: 0; padding: 0; gap: 6mm; }}
  h1 {{ font-size: 28pt; }}
  main {{ flex: none; gap: 12mm; }}
  .qr {{ width: 115mm; }}
  ol {{ font-size: 17pt; }}
  .steps {{ gap: 8mm; }}
  .url {{ font-size: 28pt; border-top-width: 1mm; padding-top: 4mm; }}
}}
@media screen and (max-aspect-ratio: 1/1) {{
  main {{ flex-direction: column; align-items: stretch; }}
  .qr {{ width: min(80vw, 50vh); margin: 0 auto; }}
  h1 {{ font-size: 7vw; }}
  ol {{ font-size: 4.6vw; }}
  .url {{ font-size: 4.6vw; }}
}}
</style>
</head>
<body>
<h1>{heading}</h1>
<main>
<div class="qr">{svg}</div>
<div class="steps">
{steps}
</div>
</main>
<div class="url">{url}</div>
</body>
</html>
"""


def _url_html(url: str) -> str:
    """The address with its host and port in bold and the rest in lighter type, on two lines
    where one is too narrow (broken before the path, never inside a part)."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return (
        f'<span><span class="dim">{html.escape(scheme)}://</span>{html.escape(host)}</span>'
        f'<wbr><span class="dim">{slash}{html.escape(path)}</span>'
    )


def room_page(url: str) -> str:
    """The page to project or print: the title, the QR code of ``url`` as inline SVG, the
    steps in every language and ``url`` in big type; no trainer code, nothing to fetch."""
    langs = list(i18n.LANGUAGES)
    words = {lang: i18n.table("room", lang) for lang in langs}
    steps = "\n".join(
        f'<ol lang="{lang}">'
        + "".join(f"<li>{html.escape(words[lang][k])}</li>" for k in STEPS)
        + "</ol>"
        for lang in langs
    )
    svg = qr_code(url).svg_inline(omitsize=True, border=4, light="#fff", svgclass="qrcode")
    return _PAGE.format(
        lang=langs[0],
        title=html.escape(" · ".join(words[lang]["page_title"] for lang in langs)),
        heading=" · ".join(
            f'<span lang="{lang}">{html.escape(words[lang]["page_title"])}</span>' for lang in langs
        ),
        fonts=_FONTS,
        mono=_MONO,
        svg=svg,
        steps=steps,
        url=_url_html(url),
    )


def write_room_page(folder: Path, url: str) -> tuple[Path, Path]:
    """Write ``room.html`` (:func:`room_page`) and ``room-qr.png`` (the QR code alone) into
    ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page, png = folder / "room.html", folder / "room-qr.png"
    page.write_text(room_page(url), encoding="utf-8")
    qr_code(url).save(str(png), scale=QR_SCALE, border=4)
    return page, png
