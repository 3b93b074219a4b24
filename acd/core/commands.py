"""Commands the router returns; ``acd.service`` executes them through ``pbx``.

Order matters: execute a ``handle()`` result from first to last.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    at: float


@dataclass(frozen=True, slots=True)
class Offer(Command):
    """Ring ``agent`` for ``call``; on answer bridge the caller.

    ``callback``: the caller is not on the line; once the agent answers, call this
    number back and bridge. ``why``: one sentence on why this agent (for the console
    and the event log). ``ring_timeout_s``: the router declares RONA after this.
    """

    call_id: str
    agent_id: str
    queue: str
    why: str
    waited_s: float
    ring_timeout_s: float
    callback: str | None = None

    @property
    def action(self) -> str:
        if self.callback:
            return f"ring agent {self.agent_id}, then call the customer back at {self.callback} and bridge"
        return f"ring agent {self.agent_id}, then bridge the waiting caller"


@dataclass(frozen=True, slots=True)
class CancelOffer(Command):
    """Stop ringing ``agent`` (``why``: ``caller_left``, ``rona``, ``agent_not_ready``, ``logout``)."""

    call_id: str
    agent_id: str
    why: str


@dataclass(frozen=True, slots=True)
class SetAgentState(Command):
    """The agent's state changed (publish ``acd.events.AgentStateChanged``; PAUSE/UNPAUSE)."""

    agent_id: str
    state: str
    previous: str
    reason: str | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class Queued(Command):
    """The call is in line (ENTERQUEUE); ``position`` is 1-based."""

    call_id: str
    queue: str
    position: int
    estimated_wait_s: float | None


@dataclass(frozen=True, slots=True)
class ExitQueue(Command):
    """The call leaves the queue without an agent.

    ``why``: ``timeout``, ``full``, ``empty``, ``abandon``, ``key``; ``to``: ``voicemail``,
    ``callback``, or ``""`` (the caller is gone).
    """

    call_id: str
    queue: str
    why: str
    to: str
    waited_s: float
    position: int


@dataclass(frozen=True, slots=True)
class MoveQueue(Command):
    """The call overflowed to another queue; it keeps its original enqueue time."""

    call_id: str
    from_queue: str
    to_queue: str
    why: str


@dataclass(frozen=True, slots=True)
class Relaxed(Command):
    """A relaxation step was applied to a waiting call (for the log and the wallboard)."""

    call_id: str
    queue: str
    step: int
    description: str


@dataclass(frozen=True, slots=True)
class Announce(Command):
    """Tell the caller the position (1-based) and the estimated wait (None: unknown)."""

    call_id: str
    queue: str
    position: int
    estimated_wait_s: float | None


@dataclass(frozen=True, slots=True)
class Rejection(Command):
    """An event was refused (illegal transition, unknown agent or call); nothing changed."""

    subject: str
    reason: str
