from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from crm.escalation import chain_from_tables, escalation_loop
from crm.schemas import TicketIn
from crm.sla import HOUR, Priority, TicketType
from crm.tickets import get_ticket, open_ticket
from hotline.clock import ManualClock
from hotline.db import make_sessionmaker


async def test_loop_sweeps_at_once_and_stops_when_told(engine: AsyncEngine, clock: ManualClock) -> None:
    maker = make_sessionmaker(engine)
    async with maker() as s:
        t = await open_ticket(s, TicketIn(type=TicketType.INQUIRY, priority=Priority.URGENT, title="急"),
                              actor="a", now=clock.now())
        await s.commit()
    clock.advance(HOUR)
    stop, heard = asyncio.Event(), asyncio.Event()
    got: list[tuple[str, dict]] = []

    async def notify(user: str, payload: dict) -> None:
        got.append((user, payload))
        heard.set()

    task = asyncio.create_task(escalation_loop(maker, clock, notify=notify, interval=3600, stop=stop,
                                               resolver=chain_from_tables(duty_lead="duty")))
    await asyncio.wait_for(heard.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert got[0][0] == "duty" and got[0][1]["reason"] == "response"
    async with maker() as s:
        assert (await get_ticket(s, t.id)).escalation_level == 1
