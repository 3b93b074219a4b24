"""Agent state changes: published on the bus, AGENTSTATE and PAUSE/UNPAUSE/ADDMEMBER/REMOVEMEMBER
in the log, and persisted (``acd_agent_state``) so a restarted backend brings agents back."""

from __future__ import annotations

import logging

from acd.admin.models import AcdAgentState
from acd.core.commands import SetAgentState
from acd.events import AgentStateChanged
from acd.service.context import AcdContext
from hotline import kinds

log = logging.getLogger("acd.service")


class Agents:
    """Agent states: since when, and the rows and events each change writes."""

    def __init__(self, ctx: AcdContext) -> None:
        self.ctx = ctx
        self.since: dict[str, float] = {}
        self.quiet = False  # restoring after a restart: no member rows in the log

    def on_state(self, cmd: SetAgentState) -> None:
        now = self.ctx.now()
        if cmd.previous == "wrap_up" and cmd.state != "wrap_up":
            self.ctx.today().wrapped(cmd.agent_id, now - self.since.get(cmd.agent_id, now))
        self.since[cmd.agent_id] = now
        self.ctx.bus.publish(AgentStateChanged(at=now, agent=cmd.agent_id, state=cmd.state,
                                           previous=cmd.previous, reason=cmd.reason,
                                           call_id=cmd.call_id))
        self._persist(cmd.agent_id, cmd.state, cmd.reason, now)
        if not self.quiet:  # a restore repeats the state in force: its span goes on
            self.ctx.journal.agent_state(cmd.agent_id, now, cmd.state, cmd.previous, cmd.reason,
                                         cmd.call_id)
            self._member_rows(cmd, now)

    def _member_rows(self, cmd: SetAgentState, now: float) -> None:
        profile = self.ctx.config.agents.get(cmd.agent_id)
        queues = sorted(profile.agent.queues) if profile is not None else []
        kind, reason = None, ""
        if cmd.previous == "logged_out":
            kind = kinds.ADDMEMBER
        elif cmd.state == "logged_out":
            kind = kinds.REMOVEMEMBER
        elif cmd.state == "not_ready" and cmd.previous != "not_ready":
            kind, reason = kinds.PAUSE, cmd.reason or ""
        elif cmd.previous == "not_ready" and cmd.state == "ready":
            kind = kinds.UNPAUSE
        if kind is not None:
            for queue in queues:
                self.ctx.journal.member(cmd.agent_id, queue, now, kind, reason)

    # --- persistence -----------------------------------------------------------------------

    def _persist(self, agent: str, state: str, reason: str | None, at: float) -> None:
        self.ctx.rows.replace(AcdAgentState, "agent_id", {
            "agent_id": agent, "state": state, "reason": reason,
            "extension": self.ctx.extensions.get(agent), "since": at})

    async def flush_agent_states(self) -> None:
        """Write the latest state of every agent that changed (and any recording rows)."""
        await self.ctx.rows.flush()
