from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from crm.audit import history
from crm.customers import create_customer
from crm.escalation import apply_escalations, chain_from_tables
from crm.models import Department
from crm.schemas import ActionIn, CustomerIn, TicketIn, TicketPatch
from crm.sla import HOUR, MANAGER_AFTER, Priority, TicketType
from crm.tickets import act, edit_ticket, get_ticket, open_ticket
from crm.workflow import Action, IllegalTransition, Status
from hotline.clock import ManualClock


async def _open(session: AsyncSession, clock: ManualClock, **kw: object) -> int:
    c = await create_customer(session, CustomerIn(name="张安娜", phones=["13800138000"]),
                              actor="agent1", now=clock.now())
    data = {"type": TicketType.COMPLAINT, "priority": Priority.HIGH, "title": "快递丢失",
            "customer_id": c.id, **kw}
    t = await open_ticket(session, TicketIn(**data), actor="agent1", now=clock.now())
    await session.commit()
    return t.id


async def test_full_workflow_with_audit_rows(session: AsyncSession, clock: ManualClock) -> None:
    tid = await _open(session, clock)
    t0 = clock.now()
    t = await get_ticket(session, tid)
    assert (t.response_due, t.resolution_due) == (t0 + HOUR, t0 + 24 * HOUR)
    steps = [
        ("agent1", Action.ACCEPT, ActionIn()),
        ("lead1", Action.ASSIGN, ActionIn(assignee="li")),
        ("li", Action.START, ActionIn(note="已联系快递公司")),
        ("li", Action.RESOLVE, ActionIn(resolution="已赔付")),
        ("agent1", Action.CALLBACK, ActionIn(satisfaction=5)),
        ("lead1", Action.CLOSE, ActionIn()),
    ]
    statuses = []
    for actor, action, body in steps:
        clock.advance(60)
        tr = await act(session, tid, action, body, actor=actor, now=clock.now())
        statuses.append(tr.new)
    await session.commit()
    assert statuses == [Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED,
                        Status.CALLBACK, Status.CLOSED]
    t = await get_ticket(session, tid)
    assert (t.assignee, t.satisfaction, t.resolution) == ("li", 5, "已赔付")
    assert t.accepted_at == t0 + 60 and t.closed_at == t0 + 360
    moves = [(a.actor, a.old, a.new) for a in await history(session, "ticket", tid) if a.field == "status"]
    assert moves == [("agent1", None, "new"), ("agent1", "new", "accepted"),
                     ("lead1", "accepted", "assigned"), ("li", "assigned", "in_progress"),
                     ("li", "in_progress", "resolved"), ("agent1", "resolved", "callback"),
                     ("lead1", "callback", "closed")]
    fields = {(a.field, a.new) for a in await history(session, "ticket", tid)}
    assert ("assignee", "li") in fields and ("satisfaction", 5) in fields


async def test_illegal_action_changes_nothing(session: AsyncSession, clock: ManualClock) -> None:
    tid = await _open(session, clock)
    with pytest.raises(IllegalTransition) as err:
        await act(session, tid, Action.CLOSE, ActionIn(), actor="x", now=clock.now())
    assert "allowed now: accept" in err.value.message
    await session.rollback()
    assert (await get_ticket(session, tid)).status == "new"
    assert len(await history(session, "ticket", tid)) == 1


async def test_reopen_counts_and_notifies_assignee(session: AsyncSession, clock: ManualClock) -> None:
    tid = await _open(session, clock)
    for action, body in [(Action.ACCEPT, ActionIn()), (Action.ASSIGN, ActionIn(assignee="li")),
                         (Action.START, ActionIn()), (Action.RESOLVE, ActionIn(resolution="ok"))]:
        await act(session, tid, action, body, actor="lead1", now=clock.now())
    tr = await act(session, tid, Action.REOPEN, ActionIn(note="客户不满意"), actor="lead1", now=clock.now())
    assert tr.new is Status.ASSIGNED and "li" in tr.notify
    t = await get_ticket(session, tid)
    assert t.reopen_count == 1 and t.resolved_at is None


async def test_priority_edit_moves_deadlines_and_is_audited(session: AsyncSession, clock: ManualClock) -> None:
    tid = await _open(session, clock)
    t0 = clock.now()
    clock.advance(10)
    t = await edit_ticket(session, tid, TicketPatch(priority=Priority.URGENT), actor="lead1", now=clock.now())
    assert t.resolution_due == t0 + 4 * HOUR
    rows = [(a.field, a.old, a.new) for a in await history(session, "ticket", tid) if a.action == "edit"]
    assert ("priority", "high", "urgent") in rows and ("resolution_due", t0 + 24 * HOUR, t0 + 4 * HOUR) in rows


async def test_escalation_chain_with_injected_clock(session: AsyncSession, clock: ManualClock) -> None:
    dept = Department(name="物流部", lead="wang_lead", manager="zhao_mgr")
    session.add(dept)
    await session.flush()
    tid = await _open(session, clock)
    t0 = clock.now()
    await act(session, tid, Action.ACCEPT, ActionIn(), actor="agent1", now=clock.now())
    await act(session, tid, Action.ASSIGN, ActionIn(department_id=dept.id, assignee="li"),
              actor="lead1", now=clock.now())
    await session.commit()
    sent: list[tuple[str, dict]] = []

    async def notify(user: str, payload: dict) -> None:
        sent.append((user, payload))

    clock.set(t0 + 24 * HOUR - 1)
    assert await apply_escalations(session, clock.now(), notify=notify) == []
    clock.set(t0 + 24 * HOUR)
    [a1] = await apply_escalations(session, clock.now(), notify=notify)
    assert (a1.escalation.level, a1.to) == (1, "wang_lead")
    assert {u for u, _ in sent} == {"wang_lead", "li"}
    assert sent[0][1]["type"] == "crm.ticket.escalated" and sent[0][1]["level"] == 1
    # applying again at the same time does nothing: the level is stored
    assert await apply_escalations(session, clock.now(), notify=notify) == []
    clock.set(t0 + 24 * HOUR * (1 + MANAGER_AFTER))
    [a2] = await apply_escalations(session, clock.now(), notify=notify)
    assert (a2.escalation.level, a2.to) == (2, "zhao_mgr")
    t = await get_ticket(session, tid)
    assert (t.escalation_level, t.escalated_to) == (2, "zhao_mgr")
    esc = [(a.actor, a.old, a.new, a.at) for a in await history(session, "ticket", tid) if a.action == "escalate"]
    assert esc == [("system", 0, 1, t0 + 24 * HOUR), ("system", 1, 2, t0 + 36 * HOUR)]


async def test_resolver_table_overrides_departments(session: AsyncSession, clock: ManualClock) -> None:
    tid = await _open(session, clock, priority=Priority.URGENT)
    await session.commit()
    resolver = chain_from_tables(duty_lead="duty_lead", managers={"duty_lead": "boss"})
    clock.advance(HOUR)  # response due after 15 minutes: never accepted
    [a] = await apply_escalations(session, clock.now(), resolver=resolver)
    assert (a.escalation.reason, a.to) == ("response", "duty_lead")
    clock.advance(10 * HOUR)
    [a] = await apply_escalations(session, clock.now(), resolver=resolver)
    assert (a.escalation.level, a.to) == (2, "boss")
    assert (await get_ticket(session, tid)).escalated_to == "boss"
