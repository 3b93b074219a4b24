"""Attended transfer via AMI ``Atxfer`` with ``[featuremap] atxfer`` set (ami-07c).

The feature code and the target are injected on the transferer as DTMF (``DTMFEnd``
only, ``DurationMs: 0``); the transferer is put on hold (the caller hears MusicOnHold)
and moved into a consultation bridge with ``Local/<exten>@<context>-N;1``, whose ``;2``
half dials the target agent. Then:

* the backend hangs the transferer up (AMI ``Hangup``): the consultation bridge is
  merged into the original one (``BridgeMerge``, ``AttendedTransfer``), the caller's
  MusicOnHold stops and Local optimisation leaves the caller bridged to the target's
  PJSIP channel;
* the consultation leg ends first (target busy, no answer, or hangs up): the
  transferer goes back to the caller (``MusicOnHoldStop``, ``Unhold``). Not recorded on
  the test bed; modelled on Asterisk's bridge code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .channels import UP, Bridge, Channel, Consultation, How
from .dial import dial_from_caller
from .dialplan import refresh_device, stop_moh, terminate
from .local import local_bridge_event, maybe_optimize, mirror_hooks, new_pair

if TYPE_CHECKING:
    from .core import SimCore


def atxfer(sim: SimCore, transferer: Channel, context: str, exten: str) -> None:
    e = sim.emit
    transferee, orig = transferer.peer(), transferer.bridge
    e.varset(transferer, "TRANSFER_CONTEXT", context)
    code = sim.config.atxfer_featuremap or ""
    for digit in code:
        e.dtmf(transferer, digit, 0, begin=False)
    e.chan("Hold", transferer)
    if transferee is not None:
        transferee.moh = True
        e.chan("MusicOnHoldStart", transferee, ("Class", "default"))
    for digit in exten:
        e.dtmf(transferer, digit, 0, begin=False)
    if transferee is None or orig is None:
        return
    pair = new_pair(sim, exten, context, linkedid=transferer.linkedid)
    one, two = pair.one, pair.two
    pair.locked = True
    for half in (one, two):
        e.varset(half, "TRANSFERERNAME", transferer.name)
        e.varset(half, "ATTENDEDTRANSFER", transferer.name)
    consult = sim.new_bridge()
    e.bridge("BridgeCreate", consult, count=0)
    set_cid = (transferer.cid_num, transferer.cid_name)
    two.cid_num, two.cid_name = set_cid
    e.chan("NewCallerid", two, ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)"))
    local_bridge_event(sim, pair)
    one.conn_num, one.conn_name = set_cid
    e.chan("NewConnectedLine", one)
    _enter(sim, consult, one)
    e.varset(one, "ATTENDEDTRANSFER", "")
    orig.channels.remove(transferer)
    transferer.bridge = None
    e.bridge("BridgeLeave", orig, transferer)
    _enter(sim, consult, transferer)
    e.varset(one, "BRIDGEPEER", transferer.name)
    e.varset(transferer, "BRIDGEPEER", one.name)
    state = Consultation(transferer, transferee, orig, consult, pair, transferer.after_bridge)
    _attach(sim, transferer, state)
    # The consultation leg ending first brings the transferer back (cancel path).
    transferer.after_bridge = lambda: _back_to_caller(sim, state)
    one.after_bridge = lambda: terminate(sim, one, 16, "dialplan")

    def answered() -> None:
        if transferer.atxfer is state:
            e.varset(one, "BRIDGEPEER", transferer.name)
            e.varset(transferer, "BRIDGEPEER", one.name)

    def bridged() -> None:
        e.varset(two, "ATTENDEDTRANSFER", "")
        maybe_optimize(sim, pair)  # only after completion (the pair is locked before)

    dial_from_caller(sim, two, exten, mirror_hooks(sim, pair, answered=answered,
                                                   bridged=bridged))


def _attach(sim: SimCore, transferer: Channel, state: Consultation) -> None:
    """``state`` is the transferer's consultation; hanging up completes the transfer
    (not on a core restart). A hook left from an earlier consultation does the same."""
    transferer.atxfer = state

    def hang_up_completes(cause: int, how: How) -> bool:
        return how != "restart" and complete(sim, transferer, cause)

    transferer.hooks.takeover.append(hang_up_completes)


def _enter(sim: SimCore, bridge: Bridge, ch: Channel) -> None:
    bridge.channels.append(ch)
    ch.bridge = bridge
    sim.emit.bridge("BridgeEnter", bridge, ch)


def complete(sim: SimCore, transferer: Channel, cause: int) -> bool:
    """The transferer hangs up during the consultation: merge the bridges so the caller
    talks to the target. Returns False when there is nothing to complete (the caller
    or the consultation leg is gone), and the hangup proceeds normally."""
    state = transferer.atxfer
    if state is None:
        return False
    one, caller = state.pair.one, state.transferee
    if not (caller.alive and one.alive and caller.bridge is state.orig
            and one.bridge is state.consult):
        return False
    e = sim.emit
    transferer.atxfer = None
    transferer.after_bridge = None
    consult, orig = state.consult, state.orig
    e.varset(transferer, "BRIDGEPEER", "")
    consult.channels.remove(transferer)
    transferer.bridge = None
    e.bridge("BridgeLeave", consult, transferer)
    e.varset(transferer, "BRIDGERESULT", "SUCCESS")
    e.event("BridgeMerge", [*orig.fields("ToBridge"), *consult.fields("FromBridge")])
    consult.channels.remove(one)
    one.bridge = None
    e.bridge("BridgeLeave", consult, one)
    _enter(sim, orig, one)
    stop_moh(sim, caller, advance=False)
    e.varset(caller, "BRIDGEPEER", one.name)
    e.varset(one, "BRIDGEPEER", caller.name)
    e.event("AttendedTransfer", [
        ("Result", "Success"), *transferer.snapshot("OrigTransferer"),
        *orig.fields("OrigBridge"), *transferer.snapshot("SecondTransferer"),
        *consult.fields("SecondBridge"), *caller.snapshot("Transferee"),
        *one.snapshot("TransferTarget"), ("IsExternal", "No"), ("DestType", "Bridge"),
        ("DestBridgeUniqueid", orig.uniqueid),
    ])
    e.bridge("BridgeDestroy", consult)
    transferer.alive = False
    e.hangup(transferer, cause)
    sim._kill(transferer)
    refresh_device(sim, transferer.device)
    if one.state == UP:
        caller.conn_num, caller.conn_name = one.cid_num, one.cid_name
        e.chan("NewConnectedLine", caller)
    one.after_bridge = lambda: terminate(sim, one, 16, "dialplan")
    state.pair.locked = False
    maybe_optimize(sim, state.pair)
    return True


def _back_to_caller(sim: SimCore, state: Consultation) -> None:
    """The consultation leg went away: the transferer rejoins the caller."""
    transferer, caller = state.transferer, state.transferee
    transferer.atxfer = None
    if not transferer.alive:
        return
    e = sim.emit
    if not caller.alive or caller.bridge is not state.orig:
        if state.transferer_after is not None:
            state.transferer_after()
        return
    _enter(sim, state.orig, transferer)
    stop_moh(sim, caller, advance=False)
    e.varset(caller, "BRIDGEPEER", transferer.name)
    e.varset(transferer, "BRIDGEPEER", caller.name)
    e.chan("Unhold", transferer)
    if state.transferer_after is not None:
        transferer.after_bridge = state.transferer_after
