"""From role-play endings to simulator parameters: "your handling, across a year of customers".

A role-play ends with the customer staying, leaving or escalating, and telling some people.
Read as a complaint-handling policy, a set of endings says how often a complaint handled this
way is resolved, what the unresolved do, and how far the story travels. :func:`handling_params`
writes that into a :class:`sim.Params`, so the course can run a year of customers whose
complaints are handled the way the trainee handled them.

How each outcome reads in the simulator (documented, so a trainer can explain it):

- ``stays``: the complaint is resolved (counts towards ``recovery.resolution_rate``); the
  customer then buys again with the policy's resolved rates (70%, 95% when quick).
- ``escalates``: not resolved at the front line; the customer takes it to head office and
  buys again with the policy's unresolved rate.
- ``leaves``: not resolved, and the customer is gone (repurchase 0).
- ``tells`` with ``negative`` sentiment sets how many people an unhappy customer tells;
  with ``positive`` sentiment, how many a delighted or well-recovered one tells. Neutral
  endings leave word of mouth at the base value.

>>> from csat.exercises.scenario import load
>>> s = load("hotpot-queue")
>>> mix = outcome_mix([s.endings[e] for e in s.endings])
>>> round(sum(mix[k] for k in ("stays", "leaves", "escalates")), 6)
1.0
"""

from __future__ import annotations

from collections.abc import Iterable

from csat import sim
from csat.exercises.scenario import Ending


def outcome_mix(endings: Iterable[Ending]) -> dict[str, float]:
    """Shares of stays / leaves / escalates, and mean people told by sentiment.

    Keys: ``stays``, ``leaves``, ``escalates`` (shares summing to 1), ``n``, and
    ``told_negative`` / ``told_positive`` (mean ``tells`` of endings with that sentiment,
    None when there are none).
    """
    endings = list(endings)
    if not endings:
        raise ValueError("outcome_mix needs at least one ending, got none")
    n = len(endings)
    mix: dict[str, float] = {k: sum(e.outcome == k for e in endings) / n for k in _OUTCOMES}
    for sentiment in ("negative", "positive"):
        told = [e.tells for e in endings if e.sentiment == sentiment]
        mix[f"told_{sentiment}"] = sum(told) / len(told) if told else None
    mix["n"] = n
    return mix


_OUTCOMES = ("stays", "leaves", "escalates")


def handling_params(base: sim.Params, endings: Iterable[Ending]) -> sim.Params:
    """``base`` with its recovery policy and word of mouth set from role-play ``endings``.

    >>> from csat.exercises.scenario import load
    >>> s = load("hotpot-queue")
    >>> p = handling_params(sim.presets.get("hotpot"), [s.endings[s.best_ending()]])
    >>> p.recovery.resolution_rate
    1.0
    """
    mix = outcome_mix(endings)
    rec = base.recovery
    unresolved = mix["leaves"] + mix["escalates"]
    changes: dict[str, float] = {"recovery.resolution_rate": mix["stays"]}
    if unresolved > 0:
        changes["recovery.repurchase_unresolved"] = (
            mix["escalates"] * rec.repurchase_unresolved
        ) / unresolved
    if mix["told_negative"] is not None:
        changes["wom.told_by_dissatisfied"] = float(mix["told_negative"])
    if mix["told_positive"] is not None:
        changes["wom.told_by_satisfied"] = float(mix["told_positive"])
    return sim.with_changes(base, **changes)
