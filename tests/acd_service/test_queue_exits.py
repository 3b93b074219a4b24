"""Queue exits through the service, against the simulated Asterisk: maximum wait to
voicemail, queue full, no agents logged in, overflow to another queue, and a console
transfer to a queue. The rows of the call-event log and where Asterisk sent the caller
(the channel's dialplan position in the simulator) are both checked."""

from __future__ import annotations

import pytest
from acdrig import Rig, agent, wait_for

from acd.core import Exit, ExitTo, QueueConfig
from acd.events import CallConnected
from acd.service import AcdConfig
from pbx.sim.config import CallerScript

WAITING = CallerScript(dtmf=[], patience_s=300.0, talk_time_s=None)
VOICEMAIL = Exit(ExitTo.VOICEMAIL)


@pytest.fixture
def config() -> AcdConfig:
    queues = (
        QueueConfig("sales", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0),
        QueueConfig("short", skills=("sales",), max_wait_s=10.0, on_timeout=VOICEMAIL),
        QueueConfig("tiny", skills=("sales",), max_waiting=1, on_full=VOICEMAIL),
        QueueConfig("night", skills=("sales",), on_empty=VOICEMAIL),
        QueueConfig("support", skills=("sales",), max_wait_s=12.0,
                    on_timeout=Exit(ExitTo.OVERFLOW, "sales")),
    )
    return AcdConfig(queues=queues, agents={f"a{n}": agent(n) for n in (1001, 1002)})


def _in_voicemail(rig: Rig, channel: str, queue: str) -> bool:
    ch = rig.sim.find_channel(channel)
    return (ch is not None and ch.context == "hotline-voicemail"
            and ch.vars.get("HOTLINE_QUEUE") == queue and ch.bridge is None and not ch.moh)


async def test_maximum_wait_sends_the_caller_to_voicemail(rig: Rig) -> None:
    caller = await rig.call("c1", WAITING, queue="short")
    await wait_for(lambda: _in_voicemail(rig, caller, "short"), timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "EXITWITHTIMEOUT"]
    row = rig.rows("c1")[1]
    assert row.queue == "short" and row.data["to"] == "voicemail"
    # max_wait_s 10 plus TIMER_LAG_S (0.02 s): 10.02 s, an int in the row
    assert row.data["waittime"] == 10 and row.data["position"] == 1


async def test_a_full_queue_turns_the_next_caller_away(rig: Rig) -> None:
    first = await rig.call("c1", WAITING, queue="tiny")
    second = await rig.call("c2", WAITING, queue="tiny")
    await wait_for(lambda: _in_voicemail(rig, second, "tiny"), timeout=5)
    ch = rig.sim.find_channel(first)
    assert ch is not None and ch.moh  # the first caller keeps waiting
    assert rig.service.router.waiting_calls("tiny") == ["c1"]
    await rig.flush()
    assert rig.kinds("c2") == ["FULL"]
    assert rig.rows("c2")[0].data["to"] == "voicemail"
    assert rig.kinds("c1") == ["ENTERQUEUE"]


async def test_no_agent_logged_in_exits_empty_to_its_destination(rig: Rig) -> None:
    caller = await rig.call("c1", WAITING, queue="night")
    await wait_for(lambda: _in_voicemail(rig, caller, "night"), timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["EXITEMPTY"]
    assert (rig.rows("c1")[0].queue, rig.rows("c1")[0].data["to"]) == ("night", "voicemail")


async def test_overflow_keeps_the_enqueue_time_and_is_answered_in_the_target_queue(rig: Rig) -> None:
    await rig.service.login("a1001", "")  # a sales agent, busy with paperwork
    caller = await rig.call("c1", WAITING, queue="support")
    await rig.sim.sleep(14.0)  # past support's 12 s: now in sales
    assert rig.service.router.waiting_calls("sales") == ["c1"]
    await rig.service.set_ready("a1001")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    ch = rig.sim.find_channel(caller)
    assert ch is not None and ch.bridge is not None
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "EXITWITHTIMEOUT", "ENTERQUEUE", "CONNECT"]
    enter, out, enter2, connect = rig.rows("c1")
    assert (enter.queue, out.queue, enter2.queue, connect.queue) == (
        "support", "support", "sales", "sales")
    assert out.data["to"] == "overflow:sales"
    # counted from the enqueue in support: the 14 s slept, then a1001 answers in 0.3 s
    assert connect.data["holdtime"] == 14
    assert rig.of(CallConnected)[0].queue == "sales"


async def test_transfer_to_a_queue_re_enters_it_and_is_answered_there(rig: Rig) -> None:
    await rig.login_ready("a1001")
    caller = await rig.call("c1", WAITING)
    await wait_for(lambda: rig.of(CallConnected))
    await rig.login_ready("a1002")
    await rig.sim.sleep(2.0)
    await rig.service.transfer("a1001", "queue", "sales", attended=False)
    await wait_for(lambda: len(rig.of(CallConnected)) == 2, timeout=5)
    assert rig.state("a1001") == "wrap_up"
    assert rig.of(CallConnected)[1].agent == "a1002"
    ch = rig.sim.find_channel(caller)
    assert ch is not None and ch.bridge is not None
    peer = ch.peer()
    assert peer is not None and peer.name.startswith("PJSIP/agent1002-")
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "BLINDTRANSFER", "ENTERQUEUE", "CONNECT"]
    xfer = rig.rows("c1")[2]
    assert (xfer.agent, xfer.data["extension"], xfer.data["context"]) == (
        "a1001", "sales", "hotline-wait")
    # the 2 s slept, plus the one 0.1 s poll that saw a1001 connected: 2.1 s, an int
    assert xfer.data["calltime"] == 2
    assert rig.rows("c1")[4].agent == "a1002"
