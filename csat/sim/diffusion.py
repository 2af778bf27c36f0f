"""The Bass adoption kernel and an agent-based diffusion simulation that converges to it.

Kernel: a prospect adopts in a step of length ``dt`` with probability
(p + q·influence)·dt, where ``p`` is the innovation (advertising) rate, ``q`` the imitation rate
and ``influence`` the share of the people the prospect listens to who have adopted (Bass 1969;
in discrete agent form, Fibich & Gibori 2010). A large well-mixed market then follows the
difference equation :func:`csat.sim.analytic.bass_difference` and, as dt → 0, the closed form
:func:`csat.sim.analytic.bass_curve`.

The second form counts persuasive contacts instead of a share: 1 − (1 − p·dt)(1 − b)^k for k
contacts that each convince with chance b (Goldenberg, Libai & Muller 2001). The customer
simulation (:mod:`csat.sim.run`) uses it with word of mouth as the imitation channel: each good
message heard is one independent chance to be convinced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from csat.sim._rng import as_generator
from csat.sim.network import Network


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
    network: Network | None = None,
    mode: str = "bass",
    beta: float = 0.0,
    initial: float = 0.0,
    rng: int | np.random.Generator | None = None,
) -> Diffusion:
    """Agent-based adoption in a market of ``n`` people, well mixed or on a network.

    Every step of length ``dt``, each person who has not adopted does so with probability

    - ``mode="bass"``: (p + q · A_j / k_j) · dt, where k_j is the number of j's contacts and
      A_j how many of them have adopted (well mixed: everyone else is a contact);
    - ``mode="si"``: 1 − (1 − p·dt)(1 − beta)^{A_j}, the synchronous SI rule (each adopted
      contact passes it on with chance ``beta``; ``p`` adds outside influence).

    Updates are synchronous: decisions in a step use the state at its start. In a well-mixed
    market people are exchangeable, so the number adopting per step is drawn as one binomial
    and the adopters are a uniformly random subset of the prospects — the same distribution as
    one coin per person. On a network only people with an adopted contact are examined for
    imitation; outside influence reaches a binomial random subset.

    Parameters
    ----------
    p, q : float
        Innovation and imitation rates per unit of time.
    n : int
        Market size (must equal ``network.n`` when a network is given).
    t_max, dt : float
        Horizon and step length.
    network : Network, optional
        Who listens to whom; None for a well-mixed market.
    mode : {"bass", "si"}
    beta : float
        Per-contact chance in ``"si"`` mode.
    initial : float
        Share of people who have adopted at time 0 (chosen at random).
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run.

    Examples
    --------
    >>> run = simulate(0.03, 0.38, 10_000, 10.0, 0.1, rng=1)
    >>> run.adopted.shape, bool(0.7 < run.adopted[-1] < 0.9)
    ((101,), True)
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"simulate: n must be an integer >= 2, got {n!r}")
    if not dt > 0 or not t_max > 0:
        raise ValueError(f"simulate: t_max and dt must be positive, got t_max={t_max}, dt={dt}")
    if mode not in ("bass", "si"):
        raise ValueError(f"simulate: mode must be 'bass' or 'si', got {mode!r}")
    if network is not None and network.n != n:
        raise ValueError(f"simulate: n must equal network.n ({network.n}), got {n}")
    if not 0.0 <= initial <= 1.0:
        raise ValueError(f"simulate: initial must be in [0, 1], got {initial!r}")
    gen = as_generator(rng)
    steps = round(t_max / dt)
    if network is None:
        return _well_mixed(p, q, n, steps, dt, mode, beta, initial, gen)
    return _on_network(p, q, network, steps, dt, mode, beta, initial, gen)


def _well_mixed(p, q, n, steps, dt, mode, beta, initial, gen) -> Diffusion:
    counts = np.zeros(steps + 1, dtype=np.int64)
    adopted = counts[0] = round(initial * n)
    for k in range(steps):
        if mode == "bass":
            prob = adoption_probability(p, q, adopted / (n - 1), dt)
        else:
            prob = message_adoption_probability(p, dt, beta, adopted)
        adopted += int(gen.binomial(n - adopted, prob))
        counts[k + 1] = adopted
    order = gen.permutation(n)
    adoption_step = np.full(n, steps + 1, dtype=np.int32)
    adoption_step[order[: counts[-1]]] = np.repeat(
        np.arange(0, steps + 1, dtype=np.int32), np.diff(counts, prepend=0)
    )
    return Diffusion(t=np.arange(steps + 1) * dt, adopted=counts / n, adoption_step=adoption_step)


def _on_network(p, q, net, steps, dt, mode, beta, initial, gen) -> Diffusion:
    n = net.n
    degree = net.degree
    adopted = np.zeros(n, bool)
    contacts_adopted = np.zeros(n, np.int32)
    adoption_step = np.full(n, steps + 1, dtype=np.int32)
    counts = np.zeros(steps + 1, dtype=np.int64)
    ext = min(p * dt, 1.0)

    def adopt(new: np.ndarray, step: int) -> None:
        adopted[new] = True
        adoption_step[new] = step
        start, stop = net.indptr[new], net.indptr[new + 1]
        deg = stop - start
        nbrs = net.indices[
            np.repeat(start, deg) + np.arange(deg.sum()) - np.repeat(np.cumsum(deg) - deg, deg)
        ]
        if nbrs.size * 20 > n:
            contacts_adopted[:] += np.bincount(nbrs, minlength=n).astype(np.int32)
        else:
            np.add.at(contacts_adopted, nbrs, 1)

    adopt(gen.permutation(n)[: round(initial * n)], 0)
    counts[0] = int(adopted.sum())
    for k in range(steps):
        outside = gen.choice(n, int(gen.binomial(n, ext)), replace=False)
        outside = outside[~adopted[outside]]
        frontier = np.flatnonzero((contacts_adopted > 0) & ~adopted)
        a = contacts_adopted[frontier]
        if mode == "bass":
            # P = p·dt + (1 − p·dt)·x with x the imitation part, given no outside adoption.
            x = q * dt * a / degree[frontier] / (1.0 - ext) if ext < 1 else np.zeros(a.size)
        else:
            x = -np.expm1(a * np.log1p(-min(beta, 1 - 1e-15)))
        inside = frontier[gen.random(frontier.size) < x]
        new = np.union1d(outside, inside)
        adopt(new, k + 1)
        counts[k + 1] = counts[k] + new.size
    return Diffusion(t=np.arange(steps + 1) * dt, adopted=counts / n, adoption_step=adoption_step)
