from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.csvio import CsvFileError, decode, import_customers, parse_customers
from crm.customers import create_customer
from crm.export import export_csv
from crm.lookup import find_by_phone
from crm.models import Customer
from crm.schemas import CustomerIn

HEADER = "name,phones,email,address,segment,vip_level,tags,blacklisted,notes,owner_agent_id,owner_team_id\n"


async def _export(session: AsyncSession, kind: str = "customers") -> str:
    return "".join([chunk async for chunk in export_csv(session, kind, page=2)])


async def _count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Customer))).scalar_one()


def test_gbk_file_is_detected_and_decoded() -> None:
    data = (HEADER + "张安娜,13800138000,,北京市朝阳区,,0,,否,,,\n").encode("gbk")
    encoding, good, errors = parse_customers(data)
    assert encoding == "gb18030" and errors == []
    assert good[0][1].name == "张安娜" and good[0][1].address == "北京市朝阳区"


def test_bom_is_skipped() -> None:
    encoding, lines, bad = decode(("\ufeff" + HEADER).encode("utf-8"))
    assert encoding == "utf-8-sig" and lines[0].startswith("name,") and not bad


def test_a_file_without_name_column_is_refused_as_a_whole() -> None:
    with pytest.raises(CsvFileError, match="no 'name' column"):
        parse_customers(b"phone,email\n13800138000,a@b.c\n")
    with pytest.raises(CsvFileError, match="empty"):
        parse_customers(b"")


async def test_bad_rows_are_reported_and_good_rows_imported(session: AsyncSession, clock) -> None:
    await create_customer(session, CustomerIn(name="已有", phones=["02012345678"]), actor="a", now=clock.now())
    await session.commit()
    lines = [
        HEADER.encode(),
        "张安娜,13800138000;010-12345678,anna@example.cn,北京,gold,3,vip;投诉,0,\"多行\n备注\",7,2\n".encode(),  # rows 2-3
        "李雷,12345,,,,,,,,,\n".encode(),  # 4: bad phone
        b",13900139000,,,,,,,,,\n",  # 5: missing name
        "韩梅梅,+86 138 0013 8000,,,,,,,,,\n".encode(),  # 6: duplicate of row 2 in the file
        "王芳,020-1234 5678,,,,,,,,,\n".encode(),  # 7: duplicate in the database
        "赵四,13700137000,,,,,,,,,\n".encode("gbk"),  # 8: wrong encoding in a UTF-8 file
        "孙七,15912345678,,,,x,,maybe,,,\n".encode(),  # 9: bad vip + bad flag
        "周八,15812345678\n".encode(),  # 10: too few values
        "吴九,+44 20 7946 0958,,,,,,,,,\n".encode(),  # 11: good, international
    ]
    report = await import_customers(session, b"".join(lines), actor="admin", now=clock.now())
    errors = [(e.row, e.column) for e in report.errors]
    assert errors == [(4, "phones"), (5, "name"), (6, "phones"), (7, "phones"), (8, "*"),
                      (9, "blacklisted"), (9, "vip_level"), (10, "*")]
    reasons = {e.row: e.reason for e in report.errors}
    assert "not a phone number" in reasons[4] and "missing" in reasons[5]
    assert "row 2" in reasons[6] and "database" in reasons[7] and "utf-8" in reasons[8]
    assert report.imported == 2 and report.encoding == "utf-8"
    anna = await find_by_phone(session, "01012345678")
    assert anna is not None and anna.name == "张安娜" and anna.notes == "多行\n备注"
    assert anna.tags == ["vip", "投诉"] and anna.vip_level == 3 and anna.owner_team_id == 2
    assert (await find_by_phone(session, "00442079460958")).name == "吴九"
    assert await _count(session) == 3


async def test_dry_run_reports_and_writes_nothing(session: AsyncSession, clock) -> None:
    data = (HEADER + "张安娜,13800138000,,,,,,,,,\n坏,1,,,,,,,,,\n").encode()
    report = await import_customers(session, data, actor="admin", now=clock.now(), dry_run=True)
    assert report.dry_run and report.imported == 1 and [e.row for e in report.errors] == [3]
    assert await _count(session) == 0


async def test_export_import_round_trip_is_lossless(session: AsyncSession, clock) -> None:
    customers = [
        CustomerIn(name="张安娜", phones=["13800138000", "010-12345678"], email="a@x.cn",
                   address="北京市, \"朝阳\" 区", segment="gold", vip_level=5, tags=["vip", "老客户"],
                   blacklisted=True, notes="line1\nline2, with comma", owner_agent_id=3, owner_team_id=1),
        CustomerIn(name="O'Brien; Pat", phones=["+1 650 253 0000"]),
        CustomerIn(name="无电话客户"),
    ]
    for c in customers:
        await create_customer(session, c, actor="a", now=clock.now())
    await session.commit()
    first = await _export(session)
    progress: list[tuple[int, int]] = []
    # import into a fresh table: delete and re-import the exported bytes
    for c in (await session.execute(select(Customer))).scalars():
        await session.delete(c)
    await session.commit()
    report = await import_customers(session, first.encode("utf-8"), actor="a", now=clock.now(),
                                    batch_size=2, progress=lambda d, t: progress.append((d, t)))
    assert report.errors == [] and report.imported == 3
    assert progress == [(3, 4), (4, 4)]  # data lines: the first record spans two
    assert await _export(session) == first


async def test_tickets_and_interactions_export_with_header(session: AsyncSession) -> None:
    tickets = await _export(session, "tickets")
    assert tickets.startswith("\ufeffid,number,type,priority,status")
    inter = await _export(session, "interactions")
    assert inter.startswith("\ufeffid,customer_id,call_id")
