"""Offers that do not connect: RONA, busy, unreachable, and a caller leaving while the
agent rings (we must hang the agent leg up ourselves, README ami-06)."""

from __future__ import annotations

import pytest
from acdrig import Rig, wait_for

from acd.events import CallAbandoned, CallConnected, CallRingNoAnswer
from acd.service.offers import RING_MARGIN_S
from pbx.events import ChannelHungUp
from pbx.sim.config import AgentPhone, CallerScript


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001", behaviour="noanswer"),
            AgentPhone(endpoint="agent1002", answer_delay_s=0.5)]


async def test_rona_makes_agent_not_ready_and_caller_keeps_place(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=2.0, patience_s=200.0))
    await wait_for(lambda: rig.of(CallRingNoAnswer), timeout=5)
    await wait_for(lambda: rig.state("a1001") == "not_ready")
    assert rig.service.router.agent("a1001").reason == "RONA"  # type: ignore[union-attr]
    assert rig.service.router.position("c1") == 1
    await rig.login_ready("a1002")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "RINGNOANSWER", "CONNECT"]
    rona, connect = rig.rows("c1")[1:3]
    # The Originate rings RING_MARGIN_S (0.5 s) short of the queue's 10 s ring timeout,
    # so Asterisk's no-answer verdict comes first: 9.5 s.
    assert rona.agent == "a1001" and rona.data["ringtime_ms"] == int((10.0 - RING_MARGIN_S) * 1000)
    assert connect.agent == "a1002"
    # Asterisk's holdtime counts from the original enqueue, across the RONA: 9.5 s ringing
    # a1001, one POLL_S (0.1 s) until the test sees it not ready, a1002 answers in 0.5 s:
    # 10.1 s, an int in the row.
    assert connect.data["holdtime"] == 10
    pause = [r for r in rig.rows() if r.kind == "PAUSE"]
    assert [(p.agent, p.data["reason"]) for p in pause] == [("a1001", "RONA")]


@pytest.mark.parametrize("phones", [[AgentPhone(endpoint="agent1001", behaviour="busy"),
                                     AgentPhone(endpoint="agent1002")]])
async def test_busy_agent_is_not_ready_busy_and_next_agent_answers(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=2.0))
    await wait_for(lambda: rig.of(CallRingNoAnswer), timeout=5)
    await wait_for(lambda: rig.state("a1001") == "not_ready")
    assert rig.service.router.agent("a1001").reason == "busy"  # type: ignore[union-attr]
    await rig.login_ready("a1002")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "RINGNOANSWER", "CONNECT"]


@pytest.mark.parametrize("phones", [[AgentPhone(endpoint="agent1001", behaviour="unreachable")]])
async def test_unreachable_agent_is_taken_out(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1")
    await wait_for(lambda: rig.of(CallRingNoAnswer), timeout=5)
    await wait_for(lambda: rig.state("a1001") == "not_ready")
    assert rig.service.router.agent("a1001").reason == "unreachable"  # type: ignore[union-attr]
    assert rig.service.router.position("c1") == 1


async def test_caller_abandons_while_agent_rings_and_leg_is_hung_up(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], patience_s=3.0))
    await wait_for(lambda: rig.of(CallAbandoned), timeout=5)
    leg = "hotline-agentleg-c1-1"
    # Asterisk would keep ringing the agent: the backend hangs the leg up (Cause 16).
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.uniqueid == leg
                               for e in rig.events), timeout=5)
    assert rig.sim.find_channel(leg) is None
    gone = rig.of(CallAbandoned)[0]
    assert gone.while_ringing == "a1001" and gone.position == 1
    await wait_for(lambda: rig.state("a1001") == "ready")
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "ABANDON"]
    assert rig.rows("c1")[1].data["waittime"] in (2, 3)  # patience 3 s, counted from MOH
    assert not [r for r in rig.rows() if r.kind == "RINGNOANSWER"]


@pytest.mark.parametrize("phones", [[AgentPhone(endpoint="agent1001", answer_delay_s=3.0)]])
async def test_agent_answering_into_vanished_caller_goes_back_to_ready(rig: Rig) -> None:
    await rig.login_ready("a1001")
    name = await rig.call("c1", CallerScript(dtmf=[], patience_s=2.0))
    await wait_for(lambda: rig.of(CallAbandoned), timeout=5)
    await wait_for(lambda: rig.state("a1001") == "ready")
    assert rig.sim.find_channel(name) is None
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "ABANDON"]


@pytest.mark.parametrize("phones", [[AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002")]])
async def test_an_offer_that_fails_to_execute_releases_the_agent_and_is_offered_again(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Executing the Offer raises before the Originate is sent (here: the phone lookup):
    the router must not keep a1001 reserved for a call Asterisk never rang."""
    real = rig.service.ctx.endpoint_of
    broken = {"a1001"}

    def endpoint_of(agent: str) -> str:
        if agent in broken:
            broken.discard(agent)
            raise RuntimeError("the phone table is being reloaded")
        return real(agent)
    monkeypatch.setattr(rig.service.ctx, "endpoint_of", endpoint_of)
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=2.0, patience_s=200.0))
    await wait_for(lambda: rig.state("a1001") == "not_ready", timeout=5)
    assert rig.service.router.agent("a1001").reason == "unreachable"  # type: ignore[union-attr]
    assert rig.service.router.position("c1") == 1  # still waiting, its place kept
    await rig.login_ready("a1002")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    assert rig.of(CallConnected)[0].agent == "a1002"


@pytest.mark.parametrize("phones", [[AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002")]])
async def test_an_originate_asterisk_refuses_releases_the_agent(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    from pbx.ami.actions import Originate
    from pbx.ami.errors import AmiActionError

    real = rig.ami.execute
    refused: list[str] = []

    async def execute(action, **kw):
        if isinstance(action, Originate) and "agent1001" in action.channel and not refused:
            refused.append(action.channel)
            raise AmiActionError("Originate", "Extension does not exist.")
        return await real(action, **kw)
    monkeypatch.setattr(rig.ami, "execute", execute)
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=2.0, patience_s=200.0))
    await wait_for(lambda: rig.state("a1001") == "not_ready", timeout=5)
    assert refused and rig.service.router.position("c1") == 1
    await rig.login_ready("a1002")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    assert rig.of(CallConnected)[0].agent == "a1002"


@pytest.mark.parametrize("phones", [[AgentPhone(endpoint="agent1001", behaviour="noanswer"),
                                     AgentPhone(endpoint="agent1002")]])
@pytest.mark.parametrize("cause,why", [(19, "rona"), (18, "rona"), (17, "busy"), (21, "unreachable")])
async def test_the_hangup_cause_of_a_ringing_agent_leg_names_why(rig: Rig, cause: int, why: str) -> None:
    """The agent's leg hangs up while ringing (its phone or the network gave up): cause 19
    (no answer) and 18 are a RONA, 17 busy, anything else unreachable (README ami-03/04)."""
    from pbx.sim.dialplan import terminate

    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=2.0, patience_s=200.0))
    await wait_for(lambda: rig.service.book.get("c1") is not None
                   and rig.service.book.get("c1").ringing, timeout=5)  # type: ignore[union-attr]
    leg = rig.sim.find_channel(rig.service.book.get("c1").leg)  # type: ignore[union-attr, arg-type]
    assert leg is not None
    terminate(rig.sim, leg, cause, "bye")
    await wait_for(lambda: rig.of(CallRingNoAnswer), timeout=5)
    await wait_for(lambda: rig.state("a1001") == "not_ready")
    reason = {"rona": "RONA", "busy": "busy", "unreachable": "unreachable"}[why]
    assert rig.service.router.agent("a1001").reason == reason  # type: ignore[union-attr]
    assert rig.service.router.position("c1") == 1  # the caller keeps its place
    await rig.flush()
    assert [r.data["why"] for r in rig.rows("c1") if r.kind == "RINGNOANSWER"] == [why]
