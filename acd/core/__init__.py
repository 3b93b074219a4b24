"""The pure routing core: ``Router.handle(event) -> list[Command]``.

No I/O, no clock reads: every event carries its time. See :mod:`acd.core.router`.
"""

from acd.core.commands import (
                               Announce,
                               CancelOffer,
                               Command,
                               ExitQueue,
                               MoveQueue,
                               Offer,
                               Queued,
                               Rejection,
                               Relaxed,
                               SetAgentState,
)
from acd.core.eligibility import Requirement
from acd.core.inputs import (
                               AgentLoggedIn,
                               AgentLoggedOut,
                               AgentNotReady,
                               AgentReady,
                               CallArrived,
                               CallbackRequested,
                               CallEnded,
                               CallHeld,
                               CallLeft,
                               CallResumed,
                               OfferAccepted,
                               OfferFailed,
                               OfferRinging,
                               ResetDailyCounters,
                               RouterEvent,
                               Tick,
                               WrapUpDone,
                               WrapUpExtend,
)
from acd.core.model import (
                               DEFAULT_REASONS,
                               Agent,
                               Exit,
                               ExitTo,
                               Membership,
                               Policy,
                               QueueConfig,
                               Relaxation,
                               WaitingCall,
)
from acd.core.router import Router
from acd.core.states import TRANSITIONS, Rejected, State, Trigger, transition
from acd.core.views import AgentView, CallView, Explanation, QueueView

__all__ = [
    "Agent", "AgentLoggedIn", "AgentLoggedOut", "AgentNotReady", "AgentReady", "AgentView",
    "Announce", "CallArrived", "CallEnded", "CallHeld", "CallLeft", "CallResumed", "CallView",
    "CallbackRequested", "CancelOffer", "Command", "DEFAULT_REASONS", "Exit", "ExitQueue",
    "ExitTo", "Explanation", "Membership", "MoveQueue", "Offer", "OfferAccepted", "OfferFailed",
    "OfferRinging", "Policy", "QueueConfig", "QueueView", "Queued", "Rejected", "Rejection",
    "Relaxation", "Relaxed", "Requirement", "ResetDailyCounters", "Router", "RouterEvent",
    "SetAgentState", "State", "TRANSITIONS", "Tick", "Trigger", "WaitingCall", "WrapUpDone",
    "WrapUpExtend", "transition",
]
