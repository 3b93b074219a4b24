"""Restart safety.

* Agents: their last state is in ``acd_agent_state``; at start-up logged-in agents are
  logged in again, ready agents (and agents that were being offered a call) are ready,
  others not ready (an agent who was talking gets ``after_call_work``: the call it had is
  no longer ours to account for).
* Callers: on every ``AmiResynced`` (after connect and each reconnect) the channels that
  carry ``HOTLINE_REQUEST`` and are not bridged are re-adopted, oldest enqueue time first,
  with their original enqueue time and ENTERQUEUE position, so they keep their place and
  no second ENTERQUEUE is logged.
* Agent legs (``ChannelId`` ``hotline-agentleg-<call>-<n>``, :mod:`acd.service.offers`)
  that ring for an offer an earlier process made (none of ours has that leg, no bridge),
  and a callback's customer leg (``hotline-custleg-<call>-<n>``, :mod:`acd.service.callbacks`)
  likewise: on the same ``AmiResynced``, before the callers are re-adopted, they are hung
  up (cause 16, a log line), so the old phone cannot answer and bridge a caller the router
  offers again (the caller bridged twice), an agent sit on hold for a customer no one
  bridges, or a customer answer into that hold and then get the callback again. Their
  agent is back as the rules above give (ringing: ready). A re-adopted caller's next leg
  is numbered past the legs seen, so no new leg takes an old one's Uniqueid.
* Conference legs (``hotline-confleg-<call>-<n>``, :mod:`acd.service.conference`), the
  third party an earlier process was adding: ringing, or answered but not (yet) in the
  room, they are hung up the same way (cause 16, a log line) when this process's
  :class:`~acd.service.conference.Conferences` does not know them. Nothing else changes:
  caller and agent stay in their room (a guest's hang-up ends nothing, ``endmarked``),
  and no row is written for the party (the old process's ``CONFERENCE`` row stays the
  last word on it: no ``CONFERENCEJOIN``, no take, nothing counted by this process). A
  conference leg *in* a room with someone else is left alone: it is a live conversation
  (as caller and agent talking are; none of it is this process's to account). One alone
  in its room (caller and agent left while no backend ran, then it answered) talks to no
  one and is never kicked, since only a marked party's leaving kicks guests: hung up too.
* Campaign dials (legs carrying ``HOTLINE_OUTBOUND``, left out above): on the same
  ``AmiResynced`` a predictive customer waiting for an agent goes back in line for the rest
  of its connect window (over: an abandon, ``why`` ``restart``), a dial still ringing is
  tracked again so its result is published once, and an agent-first dial (its reserved
  agent came back not ready) is ended: :mod:`acd.service.outbound_restart`.
* Callbacks (nobody on a channel waits for them): at start-up the ones whose last
  ``CALLBACKPENDING`` row in the call-event log has no ``CALLBACKDONE`` after it go back
  in line with their original enqueue time, place and attempts (a READOPT row, no second
  ENTERQUEUE), *held back* (``CallArrived.held_back``): listed in the queue's waiting
  calls, counted in its figures and the supervisors' snapshot, placed ahead of later
  callers, but offered to no agent, however long the AMI stays unreachable. The first
  ``AmiResynced`` releases them (``CallReleased``), after the legs above are hung up and
  their next legs numbered past them (an old leg's Uniqueid is never reused), in
  enqueue-time order with the re-adopted callers.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from acd.admin.models import AcdAgentState
from acd.core import AgentLoggedIn, AgentNotReady, AgentReady, CallReleased, WaitingCall
from acd.core.commands import Rejection
from acd.service.agents import Agents
from acd.service.callbacks import DONE, PENDING, Callbacks
from acd.service.calls import LiveCall
from acd.service.conference import CONF_LEG_PREFIX, Conferences
from acd.service.context import AcdContext
from acd.service.offers import LEG_PREFIX
from acd.service.outbound import OutboundCalls
from acd.service.outbound_restart import CUSTOMER_PREFIX as CUSTOMER_LEG_PREFIX
from acd.service.outbound_restart import OutboundRestart
from acd.service.queueing import Queueing, parse_request
from hotline.db import CallEvent
from pbx.ami.actions import Hangup
from pbx.events import AmiResynced, ChannelSnapshot

log = logging.getLogger("acd.service")

_BACK_READY = {"ready", "reserved", "ringing"}
# the ChannelIds of the legs the ACD originates (acd.service.offers, acd.service.callbacks)
_OUR_LEGS = {LEG_PREFIX: "agent", CUSTOMER_LEG_PREFIX: "callback customer",
             CONF_LEG_PREFIX: "conference"}


class Restart:
    """Bringing agents, waiting callers and pending callbacks back after a restart."""

    def __init__(self, ctx: AcdContext, agents: Agents, queueing: Queueing,
                 callbacks: Callbacks, outbound: OutboundCalls,
                 conferences: Conferences) -> None:
        self.ctx = ctx
        self.conferences = conferences
        self.agents = agents
        self.queueing = queueing
        self.callbacks = callbacks
        self.outbound = OutboundRestart(ctx, outbound)
        # pending callbacks back in line (held back) at start-up, released at the first
        # AmiResynced
        self.held_back: list[LiveCall] = []

    async def restore_agents(self) -> int:
        """Log agents back in as the database remembers them; returns how many."""
        async with self.ctx.eventlog.engine.connect() as conn:
            rows = (await conn.execute(select(
                AcdAgentState.agent_id, AcdAgentState.state, AcdAgentState.reason,
                AcdAgentState.extension))).all()
        restored = 0
        self.agents.quiet = True
        try:
            for agent_id, state, reason, extension in rows:
                profile = self.ctx.config.agents.get(agent_id)
                if profile is None or state == "logged_out":
                    continue
                if extension:
                    self.ctx.extensions[agent_id] = extension
                now = self.ctx.now()
                self.ctx.feed(AgentLoggedIn(now, profile.agent))
                if state in _BACK_READY:
                    self.ctx.feed(AgentReady(now, agent_id))
                else:
                    why = reason if state == "not_ready" and reason else "after_call_work"
                    self.ctx.feed(AgentNotReady(now, agent_id, why))
                restored += 1
        finally:
            self.agents.quiet = False
        return restored

    async def restore_callbacks(self) -> int:
        """Put the pending callbacks back in line, held back: offered only from the first
        ``AmiResynced`` (once the legs an earlier process left for them are known, so their
        next legs are numbered past those and the old ones are hung up, not taken for
        ours). Returns how many are back in line."""
        async with self.ctx.eventlog.engine.connect() as conn:
            rows = (await conn.execute(
                select(CallEvent.call_id, CallEvent.kind, CallEvent.data)
                .where(CallEvent.kind.in_((PENDING, DONE))).order_by(CallEvent.id))).all()
        last: dict[str, Any] = {}
        for call_id, kind, data in rows:
            last[call_id] = data if kind == PENDING else None
        found: list[tuple[LiveCall, int]] = []
        for call_id, data in last.items():
            if data is None or self.ctx.book.get(call_id) is not None:
                continue
            try:
                req, origposition = parse_request(str(data["request"]))
                number = str(data["number"])
                attempts = int(data.get("attempts") or 0)
            except (KeyError, ValueError, TypeError) as exc:
                log.warning("callback %s has an unreadable %s row (%s); left alone",
                            call_id, PENDING, exc)
                continue
            # The caller's channel (virtual hold) is long gone: only the number counts.
            req = replace(req, channel="", uniqueid="")
            found.append((LiveCall(request=req, queue=req.queue, enqueued_at=req.enqueued_at,
                                   origposition=origposition, callback=number), attempts))
        for call, attempts in sorted(found, key=lambda x: (x[0].enqueued_at, x[0].call_id)):
            if self._callback_back(call, attempts):
                self.held_back.append(call)
        return len(self.held_back)

    def _callback_back(self, call: LiveCall, attempts: int) -> bool:
        if attempts:
            self.callbacks.attempts[call.call_id] = attempts
        try:
            self.callbacks.callback_again(call, held_back=True)
        except ValueError as exc:
            self.callbacks.attempts.pop(call.call_id, None)
            log.warning("callback %s not restored: %s", call.call_id, exc)
            return False
        self.ctx.journal.note(call, "READOPT", self.ctx.now(), callback=call.callback)
        return True

    def _release(self, call: LiveCall) -> None:
        if self.ctx.book.get(call.call_id) is not call:
            return  # it left the line meanwhile (an exit rule, its queue emptied)
        for cmd in self.ctx.feed(CallReleased(self.ctx.now(), call.call_id)):
            if isinstance(cmd, Rejection) and cmd.subject == call.call_id:
                log.warning("callback %s not released: %s", call.call_id, cmd.reason)

    def on_resynced(self, ev: AmiResynced) -> None:
        legs_seen = self._hang_up_stale_legs(ev)
        found: list[tuple[float, LiveCall]] = []
        for snap in ev.channels:
            call = self._adoptable(snap)
            if call is not None:
                found.append((call.enqueued_at, call))
        held, self.held_back = self.held_back, []
        released = {call.call_id for call in held}
        queued = found + [(call.enqueued_at, call) for call in held]
        for _t, call in sorted(queued, key=lambda x: (x[0], x[1].call_id)):
            call.offers = max(call.offers, legs_seen.get(call.call_id, 0))
            if call.call_id in released:
                self._release(call)
                continue
            waiting = WaitingCall.from_request(call.request, self.ctx.config.queue(call.queue))
            self.queueing.adopting.add(call.call_id)
            try:
                self.queueing.arrive(call, waiting)
            except ValueError as exc:
                log.warning("caller %s not re-adopted: %s", call.channel, exc)
            finally:
                self.queueing.adopting.discard(call.call_id)
            self.ctx.journal.note(call, "READOPT", self.ctx.now(), channel=call.channel)
        if found:
            log.info("re-adopted %d waiting caller(s) after AMI resync", len(found))
        self.outbound.on_resynced(ev)

    def _hang_up_stale_legs(self, ev: AmiResynced) -> dict[str, int]:
        """Hang up the agent, callback customer and conference legs no call of ours has
        (campaign legs are left to :mod:`acd.service.outbound_restart`); returns the
        highest agent / customer leg number seen per call (the numbering of offers)."""
        seen: dict[str, int] = {}
        members: dict[str, int] = {}
        for snap in ev.channels:
            if snap.bridge_id:
                members[snap.bridge_id] = members.get(snap.bridge_id, 0) + 1
        for snap in ev.channels:
            prefix = next((p for p in _OUR_LEGS if snap.uniqueid.startswith(p)), None)
            if prefix is None:
                continue
            call_id, _, n = snap.uniqueid[len(prefix):].rpartition("-")
            call_id = snap.variables.get("HOTLINE_CALL_ID") or call_id
            if prefix == CONF_LEG_PREFIX:
                # numbered per added party, not per offer; ours, or in a room with someone
                if (snap.uniqueid in self.conferences.conf_legs
                        or members.get(snap.bridge_id or "", 0) > 1):
                    continue
            else:
                if n.isdigit():
                    seen[call_id] = max(seen.get(call_id, 0), int(n))
                if (snap.uniqueid in self.ctx.book.by_leg or snap.bridge_id
                        or "HOTLINE_OUTBOUND" in snap.variables):
                    continue
            where = " alone in its room" if snap.bridge_id else ""
            log.info("hung up %s leg %s (%s, call %s, %s%s): no call of this process has it",
                     _OUR_LEGS[prefix], snap.uniqueid, snap.channel, call_id, snap.state, where)
            self.ctx.send(Hangup(snap.channel, cause=16), on_error=lambda _exc: None)
        return seen

    def _adoptable(self, snap: ChannelSnapshot) -> LiveCall | None:
        text = snap.variables.get("HOTLINE_REQUEST")
        if not text or snap.bridge_id or "HOTLINE_OUTBOUND" in snap.variables:
            return None
        try:
            req, origposition = parse_request(text)
        except (ValueError, TypeError) as exc:
            log.warning("channel %s has an unreadable HOTLINE_REQUEST (%s); left alone",
                        snap.channel, exc)
            return None
        if self.ctx.book.get(req.call_id) is not None:
            return None
        try:
            enq = float(snap.variables.get("HOTLINE_ENQUEUED_AT") or req.enqueued_at)
        except ValueError:
            enq = req.enqueued_at
        req = replace(req, channel=snap.channel, uniqueid=snap.uniqueid, enqueued_at=enq)
        return LiveCall(request=req, queue=req.queue, enqueued_at=enq, origposition=origposition)
