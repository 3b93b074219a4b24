"""Callers in line: enqueue (the IVR's request), ENTERQUEUE, exits (abandon, timeout,
full, empty, key) with their destination, overflow, and position announcements.

The request, the call id and the original enqueue time are written on the caller's
channel (``HOTLINE_CALL_ID``, ``HOTLINE_REQUEST`` as JSON, ``HOTLINE_ENQUEUED_AT``) so a
restarted backend re-adopts the caller at its original place (:mod:`acd.service.restart`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

from acd.core import CallArrived, WaitingCall
from acd.core.commands import Announce, ExitQueue, MoveQueue, Queued, Rejection
from acd.events import CallAbandoned, CallExited, CallQueued
from acd.requests import RoutingRequest
from acd.service.agents import Agents
from acd.service.calls import LiveCall
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


class Queueing(Agents):
    def _init_queueing(self) -> None:
        self.adopting: set[str] = set()  # call ids being re-adopted: no second ENTERQUEUE

    def enqueue(self, request: RoutingRequest) -> None:
        """Put the IVR's caller in line. Raises ValueError (one sentence) if the router
        refuses it (unknown queue, duplicate call id); the caller is then not in line."""
        now = self.now()
        enq = request.enqueued_at or now
        req = replace(request, enqueued_at=enq)
        self._arrive(LiveCall(request=req, queue=req.queue, enqueued_at=enq),
                     WaitingCall.from_request(req, self.config.queue(req.queue)))

    def _arrive(self, call: LiveCall, waiting: WaitingCall) -> None:
        if self.book.get(call.call_id) is not None:
            raise ValueError(f"Call {call.call_id} is already in line; enqueue it only once.")
        self.book.add(call)
        out = self.feed(CallArrived(self.now(), waiting))
        refused = [c for c in out if isinstance(c, Rejection) and c.subject == call.call_id]
        if refused:
            self.book.drop(call)
            raise ValueError(refused[0].reason)

    def _cmd_queued(self, cmd: Queued) -> None:
        call = self.book.get(cmd.call_id)
        if call is None:
            return
        call.queue = cmd.queue
        now = self.now()
        adopted = cmd.call_id in self.adopting
        if not call.origposition:
            call.origposition = cmd.position
        if not adopted:
            self.journal.enterqueue(call, now, cmd.position)
            self.today().offered(cmd.queue)
        r = call.request
        self.bus.publish(CallQueued(at=now, call_id=call.call_id, queue=cmd.queue,
                                    caller_num=r.caller_num, caller_name=r.caller_name,
                                    priority=r.priority, position=cmd.position))
        if call.channel and call.callback is None and not adopted:
            for name, value in (("HOTLINE_CALL_ID", call.call_id),
                                ("HOTLINE_ENQUEUED_AT", repr(call.enqueued_at)),
                                ("HOTLINE_REQUEST", request_json(r, call.origposition))):
                self.send(Setvar(name, value, channel=call.channel))

    def _cmd_exit(self, cmd: ExitQueue) -> None:
        call = self.book.get(cmd.call_id)
        if call is None:
            return
        now = self.now()
        ringing = call.agent if call.leg is not None else None
        if call.leg is not None:
            self.send(Hangup(call.leg, cause=16))
            call.agent = call.leg = None
        position = cmd.position or 1
        self.book.drop(call)
        self.journal.left(call, now, cmd.why, position, to=cmd.to)
        self.note_done(call, cmd.why)
        if cmd.why == "abandon":
            self.today().abandoned(call.queue, cmd.waited_s)
            self.bus.publish(CallAbandoned(at=now, call_id=call.call_id, queue=cmd.queue,
                                           waited_s=cmd.waited_s, position=position,
                                           while_ringing=ringing))
            return
        self.bus.publish(CallExited(at=now, call_id=call.call_id, queue=cmd.queue,
                                    waited_s=cmd.waited_s, why=cmd.why, to=cmd.to))
        if call.caller_gone or not call.channel:
            return
        if cmd.to == "callback":
            self.convert_to_callback(call, call.request.caller_num, keep_book=False)
        elif cmd.to == "voicemail":
            self.send(Setvar("HOTLINE_QUEUE", cmd.queue, channel=call.channel))
            self.send(Redirect(call.channel, self.config.voicemail_context, "s"))

    def convert_to_callback(self, call: LiveCall, number: str, *, keep_book: bool) -> None:
        raise NotImplementedError

    def note_done(self, call: LiveCall, why: str) -> None:
        raise NotImplementedError

    def _cmd_move(self, cmd: MoveQueue) -> None:
        call = self.book.get(cmd.call_id)
        if call is None:
            return
        old = call.queue
        call.queue = cmd.to_queue
        if not call.origposition:
            return  # never entered a queue: the Queued of the target queue follows
        now = self.now()
        position = self.router.position(cmd.call_id) or 1
        moved = replace(call, queue=old)
        why = cmd.why if cmd.why in ("empty", "full") else "timeout"  # relaxation: timeout
        self.journal.left(moved, now, why, position, to=f"overflow:{cmd.to_queue}")
        self.journal.enterqueue(call, now, position)
        self.today().offered(cmd.to_queue)
        self.bus.publish(CallExited(at=now, call_id=call.call_id, queue=old,
                                    waited_s=now - call.enqueued_at, why=why,
                                    to=f"overflow:{cmd.to_queue}"))

    def _cmd_announce(self, cmd: Announce) -> None:
        """Play position and estimated wait: the caller goes to the announce context,
        which plays HOTLINE_POSITION / HOTLINE_EWT and returns to the wait context."""
        call = self.book.get(cmd.call_id)
        if (call is None or call.caller_gone or call.callback is not None or call.leg is not None
                or not call.channel):
            return
        ewt = "" if cmd.estimated_wait_s is None else str(int(round(cmd.estimated_wait_s)))
        self.send(Setvar("HOTLINE_POSITION", str(cmd.position), channel=call.channel))
        self.send(Setvar("HOTLINE_EWT", ewt, channel=call.channel))
        self.send(Redirect(call.channel, self.config.announce_context, "s"))
        self.journal.note(call, "ANNOUNCE", self.now(), position=cmd.position, ewt=ewt)

    def exit_with_key(self, call: LiveCall, key: str) -> None:
        """The caller pressed ``key`` to leave the line (EXITWITHKEY)."""
        position = self.router.position(call.call_id) or 1
        self.feed_left(call, key, position)

    def feed_left(self, call: LiveCall, key: str, position: int) -> None:
        from acd.core import CallLeft

        self.book.drop(call)
        now = self.now()
        self.feed(CallLeft(now, call.call_id, "key"))
        self.journal.left(call, now, "key", position, key=key)


_ = kinds  # queue_log verbs are written by the journal
