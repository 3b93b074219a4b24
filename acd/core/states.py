"""The agent state machine: every legal transition in one table, read top to bottom.

A trigger not listed for the current state is illegal and :func:`transition` returns a
:class:`Rejected` with one sentence saying what was wrong and what to do. The table only
says *where* an agent goes; side effects (cancelling an offer, starting the wrap-up
timer, looking for a waiting call) are the router's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    NOT_READY = "not_ready"
    RESERVED = "reserved"  # chosen for a call; the service is about to ring the agent
    RINGING = "ringing"
    ON_CALL = "on_call"
    ON_HOLD = "on_hold"
    WRAP_UP = "wrap_up"
    PREVIEWING = "previewing"  # outbound preview: the record is on the agent's screen
    DIALING = "dialing"  # outbound: the agent is on the line, the customer is being dialed


class Trigger(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    READY = "ready"
    NOT_READY = "not_ready"
    OFFER = "offer"  # the router reserves the agent for a call
    RING = "ring"  # the agent's phone rings
    ANSWER = "answer"  # the agent answered; the caller is bridged
    OFFER_FAILED = "offer_failed"  # RONA, busy, unreachable: the agent's fault or phone
    OFFER_CANCELLED = "offer_cancelled"  # the caller left while the agent was offered
    HOLD = "hold"
    UNHOLD = "unhold"
    HANGUP = "hangup"  # the call ended (either side)
    WRAP_UP_DONE = "wrap_up_done"  # the agent finished, or the wrap-up timer expired
    WRAP_UP_EXTEND = "wrap_up_extend"
    TAKE_CALL = "take_call"  # a call reached the agent outside an offer (transfer, conference)
    PREVIEW = "preview"  # an outbound record is shown to the reserved agent, who dials it by click
    DIAL = "dial"  # outbound: the agent answered its leg, the customer is being dialed


S, T = State, Trigger

# (from, trigger) -> to.  Read as: "an agent <from> who <trigger>s becomes <to>".
TRANSITIONS: dict[tuple[State, Trigger], State] = {
    (S.LOGGED_OUT, T.LOGIN): S.NOT_READY,  # log in paused; the agent clicks Ready
    (S.NOT_READY, T.READY): S.READY,
    (S.NOT_READY, T.NOT_READY): S.NOT_READY,  # change of reason
    (S.NOT_READY, T.LOGOUT): S.LOGGED_OUT,
    (S.READY, T.NOT_READY): S.NOT_READY,
    (S.READY, T.OFFER): S.RESERVED,
    (S.READY, T.LOGOUT): S.LOGGED_OUT,
    (S.READY, T.READY): S.READY,  # idempotent; keeps the idle time
    (S.READY, T.TAKE_CALL): S.ON_CALL,  # a colleague transferred or conferenced a call in
    (S.NOT_READY, T.TAKE_CALL): S.ON_CALL,  # idem; back to not ready (same reason) after wrap-up
    (S.RESERVED, T.RING): S.RINGING,
    (S.RESERVED, T.ANSWER): S.ON_CALL,  # the ringing event may be skipped
    (S.RESERVED, T.OFFER_FAILED): S.NOT_READY,
    (S.RESERVED, T.OFFER_CANCELLED): S.READY,
    (S.RESERVED, T.NOT_READY): S.NOT_READY,  # the offer is withdrawn, the caller keeps the place
    (S.RESERVED, T.LOGOUT): S.LOGGED_OUT,  # idem
    (S.RESERVED, T.TAKE_CALL): S.ON_CALL,  # idem: the offer is withdrawn first
    (S.RINGING, T.ANSWER): S.ON_CALL,
    (S.RINGING, T.OFFER_FAILED): S.NOT_READY,
    (S.RINGING, T.OFFER_CANCELLED): S.READY,
    (S.RINGING, T.NOT_READY): S.NOT_READY,  # idem
    (S.RINGING, T.LOGOUT): S.LOGGED_OUT,  # idem
    (S.RINGING, T.TAKE_CALL): S.ON_CALL,  # idem
    (S.ON_CALL, T.HOLD): S.ON_HOLD,
    (S.ON_CALL, T.HANGUP): S.WRAP_UP,
    (S.ON_CALL, T.NOT_READY): S.ON_CALL,  # remembered: applied when the wrap-up ends
    (S.ON_HOLD, T.UNHOLD): S.ON_CALL,
    (S.ON_HOLD, T.HANGUP): S.WRAP_UP,
    (S.ON_HOLD, T.NOT_READY): S.ON_HOLD,  # idem
    (S.WRAP_UP, T.WRAP_UP_DONE): S.READY,  # or not_ready(reason) if one was remembered
    (S.WRAP_UP, T.WRAP_UP_EXTEND): S.WRAP_UP,
    (S.WRAP_UP, T.READY): S.READY,
    (S.WRAP_UP, T.NOT_READY): S.NOT_READY,
    (S.WRAP_UP, T.LOGOUT): S.LOGGED_OUT,
    (S.WRAP_UP, T.TAKE_CALL): S.ON_CALL,  # the previous call's wrap-up ends here
    # outbound (blended in the same table): preview, then agent first, then the customer
    (S.RESERVED, T.PREVIEW): S.PREVIEWING,
    (S.PREVIEWING, T.RING): S.RINGING,  # the agent clicked Dial: its phone rings first
    (S.PREVIEWING, T.OFFER_CANCELLED): S.READY,  # the agent skipped the record
    (S.PREVIEWING, T.NOT_READY): S.NOT_READY,  # idem, the record goes back to the campaign
    (S.PREVIEWING, T.LOGOUT): S.LOGGED_OUT,  # idem
    (S.RESERVED, T.DIAL): S.DIALING,  # the ringing event may be skipped
    (S.RINGING, T.DIAL): S.DIALING,
    (S.DIALING, T.ANSWER): S.ON_CALL,  # a person answered and is bridged to the agent
    (S.DIALING, T.OFFER_CANCELLED): S.READY,  # busy, no answer, machine: not the agent's fault
    (S.DIALING, T.NOT_READY): S.DIALING,  # remembered: applied when the dial or the call ends
}

# Why a trigger is refused in a state, when a generic sentence would not help.
_HINTS: dict[tuple[State, Trigger], str] = {
    (S.ON_CALL, T.LOGOUT): "finish or transfer the call before logging out",
    (S.ON_HOLD, T.LOGOUT): "take the caller off hold and finish the call before logging out",
    (S.LOGGED_OUT, T.READY): "log in first",
    (S.LOGGED_OUT, T.NOT_READY): "log in first",
    (S.LOGGED_OUT, T.LOGOUT): "the agent is already logged out",
    (S.NOT_READY, T.OFFER): "only a ready agent can be offered a call",
    (S.ON_CALL, T.READY): "hang up first; the agent becomes ready after wrap-up",
    (S.ON_HOLD, T.READY): "hang up first; the agent becomes ready after wrap-up",
    (S.ON_HOLD, T.HOLD): "the caller is already on hold",
    (S.LOGGED_OUT, T.TAKE_CALL): "log the agent in before transferring or conferencing calls to them",
    (S.ON_CALL, T.TAKE_CALL): "the agent is already on a call; finish it before taking another",
    (S.ON_HOLD, T.TAKE_CALL): "the agent already has a call on hold; finish it before taking another",
    (S.DIALING, T.LOGOUT): "wait until the customer answers or the dial fails, then log out",
    (S.DIALING, T.TAKE_CALL): "the agent is dialing a customer; transfer to someone else",
    (S.PREVIEWING, T.TAKE_CALL): "skip the previewed record first",
}

# The state an agent is *counted* in for the bus event (acd.events.AgentStateChanged.state).
BUSY_STATES: frozenset[State] = frozenset({S.RESERVED, S.RINGING, S.ON_CALL, S.ON_HOLD,
                                           S.PREVIEWING, S.DIALING})
# An agent holding an offer (the router's call record names it): at most one at a time.
OFFERED_STATES: frozenset[State] = frozenset({S.RESERVED, S.RINGING, S.PREVIEWING})
STAFFED_STATES: frozenset[State] = frozenset(State) - {S.LOGGED_OUT, S.NOT_READY}


@dataclass(frozen=True, slots=True)
class Rejected:
    """An illegal transition, with the sentence to show the agent or supervisor."""

    agent: str
    state: State
    trigger: Trigger
    reason: str

    def __str__(self) -> str:
        return self.reason


class IllegalTransition(Exception):
    def __init__(self, rejected: Rejected) -> None:
        super().__init__(rejected.reason)
        self.rejected = rejected


def transition(agent: str, state: State, trigger: Trigger) -> State | Rejected:
    """The state after ``trigger``, or why it is not allowed."""
    to = TRANSITIONS.get((state, trigger))
    if to is not None:
        return to
    hint = _HINTS.get((state, trigger))
    if hint is None:
        allowed = sorted(t.value for (s, t) in TRANSITIONS if s is state)
        hint = f"allowed now: {', '.join(allowed)}"
    return Rejected(agent, state, trigger,
                    f"Agent {agent} cannot {trigger.value.replace('_', ' ')} while {state.value}: {hint}.")
