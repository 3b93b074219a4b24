"""Staffing per interval: arrivals forecast from history, AHT, then agents needed for a
target service level with Erlang C and Erlang A, shrinkage, and the agents logged in.

**Forecast.** The arrivals (offered calls) of an interval of day D come from
:mod:`reports.forecast`: the same-weekday mean over the ``weeks`` weeks before D, or
statsmodels' Holt-Winters on the daily totals when it did better on the 7 days before D
(``forecast_method`` and ``forecast_wape`` of the plan say which and why). AHT of the interval: (talk + hold + wrap-up) / answered
over those same days (the day's AHT where an interval had no answered call, 180 s where
there is none at all). :func:`backtest` scores the method on held-out days against the
naive "same as the day before" forecast, with WAPE = sum |forecast - actual| / sum actual.

**Patience** for Erlang A is estimated from the same days as the exponential maximum-
likelihood estimate over waits censored by answer: mean patience = (sum of the waits of
all offered calls) / (abandoned calls). With no abandons Erlang A is not used (callers
seemed never to leave: Erlang C).

**Agents.** Erlang C: the fewest N with SL(T) >= target. Erlang A: the fewest N whose
P(answered within T) over all callers >= target. **Required** = ceil(N / (1 - shrinkage))
of the chosen model (Erlang A when patience is known). **Logged in** = agents logged in at
the middle of the interval (from the member rows, :class:`reports.lost.AgentTimeline`),
for a day that has happened.

**What-if** (:func:`what_if`): the interval run in :mod:`reports.desim` (the real router)
with a given number of agents, for the SL, ASA and abandon rate it would have had.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reports import facts as facts_mod
from reports import forecast
from reports.desim import SimConfig, simulate
from reports.erlang import agents_needed, erlang_a
from reports.facts import ABANDON_FATES, CallFactRow
from reports.lost import AgentTimeline, member_rows

DEFAULT_AHT = 180.0


@dataclass(frozen=True, slots=True)
class IntervalHistory:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    handle: float = 0.0  # talk + hold + wrap of answered calls
    waits: float = 0.0  # sum of the waits of all offered calls


def forecast_same_weekday(history: Mapping[str, Sequence[float]], day: str,
                          weeks: int = 4) -> list[float] | None:
    """Per-interval forecast of ``day`` from ``history`` (local day -> values per interval):
    the mean over the same weekday of the ``weeks`` previous weeks that have data."""
    return forecast.same_weekday(history, day, weeks)


@dataclass(frozen=True, slots=True)
class Backtest:
    days: int
    wape_same_weekday: float | None
    wape_day_before: float | None


def backtest(history: Mapping[str, Sequence[float]], holdout: Sequence[str], weeks: int = 4) -> Backtest:
    """WAPE of the same-weekday method and of the day-before forecast on the held-out days."""
    err_sw = err_db = total = 0.0
    n = 0
    have_db = True
    for day in holdout:
        actual = history.get(day)
        f = forecast_same_weekday(history, day, weeks)
        if actual is None or f is None:
            continue
        prev = history.get((dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat())
        n += 1
        total += sum(actual)
        err_sw += sum(abs(a - b) for a, b in zip(f, actual, strict=True))
        if prev is None:
            have_db = False
        else:
            err_db += sum(abs(a - b) for a, b in zip(prev, actual, strict=True))
    if not n or total <= 0:
        return Backtest(n, None, None)
    return Backtest(n, err_sw / total, err_db / total if have_db else None)


def patience_of(h: Sequence[IntervalHistory]) -> float | None:
    waits, abandons = sum(x.waits for x in h), sum(x.abandoned for x in h)
    return waits / abandons if abandons else None


def erlang_a_agents(rate: float, aht: float, patience: float, target_sl: float, target_s: float) -> int:
    n = max(1, math.floor(rate * aht * 0.5))
    while erlang_a(rate, aht, n, patience, target_s).service_level < target_sl:
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class StaffingRow:
    slot: str  # "HH:MM"
    forecast: float  # calls in the interval
    aht: float
    erlang_c: int
    erlang_a: int | None
    required: int  # with shrinkage, of the chosen model
    logged_in: int | None
    actual: int | None  # offered calls, for a day that has happened

    @property
    def gap(self) -> int | None:
        return None if self.logged_in is None else self.logged_in - self.required


@dataclass
class StaffingPlan:
    day: str
    interval_min: int
    target_sl: float
    target_s: float
    shrinkage: float
    weeks: int
    patience: float | None
    model: str
    rows: list[StaffingRow] = field(default_factory=list)
    backtest: Backtest | None = None
    days_used: list[str] = field(default_factory=list)
    forecast_method: str = "same_weekday"
    forecast_wape: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("day", "interval_min", "target_sl", "target_s",
                                             "shrinkage", "weeks", "patience", "model", "days_used",
                                             "forecast_method", "forecast_wape")}
        d["rows"] = [{**asdict(r), "gap": r.gap} for r in self.rows]
        d["backtest"] = asdict(self.backtest) if self.backtest else None
        return d


def plan(day: str, history: Mapping[str, Sequence[IntervalHistory]], interval_min: int,
         target_sl: float = 0.8, target_s: float = 20.0, shrinkage: float = 0.3, weeks: int = 4,
         logged_in: Sequence[int] | None = None) -> StaffingPlan:
    """The plan of ``day`` from per-interval history (pure)."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be at least 0 and below 1, e.g. 0.3 for 30 %")
    slots = 1440 // interval_min
    d = dt.date.fromisoformat(day)
    used = [k for k in ((d - dt.timedelta(days=7 * w)).isoformat() for w in range(1, weeks + 1))
            if k in history and sum(x.offered for x in history[k]) > 0]
    arrivals = {k: [float(x.offered) for x in v] for k, v in history.items()}
    choice = forecast.choose(arrivals, day, weeks)
    fc = choice.forecast or [0.0] * slots
    past = [history[k] for k in used]
    flat = [x for h in past for x in h]
    patience = patience_of(flat)
    day_answered = sum(x.answered for x in flat)
    day_aht = sum(x.handle for x in flat) / day_answered if day_answered else DEFAULT_AHT
    out = StaffingPlan(day, interval_min, target_sl, target_s, shrinkage, weeks, patience,
                       "erlang_a" if patience else "erlang_c", days_used=used)
    actual = history.get(day)
    for i in range(slots):
        ans = sum(h[i].answered for h in past)
        aht = sum(h[i].handle for h in past) / ans if ans else day_aht
        rate = fc[i] / (interval_min * 60)
        a: int | None
        if rate <= 0:
            c, a = 0, 0
        else:
            c = agents_needed(rate, aht, target_sl, target_s)
            a = erlang_a_agents(rate, aht, patience, target_sl, target_s) if patience else None
        chosen = a if a is not None else c
        out.rows.append(StaffingRow(
            f"{i * interval_min // 60:02d}:{i * interval_min % 60:02d}", round(fc[i], 2), round(aht, 1),
            c, a if patience else None, math.ceil(chosen / (1 - shrinkage)) if chosen else 0,
            logged_in[i] if logged_in is not None else None,
            actual[i].offered if actual is not None else None))
    holdout = [(d - dt.timedelta(days=k)).isoformat() for k in range(1, 8)]
    out.backtest = backtest(arrivals, holdout, weeks)
    out.forecast_method = choice.method
    out.forecast_wape = choice.wape
    return out


async def history(engine: AsyncEngine, days: Sequence[str], interval_min: int,
                  queue: str | None = None) -> dict[str, list[IntervalHistory]]:
    """Per local day, the per-interval counts staffing needs (one GROUP BY)."""
    f = CallFactRow
    offered = f.entered.is_not(None)
    answered = and_(offered, f.fate == "answered")
    abandoned = and_(offered, f.fate.in_(sorted(ABANDON_FATES)))
    slot = f.local_minute // interval_min
    stmt = (select(f.local_day, slot, func.sum(case((offered, 1), else_=0)),
                   func.sum(case((answered, 1), else_=0)), func.sum(case((abandoned, 1), else_=0)),
                   func.sum(case((answered, f.talk + f.hold + f.wrap), else_=0.0)),
                   func.sum(case((offered, func.coalesce(f.wait, 0.0)), else_=0.0)))
            .where(f.local_day.in_(list(days))).group_by(f.local_day, slot))
    if queue is not None:
        stmt = stmt.where(f.queue == queue)
    slots = 1440 // interval_min
    out: dict[str, list[IntervalHistory]] = {}
    async with engine.connect() as conn:
        for day, s, o, a, ab, handle, waits in (await conn.execute(stmt)).all():
            row = out.setdefault(day, [IntervalHistory()] * slots)
            row[int(s)] = IntervalHistory(int(o or 0), int(a or 0), int(ab or 0), float(handle or 0),
                                          float(waits or 0))
    return out


async def staffing(engine: AsyncEngine, day: str, tz: ZoneInfo, interval_min: int = 30,
                   target_sl: float = 0.8, target_s: float = 20.0, shrinkage: float = 0.3,
                   weeks: int = 4, queue: str | None = None) -> StaffingPlan:
    if interval_min not in (15, 30, 60):
        raise ValueError("interval must be 15, 30 or 60 minutes")
    d = dt.date.fromisoformat(day)
    days = [(d - dt.timedelta(days=k)).isoformat() for k in range(0, 7 * weeks + 8)]
    hist = await history(engine, days, interval_min, queue)
    logged: list[int] | None = None
    start, end = facts_mod.day_bounds(d, tz)
    members = await member_rows(engine, end)
    if members and members[0].ts < end and day in hist:
        timeline = AgentTimeline(members, [])
        logged = []
        for i in range(1440 // interval_min):
            t = dt.datetime.combine(d, dt.time(), tz) + dt.timedelta(minutes=i * interval_min + interval_min / 2)
            logged.append(timeline.at(t.timestamp()).logged_in)
    return plan(day, hist, interval_min, target_sl, target_s, shrinkage, weeks, logged)


@dataclass(frozen=True, slots=True)
class WhatIf:
    slot: str
    agents: int
    service_level: float
    asa: float
    abandon_rate: float


def what_if(row: StaffingRow, agents: int, interval_min: int, patience: float | None,
            target_s: float = 20.0, seed: int = 1, replications: int = 20) -> WhatIf:
    """The interval's traffic through the real router (desim) with ``agents`` agents."""
    rate = row.forecast / (interval_min * 60)
    if rate <= 0 or agents < 1:
        return WhatIf(row.slot, agents, math.nan, math.nan, math.nan)
    res = simulate(SimConfig(arrival_rate=rate, aht=row.aht, agents=agents, patience=patience,
                             duration_s=interval_min * 60.0 * replications,
                             warmup_s=interval_min * 60.0, target_s=target_s, batches=10, seed=seed))
    return WhatIf(row.slot, agents, res.service_level.mean, res.asa.mean, res.p_abandon.mean)


# --- what-if on a skills matrix ---------------------------------------------------------

def parse_groups(text: str) -> tuple[tuple[tuple[tuple[str, int], ...], int], ...]:
    """``billing:5,zh:3=4; billing:5=8`` -> agent groups (skill:proficiency 1-10 = how many)."""
    out = []
    for part in [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]:
        skills, sep, count = part.rpartition("=")
        if not sep or not count.strip().isdigit() or int(count) < 1:
            raise ValueError(f"{part!r}: write skill:level,skill:level=agents, e.g. billing:5,zh:3=4")
        pairs = []
        for item in [x.strip() for x in skills.split(",") if x.strip()]:
            name, _, level = item.partition(":")
            lv = int(level) if level.strip().isdigit() else 5
            if not name or not 1 <= lv <= 10:
                raise ValueError(f"{item!r}: a skill is name:level with a level from 1 to 10")
            pairs.append((name.strip(), lv))
        if not pairs:
            raise ValueError(f"{part!r}: the group has no skill")
        out.append((tuple(sorted(pairs)), int(count)))
    if not out:
        raise ValueError("give at least one agent group, e.g. billing:5=8")
    return tuple(out)


def parse_mix(text: str) -> tuple[tuple[tuple[str, ...], float], ...]:
    """``billing=0.7; billing,zh=0.3`` -> the calls' mix (skills a call needs = share)."""
    out = []
    for part in [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]:
        skills, sep, share = part.rpartition("=")
        try:
            w = float(share)
        except ValueError:
            w = -1.0
        names = tuple(sorted(x.strip() for x in skills.split(",") if x.strip()))
        if not sep or w <= 0 or not names:
            raise ValueError(f"{part!r}: write skill,skill=share, e.g. billing,zh=0.3")
        out.append((names, w))
    if not out:
        raise ValueError("give at least one call type, e.g. billing=1")
    return tuple(out)


def what_if_matrix(calls_per_hour: float, aht: float, patience: float | None, groups_text: str,
                   mix_text: str, target_s: float = 20.0, seed: int = 1,
                   hours: float = 20.0) -> dict[str, Any]:
    """A changed skills matrix through the real router (desim): overall and per call type."""
    groups, mix = parse_groups(groups_text), parse_mix(mix_text)
    if calls_per_hour <= 0 or aht <= 0 or (patience is not None and patience <= 0):
        raise ValueError("calls per hour, AHT and patience must be positive")
    res = simulate(SimConfig(arrival_rate=calls_per_hour / 3600, aht=aht, agents=0, patience=patience,
                             duration_s=hours * 3600, warmup_s=1800, target_s=target_s, batches=10,
                             seed=seed, agent_groups=groups, call_mix=mix))
    types = []
    for k, c in sorted(res.by_mix.items()):
        types.append({"type": k, **c, "service_level": c["within"] / c["offered"] if c["offered"] else None,
                      "abandon_rate": c["abandoned"] / c["offered"] if c["offered"] else None})
    return {"agents": sum(n for _, n in groups), "calls_per_hour": calls_per_hour, "aht": aht,
            "patience": patience, "target_s": target_s, "offered": res.offered,
            "service_level": res.service_level.mean, "service_level_half_width": res.service_level.half_width,
            "asa": res.asa.mean, "abandon_rate": res.p_abandon.mean, "by_type": types}
