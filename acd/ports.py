"""The port between the console and the ACD.

``ContactCenter`` is implemented by ``acd.service``; the console's routes call it and
never talk to Asterisk themselves. Live changes do not come back through this port but
as ``acd.events`` on the bus; ``snapshot()`` is the state a newly connected (or lagging)
console starts from.

Every method may raise :class:`ContactCenterError` with one user-readable sentence
(``"Agent 1001 has no call to hold."``); the HTTP layer turns it into 409 (or 400 when
``bad_request`` is set) with that sentence as the detail.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from acd.events import OutboundDialEnded
from acd.requests import CallbackRequest, OutboundRequest

AgentStateName = Literal[
    "logged_out", "ready", "not_ready", "reserved", "ringing", "on_call", "on_hold", "wrap_up",
    "previewing", "dialing",
]
AGENT_STATES: tuple[str, ...] = (
    "logged_out", "ready", "not_ready", "reserved", "ringing", "on_call", "on_hold", "wrap_up",
    "previewing", "dialing",
)
ForcibleState = Literal["ready", "not_ready", "logged_out"]
TransferKind = Literal["agent", "queue", "number"]
SpyMode = Literal["listen", "whisper", "barge"]


class ContactCenterError(Exception):
    """An action the ACD refused; ``message`` is one sentence an agent can act on."""

    def __init__(self, message: str, *, bad_request: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.bad_request = bad_request


@dataclass(frozen=True, slots=True)
class Code:
    """A not-ready reason or a wrap-up disposition, labelled in both languages."""

    code: str
    label_en: str
    label_zh: str


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """Today's figures for one queue. ``service_level`` is a fraction 0..1 or None
    before the first call; ``service_level_formula`` says how it was computed."""

    queue: str
    waiting: int
    longest_wait_s: float
    offered_today: int
    answered_today: int
    abandoned_today: int
    service_level: float | None
    sl_threshold_s: float = 20.0
    sl_target: float = 0.8
    service_level_formula: str = "answered within T s / (answered + abandoned after T s)"
    agents_by_state: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentStatus:
    """One agent as the monitor shows it. ``since`` is the epoch time the current state
    began (time in state = now - since); ``aht_s`` is today's average handle time."""

    agent: str
    name: str
    state: str
    since: float
    reason: str | None = None
    current_call: str | None = None
    extension: str | None = None
    calls_handled: int = 0
    aht_s: float | None = None
    queues: tuple[str, ...] = ()
    wrap_until: float | None = None  # in wrap-up: when it ends unless extended or finished
    pending_state: str | None = None  # a state asked for during the call, taken when it ends
    pending_reason: str | None = None
    # "attended" while an attended transfer waits for the agent's Complete / Cancel: the
    # console shows those buttons from this, so a page reloaded mid-transfer shows them again
    transferring: str | None = None


@dataclass(frozen=True, slots=True)
class CenterSnapshot:
    at: float
    queues: tuple[QueueStatus, ...] = ()
    agents: tuple[AgentStatus, ...] = ()


@runtime_checkable
class ContactCenter(Protocol):
    """What the console needs from the ACD. ``agent`` is the ACD agent id (``User.agent_id``)."""

    async def login(self, agent: str, extension: str) -> None: ...

    async def logout(self, agent: str) -> None: ...

    async def set_ready(self, agent: str) -> None: ...

    async def set_not_ready(self, agent: str, reason: str) -> None: ...

    async def hangup(self, agent: str) -> None: ...

    async def hold(self, agent: str) -> None: ...

    async def unhold(self, agent: str) -> None: ...

    async def transfer(
        self, agent: str, kind: TransferKind, target: str, attended: bool
    ) -> None: ...

    async def complete_transfer(self, agent: str) -> None: ...

    async def cancel_transfer(self, agent: str) -> None: ...

    async def conference(self, agent: str, number: str) -> None: ...

    async def wrap_up(
        self, agent: str, disposition: str, notes: str, ticket_ref: str | None,
        codes: Collection[str] | None = None,
    ) -> None:
        """``codes``: the dispositions allowed for this call (an outbound campaign's own);
        None: the centre's ``disposition_codes``."""
        ...

    async def extend_wrap_up(self, agent: str, seconds: int) -> None: ...

    async def force_state(
        self, supervisor: str, agent: str, state: ForcibleState, reason: str
    ) -> None: ...

    async def spy(
        self, supervisor: str, agent: str, mode: SpyMode, supervisor_endpoint: str
    ) -> None: ...

    async def snapshot(self) -> CenterSnapshot: ...

    def reason_codes(self) -> Sequence[Code]: ...

    def disposition_codes(self) -> Sequence[Code]: ...

    def request_callback(self, request: CallbackRequest) -> None:
        """Queue a callback: when its turn comes an agent of the queue is rung first, then
        the number (win-back of lost callers; IVR callback requests)."""
        ...


@runtime_checkable
class OutboundDialer(Protocol):
    """What a campaign runner needs from the ACD (``acd.service`` implements it): dials
    go through the same router as inbound calls; each one ends as an
    ``acd.events.OutboundDialEnded`` on the bus."""

    def dial_out(self, request: OutboundRequest) -> None:
        """Queue a record in the campaign's queue; ValueError says why it was refused."""
        ...

    async def dial_preview(self, agent: str) -> None: ...

    async def skip_preview(self, agent: str) -> None: ...

    def ready_agents(self, queue: str) -> tuple[str, ...]:
        """The queue's members ready now (not reserved, dialing or on a call)."""
        ...

    def busy_agents(self, queue: str) -> dict[str, int]:
        """The queue's members by state (``router.queue(q).agents_by_state``)."""
        ...

    def wrap_ends(self, queue: str) -> tuple[tuple[str, float], ...]:
        """The queue's members in wrap-up and when their wrap-up ends by itself."""
        ...

    def held_customers(self, queue: str) -> int:
        """Answered predictive customers of ``queue`` waiting, no agent offered yet."""
        ...

    def dial_after_restart(self, call_id: str) -> OutboundDialEnded | bool | None:
        """What became of a dial an earlier process made: None (no AMI resync yet), False
        (no channel carried it at the resync: it ended while no backend ran), True (taken
        up, still in flight: its ``OutboundDialEnded`` follows), or the end it already had."""
        ...


# --- the ACD's port to recording (implemented by ``recordings.recorder``) ---------------


@dataclass(frozen=True, slots=True)
class RecordingStart:
    """A MixMonitor the ACD is about to start on a connected call's caller channel.
    ``policy`` says why the call is recorded (``all``, ``percentage``)."""

    call_id: str
    uniqueid: str
    agent: str | None
    queue: str
    started_at: float
    policy: str


def leg_files(mix: str) -> tuple[str, str]:
    """The agent's and the caller's leg files beside a recording's mix file:
    ``/x/call.wav`` -> (``/x/call-agent.wav``, ``/x/call-caller.wav``). MixMonitor on the
    caller's channel writes what it receives (the caller) with ``r()`` and what it sends
    (the agent) with ``t()``, so QA can tell the two voices apart."""
    stem = mix[:-4] if mix.endswith(".wav") else mix
    return f"{stem}-agent.wav", f"{stem}-caller.wav"


@runtime_checkable
class Recorder(Protocol):
    """Where recordings go and how they are indexed; the ACD knows neither."""

    def begin(self, start: RecordingStart) -> str:
        """The absolute file MixMonitor must write (its directory exists); the recording
        is indexed. Raises ValueError if no safe file can be named."""
        ...
