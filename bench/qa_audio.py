"""Automatic audio QA throughput: recording-minutes analysed per CPU-second, ours
(qa.audio: webrtcvad + energy gate, both channels, all metrics) against the peer an admin
would script, measured in the same run on the same files: per file and per party,
``sox f -n remix N silence 1 0.02 1% -1 0.3 1% stat`` (talk time = length left after
removing silences; dead air needs a second pass, so the peer here does *less* work).

Calls are generated (agent left, caller right, 8 kHz 16-bit): espeak-ng utterances and
silences of random length, seeded. Default 200 calls of 3-6 min; ``--short`` uses 200
calls of 30-60 s when time or disk is tight (the figure is per minute either way).

    .venv/bin/python bench/qa_audio.py [--calls 200] [--short]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.audio import analyse_stereo  # noqa: E402

RATE = 8000
LINES = ["Thank you for calling hotline, this is Anna, how can I help?",
         "My internet has been down since this morning.",
         "I am sorry to hear that, let me check your line.",
         "Could you confirm your customer number please?",
         "Yes, it is one two three four five six.",
         "I have reset the line, is there anything else I can do for you?"]


def _clips(tmp: Path) -> list[np.ndarray]:
    out = []
    for i, text in enumerate(LINES):
        p = tmp / f"l{i}.wav"
        subprocess.run(["espeak-ng", "-w", str(tmp / "raw.wav"), text], check=True)
        subprocess.run(["sox", str(tmp / "raw.wav"), "-r", str(RATE), "-c", "1", "-b", "16",
                        str(p)], check=True)
        out.append(sf.read(str(p), dtype="int16")[0])
    return out


def _call(rng: random.Random, clips: list[np.ndarray], seconds: float) -> np.ndarray:
    n = int(seconds * RATE)
    out = np.zeros((n, 2), np.int16)
    t, side = int(rng.uniform(0.5, 2) * RATE), 0
    while t < n:
        c = clips[rng.randrange(len(clips))]
        end = min(n, t + len(c))
        out[t:end, side] = c[: end - t]
        t = end + int(rng.choice([0.3, 0.8, 1.5, 6.0]) * RATE)
        side = rng.choice([side, 1 - side, 1 - side])
    return out


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--short", action="store_true", help="30-60 s calls instead of 3-6 min")
    args = ap.parse_args()
    lo, hi = (30, 60) if args.short else (180, 360)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        clips = _clips(tmp)
        files, minutes = [], 0.0
        for i in range(args.calls):
            secs = rng.uniform(lo, hi)
            p = tmp / f"call{i}.wav"
            sf.write(str(p), _call(rng, clips, secs), RATE, subtype="PCM_16")
            files.append(p)
            minutes += secs / 60
        t0 = _cpu()
        ours = [analyse_stereo(p) for p in files]
        ours_cpu = _cpu() - t0
        t0 = _cpu()
        for p in files:
            for ch in ("1", "2"):
                subprocess.run(["sox", str(p), "-n", "remix", ch, "silence", "1", "0.02", "1%",
                                "-1", "0.3", "1%", "stat"], check=True, capture_output=True)
        peer_cpu = _cpu() - t0
    talk = sum(m.agent_talk_s + m.caller_talk_s for m in ours) / 60
    print(f"{args.calls} calls, {minutes:.1f} recording-minutes ({lo}-{hi} s each), "
          f"talk {talk:.1f} min, dead air {sum(m.dead_air_s for m in ours) / 60:.1f} min")
    ours_rate, peer_rate = minutes / ours_cpu, minutes / peer_cpu
    print(f"ours  qa.audio            {ours_rate:8.1f} rec-min/CPU-s "
          f"({ours_rate * 60:.0f}x real time)  cpu {ours_cpu:.2f} s")
    print(f"peer  sox silence+stat    {peer_rate:8.1f} rec-min/CPU-s "
          f"({peer_rate * 60:.0f}x real time)  cpu {peer_cpu:.2f} s")
    print(f"target >= 200x real time and faster than the peer: "
          f"{'ok' if ours_rate * 60 >= 200 and ours_rate > peer_rate else 'MISSED'}")


if __name__ == "__main__":
    main()
