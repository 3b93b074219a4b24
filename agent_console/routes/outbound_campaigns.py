"""A campaign's configuration over HTTP (the outbound page): read, create, edit, and the
campaign report as JSON and as a CSV download. Supervisor and admin; writes and exports are
audited.

A body is checked by :class:`outbound.campaign.CampaignConfig`, the same constructor the CLI
uses: its refusal names the field, and comes back as a 422 like pydantic's own (``loc``
``["body", field]``), worded in Chinese for a Chinese UI. A running campaign cannot be
edited (409: pause it first); a paused one takes the edit on its next start
(``outbound.service.edit_campaign``). The name cannot change: it is the campaign's key in
the call ids and the call-event log.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, NoReturn
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from agent_console.deps import ClientIp, Ctx, RequireRole, SessionDep
from agent_console.models import User
from agent_console.store import audit
from outbound.campaign import CampaignConfig, CampaignError, Mode, retry_rule
from outbound.compliance import DEFAULT_RETRIES
from outbound.models import OutboundCampaign
from outbound.pacing import DEFAULT_ABANDON_CAP
from outbound.report import CampaignReport, RecordRow, campaign_report
from outbound.service import (
    CampaignFigures,
    NoCampaign,
    campaign_row,
    config_of,
    create_campaign,
    edit_campaign,
    settings_of,
)

router = APIRouter(tags=["outbound"])
CampaignAdmin = Annotated[User, Depends(RequireRole("supervisor", "admin"))]
BOM = "\ufeff"  # Excel opens a CSV as UTF-8 (Chinese names intact) only with it


class RetryIn(BaseModel):
    """Dial a record again ``after_s`` seconds after a ``result``, at most ``max_retries`` times."""

    model_config = ConfigDict(extra="forbid")
    result: str = Field(max_length=16)
    after_s: float
    max_retries: int


class CampaignBody(BaseModel):
    """Everything but the name (``PUT``). ``abandon_cap``: a fraction (0.03 = 3 %), for
    predictive campaigns; ``max_total``: attempts per record in all (null: only the retry
    rules bound them); ``amd``: off, hangup, message (``amd_message`` the prompt), agent."""

    model_config = ConfigDict(extra="forbid")
    mode: Mode
    queue: str = Field(max_length=64)
    caller_id: str = Field(max_length=32)
    hours: str = Field(default="09:00-21:00", max_length=32)
    max_per_day: int = 3
    max_total: int | None = None
    retries: list[RetryIn] = Field(default_factory=lambda: [
        RetryIn(result=r.value, after_s=rule.after_s, max_retries=rule.max_retries)
        for r, rule in DEFAULT_RETRIES.items()], max_length=10)
    dispositions: list[str] = Field(default_factory=lambda: ["done", "callback", "refused", "wrong_number"],
                                    max_length=50)
    script: str | None = None
    abandon_cap: float = DEFAULT_ABANDON_CAP
    amd: str = Field(default="off", max_length=16)
    amd_message: str | None = Field(default=None, max_length=128)


class CampaignIn(CampaignBody):
    name: str = Field(max_length=64)


class CampaignOut(CampaignIn):
    state: str
    created_at: float


class ReportOut(BaseModel):
    figures: CampaignFigures
    by_status: dict[str, int]
    by_result: dict[str, int]
    by_disposition: dict[str, int]
    records: list[RecordRow]


def _refuse(field: str | None, exc: CampaignError) -> NoReturn:
    """A 422 shaped like pydantic's, so the form puts the message by its field."""
    loc = ["body", field] if field else ["body"]
    raise RequestValidationError([{"type": "value_error", "loc": loc, "msg": str(exc), "input": None}])


def to_config(name: str, body: CampaignBody) -> CampaignConfig:
    """The body checked by the one implementation (the CLI's): 422 naming the field."""
    try:
        retries = dict(retry_rule(r.result, r.after_s, r.max_retries) for r in body.retries)
        return CampaignConfig(name, body.mode, body.queue.strip(), body.caller_id, hours=body.hours,
                              max_per_day=body.max_per_day, max_total=body.max_total, retries=retries,
                              dispositions=tuple(d.strip() for d in body.dispositions if d.strip()),
                              script=(body.script or "").strip() or None, abandon_cap=body.abandon_cap,
                              amd=body.amd, amd_message=(body.amd_message or "").strip() or None)
    except CampaignError as exc:
        _refuse(exc.field, exc)


def _out(row: OutboundCampaign) -> CampaignOut:
    cfg = config_of(row)
    return CampaignOut(
        name=row.name, state=row.state, created_at=row.created_at, mode=cfg.mode, queue=cfg.queue,
        caller_id=cfg.caller_id, hours=cfg.hours, max_per_day=cfg.max_per_day, max_total=cfg.max_total,
        retries=[RetryIn(result=r.value, after_s=rule.after_s, max_retries=rule.max_retries)
                 for r, rule in cfg.retries.items()],
        dispositions=list(cfg.dispositions), script=cfg.script, abandon_cap=cfg.abandon_cap, amd=cfg.amd,
        amd_message=cfg.amd_message)


def _http(exc: CampaignError) -> HTTPException:
    code = status.HTTP_404_NOT_FOUND if isinstance(exc, NoCampaign) else status.HTTP_409_CONFLICT
    return HTTPException(code, detail=str(exc))


@router.get("/api/outbound/campaigns/{name}", response_model=CampaignOut)
async def get_campaign(name: str, user: CampaignAdmin, session: SessionDep) -> CampaignOut:
    """The campaign's whole configuration and state (what the edit form starts from)."""
    try:
        return _out(await campaign_row(session, name))
    except CampaignError as exc:
        raise _http(exc) from exc


@router.post("/api/outbound/campaigns", response_model=CampaignOut, status_code=status.HTTP_201_CREATED)
async def post_campaign(body: CampaignIn, user: CampaignAdmin, ctx: Ctx, session: SessionDep,
                        ip: ClientIp) -> CampaignOut:
    """Create a campaign (draft); add its list, then start it."""
    cfg = to_config(body.name.strip(), body)
    try:
        row = await create_campaign(session, cfg, ctx.clock.now())
    except CampaignError as exc:
        if exc.field == "queue":  # checked against the ACD's queues: a field error
            _refuse(exc.field, exc)
        raise _http(exc) from exc
    out = _out(row)
    await audit(session, now=ctx.clock.now(), actor=user.username, action="campaign_create", target=cfg.name,
                ip=ip, data=settings_of(config_of(row)))
    await session.commit()
    return out


@router.put("/api/outbound/campaigns/{name}", response_model=CampaignOut)
async def put_campaign(name: str, body: CampaignBody, user: CampaignAdmin, ctx: Ctx, session: SessionDep,
                       ip: ClientIp) -> CampaignOut:
    """Replace a draft or paused campaign's configuration (a paused one takes it on its next
    start); a running campaign is refused (409: pause it first), a stopped one too."""
    cfg = to_config(name, body)
    try:
        row, changed = await edit_campaign(session, cfg)
    except CampaignError as exc:
        if exc.field == "queue":  # checked against the ACD's queues: a field error
            _refuse(exc.field, exc)
        raise _http(exc) from exc
    await audit(session, now=ctx.clock.now(), actor=user.username, action="campaign_edit", target=name,
                ip=ip, data={"changed": changed})
    await session.commit()
    return _out(row)


async def _report(name: str, ctx: Any) -> CampaignReport:
    try:
        return await campaign_report(ctx.engine, name, ctx.clock.now())
    except CampaignError as exc:
        raise _http(exc) from exc


@router.get("/api/outbound/campaigns/{name}/report", response_model=ReportOut)
async def report_json(name: str, user: CampaignAdmin, ctx: Ctx) -> dict[str, Any]:
    """The campaign report (``hotline outbound report``): figures, counts by status, last
    result and disposition, one row per record."""
    rep = await _report(name, ctx)
    return {"figures": rep.figures, "by_status": rep.by_status, "by_result": rep.by_result,
            "by_disposition": rep.by_disposition, "records": [asdict(r) for r in rep.records]}


@router.get("/api/outbound/campaigns/{name}/report.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
async def report_csv(name: str, user: CampaignAdmin, ctx: Ctx, session: SessionDep, ip: ClientIp) -> Response:
    """The report's records as CSV, UTF-8 with BOM (``next_at`` in the centre's time zone). Audited."""
    rep = await _report(name, ctx)
    await audit(session, now=ctx.clock.now(), actor=user.username, action="campaign_report_export",
                target=name, ip=ip, data={"records": len(rep.records)})
    await session.commit()
    filename = quote(f"campaign-{name}.csv")
    return Response(BOM + rep.to_csv(ctx.settings.timezone), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"campaign.csv\"; filename*=UTF-8''{filename}"})
