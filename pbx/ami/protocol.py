"""The AMI wire protocol: panoramisk's ``AMIProtocol`` with our decoder and a fast path.

panoramisk 1.4 decodes every TCP chunk on its own (a Chinese caller name split across
two reads is lost), turns every event into a case-insensitive ``Message`` and matches
responses through ``Action`` objects. On a busy PBX that is most of the CPU. Here:

* bytes go through :class:`pbx.ami.codec.AmiDecoder` (incremental UTF-8);
* events go straight to ``on_event(AmiMessage)``, no object per event beyond the dict;
* only messages carrying the ActionID of a *pending* action are collected for it, in an
  ActionID -> :class:`PendingAction` map (never by position: a Response can overtake
  events, README "Responses vs events"). A list action (``EventList: start``) completes
  on its ``...Complete`` event;
* ``OriginateResponse`` always takes the fast path: it arrives long after its action's
  ``Response: Success`` and is a call event (the tracker publishes ``OriginateResult``);
* a block that is not AMI is logged and counted, never raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from panoramisk.ami_protocol import AMIProtocol

from pbx.ami.codec import AmiDecoder, AmiFrameError, AmiMessage, encode_message

log = logging.getLogger(__name__)

EventCallback = Callable[[AmiMessage], None]


class ActionResponse:
    """What an action got back: the ``Response`` and, for list actions, its events."""

    __slots__ = ("response", "events")

    def __init__(self, response: AmiMessage, events: list[AmiMessage]) -> None:
        self.response = response
        self.events = events

    @property
    def success(self) -> bool:
        return self.response.success

    @property
    def message(self) -> str:
        return self.response.get("Message", "")

    def __repr__(self) -> str:
        return f"ActionResponse({dict(self.response)!r}, events={len(self.events)})"


class PendingAction:
    """One action waiting for its ``Response`` (and list events)."""

    __slots__ = ("name", "future", "response", "events", "is_list")

    def __init__(self, name: str, future: asyncio.Future[ActionResponse]) -> None:
        self.name = name
        self.future = future
        self.response: AmiMessage | None = None
        self.events: list[AmiMessage] = []
        self.is_list = False

    def add(self, msg: AmiMessage) -> bool:
        """Take one message; True when the action is complete."""
        if "Response" in msg:
            self.response = msg
            self.is_list = msg.get("EventList") == "start" or msg.get("Message", "").endswith(
                "will follow"
            )
            return not self.is_list or msg["Response"] == "Error"
        self.events.append(msg)  # list item, possibly overtaking its Response
        name = msg.get("Event", "")
        done = msg.get("EventList") == "Complete" or name.endswith("Complete")
        return done and self.response is not None


class HotlineAmiProtocol(AMIProtocol):
    """``AMIProtocol`` with the incremental decoder, a fast event path and our own
    ActionID map. ``factory`` (the client) must have ``connection_lost(exc)``."""

    def __init__(self, on_event: EventCallback, factory: Any = None) -> None:
        self.on_event = on_event
        self.factory = factory
        self.decoder = AmiDecoder()
        self.pending: dict[str, PendingAction] = {}
        self.frame_errors = 0
        self.events_received = 0
        self.banner: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._lost_notified = False

    # --- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        factory = self.factory
        super().connection_made(transport)  # panoramisk resets factory/log/queues
        self.factory = factory
        self.log = log
        self.encoding = "utf-8"

    def data_received(self, data: bytes) -> None:
        decoder = self.decoder
        messages = decoder.feed(data)
        if not self.banner.done() and decoder.banner is not None:
            self.version = decoder.banner.partition("/")[2]
            self.banner.set_result(decoder.banner)
        pending = self.pending
        on_event = self.on_event
        for msg in messages:
            if msg.__class__ is not AmiMessage:
                self._frame_error(msg)  # type: ignore[arg-type]
                continue
            if pending:
                aid = msg.get("ActionID")
                if aid is not None and aid in pending and msg.get("Event") != "OriginateResponse":
                    self._route(aid, msg)
                    continue
            if "Event" in msg:
                self.events_received += 1
                try:
                    on_event(msg)
                except Exception:
                    log.exception("AMI event handler failed on %s", msg.get("Event"))
            elif msg.get("ActionID"):
                log.debug("AMI response for an action nobody waits for: %r", dict(msg))

    def connection_lost(self, exc: Exception | None) -> None:
        # panoramisk only tells the factory if it had not closed the transport itself,
        # so a Shutdown or a keepalive close would never reconnect. Tell it exactly once.
        self.closed = True
        self.fail_pending(ConnectionError("the AMI connection was lost"))
        if not self.banner.done():
            self.banner.set_exception(ConnectionError("closed before the AMI banner"))
            self.banner.exception()  # retrieved: nobody may be waiting any more
        if not self._lost_notified:
            self._lost_notified = True
            if self.factory is not None:
                self.factory.connection_lost(exc)

    # --- actions --------------------------------------------------------------------

    def send_action(self, fields: list[tuple[str, object]], action_id: str) -> asyncio.Future[ActionResponse]:
        """Write one action; the future completes with its :class:`ActionResponse`."""
        future: asyncio.Future[ActionResponse] = asyncio.get_running_loop().create_future()
        name = str(fields[0][1]) if fields else "?"
        payload = encode_message([*fields, ("ActionID", action_id)])
        self.pending[action_id] = PendingAction(name, future)
        self.transport.write(payload)
        return future

    def forget(self, action_id: str) -> None:
        self.pending.pop(action_id, None)

    def fail_pending(self, exc: BaseException) -> None:
        pending, self.pending = self.pending, {}
        for p in pending.values():
            if not p.future.done():
                p.future.set_exception(exc)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.transport.close()

    # --- internals ------------------------------------------------------------------

    def _route(self, action_id: str, msg: AmiMessage) -> None:
        p = self.pending[action_id]
        if p.add(msg):
            del self.pending[action_id]
            if not p.future.done():
                assert p.response is not None
                p.future.set_result(ActionResponse(p.response, p.events))

    def _frame_error(self, err: AmiFrameError) -> None:
        self.frame_errors += 1
        n = self.frame_errors
        if n <= 10 or n % 1000 == 0:  # a flood of garbage must not flood the log
            log.warning("AMI: ignored malformed block #%d (%s): %.120r", n, err.reason, err.raw)
