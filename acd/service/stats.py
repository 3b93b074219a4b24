"""Today's per-queue figures for the supervisor snapshot (in memory; reports compute the
authoritative figures from the log).

"Today" is the local calendar day in the contact center's time zone: the first figure
touched after local midnight starts a new day (:meth:`DayStats.roll`), so a backend
running for days never shows yesterday's calls as today's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


@dataclass(slots=True)
class QueueDay:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_sl: int = 0
    abandoned_after_sl: int = 0


@dataclass
class AgentDay:
    """Handle time = talk (hold included) + wrap-up, over the calls handled today."""

    calls: int = 0
    handle_s: float = 0.0

    @property
    def aht_s(self) -> float | None:
        return self.handle_s / self.calls if self.calls else None


class DayStats:
    def __init__(self, sl_threshold_s: float = 20.0, zone: ZoneInfo | None = None) -> None:
        self.sl_threshold_s = sl_threshold_s
        self.zone = zone or ZoneInfo("Asia/Shanghai")
        self.queues: dict[str, QueueDay] = {}
        self.agents: dict[str, AgentDay] = {}
        self.day: date | None = None

    def local_day(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, tz=self.zone).date()

    def roll(self, now: float) -> bool:
        """Start a new day if ``now`` is on a later local date than the figures; True
        when the figures were reset (not on the very first call)."""
        today = self.local_day(now)
        if self.day is None or today <= self.day:
            self.day = self.day or today
            return False
        self.day = today
        self.reset()
        return True

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

    def talked(self, agent: str, talk_s: float) -> None:
        """A call the agent handled ended after ``talk_s`` (hold included)."""
        a = self.agents.setdefault(agent, AgentDay())
        a.calls += 1
        a.handle_s += max(0.0, talk_s)

    def wrapped(self, agent: str, wrap_s: float) -> None:
        """The agent left wrap-up after ``wrap_s`` (part of the last call's handle time)."""
        a = self.agents.get(agent)
        if a is not None:
            a.handle_s += max(0.0, wrap_s)

    def aht_s(self, agent: str) -> float | None:
        a = self.agents.get(agent)
        return a.aht_s if a is not None else None

    def reset(self) -> None:
        self.queues.clear()
        self.agents.clear()
