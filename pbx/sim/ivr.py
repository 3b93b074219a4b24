"""The ``AGI(agi://host:port/ivr,lang=xx)`` step: run the FastAGI client (the Asterisk
side, pbx/sim/agi_client.py) and turn each command into AGIExecStart/AGIExecEnd; or,
with ``SimConfig.skip_ivr``, just the caller's digits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import agi_client
from .channels import Channel
from .config import CallerScript

if TYPE_CHECKING:
    from .core import SimCore


async def fake_ivr(sim: SimCore, ch: Channel, script: CallerScript) -> str:
    """The IVR without FastAGI: the caller's digits as DTMF events, IVR_CHOICE set."""
    for digit in script.dtmf:
        await sim.sleep(1.0)
        if not ch.alive:
            return "HANGUP"
        sim.emit.dtmf(ch, digit, script.dtmf_duration_ms)
    if script.dtmf:
        sim.emit.varset(ch, "IVR_CHOICE", script.dtmf[-1])
    return "SUCCESS"


async def run_ivr(sim: SimCore, ch: Channel, script: CallerScript, url: str) -> str:
    return await run_agi(sim, ch, "ivr", url, [f"lang={script.lang}"], list(script.dtmf),
                         script.dtmf_duration_ms, hangup_after_s=script.ivr_hangup_after_s)


async def run_agi(sim: SimCore, ch: Channel, name: str, url: str, args: list[str],
                  dtmf: list[str], dtmf_ms: int, *, hangup_after_s: float | None = None) -> str:
    """``AGI(<url>,<args>)`` on ``ch``: the FastAGI session with the party pressing ``dtmf``
    (the IVR of inbound callers; ``outbound`` of agentless campaigns). Its AGISTATUS."""
    env = {
        "agi_network": "yes", "agi_network_script": name, "agi_request": url,
        "agi_channel": ch.name, "agi_language": "en", "agi_type": "PJSIP",
        "agi_uniqueid": ch.uniqueid, "agi_version": "22.10.1",
        "agi_callerid": ch.cid_num, "agi_calleridname": ch.cid_name,
        "agi_callingpres": "0", "agi_callingani2": "0", "agi_callington": "0",
        "agi_callingtns": "0", "agi_dnid": ch.dnid, "agi_rdnis": "unknown",
        "agi_context": ch.context, "agi_extension": ch.exten, "agi_priority": str(ch.priority),
        "agi_enhanced": "0.0", "agi_accountcode": "", "agi_threadid": str(140000000000 + sim.rng.randrange(10**9)),
    }
    for i, arg in enumerate(args, start=1):
        env[f"agi_arg_{i}"] = arg
    caller = agi_client.SimCaller(dtmf=dtmf, hangup_after_s=hangup_after_s)
    ids: list[int] = []
    e = sim.emit

    def on_start(command: str) -> None:
        ids.append(sim.rng.randrange(10**8, 10**9))
        e.chan("AGIExecStart", ch, ("CommandId", ids[-1]), ("Command", command),
               privilege="agi,all")

    def on_exec(command: str, reply: str) -> None:
        if command.upper().startswith("SET VARIABLE "):
            name, _, value = command[13:].partition(" ")
            e.varset(ch, name, value.strip('"'))
        code = reply[:3] if reply[:3].isdigit() else "200"
        e.chan("AGIExecEnd", ch, ("CommandId", ids[-1] if ids else 0), ("Command", command),
               ("ResultCode", code), ("Result", "Success"), privilege="agi,all")

    def on_dtmf(digit: str) -> None:
        e.dtmf(ch, digit, dtmf_ms)

    outcome = await agi_client.run_fastagi(
        sim.config.agi_host, sim.config.agi_port, name, env, caller, dict(ch.vars),
        on_exec=on_exec, speed=sim.config.speed, on_start=on_start, on_dtmf=on_dtmf)
    return str(outcome.status)
