"""The console's port (:class:`acd.ports.ContactCenter`) on top of the service.

Each method applies one router event or one AMI action and raises
:class:`ContactCenterError` with the router's or Asterisk's refusal as one sentence.
Console hold parks both parties (caller in music on hold via the wait context, agent in
``hotline-agent,hold``) with one Redirect and joins them again with the Bridge action.
"""

from __future__ import annotations

from collections.abc import Sequence

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
)
from acd.service.conference import Conferences
from pbx.ami.actions import Bridge, Hangup, Redirect, chanspy
from pbx.ami.errors import AmiError


class Center(Conferences):
    def _apply(self, event: RouterEvent) -> None:
        out = self.feed(event)
        refused = [c for c in out if isinstance(c, Rejection)]
        if refused:
            raise ContactCenterError(refused[0].reason)

    def _profile(self, agent: str):  # type: ignore[no-untyped-def]
        profile = self.config.agents.get(agent)
        if profile is None:
            raise ContactCenterError(f"Agent {agent} is not configured in the ACD: ask an admin "
                                     "to add the agent.", bad_request=True)
        return profile

    async def login(self, agent: str, extension: str) -> None:
        profile = self._profile(agent)
        if extension and extension != profile.extension:
            tech, _, name = profile.endpoint.rpartition("/")
            base = name.rstrip("0123456789")
            self.endpoints[agent] = f"{tech}/{base}{extension}" if tech else f"{base}{extension}"
        else:
            self.endpoints.pop(agent, None)
        self.extensions[agent] = extension or profile.extension
        self._apply(AgentLoggedIn(self.now(), profile.agent))

    async def logout(self, agent: str) -> None:
        self._profile(agent)
        self._apply(AgentLoggedOut(self.now(), agent))

    async def set_ready(self, agent: str) -> None:
        self._apply(AgentReady(self.now(), agent))

    async def set_not_ready(self, agent: str, reason: str) -> None:
        self._apply(AgentNotReady(self.now(), agent, reason))

    async def hangup(self, agent: str) -> None:
        call = self.connected_call(agent, "hang up")
        assert call.leg_channel is not None
        try:
            await self.ami.execute(Hangup(call.leg_channel, cause=16))
        except AmiError as exc:
            raise ContactCenterError(f"The call could not be hung up ({exc}).") from exc

    async def hold(self, agent: str) -> None:
        call = self.connected_call(agent, "hold")
        if call.hold_started is not None:
            raise ContactCenterError(f"Agent {agent}'s caller is already on hold.")
        if call.conference is not None or call.transferring is not None:
            raise ContactCenterError(f"Agent {agent}'s call is in a conference or a transfer: "
                                     "it cannot be put on hold now.")
        call.transferring = "hold"  # the bridge breaks on purpose: nobody hung up
        assert call.leg_channel is not None
        try:
            await self.ami.execute(Redirect(call.channel, self.config.wait_context, "s",
                                            extra_channel=call.leg_channel,
                                            extra_context="hotline-agent", extra_exten="hold",
                                            extra_priority=1))
        except AmiError as exc:
            call.transferring = None
            raise ContactCenterError(f"The caller could not be put on hold ({exc}).") from exc
        self.set_hold(call, True)

    async def unhold(self, agent: str) -> None:
        call = self.connected_call(agent, "take off hold")
        if call.hold_started is None:
            raise ContactCenterError(f"Agent {agent}'s caller is not on hold.")
        assert call.leg_channel is not None
        try:
            await self.ami.execute(Bridge(call.channel, call.leg_channel))
        except AmiError as exc:
            raise ContactCenterError(f"The caller could not be taken off hold ({exc}).") from exc
        call.transferring = None
        call.first_leave = None
        self.set_hold(call, False)

    async def wrap_up(self, agent: str, disposition: str, notes: str,
                      ticket_ref: str | None) -> None:
        if disposition not in {c.code for c in self.config.disposition_codes}:
            raise ContactCenterError(f"Unknown disposition {disposition!r}: pick one from the list.",
                                     bad_request=True)
        view = self.router.agent(agent)
        if view is None or view.state != "wrap_up":
            state = view.state if view else "logged_out"
            raise ContactCenterError(f"Agent {agent} is not in wrap-up (now {state}).")
        call_id, queue = self.last_call.get(agent, ("NONE", ""))
        self.journal.wrap_up(call_id, queue or None, agent, self.now(), disposition, notes,
                             ticket_ref)
        self._apply(WrapUpDone(self.now(), agent))

    async def extend_wrap_up(self, agent: str, seconds: int) -> None:
        self._apply(WrapUpExtend(self.now(), agent, float(seconds)))

    async def force_state(self, supervisor: str, agent: str, state: ForcibleState,
                          reason: str) -> None:
        self._profile(agent)
        now = self.now()
        if state == "ready":
            self._apply(AgentReady(now, agent))
        elif state == "not_ready":
            self._apply(AgentNotReady(now, agent, reason if reason in self.router.reasons
                                      else "break"))
        else:
            self._apply(AgentLoggedOut(now, agent))

    async def spy(self, supervisor: str, agent: str, mode: SpyMode,
                  supervisor_endpoint: str) -> None:
        call = self.connected_call(agent, "listen to")
        assert call.leg_channel is not None
        try:
            await self.ami.execute(chanspy(supervisor_endpoint, call.leg_channel, mode,
                                           caller_id=f'"{supervisor}" <{agent}>'))
        except AmiError as exc:
            raise ContactCenterError(f"The supervisor phone could not be rung ({exc}).") from exc

    async def snapshot(self) -> CenterSnapshot:
        now = self.now()
        stats = self.today()
        queues = []
        for cfg in self.config.queues:
            v = self.router.queue(cfg.name)
            day = stats._q(cfg.name)
            queues.append(QueueStatus(
                queue=cfg.name, waiting=v.waiting, longest_wait_s=v.longest_wait_s,
                offered_today=day.offered, answered_today=day.answered,
                abandoned_today=day.abandoned, service_level=stats.service_level(cfg.name),
                sl_threshold_s=stats.sl_threshold_s, agents_by_state=v.agents_by_state))
        agents = []
        for aid, profile in sorted(self.config.agents.items()):
            view = self.router.agent(aid)
            call = self.book.by_agent.get(aid)
            agents.append(AgentStatus(
                agent=aid, name=profile.agent.name, state=view.state if view else "logged_out",
                since=self.since.get(aid, now), reason=view.reason if view else None,
                current_call=(view.call_id if view else None) or (call.call_id if call else None),
                extension=self.extensions.get(aid) or profile.extension,
                calls_handled=view.calls_today if view else 0,
                aht_s=stats.aht_s(aid),
                queues=profile.queue_names))
        return CenterSnapshot(at=now, queues=tuple(queues), agents=tuple(agents))

    def reason_codes(self) -> Sequence[Code]:
        return self.config.reason_codes

    def disposition_codes(self) -> Sequence[Code]:
        return self.config.disposition_codes
