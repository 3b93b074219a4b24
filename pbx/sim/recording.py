"""MixMonitor: the AMI side (VarSet MIXMONITOR_FILENAME, MixMonitorStart) and a small
real WAV (8 kHz, 16-bit mono) when ``SimConfig.recordings_dir`` is set."""

from __future__ import annotations

import math
import os
import struct
import wave
from typing import TYPE_CHECKING

from .channels import Channel, How

if TYPE_CHECKING:
    from .core import SimCore

RATE = 8000


def start_recording(sim: SimCore, ch: Channel, file: str) -> None:
    if ch.mixmonitor is None and not ch.mixmonitor_started:
        # the first recording of the channel: a hang-up writes the file
        def hang_up_writes(cause: int, how: How) -> None:
            if ch.mixmonitor:
                finish_recording(sim, ch)

        ch.hooks.gone.append(hang_up_writes)
    ch.mixmonitor = file
    ch.mixmonitor_started = sim.now()
    sim.emit.varset(ch, "MIXMONITOR_FILENAME", file)
    sim.emit.chan("MixMonitorStart", ch)


def stop_recording(sim: SimCore, ch: Channel) -> None:
    if ch.mixmonitor:
        finish_recording(sim, ch)
        sim.emit.chan("MixMonitorStop", ch)


def finish_recording(sim: SimCore, ch: Channel) -> None:
    """Write the WAV (no AMI event: Asterisk sends no MixMonitorStop on hangup)."""
    file, ch.mixmonitor = ch.mixmonitor, None
    directory = sim.config.recordings_dir
    if not file or not directory:
        return
    seconds = min(max(sim.now() - ch.mixmonitor_started, 0.5), 60.0)
    path = local_path(directory, file)
    write_tone_wav(path, seconds, 440.0 + (sum(map(ord, ch.uniqueid)) % 200))


def local_path(directory: str, file: str) -> str:
    """Where the file Asterisk was asked for lands here: at that path when it lies inside
    ``directory`` (the backend's recordings store, dated sub-folders and all), else under
    its basename in ``directory`` (an Asterisk path such as /var/spool/asterisk/monitor)."""
    root = os.path.abspath(directory)
    wanted = os.path.abspath(file)
    if os.path.isabs(file) and os.path.commonpath([root, wanted]) == root:
        os.makedirs(os.path.dirname(wanted), exist_ok=True)
        return wanted
    return os.path.join(directory, os.path.basename(file))


def write_tone_wav(path: str, seconds: float, hz: float) -> None:
    n = int(RATE * seconds)
    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * hz * i / RATE))) for i in range(n)
    )
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
