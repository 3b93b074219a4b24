from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from hotline.app.models import load_all
from hotline.db import CallEvent
from hotline.eventlog import CallEventLog, LogRow


async def test_call_event_log_writes_batches_in_order(engine, clock):
    log = CallEventLog(engine, clock=clock, max_batch=3)
    for i in range(7):
        log.append(LogRow(ts=clock.now() + i, call_id=f"c{i % 2}", kind="TEST", data={"i": i, "名": "张安娜"}))
    assert await log.flush() == 7
    async with engine.connect() as conn:
        rows = (await conn.execute(select(CallEvent.data).order_by(CallEvent.id))).scalars().all()
    assert [r["i"] for r in rows] == list(range(7))
    assert rows[0]["名"] == "张安娜"


async def test_failed_flush_keeps_rows_for_retry(sqlite_engine, clock):
    log = CallEventLog(sqlite_engine, clock=clock)
    log.log("c1", "ENTERQUEUE")
    async with sqlite_engine.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE call_events RENAME TO call_events_away")
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError, match="no such table"):
        await log.flush()
    assert log.pending == 1
    async with sqlite_engine.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE call_events_away RENAME TO call_events")
    assert await log.flush() == 1
    async with sqlite_engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(CallEvent))).scalar() == 1


async def test_migrations_match_the_models(engine):
    """Every table a package declares is created by a migration, column for column."""
    metadata = load_all().metadata

    def _diff(conn):
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)

    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == [], f"models and migrations differ: {diff}"


async def test_stop_while_flushing_loses_no_row(sqlite_engine, clock):
    """stop() during a busy stream: every appended row ends up in the table."""
    import asyncio

    log = CallEventLog(sqlite_engine, clock=clock, flush_interval=0.001, max_batch=50)
    log.start()
    for i in range(3000):
        log.log(f"c{i}", "TEST")
        if i % 100 == 0:
            await asyncio.sleep(0)  # let the writer run mid-stream
    await log.stop()
    async with sqlite_engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(CallEvent))).scalar() == 3000
