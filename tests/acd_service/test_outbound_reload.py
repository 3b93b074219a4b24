"""A campaign (re)loaded (a backend restart, a paused campaign edited and started again)
keeps its compliance state from the call-event log (outbound.service): today's dials per
number against max attempts per day, the attempts in total, and the results of its dials
left ringing, logged when they end even while the campaign is paused."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from acdrig import Rig, wait_for
from outbound_rig import NUMBER, config, phones  # noqa: F401 (fixtures)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.admin.models import AcdQueue
from hotline import kinds
from outbound.campaign import Action
from outbound.lists import import_contacts
from outbound.models import OutboundCampaign, OutboundRecord
from outbound.service import Campaigns, config_of, edit_campaign, set_state
from pbx.sim.config import CalleeScript

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the number's zone (phonenumbers); the sim starts 21:35 there



async def _stored_campaign(rig: Rig, mode: str, *, max_per_day: int = 3,
                           max_total: int | None = None, retries: str = "busy=600/1") -> None:
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    async with maker() as s:
        camp = OutboundCampaign(name="survey", mode=mode, state="running", queue="survey",
                                caller_id="+864008001234", hours="00:00-23:59",
                                max_per_day=max_per_day, max_total=max_total, retries=retries,
                                dispositions="resolved", abandon_cap=0.03, created_at=0.0)
        s.add_all([camp, AcdQueue(name="survey")])  # the ACD's queue, as the admin page stores it
        await s.flush()
        await import_contacts(s, camp, f"电话,姓名\n{NUMBER[3:]},张三\n".encode())
        await s.commit()


async def _campaigns(rig: Rig) -> Campaigns:
    campaigns = Campaigns(rig.engine, rig.service, rig.bus, rig.clock, rig.log,
                          time_scale=rig.sim.config.speed)
    await campaigns.sync()
    return campaigns


async def _restart(rig: Rig, campaigns: Campaigns, *, save: bool = True) -> Campaigns:
    """A new backend on the same database and Asterisk; ``save=False``: the old process
    died without writing its records' progress (its event log rows were written)."""
    if save:
        await campaigns.save()
    campaigns.close()
    await rig.stop_backend()
    rig.events.clear()
    await rig.start_backend()
    return await _campaigns(rig)


async def _until(rig: Rig, pred: object, sim_s: float) -> None:
    """Like wait_for, polling once per simulated 20 s: long stretches of simulated time."""
    loop = asyncio.get_running_loop()
    end = loop.time() + sim_s / rig.sim.config.speed
    while not pred():  # type: ignore[operator]
        assert loop.time() <= end, "condition not met in time"
        await asyncio.sleep(20.0 / rig.sim.config.speed)


async def _record(rig: Rig) -> tuple[str, int, str | None]:
    async with async_sessionmaker(rig.engine)() as s:
        r = (await s.execute(select(OutboundRecord))).scalar_one()
        return r.status, r.attempts, r.last_result


def _rows(rig: Rig, kind: str) -> list[object]:
    return [r for r in rig.rows() if r.kind == kind]


async def test_max_attempts_per_day_hold_across_a_restart_until_the_callee_s_next_day(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=2.0))
    await _stored_campaign(rig, "progressive", max_per_day=2, retries="busy=60/10")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    live = campaigns.live["survey"]
    await wait_for(lambda: len(live.runner.records["1"].results) == 2, timeout=20)
    retry_at = live.runner.records["1"].next_at  # the busy rule would dial a third time then
    campaigns = await _restart(rig, campaigns)
    restarted = rig.clock.now()
    await rig.service.set_ready("a1001")
    await _until(rig, lambda: rig.clock.now() > retry_at + 60.0, 600.0)
    assert len(rig.sim.dialed) == 2  # not a third time today
    await rig.flush()
    refused = [r.data for r in _rows(rig, kinds.OUTBOUND_REFUSED) if r.ts >= restarted]
    assert refused and refused[0]["reason"] == "max_attempts"
    assert refused[0]["detail"] == f"{NUMBER} was dialed 2 times today (local); the limit is 2"
    # the callee's next local day (midnight in Shanghai, 2 h 25 min on): dialed again
    await _until(rig, lambda: len(rig.sim.dialed) == 3, 3 * 3600.0)
    campaigns.close()
    await rig.flush()
    days = [datetime.fromtimestamp(r.ts, SHANGHAI).date() for r in _rows(rig, kinds.OUTBOUND_DIAL)]
    assert len(days) == 3 and days[0] == days[1] and (days[2] - days[0]).days == 1
    first_day = datetime.fromtimestamp(restarted, SHANGHAI).date()
    assert days[0] == first_day


async def test_max_attempts_per_day_hold_when_a_paused_campaign_is_edited_and_started(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=2.0))
    await _stored_campaign(rig, "progressive", max_per_day=2, retries="busy=60/10")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    first = campaigns.live["survey"]
    await wait_for(lambda: len(first.runner.records["1"].results) == 2, timeout=20)
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    async with maker() as s:
        await set_state(s, "survey", Action.PAUSE)
        await s.commit()
    await campaigns.sync()
    async with maker() as s:
        row = (await s.execute(select(OutboundCampaign))).scalar_one()
        await edit_campaign(s, replace(config_of(row), script="新话术"))
        await set_state(s, "survey", Action.START)
        await s.commit()
    await campaigns.sync()  # loaded afresh, before its event log rows are written
    live = campaigns.live["survey"]
    assert live is not first and live.running
    await _until(rig, lambda: rig.clock.now() > first.runner.records["1"].next_at + 60.0, 600.0)
    assert len(rig.sim.dialed) == 2
    assert live.runner.records["1"].status == "pending"  # waits for the next local day
    campaigns.close()
    await rig.flush()
    assert [r.data["reason"] for r in _rows(rig, kinds.OUTBOUND_REFUSED)] == ["max_attempts"]


async def test_a_dial_logged_but_never_saved_counts_in_the_stored_attempts_and_max_total(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=6.0))
    await _stored_campaign(rig, "predictive", max_per_day=1, max_total=1, retries="busy=60/3")
    campaigns = await _campaigns(rig)  # loaded and saved; no agent ready: no dial yet
    await rig.login_ready("a1001")
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    assert await _record(rig) == ("pending", 0, None)  # the last save came before the dial
    campaigns = await _restart(rig, campaigns, save=False)  # died while the phone rang
    assert await _record(rig) == ("dialing", 1, None)  # the log's OUTBOUND_DIAL counts
    live = campaigns.live["survey"]
    await wait_for(lambda: not live.runner.in_flight(), timeout=10)
    await _until(rig, lambda: live.runner.records["1"].status == "refused", 300.0)
    await campaigns.sync()
    assert await _record(rig) == ("refused", 1, "busy")
    assert len(rig.sim.dialed) == 1  # the busy retry is refused: 1 attempt in total is the limit
    campaigns.close()
    await rig.flush()
    assert [r.data["reason"] for r in _rows(rig, kinds.OUTBOUND_REFUSED)] == ["max_total"]


async def test_a_campaign_paused_at_a_restart_logs_its_ringing_dial_when_it_ends(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=6.0))
    await _stored_campaign(rig, "predictive")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    await wait_for(lambda: len(rig.sim.dialed) == 1, timeout=5)
    maker = async_sessionmaker(rig.engine, expire_on_commit=False)
    async with maker() as s:
        await set_state(s, "survey", Action.PAUSE)
        await s.commit()
    await campaigns.sync()
    campaigns = await _restart(rig, campaigns)  # the customer's phone still rings
    live = campaigns.live["survey"]  # loaded for its dial in flight, not dialing
    assert not live.running and live.runner.in_flight() == 1
    await wait_for(lambda: not live.runner.in_flight(), timeout=10)
    await campaigns.sync()
    assert await _record(rig) == ("pending", 1, "busy")
    await rig.flush()
    assert [(r.data["result"], r.data["cause"]) for r in _rows(rig, kinds.OUTBOUND_RESULT)] == [
        ("busy", 17)]
    await _until(rig, lambda: rig.clock.now() > live.runner.records["1"].next_at + 60.0, 900.0)
    assert len(rig.sim.dialed) == 1  # paused: the retry waits for a start
    campaigns.close()


async def test_the_retries_per_result_count_the_results_logged_before_a_restart(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=2.0))
    await _stored_campaign(rig, "progressive", max_per_day=10, retries="busy=60/2")
    await rig.login_ready("a1001")
    campaigns = await _campaigns(rig)
    live = campaigns.live["survey"]
    await wait_for(lambda: len(live.runner.records["1"].results) == 2, timeout=20)  # 1 retry left
    campaigns = await _restart(rig, campaigns)
    await rig.service.set_ready("a1001")
    live = campaigns.live["survey"]
    await _until(rig, lambda: live.runner.records["1"].status == "done", 300.0)
    assert len(rig.sim.dialed) == 3  # the first dial and its 2 busy retries, across the restart
    await campaigns.sync()
    assert await _record(rig) == ("done", 3, "busy")
    campaigns.close()
