"""A campaign running live in the router: the runner core (``outbound.dialer.Runner``:
records, compliance at dial time, retries, OUTBOUND_* rows) driven by the ACD.

Progressive and preview campaigns reserve through the router: each pacer dial becomes an
:class:`acd.requests.OutboundRequest` in the campaign's queue, which the router offers to
a ready member (blending: inbound queues in a higher membership tier come first; one offer
per agent) — so a customer is never dialed without an agent on the line. The floor the
pacer sees is the queue's *ready* members: an agent with an inbound caller waiting for it
is offered that caller at once and is never ready, so outbound goes only when inbound is
quiet. Each dial's end (``acd.events.OutboundDialEnded``) goes to ``Runner.result``, which
logs the result with its hang-up cause and schedules the retry; the next record follows.

Bus handlers run inside the publisher (synchronously), so the campaign never dials from
within one: it schedules one ``tick`` with ``call_soon`` and dials from there.

Predictive dialing (customers first, unbound to agents) is simulated in
``outbound.simday`` only; ``LiveCampaign`` refuses it rather than dial it 1:1 unnoticed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from acd.events import AgentStateChanged, OutboundDialEnded
from acd.ports import OutboundDialer
from acd.requests import OutboundRequest
from hotline.clock import Clock
from hotline.events import EventBus
from outbound.campaign import CampaignError, Mode
from outbound.compliance import DialResult
from outbound.dialer import Runner
from outbound.pacing import Floor, ProgressivePacer


@dataclass
class LiveFigures:
    """Live counts for the supervisor page (the audited figures come from the log)."""

    dialed: int = 0
    connected: int = 0
    results: dict[str, int] = field(default_factory=dict)


class LiveCampaign:
    """``time_scale``: clock seconds per loop second (the simulator's speed)."""

    def __init__(self, runner: Runner, dialer: OutboundDialer, bus: EventBus, clock: Clock, *,
                 queue: str, mode: Mode = Mode.PROGRESSIVE, amd: str = "off",
                 amd_message: str = "", ring_s: float = 25.0, time_scale: float = 1.0) -> None:
        if mode is Mode.PREDICTIVE:
            raise CampaignError("predictive campaigns do not run live yet; run it progressive "
                                "(agent first) or see bench/dialer.py for the simulated pacing")
        if not isinstance(runner.pacer, ProgressivePacer):
            raise CampaignError("a live campaign reserves agents through the router: "
                                "give its runner a ProgressivePacer")
        self.runner = runner
        self.dialer = dialer
        self.bus = bus
        self.clock = clock
        self.queue = queue
        self.mode = mode
        self.amd = amd
        self.amd_message = amd_message
        self.ring_s = ring_s
        self.time_scale = time_scale
        self.figures = LiveFigures()
        self.running = False
        self._numbers: dict[str, str] = {}
        self._unsubscribe: list[Any] = []
        self._scheduled = False
        self._timer: asyncio.TimerHandle | None = None

    @property
    def name(self) -> str:
        return self.runner.campaign

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self._unsubscribe = [self.bus.subscribe(OutboundDialEnded, self._on_ended),
                             self.bus.subscribe(AgentStateChanged, self._on_agent)]
        self._schedule()

    def stop(self) -> None:
        """Pause or stop: no new dials; dials in flight finish and are logged."""
        self.running = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def close(self) -> None:
        self.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    # --- events ----------------------------------------------------------------------

    def _on_agent(self, ev: AgentStateChanged) -> None:
        if ev.state == "ready":
            self._schedule()

    def _on_ended(self, ev: OutboundDialEnded) -> None:
        if ev.call_id not in self._numbers:
            return
        del self._numbers[ev.call_id]
        self.figures.results[ev.result] = self.figures.results.get(ev.result, 0) + 1
        if ev.result == DialResult.ANSWERED.value:
            self.figures.connected += 1
        self.runner.result(ev.call_id, DialResult(ev.result), self.clock.now(), cause=ev.cause,
                           agent=ev.agent)
        self._schedule()

    def _schedule(self) -> None:
        if self._scheduled or not self.running:
            return
        self._scheduled = True
        asyncio.get_running_loop().call_soon(self.tick)

    # --- dialing -----------------------------------------------------------------------

    def tick(self) -> None:
        self._scheduled = False
        if not self.running:
            return
        now = self.clock.now()
        floor = Floor(now=now, free=self.dialer.ready_agents(self.queue),
                      ringing=self.runner.in_flight())
        for dial in self.runner.tick(floor, router_reserves=True):
            self.figures.dialed += 1
            self._numbers[dial.call_id] = dial.number
            req = OutboundRequest(call_id=dial.call_id, queue=self.queue, number=dial.number,
                                  caller_id=dial.caller_id, requested_at=now,
                                  campaign=self.name, record=dial.record, amd=self.amd,
                                  amd_message=self.amd_message, ring_s=self.ring_s,
                                  preview=self.mode is Mode.PREVIEW)
            try:
                self.dialer.dial_out(req)
            except ValueError as exc:
                logging.getLogger("outbound").warning("campaign %s: %s", self.name, exc)
                del self._numbers[dial.call_id]
                self.runner.result(dial.call_id, DialResult.FAILED, now)
        self._arm(now)

    def _arm(self, now: float) -> None:
        """Wake up when the next record is due (a retry, calling hours opening)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        due = self.runner.next_due(now)
        if due is not None:
            self._timer = asyncio.get_running_loop().call_later(
                (due - now) / self.time_scale, self._schedule)
