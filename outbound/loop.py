"""What a live campaign and an agentless one share: start / pause / stop, the bus
subscriptions, one tick at a time on the loop, and the timer that wakes the campaign when
its next record is due (a retry, calling hours opening)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hotline.clock import Clock
from hotline.events import EventBus
from outbound.dialer import Runner


class CampaignLoop:
    """Subclasses give ``_subscriptions`` (subscribed once, at the first start) and
    ``tick`` (dial what the runner allows; it ends with ``self._arm(now)``)."""

    def __init__(self, runner: Runner, bus: EventBus, clock: Clock, time_scale: float) -> None:
        self.runner = runner
        self.bus = bus
        self.clock = clock
        self.time_scale = time_scale
        self.running = False
        self._unsubscribe: list[Callable[[], None]] = []
        self._scheduled = False
        self._timer: asyncio.TimerHandle | None = None

    @property
    def name(self) -> str:
        return self.runner.campaign

    def _subscriptions(self) -> list[Callable[[], None]]:
        raise NotImplementedError

    def tick(self) -> None:
        raise NotImplementedError

    def listen(self) -> None:
        """Follow the dials in flight to their ends (and log them) without dialing: a
        campaign loaded paused or stopped with an earlier process's dials still ringing."""
        if not self._unsubscribe:  # a paused campaign is still subscribed
            self._unsubscribe = self._subscriptions()

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.listen()
        self._schedule()

    def stop(self) -> None:
        """Pause or stop: no new dials; the dials in flight finish and are logged."""
        self.running = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def close(self) -> None:
        self.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def _schedule(self) -> None:
        if self._scheduled or not self.running:
            return
        self._scheduled = True
        asyncio.get_running_loop().call_soon(self.tick)

    def _arm(self, now: float) -> None:
        """Wake up when the next record is due."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        due = self.runner.next_due(now)
        if due is not None:
            self._timer = asyncio.get_running_loop().call_later(
                (due - now) / self.time_scale, self._schedule)
