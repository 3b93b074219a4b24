"""Contact-list import into the migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from outbound.lists import export_dnc, import_contacts, import_dnc, list_summary
from outbound.models import OutboundCampaign, OutboundRecord


async def _campaign(s: AsyncSession, name: str = "huifang") -> OutboundCampaign:
    camp = OutboundCampaign(name=name, mode="progressive", state="draft", queue="callback",
                            caller_id="+864008001234", hours="09:00-21:00", max_per_day=3,
                            retries="busy=600/3", dispositions="done;callback", abandon_cap=0.03,
                            created_at=0.0)
    s.add(camp)
    await s.flush()
    return camp


async def test_import_twice_adds_each_number_once_and_reports_the_repeat(engine: AsyncEngine) -> None:
    maker = async_sessionmaker(engine)
    async with maker() as s:
        camp = await _campaign(s)
        first = await import_contacts(s, camp, "电话,姓名\n13800138000,张三\nbad,李四\n".encode())
        assert (first.imported, [e.row for e in first.errors]) == (1, [3])
        second = await import_contacts(s, camp, b"number\n13900139000\n+8613800138000\n")
        assert second.imported == 1
        assert [(e.row, e.reason) for e in second.errors] == [
            (3, "+8613800138000 is already in this campaign")]
        await s.commit()
    async with maker() as s:
        rows = (await s.execute(select(OutboundRecord.number, OutboundRecord.status)
                                .order_by(OutboundRecord.number))).all()
    assert rows == [("+8613800138000", "pending"), ("+8613900139000", "pending")]


async def test_dnc_import_gbk_or_headerless_keeps_good_rows_and_the_contact_import_leaves_dnc_numbers_out(
        engine: AsyncEngine) -> None:
    maker = async_sessionmaker(engine)
    async with maker() as s:
        camp, other = await _campaign(s), await _campaign(s, "survey")
        glob = await import_dnc(s, None, "号码,备注\n13800138000,投诉\n不是号码,x\n13800138000,again\n".encode("gbk"),
                                now=1_800_000_000.0)
        assert (glob.encoding, glob.imported) == ("gb18030", 1)
        assert [(e.row, e.column) for e in glob.errors] == [(3, "number"), (4, "number")]
        assert "already on row 2 of this file" in glob.errors[1].reason
        own = await import_dnc(s, camp, b"13900139000\n+8613800138000\n12\n", now=1_800_000_000.0)
        assert own.imported == 2 and [e.row for e in own.errors] == [3]  # headerless: line 1 is a number
        again = await import_dnc(s, camp, b"number\n13900139000\n", now=1_800_000_000.0)
        assert (again.imported, again.errors[0].reason) == (
            0, "+8613900139000 is already on campaign huifang's do-not-call list")
        report = await import_contacts(s, camp, "电话,姓名\n13800138000,张三\n13900139000,李四\n"
                                                "13700137000,王五\n".encode())
        assert report.imported == 1
        assert [(e.row, e.reason) for e in report.errors] == [
            (2, "+8613800138000 is on the global do-not-call list"),
            (3, "+8613900139000 is on campaign huifang's do-not-call list")]
        assert (await import_contacts(s, other, b"number\n13900139000\n")).imported == 1  # not its list
        zone = ZoneInfo("Asia/Shanghai")
        assert (await export_dnc(s, None, zone)).splitlines() == ["number,added_at", "+8613800138000,2027-01-15 16:00"]
        exported = await export_dnc(s, camp, zone)
        assert [ln.split(",")[0] for ln in exported.splitlines()] == ["number", "+8613800138000", "+8613900139000"]
        assert (await import_dnc(s, camp, exported.encode(), now=0.0)).imported == 0  # export reads back
        summary = await list_summary(s, other)
        assert (summary.records, summary.pending, summary.on_dnc, summary.dialable) == (1, 1, 0, 1)
        await import_dnc(s, other, b"13900139000\n", now=0.0)
        summary = await list_summary(s, other)
        assert (summary.on_dnc, summary.dialable, summary.dnc_global, summary.dnc_campaign) == (1, 0, 1, 1)
