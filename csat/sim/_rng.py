"""One place that turns the ``rng`` keyword into a Generator (SPEC 7)."""

from __future__ import annotations

import numpy as np


def as_generator(rng: int | np.random.Generator | None) -> np.random.Generator:
    """Return a Generator from an int seed, a Generator (used as is) or None (fresh entropy)."""
    if isinstance(rng, bool) or not (
        rng is None or isinstance(rng, int | np.integer | np.random.Generator)
    ):
        raise ValueError(f"rng must be an int, a numpy Generator or None, got {rng!r}")
    if isinstance(rng, int | np.integer) and rng < 0:
        raise ValueError(f"rng must be a seed >= 0, a numpy Generator or None, got {rng!r}")
    return np.random.default_rng(rng)
