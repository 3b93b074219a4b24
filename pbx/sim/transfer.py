"""Redirect (ami-07a) and BlindTransfer (ami-07b). Atxfer (ami-07c) is in atxfer.py; the
caller's hold/unhold re-INVITE (ami-12) is the caller script's, in dialplan.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .agent_dialplan import end_wait, run_agent_context
from .channels import Channel
from .dial import dial_from_caller
from .dialplan import enter_wait, stop_moh, terminate

if TYPE_CHECKING:
    from .core import SimCore


def _goto(sim: SimCore, ch: Channel, context: str, exten: str) -> None:
    if context == "hotline-agent-dial" and exten.startswith("100"):
        dial_from_caller(sim, ch, exten)
    elif context == "hotline-wait":
        enter_wait(sim, ch)
    elif context == "hotline-announce":
        _announce(sim, ch)
    elif context == "hotline-voicemail":
        _voicemail(sim, ch)
    elif context in ("hotline-agent", "hotline-conference"):
        run_agent_context(sim, ch, context, exten)
    else:
        terminate(sim, ch, 16, "dialplan")


VOICEMAIL_S = 10.0


def _voicemail(sim: SimCore, ch: Channel) -> None:
    """``hotline-voicemail``: the FastAGI voicemail route records a message for
    HOTLINE_QUEUE; the scripted caller speaks for VOICEMAIL_S, then hangs up."""
    e = sim.emit
    queue = ch.vars.get("HOTLINE_QUEUE", "")
    call = ch.vars.get("HOTLINE_CALL_ID", "")
    e.newexten(ch, 1, "NoOp", f"Voicemail for queue {queue} call {call}",
               context="hotline-voicemail", exten="s")
    url = f"agi://{sim.config.agi_host}:{sim.config.agi_port}/voicemail"
    e.newexten(ch, 2, "AGI", f"{url},call={call},queue={queue},lang={ch.language}")
    sim.later(ch, VOICEMAIL_S, terminate, sim, ch, 16, "bye")


ANNOUNCE_S = 3.0


def _announce(sim: SimCore, ch: Channel) -> None:
    """``hotline-announce``: say HOTLINE_POSITION and HOTLINE_EWT, then back to
    ``hotline-wait`` (a caller bridged meanwhile stays bridged)."""
    e = sim.emit
    e.newexten(ch, 1, "SayNumber", ch.vars.get("HOTLINE_POSITION", ""), context="hotline-announce",
               exten="s")
    e.newexten(ch, 2, "SayNumber", ch.vars.get("HOTLINE_EWT", ""), context="hotline-announce",
               exten="s")

    def back() -> None:
        if ch.alive and ch.bridge is None and ch.context == "hotline-announce":
            e.newexten(ch, 3, "Goto", "hotline-wait,s,1", context="hotline-announce", exten="s")
            enter_wait(sim, ch)

    sim.later(ch, ANNOUNCE_S, back)


def _detach(sim: SimCore, ch: Channel, context: str, exten: str) -> Channel | None:
    """Take ``ch`` out of its bridge (peer follows, bridge destroyed) or out of
    MusicOnHold, positioned at ``context,exten,1``. Returns the former peer."""
    e = sim.emit
    stop_moh(sim, ch)
    end_wait(ch)  # parked in hotline-agent,hold: Wait() interrupted
    ch.context, ch.exten, ch.priority = context, exten, 1
    bridge = ch.bridge
    if bridge is None:
        return None
    peer = ch.peer()
    bridge.channels.remove(ch)
    ch.bridge = None
    e.bridge("BridgeLeave", bridge, ch)
    ch.after_bridge = None
    if peer is not None:
        bridge.channels.remove(peer)
        peer.bridge = None
        e.bridge("BridgeLeave", bridge, peer)
    e.bridge("BridgeDestroy", bridge)
    return peer


def _peer_continues(peer: Channel | None) -> None:
    if peer is not None and peer.alive:
        cont, peer.after_bridge = peer.after_bridge, None
        if cont is not None:
            cont()


def redirect(sim: SimCore, ch: Channel, context: str, exten: str) -> None:
    peer = _detach(sim, ch, context, exten)
    _peer_continues(peer)
    _goto(sim, ch, context, exten)


def dual_redirect(sim: SimCore, ch: Channel, context: str, exten: str, extra: Channel,
                  extra_context: str, extra_exten: str) -> None:
    """Redirect with ExtraChannel: both channels leave at once, so when they share a
    bridge neither sees the other hang up (app Bridge() is interrupted, no BRIDGERESULT)
    and the bridge is destroyed; then each runs its own target. No transcript: inferred
    from manager.c (both channels get an async goto) and the single Redirect of ami-07a."""
    e = sim.emit
    bridge = ch.bridge
    if bridge is not None and extra.bridge is bridge and len(bridge.channels) == 2:
        for c in (ch, extra):
            stop_moh(sim, c)
            bridge.channels.remove(c)
            c.bridge = None
            c.after_bridge = None
            e.bridge("BridgeLeave", bridge, c)
        e.bridge("BridgeDestroy", bridge)
        for c, ctx, ext in ((ch, context, exten), (extra, extra_context, extra_exten)):
            end_wait(c)
            c.context, c.exten, c.priority = ctx, ext, 1
    else:
        peer = _detach(sim, ch, context, exten)
        if peer is not extra:
            _peer_continues(peer)
        peer2 = _detach(sim, extra, extra_context, extra_exten)
        if peer2 is not ch:
            _peer_continues(peer2)
    _goto(sim, ch, context, exten)
    if extra.alive:
        _goto(sim, extra, extra_context, extra_exten)


def blind_transfer(sim: SimCore, transferer: Channel, context: str, exten: str) -> str | None:
    """``Channel`` is the transferer; its bridge peer goes to ``context,exten``.
    Returns an error message, or None on success."""
    transferee = transferer.peer()
    if transferee is None or transferer.bridge is None:
        return "Transfer failed"
    e = sim.emit
    bridge = transferer.bridge
    e.chan("Unhold", transferer)
    e.varset(transferer, "BLINDTRANSFER", transferee.name)
    e.varset(transferee, "BLINDTRANSFER", transferer.name)
    e.event("BlindTransfer", [
        ("Result", "Success"), *transferer.snapshot("Transferer"),
        *transferee.snapshot("Transferee"), *bridge.fields(),
        ("IsExternal", "Yes"), ("Context", context), ("Extension", exten),
    ])
    bridge.channels.remove(transferer)
    transferer.bridge = None
    e.bridge("BridgeLeave", bridge, transferer)
    transferee.context, transferee.exten, transferee.priority = context, exten, 1
    bridge.channels.remove(transferee)
    transferee.bridge = None
    e.bridge("BridgeLeave", bridge, transferee)
    transferee.after_bridge = None
    e.bridge("BridgeDestroy", bridge)
    _peer_continues(transferer)
    _goto(sim, transferee, context, exten)
    return None
