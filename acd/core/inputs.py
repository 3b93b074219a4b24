"""Events the router consumes (``Router.handle(event)``). Each carries its time ``at``
(seconds, any epoch, non-decreasing); the router never reads a clock."""

from __future__ import annotations

from dataclasses import dataclass

from acd.core.model import Agent, WaitingCall


@dataclass(frozen=True, slots=True)
class RouterEvent:
    at: float


@dataclass(frozen=True, slots=True)
class AgentLoggedIn(RouterEvent):
    """Logs the agent in (not ready), or updates the profile of a logged-in agent."""

    agent: Agent


@dataclass(frozen=True, slots=True)
class AgentLoggedOut(RouterEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentReady(RouterEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentNotReady(RouterEvent):
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CallArrived(RouterEvent):
    """``held_back``: the call takes its place in line (counted, positioned, listed, its
    queue timers run) but is offered to no agent until ``CallReleased`` (a restarted
    backend's pending callbacks, shown at once, rung only once Asterisk is known again)."""

    call: WaitingCall
    held_back: bool = False


@dataclass(frozen=True, slots=True)
class CallReleased(RouterEvent):
    """A call that arrived ``held_back`` may be offered from now on, from its place."""

    call_id: str


@dataclass(frozen=True, slots=True)
class CallLeft(RouterEvent):
    """The caller hung up (abandon) or left by key before being connected."""

    call_id: str
    why: str = "abandon"


@dataclass(frozen=True, slots=True)
class CallbackRequested(RouterEvent):
    """The waiting caller chose to be called back and keeps the place in line."""

    call_id: str
    number: str


@dataclass(frozen=True, slots=True)
class OfferRinging(RouterEvent):
    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferAccepted(RouterEvent):
    """The agent answered and the caller is bridged (or being called back)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferFailed(RouterEvent):
    """``why``: ``rona`` (ring no answer), ``busy`` or ``unreachable``. The agent goes not
    ready either way; the caller goes back in line, or leaves as an abandon once its
    ``WaitingCall.offer_until`` is past (a predictive customer's connect window)."""

    call_id: str
    agent_id: str
    why: str = "rona"


@dataclass(frozen=True, slots=True)
class PreviewShown(RouterEvent):
    """Outbound preview: the offered record is on the agent's screen; no phone rings
    until the agent clicks Dial (the ring timer stops)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class CustomerDialing(RouterEvent):
    """Outbound: the offered agent answered its leg; the customer is dialed now. The
    call leaves the line (the campaign, not the router, decides any retry)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class CustomerAnswered(RouterEvent):
    """Outbound: the customer answered and is bridged to the dialing agent."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class CustomerFailed(RouterEvent):
    """Outbound: the customer was not reached (busy, no answer, machine, failed) or the
    previewed record was skipped; the agent is free again (no RONA: not its fault)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class CallHeld(RouterEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class CallResumed(RouterEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class CallEnded(RouterEvent):
    call_id: str
    agent_id: str
    by: str = "caller"  # "caller" | "agent" | "transfer"


@dataclass(frozen=True, slots=True)
class AgentTookCall(RouterEvent):
    """A call reached the agent outside an offer: a blind or attended transfer landed
    on the agent's phone, or the agent was conferenced in. ``queue``: the queue the call
    came through (its wrap-up time and handle-time average apply). The agent is on the
    call from now on; ``CallEnded`` for it leads to wrap-up as for an offered call."""

    agent_id: str
    call_id: str
    queue: str


@dataclass(frozen=True, slots=True)
class TransferRinging(RouterEvent):
    """A colleague's transfer is ringing the agent's phone: no queue call is offered to
    the agent until it lands (``AgentTookCall`` with this call), is given up
    (``TransferGone``) or ``ring_s`` passed (the net when nobody reports the give-up)."""

    agent_id: str
    call_id: str
    ring_s: float


@dataclass(frozen=True, slots=True)
class TransferGone(RouterEvent):
    """The transfer ringing the agent will not land (the caller hung up, nobody answered)."""

    agent_id: str
    call_id: str


@dataclass(frozen=True, slots=True)
class WrapUpDone(RouterEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class WrapUpExtend(RouterEvent):
    agent_id: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Tick(RouterEvent):
    """Time passes: relaxation steps, ring timeouts, wrap-up ends, max waits, announcements."""


@dataclass(frozen=True, slots=True)
class ResetDailyCounters(RouterEvent):
    """Start of a new day for the least-calls policy."""
