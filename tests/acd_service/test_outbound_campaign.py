"""A progressive campaign end to end over the simulated Asterisk: the router reserves the
agent, the customer is dialed, answers and is bridged, the agent's disposition is logged,
the next record follows; busy is retried by the rule; DNC and calling hours refuse."""

from __future__ import annotations

import asyncio
from datetime import time

import pytest
from acdrig import Rig, agent, wait_for

from acd.core import Membership, QueueConfig
from acd.events import AgentStateChanged, CallOffered, OutboundDialEnded
from acd.service import AcdConfig, AgentProfile
from hotline import kinds
from outbound.compliance import CallingHours, Compliance, DialResult, DncList, RetryRule
from outbound.dialer import Record, Runner
from outbound.live import LiveCampaign
from outbound.pacing import ProgressivePacer
from pbx.sim.config import CalleeScript

# The rig's clock starts at 13:35 UTC: 21:35 in Shanghai, 05:35 in Los Angeles.
LIVE, BUSY, GONE, DNC, LA = ("+8613800138000", "+8613900139000", "+8613700137000",
                             "+8613600136000", "+14155550123")


@pytest.fixture
def config() -> AcdConfig:
    qs = (QueueConfig("huifang", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=30.0),)
    a = agent(1001)
    prof = AgentProfile(a.agent.__class__("a1001", {"sales": 5}, frozenset({"zh"}),
                                          queues={"huifang": Membership()}), "PJSIP/agent1001")
    return AcdConfig(queues=qs, agents={"a1001": prof})


def campaign(rig: Rig, records: list[Record]) -> LiveCampaign:
    dnc = DncList()
    dnc.add(DNC)
    comp = Compliance(dnc, CallingHours.daily(time(8), time(22)), max_per_day=3)
    runner = Runner("huifang", "+864008001234", ProgressivePacer(), comp, records, rig.log,
                    retries={DialResult.BUSY: RetryRule(60.0, 1)})
    return LiveCampaign(runner, rig.service, rig.bus, rig.clock, queue="huifang",
                        time_scale=rig.sim.config.speed)


def simulated_agent_wraps_up(rig: Rig) -> None:
    """The agent picks a disposition a few seconds into each wrap-up."""
    def on_state(ev: AgentStateChanged) -> None:
        if ev.state == "wrap_up":
            asyncio.get_running_loop().call_later(
                0.1, lambda: asyncio.ensure_future(rig.service.wrap_up(
                    ev.agent, "resolved", f"回访 {ev.call_id}", None)))
    rig.bus.subscribe(AgentStateChanged, on_state)


async def test_a_progressive_campaign_runs_end_to_end(rig: Rig) -> None:
    sim = rig.sim
    sim.add_callee(LIVE, CalleeScript("answer", answer_delay_s=5.0, talk_time_s=40.0))
    sim.add_callee(BUSY, CalleeScript("busy", busy_after_s=2.0))
    sim.add_callee(GONE, CalleeScript("noanswer"))
    simulated_agent_wraps_up(rig)
    offered: list[tuple[float, int]] = []  # (time, customers dialed so far) at each offer
    rig.bus.subscribe(CallOffered, lambda ev: offered.append((ev.at, len(sim.dialed))))
    live = campaign(rig, [Record("1", LIVE), Record("2", BUSY), Record("3", GONE),
                          Record("4", DNC), Record("5", LA)])
    await rig.login_ready("a1001")
    live.start()
    await wait_for(lambda: all(r.status in ("done", "refused") for r in live.runner.records.values()
                               if r.id != "5") and not live.runner.in_flight(), timeout=30)
    live.close()
    # every customer was dialed only after the router had reserved the agent for it
    assert [n for _, n in offered] == list(range(len(sim.dialed)))
    assert [n for n, _ in sim.dialed] == [LIVE, BUSY, GONE, BUSY]  # busy retried once
    results = [(e.number, e.result, e.cause, e.agent) for e in rig.of(OutboundDialEnded)]
    assert results == [(LIVE, "answered", None, "a1001"), (BUSY, "busy", 17, "a1001"),
                       (GONE, "no_answer", 19, "a1001"), (BUSY, "busy", 17, "a1001")]
    assert live.runner.records["4"].status == "refused"  # DNC: never dialed
    assert live.runner.records["5"].status == "pending"  # 05:35 in Los Angeles: later
    assert live.figures.connected == 1 and live.figures.dialed == 4
    await rig.flush()
    rows = rig.rows()
    refused = [(r.data["record"], r.data["reason"]) for r in rows if r.kind == kinds.OUTBOUND_REFUSED]
    assert ("4", "dnc_global") in refused and ("5", "outside_hours") in refused
    logged = [(r.data["result"], r.data["cause"]) for r in rows if r.kind == kinds.OUTBOUND_RESULT]
    assert logged == [("answered", None), ("busy", 17), ("no_answer", 19), ("busy", 17)]
    first = next(r.call_id for r in rows if r.kind == kinds.OUTBOUND_DIAL)
    wrap = [r for r in rows if r.kind == "WRAPUP" and r.call_id == first]
    assert wrap and wrap[0].data["disposition"] == "resolved"  # → CRM interaction sync


async def test_a_paused_and_resumed_campaign_hears_each_event_once(rig: Rig) -> None:
    def handlers() -> dict[type, int]:
        return {k: len(rig.bus._handlers.get(k, [])) for k in (OutboundDialEnded, AgentStateChanged)}

    before = handlers()
    live = campaign(rig, [])
    live.start()
    live.stop()  # pause
    live.start()  # resume: still subscribed, not twice
    assert {k: n - before[k] for k, n in handlers().items()} == {OutboundDialEnded: 1, AgentStateChanged: 1}
    live.close()
    assert handlers() == before
