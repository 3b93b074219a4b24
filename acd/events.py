"""Events the ACD publishes on the bus (consumed by the console hub, reports, logs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.events import Event


@dataclass(frozen=True, slots=True)
class AcdEvent(Event):
    at: float


@dataclass(frozen=True, slots=True)
class AgentStateChanged(AcdEvent):
    agent: str
    state: str  # logged_out, ready, not_ready, reserved, ringing, on_call, on_hold, wrap_up
    previous: str
    reason: str | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class CallQueued(AcdEvent):
    call_id: str
    queue: str
    caller_num: str
    caller_name: str
    priority: int
    position: int


@dataclass(frozen=True, slots=True)
class CallOffered(AcdEvent):
    """An agent was chosen and is being rung. The console pops the screen on this."""

    call_id: str
    queue: str
    agent: str
    caller_num: str
    caller_name: str
    customer_id: int | None
    skills: tuple[str, ...]
    ivr_path: tuple[str, ...]
    waited_s: float
    reason: str = ""  # why this agent (explainable routing)


@dataclass(frozen=True, slots=True)
class CallConnected(AcdEvent):
    call_id: str
    queue: str
    agent: str
    waited_s: float


@dataclass(frozen=True, slots=True)
class CallRingNoAnswer(AcdEvent):
    call_id: str
    queue: str
    agent: str
    rang_s: float


@dataclass(frozen=True, slots=True)
class CallAbandoned(AcdEvent):
    call_id: str
    queue: str
    waited_s: float
    position: int
    while_ringing: str | None = None  # agent being rung at the time, if any


@dataclass(frozen=True, slots=True)
class CallCompleted(AcdEvent):
    call_id: str
    queue: str
    agent: str
    talk_s: float
    hold_s: float
    by: str  # "caller" | "agent"


@dataclass(frozen=True, slots=True)
class CallTransferred(AcdEvent):
    call_id: str
    queue: str
    agent: str
    kind: str  # blind | attended
    target: str


@dataclass(frozen=True, slots=True)
class CallExited(AcdEvent):
    """Left the queue without an agent: timeout, key, empty queue, full queue."""

    call_id: str
    queue: str
    waited_s: float
    why: str  # timeout | key | empty | full
    to: str = ""  # voicemail | callback | overflow:<queue>


@dataclass(frozen=True, slots=True)
class QueueSnapshot(AcdEvent):
    queue: str
    waiting: int
    longest_wait_s: float
    agents_by_state: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboundPreviewDialed(AcdEvent):
    """The agent clicked Dial on a previewed campaign record: the attempt is made now."""

    call_id: str
    queue: str
    agent: str


@dataclass(frozen=True, slots=True)
class OutboundDialEnded(AcdEvent):
    """A campaign dial is over for the router. ``result``: answered (a person, bridged to
    the agent), busy, no_answer, machine, failed, abandoned, skipped (preview); ``cause``:
    the customer leg's hang-up cause (None if no channel was ever created); ``why`` of a
    predictive abandon: ``no_agent`` (nobody took it within the connect window, we hung
    up), ``agent_failed`` (the offer failed after the window) or ``customer_left`` (the
    customer hung up while waiting for an agent); ``restart`` (of any dial): the backend
    restarted meanwhile (``acd.service.outbound_restart``: the window closed while no
    backend ran, or the reserved agent is gone, or the dial ended unseen)."""

    call_id: str
    queue: str
    agent: str | None
    number: str
    result: str
    cause: int | None = None
    amd_status: str | None = None
    why: str | None = None
