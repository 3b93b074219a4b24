"""Automatic audio QA of a recording: each party's voice activity -> ``qa.talk`` metrics.

A recording is either one stereo file (channel 0 = agent, channel 1 = caller, as a
MixMonitor stereo mix is laid out here) or two mono files (MixMonitor ``r()`` caller and
``t()`` agent legs). Activity is webrtcvad's speech decision gated by frame energy, so
line hiss the VAD mistakes for speech does not count. 16-bit PCM at 8/16/32/48 kHz.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile as sf
import webrtcvad

from qa.talk import Mask, TalkMetrics, bridge, metrics
from recordings.store import RecordingStore

FRAME_S = 0.02
WORD_PAUSE_S = 0.3  # pauses shorter than this inside an utterance count as talk
_RATES = (8000, 16000, 32000, 48000)


class AudioError(ValueError):
    """A recording QA cannot read; the message names the file and what to change."""


def activity(samples: npt.NDArray[np.int16], rate: int, *, mode: int = 2,
             min_dbfs: float = -45.0) -> Mask:
    """One bool per 20 ms frame: speech by webrtcvad and louder than ``min_dbfs``, with
    pauses shorter than ``WORD_PAUSE_S`` bridged."""
    if rate not in _RATES:
        raise AudioError(f"Sample rate {rate} Hz is not one the VAD reads; "
                         f"record at one of {_RATES}.")
    step = int(rate * FRAME_S)
    n = len(samples) // step
    frames = samples[: n * step].reshape(n, step)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) / 32768.0
    loud = 20 * np.log10(np.maximum(rms, 1e-12)) > min_dbfs
    vad = webrtcvad.Vad(mode)
    raw = frames.tobytes()
    width = step * 2
    out = np.zeros(n, bool)
    for i in np.flatnonzero(loud):  # only loud frames can be speech: skip the VAD on silence
        out[i] = vad.is_speech(raw[i * width:(i + 1) * width], rate)
    return bridge(out, round(WORD_PAUSE_S / FRAME_S))


def _read(path: Path) -> tuple[npt.NDArray[np.int16], int]:
    try:
        data, rate = sf.read(str(path), dtype="int16", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as e:
        raise AudioError(f"Cannot read recording {path.name}: {e}.") from e
    return data, int(rate)


def analyse_stereo(path: Path, **kw: float) -> TalkMetrics:
    data, rate = _read(path)
    if data.shape[1] != 2:
        raise AudioError(f"{path.name} has {data.shape[1]} channel(s); a stereo mix "
                         "(agent left, caller right) or two leg files is needed.")
    a = activity(np.ascontiguousarray(data[:, 0]), rate)
    c = activity(np.ascontiguousarray(data[:, 1]), rate)
    return metrics(a, c, FRAME_S, **kw)


def analyse_legs(agent: Path, caller: Path, **kw: float) -> TalkMetrics:
    (ad, ar), (cd, cr) = _read(agent), _read(caller)
    return metrics(activity(np.ascontiguousarray(ad[:, 0]), ar),
                   activity(np.ascontiguousarray(cd[:, 0]), cr), FRAME_S, **kw)


def read_party(store: RecordingStore, path: str, legs: Mapping[str, Any] | None,
               party: str) -> tuple[npt.NDArray[np.int16], int]:
    """One party's mono samples of an indexed recording (``recordings.path`` / ``legs``):
    its leg file when ``legs`` names them, else its channel of the stereo mix (agent 0,
    caller 1); paths resolved inside the store."""
    legs = legs or {}
    if legs.get("layout") == "legs":
        data, rate = _read(store.resolve(legs[party]))
        return np.ascontiguousarray(data[:, 0]), rate
    full = store.resolve(path)
    data, rate = _read(full)
    if data.shape[1] != 2:
        raise AudioError(f"{full.name} has {data.shape[1]} channel(s); a stereo mix "
                         "(agent left, caller right) or two leg files is needed.")
    return np.ascontiguousarray(data[:, 0 if party == "agent" else 1]), rate
