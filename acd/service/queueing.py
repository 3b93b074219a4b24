"""Callers in line: enqueue (the IVR's request), ENTERQUEUE, exits (abandon, timeout,
full, empty, key) with their destination, overflow, and position announcements.

The request, the call id and the original enqueue time are written on the caller's
channel (``HOTLINE_CALL_ID``, ``HOTLINE_REQUEST`` as JSON, ``HOTLINE_ENQUEUED_AT``) so a
restarted backend re-adopts the caller at its original place (:mod:`acd.service.restart`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any, Protocol

from acd.core import CallArrived, WaitingCall
from acd.core.commands import Announce, ExitQueue, MoveQueue, Queued, Rejection
from acd.events import CallAbandoned, CallExited, CallQueued
from acd.requests import RoutingRequest
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from hotline import kinds
from pbx.ami.actions import Hangup, Redirect, Setvar


def request_json(req: RoutingRequest, origposition: int) -> str:
    doc: dict[str, Any] = asdict(req)
    doc["origposition"] = origposition
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def parse_request(text: str) -> tuple[RoutingRequest, int]:
    """The inverse of :func:`request_json`; ValueError on anything else."""
    doc = json.loads(text)
    if not isinstance(doc, dict):
        raise ValueError("HOTLINE_REQUEST is not a JSON object")
    origposition = int(doc.pop("origposition", 0))
    for key in ("skills", "ivr_path"):
        doc[key] = tuple(doc.get(key) or ())
    known = RoutingRequest.__dataclass_fields__
    return RoutingRequest(**{k: v for k, v in doc.items() if k in known}), origposition


class CallbackDesk(Protocol):
    """What queueing needs of :class:`acd.service.callbacks.Callbacks`."""

    def convert_to_callback(self, call: LiveCall, number: str, *, keep_book: bool) -> None: ...

    def note_done(self, call: LiveCall, why: str) -> None: ...


class Queueing:
    """Callers in line, from ENTERQUEUE to the offer or the exit."""

    callbacks: CallbackDesk  # set by the service once both exist

    def __init__(self, ctx: AcdContext) -> None:
        self.ctx = ctx
        self.adopting: set[str] = set()  # call ids being re-adopted: no second ENTERQUEUE

    def enqueue(self, request: RoutingRequest) -> None:
        """Put the IVR's caller in line. Raises ValueError (one sentence) if the router
        refuses it (unknown queue, duplicate call id); the caller is then not in line."""
        now = self.ctx.now()
        enq = request.enqueued_at or now
        req = replace(request, enqueued_at=enq)
        self.arrive(LiveCall(request=req, queue=req.queue, enqueued_at=enq),
                     WaitingCall.from_request(req, self.ctx.config.queue(req.queue)))

    def arrive(self, call: LiveCall, waiting: WaitingCall, *, held_back: bool = False) -> None:
        """``held_back``: in line, offered to no one until ``CallReleased`` (acd.core)."""
        if self.ctx.book.get(call.call_id) is not None:
            raise ValueError(f"Call {call.call_id} is already in line; enqueue it only once.")
        self.ctx.book.add(call)
        out = self.ctx.feed(CallArrived(self.ctx.now(), waiting, held_back=held_back))
        refused = [c for c in out if isinstance(c, Rejection) and c.subject == call.call_id]
        if refused:
            self.ctx.book.drop(call)
            raise ValueError(refused[0].reason)

    def on_queued(self, cmd: Queued) -> None:
        call = self.ctx.book.get(cmd.call_id)
        if call is None:
            return
        call.queue = cmd.queue
        now = self.ctx.now()
        adopted = cmd.call_id in self.adopting
        if not call.origposition:
            call.origposition = cmd.position
        if not adopted:
            self.ctx.journal.enterqueue(call, now, cmd.position)
            self.ctx.today().offered(cmd.queue)
        r = call.request
        self.ctx.bus.publish(CallQueued(at=now, call_id=call.call_id, queue=cmd.queue,
                                    caller_num=r.caller_num, caller_name=r.caller_name,
                                    priority=r.priority, position=cmd.position))
        if call.channel and call.callback is None and not adopted:
            for name, value in (("HOTLINE_CALL_ID", call.call_id),
                                ("HOTLINE_ENQUEUED_AT", repr(call.enqueued_at)),
                                ("HOTLINE_REQUEST", request_json(r, call.origposition))):
                self.ctx.send(Setvar(name, value, channel=call.channel))

    def on_exit(self, cmd: ExitQueue) -> None:
        call = self.ctx.book.get(cmd.call_id)
        if call is None:
            return
        now = self.ctx.now()
        ringing = call.agent if call.leg is not None else None
        if call.leg is not None:
            self.ctx.send(Hangup(call.leg, cause=16))
            call.agent = call.leg = None
        position = cmd.position or 1
        self.ctx.book.drop(call)
        self.ctx.journal.left(call, now, cmd.why, position, to=cmd.to)
        self.callbacks.note_done(call, cmd.why)
        if cmd.why == "abandon":
            self.ctx.today().abandoned(call.queue, cmd.waited_s)
            self.ctx.bus.publish(CallAbandoned(at=now, call_id=call.call_id, queue=cmd.queue,
                                           waited_s=cmd.waited_s, position=position,
                                           while_ringing=ringing))
            return
        self.ctx.bus.publish(CallExited(at=now, call_id=call.call_id, queue=cmd.queue,
                                    waited_s=cmd.waited_s, why=cmd.why, to=cmd.to))
        if call.caller_gone or not call.channel:
            return
        if cmd.to == "callback":
            self.callbacks.convert_to_callback(call, call.request.caller_num, keep_book=False)
        elif cmd.to == "voicemail":
            self.ctx.send(Setvar("HOTLINE_QUEUE", cmd.queue, channel=call.channel))
            self.ctx.send(Redirect(call.channel, self.ctx.config.voicemail_context, "s"))

    def on_move(self, cmd: MoveQueue) -> None:
        call = self.ctx.book.get(cmd.call_id)
        if call is None:
            return
        old = call.queue
        call.queue = cmd.to_queue
        if not call.origposition:
            return  # never entered a queue: the Queued of the target queue follows
        now = self.ctx.now()
        position = self.ctx.router.position(cmd.call_id) or 1
        moved = replace(call, queue=old)
        why = cmd.why if cmd.why in ("empty", "full") else "timeout"  # relaxation: timeout
        self.ctx.journal.left(moved, now, why, position, to=f"overflow:{cmd.to_queue}")
        self.ctx.journal.enterqueue(call, now, position)
        self.ctx.today().offered(cmd.to_queue)
        self.ctx.bus.publish(CallExited(at=now, call_id=call.call_id, queue=old,
                                    waited_s=now - call.enqueued_at, why=why,
                                    to=f"overflow:{cmd.to_queue}"))

    def on_announce(self, cmd: Announce) -> None:
        """Play position and estimated wait: the caller goes to the announce context,
        which plays HOTLINE_POSITION / HOTLINE_EWT and returns to the wait context."""
        call = self.ctx.book.get(cmd.call_id)
        if (call is None or call.caller_gone or call.callback is not None or call.leg is not None
                or not call.channel):
            return
        ewt = "" if cmd.estimated_wait_s is None else str(int(round(cmd.estimated_wait_s)))
        self.ctx.send(Setvar("HOTLINE_POSITION", str(cmd.position), channel=call.channel))
        self.ctx.send(Setvar("HOTLINE_EWT", ewt, channel=call.channel))
        self.ctx.send(Redirect(call.channel, self.ctx.config.announce_context, "s"))
        self.ctx.journal.note(call, "ANNOUNCE", self.ctx.now(), position=cmd.position, ewt=ewt)

    def exit_with_key(self, call: LiveCall, key: str) -> None:
        """The caller pressed ``key`` to leave the line (EXITWITHKEY)."""
        position = self.ctx.router.position(call.call_id) or 1
        self.feed_left(call, key, position)

    def feed_left(self, call: LiveCall, key: str, position: int) -> None:
        from acd.core import CallLeft

        self.ctx.book.drop(call)
        now = self.ctx.now()
        self.ctx.feed(CallLeft(now, call.call_id, "key"))
        self.ctx.journal.left(call, now, "key", position, key=key)


_ = kinds  # queue_log verbs are written by the journal
