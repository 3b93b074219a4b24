"""Recordings over HTTP: search, playback with Range, the call's timeline.

Who sees what (the same rule as every other route, plus the QA role):

* ``qa``, ``supervisor``, ``admin``: every recording; only they may download
  (``?download=1``, served as an attachment).
* ``team_lead``: the recordings of the agents in the teams they lead (and below).
* ``agent``: their own recordings only (to hear the call an evaluation is about); a user
  without an agent id sees none.

URLs carry ids, never paths. The file is the row's store-relative path resolved inside the
recordings store (``recordings.store``): a row whose path was tampered with to leave the
store (``..``, absolute, a symlink out) is refused like a missing file. Every play or
download (each Range request an audio element makes), and every refused attempt, is a row
of the audit log: who, when, which recording, what.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select

from agent_console.deps import ClientIp, Ctx, CurrentUser, SessionDep
from agent_console.models import Team, TeamMember, User
from agent_console.scope import Scope, subtree
from agent_console.store import audit, scope_for
from hotline.db import CallEvent
from qa.models import QaAudioMetrics
from qa.ranges import RangeNotSatisfiable, parse_range
from recordings.models import Recording
from recordings.store import RecordingPathError, RecordingStore

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/recordings", tags=["recordings"])
ALL_RECORDINGS_ROLES = frozenset({"qa", "supervisor", "admin"})
DOWNLOAD_ROLES = ALL_RECORDINGS_ROLES
TIMELINE_KINDS = ("CHAN_START", "ANSWER", "CONNECT", "BRIDGE", "UNBRIDGE", "HOLD", "UNHOLD", "TRANSFER",
                  "BLINDTRANSFER", "ATTENDEDTRANSFER", "RECORDING", "COMPLETECALLER", "COMPLETEAGENT",
                  "HANGUP", "CALL_END")
_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".gsm": "audio/x-gsm",
          ".flac": "audio/flac"}
_CHUNK = 64 * 1024
MAX_ROWS = 500
Id = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
IdQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


async def recording_scope(session: SessionDep, user: User) -> Scope:
    """The agents whose recordings (and evaluations) ``user`` may see."""
    if user.role in ALL_RECORDINGS_ROLES:
        return Scope(agents=None)
    return await scope_for(session, user)


def store_of(ctx: Ctx) -> RecordingStore:
    return RecordingStore(ctx.settings.recordings_dir)


async def visible_recording(session: SessionDep, user: User, recording_id: int) -> Recording:
    """The recording if it exists and ``user`` may see it (404 / 403 otherwise)."""
    rec = await session.get(Recording, recording_id)
    if rec is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no recording {recording_id}.")
    scope = await recording_scope(session, user)
    if scope.agents is not None and (rec.agent is None or not scope.sees_agent(rec.agent)):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Recording {recording_id} is of an agent outside your teams; you may only hear your teams' calls.")
    return rec


class RecordingOut(BaseModel):
    id: int
    call_id: str
    agent: str | None
    queue: str | None
    caller: str | None
    customer_id: int | None
    started_at: float
    duration_s: float | None
    format: str | None
    status: str
    legal_hold: bool
    purged: bool
    layout: str
    flags: list[str]


def _out(r: Recording, flags: list[str]) -> RecordingOut:
    return RecordingOut(id=r.id, call_id=r.call_id, agent=r.agent, queue=r.queue, caller=r.caller,
                        customer_id=r.customer_id, started_at=r.started_at, duration_s=r.duration_s,
                        format=r.format, status=r.status, legal_hold=r.legal_hold,
                        purged=r.purged_at is not None, layout=(r.legs or {}).get("layout", "stereo"),
                        flags=flags)


async def _team_agents(session: SessionDep, team_id: int) -> set[str]:
    teams = (await session.execute(select(Team.id, Team.parent_id))).all()
    ids = subtree([team_id], {t.id: t.parent_id for t in teams})
    users = select(TeamMember.user_id).where(TeamMember.team_id.in_(ids))
    rows = await session.execute(select(User.agent_id).where(User.id.in_(users), User.agent_id.is_not(None)))
    return {a for a in rows.scalars() if a}


@router.get("", response_model=list[RecordingOut])
async def search(user: CurrentUser, session: SessionDep,
                 from_: Annotated[float | None, Query(alias="from", allow_inf_nan=False,
                                                      description="epoch seconds")] = None,
                 to: Annotated[float | None, Query(allow_inf_nan=False, description="epoch seconds, exclusive")] = None,
                 agent: Annotated[str | None, Query(max_length=64)] = None,
                 team: IdQuery = None,
                 queue: Annotated[str | None, Query(max_length=64)] = None,
                 caller: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9+]+$")] = None,
                 customer: IdQuery = None,
                 min_duration: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
                 max_duration: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
                 flag: Annotated[str | None, Query(max_length=64,
                                                   description="a QA audio flag (dead_air …), a status "
                                                               "(missing, truncated) or held")] = None,
                 limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 100) -> list[RecordingOut]:
    """Newest first. Recordings outside the user's scope are never listed."""
    q = select(Recording)
    scope = await recording_scope(session, user)
    if scope.agents is not None:
        q = q.where(Recording.agent.in_(sorted(scope.agents)))
    if from_ is not None:
        q = q.where(Recording.started_at >= from_)
    if to is not None:
        q = q.where(Recording.started_at < to)
    if agent:
        q = q.where(Recording.agent == agent)
    if team is not None:
        q = q.where(Recording.agent.in_(sorted(await _team_agents(session, team))))
    if queue:
        q = q.where(Recording.queue == queue)
    if caller:
        q = q.where(Recording.caller.contains(caller, autoescape=True))
    if customer is not None:
        q = q.where(Recording.customer_id == customer)
    if min_duration is not None:
        q = q.where(Recording.duration_s >= min_duration)
    if max_duration is not None:
        q = q.where(Recording.duration_s <= max_duration)
    if flag in ("missing", "truncated", "ok", "pending"):
        q = q.where(Recording.status == flag)
    elif flag == "held":
        q = q.where(Recording.legal_hold.is_(True))
    q = q.order_by(Recording.started_at.desc(), Recording.id.desc())
    audio_flagged = flag not in (None, "missing", "truncated", "ok", "pending", "held")
    rows = (await session.execute(q if audio_flagged else q.limit(limit))).scalars().all()
    flags = {m.recording_id: list(m.flags or []) for m in (await session.execute(
        select(QaAudioMetrics.recording_id, QaAudioMetrics.flags)
        .where(QaAudioMetrics.recording_id.in_([r.id for r in rows])))).all()}
    out = [_out(r, flags.get(r.id, [])) for r in rows]
    if audio_flagged:
        out = [o for o in out if flag in o.flags][:limit]
    return out


@router.get("/{recording_id}", response_model=RecordingOut)
async def one(recording_id: Id, user: CurrentUser, session: SessionDep) -> RecordingOut:
    rec = await visible_recording(session, user, recording_id)
    m = await session.get(QaAudioMetrics, rec.id)
    return _out(rec, list(m.flags or []) if m else [])


def _file_of(rec: Recording, leg: str | None) -> str:
    if leg is None:
        return rec.path
    legs = rec.legs or {}
    if legs.get("layout") != "legs" or not legs.get(leg):
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=f"Recording {rec.id} has no separate {leg} leg; play the mix (the stereo file).")
    return str(legs[leg])


def _chunks(path: Path, first: int, last: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(first)
        left = last - first + 1
        while left > 0:
            block = f.read(min(_CHUNK, left))
            if not block:
                return
            left -= len(block)
            yield block


@router.get("/{recording_id}/audio", responses={206: {"description": "the requested bytes"},
                                                 416: {"description": "range outside the file"}})
async def audio(recording_id: Id, request: Request, user: CurrentUser, session: SessionDep, ctx: Ctx,
                ip: ClientIp,
                leg: Annotated[str | None, Query(pattern=r"^(agent|caller)$")] = None,
                download: bool = False) -> StreamingResponse:
    """The audio of a recording (``leg``: one party's file when recorded as legs), with
    ``Range`` support so the player can seek. Audited per request."""
    rec = await visible_recording(session, user, recording_id)
    if download and user.role not in DOWNLOAD_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Your role ({user.role}) may play recordings but not download them; ask QA or a supervisor.")
    if rec.purged_at is not None:
        raise HTTPException(status.HTTP_410_GONE,
                            detail=f"Recording {rec.id} was deleted by retention; only its index row is left.")
    rel = _file_of(rec, leg)
    now = ctx.clock.now()
    try:
        path = store_of(ctx).resolve(rel)
        if not path.is_file():
            raise FileNotFoundError(rel)
    except (RecordingPathError, FileNotFoundError) as e:
        log.warning("recording %s: file %r refused or missing for %s: %s", rec.id, rel, user.username, e)
        await audit(session, now=now, actor=user.username, action="recording_refused",
                    target=f"recording:{rec.id}", ip=ip, data={"why": type(e).__name__, "leg": leg})
        await session.commit()
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=f"The file of recording {rec.id} is not in the recordings store; ask an admin to run hotline recordings index.") from None
    size = path.stat().st_size
    header = request.headers.get("range")
    try:
        rng = parse_range(header, size)
    except RangeNotSatisfiable:
        raise HTTPException(status.HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
                            detail=f"That byte range is outside recording {rec.id}; ask for bytes within 0-{size - 1}.",
                            headers={"Content-Range": f"bytes */{size}"}) from None
    first, last = rng if rng else (0, size - 1)
    action = "recording_download" if download else "recording_play"
    await audit(session, now=now, actor=user.username, action=action, target=f"recording:{rec.id}", ip=ip,
                data={"range": header, "leg": leg, "bytes": [first, last]})
    await session.commit()
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(last - first + 1), "Cache-Control": "private, no-store"}
    if rng:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if download:
        headers["Content-Disposition"] = f'attachment; filename="recording-{rec.id}{path.suffix}"'
    return StreamingResponse(_chunks(path, first, last) if size else iter(()),
                             status_code=206 if rng else 200,
                             media_type=_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                             headers=headers)


class TimelineEvent(BaseModel):
    kind: str
    at: float
    offset_s: float
    agent: str | None
    data: dict[str, Any]


class TimelineOut(BaseModel):
    recording_id: int
    call_id: str
    started_at: float
    duration_s: float | None
    events: list[TimelineEvent]


@router.get("/{recording_id}/timeline", response_model=TimelineOut)
async def timeline(recording_id: Id, user: CurrentUser, session: SessionDep) -> TimelineOut:
    """The call's events from the call-event log, ``offset_s`` seconds from the start of the
    recording (negative: before recording began, e.g. the caller's channel start)."""
    rec = await visible_recording(session, user, recording_id)
    rows = (await session.execute(
        select(CallEvent).where(CallEvent.call_id == rec.call_id, CallEvent.kind.in_(TIMELINE_KINDS))
        .order_by(CallEvent.ts, CallEvent.id))).scalars().all()
    keep = ("channel", "cause_txt", "kind", "target", "success", "status")
    return TimelineOut(recording_id=rec.id, call_id=rec.call_id, started_at=rec.started_at,
                       duration_s=rec.duration_s, events=[
                           TimelineEvent(kind=e.kind, at=e.ts, offset_s=round(e.ts - rec.started_at, 3),
                                         agent=e.agent, data={k: v for k, v in (e.data or {}).items() if k in keep})
                           for e in rows])
