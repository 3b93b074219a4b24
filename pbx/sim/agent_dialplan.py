"""``hotline-agent`` (bridge / hold) for originated agent legs, and the AMI ``Bridge``
action that joins a waiting caller and a parked agent (ami-02c)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .channels import Channel
from .confbridge import enter
from .dial import bridge_app, dial_from_caller, join
from .dialplan import after_bridge_hangup_caller, refresh_device, stop_moh, terminate

if TYPE_CHECKING:
    from .core import SimCore


def run_agent_context(sim: SimCore, ch: Channel, context: str, exten: str) -> None:
    e = sim.emit
    if context == "hotline-agent" and exten == "hold":
        e.newexten(ch, 1, "NoOp", f"Agent {ch.name} answered, waiting for AMI Bridge",
                   context=context, exten=exten)
        refresh_device(sim, ch.device)
        hold_max = sim.config.hold_max_s
        e.newexten(ch, 2, "Wait", f"{hold_max:g}")
        ch.wait = sim.later(ch, hold_max, _hold_over, sim, ch)
        return
    if context == "hotline-agent" and exten == "bridge":
        target = ch.vars.get("HOTLINE_CALLER", "")
        e.newexten(ch, 1, "NoOp", f"Agent {ch.name} answered, bridging {target}",
                   context=context, exten=exten)
        e.newexten(ch, 2, "Bridge", target)

        def after() -> None:
            e.newexten(ch, 3, "NoOp", f"BRIDGERESULT={ch.vars.get('BRIDGERESULT', '')}")
            e.newexten(ch, 4, "Hangup")
            terminate(sim, ch, 16 if ch.vars.get("BRIDGERESULT") == "SUCCESS" else 0,
                      "dialplan")

        bridge_app(sim, ch, target, lambda: None, after=after)
        return
    if context == "hotline-conference":
        refresh_device(sim, ch.device)
        enter(sim, ch, exten)
        return
    if context == "hotline-agent-dial":
        dial_from_caller(sim, ch, exten)
        return
    # Unknown extension: Asterisk hangs the channel up at once.
    refresh_device(sim, ch.device)
    terminate(sim, ch, 0, "dialplan")


def end_wait(ch: Channel) -> bool:
    """Interrupt the Wait() of ``hotline-agent,hold`` if ``ch`` is parked there."""
    wait, ch.wait = ch.wait, None
    if wait is None:
        return False
    wait.cancel()
    return True


def _hold_over(sim: SimCore, ch: Channel) -> None:
    if ch.alive and ch.bridge is None:
        sim.emit.newexten(ch, 3, "Hangup")
        terminate(sim, ch, 16, "dialplan")


def ami_bridge(sim: SimCore, caller: Channel, agent: Channel) -> None:
    """Join two live channels; each resumes at its next priority afterwards."""
    e = sim.emit
    bridge = sim.new_bridge()
    e.bridge("BridgeCreate", bridge, count=0)
    for ch in (caller, agent):
        stop_moh(sim, ch)
        if end_wait(ch):
            ch.priority, ch.app, ch.app_data = ch.priority + 1, "", ""

    def resume(ch: Channel) -> None:
        if ch.context == "hotline-wait" or ch.role == "caller":
            after_bridge_hangup_caller(sim, ch)
        else:
            e.newexten(ch, ch.priority, "Hangup")
            e.soft_hangup_request(ch, 16)
            terminate(sim, ch, 16, "dialplan")

    caller.after_bridge = lambda: resume(caller)
    agent.after_bridge = lambda: resume(agent)
    join(sim, bridge, caller, agent)
