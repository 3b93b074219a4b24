"""Reports over HTTP: the daily lost-call report, KPIs with formulas, win-back and the
callback worklist, exports (CSV / XLSX), and a rebuild of the per-call facts.

Centre-wide figures with callers' numbers: supervisors and admins only. Every export is
audited (who, which report, which days), like every other access to callers' data.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from acd.requests import CallbackRequest
from agent_console.deps import Ctx, RequireRole, SessionDep
from agent_console.models import User
from agent_console.store import audit, team_tree
from crm import phones
from outbound.campaign import callback_refusal
from reports import alarms, facts, kpi, lost, staffing, winback
from reports.export import Sheet, to_csv, to_xlsx
from reports.views import kpi_rows, kpi_sheets, lost_sheets, winback_sheets

router = APIRouter(prefix="/api/reports", tags=["reports"])
ReportUser = Annotated[User, Depends(RequireRole("supervisor", "admin"))]
CallbackUser = Annotated[User, Depends(RequireRole("agent", "team_lead", "supervisor", "admin"))]
Day = Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="local day, YYYY-MM-DD")]
MAX_DAYS = 93


def _tz(ctx: Ctx) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422,
                            detail=f"{text!r} is not a day; write it as YYYY-MM-DD.") from None


def _range(since: str, until: str | None) -> list[str]:
    a = _date(since)
    b = _date(until) if until else a
    if b < a:
        raise HTTPException(422, detail=f"The end day ({b}) is before the first day ({a}).")
    if (b - a).days >= MAX_DAYS:
        raise HTTPException(422,
                            detail=f"At most {MAX_DAYS} days at a time; ask for a shorter range.")
    return [(a + dt.timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


@router.get("/lost")
async def lost_report(user: ReportUser, ctx: Ctx, day: Day) -> dict[str, Any]:
    """The daily lost-call report (呼损) of a local day."""
    _date(day)
    return (await lost.daily(ctx.engine, day, _tz(ctx))).as_dict()


async def _kpi(ctx: Ctx, since: str, until: str | None, period: str, by: str,
               threshold: float, repeat_hours: float = 24.0) -> list[kpi.KpiRow]:
    return await kpi.kpi_table(ctx.engine, _range(since, until), period, by,
                               default_threshold=threshold, repeat_window_s=repeat_hours * 3600,
                               tz=_tz(ctx))


Period = Annotated[Literal["15", "30", "60", "day", "week", "month"], Query()]
By = Annotated[Literal["all", "queue", "agent", "skill"], Query()]
Variant = Annotated[Literal["answered", "offered", "offered_no_short", "abandon_within_ok",
                            "abandon_excluded"], Query()]
Threshold = Annotated[float, Query(gt=0, le=3600, description="service-level threshold T, s")]


@router.get("/kpi")
async def kpi_report(user: ReportUser, ctx: Ctx, since: Annotated[str, Query(alias="from")],
                     until: Annotated[str | None, Query(alias="to")] = None, period: Period = "60",
                     by: By = "all", sl: Variant = "offered", threshold: Threshold = 20.0,
                     repeat_hours: Annotated[float, Query(gt=0, le=24 * 31)] = 24.0) -> dict[str, Any]:
    """KPIs per period and key, each figure's formula, the SL variants to switch to."""
    rows = await _kpi(ctx, since, until, period, by, threshold, repeat_hours)
    return {"rows": kpi_rows(rows, sl), "formulas": kpi.formulas(sl, f"{threshold:g}"),
            "variants": [{"key": k, "formula_zh": zh, "formula_en": en}
                         for k, (zh, en, _) in kpi.SL_VARIANTS.items()],
            "leaderboard": kpi.leaderboard(rows, "answered", sl) if by == "agent" else []}


async def _winback(ctx: Ctx, since: str, until: str | None) -> dict[str, Any]:
    days = _range(since, until)
    tz = _tz(ctx)
    start, _ = facts.day_bounds(dt.date.fromisoformat(days[0]), tz)
    _, end = facts.day_bounds(dt.date.fromisoformat(days[-1]), tz)
    return await winback.analyse(ctx.engine, start, end, ctx.clock.now(),
                                  lambda n, at: callback_refusal(n, at, ctx.settings.callback_hours))


@router.get("/winback")
async def winback_report(user: ReportUser, ctx: Ctx, since: Annotated[str, Query(alias="from")],
                         until: Annotated[str | None, Query(alias="to")] = None) -> dict[str, Any]:
    """Recovery of lost callers per day, and the callback worklist (VIP first)."""
    res = await _winback(ctx, since, until)
    sheets = winback_sheets(res)
    return {"days": res["days"], "worklist": sheets[1].rows, "held": sheets[2].rows}


@router.get("/staffing")
async def staffing_plan(user: ReportUser, ctx: Ctx, day: Day,
                        interval: Annotated[int, Query(description="15, 30 or 60 minutes")] = 30,
                        target_sl: Annotated[float, Query(gt=0, lt=1)] = 0.8,
                        threshold: Threshold = 20.0,
                        shrinkage: Annotated[float, Query(ge=0, lt=1)] = 0.3,
                        weeks: Annotated[int, Query(ge=1, le=12)] = 4,
                        what_if_agents: Annotated[int | None, Query(ge=1, le=2000)] = None) -> dict[str, Any]:
    """Agents needed per interval (Erlang C / A with shrinkage) against agents logged in;
    with ``what_if_agents`` each busy interval is also run through the router (desim)."""
    _date(day)
    if interval not in (15, 30, 60):
        raise HTTPException(422, detail=f"The interval must be 15, 30 or 60 minutes, not {interval}.")
    p = await staffing.staffing(ctx.engine, day, _tz(ctx), interval, target_sl, threshold,
                                shrinkage, weeks)
    out = p.as_dict()
    if what_if_agents is not None:
        for r, row in zip(out["rows"], p.rows, strict=True):
            if row.forecast > 0:
                w = staffing.what_if(row, what_if_agents, interval, p.patience, threshold)
                r.update(what_if_agents=what_if_agents, what_if_sl=w.service_level,
                         what_if_abandon=w.abandon_rate)
    return out


@router.post("/rebuild")
async def rebuild(user: ReportUser, ctx: Ctx, session: SessionDep,
                  since: Annotated[str, Query(alias="from")],
                  until: Annotated[str | None, Query(alias="to")] = None) -> dict[str, Any]:
    """Derive the per-call facts of the days again from the call-event log."""
    tz = _tz(ctx)
    n = 0
    days = _range(since, until)
    for d in days:
        n += await facts.rebuild(ctx.engine, *facts.day_bounds(dt.date.fromisoformat(d), tz), tz)
    await audit(session, now=ctx.clock.now(), actor=user.username, action="reports.rebuild",
                target=f"{days[0]}..{days[-1]}")
    await session.commit()
    return {"days": len(days), "calls": n}


@router.get("/export")
async def export(user: ReportUser, ctx: Ctx, session: SessionDep,
                 report: Annotated[Literal["lost", "kpi", "winback"], Query()],
                 fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")],
                 since: Annotated[str, Query(alias="from")],
                 until: Annotated[str | None, Query(alias="to")] = None,
                 lang: Annotated[Literal["zh", "en"], Query()] = "zh",
                 sheet: Annotated[str | None, Query(max_length=32)] = None,
                 period: Period = "60", by: By = "all", sl: Variant = "offered",
                 threshold: Threshold = 20.0) -> Response:
    """A report as a file: XLSX with every sheet, or CSV of one sheet (``sheet``)."""
    days = _range(since, until)
    sheets: list[Sheet]
    if report == "lost":
        sheets = lost_sheets(await lost.daily(ctx.engine, days[0], _tz(ctx)))
    elif report == "kpi":
        sheets = kpi_sheets(await _kpi(ctx, since, until, period, by, threshold), sl,
                            f"{threshold:g}", lang)
    else:
        sheets = winback_sheets(await _winback(ctx, since, until))
    if sheet is not None:
        chosen = [s for s in sheets if s.title == sheet]
        if not chosen:
            raise HTTPException(422,
                                detail=f"There is no sheet {sheet!r}; pick one of {', '.join(s.title for s in sheets)}.")
        sheets = chosen
    name = f"{report}-{days[0]}" + (f"-{days[-1]}" if len(days) > 1 else "")
    await audit(session, now=ctx.clock.now(), actor=user.username, action="reports.export",
                target=f"{name}.{fmt}")
    await session.commit()
    if fmt == "xlsx":
        body = to_xlsx(sheets, lang)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = to_csv(sheets[0], lang)
        media = "text/csv; charset=utf-8"
        name += f"-{sheets[0].title}"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


class AlarmRuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    queue: str = Field(default="*", min_length=1, max_length=64, pattern=r"^(\*|[A-Za-z0-9_.-]+)$")
    metric: Literal["waiting", "longest_wait", "sl_30min", "abandon_rate_30min", "arrivals_over_forecast"]
    threshold: float = Field(ge=0, le=1_000_000)
    threshold_s: float = Field(default=20.0, gt=0, le=3600)
    min_calls: int = Field(default=5, ge=0, le=100_000)
    enabled: bool = True


@router.get("/alarm-rules")
async def alarm_rules(user: ReportUser, ctx: Ctx) -> list[dict[str, Any]]:
    """The traffic alarm rules (话务预警), each with its metric's name and comparison."""
    return [r.as_dict() for r in await alarms.load_rules(ctx.engine)]


@router.post("/alarm-rules", status_code=201)
async def add_alarm_rule(user: ReportUser, ctx: Ctx, session: SessionDep, body: AlarmRuleIn) -> dict[str, Any]:
    """A new rule; the watch picks it up at its next evaluation."""
    if body.metric in ("sl_30min", "abandon_rate_30min") and body.threshold > 1:
        raise HTTPException(422, detail="A rate threshold is a share between 0 and 1, e.g. 0.8 for 80 %.")
    row = alarms.AlarmRuleRow(**body.model_dump(), created_by=user.username, created_at=ctx.clock.now())
    session.add(row)
    await session.flush()
    await audit(session, now=ctx.clock.now(), actor=user.username, action="reports.alarm_rule.add",
                target=str(row.id), to_value=f"{body.queue} {body.metric} {body.threshold}")
    await session.commit()
    return alarms.Rule(row.id, row.name, row.queue, row.metric, row.threshold, row.threshold_s,
                       row.min_calls, row.enabled).as_dict()


@router.delete("/alarm-rules/{rule_id}")
async def delete_alarm_rule(user: ReportUser, ctx: Ctx, session: SessionDep,
                            rule_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> dict[str, Any]:  # a BigId
    found = (await session.execute(select(alarms.AlarmRuleRow.id).where(
        alarms.AlarmRuleRow.id == rule_id))).scalar_one_or_none()
    if found is None:
        raise HTTPException(404, detail=f"There is no alarm rule {rule_id}.")
    await session.execute(delete(alarms.AlarmRuleRow).where(alarms.AlarmRuleRow.id == rule_id))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="reports.alarm_rule.delete",
                target=str(rule_id))
    await session.commit()
    return {"ok": True}


@router.get("/alarms")
async def alarm_history(user: ReportUser, ctx: Ctx, day: Day) -> list[dict[str, Any]]:
    """Alarms that rose that local day, and those still on, with when they rose and cleared."""
    _date(day)
    return await alarms.history_of(ctx.engine, *alarms.day_range(day, _tz(ctx)))


class CallbackIn(BaseModel):
    number: str = Field(min_length=3, max_length=32)
    queue: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    last_call_id: str | None = Field(default=None, max_length=64)
    customer_id: int | None = None
    priority: int = Field(default=5, ge=0, le=100)


@router.post("/winback/callback", status_code=202)
async def winback_callback(user: CallbackUser, ctx: Ctx, session: SessionDep,
                           body: CallbackIn) -> dict[str, Any]:
    """Call a lost caller back through the ACD: an agent of the queue is rung first, then
    the number; the attempt is written to the CRM interactions (kind ``callback``). When the
    callback is answered, the win-back report counts the caller as reached."""
    number = phones.try_normalize(body.number)
    if number is None:
        raise HTTPException(422, detail=f"{body.number!r} is not a phone number: use digits only.")
    body = body.model_copy(update={"number": number})
    refusal = callback_refusal(body.number, ctx.clock.now(), ctx.settings.callback_hours)
    if refusal:
        raise HTTPException(409, detail=f"Not now: {refusal}.")
    now = ctx.clock.now()
    cid = f"winback-{body.last_call_id or body.number}-{int(now)}"
    try:
        ctx.center.request_callback(CallbackRequest(call_id=cid, number=body.number, queue=body.queue,
                                                    requested_at=now, priority=body.priority,
                                                    customer_id=body.customer_id))
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    item = winback.WorkItem(body.number, body.last_call_id or cid, now, 1, body.queue,
                            customer_id=body.customer_id)
    iid = await winback.record_attempt(ctx.engine, item, user.username, now, "callback_requested",
                                       answered=False)
    await audit(session, now=now, actor=user.username, action="reports.winback.callback",
                target=body.number, data={"queue": body.queue, "call_id": cid})
    await session.commit()
    return {"call_id": cid, "interaction_id": iid}


@router.get("/leaderboard")
async def team_leaderboard(user: ReportUser, ctx: Ctx, session: SessionDep,
                           since: Annotated[str, Query(alias="from")],
                           until: Annotated[str | None, Query(alias="to")] = None,
                           level: Annotated[Literal["agent", "group_lead", "team_lead", "supervisor",
                                                    "manager"], Query()] = "agent",
                           kpi_key: Annotated[str, Query(alias="kpi", max_length=32)] = "answered",
                           sl: Variant = "offered", threshold: Threshold = 20.0,
                           ascending: bool = False) -> dict[str, Any]:
    """Ranked by one figure: agents, or the teams of one level of the hierarchy (centre >
    supervisor > team lead > group lead > agent), each team's figures over its whole subtree."""
    known = {k.key for k in kpi.KPIS} | {"service_level"}
    if kpi_key not in known:
        raise HTTPException(422, detail=f"Unknown figure {kpi_key!r}; use one of {', '.join(sorted(known))}.")
    rows = [r for r in await _kpi(ctx, since, until, "day", "agent", threshold) if r.key != "—"]
    if level != "agent":
        by_agent: dict[str, kpi.Counts] = {}
        for r in rows:
            by_agent.setdefault(r.key, kpi.Counts()).add(r.counts)
        rows = []
        for node in await team_tree(session):
            if node.level != level:
                continue
            c = kpi.Counts()
            for a in sorted(node.agents):
                if a in by_agent:
                    c.add(by_agent[a])
            rows.append(kpi.KpiRow("", node.name, c))
    return {"level": level, "kpi": kpi_key,
            "rows": kpi.leaderboard(rows, kpi_key, sl, reverse=not ascending)}


class WhatIfIn(BaseModel):
    calls_per_hour: float = Field(gt=0, le=100_000)
    aht: float = Field(default=180.0, gt=0, le=36_000)
    patience: float | None = Field(default=120.0, gt=0, le=36_000)
    groups: str = Field(min_length=1, max_length=2000, description="billing:5,zh:3=4; billing:5=8")
    mix: str = Field(min_length=1, max_length=2000, description="billing=0.7; billing,zh=0.3")
    threshold: float = Field(default=20.0, gt=0, le=3600)


@router.post("/whatif")
async def what_if(user: ReportUser, body: WhatIfIn) -> dict[str, Any]:
    """A changed staffing or skills matrix run through the real router (reports.desim),
    overall and per call type."""
    try:
        return await asyncio.to_thread(staffing.what_if_matrix, body.calls_per_hour, body.aht,
                                       body.patience, body.groups, body.mix, body.threshold)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from None
