"""A predictive campaign live over the simulated Asterisk: customers are dialed ahead of
the free agents, an answered customer is offered to a ready agent by the router like an
inbound call, and one no agent takes within the connect window is an abandon, logged
with its cause; blending gives inbound the agent first; AMD follows the campaign."""

from __future__ import annotations

import asyncio
from datetime import time

import pytest
from acdrig import Rig, agent, wait_for

from acd.core import Membership, QueueConfig
from acd.events import AgentStateChanged, CallConnected, CallOffered, OutboundDialEnded
from acd.requests import OutboundRequest
from acd.service import AcdConfig, AgentProfile
from hotline import kinds
from outbound.campaign import CampaignError, Mode
from outbound.compliance import CallingHours, Compliance, DialResult, DncList, RetryRule
from outbound.dialer import Record, Runner
from outbound.live import LiveCampaign
from outbound.pacing import AbandonLedger, DialStats, PredictivePacer, ProgressivePacer
from pbx.sim.config import AgentPhone, CalleeScript, CallerScript


def _profile(aid: str, queues: dict[str, Membership]) -> AgentProfile:
    a = agent(1001).agent.__class__(aid, {"sales": 5}, frozenset({"zh"}), queues=queues)
    return AgentProfile(a, f"PJSIP/agent{aid[1:]}")


@pytest.fixture
def config() -> AcdConfig:
    qs = (QueueConfig("sales", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0),
          QueueConfig("survey", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0))
    # a1001 is blended: inbound "sales" in the higher tier, the campaign below it
    return AcdConfig(queues=qs, agents={
        "a1001": _profile("a1001", {"sales": Membership(priority=1), "survey": Membership(priority=0)})})


def measured_pacer(rig: Rig, theta: float = 0.5) -> PredictivePacer:
    """Past warm-up and measured: 30 % live answering 4-15 s after the dial."""
    ledger, stats = AbandonLedger(), DialStats()
    for i in range(1000):
        ledger.answered(rig.clock.now() - 86400.0 + i)  # yesterday's answers: the rate is 0
    for i in range(140):
        stats.dial_finished(live=False, answer_delay_s=3.0 if i % 4 == 0 else 25.0)
    for i in range(60):
        stats.dial_finished(live=True, answer_delay_s=4.0 + 11.0 * i / 59)
    return PredictivePacer(ledger, stats, theta=theta)


def campaign(rig: Rig, records: list[Record], pacer: PredictivePacer | ProgressivePacer,
             mode: Mode = Mode.PREDICTIVE, **kw: object) -> LiveCampaign:
    comp = Compliance(DncList(), CallingHours.daily(time(0), time(23, 59)), max_per_day=3)
    runner = Runner("survey", "+864008001234", pacer, comp, records, rig.log,
                    retries={DialResult.BUSY: RetryRule(60.0, 1)})
    return LiveCampaign(runner, rig.service, rig.bus, rig.clock, queue="survey", mode=mode,
                        time_scale=rig.sim.config.speed, **kw)  # type: ignore[arg-type]


def wraps_up(rig: Rig) -> None:
    def on_state(ev: AgentStateChanged) -> None:
        if ev.state == "wrap_up":
            asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(
                rig.service.wrap_up(ev.agent, "resolved", "", None)))
    rig.bus.subscribe(AgentStateChanged, on_state)


def no_double_offers(rig: Rig) -> list[str]:
    """Records an error whenever an agent is offered a call while not ready."""
    errors: list[str] = []

    def on_offer(ev: CallOffered) -> None:
        view = rig.service.router.agent(ev.agent)
        if view is not None and view.call_id not in (None, ev.call_id):
            errors.append(f"{ev.agent} offered {ev.call_id} while on {view.call_id}")
    rig.bus.subscribe(CallOffered, on_offer)
    return errors


NUMBERS = [f"+86138001380{i:02d}" for i in range(4)]


async def test_predictive_dials_ahead_and_an_answer_with_no_agent_is_a_logged_abandon(rig: Rig) -> None:
    sim = rig.sim
    # two people answer close together, one agent: the second finds nobody free
    sim.add_callee(NUMBERS[0], CalleeScript("answer", answer_delay_s=4.0, talk_time_s=20.0))
    sim.add_callee(NUMBERS[1], CalleeScript("answer", answer_delay_s=5.0, talk_time_s=20.0,
                                            patience_s=30.0))
    sim.add_callee(NUMBERS[2], CalleeScript("busy", busy_after_s=2.0))
    sim.add_callee(NUMBERS[3], CalleeScript("noanswer"))
    wraps_up(rig)
    errors = no_double_offers(rig)
    pacer = measured_pacer(rig)
    live = campaign(rig, [Record(str(i), n) for i, n in enumerate(NUMBERS)], pacer,
                    ring_s=10.0)
    await rig.login_ready("a1001")
    live.start()
    await wait_for(lambda: len(sim.dialed) >= 2, timeout=5)
    assert rig.of(CallOffered) == []  # dialed ahead: two customers, one agent, none reserved
    await wait_for(lambda: all(r.status == "done" for r in live.runner.records.values())
                   and not live.runner.in_flight(), timeout=60)
    live.close()
    assert errors == []
    by = {e.number: e for e in rig.of(OutboundDialEnded) if e.result != "busy"}
    assert (by[NUMBERS[0]].result, by[NUMBERS[0]].agent) == ("answered", "a1001")
    gone = by[NUMBERS[1]]
    assert (gone.result, gone.why, gone.cause, gone.agent) == ("abandoned", "no_agent", 16, None)
    assert by[NUMBERS[3]].result == "no_answer"
    busy = [e for e in rig.of(OutboundDialEnded) if e.number == NUMBERS[2]]
    assert [e.result for e in busy] == ["busy", "busy"]  # retried once by the rule
    # the pacer's ledger counted the abandon; the call-event log has it with its cause
    assert pacer.ledger.counts(rig.clock.now()) == (1002, 1)
    await rig.flush()
    rows = rig.rows()
    results = {(r.data["number"], r.data["result"]): r for r in rows if r.kind == kinds.OUTBOUND_RESULT}
    ab = results[(NUMBERS[1], "abandoned")]
    assert (ab.data["cause"], ab.data["why"]) == (16, "no_agent")
    assert "ABANDON" in rig.kinds(ab.call_id)  # it left the queue as an abandon
    assert "CONNECT" in rig.kinds(results[(NUMBERS[0], "answered")].call_id)


async def test_a_customer_hanging_up_while_held_is_an_abandon_with_the_cause(rig: Rig) -> None:
    sim = rig.sim
    sim.add_callee(NUMBERS[0], CalleeScript("answer", answer_delay_s=4.0, patience_s=1.0))
    await rig.service.login("a1001", "")  # logged in, not ready: nobody takes the call
    rig.service.dial_out(OutboundRequest(
        call_id="pd1", queue="survey", number=NUMBERS[0], caller_id="4008001234",
        requested_at=rig.service.now(), campaign="survey", predictive=True,
        connect_window_s=5.0))
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    (e,) = rig.of(OutboundDialEnded)
    # a 5 s connect window: the customer's patience (1 s) ran out first
    assert (e.result, e.why, e.cause) == ("abandoned", "customer_left", 0)
    assert rig.service.book.get("pd1") is None
    await rig.flush()
    assert "ABANDON" in rig.kinds("pd1")


async def test_a_blended_agent_gets_inbound_before_an_answered_predictive_customer(rig: Rig) -> None:
    sim = rig.sim
    sim.add_callee(NUMBERS[0], CalleeScript("answer", answer_delay_s=6.0, talk_time_s=10.0,
                                            patience_s=30.0))
    wraps_up(rig)
    errors = no_double_offers(rig)
    await rig.service.login("a1001", "")
    live = campaign(rig, [Record("0", NUMBERS[0])], measured_pacer(rig), ring_s=10.0)
    await rig.service.set_ready("a1001")
    live.start()
    await wait_for(lambda: len(sim.dialed) == 1, timeout=5)
    # an inbound caller arrives while the customer's phone rings
    await rig.call("in1", CallerScript(dtmf=[], patience_s=600.0, talk_time_s=20.0))
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=30)
    live.close()
    assert rig.of(CallConnected)[0].call_id == "in1"  # inbound first, by tier
    (e,) = rig.of(OutboundDialEnded)
    assert (e.result, e.why) == ("abandoned", "no_agent")  # the agent was on the inbound call
    assert errors == []


@pytest.mark.parametrize(("amd", "result", "agent_state"), [
    ("hangup", "machine", "ready"), ("message", "machine", "ready"), ("agent", "machine", "on_call")])
async def test_machine_detection_in_a_live_predictive_campaign(rig: Rig, amd: str, result: str,
                                                               agent_state: str) -> None:
    rig.sim.add_callee(NUMBERS[0], CalleeScript("machine", answer_delay_s=3.0, talk_time_s=30.0))
    extra = {"amd_message": "hotline/survey-notice"} if amd == "message" else {}
    live = campaign(rig, [Record("0", NUMBERS[0])], measured_pacer(rig), amd=amd, ring_s=10.0,
                    **extra)
    await rig.login_ready("a1001")
    live.start()
    if amd == "message":  # the dialplan leaves the notice; no agent is involved
        await wait_for(lambda: any(c.app == "Playback" and c.app_data == "hotline/survey-notice"
                                   for c in rig.sim.channels.values()), timeout=10)
        assert rig.of(CallOffered) == []
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=20)
    live.close()
    (e,) = rig.of(OutboundDialEnded)
    assert (e.result, e.amd_status) == (result, "MACHINE")
    await wait_for(lambda: rig.state("a1001") == agent_state, timeout=5)
    assert live.runner.records["0"].results == [DialResult.MACHINE]


@pytest.mark.parametrize(("amd", "result", "agent_state"), [
    ("hangup", "machine", "ready"), ("agent", "machine", "on_call")])
async def test_machine_detection_in_a_live_progressive_campaign(rig: Rig, amd: str, result: str,
                                                                agent_state: str) -> None:
    rig.sim.add_callee(NUMBERS[0], CalleeScript("machine", answer_delay_s=3.0, talk_time_s=30.0))
    live = campaign(rig, [Record("0", NUMBERS[0])], ProgressivePacer(), Mode.PROGRESSIVE,
                    amd=amd, ring_s=10.0)
    await rig.login_ready("a1001")
    live.start()
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    live.close()
    (e,) = rig.of(OutboundDialEnded)
    assert (e.result, e.amd_status, e.agent) == (result, "MACHINE", "a1001")
    await wait_for(lambda: rig.state("a1001") == agent_state, timeout=5)
    await rig.flush()
    logged = [r.data["result"] for r in rig.rows() if r.kind == kinds.OUTBOUND_RESULT]
    assert logged == ["machine"]


def test_a_live_campaign_needs_the_pacer_of_its_mode(rig: Rig) -> None:
    comp = Compliance(DncList(), CallingHours.daily(time(8), time(22)))
    runner = Runner("x", "+864008001234", ProgressivePacer(), comp, [], rig.log)
    with pytest.raises(CampaignError, match="PredictivePacer"):
        LiveCampaign(runner, rig.service, rig.bus, rig.clock, queue="survey", mode=Mode.PREDICTIVE)
    runner.pacer = PredictivePacer(AbandonLedger(), DialStats())
    with pytest.raises(CampaignError, match="ProgressivePacer"):
        LiveCampaign(runner, rig.service, rig.bus, rig.clock, queue="survey")


def _two_agents() -> AcdConfig:
    qs = (QueueConfig("survey", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0),)
    return AcdConfig(queues=qs, agents={
        a: _profile(a, {"survey": Membership(priority=0)}) for a in ("a1001", "a1002")})


def _predictive(rig: Rig, call_id: str, number: str) -> None:
    rig.service.dial_out(OutboundRequest(
        call_id=call_id, queue="survey", number=number, caller_id="4008001234",
        requested_at=rig.service.now(), campaign="survey", predictive=True,
        connect_window_s=2.0))


@pytest.mark.parametrize("phones", [[AgentPhone("agent1001", behaviour="noanswer")]])
async def test_an_offer_failing_after_the_connect_window_is_an_abandon_and_a_rona(rig: Rig) -> None:
    # the only agent is offered at once but never answers (RONA after ~9.5 s): the customer
    # must not wait on until they give up (patience 60 s) but be hung up as an abandon, and
    # the agent goes not ready (RONA) as after an inbound ring-no-answer, not back to ready
    rig.sim.add_callee(NUMBERS[0], CalleeScript("answer", answer_delay_s=3.0, patience_s=60.0))
    pacer = measured_pacer(rig)
    live = campaign(rig, [Record("0", NUMBERS[0])], pacer, ring_s=10.0)
    await rig.login_ready("a1001")
    live.start()
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=30)
    live.close()
    assert [e.agent for e in rig.of(CallOffered)] == ["a1001"]
    (e,) = rig.of(OutboundDialEnded)
    assert (e.result, e.why, e.cause, e.agent) == ("abandoned", "agent_failed", 16, None)
    assert rig.service.book.get(e.call_id) is None
    assert rig.service.router.call(e.call_id) is None  # not back in line
    assert pacer.ledger.counts(rig.clock.now()) == (1001, 1)  # counted against the cap
    assert rig.state("a1001") == "not_ready"
    assert rig.service.router.agent("a1001").reason == "RONA"  # type: ignore[union-attr]
    states = [(s.state, s.reason) for s in rig.of(AgentStateChanged) if s.agent == "a1001"]
    assert states[-1] == ("not_ready", "RONA")
    await rig.flush()
    queue_rows = [k for k in rig.kinds(e.call_id) if not k.startswith("OUTBOUND_")]
    assert queue_rows == ["ENTERQUEUE", "RINGNOANSWER", "ABANDON"]
    pause = [r for r in rig.rows() if r.kind == "PAUSE"]  # one per queue of a1001
    assert sorted((p.agent, p.queue, p.data["reason"]) for p in pause) == [
        ("a1001", "sales", "RONA"), ("a1001", "survey", "RONA")]
    ab = [r for r in rig.rows() if r.kind == kinds.OUTBOUND_RESULT]
    assert [(r.data["result"], r.data["why"], r.data["cause"]) for r in ab] == [
        ("abandoned", "agent_failed", 16)]
    await wait_for(lambda: not any(c.app == "Bridge" or c.uniqueid.startswith("hotline-custleg")
                                   for c in rig.sim.channels.values()), timeout=5)


def _one_agent(ring_timeout_s: float) -> AcdConfig:
    qs = (QueueConfig("survey", skills=("sales",), ring_timeout_s=ring_timeout_s, wrap_up_s=5.0),)
    return AcdConfig(queues=qs, agents={"a1001": _profile("a1001", {"survey": Membership()})})


# The agent's leg rings with Originate Timeout = the ring timeout - 0.5 s, at least 1 s: with
# a 0.8 s ring timeout the router's own ring timer fires first (0.8 s; it hangs the leg up,
# cause 16), with 1.6 s Asterisk's no-answer verdict (1.1 s, cause 19) comes first.
@pytest.mark.parametrize("phones", [[AgentPhone("agent1001", behaviour="noanswer")]])
@pytest.mark.parametrize(("config", "first"), [(_one_agent(0.8), "router"),
                                               (_one_agent(1.6), "asterisk")],
                         ids=["router_timer_first", "asterisk_verdict_first"])
async def test_a_late_offer_failing_is_one_abandon_whichever_verdict_comes_first(
        rig: Rig, first: str) -> None:
    from pbx.events import ChannelHungUp

    rig.sim.add_callee(NUMBERS[0], CalleeScript("answer", answer_delay_s=3.0, patience_s=60.0))
    await rig.service.login("a1001", "")  # not ready when the customer answers
    _predictive(rig, "pl1", NUMBERS[0])
    await wait_for(lambda: bool(rig.service.outbound.held("survey")), timeout=10)
    answered_at = rig.service.book.get("pl1").enqueued_at  # type: ignore[union-attr]
    await wait_for(lambda: rig.clock.now() >= answered_at + 1.5)  # late in the 2 s window
    await rig.service.set_ready("a1001")
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    await rig.service.drain()
    # the order this case is about: the router hangs the leg up (16) or Asterisk did (19)
    (leg,) = [e for e in rig.events if isinstance(e, ChannelHungUp)
              and e.uniqueid.startswith("hotline-agentleg-")]
    assert leg.cause == {"router": 16, "asterisk": 19}[first]
    assert [e.agent for e in rig.of(CallOffered)] == ["a1001"]
    (e,) = rig.of(OutboundDialEnded)
    assert (e.result, e.why, e.cause, e.agent) == ("abandoned", "agent_failed", 16, None)
    assert rig.service.book.get("pl1") is None
    assert rig.service.router.call("pl1") is None  # not back in line
    assert rig.state("a1001") == "not_ready"
    assert rig.service.router.agent("a1001").reason == "RONA"  # type: ignore[union-attr]
    await wait_for(lambda: not any(c.uniqueid.startswith(("hotline-custleg", "hotline-agentleg"))
                                   for c in rig.sim.channels.values()), timeout=5)
    await rig.flush()
    assert [k for k in rig.kinds("pl1") if not k.startswith("OUTBOUND_")] == [
        "ENTERQUEUE", "RINGNOANSWER", "ABANDON"]
    assert len(rig.of(OutboundDialEnded)) == 1


@pytest.mark.parametrize("phones", [[AgentPhone("agent1001", behaviour="noanswer")]])
@pytest.mark.parametrize("config", [_one_agent(10.0)])
async def test_an_offer_withdrawn_after_the_window_is_an_abandon_for_no_agent(rig: Rig) -> None:
    rig.sim.add_callee(NUMBERS[0], CalleeScript("answer", answer_delay_s=3.0, patience_s=60.0))
    await rig.service.login("a1001", "")
    _predictive(rig, "pl2", NUMBERS[0])
    await wait_for(lambda: bool(rig.service.outbound.held("survey")), timeout=10)
    answered_at = rig.service.book.get("pl2").enqueued_at  # type: ignore[union-attr]
    await wait_for(lambda: rig.clock.now() >= answered_at + 1.5)
    await rig.service.set_ready("a1001")  # offered within the window, rings on
    await wait_for(lambda: rig.clock.now() >= answered_at + 2.5)
    await rig.service.set_not_ready("a1001", "break")  # the offer is withdrawn
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    (e,) = rig.of(OutboundDialEnded)
    assert (e.result, e.why, e.cause) == ("abandoned", "no_agent", 16)
    assert rig.service.router.call("pl2") is None and rig.service.book.get("pl2") is None
    assert (rig.state("a1001"), rig.service.router.agent("a1001").reason) == (  # type: ignore[union-attr]
        "not_ready", "break")
    await wait_for(lambda: not any(c.uniqueid.startswith(("hotline-custleg", "hotline-agentleg"))
                                   for c in rig.sim.channels.values()), timeout=5)
    await rig.flush()
    assert [k for k in rig.kinds("pl2") if not k.startswith("OUTBOUND_")] == [
        "ENTERQUEUE", "ABANDON"]


@pytest.mark.parametrize("phones", [[AgentPhone("agent1001", behaviour="busy"),
                                     AgentPhone("agent1002")]])
@pytest.mark.parametrize("config", [_two_agents()])
async def test_an_offer_failing_within_the_window_goes_to_the_next_free_agent(rig: Rig) -> None:
    rig.sim.add_callee(NUMBERS[0], CalleeScript("answer", answer_delay_s=3.0, talk_time_s=5.0,
                                                patience_s=60.0))
    await rig.login_ready("a1001")
    await rig.login_ready("a1002")  # idle the shorter: a1001 is offered first
    _predictive(rig, "pf2", NUMBERS[0])
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=30)
    assert [e.agent for e in rig.of(CallOffered)] == ["a1001", "a1002"]  # busy: failed at once
    (e,) = rig.of(OutboundDialEnded)
    assert (e.result, e.agent) == ("answered", "a1002")
    await rig.flush()
    assert rig.kinds("pf2") == ["ENTERQUEUE", "RINGNOANSWER", "CONNECT"]


async def test_a_preview_record_counts_its_attempt_on_the_dial_click_not_the_offer(rig: Rig) -> None:
    rig.sim.add_callee(NUMBERS[1], CalleeScript("answer", answer_delay_s=2.0, talk_time_s=3.0))
    live = campaign(rig, [Record("0", NUMBERS[0]), Record("1", NUMBERS[1])], ProgressivePacer(),
                    Mode.PREVIEW, ring_s=10.0)
    await rig.login_ready("a1001")
    live.start()
    await wait_for(lambda: rig.state("a1001") == "previewing", timeout=5)
    first = next(r for r in live.runner.records.values() if r.status == "dialing")
    assert first.dials == []  # on screen, not dialed: attempts 0
    await rig.service.skip_preview("a1001")
    await wait_for(lambda: first.status == "done", timeout=5)
    assert first.dials == [] and first.results == [DialResult.SKIPPED]  # a skip is no attempt
    await wait_for(lambda: rig.state("a1001") == "previewing", timeout=5)
    second = next(r for r in live.runner.records.values() if r.status == "dialing")
    assert second.dials == [] and rig.sim.dialed == []
    clicked = rig.clock.now()
    await rig.service.dial_preview("a1001")
    assert second.dials == [clicked]
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)) and second.status == "done", timeout=20)
    live.close()
    await rig.flush()
    dials = [r for r in rig.rows() if r.kind == kinds.OUTBOUND_DIAL]
    assert [r.data["record"] for r in dials] == [second.id]
