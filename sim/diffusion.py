"""The Bass adoption kernel and an agent-based diffusion simulation that converges to it.

Kernel: a prospect adopts in a step of length ``dt`` with probability
(p + q·influence)·dt, where ``p`` is the innovation (advertising) rate, ``q`` the imitation rate
and ``influence`` the share of the people the prospect listens to who have adopted (Bass 1969;
in discrete agent form, Fibich & Gibori 2010). A large well-mixed market then follows the
difference equation :func:`sim.analytic.bass_difference` and, as dt → 0, the closed form
:func:`sim.analytic.bass_curve`.

The second form counts persuasive contacts instead of a share: 1 − (1 − p·dt)(1 − b)^k for k
contacts that each convince with chance b (Goldenberg, Libai & Muller 2001). The customer
simulation (:mod:`sim.run`) uses it with word of mouth as the imitation channel: each good
message heard is one independent chance to be convinced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sim._rng import as_generator


def adoption_probability(p: float, q: float, influence: ArrayLike, dt: float) -> np.ndarray:
    """Chance that a prospect adopts within one step of length ``dt``: (p + q·influence)·dt.

    Parameters
    ----------
    p, q : float
        Innovation and imitation rates, per unit of time.
    influence : array_like
        Share of the prospect's contacts who have adopted (0–1), or, more generally, the rate
        of persuasive contacts per unit of time divided by ``q``'s unit.
    dt : float
        Step length, in the same unit of time as ``p`` and ``q``.

    Examples
    --------
    >>> adoption_probability(0.03, 0.38, [0.0, 0.5], 1.0).round(3).tolist()
    [0.03, 0.22]
    """
    prob = (p + q * np.asarray(influence, dtype=float)) * dt
    return np.clip(prob, 0.0, 1.0)


def message_adoption_probability(
    p: float, dt: float, per_message: float, messages: ArrayLike
) -> np.ndarray:
    """The kernel with word of mouth counted in messages: 1 − (1 − p·dt)(1 − b)^k.

    Advertising convinces with chance p·dt, and each of the ``messages`` heard in the step
    convinces independently with chance ``per_message`` = b (the rule 1 − (1 − α)(1 − β)^k of
    Goldenberg, Libai & Muller 2001, and the synchronous SI rule when p = 0). For small b it
    is :func:`adoption_probability` with q·influence = b·k/dt.

    Examples
    --------
    >>> message_adoption_probability(0.0, 1.0, 0.5, [0, 1, 2]).tolist()
    [0.0, 0.5, 0.75]
    """
    k = np.asarray(messages, dtype=float)
    stay = (1.0 - min(p * dt, 1.0)) * np.exp(k * np.log1p(-min(per_message, 1.0 - 1e-15)))
    return 1.0 - stay


@dataclass(frozen=True)
class Diffusion:
    """Result of :func:`simulate`.

    Attributes
    ----------
    t : numpy.ndarray
        Times, shape ``(steps + 1,)``; ``t[0] == 0``.
    adopted : numpy.ndarray
        Share of the market that has adopted at each time, shape ``(steps + 1,)``.
    adoption_step : numpy.ndarray
        Step at which each person adopted (``steps + 1`` if never), shape ``(n,)``.
    """

    t: np.ndarray
    adopted: np.ndarray
    adoption_step: np.ndarray


def simulate(
    p: float,
    q: float,
    n: int,
    t_max: float,
    dt: float,
    *,
    rng: int | np.random.Generator | None = None,
) -> Diffusion:
    """Agent-based Bass diffusion in a well-mixed market of ``n`` people.

    Each step, every prospect adopts independently with
    :func:`adoption_probability` (p, q, A/(n − 1), dt), where A is the number who have adopted
    (each prospect listens to everyone else). Because people in a well-mixed market are
    exchangeable, the number adopting per step is drawn as one binomial and the adopters are a
    uniformly random subset of the prospects — the same distribution as one coin per person, at
    a fraction of the cost.

    Parameters
    ----------
    p, q : float
        Innovation and imitation rates per unit of time.
    n : int
        Market size.
    t_max, dt : float
        Horizon and step length.
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run.

    Examples
    --------
    >>> run = simulate(0.03, 0.38, 10_000, 10.0, 0.1, rng=1)
    >>> run.adopted.shape, bool(0.7 < run.adopted[-1] < 0.9)
    ((101,), True)
    """
    if n < 2:
        raise ValueError(f"simulate: n must be an integer >= 2, got {n!r}")
    if not dt > 0 or not t_max > 0:
        raise ValueError(f"simulate: t_max and dt must be positive, got t_max={t_max}, dt={dt}")
    gen = as_generator(rng)
    steps = round(t_max / dt)
    counts = np.zeros(steps + 1, dtype=np.int64)
    adopted = 0
    for k in range(steps):
        prob = adoption_probability(p, q, adopted / (n - 1), dt)
        adopted += int(gen.binomial(n - adopted, prob))
        counts[k + 1] = adopted
    order = gen.permutation(n)
    adoption_step = np.full(n, steps + 1, dtype=np.int32)
    new_per_step = np.diff(counts)
    adoption_step[order[: counts[-1]]] = np.repeat(
        np.arange(1, steps + 1, dtype=np.int32), new_per_step
    )
    return Diffusion(t=np.arange(steps + 1) * dt, adopted=counts / n, adoption_step=adoption_step)
