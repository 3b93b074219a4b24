"""The agent state table, checked on its own and through the router for every
(state, trigger) pair: legal transitions land where the table says, illegal ones are
rejected with a sentence and change nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from acd_helpers import agent, call, feed

from acd.core import (
    TRANSITIONS,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    AgentTookCall,
    CallArrived,
    CallEnded,
    CallHeld,
    CallLeft,
    CallResumed,
    CustomerAnswered,
    CustomerDialing,
    CustomerFailed,
    OfferAccepted,
    OfferFailed,
    OfferRinging,
    PreviewShown,
    QueueConfig,
    Rejected,
    Rejection,
    Router,
    RouterEvent,
    SetAgentState,
    State,
    Trigger,
    WrapUpDone,
    WrapUpExtend,
    transition,
)

A = agent("a1")
C = call("c1", at=1.0)

# Events that bring agent a1 into each state (queue wrap-up 30 s so wrap_up lasts).
REACH: dict[State, list[RouterEvent]] = {
    State.LOGGED_OUT: [AgentLoggedIn(0, A), AgentLoggedOut(0, "a1")],
    State.NOT_READY: [AgentLoggedIn(0, A)],
    State.READY: [AgentLoggedIn(0, A), AgentReady(0, "a1")],
    State.RESERVED: [AgentLoggedIn(0, A), AgentReady(0, "a1"), CallArrived(1, C)],
    State.RINGING: [AgentLoggedIn(0, A), AgentReady(0, "a1"), CallArrived(1, C),
                    OfferRinging(2, "c1", "a1")],
    State.ON_CALL: [AgentLoggedIn(0, A), AgentReady(0, "a1"), CallArrived(1, C),
                    OfferAccepted(2, "c1", "a1")],
    State.ON_HOLD: [AgentLoggedIn(0, A), AgentReady(0, "a1"), CallArrived(1, C),
                    OfferAccepted(2, "c1", "a1"), CallHeld(3, "a1")],
    State.WRAP_UP: [AgentLoggedIn(0, A), AgentReady(0, "a1"), CallArrived(1, C),
                    OfferAccepted(2, "c1", "a1"), CallEnded(3, "c1", "a1")],
    State.PREVIEWING: [AgentLoggedIn(0, A), AgentReady(0, "a1"), CallArrived(1, C),
                       PreviewShown(2, "c1", "a1")],
    State.DIALING: [AgentLoggedIn(0, A), AgentReady(0, "a1"), CallArrived(1, C),
                    CustomerDialing(2, "c1", "a1")],
}

# The event a trigger comes from (OFFER is the router's own decision: not an input).
CAUSE: dict[Trigger, Callable[[], RouterEvent]] = {
    Trigger.LOGIN: lambda: AgentLoggedIn(5, A),
    Trigger.LOGOUT: lambda: AgentLoggedOut(5, "a1"),
    Trigger.READY: lambda: AgentReady(5, "a1"),
    Trigger.NOT_READY: lambda: AgentNotReady(5, "a1", "break"),
    Trigger.RING: lambda: OfferRinging(5, "c1", "a1"),
    Trigger.ANSWER: lambda: OfferAccepted(5, "c1", "a1"),
    Trigger.OFFER_FAILED: lambda: OfferFailed(5, "c1", "a1", "rona"),
    Trigger.OFFER_CANCELLED: lambda: CallLeft(5, "c1"),
    Trigger.HOLD: lambda: CallHeld(5, "a1"),
    Trigger.UNHOLD: lambda: CallResumed(5, "a1"),
    Trigger.HANGUP: lambda: CallEnded(5, "c1", "a1"),
    Trigger.WRAP_UP_DONE: lambda: WrapUpDone(5, "a1"),
    Trigger.WRAP_UP_EXTEND: lambda: WrapUpExtend(5, "a1", 10),
    Trigger.TAKE_CALL: lambda: AgentTookCall(5, "a1", "c9", "q"),
    Trigger.PREVIEW: lambda: PreviewShown(5, "c1", "a1"),
    Trigger.DIAL: lambda: CustomerDialing(5, "c1", "a1"),
}
# Outbound: once the customer is being dialed (or a record previewed), the customer's
# answer and its failure come from the campaign's own events.
CAUSE_IN: dict[tuple[State, Trigger], Callable[[], RouterEvent]] = {
    (State.DIALING, Trigger.ANSWER): lambda: CustomerAnswered(5, "c1", "a1"),
    (State.DIALING, Trigger.OFFER_CANCELLED): lambda: CustomerFailed(5, "c1", "a1"),
    (State.PREVIEWING, Trigger.OFFER_CANCELLED): lambda: CustomerFailed(5, "c1", "a1"),
}


def _router_in(state: State) -> Router:
    r = Router([QueueConfig("q", skills=("s",), wrap_up_s=30)])
    feed(r, *REACH[state])
    view = r.agent("a1")
    assert view is not None and view.state == state.value
    return r


PAIRS = [(s, t) for s in State for t in CAUSE
         if not (t is Trigger.LOGIN and s is not State.LOGGED_OUT)]  # = profile update


@pytest.mark.parametrize(("state", "trigger"), PAIRS, ids=lambda x: x.value)
def test_every_transition_through_the_router(state: State, trigger: Trigger) -> None:
    r = _router_in(state)
    out = r.handle(CAUSE_IN.get((state, trigger), CAUSE[trigger])())
    after = r.agent("a1")
    assert after is not None
    expected = TRANSITIONS.get((state, trigger))
    if expected is None:
        assert after.state == state.value, "an illegal trigger must not change the state"
        rejections = [c for c in out if isinstance(c, Rejection)]
        assert rejections and rejections[0].reason.endswith("."), out
        assert not any(isinstance(c, SetAgentState) for c in out)
    else:
        assert after.state == expected.value, out
        assert not any(isinstance(c, Rejection) for c in out), out


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
@pytest.mark.parametrize("trigger", list(Trigger), ids=lambda t: t.value)
def test_table_accepts_or_explains(state: State, trigger: Trigger) -> None:
    result = transition("a1", state, trigger)
    if (state, trigger) in TRANSITIONS:
        assert result is TRANSITIONS[(state, trigger)]
    else:
        assert isinstance(result, Rejected)
        assert "a1" in result.reason and state.value in result.reason
        assert result.reason[0].isupper() and result.reason.endswith(".")


def test_every_state_is_reachable_and_can_be_left() -> None:
    targets = {to for to in TRANSITIONS.values()}
    sources = {s for (s, _) in TRANSITIONS}
    assert targets == set(State) and sources == set(State)


def test_logout_during_a_call_says_what_to_do() -> None:
    r = _router_in(State.ON_CALL)
    [rej] = [c for c in r.handle(AgentLoggedOut(9, "a1")) if isinstance(c, Rejection)]
    assert "finish or transfer the call" in rej.reason


def test_not_ready_during_a_call_is_applied_after_wrap_up() -> None:
    r = _router_in(State.ON_CALL)
    feed(r, AgentNotReady(4, "a1", "meal"), CallEnded(5, "c1", "a1"))
    assert r.agent("a1").state == "wrap_up"  # type: ignore[union-attr]
    feed(r, WrapUpDone(6, "a1"))
    view = r.agent("a1")
    assert view is not None and (view.state, view.reason) == ("not_ready", "meal")


def test_unknown_reason_is_rejected_with_the_allowed_ones() -> None:
    r = _router_in(State.READY)
    [rej] = r.handle(AgentNotReady(1, "a1", "nap"))
    assert isinstance(rej, Rejection) and "break" in rej.reason
    assert r.agent("a1").state == "ready"  # type: ignore[union-attr]
