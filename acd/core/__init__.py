"""The pure routing core: ``Router.handle(event) -> list[Command]``.

No I/O, no clock reads: every event carries its time ``at`` (seconds, non-decreasing).

Driving it (what ``acd.service`` does)::

    router = Router(queue_configs, reasons=DEFAULT_REASONS | {"coaching"})
    for cmd in router.handle(CallArrived(now, WaitingCall.from_request(req, cfg))):
        execute(cmd)                      # in order
    # and whenever ``now >= router.next_due()``: router.handle(Tick(now))

Events in (:mod:`acd.core.inputs`) -> typical commands out (:mod:`acd.core.commands`):

=============================  ==========================================================
AgentLoggedIn(agent)           SetAgentState(not_ready, reason "login"); a logged-in
                               agent's new profile is applied at once (may Offer)
AgentLoggedOut(id)             SetAgentState(logged_out) [+ CancelOffer, ExitQueue(empty)]
AgentReady(id)                 SetAgentState(ready) [+ SetAgentState(reserved), Offer]
AgentNotReady(id, reason)      SetAgentState(not_ready) [+ CancelOffer: caller keeps place]
CallArrived(call)              Queued [+ SetAgentState(reserved), Offer] or ExitQueue
                               (full / empty) or MoveQueue (overflow); held back: Queued
                               and no Offer until CallReleased(call) [+ Offer]
CallLeft(call, why)            ExitQueue(why, to "") [+ CancelOffer, agent back to ready]
CallbackRequested(call, nr)    nothing (the place is kept; its Offer will carry callback)
OfferRinging(call, agent)      SetAgentState(ringing)
OfferAccepted(call, agent)     SetAgentState(on_call)   -> bridge / call back now
OfferFailed(call, agent, why)  SetAgentState(not_ready RONA|busy|unreachable) [+ Offer to
                               the next agent; the call keeps its original place]; with
                               abandon: + ExitQueue(abandon), no further offer
CallHeld / CallResumed(agent)  SetAgentState(on_hold / on_call)
AgentTookCall(id, call, queue) SetAgentState(on_call) [+ CancelOffer of a pending offer]:
                               a transfer or conference landed on the agent's phone
TransferRinging(id, call, s)   nothing: no offer to the agent while a colleague's transfer
                               rings its phone (until it lands, TransferGone, or s passed)
TransferGone(id, call)         [SetAgentState(reserved), Offer] to the agent, if ready
PreviewShown(call, agent)      SetAgentState(previewing): outbound preview, no ring timer
CustomerDialing(call, agent)   SetAgentState(dialing); the call leaves the line
CustomerAnswered(call, agent)  SetAgentState(on_call)
CustomerFailed(call, agent)    SetAgentState(ready) [+ Offer]: busy / no answer / machine /
                               skipped preview (see acd.core.outbound: blending)
CallEnded(call, agent, by)     SetAgentState(wrap_up) [+ ready + Offer if wrap-up is 0]
WrapUpDone / WrapUpExtend      SetAgentState(ready or pending not_ready) [+ Offer]
Tick(now)                      Relaxed, MoveQueue, ExitQueue(timeout), Announce,
                               CancelOffer(rona) + SetAgentState(not_ready RONA), Offer ...
=============================  ==========================================================

Any refused event yields a ``Rejection(subject, reason)`` and changes nothing. Queries:
``explain(call_id)``, ``position(call_id)``, ``estimated_wait(queue, position)``,
``call(id)``, ``agent(id)``, ``queue(name)``, ``waiting_calls(queue)``,
``agents_logged_in(queue)``, ``set_queue(cfg)`` (live configuration change).
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
                               AgentTookCall,
                               CallArrived,
                               CallbackRequested,
                               CallEnded,
                               CallHeld,
                               CallLeft,
                               CallReleased,
                               CallResumed,
                               CustomerAnswered,
                               CustomerDialing,
                               CustomerFailed,
                               OfferAccepted,
                               OfferFailed,
                               OfferRinging,
                               PreviewShown,
                               ResetDailyCounters,
                               RouterEvent,
                               Tick,
                               TransferGone,
                               TransferRinging,
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
    "Agent", "AgentLoggedIn", "AgentLoggedOut", "AgentNotReady", "AgentReady", "AgentTookCall",
    "AgentView",
    "Announce", "CallArrived", "CallEnded", "CallHeld", "CallLeft", "CallReleased", "CallResumed", "CallView",
    "CallbackRequested", "CancelOffer", "CustomerAnswered", "CustomerDialing", "CustomerFailed",
    "PreviewShown", "Command", "DEFAULT_REASONS", "Exit", "ExitQueue",
    "ExitTo", "Explanation", "Membership", "MoveQueue", "Offer", "OfferAccepted", "OfferFailed",
    "OfferRinging", "Policy", "QueueConfig", "QueueView", "Queued", "Rejected", "Rejection",
    "Relaxation", "Relaxed", "Requirement", "ResetDailyCounters", "Router", "RouterEvent",
    "SetAgentState", "State", "TRANSITIONS", "Tick", "TransferGone", "TransferRinging", "Trigger",
    "WaitingCall", "WrapUpDone",
    "WrapUpExtend", "transition",
]
