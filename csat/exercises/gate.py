"""The trainer code, checked where a page cannot reach: in the kernel, counted in the store.

A page's code box is only a way of sending text; whether the box is enabled is the browser's
business, and a client can send anything over the widget channel. So every answer is checked
here, and every wrong one is counted in the room's results database
(:meth:`~csat.exercises.store.Store.try_gate`), where every kernel of the room sees it: the
first :data:`FREE_TRIES` wrong codes in a row cost nothing (a trainer's typos), then the box
is locked for :func:`lock_seconds` after each wrong one — doubling from
:data:`FIRST_LOCK_S` up to :data:`MAX_LOCK_S` — whatever is typed, even the right code, and
in every kernel. The lock is a time in the store, not a wait in the kernel: nothing sleeps,
so the other widgets of the page keep working. The right code clears the count.

Each wrong code, and each opening, is a line on the ``csat`` logger for the trainer's
terminal (never the code typed).

>>> [lock_seconds(n) for n in (4, 5, 6, 7, 20)]
[0.0, 30.0, 60.0, 120.0, 300.0]
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

FREE_TRIES = 4
"""Wrong codes in a row that lock nothing; the next one locks the box for
:data:`FIRST_LOCK_S`."""
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 300.0
"""The longest lock (5 minutes): one guess every five minutes tries a six-digit code's million
values in about ten years, and a trainer locked out by a trainee's guesses waits at most this."""
TRAINER = "trainer"
"""The name of the trainer page's code box in the store."""


def lock_seconds(failures: int) -> float:
    """How long the box stays locked after the ``failures``-th wrong code in a row."""
    if failures <= FREE_TRIES:
        return 0.0
    return float(min(FIRST_LOCK_S * 2 ** min(failures - FREE_TRIES - 1, 16), MAX_LOCK_S))


def code_matches(typed: str, code: str) -> bool:
    """Whether ``typed`` is the code (spaces around either ignored), in constant time."""
    return hmac.compare_digest(typed.strip().encode("utf-8"), code.strip().encode("utf-8"))


@dataclass(frozen=True)
class Verdict:
    """What became of one answer: ``opened``; ``counted``, whether it was looked at (not
    refused unread while the box was locked); ``failures``, the wrong codes in a row now;
    ``wait``, the seconds the box stays locked (0: the next answer is looked at)."""

    opened: bool
    counted: bool
    failures: int
    wait: float

    @property
    def locked(self) -> bool:
        return self.wait > 0


class CodeGate:
    """A code box of the room, checked in the kernel and counted in ``store``.

    Parameters
    ----------
    store : exercises.store.Store — where the wrong codes are counted
    code : the code that opens it
    gate : its name in the store (one count per name and room)
    clock : the time now, in seconds since the epoch (tests pass their own)
    """

    def __init__(
        self,
        store,
        code: str,
        *,
        gate: str = TRAINER,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self._code, self.gate, self._clock = store, code, gate, clock

    def wait(self) -> float:
        """Seconds the box stays locked from now (0: not locked)."""
        failures, last = self.store.gate_state(self.gate)
        if last is None:
            return 0.0
        return max(0.0, last + lock_seconds(failures) - self._clock())

    def answer(self, typed: str) -> Verdict:
        """Check one answer; raises :class:`~csat.exercises.store.StoreError` when the store
        cannot count it (the box then stays shut)."""
        opened, counted, failures, wait = self.store.try_gate(
            self.gate,
            right=code_matches(typed, self._code),
            now=self._clock(),
            lock_seconds=lock_seconds,
        )
        verdict = Verdict(opened, counted, failures, wait)
        if opened:
            log.info("%s page: opened with the right code", self.gate)
        elif counted:
            log.warning(
                "%s page: wrong code, %d in a row in this room%s",
                self.gate,
                failures,
                f"; locked for {wait:.0f} s in every kernel" if wait else "",
            )
        else:  # refused unread while locked: not counted, so as not to flood the terminal
            log.debug("%s page: an answer while locked (%.0f s left)", self.gate, wait)
        return verdict
