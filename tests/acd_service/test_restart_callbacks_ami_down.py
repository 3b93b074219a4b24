"""A backend restarted while the AMI is unreachable: its pending callbacks are in line
(listed, counted, in their place) from start-up, and offered only from the first AMI
resync, once the legs the old process left are hung up and numbered past."""

from __future__ import annotations

import pytest
from acdrig import EXACT, Rig, wait_for

from acd.events import CallConnected
from pbx.events import ChannelCreated, ChannelHungUp
from pbx.sim.config import AgentPhone, CallerScript

OLD_LEG = "hotline-agentleg-c1-1"


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001", answer_delay_s=6.0),
            AgentPhone(endpoint="13800138000@hotline-trunk", answer_delay_s=0.5)]


async def test_pending_callbacks_are_listed_while_the_ami_is_down_and_offered_once_after(
        rig: Rig) -> None:
    await rig.service.login("a1001", "")
    first = await rig.call("c1", CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0))
    ch1 = rig.sim.find_channel(first)
    assert ch1 is not None
    rig.sim.emit.dtmf(ch1, "5", 120)  # a callback, keeping the place; the caller hangs up
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == first
                               for e in rig.events), timeout=5)
    view = rig.service.router.call("c1")
    assert view is not None and view.callback == "13800138000"
    enqueued_at = view.enqueued_at
    await rig.service.set_ready("a1001")  # its agent leg rings when the backend stops
    await wait_for(lambda: any(c.uniqueid == OLD_LEG and c.state_desc == "Ringing"
                               for c in rig.sim.channels.values()))
    old = rig.sim.find_channel(OLD_LEG)
    assert old is not None
    old_name = old.name
    await rig.service.drain()
    await rig.stop_backend()

    rig.events.clear()
    await rig.start_backend(connect=False)  # Asterisk not reached yet
    await rig.sim.sleep(2.0)
    down_at = rig.clock.now()
    # in line from start-up: listed with its enqueue time and place, counted for the
    # supervisors, but not offered (its agent is back ready and stays so)
    assert rig.service.router.waiting_calls("sales") == ["c1"]
    view = rig.service.router.call("c1")
    assert view is not None and view.state == "waiting" and view.callback == "13800138000"
    assert abs(view.enqueued_at - enqueued_at) < EXACT
    assert rig.service.router.position("c1") == 1
    snap = await rig.service.snapshot()
    (sales,) = [q for q in snap.queues if q.queue == "sales"]
    assert sales.waiting == 1
    assert abs(sales.longest_wait_s - (rig.clock.now() - enqueued_at)) < EXACT
    assert rig.state("a1001") == "ready"
    assert not rig.of(ChannelCreated)

    await rig.ami.connect()
    # the old leg is hung up; the callback is offered once, on a leg numbered past it
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    (connected,) = rig.of(CallConnected)
    assert (connected.call_id, connected.agent) == ("c1", "a1001")
    assert connected.waited_s > down_at - enqueued_at  # counted from the original enqueue
    (gone,) = [e for e in rig.events if isinstance(e, ChannelHungUp) and e.channel == old_name]
    assert gone.cause == 16
    legs = [e.uniqueid for e in rig.of(ChannelCreated)
            if e.uniqueid.startswith("hotline-agentleg-c1-")]
    assert legs == ["hotline-agentleg-c1-2"]
    await rig.flush()
    kinds = rig.kinds("c1")
    assert kinds.count("ENTERQUEUE") == 1 and kinds.count("CONNECT") == 1
    assert "RINGNOANSWER" not in kinds and "READOPT" in kinds
    connect = [r for r in rig.rows("c1") if r.kind == "CONNECT"]
    assert connect[0].data["bridged_uniqueid"] == "hotline-agentleg-c1-2"
