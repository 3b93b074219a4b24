"""The service's live view of each routed call: the caller's channel, the current agent
leg, and the times that queue accounting needs. Holds no I/O handle (STYLE: no sockets
inside call state); indexes find a call by caller uniqueid and by agent-leg uniqueid."""

from __future__ import annotations

from dataclasses import dataclass, field

from acd.requests import OutboundRequest, RoutingRequest


@dataclass(eq=False, slots=True)
class LiveCall:
    """One call from ENTERQUEUE to its last queue event.

    ``enqueued_at`` is the original enqueue time (kept through RONA, callback, overflow
    and backend restarts); ``origposition`` the position at ENTERQUEUE.
    Offer fields describe the agent leg being rung (ChannelId = ``leg``); talk fields
    are set from CONNECT on. ``hold_s`` sums time on hold during the talk.
    """

    request: RoutingRequest
    queue: str
    enqueued_at: float
    origposition: int = 0
    caller_gone: bool = False
    callback: str | None = None  # number to call back (virtual hold)
    # current offer
    agent: str | None = None
    leg: str | None = None
    leg_channel: str | None = None
    offers: int = 0
    offered_at: float = 0.0
    ringing: bool = False
    customer_leg: str | None = None  # callback: the leg to the customer
    outbound: OutboundRequest | None = None  # a campaign dial (acd.service.outbound)
    previewed: bool = False  # outbound preview: the agent clicked Dial
    # talk
    connected_at: float | None = None
    hold_started: float | None = None
    hold_s: float = 0.0
    first_leave: str | None = None  # "caller" | "agent": who left the bridge first
    transferring: str | None = None  # "blind" | "attended" | "hold" | "conference"
    conference: str | None = None  # the ConfBridge room once caller and agent are in it
    conf_parties: int = 0  # third parties added (numbers their legs)
    # a call that reached ``agent`` by transfer outside an offer (acd.service.takes)
    taken: str | None = None  # "blind" | "attended"
    taken_from: str | None = None  # the transferring agent
    queue_wait_s: float | None = None  # the caller's wait before the first agent answered
    legs: set[str] = field(default_factory=set)

    @property
    def call_id(self) -> str:
        return self.request.call_id

    @property
    def channel(self) -> str:
        return self.request.channel

    @property
    def uniqueid(self) -> str:
        return self.request.uniqueid

    def talk_s(self, now: float) -> float:
        return 0.0 if self.connected_at is None else max(0.0, now - self.connected_at)

    def holdtime(self) -> float:
        """Asterisk's holdtime: waited in the queue before the agent answered."""
        if self.queue_wait_s is not None:
            return self.queue_wait_s
        end = self.connected_at if self.connected_at is not None else self.offered_at
        return max(0.0, end - self.enqueued_at)

    def close_hold(self, now: float) -> None:
        if self.hold_started is not None:
            self.hold_s += max(0.0, now - self.hold_started)
            self.hold_started = None


class CallBook:
    """Live calls by call id, caller uniqueid and agent-leg uniqueid."""

    def __init__(self) -> None:
        self.by_id: dict[str, LiveCall] = {}
        self.by_uniqueid: dict[str, LiveCall] = {}
        self.by_leg: dict[str, LiveCall] = {}
        self.by_agent: dict[str, LiveCall] = {}  # agent id -> connected call

    def add(self, call: LiveCall) -> None:
        self.by_id[call.call_id] = call
        if call.uniqueid:
            self.by_uniqueid[call.uniqueid] = call

    def get(self, call_id: str) -> LiveCall | None:
        return self.by_id.get(call_id)

    def add_leg(self, call: LiveCall, leg: str) -> None:
        call.legs.add(leg)
        self.by_leg[leg] = call

    def forget_leg(self, leg: str) -> None:
        call = self.by_leg.pop(leg, None)
        if call is not None:
            call.legs.discard(leg)

    def drop(self, call: LiveCall) -> None:
        """The call has no more queue events: forget it (its legs stay until they hang up)."""
        self.by_id.pop(call.call_id, None)
        if self.by_uniqueid.get(call.uniqueid) is call:
            del self.by_uniqueid[call.uniqueid]
        if call.agent is not None and self.by_agent.get(call.agent) is call:
            del self.by_agent[call.agent]

    def __len__(self) -> int:
        return len(self.by_id)
