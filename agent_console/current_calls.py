"""The call each agent is on, as the supervisor page shows it: caller, queue, talk time.

Fed with the ACD's bus events by the hub. A call id is never what a person reads; this keeps
the caller's number and name (from the offer), the queue and when the talk began (connect),
and forgets the call when the agent's part ends (completed, transferred, RONA, the caller
abandoned while it rang) or the agent leaves the call states — so a not-ready agent never
shows a stale call.
"""

from __future__ import annotations

from typing import Any

from acd.events import (
    AcdEvent,
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallOffered,
    CallRingNoAnswer,
    CallTransferred,
)

CALL_STATES = frozenset({"reserved", "ringing", "on_call", "on_hold"})


class CurrentCalls:
    def __init__(self) -> None:
        self.by_agent: dict[str, dict[str, Any]] = {}

    def get(self, agent: str, state: str) -> dict[str, Any] | None:
        """The agent's call as the page shows it, or None when the agent is not on one."""
        return self.by_agent.get(agent) if state in CALL_STATES else None

    def feed(self, event: AcdEvent) -> str | None:
        """Take one event; returns the agent whose call changed by it (offer, connect, end)."""
        calls = self.by_agent
        if isinstance(event, CallOffered):
            calls[event.agent] = {"call_id": event.call_id, "caller": event.caller_num,
                                  "caller_name": event.caller_name, "queue": event.queue,
                                  "offered_at": event.at, "talk_since": None}
            return event.agent
        if isinstance(event, CallConnected):
            known = calls.get(event.agent)
            if known is None or known["call_id"] != event.call_id:
                known = calls[event.agent] = {"call_id": event.call_id, "caller": "", "caller_name": "",
                                              "queue": event.queue, "offered_at": event.at}
            known["talk_since"] = event.at
            return event.agent
        if isinstance(event, CallCompleted | CallTransferred | CallRingNoAnswer):
            return self._end(event.agent, event.call_id)
        if isinstance(event, CallAbandoned) and event.while_ringing:
            return self._end(event.while_ringing, event.call_id)
        if isinstance(event, AgentStateChanged) and event.state not in CALL_STATES:
            calls.pop(event.agent, None)  # the state frame itself says "no call"
        return None

    def _end(self, agent: str, call_id: str) -> str | None:
        known = self.by_agent.get(agent)
        if known is not None and known["call_id"] == call_id:
            del self.by_agent[agent]
            return agent
        return None
