"""Contact lists built from the product: the lost-call worklist and tickets awaiting 回访,
deduplicated, with DNC and the CRM blacklist respected (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from crm.models import Customer, CustomerPhone, Interaction, Ticket
from hotline.eventlog import CallEventLog
from outbound.models import OutboundCampaign, OutboundDnc, OutboundRecord
from outbound.sources import from_lost_calls, from_tickets
from reports import facts
from tests.reports.daydata import DAY, TZ, abandoned, answered, at

VIP, PLAIN, BLACK, DNC, REACHED = ("+862168880000", "+8613912345678", "+8613800138000",
                                   "+8613700137000", "+8613600136000")


async def _campaign(engine: AsyncEngine, name: str = "huifang") -> int:
    async with async_sessionmaker(engine)() as s:
        camp = OutboundCampaign(name=name, mode="progressive", state="draft", queue="callback",
                                caller_id="+864008001234", hours="09:00-21:00", max_per_day=3,
                                retries="busy=600/3", dispositions="done;callback", abandon_cap=0.03,
                                created_at=0.0)
        s.add(camp)
        await s.flush()
        cid = camp.id
        s.add(OutboundDnc(campaign_id=None, number=DNC, added_at=0.0))
        await s.commit()
        return cid


async def _customers(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for cid, num, vip, black in ((1, VIP, 2, False), (2, BLACK, 0, True), (3, PLAIN, 0, False),
                                     (4, DNC, 0, False)):
            await conn.execute(insert(Customer).values(id=cid, name=f"客户{cid}", vip_level=vip,
                                                       created_at=0.0, updated_at=0.0, blacklisted=black))
            await conn.execute(insert(CustomerPhone).values(customer_id=cid, e164=num))


async def _records(engine: AsyncEngine, cid: int) -> list[tuple[str, str | None, dict[str, object]]]:
    async with async_sessionmaker(engine)() as s:
        rows = (await s.execute(select(OutboundRecord).where(OutboundRecord.campaign_id == cid)
                                .order_by(OutboundRecord.id))).scalars().all()
    return [(r.number, r.name, json.loads(r.extra or "{}")) for r in rows]


async def test_the_lost_call_worklist_becomes_a_list_once_vip_first_without_dnc_or_blacklist(
        engine: AsyncEngine, clock) -> None:
    log = CallEventLog(engine, clock=clock)
    abandoned(log, "l1", at(9, 0), "support", "13912345678", wait=40)
    abandoned(log, "l2", at(9, 5), "sales", "02168880000", wait=20)
    abandoned(log, "l3", at(9, 10), "support", "13800138000", wait=30)  # blacklisted
    abandoned(log, "l4", at(9, 15), "support", "13700137000", wait=30)  # on the global DNC
    abandoned(log, "l5", at(9, 20), "support", "13600136000", wait=30)
    answered(log, "back", at(9, 40), "support", "13600136000", "a1", wait=3, talk=20)  # reached
    abandoned(log, "l6", at(9, 50), "support", "13912345678", wait=30)  # PLAIN again
    await log.flush()
    await _customers(engine)
    since, until = facts.day_bounds(dt.date.fromisoformat(DAY), TZ)
    await facts.rebuild(engine, since, until, TZ)
    cid = await _campaign(engine)
    maker = async_sessionmaker(engine)
    async with maker() as s:
        camp = await s.get(OutboundCampaign, cid)
        assert camp is not None
        report = await from_lost_calls(s, camp, since, until, at(12, 0))
        await s.commit()
    assert (report.found, report.added) == (4, 2)
    assert sorted((x["number"], x["reason"]) for x in report.skipped) == [
        (DNC, "dnc_global"), (BLACK, "blacklisted")]
    recs = await _records(engine, cid)
    assert [(n, name) for n, name, _ in recs] == [(VIP, "客户1"), (PLAIN, "客户3")]
    assert recs[1][2] == {"source": "lost_calls", "last_call_id": "l6", "lost_calls": 2,
                          "queue": "support", "vip_level": 0}
    async with maker() as s:  # built again: nothing twice
        camp = await s.get(OutboundCampaign, cid)
        assert camp is not None
        again = await from_lost_calls(s, camp, since, until, at(12, 5))
        await s.commit()
    assert again.added == 0 and {x["reason"] for x in again.skipped} == {"duplicate", "blacklisted",
                                                                         "dnc_global"}
    assert len(await _records(engine, cid)) == 2


async def test_tickets_awaiting_their_callback_become_one_record_per_number(engine: AsyncEngine) -> None:
    await _customers(engine)
    cid = await _campaign(engine, "huifang-tickets")
    async with engine.begin() as conn:
        iid = (await conn.execute(insert(Interaction).values(
            customer_id=3, number="+8613512345678", direction="in", kind="call", started_at=0.0))
        ).inserted_primary_key[0]

        def ticket(tid: int, status: str, customer: int | None, resolved: float | None,
                   interaction: int | None = None) -> dict[str, object]:
            return dict(id=tid, type="complaint", priority="normal", status=status, title=f"工单{tid}",
                        customer_id=customer, interaction_id=interaction, created_by="a1",
                        created_at=0.0, updated_at=0.0, response_due=0.0, resolution_due=0.0,
                        resolved_at=resolved)
        for row in (ticket(1, "resolved", 1, 100.0), ticket(2, "resolved", 1, 200.0),  # same number
                    ticket(3, "resolved", 3, 50.0, iid),  # called from another number: that one
                    ticket(4, "in_progress", 3, None),  # not resolved yet
                    ticket(5, "callback", 1, 10.0),  # called back already
                    ticket(6, "resolved", 2, 300.0),  # blacklisted
                    ticket(7, "resolved", 4, 310.0),  # DNC
                    ticket(8, "resolved", None, 320.0)):  # no customer, no number
            await conn.execute(insert(Ticket).values(**row))
    async with async_sessionmaker(engine)() as s:
        camp = await s.get(OutboundCampaign, cid)
        assert camp is not None
        report = await from_tickets(s, camp)
        await s.commit()
    assert (report.found, report.added) == (6, 2)
    assert sorted((x["number"], x["reason"]) for x in report.skipped) == [
        (DNC, "dnc_global"), (BLACK, "blacklisted"), (VIP, "duplicate"), ("T0000008", "no_phone")]
    recs = await _records(engine, cid)
    assert [(n, name, e["tickets"]) for n, name, e in recs] == [
        ("+8613512345678", "客户3", ["T0000003"]), (VIP, "客户1", ["T0000001", "T0000002"])]
    async with async_sessionmaker(engine)() as s:
        camp = await s.get(OutboundCampaign, cid)
        assert camp is not None
        recent = await from_tickets(s, camp, resolved_since=150.0)
    assert recent.found == 4 and recent.added == 0  # tickets 2, 6, 7, 8; VIP is in already


async def test_a_survey_sample_of_answered_callers_is_seeded_and_keeps_to_dnc_and_blacklist(
        engine: AsyncEngine, clock) -> None:
    import random

    from outbound.sources import from_answered_calls

    log = CallEventLog(engine, clock=clock)
    for i, (caller, hh) in enumerate((("02168880000", 9), ("13912345678", 10), ("13912345678", 11),
                                      ("13800138000", 12), ("13700137000", 13), (None, 14))):
        answered(log, f"c{i}", at(hh, 0), "support", caller, "a1", wait=3, talk=60)
    abandoned(log, "lost", at(15, 0), "support", "13600136000", wait=30)  # not answered: not sampled
    await log.flush()
    await _customers(engine)
    since, until = facts.day_bounds(dt.date.fromisoformat(DAY), TZ)
    await facts.rebuild(engine, since, until, TZ)
    cid = await _campaign(engine, "survey")
    async with async_sessionmaker(engine)() as s:
        camp = await s.get(OutboundCampaign, cid)
        assert camp is not None
        everyone = await from_answered_calls(s, camp, since, until, 10, random.Random(1))
        await s.rollback()
    assert (everyone.found, everyone.added) == (4, 2)  # 4 distinct numbers; the withheld one is not
    assert sorted((x["number"], x["reason"]) for x in everyone.skipped) == [
        (DNC, "dnc_global"), (BLACK, "blacklisted")]
    picks = []
    for _ in range(2):
        async with async_sessionmaker(engine)() as s:
            camp = await s.get(OutboundCampaign, cid)
            assert camp is not None
            two = await from_answered_calls(s, camp, since, until, 2, random.Random(7))
            picks.append(sorted([*(x["number"] for x in two.skipped),
                                 *[n for n, _, _ in await _records_in(s, cid)]]))
            await s.rollback()
    assert picks[0] == picks[1] and len(picks[0]) == 2  # the same seed, the same sample
    async with async_sessionmaker(engine)() as s:
        camp = await s.get(OutboundCampaign, cid)
        assert camp is not None
        await from_answered_calls(s, camp, since, until, 10, random.Random(1))
        await s.commit()
    recs = await _records(engine, cid)
    assert [(n, e) for n, _, e in recs if n == PLAIN] == [
        (PLAIN, {"source": "survey", "last_call_id": "c2", "queue": "support", "agent": "a1"})]


async def _records_in(s, cid: int) -> list[tuple[str, str | None, str | None]]:
    rows = (await s.execute(select(OutboundRecord.number, OutboundRecord.name, OutboundRecord.extra)
                            .where(OutboundRecord.campaign_id == cid))).all()
    return [tuple(r) for r in rows]
