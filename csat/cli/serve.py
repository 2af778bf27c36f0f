"""How Voilà serves the app pages to a room of trainees: Voilà's settings for ``csat app``.

The app folder's ``voila.py`` calls :func:`configure`, so the same settings hold however Voilà
is started there (``csat app``, ``make app``, the browser tests, a trainer typing ``voila .``):

- **Kernels of closed and reloaded pages are shut down.** Voilà's page asks for its kernel's
  shutdown when it unloads, with the ``_xsrf`` cookie as its token; Voilà's page handler never
  sets that cookie, so the request was refused (403) and every page load kept its kernel.
  :func:`prelaunch` sets the cookie on the page's own response.
- **Kernels nobody is connected to are culled**: a phone that went to sleep, a browser that
  was killed, a tab closed where the unload request never arrived. After
  :data:`IDLE_TIMEOUT` seconds without a message and with no page connected, the kernel is
  shut down; an idle trainee whose page is still open keeps theirs (``cull_connected`` off),
  and every step of a role-play is in the store, so a culled trainee reloads and carries on.
- **A kernel whose page is gone is culled even when the count of its connections went
  wrong**: under load Jupyter Server's count drifts (a websocket closed before it was set up
  counts -1, one whose set-up failed stays +1), which kept such kernels for good; the culler
  counts the open websockets instead (:meth:`RoomKernelManager.cull_kernel_if_idle`).
- **A cap on kernels** (:class:`RoomKernelManager`): past :func:`max_kernels` live kernels a
  new page is refused with a message to wait, rather than the laptop running out of memory
  for everyone.
- **No client can freeze the server or fill its memory**: a kernel websocket must offer the v1
  protocol, which every browser does (:class:`RoomKernelConnection`; Voilà misreads what it sends
  a client without it and loops for ever), a frame whose offsets do not fit inside it is dropped,
  and no websocket message or request body may be larger than :data:`MAX_MESSAGE_BYTES`.
- **No client can take every kernel**: one device's pages hold at most
  :data:`KERNELS_PER_CLIENT` kernels; past that its kernels with no page connected are shut down
  to make room, else the new page is refused with a message to close tabs. The trainer's own
  laptop (a request from the address the server answers on) has no such limit.
- **A busy laptop still draws every page**: a page waits for its cell's output up to
  :data:`IOPUB_TIMEOUT` seconds, where Voilà's default of 4 s dropped the hub of a trainee who
  arrived with twenty others.
- **Offline**: the pages use the ``csat`` template, Voilà's lab template with Font Awesome
  (the buttons' icons) served from the package instead of a public CDN.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections import Counter
from pathlib import Path

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import httpserver, web
from traitlets import Int, default

from csat import i18n

TEMPLATE = "csat"
DATA = Path(__file__).parent
"""A Jupyter data folder holding ``voila/templates/csat``."""

IDLE_TIMEOUT = 600
"""Seconds an unconnected, idle kernel is kept (10 minutes: a page that lost its connection
for a moment reconnects well within it)."""
CULL_INTERVAL = 30
IOPUB_TIMEOUT = 120
"""Seconds a page waits for its cell's output (nbclient's default is 4)."""
KERNEL_MIB = 250
"""Memory to plan per page's kernel, MiB: a hub or trainer page settles at 150–200 MiB,
a capstone page at about 320 MiB (see benchmarks/bench_room.py)."""

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
MAX_MESSAGE_BYTES = 2**20
"""Largest websocket message or request body a client may send, bytes: a click or a typed reply
is a few KiB (tornado allows 10 MiB of websocket message and 100 MB of body)."""
KERNELS_PER_CLIENT = 8
"""Most kernels one device's pages hold: a trainee with three tabs and a reload or two on the
way is well under it; a script asking for the hub in a loop stops there."""
STALE_AFTER = 180
"""Seconds after which a kernel with no page connected may be shut down to make room for its
device's new page (longer than a page takes to draw and connect on a busy laptop)."""

DENYLIST = [
    # JupyterLab extensions that fail outside JupyterLab.
    "@jupyterlite/pyodide-kernel-extension",
    "@voila-dashboards/jupyterlab-preview",
]


def _whole_number(name: str) -> int | None:
    """Environment variable ``name`` as a whole number of 1 or more; None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name}: expected 1 or more, got {value}")
    return value


def max_kernels() -> int:
    """``CSAT_MAX_KERNELS`` if set, else what three quarters of this machine's memory holds at
    :data:`KERNEL_MIB` each (at least 10)."""
    value = _whole_number("CSAT_MAX_KERNELS")
    if value is not None:
        return value
    import psutil

    return max(10, int(psutil.virtual_memory().total * 0.75 / (KERNEL_MIB * 2**20)))


def _in_every_language(key: str) -> str:
    return " · ".join(i18n.t(key, lang) for lang in i18n.LANGUAGES)


def room_full_message() -> str:
    return _in_every_language("serve.room_full")


_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("csat_client", default=None)
"""The device whose page view is starting a kernel (set by :func:`prelaunch` in the request's
own task, read by :meth:`RoomKernelManager.start_kernel`); None for the trainer's laptop."""


def client_of(request) -> str | None:
    """The address of the device that sent ``request``, or None when it is the machine serving
    (the trainer's laptop: the request came from the address it arrived at)."""
    try:
        here = request.connection.stream.socket.getsockname()[0]
    except (AttributeError, OSError):
        here = None
    return None if request.remote_ip == here else (request.remote_ip or "?")


class RoomKernelManager(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager, refusing a new kernel past ``max_kernels``."""

    max_kernels = Int(config=True, help="Most kernels alive at once; a new page waits.")
    kernels_per_client = Int(config=True, help="Most kernels one device's pages hold.")

    @default("max_kernels")
    def _max_kernels_default(self) -> int:
        return max_kernels()

    @default("kernels_per_client")
    def _kernels_per_client_default(self) -> int:
        # A room whose devices all reach this laptop through one router that hides their
        # addresses looks like one device: CSAT_KERNELS_PER_DEVICE lifts the share.
        value = _whole_number("CSAT_KERNELS_PER_DEVICE")
        return KERNELS_PER_CLIENT if value is None else value

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._clients: dict[str, tuple[str, float]] = {}  # kernel id -> (device, started at)
        self._starting: Counter[str] = Counter()  # device -> kernels being started for it

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
        client = _client.get() if kernel_id is None else None
        if kernel_id is None and len(self.list_kernel_ids()) >= self.max_kernels:
            self.log.warning("%d kernels alive: a new page is refused", self.max_kernels)
            raise web.HTTPError(503, reason=room_full_message())
        if client is None:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        stale = self._make_room_for(client)  # counts and reserves with no await in between
        self._starting[client] += 1
        try:
            for old in stale:
                self.log.info("%s: its kernel %s with no page is shut down", client, old)
                await self.shutdown_kernel(old)
            new = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        finally:
            self._starting[client] -= 1
        self._clients[new] = (client, time.monotonic())
        return new

    def _make_room_for(self, client: str) -> list[str]:
        """The kernels of ``client`` to shut down before it gets one more (forgotten here at
        once); raises the 429 page when even that leaves it at :attr:`kernels_per_client`."""
        live = set(self.list_kernel_ids())
        for gone in [k for k in self._clients if k not in live]:
            del self._clients[gone]
        mine = [(t, k) for k, (c, t) in self._clients.items() if c == client]
        excess = len(mine) + self._starting[client] + 1 - self.kernels_per_client
        if excess <= 0:
            return []
        now = time.monotonic()
        stale = [k for t, k in sorted(mine) if now - t > STALE_AFTER and not open_websockets(k)]
        if len(stale) < excess:
            self.log.warning(
                "%s has %d pages open: a new page is refused (if the whole room reaches this "
                "laptop from one address, set CSAT_KERNELS_PER_DEVICE higher)",
                client,
                len(mine),
            )
            raise web.HTTPError(429, reason=_in_every_language("serve.client_full"))
        for k in stale[:excess]:
            del self._clients[k]
        return stale[:excess]

    async def cull_kernel_if_idle(self, kernel_id):
        # Jupyter Server counts a kernel's connections up and down as websockets come and go,
        # and under load its count drifts: a websocket that closes before it is set up counts
        # -1, one whose set-up fails half way stays +1 for good. Either way the culler thinks
        # a page is connected and keeps the kernel until the server stops. Count the
        # websockets really open to this kernel instead, just before the culler looks.
        if kernel_id in self._kernel_connections:
            self._kernel_connections[kernel_id] = open_websockets(kernel_id)
        return await super().cull_kernel_if_idle(kernel_id)


def open_websockets(kernel_id: str) -> int:
    """How many pages have a working websocket to kernel ``kernel_id`` now."""
    from jupyter_server.services.kernels.connection.channels import (
        ZMQChannelsWebsocketConnection as Connection,
    )

    count = 0
    for connection in list(Connection._open_sockets):
        socket = getattr(connection.websocket_handler, "ws_connection", None)
        if connection.kernel_id == kernel_id and socket is not None and not socket.is_closing():
            count += 1
    return count


class RoomKernelConnection(ZMQChannelsWebsocketConnection):
    """Jupyter Server's kernel websocket, for clients that speak its v1 protocol only.

    Every browser offers the v1 subprotocol; a script need not. For such a client Voilà's
    handler still reads every binary message it sends out (an Image widget's state, say) as v1,
    takes the legacy header for a count of about 10**18 and loops over it: the server stops
    answering while its memory grows. Jupyter Server's v1 reader trusts the count in a
    client's frame the same way. So a client that does not offer v1 is refused before its
    socket opens, and a frame whose offsets do not fit inside it is dropped."""

    async def prepare(self):
        offered = self.websocket_handler.request.headers.get("Sec-WebSocket-Protocol", "")
        if V1_PROTOCOL not in (p.strip() for p in offered.split(",")):
            self.log.warning("kernel websocket without the v1 protocol refused")
            raise web.HTTPError(400, reason=_in_every_language("serve.needs_browser"))
        await super().prepare()

    def handle_incoming_message(self, incoming_msg) -> None:
        if not is_v1_frame(incoming_msg):
            self.log.warning("kernel %s: a malformed message is dropped", self.kernel_id)
            return
        super().handle_incoming_message(incoming_msg)


CHANNELS = (b"shell", b"control", b"stdin")


def is_v1_frame(message) -> bool:
    """Whether ``message`` is a well-formed v1 kernel websocket frame from a page: a count
    ``n`` (8 bytes, little-endian), ``n`` offsets that rise and stay inside the frame, the
    first part a channel a page sends on, then at least a message's four parts."""
    if not isinstance(message, bytes) or len(message) < 8:
        return False
    n = int.from_bytes(message[:8], "little")
    start = 8 * (n + 1)
    if n < 6 or start > len(message):
        return False
    offsets = [int.from_bytes(message[8 * i : 8 * i + 8], "little") for i in range(1, n + 1)]
    if offsets[0] < start or offsets[-1] > len(message) or offsets != sorted(offsets):
        return False
    return message[offsets[0] : offsets[1]] in CHANNELS


def prelaunch(request_handler, notebook, cwd):
    """Voilà's prelaunch hook: give the page the ``_xsrf`` cookie its unload request sends
    (reading the token sets the cookie on this response), and note which device is asking, for
    :meth:`RoomKernelManager.start_kernel` to count its kernels."""
    request_handler.xsrf_token  # noqa: B018 — read for its side effect, the cookie
    _client.set(client_of(request_handler.request))
    return None


def configure(c) -> None:
    """Apply the room's settings to Voilà's config object ``c`` (from the app folder's
    ``voila.py``); options given on Voilà's command line still win."""
    paths = os.environ.get("JUPYTER_PATH", "")
    if str(DATA) not in paths.split(os.pathsep):
        # Voilà looks templates up on the Jupyter data path, after reading this config.
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(DATA), paths) if p)
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.extension_denylist = DENYLIST
    c.VoilaConfiguration.prelaunch_hook = prelaunch
    c.VoilaConfiguration.multi_kernel_manager_class = RoomKernelManager
    c.Voila.kernel_websocket_connection_class = RoomKernelConnection
    c.Voila.tornado_settings = {"websocket_max_message_size": MAX_MESSAGE_BYTES}
    # Voilà starts its HTTP server with tornado's defaults (100 MB bodies held in memory).
    httpserver.HTTPServer.configure(None, max_body_size=MAX_MESSAGE_BYTES)
    c.MappingKernelManager.cull_idle_timeout = IDLE_TIMEOUT
    c.MappingKernelManager.cull_interval = CULL_INTERVAL
    c.MappingKernelManager.cull_connected = False
    c.MappingKernelManager.cull_busy = False
    # A page's cell output waits for its kernel however busy the laptop is: with the default 4 s
    # a room arriving at once left some trainees an empty page (the hub's cell output dropped).
    c.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT
