"""AMI Originate (ami-02a/02c/03/03b/04/06/06b/08): the agent leg to a phone, or a Local
pair whose ``;2`` half dials the phone (approach 2, ami-02b), and what the leg runs once
answered (an application, or a dialplan context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import cdr
from .agent_dialplan import run_agent_context
from .channels import UP, Channel, How, OriginateResult
from .dial import bridge_app, dial_from_caller, new_agent_channel, ring
from .dialplan import refresh_device, terminate
from .local import (
    DIAL_CONTEXT,
    LocalPair,
    local_bridge_event,
    maybe_optimize,
    mirror_hooks,
    new_pair,
    parse_local,
    set_callerid,
)
from .spy import start_spy

if TYPE_CHECKING:
    from .core import SimCore

Result = OriginateResult


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


def pending_result(sim: SimCore, ch: Channel, result: Result) -> None:
    """The OriginateResponse of ``ch`` is due; an AMI Hangup while it rings fails it."""
    ch.originate = result

    def hangup_while_ringing(cause: int, how: How) -> None:
        if how == "ami" and ch.state != UP:
            on_ami_hangup_ringing(sim, ch)

    ch.hooks.leaving.append(hangup_while_ringing)


def take_result(ch: Channel) -> Result | None:
    """The OriginateResponse still due, if any; it is no longer pending."""
    result, ch.originate = ch.originate, None
    return result


def dial_begun(sim: SimCore, ch: Channel, req: OriginateRequest, dial_string: str, result: Result) -> None:
    """The originated leg is dialing: the request's caller id, the connected line,
    DialBegin; its OriginateResponse is now due."""
    e = sim.emit
    if req.cid_num is not None or req.cid_name is not None:
        ch.cid_num = req.cid_num or ch.cid_num
        ch.cid_name = req.cid_name or ch.cid_name
        e.chan("NewCallerid", ch, ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)"))
    ch.conn_num, ch.conn_name = ch.cid_num, ch.cid_name
    e.chan("NewConnectedLine", ch)
    e.dial("DialBegin", None, ch, ("DialString", dial_string))
    pending_result(sim, ch, result)


def fail_leg(sim: SimCore, ch: Channel, result: Result, reason: int, cause: int, *,
             dialend: str | None, result_first: bool) -> None:
    """An originated leg that is not answered: busy (17, DialEnd BUSY, the response
    first), no answer or unreachable (19, Reason 3) - as ami-03/03b/04 record them."""
    if not ch.alive:
        return
    take_result(ch)
    if cause == 17:
        sim.emit.hangup_request(ch, 17)
    if dialend:
        sim.emit.dial("DialEnd", None, ch, ("DialStatus", dialend))
    if result_first:
        result(False, reason, None)
    terminate(sim, ch, cause, "dialplan")
    if not result_first:
        result(False, reason, None)


def originate(sim: SimCore, req: OriginateRequest, result: Result) -> None:
    """Start the agent leg. ``result(ok, reason, channel)`` is called once, at the
    moment Asterisk would send ``OriginateResponse``."""
    if req.dial.startswith("Local/"):
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
    cdr.note_originated(ch)
    if req.application:
        cdr.note_app(ch, req.application, req.data)
    dial_begun(sim, ch, req, endpoint, result)
    if phone.behaviour == "busy":
        sim.later(ch, 0.005, fail_leg, sim, ch, result, 0, 17, dialend="BUSY", result_first=True)
        return
    if phone.behaviour == "unreachable":
        sim.later(ch, req.timeout_s, fail_leg, sim, ch, result, 3, 19, dialend=None, result_first=False)
        return
    ring(sim, None, ch)
    if phone.behaviour == "noanswer" or phone.answer_delay_s >= req.timeout_s:
        sim.later(ch, req.timeout_s, fail_leg, sim, ch, result, 3, 19, dialend=None, result_first=True)
        return
    sim.later(ch, phone.answer_delay_s, _answered, sim, ch, req, result)


def on_ami_hangup_ringing(sim: SimCore, ch: Channel) -> None:
    """AMI Hangup of an originated leg still ringing (ami-06): DialEnd NOANSWER and a
    failed OriginateResponse (Reason 0) come before its Hangup."""
    result = take_result(ch)
    if result is None or ch.state == UP:
        return
    sim.emit.dial("DialEnd", None, ch, ("DialStatus", "NOANSWER"))
    result(False, 0, None)


def _answered(sim: SimCore, ch: Channel, req: OriginateRequest, result: Result) -> None:
    if not ch.alive:
        return
    e = sim.emit
    take_result(ch)
    e.newstate(ch, UP)
    e.dial("DialEnd", None, ch, ("DialStatus", "ANSWER"))
    app = req.application.lower()
    if app == "bridge":
        target = req.data.split(",")[0]
        bridge_app(sim, ch, target, lambda: result(True, 4, ch))
    elif app == "chanspy":
        ch.app, ch.app_data = req.application, req.data
        refresh_device(sim, ch.device)
        result(True, 4, ch)
        start_spy(sim, ch, req.data)
    elif app:
        refresh_device(sim, ch.device)
        result(True, 4, ch)
        sim.later(ch, 0.0, terminate, sim, ch, 16, "dialplan")
    else:
        result(True, 4, ch)
        run_agent_context(sim, ch, req.context, req.exten)


# --- AMI Originate Channel=Local/NNNN@hotline-agent-dial (approach 2, ami-02b) ----------

def originate_local(sim: SimCore, req: OriginateRequest, result: Result) -> None:
    parsed = parse_local(req.dial)
    if parsed is None or parsed[1] != DIAL_CONTEXT:
        result(False, 0, None)
        return
    exten, context = parsed
    e = sim.emit
    pair = new_pair(sim, exten, context, originated=True)
    one, two = pair.one, pair.two
    e.newexten(one, 1, "AppDial2", "(Outgoing Line)")
    for name, value in req.variables.items():
        e.varset(one, name, value)
    if req.cid_num is not None or req.cid_name is not None:
        set_callerid(sim, one, req.cid_num or one.cid_num, req.cid_name or one.cid_name)
    one.conn_num, one.conn_name = one.cid_num, one.cid_name
    e.chan("NewConnectedLine", one)
    for name, value in req.variables.items():
        e.varset(two, name, value)
    two.conn_num, two.conn_name = one.cid_num, one.cid_name
    set_callerid(sim, two, one.cid_num, one.cid_name)
    e.chan("NewConnectedLine", two)
    local_bridge_event(sim, pair)
    e.dial("DialBegin", None, one, ("DialString", f"{exten}@{context}"))
    pending_result(sim, one, result)
    pair.on_teardown = lambda: _local_torn_down(sim, pair)
    sim.later(one, req.timeout_s, _originate_timeout, sim, pair)

    def answering() -> None:
        if take_result(one) is not None:
            result(True, 4, one)  # ami-02b: before the phone's Newstate Up

    def bridged() -> None:
        run_agent_context(sim, one, req.context, req.exten)
        maybe_optimize(sim, pair)

    dial_from_caller(sim, two, exten, mirror_hooks(sim, pair, answering=answering,
                                                   bridged=bridged))


def _originate_timeout(sim: SimCore, pair: LocalPair) -> None:
    """No answer within the Originate's Timeout: Reason 3, the pair is torn down and
    the phone's Dial() is cancelled (not recorded on the test bed; modelled on ami-03)."""
    result = take_result(pair.one)
    if result is None or not pair.one.alive:
        return
    result(False, 3, None)
    terminate(sim, pair.one, 16, "dialplan")


def _local_torn_down(sim: SimCore, pair: LocalPair) -> None:
    """A half hung up while the Originate was pending: it fails with Reason 0 (as for a
    busy or AMI-hung-up PJSIP leg)."""
    result = take_result(pair.one)
    if result is not None:
        status = pair.two.vars.get("DIALSTATUS") or "NOANSWER"
        sim.emit.dial("DialEnd", None, pair.one, ("DialStatus", status))
        result(False, 0, None)
