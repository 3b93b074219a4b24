"""Admin REST for the ACD configuration: queues, skills, agents, reason and disposition
codes. ``build_router(require_admin_dep, get_session, on_change=None, audit=None)``;
``on_change`` is awaited after every successful write so the running service reloads without
a restart (wire it to ``AcdService.reload`` with a fresh :func:`acd.admin.store.load_config`).

``audit(session, actor, action, target, before, after)`` is awaited in the write's own
session before it commits (the change and its audit row land together, or neither does):
``before`` / ``after`` are the row as the API shows it, None for a create / a delete."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from acd.admin.models import AcdAgent, AcdDispositionCode, AcdQueue, AcdReasonCode, AcdSkill
from acd.admin.schemas import AgentIn, AgentOut, CodeIn, CodeOut, QueueIn, QueueOut, SkillOut
from acd.admin.store import save_agent, save_queue

OnChange = Callable[[], Awaitable[None]]
Audit = Callable[[AsyncSession, str, str, str, Any, Any], Awaitable[None]]
NAME = r"^[A-Za-z0-9_.-]{1,64}$"


def build_router(require_admin_dep: Any, get_session: Any,
                 on_change: OnChange | None = None, audit: Audit | None = None) -> APIRouter:
    r = APIRouter(prefix="/api/admin/acd", tags=["acd admin"],
                  dependencies=[Depends(require_admin_dep)])
    admin_dep: Any = Depends(require_admin_dep)  # the signed-in admin, for the audit row

    async def changed(session: AsyncSession, admin: Any = None, action: str = "", target: str = "",
                      before: Any = None, after: Any = None) -> None:
        if audit is not None and action:
            await audit(session, str(getattr(admin, "username", "?")), action, target, before, after)
        await session.commit()
        if on_change is not None:
            await on_change()

    def _bad(exc: ValueError) -> HTTPException:
        return HTTPException(422, detail=str(exc))

    # --- queues -----------------------------------------------------------------
    @r.get("/queues", response_model=list[QueueOut])
    async def list_queues(session: AsyncSession = Depends(get_session)) -> list[QueueOut]:
        rows = (await session.execute(select(AcdQueue).order_by(AcdQueue.name))).scalars()
        return [QueueOut(name=q.name, label_en=q.label_en, label_zh=q.label_zh, **q.config)
                for q in rows]

    async def queue_doc(session: AsyncSession, name: str) -> dict[str, Any] | None:
        q = await session.get(AcdQueue, name)
        return None if q is None else {"label_en": q.label_en, "label_zh": q.label_zh, **q.config}

    @r.put("/queues/{name}", response_model=QueueOut)
    async def put_queue(body: QueueIn, name: str = _path(), admin: Any = admin_dep,
                        session: AsyncSession = Depends(get_session)) -> QueueOut:
        before = await queue_doc(session, name)
        try:
            await save_queue(session, name, body, time.time())
        except ValueError as exc:
            raise _bad(exc) from exc
        await changed(session, admin, "acd_queue_save", name, before, body.model_dump(mode="json"))
        return QueueOut(name=name, **body.model_dump())

    @r.delete("/queues/{name}", status_code=204)
    async def delete_queue(name: str = _path(), admin: Any = admin_dep,
                           session: AsyncSession = Depends(get_session)) -> None:
        before = await queue_doc(session, name)
        await _delete(session, AcdQueue, AcdQueue.name, name, "queue")
        await changed(session, admin, "acd_queue_delete", name, before, None)

    # --- agents -----------------------------------------------------------------
    @r.get("/agents", response_model=list[AgentOut])
    async def list_agents(session: AsyncSession = Depends(get_session)) -> list[AgentOut]:
        rows = (await session.execute(select(AcdAgent).order_by(AcdAgent.id))).scalars()
        return [AgentOut(id=a.id, name=a.name, endpoint=a.endpoint, skills=a.skills,
                         languages=a.languages, teams=a.teams, queues=a.queues,
                         active=a.active) for a in rows]

    async def agent_doc(session: AsyncSession, agent_id: str) -> dict[str, Any] | None:
        a = await session.get(AcdAgent, agent_id)
        return None if a is None else AgentIn(
            name=a.name, endpoint=a.endpoint, skills=a.skills, languages=a.languages, teams=a.teams,
            queues=a.queues, active=a.active).model_dump(mode="json")

    @r.put("/agents/{agent_id}", response_model=AgentOut)
    async def put_agent(body: AgentIn, agent_id: str = _path(), admin: Any = admin_dep,
                        session: AsyncSession = Depends(get_session)) -> AgentOut:
        before = await agent_doc(session, agent_id)
        try:
            await save_agent(session, agent_id, body)
        except ValueError as exc:
            raise _bad(exc) from exc
        await changed(session, admin, "acd_agent_save", agent_id, before, body.model_dump(mode="json"))
        return AgentOut(id=agent_id, **body.model_dump())

    @r.delete("/agents/{agent_id}", status_code=204)
    async def delete_agent(agent_id: str = _path(), admin: Any = admin_dep,
                           session: AsyncSession = Depends(get_session)) -> None:
        before = await agent_doc(session, agent_id)
        await _delete(session, AcdAgent, AcdAgent.id, agent_id, "agent")
        await changed(session, admin, "acd_agent_delete", agent_id, before, None)

    # --- skills and codes ---------------------------------------------------------
    @r.get("/skills", response_model=list[SkillOut])
    async def list_skills(session: AsyncSession = Depends(get_session)) -> list[SkillOut]:
        """Every skill: the declared ones and those agents have or queues ask for without a row."""
        declared = {s.name: s for s in (await session.execute(select(AcdSkill))).scalars()}
        agents: dict[str, int] = {}
        for a in (await session.execute(select(AcdAgent))).scalars():
            for name in a.skills:
                agents[name] = agents.get(name, 0) + 1
        queues: dict[str, int] = {}
        for q in (await session.execute(select(AcdQueue))).scalars():
            for name in q.config.get("skills") or ():
                queues[name] = queues.get(name, 0) + 1
        out = []
        for name in sorted(set(declared) | set(agents) | set(queues)):
            row = declared.get(name)
            out.append(SkillOut(name=name, label_en=row.label_en if row else name,  # undeclared: the name
                                label_zh=row.label_zh if row else name, agents=agents.get(name, 0),
                                queues=queues.get(name, 0), declared=row is not None))
        return out

    for path, model, key, what in (("skills", AcdSkill, "name", "skill"),
                                   ("reason-codes", AcdReasonCode, "code", "reason code"),
                                   ("disposition-codes", AcdDispositionCode, "code", "disposition")):
        _code_routes(r, path, model, key, what, get_session, changed, admin_dep)
    return r


def _path() -> Any:
    from fastapi import Path

    return Path(..., pattern=NAME, description="letters, digits, _ . - (at most 64)")


async def _delete(session: AsyncSession, model: Any, column: Any, key: str, what: str) -> None:
    result = await session.execute(delete(model).where(column == key))
    if not result.rowcount:  # type: ignore[attr-defined]
        raise HTTPException(404, detail=f"No {what} named {key!r}.")


def _code_routes(r: APIRouter, path: str, model: Any, key: str, what: str, get_session: Any,
                 changed: Callable[..., Awaitable[None]], admin_dep: Any) -> None:
    out_model: Any = SkillOut if key == "name" else CodeOut
    action = "acd_" + path.replace("-codes", "_code").rstrip("s")  # acd_skill, acd_reason_code ...

    def doc(row: Any) -> dict[str, str] | None:
        return None if row is None else {"label_en": row.label_en, "label_zh": row.label_zh}

    async def list_codes(session: AsyncSession = Depends(get_session)) -> list[Any]:
        rows = (await session.execute(select(model).order_by(getattr(model, key)))).scalars()
        return [out_model(**{key: getattr(c, key), "label_en": c.label_en,
                             "label_zh": c.label_zh}) for c in rows]

    async def put_code(body: CodeIn, code: str = _path(), admin: Any = admin_dep,
                       session: AsyncSession = Depends(get_session)) -> Any:
        row = await session.get(model, code)
        before = doc(row)
        if row is None:
            session.add(model(**{key: code}, label_en=body.label_en, label_zh=body.label_zh))
        else:
            row.label_en, row.label_zh = body.label_en, body.label_zh
        await changed(session, admin, f"{action}_save", code, before, body.model_dump())
        return out_model(**{key: code}, label_en=body.label_en, label_zh=body.label_zh)

    async def delete_code(code: str = _path(), admin: Any = admin_dep,
                          session: AsyncSession = Depends(get_session)) -> None:
        before = doc(await session.get(model, code))
        await _delete(session, model, getattr(model, key), code, what)
        await changed(session, admin, f"{action}_delete", code, before, None)

    if key != "name":  # skills have list_skills (declared + used)
        r.add_api_route(f"/{path}", list_codes, methods=["GET"], response_model=list[out_model])
    r.add_api_route(f"/{path}/{{code}}", put_code, methods=["PUT"], response_model=out_model)
    r.add_api_route(f"/{path}/{{code}}", delete_code, methods=["DELETE"], status_code=204)
