"""Threshold alarms on queues. Pure: figures in, the set of active alarms out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from acd.ports import QueueStatus
from agent_console.config import AlarmThresholds


@dataclass(frozen=True, slots=True)
class Alarm:
    queue: str
    kind: str  # waiting | longest_wait | service_level
    value: float
    threshold: float

    @property
    def key(self) -> tuple[str, str]:
        return (self.queue, self.kind)

    def as_dict(self) -> dict[str, object]:
        return {"queue": self.queue, "kind": self.kind, "value": self.value, "threshold": self.threshold}


def evaluate(queues: Iterable[QueueStatus], t: AlarmThresholds) -> dict[tuple[str, str], Alarm]:
    """Every alarm that holds now, keyed by (queue, kind)."""
    out: dict[tuple[str, str], Alarm] = {}
    for q in queues:
        found: list[Alarm] = []
        if q.waiting > t.max_waiting:
            found.append(Alarm(q.queue, "waiting", q.waiting, t.max_waiting))
        if q.longest_wait_s > t.max_longest_wait_s:
            found.append(Alarm(q.queue, "longest_wait", round(q.longest_wait_s, 1), t.max_longest_wait_s))
        decided = q.answered_today + q.abandoned_today
        if q.service_level is not None and decided >= t.sl_min_calls and q.service_level < q.sl_target:
            found.append(Alarm(q.queue, "service_level", round(q.service_level, 4), q.sl_target))
        out.update((a.key, a) for a in found)
    return out


def diff(
    before: dict[tuple[str, str], Alarm], after: dict[tuple[str, str], Alarm]
) -> tuple[list[Alarm], list[Alarm]]:
    """(raised, cleared). A value change of an alarm still active is not a new alarm."""
    raised = [a for k, a in after.items() if k not in before]
    cleared = [a for k, a in before.items() if k not in after]
    return raised, cleared
