"""Calls that reach an agent outside an offer: a blind or attended transfer to an agent's
extension, or an agent conferenced in as the third party.

A transfer is accounted for the transferring agent first (``Transfers._transferred``:
BLINDTRANSFER / ATTENDEDTRANSFER, wrap-up); the call then *awaits* the taker: a new
:class:`LiveCall` for the same call id, ``agent`` = the taker, ``taken`` = how. It *lands*
when a channel of the taker's phone (``<endpoint>-…``) and the caller's channel are in
one bridge:

* blind (ami-07b): the caller's own ``Dial`` bridges ``PJSIP/agent1002-…`` with it;
* attended (ami-07c): after ``AttendedTransfer`` and the Local optimisation the caller
  enters the bridge ``PJSIP/agent1002-…`` has been in since it answered the consultation.

The BlindTransfer response may come after the bridge, so the landing is looked for both
when the call starts awaiting and at every BridgeEnter. While it awaits, the router
offers the taker no queue call (``TransferRinging``; ``TransferGone`` if the caller hangs
up first; the ring timeout plus a margin as the net). On landing the router gets
``AgentTookCall`` (the agent is on call: no offer meanwhile, ``AgentStateChanged``
published, counted in calls today and the handle-time average), a ``TAKECALL`` row is
written, and from then on the call is the taker's like an offered one: hang-up, hold and
a further transfer from the console; its end writes ``TAKECOMPLETE`` (not COMPLETE*: the
queue call already ended at the transfer, as in app_queue's queue_log), publishes
``CallCompleted`` for the taker and puts the taker in wrap-up.

A conferenced agent (third party dialled on the agent's endpoint) lands when its leg
enters the room and its call ends when that leg hangs up (it has no console controls).
"""

from __future__ import annotations

from acd.core import TransferGone, TransferRinging
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from pbx.events import AmiResynced, ChannelBridged, ChannelHungUp, ChannelUnbridged

TRANSFER_RING_MARGIN_S = 5.0  # the dialplan's Dial gives up after the ring timeout; then some


class Takes:
    """Bridge membership and the transferred calls awaiting their taker."""

    def __init__(self, ctx: AcdContext) -> None:
        self.ctx = ctx
        self.bridge_of: dict[str, str] = {}  # channel uniqueid -> bridge it is in
        self.bridged: dict[str, dict[str, str]] = {}  # bridge -> {uniqueid: channel name}
        self.awaiting: dict[str, LiveCall] = {}  # call id -> taken call not landed yet

    # --- bridge membership (what is in the bridge the caller just entered) -------------

    def bridge_enter(self, ev: ChannelBridged) -> None:
        self._forget_bridge(ev.uniqueid)
        self.bridge_of[ev.uniqueid] = ev.bridge_id
        self.bridged.setdefault(ev.bridge_id, {})[ev.uniqueid] = ev.channel

    def look_for_landing(self, ev: ChannelBridged) -> None:
        """A channel entered ``ev.bridge_id``: a call awaiting its taker may have landed."""
        if self.awaiting:
            for uid in list(self.bridged.get(ev.bridge_id, ())):
                call = self.ctx.book.by_uniqueid.get(uid)
                if call is not None and self.awaiting.get(call.call_id) is call:
                    self._check_landed(call)

    def bridge_leave(self, ev: ChannelUnbridged) -> None:
        if self.bridge_of.get(ev.uniqueid) == ev.bridge_id:
            self._forget_bridge(ev.uniqueid)

    def channel_gone(self, ev: ChannelHungUp) -> None:
        self._forget_bridge(ev.uniqueid)

    def rebuild_bridges(self, ev: AmiResynced) -> None:
        """After a reconnect the bridge events in between are lost: start again from
        Asterisk's own list (CoreShowChannel ``BridgeId``)."""
        self.bridge_of = {s.uniqueid: s.bridge_id for s in ev.channels if s.bridge_id}
        self.bridged = {}
        for s in ev.channels:
            if s.bridge_id:
                self.bridged.setdefault(s.bridge_id, {})[s.uniqueid] = s.channel
        for call in list(self.awaiting.values()):
            self._check_landed(call)

    def _forget_bridge(self, uid: str) -> None:
        bridge = self.bridge_of.pop(uid, None)
        if bridge is not None:
            members = self.bridged.get(bridge)
            if members is not None:
                members.pop(uid, None)
                if not members:
                    del self.bridged[bridge]

    # --- transfers -----------------------------------------------------------------------

    def await_take(self, old: LiveCall, taker: str, via: str) -> None:
        """``old`` was transferred to agent ``taker``'s phone (and is already accounted)."""
        assert old.agent is not None
        call = LiveCall(request=old.request, queue=old.queue, enqueued_at=old.enqueued_at,
                        origposition=old.origposition, agent=taker, taken=via,
                        taken_from=old.agent, queue_wait_s=old.holdtime())
        self.ctx.book.add(call)
        self.awaiting[call.call_id] = call
        # No queue offer to the taker while its phone rings for this call (acd.core).
        cfg = self.ctx.config.queue(old.queue)
        ring_s = (cfg.ring_timeout_s if cfg is not None else 15.0) + TRANSFER_RING_MARGIN_S
        self.ctx.feed(TransferRinging(self.ctx.now(), taker, call.call_id, ring_s))
        self._check_landed(call)

    def _phone_of(self, agent: str, channel: str) -> bool:
        return channel.startswith(self.ctx.endpoint_of(agent) + "-")

    def _check_landed(self, call: LiveCall) -> None:
        bridge = self.bridge_of.get(call.uniqueid)
        assert call.agent is not None
        for uid, channel in self.bridged.get(bridge or "", {}).items():
            if uid != call.uniqueid and self._phone_of(call.agent, channel):
                self._land(call, uid, channel)
                return

    def _land(self, call: LiveCall, leg: str, channel: str) -> None:
        del self.awaiting[call.call_id]
        assert call.agent is not None
        if not self.ctx.agent_took(call.agent, call.call_id, call.queue):
            self.ctx.book.drop(call)  # the refusal is in ``rejections``; the phones talk anyway
            self.ctx.feed(TransferGone(self.ctx.now(), call.agent, call.call_id))
            return
        now = self.ctx.now()
        call.leg, call.leg_channel, call.connected_at = leg, channel, now
        self.ctx.book.add_leg(call, leg)
        self.ctx.book.by_agent[call.agent] = call
        self.ctx.journal.take(call, call.agent, now, call.taken or "", call.taken_from, leg)

    def take_abandoned(self, call: LiveCall) -> None:
        """The caller hung up before the taker's phone answered: nothing to account."""
        self.awaiting.pop(call.call_id, None)
        self.ctx.book.drop(call)
        if call.agent is not None:
            self.ctx.feed(TransferGone(self.ctx.now(), call.agent, call.call_id))
