"""The console's port (:class:`acd.ports.ContactCenter`) on top of the service.

Each method applies one router event or one AMI action and raises
:class:`ContactCenterError` with the router's or Asterisk's refusal as one sentence.
Console hold parks both parties (caller in music on hold via the wait context, agent in
``hotline-agent,hold``) with one Redirect and joins them again with the Bridge action.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from acd.core import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    RouterEvent,
    WrapUpDone,
    WrapUpExtend,
)
from acd.core.commands import Rejection
from acd.ports import (
    AgentStatus,
    CenterSnapshot,
    Code,
    ContactCenterError,
    ForcibleState,
    QueueStatus,
    SpyMode,
    TransferKind,
)
from acd.service.agents import Agents
from acd.service.conference import Conferences
from acd.service.context import AcdContext
from acd.service.talk import Talk
from acd.service.transfers import Transfers
from pbx.ami.actions import Bridge, Hangup, Redirect, chanspy
from pbx.ami.errors import AmiError

_CALL_STATES = frozenset({"reserved", "ringing", "on_call", "on_hold"})


class Center:
    """The console's port; the service sets the collaborators it delegates to."""

    ctx: AcdContext
    agents: Agents
    talk: Talk
    transfers: Transfers
    conferences: Conferences

    def _apply(self, event: RouterEvent) -> None:
        out = self.ctx.feed(event)
        refused = [c for c in out if isinstance(c, Rejection)]
        if refused:
            raise ContactCenterError(refused[0].reason)

    def _profile(self, agent: str):
        profile = self.ctx.config.agents.get(agent)
        if profile is None:
            raise ContactCenterError(f"Agent {agent} is not configured in the ACD: ask an admin "
                                     "to add the agent.", bad_request=True)
        return profile

    async def login(self, agent: str, extension: str) -> None:
        profile = self._profile(agent)
        if extension and extension != profile.extension:
            tech, _, name = profile.endpoint.rpartition("/")
            base = name.rstrip("0123456789")
            self.ctx.endpoints[agent] = f"{tech}/{base}{extension}" if tech else f"{base}{extension}"
        else:
            self.ctx.endpoints.pop(agent, None)
        self.ctx.extensions[agent] = extension or profile.extension
        self._apply(AgentLoggedIn(self.ctx.now(), profile.agent))

    async def logout(self, agent: str) -> None:
        self._profile(agent)
        self._apply(AgentLoggedOut(self.ctx.now(), agent))

    async def set_ready(self, agent: str) -> None:
        self._apply(AgentReady(self.ctx.now(), agent))

    async def set_not_ready(self, agent: str, reason: str) -> None:
        self._apply(AgentNotReady(self.ctx.now(), agent, reason))

    async def hangup(self, agent: str) -> None:
        call = self.ctx.connected_call(agent, "hang up")
        assert call.leg_channel is not None
        try:
            await self.ctx.ami.execute(Hangup(call.leg_channel, cause=16))
        except AmiError as exc:
            raise ContactCenterError(f"The call could not be hung up ({exc}).") from exc

    async def hold(self, agent: str) -> None:
        call = self.ctx.connected_call(agent, "hold")
        if call.hold_started is not None:
            raise ContactCenterError(f"Agent {agent}'s caller is already on hold.")
        if call.conference is not None or call.transferring is not None:
            raise ContactCenterError(f"Agent {agent}'s call is in a conference or a transfer: "
                                     "it cannot be put on hold now.")
        call.transferring = "hold"  # the bridge breaks on purpose: nobody hung up
        assert call.leg_channel is not None
        try:
            await self.ctx.ami.execute(Redirect(call.channel, self.ctx.config.wait_context, "s",
                                            extra_channel=call.leg_channel,
                                            extra_context="hotline-agent", extra_exten="hold",
                                            extra_priority=1))
        except AmiError as exc:
            call.transferring = None
            raise ContactCenterError(f"The caller could not be put on hold ({exc}).") from exc
        self.talk.set_hold(call, True)

    async def unhold(self, agent: str) -> None:
        call = self.ctx.connected_call(agent, "take off hold")
        if call.hold_started is None:
            raise ContactCenterError(f"Agent {agent}'s caller is not on hold.")
        assert call.leg_channel is not None
        try:
            await self.ctx.ami.execute(Bridge(call.channel, call.leg_channel))
        except AmiError as exc:
            raise ContactCenterError(f"The caller could not be taken off hold ({exc}).") from exc
        call.transferring = None
        call.first_leave = None
        self.talk.set_hold(call, False)

    async def wrap_up(self, agent: str, disposition: str, notes: str,
                      ticket_ref: str | None, codes: Collection[str] | None = None) -> None:
        allowed = codes if codes is not None else {c.code for c in self.ctx.config.disposition_codes}
        if disposition not in allowed:
            raise ContactCenterError(f"Unknown disposition {disposition!r}: pick one from the list.",
                                     bad_request=True)
        view = self.ctx.router.agent(agent)
        if view is None or view.state != "wrap_up":
            state = view.state if view else "logged_out"
            raise ContactCenterError(f"Agent {agent} is not in wrap-up (now {state}).")
        call_id, queue = self.ctx.last_call.get(agent, ("NONE", ""))
        self.ctx.journal.wrap_up(call_id, queue or None, agent, self.ctx.now(), disposition, notes,
                             ticket_ref)
        self._apply(WrapUpDone(self.ctx.now(), agent))

    async def extend_wrap_up(self, agent: str, seconds: int) -> None:
        self._apply(WrapUpExtend(self.ctx.now(), agent, float(seconds)))

    async def force_state(self, supervisor: str, agent: str, state: ForcibleState,
                          reason: str) -> None:
        self._profile(agent)
        now = self.ctx.now()
        if state == "ready":
            self._apply(AgentReady(now, agent))
        elif state == "not_ready":
            self._apply(AgentNotReady(now, agent, reason if reason in self.ctx.router.reasons
                                      else "break"))
        else:
            self._apply(AgentLoggedOut(now, agent))

    async def spy(self, supervisor: str, agent: str, mode: SpyMode,
                  supervisor_endpoint: str) -> None:
        call = self.ctx.connected_call(agent, "listen to")
        assert call.leg_channel is not None
        try:
            await self.ctx.ami.execute(chanspy(supervisor_endpoint, call.leg_channel, mode,
                                           caller_id=f'"{supervisor}" <{agent}>'))
        except AmiError as exc:
            raise ContactCenterError(f"The supervisor phone could not be rung ({exc}).") from exc

    async def snapshot(self) -> CenterSnapshot:
        now = self.ctx.now()
        stats = self.ctx.today()
        queues = []
        for cfg in self.ctx.config.queues:
            v = self.ctx.router.queue(cfg.name)
            day = stats._q(cfg.name)
            # the router's time is its last event's: every wait has grown since by as much
            # (a quiet center, or one whose AMI is down, sends it no event for a while)
            longest = v.longest_wait_s + max(0.0, now - self.ctx.router.now) if v.waiting else 0.0
            queues.append(QueueStatus(
                queue=cfg.name, waiting=v.waiting, longest_wait_s=longest,
                offered_today=day.offered, answered_today=day.answered,
                abandoned_today=day.abandoned, service_level=stats.service_level(cfg.name),
                sl_threshold_s=stats.sl_threshold_s, agents_by_state=v.agents_by_state))
        agents = []
        for aid, profile in sorted(self.ctx.config.agents.items()):
            view = self.ctx.router.agent(aid)
            state = view.state if view else "logged_out"
            # the book may still hold a call its agent has left (a late bridge, a take being
            # undone): only an agent in a call state is on a call
            call = self.ctx.book.by_agent.get(aid) if state in _CALL_STATES else None
            agents.append(AgentStatus(
                agent=aid, name=profile.agent.name, state=state,
                since=self.agents.since.get(aid, now), reason=view.reason if view else None,
                current_call=((view.call_id if view else None) or (call.call_id if call else None)
                              if state in _CALL_STATES else None),
                extension=self.ctx.extensions.get(aid) or profile.extension,
                calls_handled=view.calls_today if view else 0,
                aht_s=stats.aht_s(aid),
                queues=profile.queue_names,
                wrap_until=view.wrap_until if view else None,
                pending_state="not_ready" if view and view.pending_reason else None,
                pending_reason=view.pending_reason if view else None,
                transferring="attended" if call is not None and call.transferring == "attended" else None))
        return CenterSnapshot(at=now, queues=tuple(queues), agents=tuple(agents))

    async def transfer(self, agent: str, kind: TransferKind, target: str, attended: bool) -> None:
        await self.transfers.transfer(agent, kind, target, attended)

    async def complete_transfer(self, agent: str) -> None:
        await self.transfers.complete_transfer(agent)

    async def cancel_transfer(self, agent: str) -> None:
        await self.transfers.cancel_transfer(agent)

    async def conference(self, agent: str, number: str) -> None:
        await self.conferences.conference(agent, number)

    def reason_codes(self) -> Sequence[Code]:
        return self.ctx.config.reason_codes

    def disposition_codes(self) -> Sequence[Code]:
        return self.ctx.config.disposition_codes
