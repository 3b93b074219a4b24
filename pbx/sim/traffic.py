"""Scripted traffic for demos and load benches: Poisson arrivals of callers with a mix
of IVR choices, patience and talk times, and a population of agents' phones."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from .asterisk import SimAsterisk
from .config import AgentPhone, CallerScript

CallerFactory = Callable[[random.Random, int], CallerScript]

_NAMES = ["张安娜", "王伟", "李娜", "刘洋", "Alice Smith", "Bob Jones", "陈静", "Maria Garcia"]


def default_caller(rng: random.Random, n: int) -> CallerScript:
    """A caller mix: choices 1/2/3 (60/30/10 %), patience 20–120 s, talk 30–300 s."""
    choice = rng.choices(["1", "2", "3"], weights=[6, 3, 1])[0]
    return CallerScript(
        caller_num=f"138{rng.randrange(10**8):08d}", caller_name=rng.choice(_NAMES),
        dnid="4000", dtmf=[choice], patience_s=rng.uniform(20.0, 120.0),
        talk_time_s=rng.uniform(30.0, 300.0), lang=rng.choice(["zh", "en"]),
    )


class TrafficGenerator:
    """Places calls on ``sim`` at ``rate_per_s`` (simulated seconds) until stopped or
    ``count`` calls were placed. Deterministic under ``seed``."""

    def __init__(self, sim: SimAsterisk, rate_per_s: float, seed: int = 1,
                 caller_factory: CallerFactory = default_caller) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive, e.g. 0.5 for one call every 2 s")
        self.sim = sim
        self.rate = rate_per_s
        self.rng = random.Random(seed)
        self.factory = caller_factory
        self.placed: list[str] = []
        self._task: asyncio.Task[list[str]] | None = None

    async def run(self, count: int | None = None) -> list[str]:
        n = 0
        while count is None or n < count:
            await self.sim.sleep(self.rng.expovariate(self.rate))
            self.placed.append(await self.sim.place_call(self.factory(self.rng, n)))
            n += 1
        return self.placed

    def start(self, count: int | None = None) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run(count))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None


def add_agents(sim: SimAsterisk, count: int, first: int = 1001, seed: int = 1,
               busy_ratio: float = 0.0, noanswer_ratio: float = 0.05) -> list[AgentPhone]:
    """Register ``count`` phones agent<first>.. with a mix of behaviours and talk times."""
    rng = random.Random(seed)
    phones = []
    for i in range(count):
        r = rng.random()
        behaviour = ("busy" if r < busy_ratio else
                     "noanswer" if r < busy_ratio + noanswer_ratio else "answer")
        phone = AgentPhone(endpoint=f"agent{first + i}", behaviour=behaviour,  # type: ignore[arg-type]
                           answer_delay_s=rng.uniform(0.3, 4.0), talk_time_s=None)
        sim.add_agent_phone(phone)
        phones.append(phone)
    return phones
