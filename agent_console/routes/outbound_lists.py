"""A campaign's contact list and the do-not-call lists over HTTP, for the outbound page:
the list's summary, a CSV upload into it, and do-not-call import / export (global, or a
campaign's own with ``?campaign=``). Supervisors and admins; every change is audited.

An upload is the file itself as the body (``Content-Type: text/csv``) or a form field
``file`` (``multipart/form-data``); it is read by ``outbound.lists``, the code the CLI uses,
and answered with the per-row report (row numbers are the file's lines)::

    {"encoding": "gb18030", "rows": 3, "imported": 2, "rejected": 1,
     "errors": [{"row": 3, "column": "number", "reason": "'12' has the wrong number ..."}]}

The reasons are in the UI's language (``Accept-Language``), through ``messages``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from agent_console.deps import ClientIp, Ctx, SessionDep
from agent_console.messages import to_chinese, wants_chinese
from agent_console.routes.outbound import CampaignAdmin
from agent_console.store import audit
from crm.csvio import CsvFileError
from outbound.campaign import CampaignError
from outbound.lists import (
    ListReport,
    ListSummary,
    export_dnc,
    import_contacts,
    import_dnc,
    list_summary,
)
from outbound.models import OutboundCampaign
from outbound.service import campaign_row

router = APIRouter(tags=["outbound"])
# The upload routes read the body themselves (raw CSV or a form's file); the schema says so.
CSV_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


def too_big(limit: int) -> str:
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{max(1, limit // 1024)} KB"
    return f"The file is larger than {size}; split it."


class RowErrorOut(BaseModel):
    row: int
    column: str
    reason: str


class ListReportOut(BaseModel):
    encoding: str
    rows: int
    imported: int
    rejected: int
    errors: list[RowErrorOut]


async def _campaign(session: AsyncSession, name: str) -> OutboundCampaign:
    try:
        return await campaign_row(session, name)
    except CampaignError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc


async def _upload(request: Request, limit: int) -> bytes:
    """The CSV of the request: a form's ``file`` field or the raw body, at most ``limit`` bytes
    (``ConsoleConfig.upload_max_bytes``); 413 past it, read no further than that."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:  # room for the form's own lines
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=too_big(limit))
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                detail="Send the CSV in a form field named file.")
        data = await file.read(limit + 1)
    else:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:  # refused below; not a truncated file taken for the whole
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        if size > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=too_big(limit))
    if len(data) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=too_big(limit))
    return data


def _answer(report: ListReport, request: Request) -> dict[str, Any]:
    out = report.as_dict()
    if wants_chinese(request.headers.get("accept-language")):
        for e in out["errors"]:  # type: ignore[attr-defined]
            e["reason"] = to_chinese(e["reason"])
    return out


def _file_error(exc: CsvFileError) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc))


def _audit_data(report: ListReport) -> dict[str, Any]:
    d = report.as_dict()
    return {"encoding": d["encoding"], "rows": d["rows"], "imported": d["imported"], "rejected": d["rejected"]}


@router.get("/api/outbound/campaigns/{name}/lists", response_model=ListSummary)
async def summary(name: str, user: CampaignAdmin, session: SessionDep) -> ListSummary:
    """The campaign's records by status; how many pending ones a do-not-call list refuses."""
    return await list_summary(session, await _campaign(session, name))


@router.post("/api/outbound/campaigns/{name}/lists/csv", response_model=ListReportOut, openapi_extra=CSV_BODY)
async def upload_list(name: str, request: Request, user: CampaignAdmin, ctx: Ctx, session: SessionDep,
                      ip: ClientIp) -> dict[str, Any]:
    """Add a CSV contact list (UTF-8 or GBK) to the campaign; bad rows reported, good rows kept."""
    camp = await _campaign(session, name)
    data = await _upload(request, ctx.config.upload_max_bytes)
    try:
        report = await import_contacts(session, camp, data)
    except CsvFileError as exc:
        raise _file_error(exc) from exc
    await audit(session, now=ctx.clock.now(), actor=user.username, action="campaign_list_csv", target=name,
                ip=ip, data=_audit_data(report))
    await session.commit()
    return _answer(report, request)


async def _dnc_target(session: AsyncSession, campaign: str | None) -> OutboundCampaign | None:
    return None if not campaign else await _campaign(session, campaign)


@router.post("/api/outbound/dnc", response_model=ListReportOut, openapi_extra=CSV_BODY)
async def upload_dnc(request: Request, user: CampaignAdmin, ctx: Ctx, session: SessionDep, ip: ClientIp,
                     campaign: str | None = None) -> dict[str, Any]:
    """Add do-not-call numbers (CSV, UTF-8 or GBK) to the global list, or with ``campaign``
    to that campaign's own; bad rows reported, good rows kept, a number once per list."""
    camp = await _dnc_target(session, campaign)
    data = await _upload(request, ctx.config.upload_max_bytes)
    try:
        report = await import_dnc(session, camp, data, ctx.clock.now())
    except CsvFileError as exc:
        raise _file_error(exc) from exc
    await audit(session, now=ctx.clock.now(), actor=user.username, action="dnc_import",
                target=campaign or "global", ip=ip, data=_audit_data(report))
    await session.commit()
    return _answer(report, request)


@router.get("/api/outbound/dnc.csv", response_class=Response)
async def download_dnc(user: CampaignAdmin, ctx: Ctx, session: SessionDep, ip: ClientIp,
                       campaign: str | None = None) -> Response:
    """The global (or ``campaign``'s own) do-not-call list as CSV; the upload reads it back."""
    camp = await _dnc_target(session, campaign)
    text = await export_dnc(session, camp, ZoneInfo(ctx.settings.timezone))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="dnc_export",
                target=campaign or "global", ip=ip)
    await session.commit()
    filename = f"dnc-{campaign}.csv" if campaign else "dnc-global.csv"
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

