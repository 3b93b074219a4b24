"""AcdService: implements :class:`acd.requests.Enqueuer` (for the IVR) and
:class:`acd.ports.ContactCenter` (for the console).

Wiring (see :mod:`acd.service.wiring` for the one-call version)::

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
from typing import Any

from acd.core import Router
from acd.core.commands import (
    Announce,
    CancelOffer,
    ExitQueue,
    MoveQueue,
    Offer,
    Queued,
    Rejection,
    SetAgentState,
)
from acd.ports import Recorder
from acd.service.base import ActionExecutor
from acd.service.center import Center
from acd.service.config import AcdConfig
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
    the agents' states go through (share it with the recorder: one transaction per flush); ``rng`` draws the percentage recording policy; ``time_scale`` is
    clock seconds per wall second (tests running the simulator faster); ``timezone``:
    where the snapshot's "today" starts (default: ``Settings.timezone``)."""

    def __init__(self, bus: EventBus, clock: Clock, ami: ActionExecutor, eventlog: CallEventLog,
                 config: AcdConfig, *, router: Router | None = None,
                 recorder: Recorder | None = None, rows: WriteBehind | None = None,
                 rng: random.Random | None = None,
                 time_scale: float = 1.0, timezone: str | None = None) -> None:
        super().__init__(bus, clock, ami, eventlog, config, router=router, rng=rng,
                         time_scale=time_scale, timezone=timezone)
        self.recorder = recorder
        if rows is not None:
            self.rows = rows
        self._init_agents()
        self._init_queueing()
        self._init_callbacks()
        self._init_takes()
        self._init_transfers()
        self._init_conferences()
        self._dispatch = {
            Queued: self._cmd_queued, Offer: self._cmd_offer, CancelOffer: self._cmd_cancel,
            SetAgentState: self._cmd_state, ExitQueue: self._cmd_exit, MoveQueue: self._cmd_move,
            Announce: self._cmd_announce, Rejection: self._on_rejection,
        }
        self.started = False

    async def start(self, *, restore: bool = True) -> None:
        """Subscribe to the bus and start the workers; restore agents from the database.
        Call before ``AmiClient.connect()`` so its first resync re-adopts waiting callers."""
        if self.started:
            return
        self.started = True
        self._actions = asyncio.Queue()
        self.spawn(self._action_worker(), "acd-ami-actions")
        self.spawn(self.rows.run(), "acd-rows")
        subscriptions: list[tuple[type[Any], Any]] = [
            (ChannelCreated, self._on_created), (ChannelStateChanged, self._on_state),
            (OriginateResult, self._on_originate_any), (ChannelBridged, self._on_bridge_enter),
            (ChannelUnbridged, self._on_bridge_leave), (ChannelHungUp, self._on_channel_gone),
            (VariableSet, self._on_varset), (HoldChanged, self._on_hold),
            (DtmfReceived, self._on_dtmf), (TransferDone, self._on_transfer),
            (AmiResynced, self._on_resynced), (AmiResynced, self._rebuild_bridges),
        ]
        for event_type, handler in subscriptions:
            self.subscribe(event_type, handler)
        if restore:
            n = await self.restore_agents()
            if n:
                log.info("restored %d agent(s) from the database", n)
            n = await self.restore_callbacks()
            if n:
                log.info("put %d pending callback(s) back in line", n)
        self._arm_timer()

    async def stop(self) -> None:
        """Stop reacting (callers stay in Asterisk; a new service re-adopts them)."""
        await self.drain()
        await self.flush_agent_states()
        await self._stop_tasks()
        self.started = False

    def _on_created(self, ev: ChannelCreated) -> None:
        self._on_channel_created(ev)
        if self.pending_atxfer:
            self._on_consult_created(ev)

    def _on_originate_any(self, ev: OriginateResult) -> None:
        if self.conf_legs and self._on_conf_originate(ev):
            return
        call = self.book.by_leg.get(ev.uniqueid or "")
        if call is not None and call.customer_leg == ev.uniqueid and ev.success:
            self._on_customer_answered(ev)
        else:
            self._on_originate(ev)

    # --- configuration --------------------------------------------------------------

    def reload(self, config: AcdConfig) -> None:
        """Apply a new configuration without a restart: queues are replaced (they apply
        to waiting calls from their next step), logged-in agents get their new profile."""
        from acd.core import AgentLoggedIn

        self.config = config
        self.router.reasons = config.reasons()
        for cfg in config.queues:
            self.router.set_queue(cfg)
        for aid, profile in config.agents.items():
            view = self.router.agent(aid)
            if view is not None and view.state != "logged_out":
                self.feed(AgentLoggedIn(self.now(), profile.agent))

    # --- Enqueuer ----------------------------------------------------------------------

    def estimated_wait(self, queue: str) -> float | None:
        return self.router.estimated_wait(queue)

    def agents_logged_in(self, queue: str) -> int:
        return self.router.agents_logged_in(queue)
