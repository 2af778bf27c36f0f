"""Compiled replicas of numpy routines that Numba has no faithful form of.

The compiled day must draw exactly the random numbers numpy draws, and add exactly as numpy
adds, so that a seed gives the same market with and without Numba. Numba either lacks these
routines (``Generator.choice`` without replacement) or implements them differently
(``Generator.poisson`` for means of 10 and more; ``ndarray.sum``'s pairwise order). Each name
here (``_choice``, ``_sum``, ``_poisson1``, ``_poisson``) is numpy's own routine until the day is
compiled (:func:`csat.sim._jit.activate`), then the replica, compiled; every module that
imported the name follows. Checked against numpy in ``tests/sim/test_jit.py``.
"""

from __future__ import annotations

import math

import numpy as np

from csat.sim import _jit
from csat.sim._jit import jit


def _choice_numpy(rng, n, k):
    return rng.choice(n, k, replace=False)


def _choice_compiled(rng, n, k):
    """``rng.choice(n, k, replace=False)`` in compiled code, drawing exactly what numpy draws.

    NumPy's own algorithm (``Generator.choice``): for a large sample of a large population,
    a partial Fisher–Yates shuffle of ``arange(n)``; otherwise Floyd's algorithm over an
    open-addressing hash set, then a shuffle of the sample. Checked against numpy in
    ``tests/sim/test_jit.py``.
    """
    if n > 10000 and k > n // 50:
        idx = np.arange(n)
        for i in range(n - 1, max(n - k, 1) - 1, -1):
            j = rng.integers(0, i + 1)
            idx[i], idx[j] = idx[j], idx[i]
        return idx[n - k :].copy()
    out = np.empty(k, np.int64)
    if k == 0:
        return out
    set_size = np.uint64(int(1.2 * k))
    mask = np.uint64(0)  # the smallest 2^m − 1 that is at least set_size
    while mask < set_size:
        mask = (mask << np.uint64(1)) | np.uint64(1)
    free = np.uint64(0xFFFFFFFFFFFFFFFF)
    taken = np.full(int(mask) + 1, free, np.uint64)
    for j in range(n - k, n):
        val = np.uint64(rng.integers(0, j + 1))
        loc = val & mask
        while taken[loc] != free and taken[loc] != val:
            loc = (loc + np.uint64(1)) & mask
        if taken[loc] == free:  # val not chosen before
            taken[loc] = val
            out[j - n + k] = val
        else:  # choose j instead
            loc = np.uint64(j) & mask
            while taken[loc] != free:
                loc = (loc + np.uint64(1)) & mask
            taken[loc] = np.uint64(j)
            out[j - n + k] = j
    for i in range(k - 1, 0, -1):
        j = rng.integers(0, i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def _sum_numpy(a):
    return a.sum()


def _sum_compiled(a):
    """``a.sum()`` for a 1-d float array, added in numpy's pairwise order, so that sums are the
    same to the last bit whether the day ran compiled or not.

    numpy splits the array in halves (each a multiple of 8 long) down to blocks of at most 128,
    which it adds with eight running sums. Here the same tree is walked with an explicit stack
    (Numba cannot cache recursive functions).
    """
    n = a.size
    if n <= 128:
        return _block_sum(a, 0, n)
    # Each frame: start, length, and the left half's total once it is known.
    lo = np.empty(64, np.int64)
    size = np.empty(64, np.int64)
    left = np.empty(64)
    has_left = np.zeros(64, np.bool_)
    top = 0
    lo[0], size[0] = 0, n
    while True:
        m = size[top]
        if m > 128 and not has_left[top]:  # descend into the left half
            half = m // 2
            half -= half % 8
            top += 1
            lo[top], size[top], has_left[top] = lo[top - 1], half, False
            continue
        total = _block_sum(a, lo[top], m) if m <= 128 else left[top]
        # Hand the total up: a left half waits for its right half, a right half completes.
        while True:
            if top == 0:
                return total
            top -= 1
            if not has_left[top]:
                has_left[top] = True
                left[top] = total
                half = size[top] // 2
                half -= half % 8
                top += 1
                lo[top], size[top], has_left[top] = lo[top - 1] + half, size[top - 1] - half, False
                break
            total = left[top] + total


@jit
def _block_sum(a, lo, n):
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = lo + 8
    end = lo + n - n % 8
    while i < end:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        res += a[i]
        i += 1
    return res


def _poisson1_numpy(rng, lam):
    return rng.poisson(lam)


def _poisson_numpy(rng, lam, size):
    return rng.poisson(lam, size)


def _poisson1_compiled(rng, lam):
    """``rng.poisson(lam)`` in compiled code, drawing exactly what numpy draws.

    Numba's own ``Generator.poisson`` truncates where numpy floors in the PTRS rejection step
    (means of 10 and more), so it can accept a draw numpy rejects and the stream drifts. This
    is numpy's algorithm (Hörmann's PTRS for ``lam >= 10``, multiplication below), checked
    against numpy in ``tests/sim/test_jit.py``.
    """
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = rng.random() - 0.5
            v = rng.random()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (
                -lam + k * loglam - _loggam(k + 1.0)
            ):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= rng.random()
        if prod > enlam:
            x += 1
        else:
            return x


def _poisson_compiled(rng, lam, size):
    out = np.empty(size, np.int64)
    for i in range(size):
        out[i] = _poisson1(rng, lam)
    return out


_LOGGAM = np.array(
    [8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
     -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
     6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
     -1.39243221690590e00]
)  # fmt: skip


@jit
def _loggam(x):
    """log Γ(x) as numpy's ``random_loggam`` computes it (for the Poisson replica)."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = _LOGGAM[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += _LOGGAM[k]
    gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


_sum = _sum_numpy
_choice = _choice_numpy
_jit.compile_as(globals(), "_sum", _sum_compiled)
_jit.compile_as(globals(), "_choice", _choice_compiled)
_poisson1 = _poisson1_numpy
_poisson = _poisson_numpy
_jit.compile_as(globals(), "_poisson1", _poisson1_compiled)
_jit.compile_as(globals(), "_poisson", _poisson_compiled)
