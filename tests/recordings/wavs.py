"""Small real recordings for the recordings / QA tests (soundfile writes them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 8000


def write_stereo(path: Path, seconds: float, *, rate: int = RATE) -> Path:
    """A stereo 16-bit WAV: a tone on the agent channel, another on the caller's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    data = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)], axis=1)
    sf.write(str(path), data, rate, subtype="PCM_16")
    return path


def write_mono(path: Path, seconds: float, *, rate: int = RATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    sf.write(str(path), 0.3 * np.sin(2 * np.pi * 500 * t), rate, subtype="PCM_16")
    return path


def truncate(path: Path, keep: int) -> None:
    """Cut the file to ``keep`` bytes, header untouched (a MixMonitor killed mid-call)."""
    data = path.read_bytes()[:keep]
    path.write_bytes(data)
