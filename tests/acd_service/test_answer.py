"""Agent first, end to end through the simulated Asterisk: offer, ring, answer, bridge."""

from __future__ import annotations

import pytest
from acdrig import EXACT, Rig, wait_for

from acd.events import AgentStateChanged, CallCompleted, CallConnected, CallOffered
from pbx.sim.config import CallerScript


async def test_normal_answer_connects_caller_and_completes(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=4.0))
    await wait_for(lambda: rig.of(CallCompleted), timeout=5)
    await wait_for(lambda: rig.state("a1001") == "ready", timeout=5)  # wrap-up 5 s ran out
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    offered = rig.of(CallOffered)[0]
    connected = rig.of(CallConnected)[0]
    assert (offered.agent, offered.caller_name) == ("a1001", "张安娜")
    # the agent's phone answers after its answer_delay_s (0.3 s by default)
    assert connected.at - offered.at == pytest.approx(0.3, abs=EXACT)
    done = rig.of(CallCompleted)[0]
    assert done.by == "caller" and done.talk_s == pytest.approx(4.0, abs=EXACT)  # the script's
    states = [e.state for e in rig.of(AgentStateChanged) if e.agent == "a1001"]
    assert states[-5:] == ["reserved", "ringing", "on_call", "wrap_up", "ready"]
    connect = rig.rows("c1")[1]
    assert connect.agent == "a1001" and connect.queue == "sales"
    assert connect.data["bridged_uniqueid"] == "hotline-agentleg-c1-1"


async def test_connect_starts_mixmonitor_inside_the_store_and_indexes_it(rig: Rig) -> None:
    from sqlalchemy import select

    from pbx.events import RecordingStarted
    from recordings.models import Recording

    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=2.0))
    await wait_for(lambda: rig.of(RecordingStarted), timeout=5)
    await wait_for(lambda: rig.of(CallCompleted), timeout=5)
    await rig.flush()
    async with rig.engine.connect() as conn:
        rows = (await conn.execute(select(Recording.call_id, Recording.path, Recording.policy))).all()
    assert [(r.call_id, r.policy) for r in rows] == [("c1", "all")]
    from recordings.recorder import StoreRecorder

    assert isinstance(rig.service.recorder, StoreRecorder)
    full = rig.service.recorder.store.resolve(rows[0].path)
    assert rig.of(RecordingStarted)[0].filename == str(full)
