"""Per-agent AHT on the monitor: talk (hold included) + wrap-up, over today's calls."""

from __future__ import annotations

import pytest
from acdrig import EXACT, TIMER_LAG_S, Rig, wait_for

from acd.events import CallCompleted
from acd.service.stats import DayStats
from pbx.sim.config import CallerScript


def test_aht_is_talk_plus_wrap_up_per_call():
    day = DayStats()
    assert day.aht_s("a1") is None
    day.talked("a1", 100.0)
    day.wrapped("a1", 20.0)
    day.talked("a1", 50.0)
    day.wrapped("a1", 10.0)
    assert day.aht_s("a1") == 90.0
    day.wrapped("a2", 5.0)  # wrap-up without a call today (restart): ignored
    assert day.aht_s("a2") is None
    day.reset()
    assert day.aht_s("a1") is None


async def test_snapshot_shows_the_agents_aht_after_wrap_up(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.call("c1", CallerScript(dtmf=[], talk_time_s=3.0))
    await wait_for(lambda: rig.of(CallCompleted), timeout=10)
    talk = rig.of(CallCompleted)[0].talk_s
    await wait_for(lambda: rig.state("a1001") == "ready", timeout=10)  # wrap-up of 5 s ran out
    snap = await rig.service.snapshot()
    a = next(x for x in snap.agents if x.agent == "a1001")
    assert a.calls_handled == 1
    assert a.aht_s is not None
    # the scripted 3 s of talk, then the 5 s wrap-up, which ends TIMER_LAG_S late
    assert talk == pytest.approx(3.0, abs=EXACT)
    assert a.aht_s == pytest.approx(talk + 5.0 + TIMER_LAG_S, abs=EXACT)
