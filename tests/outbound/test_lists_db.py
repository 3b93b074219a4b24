"""Contact-list import into the migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from outbound.lists import import_contacts
from outbound.models import OutboundCampaign, OutboundRecord


async def test_import_twice_adds_each_number_once_and_reports_the_repeat(engine: AsyncEngine) -> None:
    maker = async_sessionmaker(engine)
    async with maker() as s:
        camp = OutboundCampaign(name="huifang", mode="progressive", state="draft", queue="callback",
                                caller_id="+864008001234", hours="09:00-21:00", max_per_day=3,
                                retries="busy=600/3", dispositions="done;callback", abandon_cap=0.03,
                                created_at=0.0)
        s.add(camp)
        await s.flush()
        first = await import_contacts(s, camp.id, "电话,姓名\n13800138000,张三\nbad,李四\n".encode())
        assert (first.imported, [e.row for e in first.errors]) == (1, [3])
        second = await import_contacts(s, camp.id, b"number\n13900139000\n+8613800138000\n")
        assert second.imported == 1
        assert [(e.row, e.reason) for e in second.errors] == [
            (3, "+8613800138000 is already in this campaign")]
        await s.commit()
    async with maker() as s:
        rows = (await s.execute(select(OutboundRecord.number, OutboundRecord.status)
                                .order_by(OutboundRecord.number))).all()
    assert rows == [("+8613800138000", "pending"), ("+8613900139000", "pending")]
