"""Ticket routes: search, open, edit, workflow actions, manual and swept escalation."""


from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from crm import tickets as svc
from crm.audit import history
from crm.escalation import apply_escalations, escalate_now
from crm.http_deps import Deps, Id, fresh
from crm.models import Ticket
from crm.policy import ACTION_PERM, Perm, require, require_ticket
from crm.schemas import ActionIn, AuditOut, Page, TicketDetail, TicketIn, TicketOut, TicketPatch
from crm.search import TicketQuery, search_tickets
from crm.sla import Priority, TicketType
from crm.workflow import Action, Status, allowed_actions


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    to: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=2000)


def _event(t: Ticket, kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "ticket_id": t.id, "number": t.number, "status": t.status,
            "title": t.title, "assignee": t.assignee, **extra}


async def _detail(session: AsyncSession, t: Ticket) -> TicketDetail:
    await fresh(session, t)
    audit = [AuditOut.model_validate(a) for a in await history(session, "ticket", t.id)]
    return TicketDetail(**TicketOut.model_validate(t).model_dump(), audit=audit,
                        allowed_actions=[a.value for a in allowed_actions(Status(t.status))])


def add_ticket_routes(router: APIRouter, deps: Deps) -> None:
    User = Annotated[Any, Depends(deps.current_user)]
    Session = Annotated[AsyncSession, Depends(deps.get_session)]

    @router.get("/tickets", response_model=Page[TicketOut])
    async def list_tickets(
        user: User, session: Session,
        number: Annotated[str | None, Query(max_length=20)] = None,
        status: Annotated[list[Status] | None, Query(max_length=7)] = None,
        assignee: Annotated[str | None, Query(max_length=64)] = None,
        phone: Annotated[str | None, Query(max_length=64)] = None,
        customer_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
        type: TicketType | None = None,
        priority: Priority | None = None,
        department_id: Annotated[int | None, Query(ge=1, le=2**31)] = None,
        overdue: bool = False,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Page[TicketOut]:
        """Search tickets by number (T0000042), status, assignee, caller phone, ..."""
        require(user, Perm.READ)
        q = TicketQuery(number=number, status=[s.value for s in status or []], assignee=assignee,
                        phone=phone, customer_id=customer_id, type=type.value if type else None,
                        priority=priority.value if priority else None, department_id=department_id,
                        overdue_at=deps.clock.now() if overdue else None, page=page,
                        page_size=page_size)
        items, total = await search_tickets(session, q)
        return Page[TicketOut](items=[TicketOut.model_validate(t) for t in items], total=total,
                               page=page, page_size=page_size)

    @router.post("/tickets", response_model=TicketDetail, status_code=201)
    async def open_ticket(body: TicketIn, user: User, session: Session) -> TicketDetail:
        require(user, Perm.CREATE)
        t = await svc.open_ticket(session, body, actor=user.username, now=deps.clock.now())
        await session.commit()
        return await _detail(session, t)

    @router.get("/tickets/{ticket_id}", response_model=TicketDetail)
    async def get_ticket(ticket_id: Id, user: User, session: Session) -> TicketDetail:
        require(user, Perm.READ)
        return await _detail(session, await svc.get_ticket(session, ticket_id))

    @router.patch("/tickets/{ticket_id}", response_model=TicketDetail)
    async def edit_ticket(ticket_id: Id, body: TicketPatch, user: User,
                          session: Session) -> TicketDetail:
        t = await svc.get_ticket(session, ticket_id)
        require_ticket(user, Perm.EDIT, assignee=t.assignee, created_by=t.created_by)
        t = await svc.edit_ticket(session, ticket_id, body, actor=user.username, now=deps.clock.now())
        await session.commit()
        return await _detail(session, t)

    @router.post("/tickets/{ticket_id}/escalate", response_model=TicketDetail)
    async def escalate(ticket_id: Id, body: EscalateIn, user: User, session: Session) -> TicketDetail:
        """Manual 督办: one level up, to the person named; they are notified."""
        require(user, Perm.ESCALATE)
        t = await escalate_now(session, ticket_id, body.to, actor=user.username,
                               now=deps.clock.now(), note=body.note)
        await session.commit()
        await fresh(session, t)
        await deps.tell([body.to], _event(t, "crm.ticket.escalated", level=t.escalation_level,
                                          by=user.username))
        return await _detail(session, t)

    @router.post("/tickets/{ticket_id}/{action}", response_model=TicketDetail)
    async def ticket_action(ticket_id: Id, action: Action, user: User, session: Session,
                            body: ActionIn | None = None) -> TicketDetail:
        """Move the ticket: accept, assign, start, resolve, callback, close, reopen.
        Refused moves answer 409 with the reason and what is allowed now."""
        t = await svc.get_ticket(session, ticket_id)
        require_ticket(user, ACTION_PERM[action], assignee=t.assignee, created_by=t.created_by)
        tr = await svc.act(session, ticket_id, action, body or ActionIn(), actor=user.username,
                           now=deps.clock.now())
        await session.commit()
        await fresh(session, t)
        await deps.tell(tr.notify, _event(t, "crm.ticket.updated", action=action.value,
                                          old=tr.old.value, by=user.username))
        return await _detail(session, t)

    @router.post("/escalations/run")
    async def run_escalations(user: User, session: Session) -> dict[str, Any]:
        """Apply every due escalation now (the service also runs this on a timer)."""
        require(user, Perm.ESCALATE)
        applied = await apply_escalations(session, deps.clock.now(), notify=deps.notify,
                                          actor=user.username)
        return {"escalated": [{"ticket_id": a.escalation.ticket_id, "level": a.escalation.level,
                               "reason": a.escalation.reason, "to": a.to} for a in applied]}
