"""hotline.writebehind.WriteBehind with the two tables the application gives it: agents'
last states (replaced per agent) and the recordings index (appended)."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.admin.models import AcdAgentState
from hotline.db import make_engine
from hotline.writebehind import WriteBehind
from recordings.models import Recording


def _state(agent: str, state: str, since: float) -> dict[str, object]:
    return {"agent_id": agent, "state": state, "reason": None, "extension": None, "since": since}


def _recording(call: str) -> dict[str, object]:
    return {"call_id": call, "uniqueid": f"u-{call}", "agent": "a1", "queue": "sales",
            "path": f"2026/11/22/{call}.wav", "started_at": 1.0, "policy": "all"}


def _count_transactions(engine: AsyncEngine) -> list[int]:
    begins: list[int] = []
    event.listen(engine.sync_engine, "begin", lambda conn: begins.append(1))
    return begins


async def test_one_flush_writes_the_latest_state_per_agent_and_every_recording(engine: AsyncEngine) -> None:
    w = WriteBehind(engine)
    begins = _count_transactions(engine)
    w.replace(AcdAgentState, "agent_id", _state("a1", "ringing", 1.0))
    w.replace(AcdAgentState, "agent_id", _state("a1", "on_call", 2.0))
    w.replace(AcdAgentState, "agent_id", _state("a2", "ready", 3.0))
    w.append(Recording, _recording("c1"))
    w.append(Recording, _recording("c2"))
    assert w.pending == 4
    assert await w.flush()
    assert len(begins) == 1 and w.pending == 0
    async with engine.connect() as conn:
        states = dict((await conn.execute(select(AcdAgentState.agent_id, AcdAgentState.state))).all())
        calls = (await conn.execute(select(Recording.call_id).order_by(Recording.call_id))).scalars().all()
    assert states == {"a1": "on_call", "a2": "ready"}
    assert calls == ["c1", "c2"]
    w.replace(AcdAgentState, "agent_id", _state("a1", "wrap_up", 4.0))  # replaces the saved row
    assert await w.flush()
    async with engine.connect() as conn:
        rows = (await conn.execute(select(AcdAgentState.agent_id, AcdAgentState.state))).all()
    assert sorted(rows) == [("a1", "wrap_up"), ("a2", "ready")]


async def test_a_failed_flush_keeps_every_row_and_a_newer_state_wins(tmp_path) -> None:
    eng = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")  # no tables yet
    try:
        w = WriteBehind(eng)
        w.replace(AcdAgentState, "agent_id", _state("a1", "ringing", 1.0))
        w.append(Recording, _recording("c1"))
        assert not await w.flush()
        assert w.pending == 2
        w.replace(AcdAgentState, "agent_id", _state("a1", "on_call", 2.0))  # arrives while the retry waits
        async with eng.begin() as conn:
            await conn.run_sync(lambda c: AcdAgentState.__table__.create(c))
            await conn.run_sync(lambda c: Recording.__table__.create(c))
        assert await w.flush()
        async with eng.connect() as conn:
            assert (await conn.execute(text("select agent_id, state from acd_agent_state"))).all() == [
                ("a1", "on_call")]
            assert (await conn.execute(text("select call_id from recordings"))).scalars().all() == ["c1"]
    finally:
        await eng.dispose()


async def test_the_loop_writes_the_first_change_at_once_then_gathers_for_the_pause(engine: AsyncEngine) -> None:
    w = WriteBehind(engine, pause_s=3600.0)  # after the first flush, nothing more until flush()
    begins = _count_transactions(engine)
    task = asyncio.create_task(w.run())
    try:
        w.replace(AcdAgentState, "agent_id", _state("a1", "ready", 1.0))
        for _ in range(200):
            if w.pending == 0 and begins:
                break
            await asyncio.sleep(0.01)
        assert len(begins) == 1 and w.pending == 0
        for i in range(5):
            w.append(Recording, _recording(f"c{i}"))
        await asyncio.sleep(0)
        assert w.pending == 5 and len(begins) == 1  # gathered, not written one by one
        assert await w.flush()
        assert len(begins) == 2
    finally:
        task.cancel()
