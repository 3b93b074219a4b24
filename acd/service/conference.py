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

from acd.ports import ContactCenterError
from acd.service.calls import LiveCall
from acd.service.transfers import Transfers
from pbx.ami.actions import Originate, Redirect, Setvar, caller_id
from pbx.ami.errors import AmiError
from pbx.contexts import EXTEN_GUEST, EXTEN_START, HOTLINE_CONFERENCE, VAR_CONF
from pbx.events import OriginateResult

CONF_LEG_PREFIX = "hotline-confleg-"
THIRD_PARTY_RING_S = 30.0


def room_of(call_id: str) -> str:
    return f"hotline-conf-{call_id}"


class Conferences(Transfers):
    def _init_conferences(self) -> None:
        self.conf_legs: dict[str, tuple[str, str]] = {}  # leg uniqueid -> (call id, target)

    def _third_party_dial(self, number: str) -> str:
        number = number.strip()
        if not number or not all(c.isdigit() or c in "+*#" for c in number):
            raise ContactCenterError(f"{number!r} is not a phone number: use digits only.",
                                     bad_request=True)
        agent = self._agent_at(number)
        return self.endpoint_of(agent) if agent is not None else self.config.customer_dial(number)

    async def conference(self, agent: str, number: str) -> None:
        call = self.connected_call(agent, "conference")
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
                    await self.ami.execute(Setvar(VAR_CONF, room, channel=channel))
                await self.ami.execute(Redirect(
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
        self.journal.note(call, "CONFERENCE", self.now(), agent=agent, target=number,
                          room=room, leg=leg)
        r = call.request
        self.send(Originate(channel=dial, context=HOTLINE_CONFERENCE, exten=EXTEN_GUEST,
                            timeout_ms=int(THIRD_PARTY_RING_S * 1000), channel_id=leg,
                            variables={VAR_CONF: room, "HOTLINE_CALL_ID": call.call_id},
                            caller_id=caller_id(r.caller_name or r.caller_num, r.caller_num)),
                  on_error=lambda exc: self._conf_leg_failed(leg, -1))

    def _on_conf_originate(self, ev: OriginateResult) -> bool:
        """The third party's OriginateResponse; True when it was one of ours."""
        leg = ev.uniqueid or ""
        if leg not in self.conf_legs:
            return False
        if ev.success:
            call_id, _target = self.conf_legs[leg]
            call = self.book.get(call_id)
            if call is not None:
                self.journal.note(call, "CONFERENCEJOIN", self.now(), leg=leg)
        else:
            self._conf_leg_failed(leg, ev.reason)
        return True

    def _conf_leg_failed(self, leg: str, reason: int) -> None:
        call_id, target = self.conf_legs.pop(leg, ("", ""))
        call = self.book.get(call_id)
        if call is not None:
            self.journal.note(call, "CONFERENCEFAIL", self.now(), target=target, reason=reason)

    def _conference_goes_on(self, call: LiveCall, side: str) -> bool:
        """``side`` (caller/agent) left the room: True while the other one is still in
        it, so the call is not over yet (the first to leave is remembered as ``by``)."""
        if call.conference is None or call.first_leave is not None:
            return False
        call.first_leave = side
        return True
