"""10,000 random and garbage frames at the AMI protocol over a real socket."""

from __future__ import annotations

import random

from ami_replay import Expect, Send
from ami_rig import login_script

from pbx.ami.actions import Ping

KEYS = ["Event", "Response", "ActionID", "Uniqueid", "Linkedid", "Channel", "Cause", "Variable",
        "Value", "BridgeUniqueid", "DestUniqueid", "Timestamp", "Reason", "DurationMs", "Digit"]
# (no Shutdown: that one rightly closes the link and reconnects)
EVENTS = ["Newchannel", "Hangup", "BridgeEnter", "BridgeLeave", "VarSet", "DialBegin", "DialEnd",
          "OriginateResponse", "Newstate", "DTMFEnd", "CoreShowChannel", "Hold",
          "AttendedTransfer", "BlindTransfer", "ChanSpyStart", "MixMonitorStart", "FullyBooted"]


def garbage_frame(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:  # raw random bytes, maybe with separators
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))) + b"\r\n\r\n"
    if kind == 1:  # lines without "Key: Value"
        return b"no colon here\r\n" * rng.randrange(1, 4) + b"\r\n"
    if kind == 2:  # invalid UTF-8 inside a plausible event
        return b"Event: Newchannel\r\nCallerIDName: \xe5\xbc\r\nUniqueid: \xff\xfe\r\n\r\n"
    lines = []
    if kind != 5:
        lines.append(f"Event: {rng.choice(EVENTS)}")
    for _ in range(rng.randrange(0, 8)):
        value = rng.choice(["", "16", "x", "<unknown>", "1.1", "1.2", "-1", "张安娜", "a: b", "9" * 40])
        lines.append(f"{rng.choice(KEYS)}: {value}")
    if kind == 5:  # a response nobody waits for
        lines.insert(0, "Response: Success")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def test_ten_thousand_garbage_frames_never_escape(rig_factory):
    rng = random.Random(20261122)
    blob = b"".join(garbage_frame(rng) for _ in range(10_000))
    failures: list[BaseException] = []
    pong = Send(b"Response: Success\r\nActionID: p1\r\nPing: Pong\r\n\r\n")
    rig = await rig_factory([login_script(Send(blob), Expect("Ping", "p1"), pong)],
                            server_kw={"chunk_size": 977})
    feed = rig.tracker.feed

    def guarded(msg):
        try:
            feed(msg)
        except Exception as exc:  # the tracker must digest anything
            failures.append(exc)

    rig.client.on_event = guarded
    await rig.client.connect()
    await rig.client.execute(Ping(), within=10)
    assert not failures, failures[:3]
    proto = rig.client.protocol
    assert proto.frame_errors > 1000 and proto.events_received > 1000
    assert rig.client.connected
