"""Test rig for the AMI client: recording bus, tracker, client to a replay server."""

from __future__ import annotations

import random

from ami_replay import Expect, ReplayServer, Send, Step

from hotline.clock import ManualClock
from hotline.events import Event, EventBus
from hotline.settings import Settings
from pbx.ami.client import AmiClient
from pbx.tracker import CallTracker


class Rig:
    """A bus that records everything, a tracker, and a client to a replay server."""

    def __init__(self, server: ReplayServer, port: int, **client_kw: object) -> None:
        self.server = server
        self.bus = EventBus()
        self.seen: list[Event] = []
        self.bus.subscribe(Event, self.seen.append)
        self.tracker = CallTracker(self.bus, ManualClock())
        self.settings = Settings(ami_host="127.0.0.1", ami_port=port, ami_connect_timeout=2.0,
                                 ami_reconnect_max_delay=0.2)
        self.client = AmiClient(self.settings, self.bus, ManualClock(), on_event=self.tracker.feed,
                                rng=random.Random(7), **client_kw)  # type: ignore[arg-type]

    def of(self, cls: type) -> list:
        return [e for e in self.seen if isinstance(e, cls)]


def login_script(*after: Step) -> list[Step]:
    """Banner, Login accepted, FullyBooted, then ``after``."""
    return [
        Send(b"Asterisk Call Manager/11.0.0\r\n"),
        Expect("Login", "login-1"),
        Send(b"Response: Success\r\nActionID: login-1\r\nMessage: Authentication accepted\r\n\r\n"),
        Send(b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 276\r\nLastReload: 276\r\n"
             b"Status: Fully Booted\r\n\r\n"),
        *after,
    ]
