"""Outbound legs: AMI Originate to an agent's phone (ami-02a/02c/03/03b/04/06/06b/08)
and the dialplan ``Dial(PJSIP/agentNNNN,30)`` of ``hotline-agent-dial`` (ami-07a/07b)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import cdr
from .channels import DOWN, RINGING, UP, Channel
from .dialplan import (
    after_bridge_hangup_caller,
    caller_bridged,
    refresh_device,
    stop_moh,
    terminate,
)

if TYPE_CHECKING:
    from .core import SimCore

Result = Callable[[bool, int, Channel | None], None]
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


@dataclass
class OriginateRequest:
    dial: str  # "PJSIP/agent1001"
    action_id: str | None = None
    application: str = ""
    data: str = ""
    context: str = ""
    exten: str = ""
    priority: int = 1
    timeout_s: float = 30.0
    cid_name: str | None = None
    cid_num: str | None = None
    channel_id: str | None = None
    variables: dict[str, str] = field(default_factory=dict)

    def response_event(self, ok: bool, reason: int, ch: Channel | None) -> list[tuple[str, Any]]:
        fields: list[tuple[str, Any]] = []
        if self.action_id is not None:
            fields.append(("ActionID", self.action_id))
        fields += [("Response", "Success" if ok else "Failure"),
                   ("Channel", ch.name if ok and ch is not None else self.dial)]
        if self.application:
            fields += [("Application", self.application), ("Data", self.data)]
        else:
            fields += [("Context", self.context), ("Exten", self.exten)]
        uid = ch.uniqueid if ok and ch is not None else (self.channel_id or "<unknown>")
        fields += [("Reason", reason), ("Uniqueid", uid),
                   ("CallerIDNum", self.cid_num or "<unknown>"),
                   ("CallerIDName", self.cid_name or "<unknown>")]
        return fields


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


def originate(sim: SimCore, req: OriginateRequest, result: Result) -> None:
    """Start the agent leg. ``result(ok, reason, channel)`` is called once, at the
    moment Asterisk would send ``OriginateResponse``."""
    if req.dial.startswith("Local/"):
        from .local import originate_local

        originate_local(sim, req, result)
        return
    endpoint = req.dial.partition("/")[2]
    if not req.dial.startswith("PJSIP/") or endpoint not in sim.phones:
        result(False, 0, None)
        return
    phone = sim.phones[endpoint]
    e = sim.emit
    ch = new_agent_channel(sim, endpoint, uniqueid=req.channel_id)
    for name, value in req.variables.items():
        e.varset(ch, name, value)
    e.newexten(ch, 1, "AppDial2", "(Outgoing Line)")
    ch.links["cdr_originated"] = True
    if req.application:
        cdr.note_app(ch, req.application, req.data)
    if req.cid_num is not None or req.cid_name is not None:
        ch.cid_num = req.cid_num or ch.cid_num
        ch.cid_name = req.cid_name or ch.cid_name
        e.chan("NewCallerid", ch, ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)"))
    ch.conn_num, ch.conn_name = ch.cid_num, ch.cid_name
    e.chan("NewConnectedLine", ch)
    e.dial("DialBegin", None, ch, ("DialString", endpoint))
    ch.links["originate"] = (req, result)

    def fail(reason: int, cause: int, *, dialend: str | None, result_first: bool) -> None:
        if not ch.alive:
            return
        ch.links.pop("originate", None)
        if cause == 17:
            e.hangup_request(ch, 17)
        if dialend:
            e.dial("DialEnd", None, ch, ("DialStatus", dialend))
        if result_first:
            result(False, reason, None)
        terminate(sim, ch, cause, "dialplan")
        if not result_first:
            result(False, reason, None)

    if phone.behaviour == "busy":
        sim.later(ch, 0.005, fail, 0, 17, dialend="BUSY", result_first=True)
        return
    if phone.behaviour == "unreachable":
        sim.later(ch, req.timeout_s, fail, 3, 19, dialend=None, result_first=False)
        return
    _ring(sim, None, ch)
    if phone.behaviour == "noanswer" or phone.answer_delay_s >= req.timeout_s:
        sim.later(ch, req.timeout_s, fail, 3, 19, dialend=None, result_first=True)
        return
    sim.later(ch, phone.answer_delay_s, _answered, sim, ch, req, result)


def _ring(sim: SimCore, caller: Channel | None, ch: Channel) -> None:
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


def on_ami_hangup_ringing(sim: SimCore, ch: Channel) -> None:
    """AMI Hangup of an originated leg still ringing (ami-06): DialEnd NOANSWER and a
    failed OriginateResponse (Reason 0) come before its Hangup."""
    pending = ch.links.pop("originate", None)
    if pending is None or ch.state == UP:
        return
    req, result = pending
    sim.emit.dial("DialEnd", None, ch, ("DialStatus", "NOANSWER"))
    result(False, 0, None)


def _answered(sim: SimCore, ch: Channel, req: OriginateRequest, result: Result) -> None:
    if not ch.alive:
        return
    e = sim.emit
    ch.links.pop("originate", None)
    e.newstate(ch, UP)
    e.dial("DialEnd", None, ch, ("DialStatus", "ANSWER"))
    app = req.application.lower()
    if app == "bridge":
        target = req.data.split(",")[0]
        bridge_app(sim, ch, target, lambda: result(True, 4, ch),
                   transfer_allowed="T" in req.data.partition(",")[2])
    elif app == "chanspy":
        ch.app, ch.app_data = req.application, req.data
        refresh_device(sim, ch.device)
        result(True, 4, ch)
        from .spy import start_spy

        start_spy(sim, ch, req.data)
    elif app:
        refresh_device(sim, ch.device)
        result(True, 4, ch)
        sim.later(ch, 0.0, terminate, sim, ch, 16, "dialplan")
    else:
        result(True, 4, ch)
        from .agent_dialplan import run_agent_context

        run_agent_context(sim, ch, req.context, req.exten)


def bridge_app(sim: SimCore, agent: Channel, target: str, on_bridge_created: Callable[[], None],
               *, transfer_allowed: bool = False,
               after: Callable[[], None] | None = None) -> None:
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
    agent.links["transfer_allowed"] = transfer_allowed

    def agent_after() -> None:
        e.varset(agent, "BRIDGERESULT", "SUCCESS")
        if after is not None:
            after()
        else:
            terminate(sim, agent, 16, "dialplan")

    agent.links["after_bridge"] = agent_after
    caller.links["after_bridge"] = lambda: after_bridge_hangup_caller(sim, caller)
    join(sim, bridge, caller, agent)


def join(sim: SimCore, bridge: Any, first: Channel, second: Channel,
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
    caller.links["dialing"] = agent
    caller.links["cdr_dialed"] = agent
    agent.links["dialed_by"] = caller
    e.dial("DialBegin", caller, agent, ("DialString", endpoint))

    def give_up(status: str, cause: int) -> None:
        if not agent.alive:
            return
        caller.links.pop("dialing", None)
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
        _ring(sim, caller, agent)
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
    caller.links.pop("dialing", None)
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
    caller.links["dial_peer"] = agent
    agent.links["after_bridge"] = lambda: terminate(sim, agent, 16, "dialplan")
    caller.links["after_bridge"] = lambda: _dial_done(sim, caller)
    join(sim, bridge, agent, caller, caller=caller)
    _run(hooks.bridged)


def _dial_done(sim: SimCore, caller: Channel) -> None:
    """Dial() returned: the caller runs priority 3, Hangup()."""
    if not caller.alive:
        return
    caller.links.pop("dial_peer", None)
    sim.emit.newexten(caller, 3, "Hangup")
    terminate(sim, caller, 16, "dialplan")


def cancel_dial(sim: SimCore, caller: Channel, agent: Channel) -> None:
    """The caller hung up while its Dial() rang the agent: CANCEL the agent leg."""
    sim.emit.dial("DialEnd", caller, agent, ("DialStatus", "CANCEL"))
    terminate(sim, agent, 16, "dialplan")
