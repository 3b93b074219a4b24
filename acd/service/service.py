"""AcdService: implements :class:`acd.requests.Enqueuer` (for the IVR) and
:class:`acd.ports.ContactCenter` (for the console).

It is a thin dispatcher: it builds the collaborators around one
:class:`~acd.service.context.AcdContext`, routes each pbx event and router command to
the ones that own it (in the order below), and keeps the public API::

    bus = EventBus(); tracker = CallTracker(bus, clock)
    ami = AmiClient(settings, bus, clock, on_event=tracker.feed)
    rows = WriteBehind(engine)
    service = AcdService(bus, clock, ami, eventlog, config, rows=rows,
                         recorder=StoreRecorder(RecordingStore(...), rows))
    await service.start()      # subscribes, restores agents from the database
    await ami.connect()        # its AmiResynced re-adopts waiting callers
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from typing import Any

from acd.core import AgentLoggedIn, Router, RouterEvent
from acd.core.commands import (
    Announce,
    CancelOffer,
    Command,
    ExitQueue,
    MoveQueue,
    Offer,
    Queued,
    Rejection,
    SetAgentState,
)
from acd.events import OutboundDialEnded
from acd.ports import Recorder
from acd.requests import CallbackRequest, OutboundRequest, RoutingRequest
from acd.service.agents import Agents
from acd.service.callbacks import Callbacks
from acd.service.calls import CallBook, LiveCall
from acd.service.center import Center
from acd.service.conference import Conferences
from acd.service.config import AcdConfig
from acd.service.context import AcdContext, ActionExecutor
from acd.service.offers import Offers
from acd.service.outbound import OutboundCalls
from acd.service.queueing import Queueing
from acd.service.restart import Restart
from acd.service.stats import DayStats
from acd.service.takes import Takes
from acd.service.talk import Talk
from acd.service.transfers import Transfers
from hotline.clock import Clock
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from hotline.writebehind import WriteBehind
from pbx.events import (
    AmiResynced,
    ChannelBridged,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    ChannelUnbridged,
    DtmfReceived,
    HoldChanged,
    OriginateResult,
    TransferDone,
    VariableSet,
)

log = logging.getLogger("acd.service")


class AcdService(Center):
    """The ACD. ``ami`` is anything with ``execute(action)`` (the AmiClient); ``recorder``
    enables recording (``recordings.recorder.StoreRecorder``); ``rows`` is the write-behind
    the agents' states go through (share it with the recorder: one transaction per flush);
    ``rng`` draws the percentage recording policy; ``time_scale`` is clock seconds per wall
    second (tests running the simulator faster); ``timezone``: where the snapshot's
    "today" starts (default: ``Settings.timezone``)."""

    def __init__(self, bus: EventBus, clock: Clock, ami: ActionExecutor, eventlog: CallEventLog,
                 config: AcdConfig, *, router: Router | None = None,
                 recorder: Recorder | None = None, rows: WriteBehind | None = None,
                 rng: random.Random | None = None,
                 time_scale: float = 1.0, timezone: str | None = None) -> None:
        ctx = self.ctx = AcdContext(bus, clock, ami, eventlog, config, router=router, rng=rng,
                                    time_scale=time_scale, timezone=timezone, recorder=recorder,
                                    rows=rows)
        self.agents = Agents(ctx)
        self.queueing = Queueing(ctx)
        self.callbacks = Callbacks(ctx, self.queueing)
        self.queueing.callbacks = self.callbacks
        self.outbound = OutboundCalls(ctx, self.queueing)
        self.offers = Offers(ctx, self.callbacks, self.outbound)
        self.takes = Takes(ctx)
        self.transfers = Transfers(ctx, self.queueing, self.takes)
        self.conferences = Conferences(ctx)
        self.talk = Talk(ctx, self.offers, self.callbacks, self.takes, self.transfers,
                         self.conferences, self.outbound)
        self.restart = Restart(ctx, self.agents, self.queueing, self.callbacks, self.outbound,
                               self.conferences)
        q = self.queueing
        ctx.dispatch.update({
            Queued: q.on_queued, Offer: self.offers.on_offer, CancelOffer: self.offers.on_cancel,
            SetAgentState: self.agents.on_state, ExitQueue: q.on_exit, MoveQueue: q.on_move,
            Announce: q.on_announce,
        })
        # A command that raised while being carried out is fed back to the router, so it
        # never keeps a reservation for an agent Asterisk was never asked to ring.
        ctx.undo.update({Offer: self.offers.offer_not_made})
        self.started = False

    # --- what the rest of the code (and the tests) read -------------------------------

    @property
    def router(self) -> Router:
        return self.ctx.router

    @property
    def book(self) -> CallBook:
        return self.ctx.book

    @property
    def config(self) -> AcdConfig:
        return self.ctx.config

    @property
    def recorder(self) -> Recorder | None:
        return self.ctx.recorder

    def now(self) -> float:
        return self.ctx.now()

    def today(self) -> DayStats:
        return self.ctx.today()

    def feed(self, event: RouterEvent) -> list[Command]:
        return self.ctx.feed(event)

    @property
    def rejections(self) -> deque[Rejection]:
        return self.ctx.rejections

    # --- life cycle --------------------------------------------------------------------

    async def start(self, *, restore: bool = True) -> None:
        """Subscribe to the bus and start the workers; restore agents from the database.
        Call before ``AmiClient.connect()`` so its first resync re-adopts waiting callers."""
        if self.started:
            return
        self.started = True
        ctx = self.ctx
        ctx.actions = asyncio.Queue()
        ctx.spawn(ctx.action_worker(), "acd-ami-actions")
        ctx.spawn(ctx.rows.run(), "acd-rows")
        subscriptions: list[tuple[type[Any], Any]] = [
            (ChannelCreated, self._on_created), (ChannelStateChanged, self.offers.on_state),
            (OriginateResult, self._on_originate), (ChannelBridged, self._on_bridge_enter),
            (ChannelUnbridged, self._on_bridge_leave), (ChannelHungUp, self._on_hangup),
            (VariableSet, self.offers.on_varset), (VariableSet, self.outbound.on_varset),
            (HoldChanged, self.talk.on_hold),
            (DtmfReceived, self.callbacks.on_dtmf), (TransferDone, self.transfers.on_transfer),
            (AmiResynced, self.restart.on_resynced), (AmiResynced, self.takes.rebuild_bridges),
            (OutboundDialEnded, self.restart.outbound.on_ended),
        ]
        for event_type, handler in subscriptions:
            ctx.subscribe(event_type, handler)
        if restore:
            n = await self.restart.restore_agents()
            if n:
                log.info("restored %d agent(s) from the database", n)
            n = await self.restart.restore_callbacks()
            if n:
                log.info("%d pending callback(s) back in line, offered from the AMI resync", n)
        ctx.arm_timer()

    async def drain(self) -> None:
        """Wait until every queued AMI action has been answered (tests, shutdown)."""
        await self.ctx.drain()

    async def stop(self) -> None:
        """Stop reacting (callers stay in Asterisk; a new service re-adopts them)."""
        await self.ctx.drain()
        await self.agents.flush_agent_states()
        await self.ctx.stop_tasks()
        self.started = False

    # --- pbx events: which collaborator sees them, in which order ----------------------

    def _on_created(self, ev: ChannelCreated) -> None:
        self.offers.on_channel_created(ev)
        self.outbound.on_created(ev)
        if self.transfers.pending_atxfer:
            self.transfers.on_consult_created(ev)

    def _on_originate(self, ev: OriginateResult) -> None:
        if self.conferences.conf_legs and self.conferences.on_originate(ev):
            return
        if self.outbound.dials and self.outbound.on_originate(ev):
            return
        call = self.ctx.book.by_leg.get(ev.uniqueid or "")
        if call is not None and call.customer_leg == ev.uniqueid and ev.success:
            self.callbacks.on_customer_answered(ev)
        else:
            self.offers.on_originate(ev)

    def _on_bridge_enter(self, ev: ChannelBridged) -> None:
        self.takes.bridge_enter(ev)
        self.offers.on_bridged(ev)
        self.takes.look_for_landing(ev)
        self.conferences.leg_joined(ev)

    def _on_bridge_leave(self, ev: ChannelUnbridged) -> None:
        self.takes.bridge_leave(ev)
        self.talk.on_unbridged(ev)

    def _on_hangup(self, ev: ChannelHungUp) -> None:
        if self.outbound.dials:
            self.outbound.on_hangup(ev)
        self.takes.channel_gone(ev)
        self.conferences.leg_gone(ev)
        self.talk.on_hangup(ev)

    # --- configuration --------------------------------------------------------------

    def reload(self, config: AcdConfig) -> None:
        """Apply a new configuration without a restart: queues are replaced (they apply
        to waiting calls from their next step), logged-in agents get their new profile."""
        ctx = self.ctx
        ctx.config = config
        ctx.router.reasons = config.reasons()
        for cfg in config.queues:
            ctx.router.set_queue(cfg)
        for aid, profile in config.agents.items():
            view = ctx.router.agent(aid)
            if view is not None and view.state != "logged_out":
                ctx.feed(AgentLoggedIn(ctx.now(), profile.agent))

    # --- Enqueuer ----------------------------------------------------------------------

    def enqueue(self, request: RoutingRequest) -> None:
        self.queueing.enqueue(request)

    def request_callback(self, request: CallbackRequest) -> None:
        self.callbacks.request_callback(request)

    # --- OutboundDialer (acd.ports): campaign dials, blended in the same router ------------

    def dial_out(self, request: OutboundRequest) -> None:
        self.outbound.dial_out(request)

    async def dial_preview(self, agent: str) -> None:
        def ring(call: LiveCall) -> None:
            cfg = self.ctx.config.queue(call.queue)
            self.offers.ring(call, agent, cfg.ring_timeout_s if cfg else 20.0)
        self.outbound.dial_preview(agent, ring)

    async def skip_preview(self, agent: str) -> None:
        self.outbound.skip_preview(agent)

    def ready_agents(self, queue: str) -> tuple[str, ...]:
        router = self.ctx.router
        return tuple(aid for aid, p in sorted(self.ctx.config.agents.items())
                     if queue in p.agent.queues
                     and (v := router.agent(aid)) is not None and v.state == "ready")

    def wrap_ends(self, queue: str) -> tuple[tuple[str, float], ...]:
        router = self.ctx.router
        return tuple((aid, v.wrap_until) for aid, p in sorted(self.ctx.config.agents.items())
                     if queue in p.agent.queues and (v := router.agent(aid)) is not None
                     and v.state == "wrap_up" and v.wrap_until is not None)

    def held_customers(self, queue: str) -> int:
        return self.outbound.held(queue)

    def dial_after_restart(self, call_id: str) -> OutboundDialEnded | bool | None:
        return self.restart.outbound.after_restart(call_id)

    def busy_agents(self, queue: str) -> dict[str, int]:
        return dict(self.ctx.router.queue(queue).agents_by_state)

    def estimated_wait(self, queue: str) -> float | None:
        return self.ctx.router.estimated_wait(queue)

    def agents_logged_in(self, queue: str) -> int:
        return self.ctx.router.agents_logged_in(queue)
