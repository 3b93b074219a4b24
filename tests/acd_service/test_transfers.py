"""Transfers keep the accounting right: talk time ends at the transfer, hold time is
carried, the right queue_log verb is written, and the agent goes to wrap-up."""

from __future__ import annotations

import pytest
from acdrig import Rig, wait_for

from acd.events import CallConnected, CallTransferred
from pbx.sim.config import AgentPhone, CallerScript


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002", answer_delay_s=0.5)]


async def test_blind_transfer_to_agent_logs_blindtransfer_with_talk_and_hold(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=None, hold_after_s=2.0,
                                      hold_for_s=3.0))
    await wait_for(lambda: rig.of(CallConnected))
    await wait_for(lambda: rig.service.book.by_agent["a1001"].hold_s > 0, timeout=5)
    await rig.sim.sleep(1.0)
    await rig.service.transfer("a1001", "agent", "a1002", attended=False)
    await wait_for(lambda: rig.state("a1001") == "wrap_up")
    # the caller now rings agent1002 from its own Dial() (ami-07b)
    await wait_for(lambda: any(c.endpoint == "agent1002" and c.bridge is not None
                               for c in rig.sim.channels.values()), timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "BLINDTRANSFER"]
    row = rig.rows("c1")[2]
    assert (row.data["extension"], row.data["context"]) == ("1002", "hotline-agent-dial")
    # The caller's hold (3 s, from 2 s after the answer) is counted when it ends at 5 s;
    # one 0.1 s poll sees it, the transfer comes 1 s later: 6.1 s of talk, hold included.
    assert row.data["calltime"] == 6 and row.data["hold_s"] == 3.0
    assert rig.of(CallTransferred)[0].kind == "blind"


async def test_attended_transfer_completes_on_agent_hangup(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=None))
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.transfer("a1001", "agent", "a1002", attended=True)
    await rig.sim.sleep(1.0)
    await rig.service.complete_transfer("a1001")
    await wait_for(lambda: rig.of(CallTransferred), timeout=5)
    await wait_for(lambda: rig.state("a1001") == "wrap_up")
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "ATTENDEDTRANSFER"]
    row = rig.rows("c1")[2]
    assert (row.data["method"], row.data["target"]) == ("BRIDGE", "1002")
