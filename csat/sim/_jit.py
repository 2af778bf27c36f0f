"""Compile the simulator's daily loop with Numba where it is installed; plain numpy elsewhere.

The day (:func:`csat.sim.steps.advance`) is written once, as vectorised numpy that Numba can
compile. With Numba (every normal install) it runs as machine code: a small market's day costs
microseconds instead of the ~150 numpy calls' Python overhead. Without it (JupyterLite's
Pyodide, or ``NUMBA_DISABLE_JIT=1``) the very same functions run as ordinary Python and numpy.
Both consume the random Generator identically, so a seed gives the same market either way
(``tests/sim/test_jit.py`` checks that).

Numba is imported, and the functions marked :func:`jit` swapped for their compiled versions,
only when the daily loop first runs (:func:`activate`): importing ``sim`` stays light for a
process that never simulates (a role-play kernel, for one; Numba alone takes ~90 MiB).
The first compilation in a fresh environment takes about a minute; the machine code is
cached on disk (``cache=True``), so later processes load it in a fraction of a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

AVAILABLE = importlib.util.find_spec("numba") is not None and os.environ.get(
    "NUMBA_DISABLE_JIT", "0"
) in ("", "0")
"""True when the daily loop will run compiled (Numba installed and not disabled)."""

# (module namespace, name, function to compile)
_marked: list[tuple[dict, str, object]] = []
_active = False
_swapped: list[tuple[dict, str, object, object]] = []  # (namespace, name, plain, compiled)
cache_folder: str | None = None
"""The folder :func:`activate` gave Numba for its cache (None: none could be written)."""


def jit(fn):
    """Mark ``fn`` (arrays, numbers and Generators only) to be compiled by :func:`activate`.

    ``fn`` is returned as it is: until then, and without Numba, callers run it as plain Python.
    """
    _marked.append((fn.__globals__, fn.__name__, fn))
    return fn


def compile_as(namespace: dict, name: str, fn) -> None:
    """When compiling, bind ``name`` in ``namespace`` to ``fn`` compiled (a replica of a numpy
    routine that has no compiled form, e.g. ``Generator.choice``); until then, and without
    Numba, ``name`` keeps its numpy version."""
    _marked.append((namespace, name, fn))


def activate() -> bool:
    """Swap every marked function for its compiled version (once); True if compiled."""
    global _active
    if _active or not AVAILABLE:
        return _active
    import numba
    from numba.core import config

    namespaces = list({id(ns): ns for ns, _, _ in _marked}.values())
    global cache_folder
    cache_folder = _cache_dir()
    previous, config.CACHE_DIR = config.CACHE_DIR, cache_folder or config.CACHE_DIR
    try:
        for namespace, name, fn in _marked:
            _compile(numba, namespace, name, fn, namespaces)
    finally:
        config.CACHE_DIR = previous  # the folder is fixed per function once it is decorated
    _active = True
    return True


def _compile(numba, namespace: dict, name: str, fn, namespaces: list) -> None:
    """Bind ``name`` in ``namespace`` to ``fn`` compiled, and in every other module with marked
    functions that imported the plain version by name (``from csat.sim.x import name``), so
    that their compiled code calls the compiled version too."""
    compiled = numba.njit(cache=True, nogil=True)(fn)
    plain_version = namespace.get(name)
    _swapped.append((namespace, name, plain_version, compiled))
    namespace[name] = compiled
    for other in namespaces:
        if other is namespace:
            continue
        for key, value in list(other.items()):
            if value is plain_version:
                _swapped.append((other, key, plain_version, compiled))
                other[key] = compiled


def _cache_dir() -> str | None:
    """Where the compiled code is cached: a folder named after the simulator's source.

    Numba checks only the file a function is defined in to decide whether its cached code is
    stale; the day also inlines functions and constants from other files. Keying the folder on
    every file the compiled code comes from (the modules with marked functions, ``state.py``
    for its constants, and this file) means an edit to any of them compiles afresh. The folder is
    under ``$NUMBA_CACHE_DIR`` if set, else ``sim/__pycache__`` (older folders there are
    removed), else the user's cache folder; None if none can be written.
    """
    here = Path(__file__).resolve().parent
    sources = {Path(ns["__file__"]).resolve() for ns, _, _ in _marked}
    sources |= {here / "state.py", Path(__file__).resolve()}
    digest = hashlib.sha1()
    for source in sorted(sources):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    tag = f"numba-{digest.hexdigest()[:12]}"
    own = here / "__pycache__"
    for folder in _candidates(tag):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            if folder.parent == own:
                for old in own.glob("numba-*"):
                    if old != folder:
                        shutil.rmtree(old, ignore_errors=True)
            return str(folder)
    return None


def _candidates(tag: str) -> list[Path]:
    """The folders :func:`_cache_dir` tries, in order, for the cache named ``tag``."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return [Path(os.environ["NUMBA_CACHE_DIR"]) / f"csat-{tag}"]
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return [Path(__file__).resolve().parent / "__pycache__" / tag, user / "csat-workshop" / tag]


def cache_candidates() -> list[str]:
    """Where the compiled code may be cached (for messages): the parents of the folders
    :func:`_cache_dir` tries."""
    return [str(folder.parent) for folder in _candidates("")]


@contextlib.contextmanager
def plain() -> Iterator[None]:
    """Within the block, the simulator runs as plain numpy even where it is compiled (for tests
    that compare the two in one process). Not thread-safe: it rebinds module globals."""
    activate()
    for namespace, name, original, _ in _swapped:
        namespace[name] = original
    try:
        yield
    finally:
        for namespace, name, _, compiled in _swapped:
            namespace[name] = compiled
