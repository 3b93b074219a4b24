"""crm.reader.CrmReader + crm.cards: the call path's lookups in one go, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from crm import cards
from crm.models import Customer, CustomerPhone, Interaction, Ticket
from crm.reader import CrmReader
from hotline.db import make_sessionmaker


async def _seed(engine: AsyncEngine) -> int:
    async with make_sessionmaker(engine)() as s, s.begin():
        c = Customer(name="张安娜", vip_level=2, tags=["lang:zh"], blacklisted=False, created_at=1.0, updated_at=1.0)
        s.add(c)
        await s.flush()
        s.add_all([CustomerPhone(customer_id=c.id, e164="+8613800138000"),
                   CustomerPhone(customer_id=c.id, e164="+861062345678")])
        for i, status in enumerate(["assigned", "closed", "new"]):
            s.add(Ticket(type="complaint", priority="high", status=status, title=f"工单{i}", created_by="1001",
                         customer_id=c.id, created_at=10.0 + i, updated_at=1.0, response_due=2.0,
                         resolution_due=3.0))
        for i in range(7):
            s.add(Interaction(customer_id=c.id, number="+8613800138000", direction="in", kind="call",
                              started_at=100.0 + i, agent="1001", queue="sales"))
        s.add(Interaction(customer_id=None, number="+8613900139000", direction="in", kind="call",
                          started_at=5.0))
        return int(c.id)


async def test_the_card_of_a_known_caller_in_any_format(engine: AsyncEngine) -> None:
    cid = await _seed(engine)
    reader = CrmReader(engine)
    try:
        assert (reader.inline is not None) == (engine.url.get_backend_name() == "sqlite")
        card = await reader.run(cards.card, "+86 138 0013 8000")
    finally:
        reader.close()
    assert card["known"] and card["number"] == "+8613800138000"
    assert card["customer"]["id"] == cid and card["customer"]["name"] == "张安娜"
    assert card["customer"]["phones"] == ["+8613800138000", "+861062345678"]
    assert [t["title"] for t in card["open_tickets"]] == ["工单2", "工单0"]  # newest first, no closed one
    assert card["open_tickets"][0]["number"].startswith("T")
    assert [i["started_at"] for i in card["interactions"]] == [106.0, 105.0, 104.0, 103.0, 102.0]
    assert card["region"]["country"] == "CN"


async def test_unknown_and_withheld_callers(engine: AsyncEngine) -> None:
    await _seed(engine)
    reader = CrmReader(engine)
    try:
        unknown = await reader.run(cards.card, "013900139000")
        withheld = await reader.run(cards.card, "anonymous")
        hostile = await reader.run(cards.card, "' OR 1=1 --")
    finally:
        reader.close()
    assert not unknown["known"] and unknown["number"] == "+8613900139000"
    assert [i["started_at"] for i in unknown["interactions"]] == [5.0]  # earlier calls from the number
    assert not withheld["known"] and withheld["number"] == "anonymous" and withheld["interactions"] == []
    assert not hostile["known"]


async def test_the_orm_entry_point_gives_the_same_card(engine: AsyncEngine) -> None:
    from crm.lookup import screen_pop_card

    await _seed(engine)
    reader = CrmReader(engine)
    try:
        direct = await reader.run(cards.card, "13800138000")
    finally:
        reader.close()
    async with make_sessionmaker(engine)() as s:
        assert await screen_pop_card(s, "13800138000") == direct


async def test_the_inline_sqlite_reader_cannot_write(sqlite_engine: AsyncEngine) -> None:
    reader = CrmReader(sqlite_engine)

    def write(conn: Connection) -> Any:
        return conn.execute(text("DELETE FROM crm_customers"))

    try:
        with pytest.raises(OperationalError, match="readonly|read-only|query_only|attempt to write"):
            await reader.run(write)
    finally:
        reader.close()


async def test_a_locked_database_is_read_through_the_async_engine(
        sqlite_engine: AsyncEngine, caplog: pytest.LogCaptureFixture) -> None:
    await _seed(sqlite_engine)
    reader = CrmReader(sqlite_engine, busy_timeout_ms=20)
    path = sqlite_engine.url.database
    assert path is not None
    await sqlite_engine.dispose()  # no pooled connection may hold the WAL open
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.INFO, logger="crm.reader"):
            task = asyncio.create_task(reader.run(cards.card, "13800138000"))
            for _ in range(100):  # the inline try fails (locked), the async read then waits
                await asyncio.sleep(0)
                if any("locked" in r.getMessage() for r in caplog.records):
                    break
            assert any("locked" in r.getMessage() for r in caplog.records)
            blocker.execute("COMMIT")
            blocker.execute("PRAGMA locking_mode=NORMAL")
            blocker.execute("SELECT 1 FROM crm_customers").fetchall()  # gives up the exclusive lock
            blocker.close()
            card = await asyncio.wait_for(task, 30)
    finally:
        reader.close()
    assert card["known"] and card["customer"]["name"] == "张安娜"
