"""Transfers from the console: blind (BlindTransfer action, ami-07b; to a queue by
Redirect, ami-07a) and attended (Atxfer, ami-07c; completed by hanging up the
transferring agent, cancelled by hanging up the consultation leg).

Accounting: the agent's talk ends at the transfer (calltime up to then, hold time
closed), the row is BLINDTRANSFER / ATTENDEDTRANSFER with queue_log's fields, and the
agent goes to wrap-up; a transfer to a queue puts the caller back in line there; a
transfer to another agent's phone makes that agent busy once it lands (acd.service.takes).
"""

from __future__ import annotations

from dataclasses import replace

from acd.events import CallOffered, CallTransferred
from acd.ports import ContactCenterError, TransferKind
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from acd.service.queueing import Queueing
from acd.service.takes import Takes
from pbx.ami.actions import Atxfer, BlindTransfer, Hangup, Redirect, Setvar
from pbx.ami.errors import AmiError
from pbx.events import ChannelCreated, TransferDone


class Transfers:
    """Blind and attended transfers asked for by the console."""

    def __init__(self, ctx: AcdContext, queueing: Queueing, takes: Takes) -> None:
        self.ctx = ctx
        self.queueing = queueing
        self.takes = takes
        self.consult: dict[str, tuple[str, str]] = {}  # agent -> (target exten, consult uid)
        self.pending_atxfer: dict[str, str] = {}  # agent -> target exten

    def _extension(self, kind: TransferKind, target: str) -> str:
        if kind == "agent":
            profile = self.ctx.config.agents.get(target)
            if profile is None:
                raise ContactCenterError(f"Unknown agent {target!r}: pick an agent from the list.",
                                         bad_request=True)
            return self.ctx.extensions.get(target) or profile.extension
        if not target or not all(c.isdigit() or c in "+*#" for c in target):
            raise ContactCenterError(f"{target!r} is not a phone number: use digits only.",
                                     bad_request=True)
        return target

    async def transfer(self, agent: str, kind: TransferKind, target: str, attended: bool) -> None:
        call = self.ctx.connected_call(agent, "transfer")
        if kind == "queue":
            await self._to_queue(call, target)
            return
        exten = self._extension(kind, target)
        ctx = self.ctx.config.transfer_context
        assert call.leg_channel is not None
        try:
            if attended:
                call.transferring = "attended"
                self.pending_atxfer[agent] = exten
                await self.ctx.ami.execute(Atxfer(call.leg_channel, ctx, exten))
                return
            call.transferring = "blind"
            await self.ctx.ami.execute(BlindTransfer(call.leg_channel, ctx, exten))
        except AmiError as exc:
            call.transferring = None
            self.pending_atxfer.pop(agent, None)
            raise ContactCenterError(f"The transfer to {target} failed ({exc}); the caller is "
                                     "still with the agent.") from exc
        self._transferred(call, "blind", exten, ctx)

    async def _to_queue(self, call: LiveCall, queue: str) -> None:
        if self.ctx.config.queue(queue) is None:
            raise ContactCenterError(f"Unknown queue {queue!r}: pick a queue from the list.",
                                     bad_request=True)
        call.transferring = "blind"
        try:
            await self.ctx.ami.execute(Redirect(call.channel, self.ctx.config.wait_context, "s"))
        except AmiError as exc:
            call.transferring = None
            raise ContactCenterError(f"The transfer to queue {queue} failed ({exc}).") from exc
        self._transferred(call, "blind", queue, self.ctx.config.wait_context)
        req = replace(call.request, queue=queue, enqueued_at=self.ctx.now())
        self.queueing.enqueue(req)

    def _transferred(self, call: LiveCall, kind: str, target: str, context: str) -> None:
        now = self.ctx.now()
        assert call.agent is not None
        call.close_hold(now)
        self.ctx.journal.transfer(call, now, kind, target, context)
        self.ctx.bus.publish(CallTransferred(at=now, call_id=call.call_id, queue=call.queue,
                                         agent=call.agent, kind=kind, target=target))
        taker = self.ctx.agent_at(target) if context == self.ctx.config.transfer_context else None
        if taker is not None and call.channel:  # the survey then rates the agent who took it
            self.ctx.send(Setvar("HOTLINE_AGENT", taker, channel=call.channel))
        if taker is not None:  # the agent taking the call sees who is coming (screen pop)
            r = call.request
            self.ctx.bus.publish(CallOffered(
                at=now, call_id=call.call_id, queue=call.queue, agent=taker, caller_num=r.caller_num,
                caller_name=r.caller_name, customer_id=r.customer_id, skills=r.skills,
                ivr_path=r.ivr_path, waited_s=(call.connected_at or now) - call.enqueued_at,
                reason=f"{kind} transfer from {call.agent}"))
        self.ctx.finish_talk(call, "transfer")
        if taker is not None:  # on call for the router once the taker's phone is bridged
            self.takes.await_take(call, taker, kind)

    async def complete_transfer(self, agent: str) -> None:
        call = self.ctx.connected_call(agent, "complete a transfer for")
        if call.transferring != "attended":
            raise ContactCenterError(f"Agent {agent} has no attended transfer to complete.")
        assert call.leg_channel is not None
        try:
            await self.ctx.ami.execute(Hangup(call.leg_channel, cause=16))
        except AmiError as exc:
            raise ContactCenterError(f"The transfer could not be completed ({exc}).") from exc

    async def cancel_transfer(self, agent: str) -> None:
        call = self.ctx.connected_call(agent, "cancel a transfer for")
        consult = self.consult.pop(agent, None)
        if call.transferring != "attended" or consult is None:
            raise ContactCenterError(f"Agent {agent} has no attended transfer to cancel.")
        call.transferring = None
        self.pending_atxfer.pop(agent, None)
        try:
            await self.ctx.ami.execute(Hangup(consult[1], cause=16))
        except AmiError as exc:
            raise ContactCenterError(f"The transfer could not be cancelled ({exc}).") from exc

    def on_consult_created(self, ev: ChannelCreated) -> None:
        """Remember the consultation leg of a pending attended transfer (to cancel it)."""
        for agent, exten in self.pending_atxfer.items():
            if agent not in self.consult and (f"agent{exten}-" in ev.channel
                                              or ev.channel.startswith(f"Local/{exten}@")):
                self.consult[agent] = (exten, ev.uniqueid)
                return

    def attended_leg_gone(self, call: LiveCall) -> None:
        """The transferring agent hung up: the attended transfer completed (the
        AttendedTransfer event may come before or after this Hangup)."""
        if self.ctx.book.get(call.call_id) is not call or call.agent is None:
            return  # already accounted (the event and the Hangup both report it)
        exten = self.pending_atxfer.pop(call.agent, "")
        self.consult.pop(call.agent, None)
        self._transferred(call, "attended", exten, self.ctx.config.transfer_context)

    def on_transfer(self, ev: TransferDone) -> None:
        if ev.kind != "attended" or not ev.success:
            return
        call = self.ctx.book.by_leg.get(ev.transferer_uniqueid)
        if call is None or call.agent is None or call.transferring != "attended":
            return
        self.attended_leg_gone(call)
