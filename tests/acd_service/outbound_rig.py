"""The one-agent survey centre the outbound restart and reload tests run campaigns in
(import the fixtures into a test module to use them)."""

from __future__ import annotations

import pytest
from acdrig import agent

from acd.core import Membership, QueueConfig
from acd.service import AcdConfig, AgentProfile
from pbx.sim.config import AgentPhone

NUMBER = "+8613800138000"


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001", answer_delay_s=0.2)]


@pytest.fixture
def config() -> AcdConfig:
    qs = (QueueConfig("survey", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0),)
    prof = AgentProfile(agent(1001).agent.__class__("a1001", {"sales": 5}, frozenset({"zh"}),
                                                    queues={"survey": Membership()}), "PJSIP/agent1001")
    return AcdConfig(queues=qs, agents={"a1001": prof})
