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
A preview record is only offered at first: its attempt (and OUTBOUND_DIAL row) counts when
the agent clicks Dial (``acd.events.OutboundPreviewDialed``); a skipped record was never
an attempt.

Bus handlers run inside the publisher (synchronously), so the campaign never dials from
within one: it schedules one ``tick`` with ``call_soon`` and dials from there.

Predictive campaigns dial customers first (``OutboundRequest.predictive``): the pacer
(``outbound.pacing.PredictivePacer``) sees the queue's ready agents, the agents in
wrap-up with the time it ends, the dials ringing with their ages and the answered
customers held for an agent; the router offers each answered customer to a ready member
like an inbound call (blending by tier, one offer per agent). An answered customer no
agent is offered within the connect window, or whose offer fails after it, is an abandon
(``acd.service.outbound``),
logged as an OUTBOUND_RESULT ``abandoned`` with its cause and ``why``; the pacer's abandon
ledger counts it, and ``outbound.service`` seeds that ledger with the campaign's last 30
days from the call-event log, so the cap is the audited rate.

After a restart ``outbound.service`` resumes the campaign's dials whose OUTBOUND_DIAL has
no OUTBOUND_RESULT (:meth:`LiveCampaign.resume`): the router takes them up from Asterisk's
channels and each end is logged here once, even one the router saw before this campaign
was loaded (``dial_after_restart``); one no channel carried any more is ``failed``, ``why``
``restart``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from acd.events import AgentStateChanged, OutboundDialEnded, OutboundPreviewDialed
from acd.ports import OutboundDialer
from acd.requests import OutboundRequest
from hotline.clock import Clock
from hotline.events import EventBus
from outbound.campaign import CampaignError, Mode
from outbound.compliance import DialResult
from outbound.dialer import InFlight, Runner
from outbound.loop import CampaignLoop
from outbound.pacing import BusyAgent, Floor, PredictivePacer, ProgressivePacer
from pbx.events import AmiResynced


@dataclass
class LiveFigures:
    """Live counts for the supervisor page (the audited figures come from the log)."""

    dialed: int = 0
    connected: int = 0
    results: dict[str, int] = field(default_factory=dict)


class LiveCampaign(CampaignLoop):
    """``time_scale``: clock seconds per loop second (the simulator's speed)."""

    def __init__(self, runner: Runner, dialer: OutboundDialer, bus: EventBus, clock: Clock, *,
                 queue: str, mode: Mode = Mode.PROGRESSIVE, amd: str = "off",
                 amd_message: str = "", ring_s: float = 25.0, time_scale: float = 1.0) -> None:
        if mode is Mode.PREDICTIVE and not isinstance(runner.pacer, PredictivePacer):
            raise CampaignError("a predictive campaign paces by its abandon cap: "
                                "give its runner a PredictivePacer")
        if mode is not Mode.PREDICTIVE and not isinstance(runner.pacer, ProgressivePacer):
            raise CampaignError("a preview or progressive campaign reserves agents through "
                                "the router: give its runner a ProgressivePacer")
        super().__init__(runner, bus, clock, time_scale)
        self.dialer = dialer
        self.queue = queue
        self.mode = mode
        self.amd = amd
        self.amd_message = amd_message
        self.ring_s = ring_s
        self.figures = LiveFigures()
        self._numbers: dict[str, str] = {}

    def _subscriptions(self) -> list[Callable[[], None]]:
        return [self.bus.subscribe(OutboundDialEnded, self._on_ended),
                self.bus.subscribe(AgentStateChanged, self._on_agent),
                self.bus.subscribe(OutboundPreviewDialed, self._on_preview_dialed),
                self.bus.subscribe(AmiResynced, self._on_resynced)]

    # --- a restart -------------------------------------------------------------------

    def resume(self, dials: list[InFlight]) -> None:
        """An earlier process's dials still in flight (``outbound.service``): the router
        takes them up from Asterisk's channels at its AMI resync
        (``acd.service.outbound_restart``), and each one's ``OutboundDialEnded`` is logged
        here once, as any other, whether it came before this campaign was loaded or after."""
        for d in dials:
            self.runner.resume(d.call_id, d.record, d.dialed_at, d.agent)
            self._numbers[d.call_id] = d.number
        self._settle(self.clock.now())

    def _on_resynced(self, ev: AmiResynced) -> None:
        self._settle(ev.at)  # the router handled the resync first (subscribed first)

    def _settle(self, now: float) -> None:
        """The resumed dials the router already ended are logged now; one no channel
        carried at the resync ended while no backend ran: its result is unknown and is
        logged ``failed`` with ``why`` ``restart`` (the retry rule for failed applies)."""
        for call_id in sorted(self.runner.resumed()):
            state = self.dialer.dial_after_restart(call_id)
            if isinstance(state, OutboundDialEnded):
                self._on_ended(state)
            elif state is False and call_id in self._numbers:
                self._on_ended(OutboundDialEnded(
                    at=now, call_id=call_id, queue=self.queue, agent=None,
                    number=self._numbers[call_id], result=DialResult.FAILED.value,
                    why="restart"))

    # --- events ----------------------------------------------------------------------

    def _on_agent(self, ev: AgentStateChanged) -> None:
        # predictive also dials for an agent entering wrap-up (free again soon)
        if ev.state == "ready" or (ev.state == "wrap_up" and self.mode is Mode.PREDICTIVE):
            self._schedule()

    def _on_preview_dialed(self, ev: OutboundPreviewDialed) -> None:
        """The agent clicked Dial: the preview record's attempt counts from now (an
        offered record the agent skips was never an attempt)."""
        if ev.call_id in self._numbers:
            self.runner.dialed(ev.call_id, self.clock.now(), agent=ev.agent)

    def _on_ended(self, ev: OutboundDialEnded) -> None:
        if ev.call_id not in self._numbers:
            return
        del self._numbers[ev.call_id]
        pacer = self.runner.pacer
        if isinstance(pacer, PredictivePacer):
            live = ev.result in (DialResult.ANSWERED.value, DialResult.ABANDONED.value)
            dialed = self.runner.dialed_at(ev.call_id)
            # the time to the end of the dial for the pacer: for a live one the answer
            # (an answered one ends at the bridge, an abandon at the window's end)
            after = None if dialed is None else max(0.0, ev.at - dialed)
            pacer.stats.dial_finished(live, after)
            if live:
                pacer.ledger.answered(ev.at)
            if ev.result == DialResult.ABANDONED.value:
                pacer.ledger.abandoned(ev.at)
        self.figures.results[ev.result] = self.figures.results.get(ev.result, 0) + 1
        if ev.result == DialResult.ANSWERED.value:
            self.figures.connected += 1
        self.runner.result(ev.call_id, DialResult(ev.result), self.clock.now(), cause=ev.cause,
                           agent=ev.agent, why=ev.why)
        self._schedule()

    # --- dialing -----------------------------------------------------------------------

    def tick(self) -> None:
        self._scheduled = False
        if not self.running:
            return
        now = self.clock.now()
        floor = self._floor(now)
        for dial in self.runner.tick(floor, router_reserves=True,
                                     count=self.mode is not Mode.PREVIEW):
            self.figures.dialed += 1
            self._numbers[dial.call_id] = dial.number
            req = OutboundRequest(call_id=dial.call_id, queue=self.queue, number=dial.number,
                                  caller_id=dial.caller_id, requested_at=now,
                                  campaign=self.name, record=dial.record, amd=self.amd,
                                  amd_message=self.amd_message, ring_s=self.ring_s,
                                  preview=self.mode is Mode.PREVIEW,
                                  predictive=self.mode is Mode.PREDICTIVE)
            try:
                self.dialer.dial_out(req)
            except ValueError as exc:
                logging.getLogger("outbound").warning("campaign %s: %s", self.name, exc)
                del self._numbers[dial.call_id]
                self.runner.result(dial.call_id, DialResult.FAILED, now)
        self._arm(now)

    def _floor(self, now: float) -> Floor:
        free = self.dialer.ready_agents(self.queue)
        pacer = self.runner.pacer
        if not isinstance(pacer, PredictivePacer):
            return Floor(now=now, free=free, ringing=self.runner.in_flight())
        held = self.dialer.held_customers(self.queue)
        wrap = pacer.stats.wrap_s  # the pacer reads wrap_s − (now − since) = the time left
        busy = tuple(BusyAgent(a, "wrap", until - wrap) for a, until in self.dialer.wrap_ends(self.queue))
        # the held customers were answered: they are (about) the oldest dials in flight
        since = sorted(t for cid in self._numbers if (t := self.runner.dialed_at(cid)) is not None)
        ringing = tuple(since[held:])
        return Floor(now=now, free=free, busy=busy, ringing=len(ringing), waiting=held,
                     ringing_since=ringing)
