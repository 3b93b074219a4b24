"""Recording a connected call: MixMonitor on the caller's channel when the queue's
policy says so (the file name comes from the :class:`acd.ports.Recorder`), with each
party also in its own leg file (:func:`acd.ports.leg_files`)."""

from __future__ import annotations

from acd.ports import RecordingStart, leg_files
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from pbx.ami.actions import MixMonitor


def start_recording(ctx: AcdContext, call: LiveCall) -> None:
    if ctx.recorder is None or not call.channel:
        return
    policy = ctx.config.recording_for(call.queue)
    if policy.mode == "none":
        return
    if policy.mode == "percentage" and ctx.rng.random() * 100.0 >= policy.percent:
        return
    file = ctx.recorder.begin(RecordingStart(call.call_id, call.uniqueid, call.agent, call.queue,
                                             ctx.now(), policy.mode))
    agent_leg, caller_leg = leg_files(file)
    # r(): what the caller's channel receives from the caller; t(): what it sends (the agent)
    ctx.send(MixMonitor(channel=call.channel, file=file, options=f"r({caller_leg})t({agent_leg})"))
