"""KPIs per interval (15 / 30 / 60 min), day, week and month, per queue or agent, with the
formula next to every figure (zh and en).

One SQL ``GROUP BY`` over ``report_call_facts`` gives additive counts per (local day,
interval, key); days, ISO weeks and months are sums of days, so every period is built
from the same counts and the totals always add up. The figures are ratios of those counts
(:data:`KPIS`); the text of each formula is printed from the same table the code computes
from, so the two cannot drift.

Counts (a call is counted in the interval its first row falls in):

===================  ====================================================================
offered              calls that entered a queue (``entered`` not NULL)
answered             offered calls whose fate is ``answered``
abandoned            offered calls whose fate is short / ring / queue abandon
short_abandoned      abandoned with wait < short threshold (``short_abandon``)
answered_within      answered with wait <= the queue's service-level threshold T
abandoned_within     abandoned with wait <= T
wait_answered        sum of the waits of answered calls
max_wait             longest wait of an offered call
talk / hold / wrap   sums over answered calls
transferred          answered calls that were transferred
repeat               calls from a number that called within the repeat window before
with_number          calls with a caller number
logged_s / paused_s  agents' logged-in and on-break seconds in the interval, from the
                     ADDMEMBER / REMOVEMEMBER / PAUSE / UNPAUSE rows (per agent and for
                     all; a queue has none: an agent's time is not split between queues)
survey_sum / _n      post-call survey scores (``ivr_survey_answers``) of the interval's calls
===================  ====================================================================

Handle time counts in the interval the call started in (as offered calls do); occupancy
of a 15-minute interval with a long call in it can therefore exceed 100 %, over a day it
does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, and_, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import kinds
from ivr.models import IvrSurveyAnswer
from reports import facts as facts_mod
from reports.facts import ABANDON_FATES, CallFactRow
from reports.lost import MemberRow, member_rows

PERIODS = ("15", "30", "60", "day", "week", "month")
DIMENSIONS = ("all", "queue", "agent", "skill")


@dataclass(slots=True)
class Counts:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within: int = 0
    abandoned_within: int = 0
    wait_answered: float = 0.0
    max_wait: float = 0.0
    talk: float = 0.0
    hold: float = 0.0
    wrap: float = 0.0
    transferred: int = 0
    repeat: int = 0
    with_number: int = 0
    logged_s: float = 0.0  # agents' logged-in time (all or agent; not per queue)
    paused_s: float = 0.0  # of which on break (paused)
    survey_sum: float = 0.0
    survey_n: int = 0

    def add(self, o: Counts) -> None:
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(o, f.name)
            setattr(self, f.name, max(a, b) if f.name == "max_wait" else a + b)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


@dataclass(frozen=True, slots=True)
class Kpi:
    key: str
    zh: str
    en: str
    formula_zh: str
    formula_en: str
    fn: Callable[[Counts], float | None]
    unit: str = "%"  # "%" (a share) or "s"


KPIS: tuple[Kpi, ...] = (
    Kpi("offered", "呼入量", "Offered", "进入队列的呼叫数", "calls that entered a queue",
        lambda c: c.offered, ""),
    Kpi("answered", "接通量", "Answered", "坐席接听的呼叫数", "calls answered by an agent",
        lambda c: c.answered, ""),
    Kpi("abandoned", "放弃量", "Abandoned", "排队或振铃中挂机的呼叫数",
        "calls hung up while waiting or ringing", lambda c: c.abandoned, ""),
    Kpi("answer_rate", "接通率", "Answer rate", "接通量 / 呼入量", "answered / offered",
        lambda c: _ratio(c.answered, c.offered)),
    Kpi("abandon_rate", "放弃率", "Abandon rate", "放弃量 / 呼入量", "abandoned / offered",
        lambda c: _ratio(c.abandoned, c.offered)),
    Kpi("asa", "平均应答速度", "ASA", "接通呼叫的等待时长之和 / 接通量",
        "sum of waits of answered calls / answered", lambda c: _ratio(c.wait_answered, c.answered),
        "s"),
    Kpi("longest_wait", "最长等待", "Longest wait", "呼入呼叫中最长的等待时长",
        "longest wait of an offered call", lambda c: c.max_wait if c.offered else None, "s"),
    Kpi("aht", "平均处理时长", "AHT", "(通话 + 保持 + 话后处理) / 接通量",
        "(talk + hold + wrap-up) / answered",
        lambda c: _ratio(c.talk + c.hold + c.wrap, c.answered), "s"),
    Kpi("att", "平均通话时长", "Average talk", "通话时长之和 / 接通量", "talk / answered",
        lambda c: _ratio(c.talk, c.answered), "s"),
    Kpi("transfer_rate", "转接率", "Transfer rate", "被转接的接通呼叫 / 接通量",
        "answered calls transferred / answered", lambda c: _ratio(c.transferred, c.answered)),
    Kpi("occupancy", "占用率", "Occupancy", "(通话 + 保持 + 话后处理) / (签入时长 - 小休时长)",
        "(talk + hold + wrap-up) / (logged-in time - break time)",
        lambda c: _ratio(c.talk + c.hold + c.wrap, c.logged_s - c.paused_s)),
    Kpi("utilisation", "利用率", "Utilisation", "(通话 + 保持 + 话后处理) / 签入时长",
        "(talk + hold + wrap-up) / logged-in time",
        lambda c: _ratio(c.talk + c.hold + c.wrap, c.logged_s)),
    Kpi("survey", "满意度均分", "Survey score", "满意度评分之和 / 评分个数",
        "sum of survey scores / survey answers", lambda c: _ratio(c.survey_sum, c.survey_n), ""),
    Kpi("repeat_rate", "重复来电率", "Repeat-call rate",
        "重复窗口内再次来电的呼叫 / 有主叫号码的呼叫",
        "calls from a number that called within the repeat window before / calls with a number",
        lambda c: _ratio(c.repeat, c.with_number)),
)

# Service level: the share of calls handled within T. Which calls count is a choice the
# manager makes; every variant is offered and named with its formula.
SL_VARIANTS: dict[str, tuple[str, str, Callable[[Counts], float | None]]] = {
    "answered": ("T 秒内接通 / 接通量", "answered within T s / answered",
                 lambda c: _ratio(c.answered_within, c.answered)),
    "offered": ("T 秒内接通 / 呼入量", "answered within T s / offered",
                lambda c: _ratio(c.answered_within, c.offered)),
    "offered_no_short": ("T 秒内接通 / (呼入量 - 短时放弃)",
                         "answered within T s / (offered - short abandons)",
                         lambda c: _ratio(c.answered_within, c.offered - c.short_abandoned)),
    "abandon_within_ok": ("(T 秒内接通 + T 秒内放弃) / 呼入量",
                          "(answered within T s + abandoned within T s) / offered",
                          lambda c: _ratio(c.answered_within + c.abandoned_within, c.offered)),
    "abandon_excluded": ("T 秒内接通 / (呼入量 - T 秒内放弃)",
                         "answered within T s / (offered - abandoned within T s)",
                         lambda c: _ratio(c.answered_within, c.offered - c.abandoned_within)),
}


@dataclass(frozen=True, slots=True)
class KpiRow:
    period: str  # "2026-12-05 09:15", "2026-12-05", "2026-W49", "2026-12"
    key: str  # queue / agent / "all"
    counts: Counts

    def figures(self, sl_variant: str = "offered") -> dict[str, float | None]:
        out = {k.key: k.fn(self.counts) for k in KPIS}
        out["service_level"] = SL_VARIANTS[sl_variant][2](self.counts)
        return out


def formulas(sl_variant: str = "offered", threshold: str = "T") -> list[dict[str, str]]:
    """Every figure with its formula, in the order of the table."""
    out = [{"key": k.key, "zh": k.zh, "en": k.en, "formula_zh": k.formula_zh,
            "formula_en": k.formula_en, "unit": k.unit} for k in KPIS]
    zh, en, _ = SL_VARIANTS[sl_variant]
    out.append({"key": "service_level", "zh": "服务水平", "en": "Service level",
                "formula_zh": zh.replace("T", threshold), "formula_en": en.replace("T", threshold),
                "unit": "%"})
    return out


def _period(day: str, bucket: int, period: str) -> str:
    if period in ("15", "30", "60"):
        m = bucket * int(period)
        return f"{day} {m // 60:02d}:{m % 60:02d}"
    if period == "day":
        return day
    d = dt.date.fromisoformat(day)
    if period == "week":
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}"
    return day[:7]


async def kpi_table(engine: AsyncEngine, days: Sequence[str], period: str = "60",
                    by: str = "all", thresholds: Mapping[str, float] | None = None,
                    default_threshold: float = 20.0,
                    repeat_window_s: float = 24 * 3600.0, tz: ZoneInfo | None = None) -> list[KpiRow]:
    """KPI counts per period and key for the given local days (one SQL pass)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {', '.join(DIMENSIONS)}, not {by!r}")
    inner = CallFactRow  # one pass over the facts, no subquery
    t_expr: Any = default_threshold
    if thresholds:
        t_expr = case(*[(inner.queue == q, float(t)) for q, t in thresholds.items()],
                      else_=default_threshold)
    offered = inner.entered.is_not(None)
    answered = and_(offered, inner.fate == "answered")
    abandoned = and_(offered, inner.fate.in_(sorted(ABANDON_FATES)))
    wait = func.coalesce(inner.wait, 0.0)

    def n(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    def s(cond: Any, col: Any) -> Any:
        return func.sum(case((cond, cast(col, Float)), else_=0.0))

    minutes = 1440 if period not in ("15", "30", "60") else int(period)
    bucket = inner.local_minute // minutes
    key: Any = {"all": literal("all"), "queue": func.coalesce(inner.queue, "—"),
                "agent": func.coalesce(inner.agent, "—"), "skill": func.coalesce(inner.skills, "—")}[by]
    stmt = (select(inner.local_day, bucket.label("bucket"), key.label("k"),
                   n(offered), n(answered), n(abandoned),
                   n(and_(abandoned, inner.fate == "short_abandon")),
                   n(and_(answered, wait <= t_expr)), n(and_(abandoned, wait <= t_expr)),
                   s(answered, wait), func.max(case((offered, wait), else_=0.0)),
                   s(answered, inner.talk), s(answered, inner.hold), s(answered, inner.wrap),
                   n(and_(answered, inner.transferred.is_(True))),
                   n(and_(inner.prev_start.is_not(None),
                          inner.start - inner.prev_start <= repeat_window_s)),
                   n(inner.caller.is_not(None)))
            .where(inner.local_day.in_(list(days)))
            .group_by(inner.local_day, bucket, key))
    acc: dict[tuple[str, str], Counts] = {}

    def put(day: str, b: int, k: str, c: Counts) -> None:
        # per skill: the key is the set a call asked for (",billing,zh,"); a call counts
        # under each of its skills, so the skills' offered add up to more than the calls
        for one in ([x for x in k.split(",") if x] or ["—"]) if by == "skill" else [k]:
            pkey = (_period(day, b, period), one)
            if pkey in acc:
                acc[pkey].add(c)
            else:
                acc[pkey] = Counts(**{f.name: getattr(c, f.name) for f in fields(c)})

    survey_key = key
    surveys = (select(inner.local_day, bucket, survey_key, func.sum(IvrSurveyAnswer.score),
                      func.count(IvrSurveyAnswer.id))
               .join(IvrSurveyAnswer, IvrSurveyAnswer.call_id == inner.call_id)
               .where(inner.local_day.in_(list(days))).group_by(inner.local_day, bucket, survey_key))
    async with engine.connect() as conn:
        for row in (await conn.execute(stmt)).all():
            day, b, k, *vals = row
            put(day, int(b or 0), str(k), Counts(*(v or 0 for v in vals)))
        for day, b, k, total, n_answers in (await conn.execute(surveys)).all():
            put(day, int(b or 0), str(k), Counts(survey_sum=float(total or 0), survey_n=int(n_answers or 0)))
    if by in ("all", "agent") and tz is not None:
        ends = [facts_mod.day_bounds(dt.date.fromisoformat(d), tz)[1] for d in days]
        members = await member_rows(engine, max(ends)) if ends else []
        for (day, b, agent), (logged, paused) in agent_seconds(members, days, minutes, tz).items():
            put(day, b, "all" if by == "all" else agent, Counts(logged_s=logged, paused_s=paused))
    return [KpiRow(p, k, acc[(p, k)]) for p, k in sorted(acc)]


def agent_seconds(members: Sequence[MemberRow], days: Sequence[str], minutes: int,
                  tz: ZoneInfo) -> dict[tuple[str, int, str], tuple[float, float]]:
    """(day, bucket, agent) -> (logged-in s, paused s) from the member rows (pure). An agent
    is logged in while in at least one queue, paused between PAUSE and UNPAUSE."""
    spans: dict[str, list[tuple[float, float, bool]]] = {}  # agent -> (from, to, paused)
    queues: dict[str, set[str]] = {}
    paused: set[str] = set()
    since: dict[str, tuple[float, bool]] = {}  # agent -> (start of the current span, paused)
    for m in sorted(members, key=lambda r: r.ts):
        a = m.agent
        was_in, was_paused = bool(queues.get(a)), a in paused
        if m.kind == kinds.ADDMEMBER:
            queues.setdefault(a, set()).add(m.queue or "")
        elif m.kind == kinds.REMOVEMEMBER:
            queues.get(a, set()).discard(m.queue or "")
        elif m.kind == kinds.PAUSE:
            paused.add(a)
        elif m.kind == kinds.UNPAUSE:
            paused.discard(a)
        now_in = bool(queues.get(a))
        if not now_in:
            paused.discard(a)
        now_paused = a in paused
        if (was_in, was_paused) != (now_in, now_paused):
            if was_in:
                start, p = since.pop(a)
                spans.setdefault(a, []).append((start, m.ts, p))
            if now_in:
                since[a] = (m.ts, now_paused)
    out: dict[tuple[str, int, str], tuple[float, float]] = {}
    for d in days:
        lo, hi = facts_mod.day_bounds(dt.date.fromisoformat(d), tz)
        open_spans = [(a, (t0, hi, p)) for a, (t0, p) in since.items()]
        for a, span in [(a, x) for a, xs in spans.items() for x in xs] + open_spans:
            t0, t1, p = max(span[0], lo), min(span[1], hi), span[2]
            while t0 < t1:
                b = int((t0 - lo) // (minutes * 60))
                edge = min(t1, lo + (b + 1) * minutes * 60)
                logged, pz = out.get((d, b, a), (0.0, 0.0))
                out[(d, b, a)] = (logged + edge - t0, pz + (edge - t0 if p else 0.0))
                t0 = edge
    return out


def leaderboard(rows: Sequence[KpiRow], kpi: str = "answered", sl_variant: str = "offered",
                reverse: bool = True) -> list[dict[str, Any]]:
    """Agents (or queues) ranked by one figure over all the periods given."""
    tot: dict[str, Counts] = {}
    for r in rows:
        tot.setdefault(r.key, Counts()).add(r.counts)
    ranked: list[tuple[float | None, str, dict[str, float | None]]] = []
    for key, c in tot.items():
        fig = KpiRow("", key, c).figures(sl_variant)
        ranked.append((fig[kpi], key, fig))
    has = sorted(((v, k, f) for v, k, f in ranked if v is not None),
                 key=lambda t: (-t[0] if reverse else t[0], t[1]))
    out: list[dict[str, Any]] = [{"rank": i + 1, "key": k, "value": v, **f}
                                 for i, (v, k, f) in enumerate(has)]
    return out + [{"rank": None, "key": k, "value": None, **f} for v, k, f in ranked if v is None]
