"""Campaign dials in flight across a backend restart (acd.service.outbound_restart, the
runner's resume in outbound.service): a new backend, the same database and Asterisk, takes
up a predictive customer waiting for an agent and the dials still ringing, and each dial's
result is logged once."""

from __future__ import annotations

import pytest
from acdrig import Rig, wait_for
from outbound_rig import NUMBER, config, phones  # noqa: F401 (fixtures)
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.events import CallConnected, CallOffered, OutboundDialEnded
from acd.requests import OutboundRequest, outbound_tag, parse_outbound_tag
from hotline import kinds
from ivr.store import IvrStore
from outbound.agentless import AgentlessCampaign
from outbound.campaign import Action
from outbound.lists import import_contacts
from outbound.models import OutboundCampaign
from outbound.pacing import PredictivePacer
from outbound.service import Campaigns, set_state
from pbx.sim import callees
from pbx.sim.config import AgentPhone, CalleeScript


async def _stored_campaign(rig: Rig, mode: str, amd: str = "off") -> None:
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    async with maker() as s:
        camp = OutboundCampaign(name="survey", mode=mode, state="running", queue="survey", amd=amd,
                                caller_id="+864008001234", hours="08:00-22:00", max_per_day=3,
                                retries="busy=600/1;failed=600/1", dispositions="resolved",
                                abandon_cap=0.03, created_at=0.0)
        s.add(camp)
        await s.flush()
        await import_contacts(s, camp, f"电话,姓名\n{NUMBER[3:]},张三\n".encode())
        await s.commit()


async def _campaigns(rig: Rig) -> Campaigns:
    campaigns = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log,
                          time_scale=rig.sim.config.speed)
    await campaigns.sync()
    return campaigns


async def _restart(rig: Rig, campaigns: Campaigns, *, down_s: float = 0.0) -> Campaigns:
    """Stop the backend (campaigns first, as the runtime does), keep Asterisk, start a new one."""
    await campaigns.save()
    campaigns.close()
    await rig.stop_backend()
    if down_s:
        until = rig.clock.now() + down_s
        await wait_for(lambda: rig.clock.now() >= until, timeout=10)
    rig.events.clear()
    await rig.start_backend()
    return await _campaigns(rig)


def _customer_waits(rig: Rig) -> bool:
    return any(c.uniqueid.startswith("hotline-custleg-") and c.app == "Wait"
               for c in rig.sim.channels.values())


async def _answered_and_waiting(rig: Rig) -> Campaigns:
    """A predictive dial answered by the customer while the only agent went on a break."""
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=4.0, talk_time_s=5.0,
                                            patience_s=60.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    await rig.service.set_not_ready("a1001", "break")
    await wait_for(lambda: _customer_waits(rig) and bool(rig.service.outbound.held("survey")),
                   timeout=10)
    await rig.service.drain()  # HOTLINE_ENQUEUED_AT / HOTLINE_REQUEST are on the channel
    return campaigns


def _results(rig: Rig) -> list[tuple[str, str | None, int | None]]:
    return [(r.data["result"], r.data.get("why"), r.data["cause"])
            for r in rig.rows() if r.kind == kinds.OUTBOUND_RESULT]


def test_the_dial_tag_survives_originate_variables() -> None:
    req = OutboundRequest(call_id="ob-survey-1-3", queue="survey", number=NUMBER,
                          caller_id="+864008001234", requested_at=1.5, campaign="survey",
                          record="1", customer_name="张三", skills=("sales",), predictive=True,
                          connect_window_s=4.0)
    tag = outbound_tag(req)
    assert "," not in tag and "=" not in tag  # Originate's Variable: splits at commas
    assert parse_outbound_tag(tag) == req
    with pytest.raises(ValueError, match="HOTLINE_OUTBOUND"):
        parse_outbound_tag("bm90IGpzb24")  # "not json"


async def test_a_waiting_predictive_customer_goes_to_the_next_agent_after_a_restart(rig: Rig) -> None:
    campaigns = await _answered_and_waiting(rig)
    (call_id,) = [c for c in campaigns.live["survey"].runner._calls]
    answered_at = rig.service.book.get(call_id).enqueued_at  # type: ignore[union-attr]
    campaigns = await _restart(rig, campaigns)
    # back in line with its answer time, for the rest of its connect window (2 s)
    assert rig.service.router.waiting_calls("survey") == [call_id]
    assert rig.service.book.get(call_id).enqueued_at == answered_at  # type: ignore[union-attr]
    await rig.service.set_ready("a1001")
    await wait_for(lambda: bool(rig.of(CallConnected)), timeout=5)
    assert rig.clock.now() < answered_at + 2.0
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.call_id, ended.result, ended.agent) == (call_id, "answered", "a1001")
    live = campaigns.live["survey"]
    assert not live.runner.in_flight() and live.runner.records["1"].status == "done"
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("answered", None, None)]  # logged once
    k = rig.kinds(call_id)
    assert k.count("ENTERQUEUE") == 1 and "READOPT" in k and "CONNECT" in k
    assert len(rig.sim.dialed) == 1  # the record was not dialed again


async def test_a_restart_past_the_connect_window_is_one_abandon_counted_by_the_pacer(rig: Rig) -> None:
    campaigns = await _answered_and_waiting(rig)
    (call_id,) = [c for c in campaigns.live["survey"].runner._calls]
    campaigns = await _restart(rig, campaigns, down_s=3.0)  # the 2 s window closed meanwhile
    await rig.service.set_ready("a1001")
    await wait_for(lambda: not _customer_waits(rig), timeout=5)  # hung up
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.call_id, ended.result, ended.why, ended.cause) == (call_id, "abandoned",
                                                                    "restart", 16)
    assert rig.of(CallOffered) == []  # no agent was rung for a customer already lost
    live = campaigns.live["survey"]
    assert isinstance(live.runner.pacer, PredictivePacer)
    assert live.runner.pacer.ledger.counts(rig.clock.now()) == (1, 1)
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("abandoned", "restart", 16)]
    assert rig.kinds(call_id).count("ABANDON") == 1
    # a later backend seeds its ledger from the log: the abandon counts against the cap
    again = await _restart(rig, await _campaigns(rig))
    pacer = again.live["survey"].runner.pacer
    assert isinstance(pacer, PredictivePacer) and pacer.ledger.counts(rig.clock.now()) == (1, 1)
    again.close()
    await rig.flush()
    assert _results(rig) == [("abandoned", "restart", 16)]  # not logged twice


async def test_a_predictive_dial_ringing_over_a_restart_gets_its_result_logged_once(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=6.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    campaigns = await _restart(rig, campaigns)  # the customer's phone still rings
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.result, ended.cause) == ("busy", 17)
    rec = campaigns.live["survey"].runner.records["1"]
    assert rec.status == "pending" and rec.next_at == pytest.approx(rig.clock.now() + 600, abs=1)
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("busy", None, 17)]
    assert len([r for r in rig.rows() if r.kind == kinds.OUTBOUND_DIAL]) == 1


async def test_a_predictive_customer_answering_after_a_restart_is_offered_as_live(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=6.0, talk_time_s=3.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    campaigns = await _restart(rig, campaigns)  # ringing; the agent comes back ready
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.result, ended.agent) == ("answered", "a1001")
    assert [e.agent for e in rig.of(CallOffered)] == ["a1001"]
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("answered", None, None)]
    k = rig.kinds(ended.call_id)
    assert k.count("ENTERQUEUE") == 1 and k.index("ENTERQUEUE") < k.index("CONNECT")


async def test_a_progressive_dial_whose_agent_is_gone_after_a_restart_is_cancelled(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=8.0, talk_time_s=5.0))
    await _stored_campaign(rig, "progressive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)  # agent answered, customer rings
    campaigns = await _restart(rig, campaigns)
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=5)
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.result, ended.why, ended.cause) == ("failed", "restart", 16)
    # neither the customer nor the agent's holding leg is left ringing or waiting
    await wait_for(lambda: not any(c.uniqueid.startswith(("hotline-custleg-", "hotline-agentleg-"))
                                   for c in rig.sim.channels.values()), timeout=5)
    assert rig.state("a1001") == "not_ready"  # the agent says when it is ready again
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("failed", "restart", 16)]


async def test_a_customer_answering_while_no_backend_runs_counts_from_the_channel(rig: Rig) -> None:
    # answered 1.5 s after the dial, while the backend is down (its OriginateResponse went
    # to no one): the answer time is unknown, so the window counts from the channel's
    # creation, the earliest it can have been; 4 s later that window is over
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=1.5, patience_s=60.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    campaigns = await _restart(rig, campaigns, down_s=4.0)
    assert not rig.service.outbound.dials
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.result, ended.why, ended.cause) == ("abandoned", "restart", 16)
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("abandoned", "restart", 16)]
    assert [k for k in rig.kinds(ended.call_id) if k in ("ENTERQUEUE", "ABANDON")] == [
        "ENTERQUEUE", "ABANDON"]


async def test_a_dial_that_ended_while_no_backend_ran_is_logged_failed_once(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=1.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    campaigns = await _restart(rig, campaigns, down_s=3.0)  # busy and gone meanwhile
    live = campaigns.live["survey"]
    assert not live.runner.in_flight()
    assert live.runner.records["1"].status == "pending"  # the retry rule for failed
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("failed", "restart", None)]
    again = await _restart(rig, await _campaigns(rig))
    again.close()
    await rig.flush()
    assert _results(rig) == [("failed", "restart", None)]  # not looked for again


async def test_an_agentless_dial_ringing_over_a_restart_gets_its_result_logged_once(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=6.0))
    await _stored_campaign(rig, "agentless")

    async def agentless() -> Campaigns:
        c = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log, ami=rig.ami,
                      answers=IvrStore(rig.engine).survey_answers,
                      dial_string=rig.service.config.customer_dial, time_scale=rig.sim.config.speed)
        await c.sync()
        return c

    campaigns = await agentless()
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    await campaigns.save()
    campaigns.close()
    await rig.stop_backend()
    await rig.start_backend()
    campaigns = await agentless()
    live = campaigns.live["survey"]
    assert live.runner.in_flight() == 1  # resumed, not dialed again
    await wait_for(lambda: not live.runner.in_flight(), timeout=10)
    assert isinstance(live, AgentlessCampaign)
    await live.wait_idle()
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("busy", None, 17)]
    assert len(rig.sim.dialed) == 1


async def test_an_agentless_leg_gone_before_its_campaign_loads_is_logged_failed(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("noanswer"))  # rings 25 s
    await _stored_campaign(rig, "agentless")
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)

    def agentless() -> Campaigns:
        return Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log, ami=rig.ami,
                         answers=IvrStore(rig.engine).survey_answers,
                         dial_string=rig.service.config.customer_dial,
                         time_scale=rig.sim.config.speed)

    campaigns = agentless()
    await campaigns.sync()
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    async with maker() as s:
        await set_state(s, "survey", Action.PAUSE)
        await s.commit()
    await campaigns.save()
    campaigns.close()
    await rig.stop_backend()
    await rig.start_backend()
    campaigns = agentless()  # not synced yet: nothing of the campaign is loaded
    rig.sim.drop_ami_connections()  # a reconnect: the resync still shows the ringing leg
    await wait_for(lambda: campaigns.last_resync is not None, timeout=10)
    assert any(s.uniqueid.startswith("hotline-ivrleg-") for s in campaigns.last_resync.channels)  # type: ignore[union-attr]
    await wait_for(lambda: not any(c.uniqueid.startswith("hotline-ivrleg-")
                                   for c in rig.sim.channels.values()), timeout=10)  # unseen
    await campaigns.sync()  # loaded paused, for its dial in flight: asked for again (Getvar)
    live = campaigns.live["survey"]
    assert isinstance(live, AgentlessCampaign) and not live.running
    await wait_for(lambda: not live.runner.in_flight(), timeout=5)
    await live.wait_idle()
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("failed", "restart", None)]
    assert len(rig.sim.dialed) == 1  # paused: not dialed again


def _in_amd(rig: Rig) -> bool:
    return any(c.uniqueid.startswith("hotline-custleg-") and c.app == "AMD"
               for c in rig.sim.channels.values())


@pytest.mark.parametrize(("behaviour", "result", "agent_rung"),
                         [("answer", "answered", True), ("machine", "machine", False)])
async def test_a_predictive_customer_in_amd_over_a_restart_is_decided_by_its_amd_status(
        rig: Rig, monkeypatch: pytest.MonkeyPatch, behaviour: str, result: str,
        agent_rung: bool) -> None:
    # AMD() listens 6 s (a long hello / greeting): it is still running while the backend
    # restarts, so its AMDSTATUS reaches only the new backend
    monkeypatch.setattr(callees, "AMD_HUMAN_S", 6.0)
    monkeypatch.setattr(callees, "AMD_MACHINE_S", 6.0)
    rig.sim.add_callee(NUMBER, CalleeScript(behaviour, answer_delay_s=1.0, talk_time_s=3.0,  # type: ignore[arg-type]
                                            patience_s=60.0, greeting_s=10.0))
    await _stored_campaign(rig, "predictive", amd="hangup")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: _in_amd(rig), timeout=5)
    campaigns = await _restart(rig, campaigns)
    assert _in_amd(rig)  # the case this test is about
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.result, ended.amd_status) == (result, "HUMAN" if agent_rung else "MACHINE")
    assert [e.agent for e in rig.of(CallOffered)] == (["a1001"] if agent_rung else [])
    await wait_for(lambda: not any(c.uniqueid.startswith(("hotline-custleg-", "hotline-agentleg-"))
                                   for c in rig.sim.channels.values()), timeout=10)
    campaigns.close()
    await rig.flush()
    assert [r[0] for r in _results(rig)] == [result]  # logged once
    k = rig.kinds(ended.call_id)
    assert k.count("ENTERQUEUE") == (1 if agent_rung else 0) and "READOPT" in k
    assert ("CONNECT" in k) == agent_rung and "ABANDON" not in k
    assert len(rig.sim.dialed) == 1


async def test_a_progressive_customer_in_amd_over_a_restart_is_ended_as_an_abandon(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    # agent first: the reserved agent came back not ready, so the customer AMD() is still
    # listening to is hung up; they had answered and got no agent: an abandon
    monkeypatch.setattr(callees, "AMD_HUMAN_S", 6.0)
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=1.0, talk_time_s=3.0,
                                            patience_s=60.0))
    await _stored_campaign(rig, "progressive", amd="hangup")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: _in_amd(rig), timeout=5)
    campaigns = await _restart(rig, campaigns)
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=5)
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.result, ended.why, ended.cause) == ("abandoned", "restart", 16)
    await wait_for(lambda: not any(c.uniqueid.startswith(("hotline-custleg-", "hotline-agentleg-"))
                                   for c in rig.sim.channels.values()), timeout=5)
    assert rig.state("a1001") == "not_ready"
    await rig.service.drain()
    assert not rig.of(OutboundDialEnded)[1:]  # the AMDSTATUS never came: nothing more
    campaigns.close()
    await rig.flush()
    assert _results(rig) == [("abandoned", "restart", 16)]


async def test_a_predictive_dial_left_with_only_its_agent_leg_is_one_abandon(rig: Rig) -> None:
    # the customer was offered to the agent, then hung up while no backend ran: the agent's
    # leg still rings for no one; the dial is an abandon (counted by the pacer), the leg is
    # hung up and the agent is back ready, as after any restart while ringing
    rig.sim.phones["agent1001"] = AgentPhone(endpoint="agent1001", behaviour="noanswer")
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=1.0, patience_s=3.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: bool(rig.of(CallOffered)), timeout=5)
    await rig.service.drain()
    (call_id,) = [c for c in campaigns.live["survey"].runner._calls]
    await campaigns.save()
    campaigns.close()
    await rig.stop_backend()
    # the customer's patience runs out meanwhile; the agent's phone rings on
    await wait_for(lambda: not any(c.uniqueid.startswith("hotline-custleg-")
                                   for c in rig.sim.channels.values()), timeout=10)
    assert any(c.uniqueid.startswith("hotline-agentleg-") for c in rig.sim.channels.values())
    rig.events.clear()
    await rig.start_backend()
    campaigns = await _campaigns(rig)
    await wait_for(lambda: not any(c.uniqueid.startswith("hotline-agentleg-")
                                   for c in rig.sim.channels.values()), timeout=5)
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.call_id, ended.result, ended.why) == (call_id, "abandoned", "restart")
    assert rig.state("a1001") == "ready"
    live = campaigns.live["survey"]
    assert isinstance(live.runner.pacer, PredictivePacer)
    assert live.runner.pacer.ledger.counts(rig.clock.now()) == (1, 1)
    assert not live.runner.in_flight()
    campaigns.close()
    await rig.flush()
    assert [r[:2] for r in _results(rig)] == [("abandoned", "restart")]
    k = rig.kinds(call_id)
    assert k.count("ENTERQUEUE") == 1 and k.count("ABANDON") == 1  # the queue row closed


async def test_a_predictive_customer_offered_at_a_restart_is_offered_again_on_a_new_leg(
        rig: Rig) -> None:
    # the agent's phone rings for the customer when the backend stops: the new backend
    # hangs that leg up and offers the customer (still in its window) on a leg numbered
    # past it, so the old leg's Hangup is not taken for the new offer's failure
    rig.sim.phones["agent1001"] = AgentPhone(endpoint="agent1001", answer_delay_s=3.0)
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=1.0, talk_time_s=3.0,
                                            patience_s=60.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: bool(rig.of(CallOffered)), timeout=5)
    await rig.service.drain()
    campaigns = await _restart(rig, campaigns)
    await wait_for(lambda: bool(rig.of(OutboundDialEnded)), timeout=10)
    (ended,) = rig.of(OutboundDialEnded)
    assert (ended.result, ended.agent) == ("answered", "a1001")
    campaigns.close()
    await rig.flush()
    k = rig.kinds(ended.call_id)
    assert "RINGNOANSWER" not in k and k.count("CONNECT") == 1
    (connect,) = [r for r in rig.rows(ended.call_id) if r.kind == "CONNECT"]
    assert connect.data["bridged_uniqueid"] == f"hotline-agentleg-{ended.call_id}-2"
