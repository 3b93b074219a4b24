"""The collaborators' tables agree with each other and with the router after every step of
random scenarios (acd.service.invariants), on the simulated Asterisk: callers who wait,
give up or talk; agents who answer, ring out, are busy, go not ready or log out."""

from __future__ import annotations

import tempfile
from pathlib import Path

from acdrig import EPOCH, SPEED, Rig, SimClock, make_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.service.invariants import violations
from hotline.events import EventBus
from pbx.sim.asterisk import SimAsterisk
from pbx.sim.config import AgentPhone, CallerScript, SimConfig
from tests.conftest import _fresh_engine

AGENTS = ("a1001", "a1002")
step = st.one_of(
    st.tuples(st.just("call"), st.floats(1.0, 40.0), st.one_of(st.none(), st.floats(1.0, 8.0))),
    st.tuples(st.sampled_from(["ready", "not_ready", "logout", "hangup"]), st.sampled_from(AGENTS),
              st.none()),
    st.tuples(st.just("wait"), st.floats(0.5, 15.0), st.none()),
)
behaviours = st.tuples(st.sampled_from(["answer", "noanswer", "busy"]), st.sampled_from(["answer", "noanswer"]))


async def _run(phones: tuple[str, str], steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = await _fresh_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'inv.db'}")
        sim = SimAsterisk(SimConfig(ami_port=0, speed=SPEED, seed=1, skip_ivr=True, epoch=EPOCH))
        for endpoint, how in zip(("agent1001", "agent1002"), phones, strict=True):
            sim.add_agent_phone(AgentPhone(endpoint=endpoint, behaviour=how, talk_time_s=6.0))
        await sim.start()
        rig = Rig(sim, engine, EventBus(), SimClock(sim), Path(tmp), make_config())
        await rig.start_backend()
        try:
            n = 0
            for kind, a, b in steps:
                if kind == "call":
                    n += 1
                    await rig.call(f"c{n}", CallerScript(dtmf=[], patience_s=a, talk_time_s=b))
                elif kind == "wait":
                    await sim.sleep(a)
                else:
                    svc = rig.service
                    try:
                        if kind == "ready":
                            if rig.state(a) == "logged_out":
                                await svc.login(a, "")
                            await svc.set_ready(a)
                        elif kind == "not_ready":
                            await svc.set_not_ready(a, "break")
                        elif kind == "logout":
                            await svc.logout(a)
                        else:
                            await svc.hangup(a)
                    except Exception as exc:  # refused in this state: a clear error, not a crash
                        assert str(exc), kind
                await rig.service.drain()
                assert violations(rig.service) == [], (kind, a, b)
            await sim.sleep(30.0)  # let everything end
            await rig.service.drain()
            assert violations(rig.service) == []
        finally:
            await rig.stop_backend()
            await sim.stop()
            await engine.dispose()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(behaviours, st.lists(step, min_size=2, max_size=8))
async def test_random_scenarios_keep_the_tables_in_agreement(phones, steps) -> None:
    await _run(phones, steps)
