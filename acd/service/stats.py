"""Today's per-queue figures for the supervisor snapshot (in memory, since start or the
last :meth:`DayStats.reset`; reports compute the authoritative figures from the log)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class QueueDay:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_sl: int = 0
    abandoned_after_sl: int = 0


class DayStats:
    def __init__(self, sl_threshold_s: float = 20.0) -> None:
        self.sl_threshold_s = sl_threshold_s
        self.queues: dict[str, QueueDay] = {}

    def _q(self, queue: str) -> QueueDay:
        q = self.queues.get(queue)
        if q is None:
            q = self.queues[queue] = QueueDay()
        return q

    def offered(self, queue: str) -> None:
        self._q(queue).offered += 1

    def answered(self, queue: str, waited_s: float) -> None:
        q = self._q(queue)
        q.answered += 1
        if waited_s <= self.sl_threshold_s:
            q.answered_in_sl += 1

    def abandoned(self, queue: str, waited_s: float) -> None:
        q = self._q(queue)
        q.abandoned += 1
        if waited_s > self.sl_threshold_s:
            q.abandoned_after_sl += 1

    def service_level(self, queue: str) -> float | None:
        """answered within T / (answered + abandoned after T); None before any call."""
        q = self._q(queue)
        base = q.answered + q.abandoned_after_sl
        return q.answered_in_sl / base if base else None

    def reset(self) -> None:
        self.queues.clear()
