"""An agentless IVR campaign end to end over the simulated Asterisk and our FastAGI IVR:
the list is dialed with no agent, a person hears the notice and question and presses a
key, the answer is stored for that contact and logged with the result; an invalid key is
asked again; busy and no answer are retried by the rules; a machine is hung up."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path

import pytest
from acdrig import Rig, wait_for

from hotline import kinds
from ivr.directory import StaticDirectory
from ivr.handler import IvrHandler
from ivr.loader import load_menus
from ivr.store import IvrStore
from outbound.agentless import AgentlessCampaign, LinesPacer
from outbound.compliance import CallingHours, Compliance, DialResult, DncList, RetryRule
from outbound.dialer import Record, Runner
from pbx.agi.server import FastAgiServer
from pbx.sim.config import CalleeScript

MENUS = Path(__file__).resolve().parents[2] / "ivr" / "menus" / "default.yaml"
FOUR, INVALID_THEN_THREE, SILENT, BUSY, NOBODY, MACHINE, DNC, ONLY_INVALID = (
    f"+86138001381{i:02d}" for i in range(8))


@pytest.fixture
async def ivr(rig: Rig, tmp_path: Path) -> AsyncIterator[IvrStore]:
    store = IvrStore(rig.engine)
    handler = IvrHandler(menus=lambda: load_menus(MENUS), directory=StaticDirectory(),
                         enqueuer=rig.service, events=rig.log, store=store,
                         prompts_dir=tmp_path / "prompts", recordings_dir=tmp_path / "rec",
                         clock=rig.clock)
    server = FastAgiServer("127.0.0.1", 0, handler.routes())
    await server.start()
    # the rig's simulator was made before our FastAGI server had a port
    rig.sim.config = dataclasses.replace(rig.sim.config, agi_port=server.port)
    rig.sim.globals["AGI_URL"] = f"agi://127.0.0.1:{server.port}/ivr"
    yield store
    await server.stop()


def campaign(rig: Rig, store: IvrStore, records: list[Record], **kw: object) -> AgentlessCampaign:
    dnc = DncList()
    dnc.add(DNC)
    comp = Compliance(dnc, CallingHours.daily(time(0), time(23, 59)), max_per_day=3)
    runner = Runner("notice", "+864008001234", LinesPacer(2), comp, records, rig.log,
                    retries={DialResult.BUSY: RetryRule(60.0, 1),
                             DialResult.NO_ANSWER: RetryRule(120.0, 1)})
    return AgentlessCampaign(runner, rig.ami, rig.bus, rig.clock,
                             dial_string=rig.service.config.customer_dial,
                             answers=store.survey_answers, ring_s=10.0,
                             time_scale=rig.sim.config.speed, **kw)  # type: ignore[arg-type]


async def test_an_agentless_survey_campaign_stores_each_contacts_answers(rig: Rig, ivr: IvrStore) -> None:
    sim = rig.sim
    sim.add_callee(FOUR, CalleeScript("answer", answer_delay_s=3.0, dtmf=("4",)))
    sim.add_callee(INVALID_THEN_THREE, CalleeScript("answer", answer_delay_s=4.0, dtmf=("9", "3")))
    sim.add_callee(SILENT, CalleeScript("answer", answer_delay_s=2.0, dtmf=()))
    sim.add_callee(ONLY_INVALID, CalleeScript("answer", answer_delay_s=2.0, dtmf=("7", "8")))
    sim.add_callee(BUSY, CalleeScript("busy", busy_after_s=2.0))
    sim.add_callee(NOBODY, CalleeScript("noanswer"))
    sim.add_callee(MACHINE, CalleeScript("machine", answer_delay_s=2.0, talk_time_s=20.0))
    numbers = [FOUR, INVALID_THEN_THREE, SILENT, BUSY, NOBODY, MACHINE, DNC, ONLY_INVALID]
    live = campaign(rig, ivr, [Record(str(i), n) for i, n in enumerate(numbers)], amd="hangup")
    live.start()
    await wait_for(live.finished, timeout=120)
    await live.wait_idle()
    live.close()
    dialed = [n for n, _ in sim.dialed]
    assert sorted(dialed) == sorted([FOUR, INVALID_THEN_THREE, SILENT, BUSY, NOBODY, MACHINE,
                                     ONLY_INVALID, BUSY, NOBODY])  # busy and no answer retried once; DNC never
    await rig.flush()
    rows = rig.rows()
    results: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        if r.kind == kinds.OUTBOUND_RESULT:
            results.setdefault(str(r.data["number"]), []).append(r.data)
    assert [d["answers"] for d in results[FOUR]] == [{"satisfied": 4}]
    assert [d["answers"] for d in results[INVALID_THEN_THREE]] == [{"satisfied": 3}]
    assert [d["answers"] for d in results[SILENT]] == [{}]  # answered, pressed nothing
    assert [d["answers"] for d in results[ONLY_INVALID]] == [{}]  # no valid key: no answer
    assert [(d["result"], d["cause"]) for d in results[BUSY]] == [("busy", 17), ("busy", 17)]
    assert [(d["result"], d["cause"]) for d in results[NOBODY]] == [("no_answer", 19)] * 2
    assert [(d["result"], d["amd_status"]) for d in results[MACHINE]] == [("machine", "MACHINE")]
    assert all(d["result"] == "answered" for n in (FOUR, INVALID_THEN_THREE, SILENT, ONLY_INVALID)
               for d in results[n])
    refused = [r.data["reason"] for r in rows if r.kind == kinds.OUTBOUND_REFUSED]
    assert refused == ["dnc_global"]
    # the answers are the contact's: stored under the dial id, which names the record
    four_call = next(r.call_id for r in rows if r.kind == kinds.OUTBOUND_DIAL
                     and r.data["number"] == FOUR)
    assert four_call.startswith("ob-notice-0-") and await ivr.survey_answers(four_call) == {"satisfied": 4}
    bad_call = next(r.call_id for r in rows if r.kind == kinds.OUTBOUND_DIAL
                    and r.data["number"] == INVALID_THEN_THREE)
    # the 9 is not one of the answer keys (1-5): not taken, the question waited for the 3
    assert [r.data["digits"] for r in rig.rows(bad_call) if r.kind == "IVR_DIGIT"] == ["3"]
    assert live.runner.records["0"].status == "done" and live.runner.records["6"].status == "refused"


async def test_agentless_machine_choice_message_plays_the_notice(rig: Rig, ivr: IvrStore) -> None:
    rig.sim.add_callee(MACHINE, CalleeScript("machine", answer_delay_s=2.0, talk_time_s=20.0))
    live = campaign(rig, ivr, [Record("0", MACHINE)], amd="message",
                    amd_message="hotline/notice-machine")
    live.start()
    await wait_for(lambda: any(c.app == "Playback" and c.app_data == "hotline/notice-machine"
                               for c in rig.sim.channels.values()), timeout=10)
    await wait_for(live.finished, timeout=30)
    await live.wait_idle()
    live.close()
    assert live.runner.records["0"].results == [DialResult.MACHINE]


def test_an_agentless_campaign_refuses_bad_settings(rig: Rig) -> None:
    comp = Compliance(DncList(), CallingHours.daily(time(8), time(22)))
    runner = Runner("x", "+864008001234", LinesPacer(1), comp, [], rig.log)

    async def none(_call: str) -> dict[str, int]:
        return {}

    with pytest.raises(ValueError, match="amd 'message' needs"):
        AgentlessCampaign(runner, rig.ami, rig.bus, rig.clock, dial_string=str, answers=none,
                          amd="message")
    with pytest.raises(ValueError, match="lines 0"):
        LinesPacer(0)
