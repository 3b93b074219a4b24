"""What one wallboard refresh sends to whom: pure bookkeeping, no I/O.

:class:`Wallboard` remembers what the consoles were last sent and, given the centre's
new snapshot, returns each console's frames (:meth:`Wallboard.frames`); the hub offers
them and schedules the next refresh.

* Monitors get every queue whose figures changed, at every refresh.
* Agents' consoles, which do not show the wallboard, get their queues' figures at most
  every ``agent_queue_interval_s``, each console at its own phase (``queue_due``). A
  console is compared by one integer (the version of the figures it last got) when
  nothing changed; ``stale`` tells the hub that some console still waits for newer
  figures, so refreshes go on until every phase was served.
* Agents' daily statistics (calls handled, AHT) go to monitors and the agent's own
  console with a latest-wins key; alarms raised or cleared go to the monitors whose
  scope covers the queue.

The first refresh only records: consoles got those figures in their snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from acd.ports import CenterSnapshot, QueueStatus
from agent_console import alarms as alarm_rules
from agent_console.config import AlarmThresholds
from agent_console.connection import Connection, dumps
from agent_console.scope import MONITOR_ROLES

Frames = dict[Connection, list[tuple[str, str | None]]]  # console -> [(frame, latest-wins key)]
Targets = Callable[..., set[Connection]]  # topics -> the consoles subscribed to any of them


class Wallboard:
    def __init__(self, agent_queue_interval_s: float) -> None:
        self.agent_queue_interval_s = agent_queue_interval_s
        self.active_alarms: dict[tuple[str, str], alarm_rules.Alarm] = {}
        self.queues: dict[str, QueueStatus] = {}  # as the monitors last got them
        self.figures_version = 0  # bumped whenever a queue's figures change
        self.queue_version: dict[str, int] = {}  # queue -> the version of its figures
        self._agent_stats: dict[str, tuple[int, float | None]] = {}
        self._primed = False

    def versions_for(self, conn: Connection) -> None:
        """``conn`` just got a snapshot: it has the figures of every queue it sees."""
        conn.sent_versions = {name: v for name, v in self.queue_version.items() if conn.sees_queue_topic(name)}
        conn.synced = self.figures_version

    def frames(self, snap: CenterSnapshot, connections: Iterable[Connection], targets: Targets,
               alarms: AlarmThresholds, now: float) -> tuple[Frames, bool]:
        """Each console's frames for ``snap`` (``now``: loop time), and whether some
        agent's console still waits for newer figures (``stale``)."""
        first, self._primed = not self._primed, True
        out: Frames = {}
        encoded: dict[str, str] = {}
        for q in snap.queues:
            if self.queues.get(q.queue) == q:
                continue
            self.queues[q.queue] = q
            self.figures_version += 1
            self.queue_version[q.queue] = self.figures_version
            if first:
                continue
            frame = encoded[q.queue] = dumps({"type": "queue", "queue": queue_dict(q)})
            key = f"queue:{q.queue}"
            for c in targets("queue:*", key):
                if c.role in MONITOR_ROLES:
                    out.setdefault(c, []).append((frame, key))
        stale = self._agents_queues(connections, now, encoded, out)
        for a in snap.agents:
            stats = (a.calls_handled, a.aht_s)
            if self._agent_stats.get(a.agent) != stats:
                self._agent_stats[a.agent] = stats
                if first:
                    continue
                frame = dumps({"type": "agent_state", "agent": a.agent, "calls_handled": a.calls_handled,
                               "aht_s": a.aht_s, "name": a.name, "queues": list(a.queues)})
                key = f"stats:{a.agent}"
                for c in targets("agent:*", f"agent:{a.agent}"):
                    out.setdefault(c, []).append((frame, key))
        now_active = alarm_rules.evaluate(snap.queues, alarms)
        raised, cleared = alarm_rules.diff(self.active_alarms, now_active)
        self.active_alarms = now_active
        for alarm, active in [(a, True) for a in raised] + [(a, False) for a in cleared]:
            frame = dumps({"type": "alarm", "active": active, **alarm.as_dict()})
            for c in targets("alarms"):
                if c.scope.sees_queue(alarm.queue):
                    out.setdefault(c, []).append((frame, None))
        return out, stale

    def _agents_queues(self, connections: Iterable[Connection], now: float, encoded: dict[str, str],
                       out: Frames) -> bool:
        latest = self.figures_version
        stale = False
        for c in connections:
            if c.synced == latest or c.role in MONITOR_ROLES:
                continue
            changed = [name for name, v in self.queue_version.items()
                       if c.sent_versions.get(name) != v and c.sees_queue_topic(name)]
            if not changed:
                c.synced = latest
                continue
            if now < c.queue_due:
                stale = True
                continue
            c.queue_due = now + self.agent_queue_interval_s
            c.synced = latest
            for name in changed:
                c.sent_versions[name] = self.queue_version[name]
                frame = encoded.get(name) or encoded.setdefault(
                    name, dumps({"type": "queue", "queue": queue_dict(self.queues[name])}))
                out.setdefault(c, []).append((frame, f"queue:{name}"))
        return stale


def queue_dict(q: QueueStatus) -> dict[str, Any]:
    return asdict(q)
