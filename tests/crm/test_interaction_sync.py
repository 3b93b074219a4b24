"""Wrap-ups in the call-event log become CRM interactions (issue 15: they used to stay empty)."""

from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm.customers import create_customer
from crm.interaction_sync import InteractionSync, leg_of
from crm.models import Interaction, Ticket
from crm.schemas import CustomerIn, TicketIn
from crm.sla import TicketType
from crm.tickets import open_ticket
from hotline.clock import ManualClock
from hotline.db import CallEvent, make_sessionmaker
from hotline.eventlog import CallEventLog


def _answered_call(ev: CallEventLog, t0: float, call_id: str, number: str, agent: str,
                   ticket: str | None = None, by: str = "COMPLETECALLER") -> None:
    ev.log(call_id, "IVR_NODE", ts=t0, data={"node": "main"})
    ev.log(call_id, "ENTERQUEUE", ts=t0 + 5, queue="sales", data={"callerid": number})
    ev.log(call_id, "RINGNOANSWER", ts=t0 + 20, queue="sales", agent="1009", data={})
    ev.log(call_id, "CONNECT", ts=t0 + 30, queue="sales", agent=agent, data={"holdtime": 25})
    ev.log(call_id, by, ts=t0 + 150, queue="sales", agent=agent, data={"calltime": 120})
    ev.log(call_id, "WRAPUP", ts=t0 + 170, queue="sales", agent=agent,
           data={"disposition": "resolved", "notes": "退款已办理 refund done", "ticket_ref": ticket})


async def _rows(engine: AsyncEngine) -> list[Interaction]:
    async with make_sessionmaker(engine)() as s:
        return list((await s.scalars(select(Interaction).order_by(Interaction.id))).all())


async def test_a_wrap_up_writes_the_interaction_with_customer_ticket_and_recording(
        engine: AsyncEngine, clock: ManualClock) -> None:
    sessions = make_sessionmaker(engine)
    async with sessions() as s:
        c = await create_customer(s, CustomerIn(name="张伟", phones=["13800138000"]), actor="a", now=0)
        t = await open_ticket(s, TicketIn(type=TicketType.COMPLAINT, title="发票"), actor="a", now=0)
        await s.commit()
        cid, tid = c.id, t.id
    ev = CallEventLog(engine, clock=clock)
    t0 = clock.now() - 600
    _answered_call(ev, t0, "call-1", "+8613800138000", "1001", ticket=f"T{tid:07d}")
    _answered_call(ev, t0 + 1, "call-2", "+8613900139000", "1002", ticket="T9999999", by="COMPLETEAGENT")
    ev.log("NONE", "WRAPUP", ts=t0 + 300, agent="1003", data={"disposition": "other"})
    await ev.flush()

    async def ref(_s, call_id: str, agent: str | None) -> str | None:
        return f"recording:{call_id}:{agent}" if call_id == "call-1" else None

    sync = InteractionSync(sessions, clock, recording_ref=ref)
    assert await sync.run_once() == 2
    first, second = await _rows(engine)
    assert (first.call_id, first.agent, first.queue, first.customer_id) == ("call-1", "1001", "sales", cid)
    assert (first.started_at, first.answered_at, first.ended_at) == (t0, t0 + 30, t0 + 150)
    assert (first.disposition, first.notes) == ("resolved", "退款已办理 refund done")
    assert first.recording_ref == "recording:call-1:1001"
    assert first.number == "+8613800138000"
    assert (second.customer_id, second.recording_ref) == (None, None)  # unknown caller kept
    assert "[ticket T9999999 not found]" in (second.notes or "")
    async with sessions() as s:
        ticket = await s.get(Ticket, tid)
        assert ticket is not None
        assert ticket.interaction_id == first.id

    # idempotent: again, and from a fresh cursor (a restart), nothing is written twice
    assert await sync.run_once() == 0
    assert await InteractionSync(sessions, clock).run_once() == 0
    assert len(await _rows(engine)) == 2

    # a later wrap-up is picked up by the cursor
    _answered_call(ev, clock.now(), "call-3", "13800138000", "1001")
    await ev.flush()
    assert await sync.run_once() == 1
    assert (await _rows(engine))[-1].customer_id == cid


async def test_a_lookback_window_bounds_the_first_scan(engine: AsyncEngine, clock: ManualClock) -> None:
    ev = CallEventLog(engine, clock=clock)
    _answered_call(ev, clock.now() - 3 * 86400, "old", "13800138000", "1001")
    _answered_call(ev, clock.now() - 3600, "new", "13800138000", "1001")
    await ev.flush()
    sessions = make_sessionmaker(engine)
    assert await InteractionSync(sessions, clock, lookback_s=86400).run_once() == 1
    assert [r.call_id for r in await _rows(engine)] == ["new"]
    assert await InteractionSync(sessions, clock).run_once(since_ts=0) == 1  # backfill
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Interaction)) == 2


def test_the_leg_does_not_depend_on_row_order() -> None:
    def row(i: int, kind: str, ts: float, agent: str | None = None, **data: object) -> CallEvent:
        return CallEvent(id=i, ts=ts, call_id="c", kind=kind, queue="sales", agent=agent, data=data)

    rows = [row(1, "ENTERQUEUE", 10, callerid="13800138000"), row(2, "CONNECT", 20, "1001"),
            row(3, "BLINDTRANSFER", 50, "1001"), row(4, "TAKECALL", 55, "1002"),
            row(5, "WRAPUP", 60, "1001", disposition="transferred"),
            row(6, "TAKECOMPLETE", 90, "1002"), row(7, "WRAPUP", 95, "1002", disposition="resolved")]
    first = leg_of(rows[4], rows)
    second = leg_of(rows[6], rows)
    for _ in range(20):
        shuffled = random.sample(rows, len(rows))
        assert leg_of(rows[4], shuffled) == first
        assert leg_of(rows[6], shuffled) == second
    assert (first.answered_at, first.ended_at, first.disposition) == (20, 50, "transferred")
    assert (second.answered_at, second.ended_at, second.number) == (55, 90, "13800138000")
