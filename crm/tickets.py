"""Ticket services: open, edit, move through the workflow. Every change is audited.

Handler -> policy (crm.policy, at the HTTP edge) -> these actions; the workflow rules
themselves are the pure table in :mod:`crm.workflow`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from crm.audit import record, record_changes
from crm.customers import NotFound, get_customer
from crm.models import Category, Department, Interaction, Ticket
from crm.schemas import ActionIn, TicketIn, TicketPatch
from crm.sla import SLA_TABLE, Priority, Sla, TicketType, due_times
from crm.workflow import Action, Params, Status, next_status


@dataclass(frozen=True, slots=True)
class Transition:
    """What happened, for notifications: the ticket, its move and who should hear of it."""

    ticket_id: int
    action: Action
    old: Status
    new: Status
    notify: tuple[str, ...]


async def get_ticket(session: AsyncSession, ticket_id: int) -> Ticket:
    t = await session.get(Ticket, ticket_id)
    if t is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    return t


async def _check_refs(session: AsyncSession, *, category_id: int | None = None,
                      customer_id: int | None = None, interaction_id: int | None = None,
                      department_id: int | None = None) -> None:
    if customer_id is not None:
        await get_customer(session, customer_id)
    for model, value, what in ((Category, category_id, "category"),
                               (Interaction, interaction_id, "interaction"),
                               (Department, department_id, "department")):
        if value is not None and await session.get(model, value) is None:
            raise NotFound(f"no {what} with id {value}")


async def open_ticket(session: AsyncSession, data: TicketIn, *, actor: str, now: float,
                      sla: dict[tuple[TicketType, Priority], Sla] = SLA_TABLE) -> Ticket:
    await _check_refs(session, category_id=data.category_id, customer_id=data.customer_id,
                      interaction_id=data.interaction_id)
    customer_id = data.customer_id
    if customer_id is None and data.interaction_id is not None:
        it = await session.get(Interaction, data.interaction_id)
        customer_id = it.customer_id if it else None
    response_due, resolution_due = due_times(data.type, data.priority, now, sla)
    t = Ticket(
        type=data.type.value, priority=data.priority.value, status=Status.NEW.value,
        title=data.title, description=data.description, category_id=data.category_id,
        customer_id=customer_id, interaction_id=data.interaction_id, created_by=actor,
        created_at=now, updated_at=now, response_due=response_due, resolution_due=resolution_due,
        escalation_level=0, reopen_count=0,
    )
    session.add(t)
    await session.flush()
    record(session, entity="ticket", entity_id=t.id, actor=actor, at=now, action="create",
           field="status", old=None, new=Status.NEW.value)
    return t


async def edit_ticket(session: AsyncSession, ticket_id: int, patch: TicketPatch, *, actor: str,
                      now: float, sla: dict[tuple[TicketType, Priority], Sla] = SLA_TABLE) -> Ticket:
    t = await get_ticket(session, ticket_id)
    await _check_refs(session, category_id=patch.category_id, customer_id=patch.customer_id)
    changes = patch.model_dump(exclude_unset=True)
    if "priority" in changes and changes["priority"] is not None:
        changes["priority"] = changes["priority"].value
        # A new priority moves the deadlines, counted from the opening.
        changes["response_due"], changes["resolution_due"] = due_times(
            TicketType(t.type), Priority(changes["priority"]), t.created_at, sla)
    if record_changes(session, entity="ticket", entity_id=t.id, actor=actor, at=now, obj=t,
                      changes=changes):
        t.updated_at = now
    await session.flush()
    return t


async def act(session: AsyncSession, ticket_id: int, action: Action, body: ActionIn, *,
              actor: str, now: float) -> Transition:
    """Apply one workflow action; raises ``IllegalTransition`` with the reason if refused."""
    t = await get_ticket(session, ticket_id)
    old = Status(t.status)
    params = Params(department_id=body.department_id, assignee=body.assignee,
                    satisfaction=body.satisfaction, resolution=body.resolution, note=body.note)
    new = next_status(old, action, params)
    await _check_refs(session, department_id=body.department_id)
    changes: dict[str, object] = {}
    notify: list[str] = []
    if action is Action.ACCEPT:
        t.accepted_at = now
    elif action is Action.ASSIGN:
        changes = {"department_id": body.department_id, "assignee": body.assignee or None}
        if body.assignee:
            notify.append(body.assignee)
        elif body.department_id is not None:
            dept = await session.get(Department, body.department_id)
            if dept is not None and dept.lead:
                notify.append(dept.lead)
    elif action is Action.RESOLVE:
        t.resolved_at = now
        changes = {"resolution": body.resolution}
    elif action is Action.CALLBACK:
        changes = {"satisfaction": body.satisfaction}
    elif action is Action.CLOSE:
        t.closed_at = now
    elif action is Action.REOPEN:
        t.reopen_count += 1
        t.resolved_at = t.closed_at = None
        if t.assignee:
            notify.append(t.assignee)
    record_changes(session, entity="ticket", entity_id=t.id, actor=actor, at=now, obj=t,
                   changes=changes)
    t.status = new.value
    t.updated_at = now
    record(session, entity="ticket", entity_id=t.id, actor=actor, at=now, action=action.value,
           field="status", old=old.value, new=new.value, note=body.note)
    await session.flush()
    if t.created_by != actor and action in (Action.RESOLVE, Action.REOPEN):
        notify.append(t.created_by)
    return Transition(t.id, action, old, new, tuple(dict.fromkeys(n for n in notify if n != actor)))

