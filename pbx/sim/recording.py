"""MixMonitor: the AMI side (VarSet MIXMONITOR_FILENAME, MixMonitorStart) and small real
WAVs (8 kHz, 16-bit mono) when ``SimConfig.recordings_dir`` is set: the mix, and with the
``r(file)`` / ``t(file)`` options one file per party, as Asterisk writes them.

The parties' audio is a voiced buzz (a 110-140 Hz pitch with harmonics, in syllables),
which a VAD takes for speech where a pure tone is not: the agent greets first, then the
two take turns (:func:`turns`), so QA of a simulated call finds talk on both legs and the
silence between turns. All deterministic from the channel's uniqueid."""

from __future__ import annotations

import os
import re
import wave
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .channels import Channel, How

if TYPE_CHECKING:
    from .core import SimCore

RATE = 8000


def leg_options(options: str) -> dict[str, str]:
    """``r(/x/c.wav)t(/x/a.wav)b`` -> ``{"r": "/x/c.wav", "t": "/x/a.wav"}``."""
    return {k: v for k, v in re.findall(r"([rt])\(([^)]*)\)", options or "") if v}


def start_recording(sim: SimCore, ch: Channel, file: str, options: str = "") -> None:
    if ch.mixmonitor is None and not ch.mixmonitor_started:
        # the first recording of the channel: a hang-up writes the file
        def hang_up_writes(cause: int, how: How) -> None:
            if ch.mixmonitor:
                finish_recording(sim, ch)

        ch.hooks.gone.append(hang_up_writes)
    ch.mixmonitor = file
    ch.mixmonitor_legs = leg_options(options)
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
    legs, ch.mixmonitor_legs = ch.mixmonitor_legs, {}
    agent, caller = party_audio(seconds, sum(map(ord, ch.uniqueid)))
    mix = np.clip(agent.astype(np.int32) + caller, -32768, 32767).astype(np.int16)
    write_wav(_target(directory, file), mix)
    for key, samples in (("t", agent), ("r", caller)):
        if key in legs:
            write_wav(_target(directory, legs[key]), samples)


def _target(directory: str, file: str) -> str:
    """``file`` itself when it lies inside ``directory`` (as the backend's recordings store
    names them, by date), else its name directly in ``directory``: the simulator never
    writes outside the directory it was given."""
    root = os.path.realpath(directory)
    full = os.path.realpath(file)
    if os.path.commonpath([root, full]) == root:
        os.makedirs(os.path.dirname(full), exist_ok=True)
        return full
    return os.path.join(directory, os.path.basename(file))


def turns(seconds: float, seed: int) -> list[tuple[str, float, float]]:
    """(party, start, end) of each turn: the agent at 0.4 s, then caller and agent in
    turn, 1.2-3 s each with 0.3-0.9 s between; none past the end."""
    out, t, who = [], 0.4, "agent"
    x = seed
    while True:
        x = (x * 1103515245 + 12345) % 2**31  # a small LCG: no global random state
        length = 1.2 + (x % 1800) / 1000
        if t + length > seconds - 0.2:
            break
        out.append((who, t, t + length))
        t += length + 0.3 + (x % 600) / 1000
        who = "caller" if who == "agent" else "agent"
    return out


def party_audio(seconds: float, seed: int) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    n = int(RATE * seconds)
    t = np.arange(n) / RATE
    audio = {"agent": np.zeros(n), "caller": np.zeros(n)}
    for who, start, end in turns(seconds, seed):
        f0 = 140.0 if who == "agent" else 110.0
        span = slice(int(start * RATE), min(int(end * RATE), n))
        phase = 2 * np.pi * np.cumsum(f0 + 15 * np.sin(2 * np.pi * 0.7 * t[span])) / RATE
        syllable = 0.5 * (1 + np.sin(2 * np.pi * 4 * t[span]))
        audio[who][span] = 2500 * syllable * sum(np.sin(k * phase) / k for k in range(1, 12))
    return audio["agent"].astype(np.int16), audio["caller"].astype(np.int16)


def write_wav(path: str, samples: npt.NDArray[np.int16]) -> None:
    frames = samples.astype("<i2").tobytes()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
