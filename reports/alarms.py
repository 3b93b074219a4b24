"""Traffic alarms (话务预警): rules the users define, evaluated on the call-event log,
stored with when each alarm rose and cleared.

A rule is (queue or ``*`` for every queue, metric, threshold). Metrics, all from the
call-event log of the last hours (never from live objects):

=======================  ======  ==========================================================
metric                   fires   value
=======================  ======  ==========================================================
waiting                  >       calls with an ENTERQUEUE and no verdict yet (CONNECT,
                                 TAKECALL, ABANDON, EXIT*, FULL) within the last 4 hours
longest_wait             >       now - the earliest ENTERQUEUE of those, seconds
sl_30min                 <       answered within T / (answered + abandoned + exits) of the
                                 calls decided in the last 30 min (T = ``threshold_s`` of
                                 the rule, default 20 s); needs ``min_calls`` decided calls
abandon_rate_30min       >       abandoned / decided in the last 30 min (``min_calls``)
arrivals_over_forecast   >       (ENTERQUEUEs of the last 30 min / forecast - 1) x 100, the
                                 forecast the same-weekday mean of the current 30-min
                                 interval over 4 weeks (:mod:`reports.staffing`); needs a
                                 forecast of at least ``min_calls``
=======================  ======  ==========================================================

An alarm is keyed by (rule, queue). :class:`AlarmWatch` evaluates every ``interval_s``;
a key that starts to hold is written to ``report_alarm_events`` with ``raised_at`` and its
value, a key that stops holding gets ``cleared_at``; ``peak`` keeps the worst value seen.
Open alarms are read back at start, so a restart neither repeats nor loses them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Float, Index, Integer, String, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from hotline import kinds
from hotline.clock import Clock
from hotline.db import Base, BigId, CallEvent
from reports import facts as facts_mod
from reports.staffing import forecast_same_weekday, history

log = logging.getLogger(__name__)

METRICS: dict[str, tuple[str, str, str]] = {  # metric -> (zh, en, comparison)
    "waiting": ("排队人数", "Callers waiting", ">"),
    "longest_wait": ("最长等待 (秒)", "Longest wait (s)", ">"),
    "sl_30min": ("近 30 分钟服务水平", "Service level, last 30 min", "<"),
    "abandon_rate_30min": ("近 30 分钟放弃率", "Abandon rate, last 30 min", ">"),
    "arrivals_over_forecast": ("话务量超预测 (%)", "Arrivals above forecast (%)", ">"),
}
WINDOW_S = 1800.0
WAITING_HORIZON_S = 4 * 3600.0
_VERDICTS = frozenset({kinds.CONNECT, "TAKECALL", kinds.ABANDON, kinds.EXITWITHTIMEOUT,
                       kinds.EXITWITHKEY, kinds.EXITEMPTY, "FULL"})


class AlarmRuleRow(Base):
    __tablename__ = "report_alarm_rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    queue: Mapped[str] = mapped_column(String(64), nullable=False, default="*")
    metric: Mapped[str] = mapped_column(String(32), nullable=False)
    threshold: Mapped[float] = mapped_column(Float, nullable=False)
    threshold_s: Mapped[float] = mapped_column(Float, nullable=False, default=20.0)
    min_calls: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float, nullable=False)


class AlarmEventRow(Base):
    __tablename__ = "report_alarm_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(Integer, nullable=False)
    rule_name: Mapped[str] = mapped_column(String(128), nullable=False)
    queue: Mapped[str] = mapped_column(String(64), nullable=False)
    metric: Mapped[str] = mapped_column(String(32), nullable=False)
    threshold: Mapped[float] = mapped_column(Float, nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)  # when it rose
    peak: Mapped[float] = mapped_column(Float, nullable=False)
    raised_at: Mapped[float] = mapped_column(Float, nullable=False)
    cleared_at: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_report_alarm_events_raised", "raised_at"),
                      Index("ix_report_alarm_events_open", "cleared_at"))


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    name: str
    queue: str
    metric: str
    threshold: float
    threshold_s: float = 20.0
    min_calls: int = 5
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"Unknown metric {self.metric!r}; use one of {', '.join(METRICS)}.")
        if self.min_calls < 0 or self.threshold_s <= 0:
            raise ValueError("min_calls must be 0 or more and threshold_s positive.")

    def as_dict(self) -> dict[str, Any]:
        zh, en, op = METRICS[self.metric]
        return {"id": self.id, "name": self.name, "queue": self.queue, "metric": self.metric,
                "threshold": self.threshold, "threshold_s": self.threshold_s,
                "min_calls": self.min_calls, "enabled": self.enabled, "op": op,
                "metric_zh": zh, "metric_en": en}


@dataclass(frozen=True, slots=True)
class QueueFigures:
    waiting: int = 0
    longest_wait: float = 0.0
    decided: int = 0  # in the window
    answered_within: Mapping[float, int] | None = None  # threshold -> count
    abandoned: int = 0
    arrivals: int = 0
    forecast: float | None = None


@dataclass(frozen=True, slots=True)
class Alarm:
    rule: Rule
    queue: str
    value: float

    @property
    def key(self) -> tuple[int, str]:
        return (self.rule.id, self.queue)

    def as_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "kind": self.rule.metric, "rule": self.rule.name,
                "rule_id": self.rule.id, "value": round(self.value, 4),
                "threshold": self.rule.threshold, "op": METRICS[self.rule.metric][2]}


def figures_from_rows(rows: Iterable[tuple[str, float, str, str | None, Mapping[str, Any]]],
                      now: float, thresholds: Sequence[float]) -> dict[str, QueueFigures]:
    """Per queue, from (call_id, ts, kind, queue, data) rows of the last hours (pure)."""
    entered: dict[str, tuple[str, float]] = {}
    verdict: dict[str, tuple[str, float, Mapping[str, Any]]] = {}
    for cid, ts, kind, queue, data in sorted(rows, key=lambda r: r[1]):
        if ts > now:
            continue
        if kind == kinds.ENTERQUEUE and queue:
            entered.setdefault(cid, (queue, ts))
            verdict.pop(cid, None)  # a re-queued call (overflow, transfer to a queue) waits again
        elif kind in _VERDICTS:
            verdict[cid] = (kind, ts, data)
    acc: dict[str, dict[str, Any]] = {}
    for cid, (queue, t_in) in entered.items():
        a = acc.setdefault(queue, {"waiting": 0, "oldest": None, "decided": 0, "abandoned": 0,
                                   "arrivals": 0, "within": dict.fromkeys(thresholds, 0)})
        if t_in > now - WINDOW_S:
            a["arrivals"] += 1
        v = verdict.get(cid)
        if v is None:
            if t_in > now - WAITING_HORIZON_S:
                a["waiting"] += 1
                a["oldest"] = t_in if a["oldest"] is None else min(a["oldest"], t_in)
            continue
        kind, ts, data = v
        if ts <= now - WINDOW_S:
            continue
        a["decided"] += 1
        if kind == kinds.ABANDON:
            a["abandoned"] += 1
        elif kind in (kinds.CONNECT, "TAKECALL"):
            hold = data.get("holdtime")
            wait = float(hold) if isinstance(hold, (int, float)) else ts - t_in
            for th in thresholds:
                if wait <= th:
                    a["within"][th] += 1
    return {q: QueueFigures(a["waiting"], now - a["oldest"] if a["oldest"] is not None else 0.0,
                            a["decided"], a["within"], a["abandoned"], a["arrivals"])
            for q, a in acc.items()}


def value_of(rule: Rule, f: QueueFigures) -> float | None:
    """The rule's metric on a queue's figures; None when there is not enough to judge."""
    m = rule.metric
    if m == "waiting":
        return float(f.waiting)
    if m == "longest_wait":
        return f.longest_wait
    if m in ("sl_30min", "abandon_rate_30min"):
        if f.decided < max(1, rule.min_calls):
            return None
        if m == "abandon_rate_30min":
            return f.abandoned / f.decided
        return (f.answered_within or {}).get(rule.threshold_s, 0) / f.decided
    if f.forecast is None or f.forecast < max(1, rule.min_calls):
        return None
    return (f.arrivals / f.forecast - 1) * 100


def evaluate(rules: Sequence[Rule], figures: Mapping[str, QueueFigures]) -> dict[tuple[int, str], Alarm]:
    out: dict[tuple[int, str], Alarm] = {}
    for r in rules:
        if not r.enabled:
            continue
        for q in ([r.queue] if r.queue != "*" else sorted(figures)):
            f = figures.get(q)
            if f is None:
                continue
            v = value_of(r, f)
            if v is None:
                continue
            fires = v < r.threshold if METRICS[r.metric][2] == "<" else v > r.threshold
            if fires:
                a = Alarm(r, q, v)
                out[a.key] = a
    return out


# --- the database ----------------------------------------------------------------------

def _rule(r: AlarmRuleRow) -> Rule:
    return Rule(r.id, r.name, r.queue, r.metric, r.threshold, r.threshold_s, r.min_calls, r.enabled)


async def load_rules(engine: AsyncEngine) -> list[Rule]:
    async with engine.connect() as conn:
        res = await conn.execute(select(AlarmRuleRow).order_by(AlarmRuleRow.id))
        return [_rule(r) for r in res.all()]  # type: ignore[arg-type]


async def live_figures(engine: AsyncEngine, now: float, tz: ZoneInfo,
                       rules: Sequence[Rule]) -> dict[str, QueueFigures]:
    wanted = sorted(_VERDICTS | {kinds.ENTERQUEUE})
    stmt = (select(CallEvent.call_id, CallEvent.ts, CallEvent.kind, CallEvent.queue, CallEvent.data)
            .where(CallEvent.ts > now - WAITING_HORIZON_S, CallEvent.ts <= now,
                   CallEvent.kind.in_(wanted)))
    async with engine.connect() as conn:
        rows = [(c, t, k, q, d or {}) for c, t, k, q, d in (await conn.execute(stmt)).all()]
    figs = figures_from_rows(rows, now, sorted({r.threshold_s for r in rules} | {20.0}))
    if any(r.metric == "arrivals_over_forecast" and r.enabled for r in rules):
        local = dt.datetime.fromtimestamp(now, tz)
        day = local.date()
        slot = (local.hour * 60 + local.minute) // 30
        days = [(day - dt.timedelta(days=7 * w)).isoformat() for w in range(1, 5)]
        for q in set(figs) | {r.queue for r in rules if r.queue != "*"}:
            hist = await history(engine, days, 30, q)
            fc = forecast_same_weekday({k: [float(x.offered) for x in v] for k, v in hist.items()},
                                       day.isoformat())
            base = figs.get(q, QueueFigures())
            figs[q] = QueueFigures(base.waiting, base.longest_wait, base.decided, base.answered_within,
                                   base.abandoned, base.arrivals, fc[slot] if fc else None)
    return figs


OnChange = Callable[[list[Alarm], list[Alarm]], Awaitable[None] | None]


class AlarmWatch:
    """Evaluate the rules every ``interval_s``; store and announce what rose and cleared."""

    def __init__(self, engine: AsyncEngine, clock: Clock, tz: ZoneInfo, interval_s: float = 15.0,
                 on_change: OnChange | None = None) -> None:
        self.engine, self.clock, self.tz = engine, clock, tz
        self.interval_s = interval_s
        self.on_change = on_change
        self.active: dict[tuple[int, str], Alarm] = {}
        self._open: dict[tuple[int, str], int] = {}  # key -> event row id
        self._loaded = False

    async def _load_open(self, rules: Sequence[Rule]) -> None:
        by_id = {r.id: r for r in rules}
        async with self.engine.connect() as conn:
            res = await conn.execute(select(AlarmEventRow).where(AlarmEventRow.cleared_at.is_(None)))
            for e in res.all():
                rule = by_id.get(e.rule_id)
                if rule is not None:
                    a = Alarm(rule, e.queue, e.value)
                    self.active[a.key] = a
                    self._open[a.key] = e.id
        self._loaded = True

    async def tick(self) -> tuple[list[Alarm], list[Alarm]]:
        """One evaluation: (raised, cleared)."""
        rules = await load_rules(self.engine)
        if not self._loaded:
            await self._load_open(rules)
        now = self.clock.now()
        now_active = evaluate(rules, await live_figures(self.engine, now, self.tz, rules))
        raised = [a for k, a in now_active.items() if k not in self.active]
        cleared = [a for k, a in self.active.items() if k not in now_active]
        async with self.engine.begin() as conn:
            for a in raised:
                res = await conn.execute(insert(AlarmEventRow).values(
                    rule_id=a.rule.id, rule_name=a.rule.name, queue=a.queue, metric=a.rule.metric,
                    threshold=a.rule.threshold, value=a.value, peak=a.value, raised_at=now))
                self._open[a.key] = int(res.inserted_primary_key[0])  # type: ignore[index]
            for a in cleared:
                eid = self._open.pop(a.key, None)
                if eid is not None:
                    await conn.execute(update(AlarmEventRow).where(AlarmEventRow.id == eid)
                                       .values(cleared_at=now))
            for k, a in now_active.items():  # the worst value seen while it holds
                eid = self._open.get(k)
                if eid is not None and k not in {x.key for x in raised}:
                    worse = (AlarmEventRow.peak > a.value) if METRICS[a.rule.metric][2] == "<" \
                        else (AlarmEventRow.peak < a.value)
                    await conn.execute(update(AlarmEventRow).where(AlarmEventRow.id == eid, worse)
                                       .values(peak=a.value))
        self.active = now_active
        if (raised or cleared) and self.on_change is not None:
            r = self.on_change(raised, cleared)
            if r is not None:
                await r
        return raised, cleared

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad rule or a database hiccup must not stop the watch
                log.exception("traffic alarm evaluation failed; retrying in %.0f s", self.interval_s)
            await asyncio.sleep(self.interval_s)


async def history_of(engine: AsyncEngine, since: float, until: float) -> list[dict[str, Any]]:
    """Alarms that rose in ``[since, until)`` or are still open, newest first."""
    async with engine.connect() as conn:
        res = await conn.execute(select(AlarmEventRow).where(
            ((AlarmEventRow.raised_at >= since) & (AlarmEventRow.raised_at < until))
            | AlarmEventRow.cleared_at.is_(None)).order_by(AlarmEventRow.raised_at.desc()))
        return [{"id": e.id, "rule_id": e.rule_id, "rule": e.rule_name, "queue": e.queue,
                 "metric": e.metric, "threshold": e.threshold, "value": e.value, "peak": e.peak,
                 "raised_at": e.raised_at, "cleared_at": e.cleared_at,
                 "duration_s": (e.cleared_at - e.raised_at) if e.cleared_at is not None else None}
                for e in res.all()]


def day_range(day: str, tz: ZoneInfo) -> tuple[float, float]:
    return facts_mod.day_bounds(dt.date.fromisoformat(day), tz)
