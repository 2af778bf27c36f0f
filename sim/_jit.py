"""Compile the simulator's daily loop with Numba where it is installed; plain numpy elsewhere.

The day (:func:`sim.steps.advance`) is written once, as vectorised numpy that Numba can
compile. With Numba (every normal install) it runs as machine code: a small market's day costs
microseconds instead of the ~150 numpy calls' Python overhead. Without it (JupyterLite's
Pyodide, or ``NUMBA_DISABLE_JIT=1``) the very same functions run as ordinary Python and numpy.
Both consume the random Generator identically, so a seed gives the same market either way
(``tests/sim/test_jit.py`` checks that).

The first call in a fresh environment compiles for a few seconds; the machine code is cached
on disk (``cache=True``), so later processes load it in a fraction of a second.
"""

from __future__ import annotations

import os

try:  # pragma: no branch - which side runs depends on the platform
    import numba
except ImportError:  # e.g. Pyodide, where Numba does not exist
    numba = None

COMPILED = numba is not None and os.environ.get("NUMBA_DISABLE_JIT", "0") in ("", "0")
"""True when the daily loop runs as compiled code."""


def jit(fn):
    """Compile ``fn`` with Numba (no Python objects, cached on disk), or return it unchanged."""
    if numba is None:
        return fn
    return numba.njit(cache=True, nogil=True)(fn)


def python(fn):
    """The plain-Python body of a function decorated with :func:`jit` (for tests)."""
    return getattr(fn, "py_func", fn)


def warm_up() -> float:
    """Compile (or load from the disk cache) the daily loop now; return the seconds it took.

    ``make setup`` calls this (``python -m sim compile``) so that nobody waits for the
    compiler in front of a room. Without Numba it does nothing and returns 0.
    """
    import time

    if not COMPILED:
        return 0.0
    from sim import presets
    from sim.run import run

    t0 = time.perf_counter()
    for changes in ({}, {"network.kind": "small_world", "wom.unhappy_seeds": 2}):
        run(presets.get("car_dealer", population=200, days=3, **changes), rng=0)
    return time.perf_counter() - t0
