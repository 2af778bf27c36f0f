"""Wrong answers to a code box, counted per room in the results database.

The count lives here, not in a page or a kernel, so that a reloaded page, a new kernel or a
second browser sees the same count, and the lock it implies holds for all of them
(:mod:`csat.exercises.gate` decides what the count means).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from csat.exercises.store.schema import Connection, gate_failures


class Gates(Connection):
    """The ``gate_failures`` table: part of :class:`~csat.exercises.store.Store`."""

    def gate_state(self, gate: str) -> tuple[int, float | None]:
        """``(wrong answers in a row, when the last one came)`` for code box ``gate``;
        ``(0, None)`` when none since the last right one."""
        row = self._read(
            f"gate {gate!r}",
            lambda conn: conn.execute(
                sa.select(gate_failures.c.failures, gate_failures.c.last_at).where(
                    gate_failures.c.gate == gate
                )
            ).first(),
        )
        return (int(row[0]), float(row[1])) if row is not None else (0, None)

    def try_gate(
        self,
        gate: str,
        *,
        right: bool,
        now: float,
        lock_seconds: Callable[[int], float],
    ) -> tuple[bool, bool, int, float]:
        """Count one answer to code box ``gate`` in one transaction, so that kernels trying at
        once are counted one after the other.

        While the box is locked (``lock_seconds(failures)`` after the last wrong answer) the
        answer is refused whatever it is, and not counted. Otherwise a right answer clears the
        count and a wrong one adds to it.

        Returns ``(opened, counted, failures, wait)``: whether the box opens, whether the
        answer was looked at (not refused unread while locked), the wrong answers in a row now,
        and the seconds until the next answer is looked at (0: at once).
        """

        def work(conn: sa.Connection) -> tuple[bool, bool, int, float]:
            where = gate_failures.c.gate == gate
            query = sa.select(gate_failures.c.failures, gate_failures.c.last_at).where(where)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()  # SQLite's BEGIN IMMEDIATE already serialises
            row = conn.execute(query).first()
            failures, last = (int(row[0]), float(row[1])) if row is not None else (0, None)
            if last is not None:
                wait = last + lock_seconds(failures) - now
                if wait > 0:
                    return False, False, failures, wait
            if right:
                conn.execute(gate_failures.delete().where(where))
                return True, True, 0, 0.0
            failures += 1
            if row is None:  # two kernels inserting at once: the loser's retry updates
                conn.execute(gate_failures.insert().values(gate=gate, failures=1, last_at=now))
            else:
                conn.execute(
                    gate_failures.update().where(where).values(failures=failures, last_at=now)
                )
            return False, True, failures, float(lock_seconds(failures))

        return self._write(f"gate {gate!r}", work)
