"""Time each agent spent in each state today, from the ACD's ``AgentStateChanged`` events.

Fed by the hub with every event it receives; pure (times come from the events and the
``now`` passed in). A day is a local calendar date in ``zone``; at the first event or read
on a later date the totals start again, and the state in force carries over from midnight.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from acd.events import AcdEvent, AgentStateChanged


class StateTimes:
    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.day: object = None
        self.totals: dict[str, dict[str, float]] = {}  # agent -> state -> seconds (closed spans)
        self.current: dict[str, tuple[str, float]] = {}  # agent -> (state, since)

    def _midnight(self, ts: float) -> float:
        local = datetime.fromtimestamp(ts, tz=self.zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()

    def _roll(self, ts: float) -> None:
        day = datetime.fromtimestamp(ts, tz=self.zone).date()
        if self.day == day:
            return
        if self.day is not None:
            start = self._midnight(ts)
            self.totals = {}
            self.current = {a: (s, max(since, start)) for a, (s, since) in self.current.items()}
        self.day = day

    def feed(self, event: AcdEvent) -> None:
        if not isinstance(event, AgentStateChanged):
            return
        self._roll(event.at)
        was = self.current.get(event.agent)
        if was is not None:
            state, since = was
            spent = self.totals.setdefault(event.agent, {})
            spent[state] = spent.get(state, 0.0) + max(0.0, event.at - since)
        self.current[event.agent] = (event.state, event.at)

    def of(self, agent: str, now: float) -> dict[str, float]:
        """Seconds per state today, the open span up to ``now`` included; logged-out time left out."""
        self._roll(now)
        out = dict(self.totals.get(agent, {}))
        was = self.current.get(agent)
        if was is not None:
            out[was[0]] = out.get(was[0], 0.0) + max(0.0, now - was[1])
        out.pop("logged_out", None)
        return {k: round(v, 1) for k, v in sorted(out.items())}
