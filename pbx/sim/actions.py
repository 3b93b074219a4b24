"""AMI actions of the simulated Asterisk, answered like Asterisk 22 does (ami-01..12)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pbx.ami.codec import AmiMessage

from .channels import Fields
from .server import AmiSession, header
from .sim_actions import CallActions

if TYPE_CHECKING:
    from .core import SimCore

UNAUTHENTICATED_OK = {"login", "logoff", "challenge"}


class Actions(CallActions):
    """Dispatches one client's actions in order (like Asterisk's per-session thread)."""

    def __init__(self, sim: SimCore) -> None:
        super().__init__(sim)
        self._handlers: dict[str, Callable[[AmiSession, AmiMessage, Fields], Any]] = {
            "login": self.login, "logoff": self.logoff, "ping": self.ping,
            "events": self.events, "originate": self.originate, "bridge": self.bridge,
            "redirect": self.redirect, "blindtransfer": self.blind_transfer,
            "atxfer": self.atxfer, "hangup": self.hangup, "setvar": self.setvar,
            "getvar": self.getvar, "status": self.status,
            "coreshowchannels": self.core_show_channels, "mixmonitor": self.mixmonitor,
            "stopmixmonitor": self.stop_mixmonitor, "playdtmf": self.play_dtmf,
        }
        self._pending_security: dict[AmiSession, Fields] = {}

    async def handle(self, session: AmiSession, msg: AmiMessage) -> None:
        name = header(msg, "Action")
        aid = header(msg, "ActionID", "\0")
        head: Fields = [("ActionID", aid)] if aid != "\0" else []
        key = name.lower()
        pending = self._pending_security.pop(session, None)
        if pending is not None:
            # ami-01a: the RequestBadFormat of an unknown action shows up only when the
            # client's next action arrives, just before that action's response.
            self._security(session, "RequestBadFormat", pending)
        if not session.authenticated and key not in UNAUTHENTICATED_OK:
            session.send([("Response", "Error"), *head, ("Message", "Permission denied")])
            self._security(session, "RequestNotAllowed", [("RequestType", f"Action: {name}")])
            return
        handler = self._handlers.get(key)
        if handler is None:
            session.send([("Response", "Error"), *head, ("Message",
                          f"Invalid/unknown command: {name}. Use Action: ListCommands "
                          "to show available commands.")])
            # Asterisk reports it after the next response (ami-01a).
            self._pending_security[session] = [("RequestType", f"Action: {name}")]
            return
        result = handler(session, msg, head)
        if asyncio.iscoroutine(result):
            await result

    # --- security events --------------------------------------------------------------

    def _security(self, session: AmiSession, event: str, extra: Fields,
                  severity: str = "Error", version: int = 1) -> None:
        now = self.sim.now()
        fields: Fields = [
            ("EventTV", _tv(now)), ("Severity", severity), ("Service", "AMI"),
            ("EventVersion", version)]
        if event != "RequestBadFormat":
            fields.append(("AccountID", session.username))
        fields += [("SessionID", session.session_id), ("LocalAddress", session.local),
                   ("RemoteAddress", session.remote)]
        fields += extra
        fields.append(("SessionTV", _tv(session.started_at) if session.authenticated
                       else "1970-01-01T00:00:00.000+0000"))
        if event == "RequestBadFormat":
            fields.append(("AccountID", session.username))
        self.sim.emit.event(event, fields, privilege="security,all")

    # --- session actions --------------------------------------------------------------

    def login(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        user, secret = header(msg, "Username"), header(msg, "Secret")
        cfg = self.sim.config
        if user != cfg.username or secret != cfg.secret:
            session.send([("Response", "Error"), *head, ("Message", "Authentication failed")])
            session.username = user
            self._security(session, "InvalidPassword", [], version=2)
            session.close_after_flush()
            session.closed = True
            return
        session.username = user
        session.authenticated = True
        session.started_at = self.sim.now()
        if header(msg, "Events").lower() == "off":
            session.events_on = False
        session.send([("Response", "Success"), *head, ("Message", "Authentication accepted")])
        if session.events_on:
            session.send([("Event", "FullyBooted"), ("Privilege", "system,all"),
                          ("Uptime", self.sim.uptime), ("LastReload", self.sim.uptime),
                          ("Status", "Fully Booted")])
        self._security(session, "SuccessfulAuth", [("UsingPassword", 0)],
                       severity="Informational")

    def logoff(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        session.send([("Response", "Goodbye"), *head, ("Message", "Thanks for all the fish.")])
        session.close_after_flush()
        session.closed = True

    def ping(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        session.send([("Response", "Success"), *head, ("Ping", "Pong"),
                      ("Timestamp", f"{self.sim.now():.6f}")])

    def events(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        on = header(msg, "EventMask", "on").lower() not in ("off", "none", "0", "no")
        session.events_on = on
        session.send([("Response", "Success"), *head, ("Events", "On" if on else "Off")])


def _tv(t: float) -> str:
    d = dt.datetime.fromtimestamp(t, tz=dt.UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+0000"
