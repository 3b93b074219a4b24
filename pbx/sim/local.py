"""Local channels ``Local/<exten>@hotline-agent-dial``: the ``;1``/``;2`` pair, the
``;2`` half's ``Dial(PJSIP/agent<exten>,30)`` and Local optimisation (ami-02b, ami-07c).

A pair is two channels joined back to back: what is dialled on ``;2`` shows up on
``;1`` (ringing, answer). Once each half sits in a bridge, Asterisk optimises the pair
away: the channel beside one half moves into the other half's bridge (``BridgeEnter``
with ``SwapUniqueid``) and both halves hang up, so the caller ends up bridged to
``PJSIP/agentNNNN`` directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .channels import DOWN, RING, RINGING, UP, Bridge, Channel, How, LocalPair
from .dial import DialHooks, Hook, forget
from .dialplan import refresh_device, terminate

if TYPE_CHECKING:
    from .core import SimCore

OPTIMIZE_AFTER_S = 0.06  # ami-02b: the swap came ~60 ms after both halves were bridged
DIAL_CONTEXT = "hotline-agent-dial"


def parse_local(dial: str) -> tuple[str, str] | None:
    """``Local/1001@hotline-agent-dial[/n]`` → ("1001", "hotline-agent-dial")."""
    if not dial.startswith("Local/"):
        return None
    body = dial[len("Local/"):].split("/", 1)[0]
    exten, _, context = body.partition("@")
    if not exten or not context:
        return None
    return exten, context


def new_pair(sim: SimCore, exten: str, context: str, linkedid: str | None = None,
             *, originated: bool = False) -> LocalPair:
    """Create ``;1`` (Down) and ``;2`` (Ring); both share ``;1``'s Linkedid unless one is
    given (a transfer target inherits the transferer's)."""
    now = sim.now()
    base = f"Local/{exten}@{context}-{sim.ids.local_suffix()}"
    halves = []
    for n, state in ((1, DOWN), (2, RING)):
        uid = sim.ids.uniqueid(now)
        linkedid = linkedid or uid
        ch = Channel(name=f"{base};{n}", uniqueid=uid, linkedid=linkedid,
                     device=f"Local/{exten}@{context}", role="local", created_at=now,
                     state=state, cid_num="<unknown>", cid_name="<unknown>",
                     context=context, exten=exten)
        sim.add_channel(ch)
        halves.append(ch)
    pair = LocalPair(halves[0], halves[1], context, exten, originated=originated)
    for ch in halves:
        _attach(sim, ch, pair)
        sim.emit.chan("Newchannel", ch)
    return pair


def local_bridge_event(sim: SimCore, pair: LocalPair) -> None:
    sim.emit.event("LocalBridge", [*pair.one.snapshot("LocalOne"),
                                   *pair.two.snapshot("LocalTwo"), ("Context", pair.context),
                                   ("Exten", pair.exten), ("LocalOptimization", "Yes")])


def set_callerid(sim: SimCore, ch: Channel, num: str, name: str) -> None:
    ch.cid_num, ch.cid_name = num, name
    sim.emit.chan("NewCallerid", ch, ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)"))


def mirror_hooks(sim: SimCore, pair: LocalPair, *, answering: Hook | None = None,
                 answered: Hook | None = None, bridged: Hook | None = None) -> DialHooks:
    """``;1`` reflects what the ``;2`` half's Dial() sees: ringing, then answer."""
    one, two = pair.one, pair.two
    e = sim.emit

    def ringing() -> None:
        phone = two.dial.dialing if two.dial is not None else None
        e.newstate(one, RINGING)
        if phone is not None:
            set_callerid(sim, one, phone.cid_num, phone.cid_name)
        e.dial("DialState", None, one, ("DialStatus", "RINGING"))

    def on_answer() -> None:
        e.newstate(one, UP)
        e.dial("DialEnd", None, one, ("DialStatus", "ANSWER"))
        if answered is not None:
            answered()
        e.newstate(two, UP)

    return DialHooks(ringing=ringing, answering=answering, answered=on_answer,
                     bridged=bridged)


def _attach(sim: SimCore, ch: Channel, pair: LocalPair) -> None:
    ch.local = pair

    def half_gone(cause: int, how: How) -> None:
        _half_gone(sim, ch, pair)

    ch.hooks.gone.append(half_gone)


def _half_gone(sim: SimCore, ch: Channel, pair: LocalPair) -> None:
    """One half hung up (not by optimisation): the other half follows, once the pair's
    owner has done its part (``LocalPair.on_teardown``)."""
    if pair.gone:
        return
    other = pair.other(ch)
    if pair.on_teardown is not None:
        pair.on_teardown()
    if other.alive:
        sim.emit.hangup_request(other, 16)
        terminate(sim, other, 16, "dialplan")


# --- optimisation ------------------------------------------------------------------------

def maybe_optimize(sim: SimCore, pair: LocalPair) -> None:
    """Schedule the optimisation once both halves are bridged to someone."""
    one, two = pair.one, pair.two
    if pair.locked or pair.gone or not (one.alive and two.alive):
        return
    if one.peer() is None or two.peer() is None:
        return
    sim.later(one, OPTIMIZE_AFTER_S, optimize, sim, pair)


def optimize(sim: SimCore, pair: LocalPair) -> None:
    one, two = pair.one, pair.two
    if pair.locked or pair.gone or not (one.alive and two.alive):
        return
    swapped, other = (one, two) if pair.originated else (two, one)
    source, remaining = other.peer(), swapped.peer()
    from_b, to_b = other.bridge, swapped.bridge
    if source is None or remaining is None or from_b is None or to_b is None:
        return
    e = sim.emit
    pair.gone = True
    opt_id = sim.ids.optimization_id()
    caller, agent = (source, remaining) if source.role == "caller" else (remaining, source)
    if caller.role == "caller" and (caller.conn_num, caller.conn_name) != (agent.cid_num, agent.cid_name):
        caller.conn_num, caller.conn_name = agent.cid_num, agent.cid_name
        e.chan("NewConnectedLine", caller)
    e.event("LocalOptimizationBegin", [*one.snapshot("LocalOne"), *two.snapshot("LocalTwo"),
                                       *source.snapshot("Source"),
                                       ("DestUniqueId", two.uniqueid), ("Id", opt_id)])
    _leave(sim, from_b, source)
    e.varset(swapped, "BRIDGEPEER", "")
    _leave(sim, to_b, swapped)
    source.linkedid = _oldest(source.linkedid, remaining.linkedid)
    to_b.channels.append(source)
    source.bridge = to_b
    e.event("BridgeEnter", [*to_b.fields(), *source.snapshot(),
                            ("SwapUniqueid", swapped.uniqueid)])
    e.varset(caller, "BRIDGEPEER", agent.name)
    e.varset(agent, "BRIDGEPEER", caller.name)
    e.varset(other, "BRIDGEPEER", "")
    e.event("LocalOptimizationEnd", [*one.snapshot("LocalOne"), *two.snapshot("LocalTwo"),
                                     ("Success", "No"), ("Id", opt_id)])
    _leave(sim, from_b, other)
    for half in (one, two):
        forget(half)
    if pair.originated:
        # ami-02b: ;2's Dial() ends, ;1's Bridge() returns SUCCESS.
        e.soft_hangup_request(two, 16)
        e.hangup_request(one, 16)
        _gone(sim, two, 16)
        e.bridge("BridgeDestroy", from_b)
        e.varset(one, "BRIDGERESULT", "SUCCESS")
        e.soft_hangup_request(one, 16)
        _gone(sim, one, 16)
    else:
        # ami-07c: ;1 (the transfer target) goes at once, ;2's Dial() ends after.
        e.hangup_request(two, 16)
        _gone(sim, one, 16)
        e.soft_hangup_request(two, 16)
        _gone(sim, two, 16)
        e.bridge("BridgeDestroy", from_b)


def _leave(sim: SimCore, bridge: Bridge, ch: Channel) -> None:
    bridge.channels.remove(ch)
    ch.bridge = None
    sim.emit.bridge("BridgeLeave", bridge, ch)


def _gone(sim: SimCore, ch: Channel, cause: int) -> None:
    ch.alive = False
    sim.emit.hangup(ch, cause)
    sim._kill(ch)
    refresh_device(sim, ch.device)


def _oldest(a: str, b: str) -> str:
    """Asterisk keeps the oldest Linkedid when two call trees join."""
    def key(uid: str) -> tuple[int, int]:
        sec, _, seq = uid.partition(".")
        return (int(sec), int(seq or 0)) if sec.isdigit() else (2**62, 0)

    return min(a, b, key=key)
