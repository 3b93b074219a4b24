"""What the IVR hands to the router, and the port it hands it through."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RoutingRequest:
    """A caller ready to be routed, as decided by the IVR.

    ``skills`` are all required; ``min_proficiency`` applies to each of them.
    ``priority``: higher is served first (VIP = 10, normal = 0).
    ``ivr_path``: node ids the caller went through, for the screen pop and reports.
    """

    call_id: str
    uniqueid: str
    channel: str
    caller_num: str
    caller_name: str
    queue: str
    skills: tuple[str, ...] = ()
    language: str | None = None
    min_proficiency: int = 1
    priority: int = 0
    customer_id: int | None = None
    ivr_path: tuple[str, ...] = ()
    enqueued_at: float = 0.0
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """A caller who asked to be called back (after hours, or instead of waiting).

    ``keep_place``: the callback keeps the caller's place in the queue (virtual hold).
    """

    call_id: str
    number: str
    queue: str
    requested_at: float
    skills: tuple[str, ...] = ()
    language: str | None = None
    priority: int = 0
    customer_id: int | None = None
    keep_place: bool = False


AMD_CHOICES = ("off", "hangup", "message", "agent")


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    """One campaign record to dial through the router (agent first, then the number).

    ``queue`` is the campaign's queue: its members work the campaign, blended with their
    inbound queues by membership tier. ``amd``: what an answering machine gets (``off``: no
    AMD(); ``hangup``; ``message``: ``amd_message`` is played; ``agent``: passed to the
    agent). ``preview``: the agent sees the record and dials it by click. ``predictive``:
    the customer is dialed first, unbound to an agent; answered (a person, or a machine
    with ``agent``) the customer waits in the queue for an agent, and if none takes the
    call within ``connect_window_s`` it is an abandon. ``ring_s``: how long the customer's
    phone rings.
    """

    call_id: str
    queue: str
    number: str
    caller_id: str
    requested_at: float
    campaign: str = ""
    record: str = ""
    customer_name: str = ""
    customer_id: int | None = None
    skills: tuple[str, ...] = ()
    amd: str = "off"
    amd_message: str = ""
    preview: bool = False
    ring_s: float = 25.0
    predictive: bool = False
    connect_window_s: float = 2.0

    def __post_init__(self) -> None:
        if self.amd not in AMD_CHOICES:
            raise ValueError(f"amd {self.amd!r}: use one of {', '.join(AMD_CHOICES)}")
        if self.amd == "message" and not self.amd_message:
            raise ValueError("amd 'message' needs the prompt to leave (amd_message)")
        if self.predictive and self.preview:
            raise ValueError("a dial is either preview (agent first) or predictive, not both")
        if not 0.0 <= self.connect_window_s <= 10.0:
            raise ValueError(f"connect window {self.connect_window_s:g} s must be 0-10 s")
        if not 5.0 <= self.ring_s <= 60.0:
            raise ValueError(f"ring time {self.ring_s:g} s must be between 5 and 60 s")


def outbound_tag(req: OutboundRequest) -> str:
    """The dial as the channel variable ``HOTLINE_OUTBOUND`` (set at Originate, so Asterisk
    keeps it on the legs and a restarted backend re-adopts the dial): compact JSON in
    unpadded base64url, because Originate's ``Variable:`` splits its value at commas."""
    text = json.dumps(asdict(req), ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def parse_outbound_tag(tag: str) -> OutboundRequest:
    """The inverse of :func:`outbound_tag`; ValueError (one sentence) on anything else."""
    try:
        doc = json.loads(base64.urlsafe_b64decode(tag + "=" * (-len(tag) % 4)))
    except ValueError as exc:  # binascii.Error, UnicodeDecodeError and JSON errors are ValueErrors
        raise ValueError(f"HOTLINE_OUTBOUND is not a dial tag ({exc})") from exc
    if not isinstance(doc, dict):
        raise ValueError("HOTLINE_OUTBOUND is not a JSON object")
    doc["skills"] = tuple(doc.get("skills") or ())
    known = OutboundRequest.__dataclass_fields__
    try:
        return OutboundRequest(**{k: v for k, v in doc.items() if k in known})
    except TypeError as exc:
        raise ValueError(f"HOTLINE_OUTBOUND lacks a field of the dial ({exc})") from exc


class Enqueuer(Protocol):
    """Implemented by ``acd.service``; the IVR calls it at the end of the menu."""

    def enqueue(self, request: RoutingRequest) -> None: ...

    def request_callback(self, request: CallbackRequest) -> None: ...

    def estimated_wait(self, queue: str) -> float | None: ...

    def agents_logged_in(self, queue: str) -> int: ...
