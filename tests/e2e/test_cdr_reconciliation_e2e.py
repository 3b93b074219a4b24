"""Reconciliation end to end: the whole backend against the simulated Asterisk with
cdr_manager on. Every CDR the sim sends (AMI ``Cdr``) lands in ``report_cdrs`` through
the runtime's writer and matches a call of ours; every caller leg has its CDR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_stack import ANNA, Stack, start_stack, wait_until
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db import CallEvent
from pbx.sim import CallerScript
from reports.cdrs import CdrRow
from reports.reconcile import reconcile


def _state(agent: str, state: str) -> Any:
    return lambda f: f["type"] == "agent_state" and f["agent"] == agent and f.get("state") == state


def _rows(stack: Stack, q: Any, n: int) -> Any:
    """A wait_until predicate: ``q`` (a count) has reached ``n``."""
    async def reached() -> bool:
        async with stack.rt.engine.connect() as conn:
            return int((await conn.execute(q)).scalar_one()) >= n
    return reached


async def test_every_cdr_of_a_mixed_hour_matches_our_calls(engine: AsyncEngine, tmp_path: Path) -> None:
    stack = await start_stack(tmp_path, engine.url.render_as_string(hide_password=False))
    try:
        stack.sim.cdr = True
        since = stack.sim.now()
        token = await stack.login("agent1001")
        console = await stack.console(token)
        assert (await stack.post(token, "/api/agent/login")).status_code == 200
        assert (await stack.post(token, "/api/agent/ready")).status_code == 200
        await console.wait_for(_state("a1001", "ready"))

        # answered: IVR -> queue -> agent1001 (Originate, Bridge) -> the caller hangs up
        await stack.call(CallerScript(caller_num=ANNA, dtmf=["1"], patience_s=300, talk_time_s=4.0))
        await console.wait_for(_state("a1001", "on_call"), timeout=15)
        # while a1001 talks: one caller gives up in the queue, one hangs up in the menu
        await stack.call(CallerScript(caller_num="18612345678", caller_name="", dtmf=["1"],
                                      patience_s=3.0, talk_time_s=None))
        await stack.call(CallerScript(caller_num="13900139000", caller_name="", dtmf=["1"],
                                      ivr_hangup_after_s=1.0))
        await console.wait_for(_state("a1001", "wrap_up"), timeout=15)
        await wait_until(lambda: not stack.sim.channels, timeout=15)

        # the log and the CDR rows are written behind: wait for them (3 callers + 2 agent CDRs)
        await wait_until(_rows(stack, select(func.count()).select_from(CdrRow), 5))
        await wait_until(_rows(stack, select(func.count()).select_from(CallEvent).where(
            CallEvent.kind == "CALL_END"), 3))
        until = stack.sim.now() + 1
    finally:
        await stack.stop()

    r = await reconcile(engine, since - 1, until)
    assert r.unexplained == 0, r.as_dict()
    assert not r.missing_in_ours and not r.missing_in_asterisk, r.as_dict()
    assert sorted(m.leg for m in r.matched) == ["agent", "agent", "caller", "caller", "caller"]
    assert len({m.call_id for m in r.matched}) == 3
    answered = {m.call_id for m in r.matched if m.leg == "agent"}
    assert len(answered) == 1  # both agent CDRs are the answered call's
    assert {m.cdr.lastapp for m in r.matched if m.leg == "caller"} == {"MusicOnHold", "AGI"}
    assert {m.cdr.source for m in r.matched} == {"ami"}

