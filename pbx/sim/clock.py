"""A :class:`hotline.clock.Clock` that reads the simulator's time.

A backend driving a simulator that runs ``speed`` times faster than real must read
the same (simulated) clock, and scale its timers by the same ``speed`` (the ACD's
``time_scale``); otherwise its times disagree with the AMI Timestamps it receives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import SimCore


class SimClock:
    def __init__(self, sim: SimCore) -> None:
        self.sim = sim

    def now(self) -> float:
        return self.sim.now()

    def monotonic(self) -> float:
        return self.sim.now()
