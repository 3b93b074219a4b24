"""The daily lost-call report (每日呼损分析), from ``report_call_facts`` and the agents'
member rows of the call-event log.

What a manager reads every morning, and how each figure is made:

* **calls** — every call that started that day; **lost** — calls whose fate is not in
  :data:`reports.facts.NOT_LOST` (answered, transferred out on purpose, blacklisted);
  **lost rate** = lost / calls.
* **by hour** — calls, lost and lost rate per local hour. An hour is a **peak** when its
  lost count is at least :data:`PEAK_MIN` and at least :data:`PEAK_FACTOR` times the mean
  lost count of the hours that had calls.
* **by queue / fate / region / IVR node / wait** — lost calls broken down. The region is
  the province / city of the caller's number from ``phonenumbers``' geocoder, in zh and
  en ("未知" / "Unknown" when the number is withheld or not geocoded). The wait buckets
  are those of :data:`WAIT_BUCKETS` (seconds in queue; calls that never queued: "—").
* **agents at that moment** — for every lost call the number of agents logged in, on
  break (paused) and busy (between CONNECT and the end of wrap-up) when the call was lost,
  and from those a **cause** (:data:`CAUSES`): agents were free (routing, skills or a
  short abandon), all were busy (understaffed), some were on break (free but for the
  breaks), nobody was logged in.
* **day over day / week over week** — the same totals for the day before and for the same
  weekday a week earlier, with the change in points of lost rate.

Agents' states are derived from ADDMEMBER / REMOVEMEMBER / PAUSE / UNPAUSE rows (any
queue: an agent in one queue is logged in) read from the start of the log, so a day that
begins with agents already logged in is right.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm import phones
from hotline import kinds
from hotline.db import CallEvent
from reports import facts as facts_mod
from reports.facts import CallFact
from reports.fates import LABELS

PEAK_MIN = 3
PEAK_FACTOR = 1.5
WAIT_BUCKETS: tuple[tuple[float, float, str], ...] = (
    (0, 5, "0-5s"), (5, 15, "5-15s"), (15, 30, "15-30s"), (30, 60, "30-60s"),
    (60, 120, "1-2min"), (120, float("inf"), ">2min"))
CAUSES: dict[str, tuple[str, str]] = {
    "agents_free": ("有空闲坐席", "Agents were free"),
    "all_busy": ("坐席全忙", "All agents busy"),
    "on_break": ("坐席小休", "Agents on break"),
    "nobody_logged_in": ("无人签入", "Nobody logged in"),
}
_MEMBER = (kinds.ADDMEMBER, kinds.REMOVEMEMBER, kinds.PAUSE, kinds.UNPAUSE)


@dataclass(frozen=True, slots=True)
class AgentsAt:
    logged_in: int
    paused: int
    busy: int

    @property
    def free(self) -> int:
        return max(0, self.logged_in - self.paused - self.busy)

    @property
    def cause(self) -> str:
        if self.logged_in == 0:
            return "nobody_logged_in"
        if self.free > 0:
            return "agents_free"
        if self.paused > 0:
            return "on_break"
        return "all_busy"


@dataclass(frozen=True, slots=True)
class MemberRow:
    ts: float
    kind: str
    agent: str
    queue: str | None = None


class AgentTimeline:
    """Logged-in / paused / busy counts at any instant of a day."""

    def __init__(self, members: Iterable[MemberRow], answered: Iterable[CallFact]) -> None:
        # agent -> set of queues; agent -> paused. Replayed into step lists.
        self._times: list[float] = []
        self._states: list[tuple[int, int]] = []
        queues: dict[str, set[str]] = {}
        paused: set[str] = set()
        for m in sorted(members, key=lambda r: r.ts):
            q = m.queue or ""
            if m.kind == kinds.ADDMEMBER:
                queues.setdefault(m.agent, set()).add(q)
            elif m.kind == kinds.REMOVEMEMBER:
                queues.get(m.agent, set()).discard(q)
                if not queues.get(m.agent):
                    queues.pop(m.agent, None)
                    paused.discard(m.agent)
            elif m.kind == kinds.PAUSE:
                paused.add(m.agent)
            elif m.kind == kinds.UNPAUSE:
                paused.discard(m.agent)
            self._times.append(m.ts)
            self._states.append((len(queues), len(paused & set(queues))))
        starts, ends = [], []
        for f in answered:
            if f.answered_at is not None:
                starts.append(f.answered_at)
                ends.append(f.answered_at + f.talk + f.hold + f.wrap)
        self._starts, self._ends = sorted(starts), sorted(ends)

    def at(self, ts: float) -> AgentsAt:
        i = bisect.bisect_right(self._times, ts) - 1
        logged, paused = self._states[i] if i >= 0 else (0, 0)
        busy = bisect.bisect_right(self._starts, ts) - bisect.bisect_right(self._ends, ts)
        return AgentsAt(logged, paused, max(0, busy))


@dataclass(frozen=True, slots=True)
class LostCall:
    call_id: str
    start: float
    local_time: str
    caller: str | None
    region_zh: str
    region_en: str
    queue: str | None
    fate: str
    fate_zh: str
    fate_en: str
    wait: float | None
    node: str | None
    agents: AgentsAt


@dataclass(frozen=True, slots=True)
class DayTotals:
    day: str
    calls: int
    lost: int

    @property
    def lost_rate(self) -> float:
        return self.lost / self.calls if self.calls else 0.0


@dataclass
class LostReport:
    day: str
    totals: DayTotals
    previous_day: DayTotals
    week_before: DayTotals
    by_hour: list[dict[str, Any]] = field(default_factory=list)
    by_queue: list[dict[str, Any]] = field(default_factory=list)
    by_fate: list[dict[str, Any]] = field(default_factory=list)
    by_region: list[dict[str, Any]] = field(default_factory=list)
    by_node: list[dict[str, Any]] = field(default_factory=list)
    by_wait: list[dict[str, Any]] = field(default_factory=list)
    by_cause: list[dict[str, Any]] = field(default_factory=list)
    calls: list[LostCall] = field(default_factory=list)

    @property
    def dod_points(self) -> float:
        """Change of lost rate against the day before, in percentage points."""
        return round((self.totals.lost_rate - self.previous_day.lost_rate) * 100, 2)

    @property
    def wow_points(self) -> float:
        return round((self.totals.lost_rate - self.week_before.lost_rate) * 100, 2)

    @property
    def peaks(self) -> list[int]:
        return [h["hour"] for h in self.by_hour if h["peak"]]

    def as_dict(self) -> dict[str, Any]:
        def tot(t: DayTotals) -> dict[str, Any]:
            return {"day": t.day, "calls": t.calls, "lost": t.lost,
                    "lost_rate": round(t.lost_rate, 4)}
        return {
            "day": self.day, "totals": tot(self.totals), "previous_day": tot(self.previous_day),
            "week_before": tot(self.week_before), "dod_points": self.dod_points,
            "wow_points": self.wow_points, "peaks": self.peaks, "by_hour": self.by_hour,
            "by_queue": self.by_queue, "by_fate": self.by_fate, "by_region": self.by_region,
            "by_node": self.by_node, "by_wait": self.by_wait, "by_cause": self.by_cause,
            "calls": [{**{k: getattr(c, k) for k in LostCall.__dataclass_fields__ if k != "agents"},
                       "agents_logged_in": c.agents.logged_in, "agents_paused": c.agents.paused,
                       "agents_busy": c.agents.busy, "agents_free": c.agents.free,
                       "cause": c.agents.cause} for c in self.calls],
        }


def region_of(caller: str | None) -> tuple[str, str]:
    """(zh, en) province / city of a number, ("未知", "Unknown") if it cannot be told."""
    if not caller:
        return "未知", "Unknown"
    try:
        i = phones.info(caller)
    except phones.PhoneError:
        return "未知", "Unknown"
    return i.region_zh or "未知", i.region_en or "Unknown"


def wait_bucket(wait: float | None, entered: float | None) -> str:
    if entered is None or wait is None:
        return "—"
    for lo, hi, name in WAIT_BUCKETS:
        if lo <= wait < hi:
            return name
    return WAIT_BUCKETS[-1][2]


def _totals(day: str, fs: Sequence[CallFact]) -> DayTotals:
    return DayTotals(day, len(fs), sum(1 for f in fs if f.lost))


def _ranked(counter: Counter[Any], total: int, key: str) -> list[dict[str, Any]]:
    return [{key: k, "lost": n, "share": round(n / total, 4) if total else 0.0}
            for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def build(day: str, facts: Sequence[CallFact], previous: Sequence[CallFact],
          week_before: Sequence[CallFact], members: Iterable[MemberRow],
          tz: ZoneInfo) -> LostReport:
    """The report of ``day`` from its facts (pure: the facts and member rows are given)."""
    d = dt.date.fromisoformat(day)
    prev_day = (d - dt.timedelta(days=1)).isoformat()
    week_day = (d - dt.timedelta(days=7)).isoformat()
    rep = LostReport(day, _totals(day, facts), _totals(prev_day, previous),
                     _totals(week_day, week_before))
    timeline = AgentTimeline(members, [f for f in facts if f.answered_at is not None])
    lost = [f for f in facts if f.lost]
    calls_h, lost_h = Counter(f.local_minute // 60 for f in facts), Counter(f.local_minute // 60 for f in lost)
    busy_hours = [h for h in range(24) if calls_h[h]]
    mean = sum(lost_h[h] for h in busy_hours) / len(busy_hours) if busy_hours else 0.0
    rep.by_hour = [{"hour": h, "calls": calls_h[h], "lost": lost_h[h],
                    "lost_rate": round(lost_h[h] / calls_h[h], 4) if calls_h[h] else 0.0,
                    "peak": lost_h[h] >= PEAK_MIN and lost_h[h] >= PEAK_FACTOR * mean}
                   for h in range(24)]
    n = len(lost)
    rep.by_queue = _ranked(Counter(f.queue or "—" for f in lost), n, "queue")
    rep.by_fate = [{**r, "zh": LABELS[r["fate"]][0], "en": LABELS[r["fate"]][1]}
                   for r in _ranked(Counter(f.fate for f in lost), n, "fate")]
    rep.by_node = _ranked(Counter(f.node or "—" for f in lost), n, "node")
    waits = Counter(wait_bucket(f.wait, f.entered) for f in lost)
    rep.by_wait = [{"bucket": b, "lost": waits[b]} for b in
                   [name for _, _, name in WAIT_BUCKETS] + ["—"]]
    regions: Counter[tuple[str, str]] = Counter()
    causes: Counter[str] = Counter()
    for f in lost:
        zh, en = region_of(f.caller)
        regions[(zh, en)] += 1
        at = timeline.at(f.start if f.entered is None else f.entered + (f.wait or 0.0))
        causes[at.cause] += 1
        t = dt.datetime.fromtimestamp(f.start, tz)
        rep.calls.append(LostCall(f.call_id, f.start, t.strftime("%H:%M:%S"), f.caller, zh, en,
                                  f.queue, f.fate, LABELS[f.fate][0], LABELS[f.fate][1], f.wait,
                                  f.node, at))
    rep.by_region = [{"zh": zh, "en": en, "lost": c, "share": round(c / n, 4) if n else 0.0}
                     for (zh, en), c in sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))]
    rep.by_cause = [{"cause": c, "zh": CAUSES[c][0], "en": CAUSES[c][1], "lost": causes[c]}
                    for c in CAUSES]
    return rep


async def member_rows(engine: AsyncEngine, until: float) -> list[MemberRow]:
    stmt = (select(CallEvent.ts, CallEvent.kind, CallEvent.agent, CallEvent.queue)
            .where(CallEvent.kind.in_(_MEMBER), CallEvent.ts < until,
                   CallEvent.agent.is_not(None)).order_by(CallEvent.ts, CallEvent.id))
    async with engine.connect() as conn:
        return [MemberRow(ts, k, a or "", q) for ts, k, a, q in (await conn.execute(stmt)).all()]


async def daily(engine: AsyncEngine, day: str, tz: ZoneInfo) -> LostReport:
    """The report of a local day (``YYYY-MM-DD``) from the stored facts."""
    d = dt.date.fromisoformat(day)
    prev, week = (d - dt.timedelta(days=1)).isoformat(), (d - dt.timedelta(days=7)).isoformat()
    rows = await facts_mod.load(engine, [day, prev, week])
    by_day: dict[str, list[CallFact]] = {day: [], prev: [], week: []}
    for f in rows:
        by_day[f.local_day].append(f)
    _, until = facts_mod.day_bounds(d, tz)
    return build(day, by_day[day], by_day[prev], by_day[week], await member_rows(engine, until), tz)
