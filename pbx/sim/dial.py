"""The dialplan ``Dial(PJSIP/agentNNNN,30)`` of ``hotline-agent-dial`` (ami-07a/07b), the
agent legs it and AMI Originate create, and the two-party bridge an agent leg joins with
``Bridge()`` (ami-02a/06b)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import cdr
from .channels import DOWN, RINGING, UP, Bridge, Channel, DialState, How
from .dialplan import (
    after_bridge_hangup_caller,
    caller_bridged,
    refresh_device,
    stop_moh,
    terminate,
)

if TYPE_CHECKING:
    from .core import SimCore

Hook = Callable[[], None]


@dataclass(frozen=True, slots=True)
class DialHooks:
    """What the calling side does at each step of its ``Dial()`` (used by the ``;2``
    half of a Local pair, whose ``;1`` half mirrors the dialled phone: ami-02b/07c).
    ``ringing``: after DialState RINGING; ``answering``: first thing on answer;
    ``answered``: after DialEnd ANSWER; ``bridged``: once caller and phone are joined."""

    ringing: Hook | None = None
    answering: Hook | None = None
    answered: Hook | None = None
    bridged: Hook | None = None


def _run(hook: Hook | None) -> None:
    if hook is not None:
        hook()


def new_agent_channel(sim: SimCore, endpoint: str, linkedid: str | None = None,
                      uniqueid: str | None = None) -> Channel:
    phone = sim.phones[endpoint]
    now = sim.now()
    uid = uniqueid or sim.ids.uniqueid(now)
    ch = Channel(
        name=f"PJSIP/{endpoint}-{sim.ids.channel_suffix()}", uniqueid=uid,
        linkedid=linkedid or uid, device=f"PJSIP/{endpoint}", role="agent", created_at=now,
        state=DOWN, cid_num=phone.extension, cid_name=phone.callerid_name,
        context="from-agents", exten="s", endpoint=endpoint,
    )
    sim.add_channel(ch)
    sim.emit.chan("Newchannel", ch)
    return ch


def ring(sim: SimCore, caller: Channel | None, ch: Channel) -> None:
    # Originated leg: DialState then Newstate (ami-02a; other runs swap them);
    # dialplan Dial: Newstate, device RINGING, then DialState (ami-07a).
    if caller is None:
        sim.emit.dial("DialState", None, ch, ("DialStatus", "RINGING"))
        sim.emit.newstate(ch, RINGING)
        refresh_device(sim, ch.device)
        return
    sim.emit.newstate(ch, RINGING)
    caller.conn_num, caller.conn_name = ch.cid_num, ch.cid_name
    sim.emit.chan("NewConnectedLine", caller)
    refresh_device(sim, ch.device)
    sim.emit.dial("DialState", caller, ch, ("DialStatus", "RINGING"))


def bridge_app(sim: SimCore, agent: Channel, target: str, on_bridge_created: Callable[[], None],
               *, after: Callable[[], None] | None = None) -> None:
    """The agent runs ``Bridge(<target>)``: pull the caller out of MusicOnHold and
    join both (ami-02a), or ``BRIDGERESULT=NONEXISTENT`` and Cause 0 (ami-06b)."""
    e = sim.emit
    caller = sim.channels.get(target)
    if caller is None or not caller.alive:
        e.varset(agent, "BRIDGERESULT", "NONEXISTENT")
        on_bridge_created()
        refresh_device(sim, agent.device)
        if after is not None:
            after()
        else:
            terminate(sim, agent, 0, "dialplan")
        return
    bridge = sim.new_bridge()
    e.bridge("BridgeCreate", bridge, count=0)
    stop_moh(sim, caller)
    refresh_device(sim, agent.device)
    on_bridge_created()

    def agent_after() -> None:
        e.varset(agent, "BRIDGERESULT", "SUCCESS")
        if after is not None:
            after()
        else:
            terminate(sim, agent, 16, "dialplan")

    agent.after_bridge = agent_after
    caller.after_bridge = lambda: after_bridge_hangup_caller(sim, caller)
    join(sim, bridge, caller, agent)


def join(sim: SimCore, bridge: Bridge, first: Channel, second: Channel,
         caller: Channel | None = None) -> None:
    """Both channels enter ``bridge`` (``first`` first). The agent leg takes the
    caller's Linkedid at its BridgeEnter."""
    e = sim.emit
    caller = caller or first
    for ch in (first, second):
        if ch is not caller:
            ch.linkedid = caller.linkedid
        bridge.channels.append(ch)
        ch.bridge = bridge
        e.bridge("BridgeEnter", bridge, ch)
    e.varset(second, "BRIDGEPEER", first.name)
    e.varset(first, "BRIDGEPEER", second.name)
    agent = second if caller is first else first
    cdr.note_bridged(agent, caller, sim.now())
    caller.conn_num, caller.conn_name = agent.cid_num, agent.cid_name
    e.chan("NewConnectedLine", caller)
    caller_bridged(sim, caller)
    phone = sim.phones.get(agent.endpoint)
    if phone is not None and phone.talk_time_s is not None:
        sim.later(agent, phone.talk_time_s, _agent_bye, sim, agent)
    for ch in (first, second):  # a dialed customer (pbx.sim.callees) talks, then hangs up
        if ch.callee is not None and ch.callee.talk_time_s is not None:
            sim.later(ch, ch.callee.talk_time_s, _agent_bye, sim, ch)


def _agent_bye(sim: SimCore, agent: Channel) -> None:
    if agent.alive and agent.bridge is not None:
        terminate(sim, agent, 16, "bye")


# --- Dial() from the caller's own channel (hotline-agent-dial) -------------------------

def dial_from_caller(sim: SimCore, caller: Channel, exten: str,
                     hooks: DialHooks | None = None) -> None:
    """``hotline-agent-dial``: NoOp, then ``Dial(PJSIP/agent<exten>,30)`` (ami-07a)."""
    hooks = hooks or DialHooks()
    e = sim.emit
    endpoint = f"agent{exten}"
    e.newexten(caller, 1, "NoOp", f"Dialing agent {exten}", context="hotline-agent-dial",
               exten=exten)
    e.newexten(caller, 2, "Dial", f"PJSIP/{endpoint},30")
    e.varset(caller, "DIALSTATUS", "")
    if endpoint not in sim.phones:
        e.varset(caller, "DIALSTATUS", "CHANUNAVAIL")
        _dial_done(sim, caller)
        return
    phone = sim.phones[endpoint]
    agent = new_agent_channel(sim, endpoint, linkedid=caller.linkedid)
    e.varset(agent, "DIALEDPEERNUMBER", endpoint)
    e.newexten(agent, 1, "AppDial", "(Outgoing Line)", exten=exten)
    agent.conn_num, agent.conn_name = caller.cid_num, caller.cid_name
    e.chan("NewConnectedLine", agent)
    _state(sim, caller).dialing = agent
    cdr.note_dialed(caller, agent)
    _state(sim, agent).dialed_by = caller
    e.dial("DialBegin", caller, agent, ("DialString", endpoint))

    def give_up(status: str, cause: int) -> None:
        if not agent.alive:
            return
        _state(sim, caller).dialing = None
        if cause == 17:
            e.hangup_request(agent, 17)
        e.dial("DialEnd", caller, agent, ("DialStatus", status))
        terminate(sim, agent, cause, "dialplan")
        e.varset(caller, "DIALSTATUS", status)
        _dial_done(sim, caller)

    if phone.behaviour == "busy":
        sim.later(agent, 0.005, give_up, "BUSY", 17)
        return
    if phone.behaviour != "unreachable":
        ring(sim, caller, agent)
        _run(hooks.ringing)
    if phone.behaviour != "answer" or phone.answer_delay_s >= 30.0:
        sim.later(agent, 30.0, give_up, "NOANSWER", 16)
        return
    sim.later(agent, phone.answer_delay_s, _dial_answered, sim, caller, agent, hooks)


def _dial_answered(sim: SimCore, caller: Channel, agent: Channel,
                   hooks: DialHooks) -> None:
    if not agent.alive or not caller.alive:
        return
    e = sim.emit
    _state(sim, caller).dialing = None
    _run(hooks.answering)
    e.newstate(agent, UP)
    e.varset(caller, "DIALSTATUS", "ANSWER")
    e.dial("DialEnd", caller, agent, ("DialStatus", "ANSWER"))
    _run(hooks.answered)
    if not caller.alive:  # the Local ;1 half went away meanwhile
        terminate(sim, agent, 16, "dialplan")
        return
    bridge = sim.new_bridge()
    e.bridge("BridgeCreate", bridge, count=0)
    refresh_device(sim, agent.device)
    e.newexten(agent, 1, "AppDial", "(Outgoing Line)", exten="")
    _state(sim, caller).peer = agent
    agent.after_bridge = lambda: terminate(sim, agent, 16, "dialplan")
    caller.after_bridge = lambda: _dial_done(sim, caller)
    join(sim, bridge, agent, caller, caller=caller)
    _run(hooks.bridged)


def _dial_done(sim: SimCore, caller: Channel) -> None:
    """Dial() returned: the caller runs priority 3, Hangup()."""
    if not caller.alive:
        return
    _state(sim, caller).peer = None
    sim.emit.newexten(caller, 3, "Hangup")
    terminate(sim, caller, 16, "dialplan")


def cancel_dial(sim: SimCore, caller: Channel, agent: Channel) -> None:
    """The caller hung up while its Dial() rang the agent: CANCEL the agent leg."""
    sim.emit.dial("DialEnd", caller, agent, ("DialStatus", "CANCEL"))
    terminate(sim, agent, 16, "dialplan")


def _state(sim: SimCore, ch: Channel) -> DialState:
    """``ch``'s Dial() state; the first time, the hang-up hook that cancels a Dial()
    still ringing when the calling channel goes."""
    if ch.dial is None:
        state = ch.dial = DialState()

        def cancel_if_ringing(cause: int, how: How) -> None:
            dialing, state.dialing = state.dialing, None
            if dialing is not None and dialing.alive and dialing.bridge is None:
                cancel_dial(sim, ch, dialing)

        ch.hooks.unbridged.append(cancel_if_ringing)
    return ch.dial


def forget(ch: Channel) -> None:
    """``ch`` leaves without its Dial() returning (a Local half optimised away)."""
    ch.after_bridge = None
    if ch.dial is not None:
        ch.dial.dialing = ch.dial.peer = None
