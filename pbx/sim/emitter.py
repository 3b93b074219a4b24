"""Builds AMI events with Asterisk's field order, Privilege and Timestamp rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import cdr
from .channels import CAUSE_TEXT, TECH_CAUSE, UP, Bridge, Channel, Fields


class Emitter:
    """Turns simulator happenings into AMI events handed to ``sink`` (the AMI server).

    Most events carry ``Privilege`` then ``Timestamp`` (``timestampevents = yes``);
    list-action events (``CoreShowChannel``, ``Status``) carry neither and are sent by
    the action handler to one session only.
    """

    def __init__(self, sink: Callable[[Fields], None], now: Callable[[], float]) -> None:
        self.sink = sink
        self.now = now
        self.device_states: dict[str, str] = {}

    def event(self, name: str, fields: Fields, privilege: str = "call,all") -> None:
        out: Fields = [("Event", name), ("Privilege", privilege),
                       ("Timestamp", f"{self.now():.6f}")]
        out.extend(fields)
        self.sink(out)

    def chan(self, name: str, ch: Channel, *extra: tuple[str, Any],
             privilege: str = "call,all") -> None:
        self.event(name, [*ch.snapshot(), *extra], privilege)

    # --- common channel events ------------------------------------------------------

    def newexten(self, ch: Channel, priority: int, app: str, data: str = "",
                 context: str | None = None, exten: str | None = None) -> None:
        if context is not None:
            ch.context = context
        if exten is not None:
            ch.exten = exten
        ch.priority, ch.app, ch.app_data = priority, app, data
        cdr.note_app(ch, app, data)
        self.chan("Newexten", ch, ("Extension", ch.exten), ("Application", app),
                  ("AppData", data), privilege="dialplan,all")

    def varset(self, ch: Channel, variable: str, value: str) -> None:
        ch.vars[variable] = value
        self.chan("VarSet", ch, ("Variable", variable), ("Value", value),
                  privilege="dialplan,all")

    def newstate(self, ch: Channel, state: int) -> None:
        ch.state = state
        if state == UP:
            cdr.note_answered(ch, self.now())
        self.chan("Newstate", ch)

    def hangup(self, ch: Channel, cause: int) -> None:
        extra: list[tuple[str, Any]] = [("Cause", cause), ("Cause-txt", CAUSE_TEXT.get(cause, "Unknown"))]
        if cause in TECH_CAUSE:
            extra.append(("TechCause", TECH_CAUSE[cause]))
        self.chan("Hangup", ch, *extra)

    def hangup_request(self, ch: Channel, cause: int | None = None) -> None:
        extra: list[tuple[str, Any]] = []
        if cause is not None:
            extra.append(("Cause", cause))
            if cause in TECH_CAUSE:
                extra.append(("TechCause", TECH_CAUSE[cause]))
        self.chan("HangupRequest", ch, *extra)

    def soft_hangup_request(self, ch: Channel, cause: int) -> None:
        self.chan("SoftHangupRequest", ch, ("Cause", cause))

    def dial(self, name: str, caller: Channel | None, dest: Channel,
             *extra: tuple[str, Any]) -> None:
        """DialBegin/DialState/DialEnd. An originated leg has no calling channel: only
        ``Dest*`` fields (ami-02a); a dialplan ``Dial`` has both (ami-07a)."""
        fields: Fields = [] if caller is None else caller.snapshot()
        fields += dest.snapshot("Dest")
        fields += list(extra)
        self.event(name, fields)

    def bridge(self, name: str, bridge: Bridge, ch: Channel | None = None,
               count: int | None = None) -> None:
        fields = bridge.fields(count=count)
        if ch is not None:
            fields += ch.snapshot()
        self.event(name, fields)

    def dtmf(self, ch: Channel, digit: str, duration_ms: int, begin: bool = True,
             direction: str = "Received") -> None:
        if begin:
            self.chan("DTMFBegin", ch, ("Digit", digit), ("Direction", direction),
                      privilege="dtmf,all")
        self.chan("DTMFEnd", ch, ("Digit", digit), ("DurationMs", duration_ms),
                  ("Direction", direction), privilege="dtmf,all")

    def device(self, device: str, state: str) -> None:
        """DeviceStateChange, only when the state really changes."""
        if self.device_states.get(device) == state:
            return
        self.device_states[device] = state
        self.event("DeviceStateChange", [("Device", device), ("State", state)])
