"""Fixtures: a running SimAsterisk and a raw AMI client over a real TCP socket, on an
event loop with virtual time (tests/vtime.py): the simulator's times do not depend on load."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest

from pbx.sim import AgentPhone, SimAsterisk, SimConfig
from tests.vtime import VirtualTimeLoop

sys.path.insert(0, str(Path(__file__).parent))

from sim_rig import SPEED, RawAmi  # noqa: E402  (helpers live in sim_rig.py)


def pytest_asyncio_loop_factories(config: pytest.Config,
                                  item: pytest.Item) -> Mapping[str, type[VirtualTimeLoop]]:
    """Every async test and fixture in this folder runs on virtual time."""
    return {"virtual_time": VirtualTimeLoop}


@pytest.fixture
def transcript(transcripts_dir: Path) -> Callable[[str], Path]:
    """The transcript ``ami-<prefix>-*.txt`` of the suite's corpus (tests/conftest.py's
    ``transcripts_dir``, which fails with where it looked when the corpus is missing)."""
    def find(prefix: str) -> Path:
        found = sorted(transcripts_dir.glob(f"ami-{prefix}-*.txt"))
        if len(found) != 1:
            pytest.fail(f"expected one transcript ami-{prefix}-*.txt in {transcripts_dir}, "
                        f"found {len(found)}; set HOTLINE_TRANSCRIPTS to the corpus")
        return found[0]
    return find


@pytest.fixture
async def sim() -> AsyncIterator[SimAsterisk]:
    s = SimAsterisk(SimConfig(ami_port=0, speed=SPEED, seed=1, skip_ivr=True,
                              epoch=1795354536.0))
    for n in range(1001, 1005):
        s.add_agent_phone(AgentPhone(endpoint=f"agent{n}"))
    await s.start()
    yield s
    await s.stop()


@pytest.fixture
async def ami(sim: SimAsterisk) -> AsyncIterator[RawAmi]:
    client = RawAmi()
    await client.connect(sim.ami_port)
    resp = await client.login()
    assert resp["Message"] == "Authentication accepted"
    yield client
    await client.close()
