"""Three-way calls from the console (``ContactCenter.conference``) with ConfBridge.

The standard AMI way: ``Setvar HOTLINE_CONF=<room>`` on the caller and the agent leg,
one ``Redirect`` of the caller with ``ExtraChannel`` = the agent leg into
``hotline-conference,s`` (both leave their two-party bridge together, neither is hung
up), then ``Originate`` the third party (``PJSIP/<number>@<trunk>``, or the agent's
endpoint when the number is an agent's extension) into ``hotline-conference,guest``.
One room per call (``hotline-conf-<call id>``); a second conference() on the same call
adds another party to the same room.

Accounting: the talk goes on (calltime counts from CONNECT to the end), a CONFERENCE
row records each added party (CONFERENCEFAIL if it did not answer), and the call
completes when the last of caller and agent leaves the room; ``by`` is whoever left
first, as for a two-party call. The third party leaves with them (confbridge.conf
``endmarked``); its own hang-up ends nothing.
"""

from __future__ import annotations

from acd.core import CallEnded
from acd.events import CallCompleted
from acd.ports import ContactCenterError
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from pbx.ami.actions import Originate, Redirect, Setvar, caller_id
from pbx.ami.errors import AmiError
from pbx.contexts import EXTEN_GUEST, EXTEN_START, HOTLINE_CONFERENCE, VAR_CONF
from pbx.events import ChannelBridged, ChannelHungUp, OriginateResult

CONF_LEG_PREFIX = "hotline-confleg-"
THIRD_PARTY_RING_S = 30.0


def room_of(call_id: str) -> str:
    return f"hotline-conf-{call_id}"


class Conferences:
    """Three-way calls: the rooms' third-party legs and the agents conferenced in."""

    def __init__(self, ctx: AcdContext) -> None:
        self.ctx = ctx
        self.conf_legs: dict[str, tuple[str, str]] = {}  # leg uniqueid -> (call id, target)
        # conference leg uniqueid -> (agent, call id, queue, joined at)
        self.conf_takers: dict[str, tuple[str, str, str, float]] = {}

    def _third_party_dial(self, number: str) -> str:
        number = number.strip()
        if not number or not all(c.isdigit() or c in "+*#" for c in number):
            raise ContactCenterError(f"{number!r} is not a phone number: use digits only.",
                                     bad_request=True)
        agent = self.ctx.agent_at(number)
        return self.ctx.endpoint_of(agent) if agent is not None else self.ctx.config.customer_dial(number)

    async def conference(self, agent: str, number: str) -> None:
        call = self.ctx.connected_call(agent, "conference")
        if call.hold_started is not None:
            raise ContactCenterError(f"Agent {agent}'s caller is on hold: take the caller off "
                                     "hold before adding a third party.")
        if call.transferring not in (None, "conference"):
            raise ContactCenterError(f"Agent {agent} is transferring the call: finish or "
                                     "cancel the transfer first.")
        dial = self._third_party_dial(number)
        assert call.leg_channel is not None
        room = room_of(call.call_id)
        if call.conference is None:
            call.transferring = "conference"  # both leave the bridge on purpose
            try:
                for channel in (call.channel, call.leg_channel):
                    await self.ctx.ami.execute(Setvar(VAR_CONF, room, channel=channel))
                await self.ctx.ami.execute(Redirect(
                    call.channel, HOTLINE_CONFERENCE, EXTEN_START,
                    extra_channel=call.leg_channel, extra_context=HOTLINE_CONFERENCE,
                    extra_exten=EXTEN_START, extra_priority=1))
            except AmiError as exc:
                call.transferring = None
                raise ContactCenterError(f"The conference could not be set up ({exc}); the "
                                         "caller is still with the agent.") from exc
            call.conference = room
        call.conf_parties += 1
        leg = f"{CONF_LEG_PREFIX}{call.call_id}-{call.conf_parties}"
        self.conf_legs[leg] = (call.call_id, number)
        self.ctx.journal.note(call, "CONFERENCE", self.ctx.now(), agent=agent, target=number,
                          room=room, leg=leg)
        r = call.request
        self.ctx.send(Originate(channel=dial, context=HOTLINE_CONFERENCE, exten=EXTEN_GUEST,
                            timeout_ms=int(THIRD_PARTY_RING_S * 1000), channel_id=leg,
                            variables={VAR_CONF: room, "HOTLINE_CALL_ID": call.call_id},
                            caller_id=caller_id(r.caller_name or r.caller_num, r.caller_num)),
                  on_error=lambda exc: self._conf_leg_failed(leg, -1))

    def on_originate(self, ev: OriginateResult) -> bool:
        """The third party's OriginateResponse; True when it was one of ours."""
        leg = ev.uniqueid or ""
        if leg not in self.conf_legs:
            return False
        if ev.success:
            call_id, _target = self.conf_legs[leg]
            call = self.ctx.book.get(call_id)
            if call is not None:
                self.ctx.journal.note(call, "CONFERENCEJOIN", self.ctx.now(), leg=leg)
        else:
            self._conf_leg_failed(leg, ev.reason)
        return True

    def _conf_leg_failed(self, leg: str, reason: int) -> None:
        call_id, target = self.conf_legs.pop(leg, ("", ""))
        call = self.ctx.book.get(call_id)
        if call is not None:
            self.ctx.journal.note(call, "CONFERENCEFAIL", self.ctx.now(), target=target, reason=reason)

    def goes_on(self, call: LiveCall, side: str) -> bool:
        """``side`` (caller/agent) left the room: True while the other one is still in
        it, so the call is not over yet (the first to leave is remembered as ``by``)."""
        if call.conference is None or call.first_leave is not None:
            return False
        call.first_leave = side
        return True

    # --- an agent conferenced in ---------------------------------------------------------

    def agent_joined(self, leg: str) -> None:
        call_id, number = self.conf_legs[leg]
        agent = self.ctx.agent_at(number)
        call = self.ctx.book.get(call_id)
        if agent is None or call is None or leg in self.conf_takers:
            return
        if self.ctx.agent_took(agent, call_id, call.queue):
            now = self.ctx.now()
            self.conf_takers[leg] = (agent, call_id, call.queue, now)
            self.ctx.journal.take(call, agent, now, "conference", call.agent, leg)

    def agent_left(self, leg: str) -> None:
        agent, call_id, queue, joined = self.conf_takers.pop(leg)
        self.conf_legs.pop(leg, None)
        now = self.ctx.now()
        live = self.ctx.book.get(call_id)
        by = "agent" if live is not None and live.connected_at is not None else "caller"
        self.ctx.journal.take_complete(call_id, queue, agent, now, now - joined, 0.0, by,
                                       "conference")
        self.ctx.today().talked(agent, now - joined)
        self.ctx.bus.publish(CallCompleted(at=now, call_id=call_id, queue=queue, agent=agent,
                                           talk_s=now - joined, hold_s=0.0, by=by))
        self.ctx.last_call[agent] = (call_id, queue)
        self.ctx.feed(CallEnded(now, call_id, agent, by))

    def leg_joined(self, ev: ChannelBridged) -> None:
        if ev.uniqueid in self.conf_legs:
            self.agent_joined(ev.uniqueid)

    def leg_gone(self, ev: ChannelHungUp) -> None:
        if ev.uniqueid in self.conf_takers:
            self.agent_left(ev.uniqueid)
        else:  # a third party by number hung up: forget its leg (it was kept for ever)
            self.conf_legs.pop(ev.uniqueid, None)
