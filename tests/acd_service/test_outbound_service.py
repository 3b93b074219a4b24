"""Campaigns stored in the database run in the ACD (outbound.service): started by their
stored state, records' progress written back, figures from the call-event log."""

from __future__ import annotations

import asyncio

import pytest
from acdrig import Rig, agent, wait_for
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.admin.models import AcdQueue
from acd.core import Membership, QueueConfig
from acd.events import AgentStateChanged
from acd.service import AcdConfig, AgentProfile
from hotline import kinds
from ivr.store import IvrStore
from outbound.agentless import AgentlessCampaign, LinesPacer
from outbound.campaign import Action, CampaignError
from outbound.lists import import_contacts
from outbound.models import OutboundCampaign, OutboundDnc, OutboundRecord
from outbound.pacing import PredictivePacer
from outbound.service import Campaigns, figures, set_state
from pbx.sim.config import CalleeScript


@pytest.fixture
def config() -> AcdConfig:
    qs = (QueueConfig("huifang", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=30.0),)
    prof = AgentProfile(agent(1001).agent.__class__("a1001", {"sales": 5}, frozenset({"zh"}),
                                                    queues={"huifang": Membership()}), "PJSIP/agent1001")
    return AcdConfig(queues=qs, agents={"a1001": prof})


async def test_a_stored_campaign_runs_when_started_and_writes_its_progress(rig: Rig) -> None:
    rig.sim.add_callee("+8613800138000", CalleeScript("answer", answer_delay_s=3.0, talk_time_s=10.0))
    rig.sim.add_callee("+8613900139000", CalleeScript("busy"))
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    async with maker() as s:
        camp = OutboundCampaign(name="huifang", mode="progressive", state="draft", queue="huifang",
                                caller_id="+864008001234", hours="08:00-22:00", max_per_day=3,
                                retries="busy=3600/1", dispositions="resolved", abandon_cap=0.03,
                                created_at=0.0)
        s.add(camp)
        await s.flush()
        await import_contacts(s, camp, "电话,姓名\n13800138000,张三\n13900139000,李四\n"
                                       "13600136000,王五\n".encode())
        s.add(OutboundDnc(campaign_id=None, number="+8613600136000", added_at=0.0))
        await s.commit()
    def wraps(ev: AgentStateChanged) -> None:
        if ev.state == "wrap_up":
            asyncio.get_running_loop().call_soon(
                lambda: asyncio.ensure_future(rig.service.wrap_up(ev.agent, "resolved", "", None)))
    rig.bus.subscribe(AgentStateChanged, wraps)
    campaigns = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log,
                          time_scale=rig.sim.config.speed)
    await rig.login_ready("a1001")
    await campaigns.sync()
    assert campaigns.live == {}  # a draft does not dial
    async with maker() as s:
        await set_state(s, "huifang", Action.START)
        await s.commit()
        with pytest.raises(CampaignError, match="running campaign cannot start"):
            await set_state(s, "huifang", Action.START)
    await campaigns.sync()
    live = campaigns.live["huifang"]
    await wait_for(lambda: live.figures.dialed == 2 and not live.runner.in_flight(), timeout=10)
    async with maker() as s:
        await set_state(s, "huifang", Action.PAUSE)
        await s.commit()
    await campaigns.sync()
    assert not live.running
    async with maker() as s:
        rows = {r.number: (r.status, r.attempts, r.last_result) for r in
                (await s.execute(select(OutboundRecord))).scalars()}
    assert rows == {"+8613800138000": ("done", 1, "answered"),
                    "+8613900139000": ("pending", 1, "busy"),  # retried in an hour
                    "+8613600136000": ("refused", 0, None)}  # global DNC
    await rig.flush()
    (fig,) = await figures(rig.engine, rig.service, rig.clock.now())
    assert (fig.state, fig.records, fig.dialed_records, fig.dials, fig.connected, fig.refused) == (
        "paused", 3, 2, 2, 1, 1)
    assert fig.penetration == pytest.approx(2 / 3) and fig.abandon_rate == 0.0
    assert sum(fig.agents_by_state.values()) == 1
    campaigns.close()


async def test_a_stored_predictive_campaign_paces_on_the_logged_thirty_day_rate(rig: Rig) -> None:
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    async with maker() as s:
        s.add(OutboundCampaign(name="survey", mode="predictive", state="running", queue="huifang",
                               caller_id="+864008001234", hours="08:00-22:00", max_per_day=3,
                               retries="busy=3600/1", dispositions="resolved", abandon_cap=0.02,
                               created_at=0.0))
        await s.commit()
    now = rig.clock.now()
    for i, (age_days, result) in enumerate([(1, "answered"), (2, "abandoned"), (3, "busy"),
                                            (29, "answered"), (31, "abandoned")]):
        rig.log.log(f"ob-{i}", kinds.OUTBOUND_RESULT, ts=now - age_days * 86400.0, queue="survey",
                    data={"record": str(i), "number": "+8613800138000", "result": result})
    rig.log.log("other", kinds.OUTBOUND_RESULT, ts=now - 3600.0, queue="huifang",
                data={"record": "9", "number": "+8613800138000", "result": "abandoned"})
    await rig.flush()
    campaigns = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log,
                          time_scale=rig.sim.config.speed)
    await campaigns.sync()
    pacer = campaigns.live["survey"].runner.pacer
    assert isinstance(pacer, PredictivePacer) and pacer.cap == 0.02
    # 30 days of this campaign: 3 live answers (2 answered, 1 abandoned); day 31 forgotten
    assert pacer.ledger.counts(rig.clock.now()) == (3, 1)
    campaigns.close()


async def test_a_stored_agentless_campaign_needs_the_ivr_store_and_runs_with_lines(rig: Rig) -> None:
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    async with maker() as s:
        s.add(OutboundCampaign(name="notice", mode="agentless", state="running", queue="huifang",
                               caller_id="+864008001234", hours="08:00-22:00", max_per_day=3,
                               retries="busy=3600/1", dispositions="resolved", abandon_cap=0.03,
                               created_at=0.0))
        await s.commit()
    bare = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log)
    await bare.sync()
    assert bare.live == {}  # refused (logged): no AMI / answer store given
    store = IvrStore(rig.engine)
    campaigns = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log, ami=rig.ami,
                          answers=store.survey_answers, dial_string=rig.service.config.customer_dial,
                          time_scale=rig.sim.config.speed)
    await campaigns.sync()
    live = campaigns.live["notice"]
    assert isinstance(live, AgentlessCampaign) and live.running
    assert isinstance(live.runner.pacer, LinesPacer)
    campaigns.close()


async def test_an_edit_is_refused_while_running_and_a_paused_edit_loads_on_the_next_start(rig: Rig) -> None:
    from dataclasses import replace

    from outbound.campaign import CampaignConfig, Mode
    from outbound.service import config_of, create_campaign, edit_campaign

    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    cfg = CampaignConfig("survey", Mode.PROGRESSIVE, "huifang", "4008001234", hours="08:00-22:00")
    async with maker() as s:
        s.add(AcdQueue(name="huifang"))  # the ACD's queue, as the admin page stores it
        await create_campaign(s, cfg, 0.0)
        await set_state(s, "survey", Action.START)
        await s.commit()
    campaigns = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log, time_scale=rig.sim.config.speed)
    await campaigns.sync()
    first = campaigns.live["survey"]
    predictive = replace(cfg, mode=Mode.PREDICTIVE, max_total=4, amd="hangup")
    async with maker() as s:
        with pytest.raises(CampaignError, match="running: pause it"):
            await edit_campaign(s, predictive)
        await set_state(s, "survey", Action.PAUSE)
        _, changed = await edit_campaign(s, predictive)
        await s.commit()
    assert changed == {"mode": ["progressive", "predictive"], "max_total": [None, 4], "amd": ["off", "hangup"]}
    await campaigns.sync()
    assert campaigns.live["survey"] is first and not first.running  # paused: nothing reloads yet
    async with maker() as s:
        await set_state(s, "survey", Action.START)
        await s.commit()
        assert config_of(await s.get(OutboundCampaign, 1)) == predictive
    await campaigns.sync()
    live = campaigns.live["survey"]
    assert live is not first and live.running and live.amd == "hangup"
    assert isinstance(live.runner.pacer, PredictivePacer) and live.runner.compliance.max_total == 4
    async with maker() as s:
        await set_state(s, "survey", Action.STOP)
        with pytest.raises(CampaignError, match="stopped"):
            await edit_campaign(s, cfg)
    campaigns.close()
