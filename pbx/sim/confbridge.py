"""``hotline-conference``: ConfBridge rooms (three-way calls from the console).

No transcript of a real ConfBridge exists in ../shared/asterisk/: the events follow the
Asterisk 22 AMI documentation (ConfbridgeStart / ConfbridgeJoin / ConfbridgeLeave /
ConfbridgeEnd, each with ``Conference`` and the ``Bridge*`` block; Join and Leave add the
channel snapshot and ``Admin``, Join also ``Muted``) and app_confbridge's code paths:

* the room's bridge is a ``base`` bridge, technology ``softmix``, creator ``ConfBridge``,
  named after the room; it does NOT take the joining channel's Linkedid (only basic
  bridges propagate it), so a third party keeps its own;
* order on join: (BridgeCreate, ConfbridgeStart for the first user), ConfbridgeJoin,
  BridgeEnter; on leave: BridgeLeave, ConfbridgeLeave, (ConfbridgeEnd, BridgeDestroy for
  the last user);
* the dialplan (asterisk_conf) runs ``ConfBridge(${HOTLINE_CONF},hotline_bridge,<user>)``
  where exten ``s`` uses the *marked* profile (caller and agent) and exten ``guest`` the
  ``endmarked`` one (third party): when the last marked user leaves, the guests are
  kicked and continue at the next priority, ``Hangup()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .channels import Channel, ConferenceState, How
from .dialplan import refresh_device, terminate

if TYPE_CHECKING:
    from .core import SimCore

CONTEXT = "hotline-conference"
BRIDGE_PROFILE = "hotline_bridge"
PROFILES = {"s": "hotline_party", "guest": "hotline_guest"}  # exten -> user profile


def enter(sim: SimCore, ch: Channel, exten: str) -> None:
    """The channel runs ``hotline-conference,<exten>,1``."""
    e = sim.emit
    room = ch.vars.get("HOTLINE_CONF", "")
    e.newexten(ch, 1, "NoOp", f"Conference {room} for {ch.name}", context=CONTEXT, exten=exten)
    profile = PROFILES.get(exten)
    if profile is None or not room:
        # Unknown extension, or ConfBridge() without a room name: it fails at once.
        terminate(sim, ch, 0 if profile is None else 16, "dialplan")
        return
    e.newexten(ch, 2, "ConfBridge", f"{room},{BRIDGE_PROFILE},{profile}")
    state = _state(sim, ch)
    state.marked = exten == "s"
    bridge = sim.conferences.get(room)
    if bridge is None:
        bridge = sim.new_bridge()
        bridge.type, bridge.technology, bridge.creator, bridge.name = (
            "base", "softmix", "ConfBridge", room)
        sim.conferences[room] = bridge
        e.bridge("BridgeCreate", bridge, count=0)
        e.event("ConfbridgeStart", [("Conference", room), *bridge.fields()])
    e.event("ConfbridgeJoin", [("Conference", room), *bridge.fields(), *ch.snapshot(),
                               ("Admin", "No"), ("Muted", "No")])
    bridge.channels.append(ch)
    ch.bridge = bridge
    state.room = room
    e.bridge("BridgeEnter", bridge, ch)
    refresh_device(sim, ch.device)


def _state(sim: SimCore, ch: Channel) -> ConferenceState:
    """``ch``'s conference state; the first time, its hang-up hook: a member that hangs
    up leaves its room, and the guests kicked because of it hang up after it."""
    if ch.conference is None:
        ch.conference = ConferenceState()

        def member_leaves(cause: int, how: How) -> None:
            if not in_conference(ch):
                return
            kicked = leave(sim, ch)
            if kicked:
                ch.hooks.last.append(lambda cause, how: _hang_up_kicked(sim, kicked))

        ch.hooks.leaving.append(member_leaves)
    return ch.conference


def _hang_up_kicked(sim: SimCore, kicked: list[Channel]) -> None:
    for guest in kicked:
        after_kick(sim, guest)


def in_conference(ch: Channel) -> bool:
    return ch.conference is not None and ch.conference.room is not None and ch.bridge is not None


def leave(sim: SimCore, ch: Channel) -> list[Channel]:
    """``ch`` leaves its room (hang-up). Returns the guests kicked because the last
    marked user left; the caller of this function hangs them up after ``ch``."""
    e = sim.emit
    state = ch.conference
    room = state.room if state is not None else None
    if state is not None:
        state.room = None
    bridge = ch.bridge
    if room is None or bridge is None:
        return []
    bridge.channels.remove(ch)
    ch.bridge = None
    e.bridge("BridgeLeave", bridge, ch)
    e.event("ConfbridgeLeave", [("Conference", room), *bridge.fields(), *ch.snapshot(),
                                ("Admin", "No")])
    kicked: list[Channel] = []
    if not any(c.conference is not None and c.conference.marked for c in bridge.channels):
        for guest in list(bridge.channels):
            bridge.channels.remove(guest)
            guest.bridge = None
            if guest.conference is not None:
                guest.conference.room = None
            e.bridge("BridgeLeave", bridge, guest)
            e.event("ConfbridgeLeave", [("Conference", room), *bridge.fields(),
                                        *guest.snapshot(), ("Admin", "No")])
            kicked.append(guest)
    if not bridge.channels:
        e.event("ConfbridgeEnd", [("Conference", room), *bridge.fields()])
        e.bridge("BridgeDestroy", bridge)
        sim.conferences.pop(room, None)
    return kicked


def after_kick(sim: SimCore, guest: Channel) -> None:
    """A kicked guest continues at priority 3: ``Hangup()``."""
    if guest.alive:
        sim.emit.newexten(guest, 3, "Hangup")
        terminate(sim, guest, 16, "dialplan")
