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
- **A busy laptop still draws every page**: a page waits for its cell's output up to
  :data:`IOPUB_TIMEOUT` seconds, where Voilà's default of 4 s dropped the hub of a trainee who
  arrived with twenty others.
- **Offline**: the pages use the ``csat`` template, Voilà's lab template with Font Awesome
  (the buttons' icons) served from the package instead of a public CDN.
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
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

DENYLIST = [
    # JupyterLab extensions that fail outside JupyterLab.
    "@jupyterlite/pyodide-kernel-extension",
    "@voila-dashboards/jupyterlab-preview",
]


def max_kernels() -> int:
    """``CSAT_MAX_KERNELS`` if set, else what three quarters of this machine's memory holds at
    :data:`KERNEL_MIB` each (at least 10)."""
    raw = os.environ.get("CSAT_MAX_KERNELS", "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"CSAT_MAX_KERNELS: expected a whole number, got {raw!r}") from None
        if value < 1:
            raise ValueError(f"CSAT_MAX_KERNELS: expected 1 or more, got {value}")
        return value
    import psutil

    return max(10, int(psutil.virtual_memory().total * 0.75 / (KERNEL_MIB * 2**20)))


def room_full_message() -> str:
    return " · ".join(i18n.t("serve.room_full", lang) for lang in i18n.LANGUAGES)


class RoomKernelManager(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager, refusing a new kernel past ``max_kernels``."""

    max_kernels = Int(config=True, help="Most kernels alive at once; a new page waits.")

    @default("max_kernels")
    def _max_kernels_default(self) -> int:
        return max_kernels()

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
        if kernel_id is None and len(self.list_kernel_ids()) >= self.max_kernels:
            self.log.warning("%d kernels alive: a new page is refused", self.max_kernels)
            raise web.HTTPError(503, reason=room_full_message())
        return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)

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


def prelaunch(request_handler, notebook, cwd):
    """Voilà's prelaunch hook: give the page the ``_xsrf`` cookie its unload request sends
    (reading the token sets the cookie on this response)."""
    request_handler.xsrf_token  # noqa: B018 — read for its side effect, the cookie
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
    c.MappingKernelManager.cull_idle_timeout = IDLE_TIMEOUT
    c.MappingKernelManager.cull_interval = CULL_INTERVAL
    c.MappingKernelManager.cull_connected = False
    c.MappingKernelManager.cull_busy = False
    # A page's cell output waits for its kernel however busy the laptop is: with the default 4 s
    # a room arriving at once left some trainees an empty page (the hub's cell output dropped).
    c.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT
