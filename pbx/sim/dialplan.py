"""Emulation of the hotline dialplan (``hotline-in``, ``hotline-wait``) for inbound
callers, the scripted caller's timers and hold (ami-12), bridging, and how every kind of
channel ends (the Cause rules of the README; the features attached to a channel take
part through the channel's :class:`~pbx.sim.channels.HangupHooks`).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from . import cdr
from .channels import RING, UP, Channel, Continuation, HangupHooks, How
from .config import CallerScript
from .ivr import fake_ivr, run_ivr

if TYPE_CHECKING:
    from .core import SimCore


def trunk_device(sim: SimCore) -> str:
    return f"PJSIP/{sim.config.trunk}"


def refresh_device(sim: SimCore, device: str) -> None:
    """Agents: NOT_INUSE → RINGING → INUSE (ONHOLD) → NOT_INUSE; the trunk has no
    contact, so it goes INUSE → UNAVAILABLE."""
    chans = [c for c in sim.channels.values() if c.device == device and c.alive]
    if device == trunk_device(sim):
        up = any(c.state == UP for c in chans)
        if up:
            sim.emit.device("PJSIP/" + sim.config.trunk, "INUSE")
        elif not chans:
            sim.emit.device(device, "UNAVAILABLE")
        return
    if any(c.state == UP for c in chans):
        peer_held = any((p := c.peer()) is not None and p.held for c in chans)
        sim.emit.device(device, "ONHOLD" if peer_held else "INUSE")
    elif any(c.state == 5 for c in chans):
        sim.emit.device(device, "RINGING")
    else:
        sim.emit.device(device, "NOT_INUSE")


def start_inbound_call(sim: SimCore, script: CallerScript) -> Channel:
    now = sim.now()
    uid = sim.ids.uniqueid(now)
    ch = Channel(
        name=f"PJSIP/{sim.config.trunk}-{sim.ids.channel_suffix()}", uniqueid=uid,
        linkedid=uid, device=trunk_device(sim), role="caller", created_at=now, state=RING,
        cid_num=script.caller_num, cid_name=script.caller_name, context="hotline-in",
        exten=script.dnid, dnid=script.dnid, endpoint=sim.config.trunk,
    )
    ch.caller.script = script
    sim.add_channel(ch)
    sim.emit.chan("Newchannel", ch)
    sim.emit.varset(ch, "SIPDOMAIN", "127.0.0.1")
    sim.spawn(_inbound(sim, ch, script), ch)
    return ch


async def _inbound(sim: SimCore, ch: Channel, script: CallerScript) -> None:
    e = sim.emit
    e.newexten(ch, 1, "NoOp", f'Hotline call from "{ch.cid_name}" <{ch.cid_num}> to {ch.exten}')
    e.newexten(ch, 2, "Answer")
    e.newstate(ch, UP)
    refresh_device(sim, ch.device)
    url = f"agi://{sim.config.agi_host}:{sim.config.agi_port}/ivr"
    e.newexten(ch, 3, "AGI", f"{url},lang={script.lang}")
    if script.ivr_hangup_after_s is not None:
        sim.later(ch, script.ivr_hangup_after_s, terminate, sim, ch, 16, "bye")
    if sim.config.skip_ivr:
        status = await fake_ivr(sim, ch, script)
    else:
        status = await run_ivr(sim, ch, script, url)
    if not ch.alive:
        return
    e.varset(ch, "AGISTATUS", status)
    choice = ch.vars.get("IVR_CHOICE", "")
    e.newexten(ch, 4, "NoOp", f"AGISTATUS={status} IVR_CHOICE={choice}")
    ok = status == "SUCCESS"
    e.newexten(ch, 5, "GotoIf", f"{1 if ok else 0}?hotline-wait,s,1")
    if not ok:
        e.newexten(ch, 6, "Hangup")
        terminate(sim, ch, 16, "dialplan")
        return
    enter_wait(sim, ch)


def enter_wait(sim: SimCore, ch: Channel) -> None:
    """``hotline-wait``: NoOp, then MusicOnHold(default,600) until patience runs out."""
    e = sim.emit
    e.newexten(ch, 1, "NoOp", f"Waiting for an agent: {ch.name}", context="hotline-wait",
               exten="s")
    e.newexten(ch, 2, "MusicOnHold", "default,600")
    ch.moh = True
    e.chan("MusicOnHoldStart", ch, ("Class", "default"))
    state = ch.caller
    if state.script is not None:
        state.patience = sim.later(ch, state.script.patience_s, _abandon, sim, ch)
    state.moh_timeout = sim.later(ch, 600.0, _moh_timeout, sim, ch)


def _abandon(sim: SimCore, ch: Channel) -> None:
    if ch.alive and ch.moh:
        terminate(sim, ch, 0, "bye")


def _moh_timeout(sim: SimCore, ch: Channel) -> None:
    if ch.alive and ch.moh:
        stop_moh(sim, ch)
        sim.emit.newexten(ch, 3, "Hangup")
        terminate(sim, ch, 16, "dialplan")


def stop_moh(sim: SimCore, ch: Channel, advance: bool = True) -> None:
    """Stop MusicOnHold; ``advance``: the application returned (pulled into a bridge),
    so the channel sits at the next priority, unlike a hangup during MOH (ami-05)."""
    if ch.moh:
        ch.moh = False
        sim.emit.chan("MusicOnHoldStop", ch)
        state = ch.caller
        for handle in (state.patience, state.moh_timeout):
            if handle is not None:
                handle.cancel()
        state.patience = state.moh_timeout = None
        if advance and ch.context == "hotline-wait":
            # MusicOnHold() returned: the channel sits at the next priority.
            ch.priority, ch.app, ch.app_data = ch.priority + 1, "", ""


# --- ending a channel ---------------------------------------------------------------

def terminate(sim: SimCore, ch: Channel, cause: int, how: How) -> None:
    """End ``ch``. ``how``: ``bye`` (the phone hung up), ``ami`` (Hangup action),
    ``restart`` (core restart; SoftHangupRequest 4 already sent), ``dialplan``
    (Hangup() application). Events follow ami-05/02a/09/11."""
    if not ch.alive:
        return
    e = sim.emit
    hooks = ch.hooks
    in_dial_bridge = ch.dial is not None and ch.dial.peer is not None and ch.bridge is not None
    if how == "bye":
        # A caller bridged by its own Dial() reports Cause 16 (ami-07a/07b).
        e.hangup_request(ch, 16 if in_dial_bridge else None)
    if any(take(cause, how) for take in list(hooks.takeover)):
        return
    if ch.moh:
        stop_moh(sim, ch, advance=False)
        e.soft_hangup_request(ch, 16)
    elif how == "ami" and (ch.bridge is not None or ch.app in ("Wait", "AGI")):
        e.soft_hangup_request(ch, 16)
    HangupHooks.run(hooks.leaving, cause, how)
    peer_cont = None
    if ch.bridge is not None:
        peer_cont = leave_bridge(sim, ch)
        if in_dial_bridge and how == "bye":
            e.soft_hangup_request(ch, 16)
    HangupHooks.run(hooks.unbridged, cause, how)
    ch.alive = False
    # ami-13: the caller's Cdr comes just before its Hangup, an agent leg's after it
    cdr_first = ch.role == "caller"
    if how == "restart" or peer_cont is None:
        if cdr_first:
            send_cdr(sim, ch)
        e.hangup(ch, cause)
    else:
        # The peer's dialplan reacts first when the bridge breaks (ami-02a: agent
        # Hangup before the caller's; other runs differ, see README).
        peer_cont()
        if cdr_first:
            send_cdr(sim, ch)
        e.hangup(ch, cause)
        peer_cont = None
    sim._kill(ch)
    HangupHooks.run(hooks.gone, cause, how)
    refresh_device(sim, ch.device)
    if not cdr_first:
        send_cdr(sim, ch)
    HangupHooks.run(hooks.last, cause, how)


def send_cdr(sim: SimCore, ch: Channel) -> None:
    """Emit ``ch``'s CDRs now, if CDRs are on."""
    if not sim.cdr:
        return
    for fields in cdr.records(ch, sim.now()):
        sim.emit.event("Cdr", fields, privilege="cdr,all")


def leave_bridge(sim: SimCore, ch: Channel) -> Continuation | None:
    """``ch`` leaves its two-party bridge; the peer leaves too and the bridge is
    destroyed. Returns the peer's continuation (what its dialplan does next)."""
    bridge = ch.bridge
    assert bridge is not None
    e = sim.emit
    peer = ch.peer()
    for c in list(bridge.channels):
        e.varset(c, "BRIDGEPEER", "")
    bridge.channels.remove(ch)
    ch.bridge = None
    e.bridge("BridgeLeave", bridge, ch)
    if peer is None:
        e.bridge("BridgeDestroy", bridge)
        return None
    bridge.channels.remove(peer)
    peer.bridge = None
    e.bridge("BridgeLeave", bridge, peer)
    e.bridge("BridgeDestroy", bridge)
    cont, peer.after_bridge, ch.after_bridge = peer.after_bridge, None, None
    if cont is None:
        return None

    def run() -> None:
        if peer.alive:
            cont()

    return run


def after_bridge_hangup_caller(sim: SimCore, ch: Channel) -> None:
    """A caller pulled out of MusicOnHold continues at hotline-wait,s,3: Hangup()."""
    sim.emit.newexten(ch, ch.priority, "Hangup")
    sim.emit.soft_hangup_request(ch, 16)
    terminate(sim, ch, 16, "dialplan")


def caller_bridged(sim: SimCore, ch: Channel) -> None:
    """Arm the caller script's timers once the caller talks to someone."""
    state = ch.caller
    script = state.script
    if script is None:
        return
    if script.talk_time_s is not None:
        state.talk = sim.later(ch, script.talk_time_s, _caller_done, sim, ch)
    if script.hold_after_s is not None and not state.held_once:
        state.held_once = True
        sim.later(ch, script.hold_after_s, caller_hold, sim, ch, script.hold_for_s)


def _caller_done(sim: SimCore, ch: Channel) -> None:
    with contextlib.suppress(KeyError):
        if ch.alive:
            terminate(sim, ch, 16, "bye")


def caller_hold(sim: SimCore, ch: Channel, hold_for_s: float) -> None:
    """re-INVITE sendonly from the caller: Hold on the caller, MOH on the other party."""
    peer = ch.peer()
    if not ch.alive or peer is None:
        return
    e = sim.emit
    ch.held = True
    e.chan("Hold", ch, ("MusicClass", "default"))
    refresh_device(sim, peer.device)
    e.chan("MusicOnHoldStart", peer, ("Class", "default"))
    sim.later(ch, hold_for_s, _unhold, sim, ch, peer)


def _unhold(sim: SimCore, ch: Channel, peer: Channel) -> None:
    if not ch.alive:
        return
    e = sim.emit
    ch.held = False
    if peer.alive:
        e.chan("MusicOnHoldStop", peer)
        refresh_device(sim, peer.device)
    e.chan("Unhold", ch)
