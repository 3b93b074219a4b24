"""The in-process event bus.

Events are frozen dataclasses deriving from :class:`Event`. Each package declares its
own event types in its ``events.py`` (``pbx.events``, ``acd.events``, ...); this module
only carries them.

Two ways to listen:

* ``bus.subscribe(EventType, handler)``: ``handler(event)`` is called synchronously
  inside ``publish`` (cheap, ordered; used by the tracker → router → log pipeline).
  A handler that raises is logged and does not stop the other handlers.
* ``bus.queue(EventType, ..., maxsize=N)``: an :class:`asyncio.Queue`-backed
  :class:`Subscription` for consumers that await (websocket hub). A full queue marks
  the subscription ``lagged`` and drops the event, so a slow consumer never slows the
  publisher; the consumer resynchronises from a snapshot when it sees ``lagged``.

Subscribing to a base class receives every subclass (the dispatch table is resolved
per concrete type on first publish and cached).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every event on the bus."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Any]


class Subscription:
    """An awaitable stream of events with a bounded buffer."""

    def __init__(self, bus: EventBus, types: tuple[type[Event], ...], maxsize: int) -> None:
        self._bus = bus
        self.types = types
        self._q: asyncio.Queue[Event] = asyncio.Queue(maxsize=maxsize)
        self.lagged = False
        self.dropped = 0

    def _offer(self, event: Event) -> None:
        try:
            self._q.put_nowait(event)
        except asyncio.QueueFull:
            self.lagged = True
            self.dropped += 1

    async def get(self) -> Event:
        return await self._q.get()

    def get_nowait(self) -> Event:
        return self._q.get_nowait()

    def qsize(self) -> int:
        return self._q.qsize()

    def clear_lag(self) -> None:
        """Called by the consumer after it resynchronised from a snapshot."""
        while not self._q.empty():
            self._q.get_nowait()
        self.lagged = False

    def close(self) -> None:
        self._bus._unsubscribe_queue(self)


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = {}
        self._queues: list[Subscription] = []
        self._cache: dict[type[Event], tuple[list[Handler], list[Subscription]]] = {}
        self.published = 0

    def subscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> Callable[[], None]:
        """Call ``handler(event)`` for every published instance of ``event_type``.

        Returns a function that removes the subscription.
        """
        self._handlers.setdefault(event_type, []).append(handler)
        self._cache.clear()

        def unsubscribe() -> None:
            hs = self._handlers.get(event_type, [])
            if handler in hs:
                hs.remove(handler)
                self._cache.clear()

        return unsubscribe

    def queue(self, *types: type[Event], maxsize: int = 1000) -> Subscription:
        sub = Subscription(self, types or (Event,), maxsize)
        self._queues.append(sub)
        self._cache.clear()
        return sub

    def _unsubscribe_queue(self, sub: Subscription) -> None:
        if sub in self._queues:
            self._queues.remove(sub)
            self._cache.clear()

    def _route(self, cls: type[Event]) -> tuple[list[Handler], list[Subscription]]:
        handlers: list[Handler] = []
        for base in cls.__mro__:
            handlers.extend(self._handlers.get(base, ()))
        queues = [q for q in self._queues if issubclass(cls, q.types)]
        route = (handlers, queues)
        self._cache[cls] = route
        return route

    def publish(self, event: Event) -> None:
        self.published += 1
        route = self._cache.get(type(event))
        if route is None:
            route = self._route(type(event))
        handlers, queues = route
        for h in handlers:
            try:
                h(event)
            except Exception:
                log.exception("event handler %r failed on %r", h, event)
        for q in queues:
            q._offer(event)
