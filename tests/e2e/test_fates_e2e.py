"""The fate of each simulated scenario, end to end (issue 12).

Each test runs callers on the whole stack (simulated Asterisk -> FastAGI IVR -> ACD over
AMI -> consoles over HTTP and websockets), waits until the call-event log has every row
of the run (each channel's call ended, the caller's verdict row written: the log writes
behind), and reads the fates back with :func:`reports.fates.fates`. Every run also checks
that the rows read in reversed id order give the same fates, and that no call of the
run comes out as a phantom ``system_failure`` (a channel's own id taken for a call).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from e2e_stack import ANNA, Stack, start_stack, wait_until
from sqlalchemy import select

from hotline import kinds
from hotline.app.runtime import DEFAULT_MENU
from hotline.db import CallEvent
from pbx.sim import AgentPhone, CallerScript
from reports.facts import CallFactRow, rebuild
from reports.fates import Fate, Row, fate_of, fates, join_calls

# A Tuesday at 22:00 in Shanghai: no holiday, after the office's 09:00-18:00.
TUESDAY_NIGHT = dt.datetime(2026, 3, 10, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
NO_ANSWER = AgentPhone(endpoint="agent1001", behaviour="noanswer")  # rings until the ring timeout
ANSWERS = AgentPhone(endpoint="agent1002", answer_delay_s=2.0)


def _state(agent: str, state: str) -> Any:
    return lambda f: f["type"] == "agent_state" and f["agent"] == agent and f.get("state") == state


async def _agent(stack: Stack, user: str, *, ready: bool) -> tuple[str, Any]:
    token = await stack.login(user)
    console = await stack.console(token)
    assert (await stack.post(token, "/api/agent/login")).status_code == 200
    if ready:
        assert (await stack.post(token, "/api/agent/ready")).status_code == 200
    return token, console


async def _rows(stack: Stack) -> list[Any]:
    async with stack.rt.engine.connect() as conn:
        return list((await conn.execute(select(CallEvent).order_by(CallEvent.id))).all())


async def _settled(stack: Stack, channel: str, verdict: str, timeout: float = 20.0) -> str:  # noqa: ASYNC109
    """The call id of the caller on ``channel`` once the log holds all of the run: the
    caller's ``verdict`` row, and a CALL_END naming every channel that was created."""
    found: list[str] = []

    async def done() -> bool:
        rows = await _rows(stack)
        uid = next((r.uniqueid for r in rows if r.kind == "CHAN_START" and r.data["channel"] == channel), None)
        ended = {leg for r in rows if r.kind == "CALL_END" for leg in r.data["legs"]}
        started = {r.uniqueid for r in rows if r.kind == "CHAN_START"}
        hit = [r.call_id for r in rows if r.kind == verdict and r.uniqueid == uid]
        if uid is None or not hit or not started <= ended:
            return False
        found.append(hit[0])
        return True

    await wait_until(lambda: not stack.sim.channels, timeout=timeout)
    await wait_until(done, timeout=timeout)
    return found[0]


async def _fates(stack: Stack, since: float, calls: int) -> dict[str, Fate]:
    """The run's fates, checked against the same rows read back to front."""
    until = stack.sim.now() + 1
    got = await fates(stack.rt.engine, since, until)
    backwards = [(r.call_id, Row(r.id, r.ts, r.kind, r.queue, r.agent, r.uniqueid, r.data or {}))
                 for r in reversed(await _rows(stack)) if r.call_id != "NONE" and since <= r.ts < until]
    assert {cid: fate_of(rs) for cid, rs in join_calls(backwards).items()} == got
    assert len(got) == calls, got  # one fate per call placed: no channel id taken for a call
    assert all(f.fate != "system_failure" for f in got.values()), got
    # the per-call facts the reports read agree, call for call
    assert await rebuild(stack.rt.engine, since, until, ZoneInfo("Asia/Shanghai")) == calls
    async with stack.rt.engine.connect() as conn:
        facts = dict((await conn.execute(select(CallFactRow.call_id, CallFactRow.fate).where(
            CallFactRow.start >= since, CallFactRow.start < until))).all())
    assert facts == {cid: f.fate for cid, f in got.items()}
    return got


async def test_a_caller_hanging_up_in_the_main_menu_is_an_ivr_abandon_there(stack: Stack) -> None:
    since = stack.sim.now()
    # a known caller goes straight to the main menu; without a key she hears it ~3 times
    ch = await stack.call(CallerScript(caller_num=ANNA, dtmf=[], ivr_hangup_after_s=12.0))
    call = await _settled(stack, ch, "IVR_HANGUP")
    got = await _fates(stack, since, 1)
    assert (got[call].fate, got[call].node) == ("ivr_abandon", "main")


async def test_callers_giving_up_in_the_queue_are_queue_or_short_abandons_by_their_wait(stack: Stack) -> None:
    # a1001 is logged in but not ready: the queue has a member, nobody to offer to
    await _agent(stack, "agent1001", ready=False)
    since = stack.sim.now()
    long_ch = await stack.call(CallerScript(caller_num=ANNA, dtmf=["1"], patience_s=9.0))
    short_ch = await stack.call(CallerScript(caller_num="18612345678", caller_name="", dtmf=["1", "1"],
                                             patience_s=2.0))
    long_call = await _settled(stack, long_ch, "ABANDON")
    short_call = await _settled(stack, short_ch, "ABANDON")
    got = await _fates(stack, since, 2)
    assert got[long_call].fate == "queue_abandon" and got[long_call].wait is not None
    assert got[long_call].wait >= 5 and got[long_call].queue == "sales"
    assert got[short_call].fate == "short_abandon" and got[short_call].wait is not None
    assert got[short_call].wait < 5


async def test_with_nobody_logged_in_a_caller_giving_up_is_still_a_queue_abandon(stack: Stack) -> None:
    # Not queue_empty: the seeded queues have no ``on_empty`` exit rule (and that rule only
    # fires when the last member logs out), so the caller waits until she gives up.
    since = stack.sim.now()
    ch = await stack.call(CallerScript(caller_num=ANNA, dtmf=["1"], patience_s=9.0))
    call = await _settled(stack, ch, "ABANDON")
    got = await _fates(stack, since, 1)
    assert (got[call].fate, got[call].queue, got[call].wait) == ("queue_abandon", "sales", 9.0)


async def test_a_caller_hanging_up_while_the_agent_phone_rings_is_a_ring_abandon(tmp_path: Path) -> None:
    stack = await start_stack(tmp_path, phones=[NO_ANSWER, ANSWERS])
    try:
        _, console = await _agent(stack, "agent1001", ready=True)
        await console.wait_for(_state("a1001", "ready"))
        since = stack.sim.now()
        # the sales ring timeout is 15 s: the caller gives up at 8 s, the phone still ringing
        ch = await stack.call(CallerScript(caller_num=ANNA, dtmf=["1"], patience_s=8.0))
        await console.wait_for(_state("a1001", "ringing"), timeout=15)
        call = await _settled(stack, ch, "ABANDON")
        got = await _fates(stack, since, 1)
    finally:
        await stack.stop()
    assert (got[call].fate, got[call].queue) == ("ring_abandon", "sales")
    assert got[call].wait is not None and got[call].wait >= 5


async def test_a_call_not_answered_by_the_first_agent_is_answered_by_the_second(tmp_path: Path) -> None:
    stack = await start_stack(tmp_path, phones=[NO_ANSWER, ANSWERS])
    try:
        _, first = await _agent(stack, "agent1001", ready=True)
        token2, second = await _agent(stack, "agent1002", ready=False)
        await first.wait_for(_state("a1001", "ready"))
        since = stack.sim.now()
        ch = await stack.call(CallerScript(caller_num=ANNA, dtmf=["1"], patience_s=300, talk_time_s=3.0))
        await first.wait_for(_state("a1001", "ringing"), timeout=15)
        # only now is a1002 ready: the call is offered to a1001 first, for certain
        assert (await stack.post(token2, "/api/agent/ready")).status_code == 200
        await second.wait_for(_state("a1002", "on_call"), timeout=30)
        call = await _settled(stack, ch, "CONNECT", timeout=30)
        rows = await stack.log_rows(call, until="CONNECT")
        got = await _fates(stack, since, 1)
    finally:
        await stack.stop()
    rona = [r.agent for r in rows if r.kind == kinds.RINGNOANSWER]
    assert rona == ["a1001"], [(r.kind, r.agent) for r in rows]
    assert (got[call].fate, got[call].agent, got[call].queue) == ("answered", "a1002", "sales")


async def test_after_hours_voicemail_is_after_hours_and_the_on_duty_phone_is_transferred_out(
        tmp_path: Path) -> None:
    # The real default menus (not the demo's open-around-the-clock copy) on a closed evening.
    stack = await start_stack(tmp_path, menu=DEFAULT_MENU, epoch=TUESDAY_NIGHT)
    try:
        since = stack.sim.now()
        vm = await stack.call(CallerScript(caller_num="18612345678", caller_name="", dtmf=["1"]))
        vm_call = await _settled(stack, vm, "IVR_EXIT", timeout=30)
        # 9: the on-duty mobile. The sim's dialplan does not Dial HOTLINE_TRANSFER_TO: the
        # caller waits in hotline-wait (no queue entry) until her patience runs out.
        duty = await stack.call(CallerScript(caller_num="13900139000", caller_name="", dtmf=["9"],
                                             patience_s=3.0))
        duty_call = await _settled(stack, duty, "IVR_EXIT", timeout=30)
        got = await _fates(stack, since, 2)
    finally:
        await stack.stop()
    assert (got[vm_call].fate, got[vm_call].node) == ("after_hours", "voicemail")
    assert (got[duty_call].fate, got[duty_call].node) == ("transferred_out", "on_duty")


async def test_an_answered_call_the_agent_blind_transfers_to_a_number_stays_answered(stack: Stack) -> None:
    token, console = await _agent(stack, "agent1001", ready=True)
    await console.wait_for(_state("a1001", "ready"))
    since = stack.sim.now()
    ch = await stack.call(CallerScript(caller_num=ANNA, dtmf=["1"], patience_s=300, talk_time_s=None))
    await console.wait_for(_state("a1001", "on_call"), timeout=15)
    r = await stack.post(token, "/api/agent/call/transfer", {"kind": "number", "target": "13900000000"})
    assert r.status_code == 200, r.text
    await console.wait_for(_state("a1001", "wrap_up"), timeout=15)
    call = await _settled(stack, ch, "CONNECT", timeout=30)
    rows = await stack.log_rows(call, until=kinds.BLINDTRANSFER)
    assert [r.agent for r in rows if r.kind == kinds.BLINDTRANSFER] == ["a1001"]
    got = await _fates(stack, since, 1)
    # the fate is decided by the first CONNECT; transferred_out is only the IVR's own exit
    assert (got[call].fate, got[call].agent) == ("answered", "a1001")

