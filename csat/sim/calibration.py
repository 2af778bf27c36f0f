"""Complaint shares a business realises, and the base shares that make it realise a figure.

:class:`~csat.sim.params.ComplaintBehaviour` holds its shares for a problem of
``reference_severity``; bigger problems are voiced more often, smaller ones less. A business
whose problems are mostly small therefore voices fewer of them than its ``front_line`` says.
The research figures (about half of problems voiced to the front line, 1–5% reaching head
office, three in four for business customers) describe problems as they come, so a preset
states them as the shares it must *realise*, and :func:`base_complaint_shares` turns them into
the reference-severity shares the engine reads. This is the one place that conversion is made.

The severities a business draws come out of the whole run (expectations move with every visit
and every story heard), so both functions measure them the only exact way: by running
:func:`csat.sim.run` on the business itself, over a fixed list of seeds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from csat.sim.params import ComplaintBehaviour, Params
from csat.sim.run import run


@dataclass(frozen=True)
class RealisedShares:
    """Complaint shares measured over several runs of one business.

    ``front_line`` and ``head_office`` are shares of all problems (dissatisfied visits),
    pooled over ``runs`` runs seeded ``first_seed, first_seed + 1, …``.
    """

    problems: int
    front_line_complaints: int
    head_office_complaints: int
    runs: int
    first_seed: int

    @property
    def front_line(self) -> float:
        """Share of problems voiced to the front line."""
        return self.front_line_complaints / self.problems if self.problems else float("nan")

    @property
    def head_office(self) -> float:
        """Share of problems that reached head office."""
        return self.head_office_complaints / self.problems if self.problems else float("nan")

    def z(self, stated: float, which: str = "front_line") -> float:
        """How many binomial standard errors the measured share lies from ``stated``."""
        measured = getattr(self, which)
        se = np.sqrt(stated * (1.0 - stated) / self.problems) if self.problems else 0.0
        if se == 0:
            return 0.0 if measured == stated else float("inf")
        return float((measured - stated) / se)


def realised_complaint_shares(
    params: Params, *, problems: int = 20_000, runs: int | None = None, first_seed: int = 0
) -> RealisedShares:
    """Run the business until ``problems`` problems are pooled (or exactly ``runs`` runs).

    Examples
    --------
    >>> from csat.sim import presets
    >>> s = realised_complaint_shares(presets.get("deck_folklore"), runs=3)
    >>> s.runs, s.front_line == s.head_office
    (3, True)
    """
    if not isinstance(params, Params):
        raise ValueError(f"realised_complaint_shares: params must be a sim.Params, got {params!r}")
    n = front = head = k = 0
    while (runs is None and n < problems) or (runs is not None and k < runs):
        d = run(params, rng=first_seed + k).daily
        n += int(d["dissatisfied"].sum())
        front += int(d["complaints_front_line"].sum())
        head += int(d["complaints_head_office"].sum())
        k += 1
        if runs is None and k >= 10_000:
            break  # a business that hardly ever disappoints: report what was seen
    return RealisedShares(n, front, head, k, first_seed)


def base_complaint_shares(
    params: Params,
    front_line: float,
    head_office: float,
    *,
    problems: int = 100_000,
    first_seed: int = 0,
    tolerance: float = 2e-4,
) -> ComplaintBehaviour:
    """The complaint behaviour of ``params`` with base shares that realise the stated ones.

    ``front_line`` and ``head_office`` are the shares of problems the business should voice
    to the front line and carry to head office, over the severities it actually draws. The
    front-line base is found by bisection on the share realised in runs of ``params`` (the same
    seeds at every step, so the steps differ only by the base share); the head-office base
    keeps the engine's escalation rule, head office = front line × head_office / front_line
    of complaints, so its realised share follows exactly. The severity rule itself
    (``severity_elasticity``, ``reference_severity``) is left as it is.

    A maintainer who changes a preset's service, expectations or complaint rule re-runs this
    and copies the two numbers into :mod:`csat.sim.presets`.
    """
    if not 0.0 < front_line < 1.0:
        raise ValueError(f"base_complaint_shares: front_line must be in (0, 1), got {front_line!r}")
    if not 0.0 <= head_office <= front_line:
        raise ValueError(
            f"base_complaint_shares: head_office must be in [0, front_line={front_line!r}], "
            f"got {head_office!r}"
        )
    cb = params.complaints

    def with_base(base: float) -> Params:
        return replace(
            params,
            complaints=replace(cb, front_line=base, head_office=base * head_office / front_line),
        )

    if cb.severity_elasticity == 0:  # every problem is voiced at the base rate
        return with_base(front_line).complaints
    # The number of runs is fixed first, so that every step of the search sees the same runs.
    runs = realised_complaint_shares(
        with_base(front_line), problems=problems, first_seed=first_seed
    ).runs
    lo, hi = 0.0, 1.0 - 1e-9
    while hi - lo > tolerance:
        mid = 0.5 * (lo + hi)
        got = realised_complaint_shares(with_base(mid), runs=runs, first_seed=first_seed)
        if got.front_line < front_line:
            lo = mid
        else:
            hi = mid
    return with_base(round(0.5 * (lo + hi), 3)).complaints
