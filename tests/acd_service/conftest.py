"""Fixtures: a running ACD against the simulated Asterisk (see acdrig.py), on an event
loop with virtual time (see tests/vtime.py): the tests' timings are exact, not wall-time windows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
from acdrig import EPOCH, SPEED, Rig, SimClock, make_config
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.service import AcdConfig
from acd.service.invariants import violations
from hotline.events import EventBus
from pbx.sim.asterisk import SimAsterisk
from pbx.sim.config import AgentPhone, SimConfig
from tests.vtime import VirtualTimeLoop


def pytest_asyncio_loop_factories(config: pytest.Config,
                                  item: pytest.Item) -> Mapping[str, type[VirtualTimeLoop]]:
    """Every async test and fixture in this folder runs on virtual time."""
    return {"virtual_time": VirtualTimeLoop}


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002")]


@pytest.fixture
def config() -> AcdConfig:
    return make_config()


@pytest.fixture
async def rig(sqlite_engine: AsyncEngine, tmp_path: Path, phones: list[AgentPhone],
              config: AcdConfig) -> AsyncIterator[Rig]:
    sim = SimAsterisk(SimConfig(ami_port=0, speed=SPEED, seed=1, skip_ivr=True, epoch=EPOCH,
                                atxfer_featuremap="*2"))
    for p in phones:
        sim.add_agent_phone(p)
    await sim.start()
    r = Rig(sim, sqlite_engine, EventBus(), SimClock(sim), tmp_path, config)
    await r.start_backend()
    try:
        yield r
        # every scenario ends with the collaborators' tables agreeing (acd.service.invariants)
        await r.service.drain()
        assert violations(r.service) == []
    finally:
        await r.stop_backend()
        await sim.stop()
