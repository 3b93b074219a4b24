"""Dialed customers: AMI ``Originate Channel=PJSIP/<number>@hotline-trunk`` (outbound
campaigns, callbacks), and the ``hotline-outbound`` dialplan with ``AMD()``.

The trunk leg behaves as chan_pjsip does for the agent legs of the transcripts (the same
channel driver; no customer leg was recorded on the test bed):

* answer: ``DialState RINGING`` / ``Newstate Ringing``, after the answer delay
  ``Newstate Up`` → ``DialEnd ANSWER`` → ``OriginateResponse Success Reason: 4`` (ami-02a).
* busy (486): ``HangupRequest Cause 17`` → ``DialEnd BUSY`` → ``OriginateResponse Failure
  Reason: 0`` → ``Hangup Cause 17 TechCause 486`` (ami-04).
* no answer: ringing until the Originate's Timeout, then ``OriginateResponse Failure
  Reason: 3`` (Channel = the dial string, Uniqueid = the ChannelId) and ``Hangup Cause 19
  TechCause 480``, no DialEnd (ami-03).
* unreachable (no SIP response): no ringing, ``Hangup Cause 19`` *before* the Reason 3
  OriginateResponse (ami-03b).

The channel is named after the trunk endpoint (``PJSIP/hotline-trunk-0000002a``) and
starts in that endpoint's context (``hotline-in``, exten ``s``, ``AppDial2``) while it
dials, as an originated agent leg starts in ``from-agents``.

``hotline-outbound,s`` (asterisk_conf's extensions.conf; ``AMD()`` is app_amd, whose
variables ``AMDSTATUS`` = HUMAN | MACHINE | NOTSURE | HANGUP and ``AMDCAUSE`` such as
``HUMAN-300-800`` / ``LONGGREETING-1700-1500`` come as VarSet events)::

    1 NoOp  2 GotoIf(HOTLINE_AMD = off ? wait)  3 AMD()  4 GotoIf(AMDSTATUS = MACHINE ? machine)
    wait: Wait(HOLD_MAX), Hangup        -- the backend joins it to the agent (AMI Bridge)
    machine: agent -> wait; message -> WaitForSilence, Playback(HOTLINE_AMD_MESSAGE), Hangup;
             hangup -> Hangup
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import cdr
from .channels import DOWN, UP, Channel
from .config import CalleeModel, CalleeScript
from .dial import ring
from .dialplan import refresh_device, terminate
from .ivr import run_agi
from .originate import OriginateRequest, Result, dial_begun, fail_leg, take_result

if TYPE_CHECKING:
    from .core import SimCore

OUTBOUND_CONTEXT = "hotline-outbound"
AMD_HUMAN_S = 1.1  # AMD(): initial greeting + 800 ms after-greeting silence
AMD_MACHINE_S = 1.5  # AMD(): a greeting longer than 1500 ms
MESSAGE_S = 8.0  # the recorded notice played to a machine


def callee_number(sim: SimCore, dial: str) -> str | None:
    """``PJSIP/13800138000@hotline-trunk`` -> ``13800138000`` (None: not a trunk dial)."""
    tech, _, rest = dial.partition("/")
    number, at, endpoint = rest.partition("@")
    if tech != "PJSIP" or not at or endpoint != sim.config.trunk or not number:
        return None
    return number


def draw(model: CalleeModel, rng_random: float, rng_uniform: tuple[float, float]) -> CalleeScript:
    """The script of one customer from two draws in [0, 1)."""
    delay = model.answer_delay_s[0] + rng_uniform[0] * (model.answer_delay_s[1] - model.answer_delay_s[0])
    talk = model.talk_time_s[0] + rng_uniform[1] * (model.talk_time_s[1] - model.talk_time_s[0])
    edges = (("answer", model.p_answer), ("machine", model.p_machine), ("busy", model.p_busy),
             ("unreachable", model.p_unreachable))
    acc = 0.0
    for behaviour, p in edges:
        acc += p
        if rng_random < acc:
            return CalleeScript(behaviour, delay, talk, model.patience_s)  # type: ignore[arg-type]
    return CalleeScript("noanswer", delay, talk, model.patience_s)


def script_for(sim: SimCore, number: str) -> CalleeScript:
    fixed = sim.callees.get(number)
    if fixed is not None:
        return fixed
    rng = sim.callee_rng
    return draw(sim.callee_model, rng.random(), (rng.random(), rng.random()))


def originate_callee(sim: SimCore, req: OriginateRequest, number: str, result: Result) -> None:
    script = script_for(sim, number)
    sim.dialed.append((number, script.behaviour))
    e = sim.emit
    trunk = sim.config.trunk
    now = sim.now()
    uid = req.channel_id or sim.ids.uniqueid(now)
    ch = Channel(name=f"PJSIP/{trunk}-{sim.ids.channel_suffix()}", uniqueid=uid, linkedid=uid,
                 device=f"PJSIP/{trunk}", role="callee", created_at=now, state=DOWN,
                 context="hotline-in", exten="s", endpoint=trunk)
    sim.add_channel(ch)
    e.chan("Newchannel", ch)
    for name, value in req.variables.items():
        e.varset(ch, name, value)
    e.newexten(ch, 1, "AppDial2", "(Outgoing Line)")
    cdr.note_originated(ch)
    dial_begun(sim, ch, req, f"{number}@{trunk}", result)
    if script.behaviour == "busy":
        ring(sim, None, ch)
        sim.later(ch, min(script.busy_after_s, req.timeout_s), fail_leg, sim, ch, result, 0, 17, dialend="BUSY",
                  result_first=True)
        return
    if script.behaviour == "unreachable":
        sim.later(ch, req.timeout_s, fail_leg, sim, ch, result, 3, 19, dialend=None, result_first=False)
        return
    ring(sim, None, ch)
    if script.behaviour == "noanswer" or script.answer_delay_s >= req.timeout_s:
        sim.later(ch, req.timeout_s, fail_leg, sim, ch, result, 3, 19, dialend=None, result_first=True)
        return
    sim.later(ch, script.answer_delay_s, _answered, sim, ch, req, script, result)


def _answered(sim: SimCore, ch: Channel, req: OriginateRequest, script: CalleeScript,
              result: Result) -> None:
    if not ch.alive:
        return
    e = sim.emit
    take_result(ch)
    e.newstate(ch, UP)
    e.dial("DialEnd", None, ch, ("DialStatus", "ANSWER"))
    refresh_device(sim, ch.device)
    result(True, 4, ch)
    ch.callee = script
    if req.context == OUTBOUND_CONTEXT and req.exten == "ivr":
        _agentless(sim, ch, script)
    elif req.context == OUTBOUND_CONTEXT:
        _outbound(sim, ch, script)
    elif req.context == "hotline-agent" and req.exten == "hold":
        _wait(sim, ch, 1, context=req.context, exten=req.exten)
    else:
        terminate(sim, ch, 0, "dialplan")  # unknown extension: hung up at once


def _outbound(sim: SimCore, ch: Channel, script: CalleeScript) -> None:
    e = sim.emit
    amd = ch.vars.get("HOTLINE_AMD", "off")
    e.newexten(ch, 1, "NoOp", f"Outbound {ch.vars.get('HOTLINE_CALL_ID', '')} answered",
               context=OUTBOUND_CONTEXT, exten="s")
    e.newexten(ch, 2, "GotoIf", f'$["{amd}" = "off"]?wait')
    if amd == "off":
        _wait(sim, ch, 5)
        return
    e.newexten(ch, 3, "AMD", "")
    machine = script.behaviour == "machine"
    sim.later(ch, AMD_MACHINE_S if machine else AMD_HUMAN_S, _amd_done, sim, ch, machine, amd)


def _agentless(sim: SimCore, ch: Channel, script: CalleeScript) -> None:
    """``hotline-outbound,ivr``: AMD() unless off, then ``AGI(${OUTBOUND_URL},call=...)``."""
    e = sim.emit
    amd = ch.vars.get("HOTLINE_AMD", "off")
    e.newexten(ch, 1, "NoOp", f"Agentless outbound {ch.vars.get('HOTLINE_CALL_ID', '')} answered",
               context=OUTBOUND_CONTEXT, exten="ivr")
    e.newexten(ch, 2, "GotoIf", f'$["{amd}" = "off"]?ivr')
    if amd == "off":
        sim.spawn(_agi(sim, ch, script), ch)
        return
    e.newexten(ch, 3, "AMD", "")
    machine = script.behaviour == "machine"

    def decided() -> None:
        if not ch.alive:
            return
        status = "MACHINE" if machine else "HUMAN"
        e.varset(ch, "AMDSTATUS", status)
        e.varset(ch, "AMDCAUSE", "LONGGREETING-1700-1500" if machine else "HUMAN-300-800")
        e.newexten(ch, 4, "GotoIf", f'$["{status}" = "MACHINE" & "{amd}" != "agent"]?machine')
        if not machine or amd == "agent":
            sim.spawn(_agi(sim, ch, script), ch)
        elif amd == "message":
            e.newexten(ch, 9, "Playback", ch.vars.get("HOTLINE_AMD_MESSAGE", "hotline/outbound-notice"))
            sim.later(ch, MESSAGE_S, _hangup_app, sim, ch, 10)
        else:
            _hangup_app(sim, ch, 8)

    sim.later(ch, AMD_MACHINE_S if machine else AMD_HUMAN_S, decided)


async def _agi(sim: SimCore, ch: Channel, script: CalleeScript) -> None:
    url = sim.globals["AGI_URL"].rsplit("/", 1)[0] + "/outbound"
    call = ch.vars.get("HOTLINE_CALL_ID", "")
    sim.emit.newexten(ch, 5, "AGI", f"{url},call={call}")
    status = await run_agi(sim, ch, "outbound", url, [f"call={call}"], list(script.dtmf), 280)
    if ch.alive:
        sim.emit.varset(ch, "AGISTATUS", status)
        _hangup_app(sim, ch, 6)


def _amd_done(sim: SimCore, ch: Channel, machine: bool, amd: str) -> None:
    if not ch.alive:
        return
    e = sim.emit
    status = "MACHINE" if machine else "HUMAN"
    e.varset(ch, "AMDSTATUS", status)
    e.varset(ch, "AMDCAUSE", "LONGGREETING-1700-1500" if machine else "HUMAN-300-800")
    e.newexten(ch, 4, "GotoIf", f'$["{status}" = "MACHINE"]?machine')
    if not machine or amd == "agent":
        _wait(sim, ch, 5)
        return
    if amd == "message":
        e.newexten(ch, 7, "Playback", ch.vars.get("HOTLINE_AMD_MESSAGE", "hotline/outbound-notice"))
        sim.later(ch, MESSAGE_S, _hangup_app, sim, ch, 8)
        return
    _hangup_app(sim, ch, 7)


def _hangup_app(sim: SimCore, ch: Channel, priority: int) -> None:
    if ch.alive:
        sim.emit.newexten(ch, priority, "Hangup")
        terminate(sim, ch, 16, "dialplan")


def _wait(sim: SimCore, ch: Channel, priority: int, *, context: str | None = None,
          exten: str | None = None) -> None:
    """Parked until the backend's AMI Bridge joins it to the agent. A person says hello into
    the silence and hangs up after ``patience_s``; a machine records for ``talk_time_s``."""
    script = ch.callee
    assert script is not None
    hold_max = sim.config.hold_max_s
    sim.emit.newexten(ch, priority, "Wait", f"{hold_max:g}", context=context, exten=exten)
    ch.wait = sim.later(ch, hold_max, _hangup_app, sim, ch, priority + 1)
    patience = script.patience_s if script.behaviour == "answer" else (script.talk_time_s or hold_max)
    sim.later(ch, patience, _gave_up, sim, ch)


def _gave_up(sim: SimCore, ch: Channel) -> None:
    """Nobody came on the line: the customer hangs up (a SIP BYE; as a caller leaving
    MusicOnHold, ami-05, the cause is 0)."""
    if ch.alive and ch.bridge is None:
        terminate(sim, ch, 0, "bye")

