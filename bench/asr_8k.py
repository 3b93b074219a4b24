"""Word accuracy of PocketSphinx on 8 kHz telephone audio: three ways of feeding 8 kHz
speech to the bundled 16 kHz en-us model, measured in the same run on the same clips.

* ``linear``: the old ``np.interp`` upsampling to 16 kHz (the peer: what we shipped);
* ``poly``: polyphase resampling 8k -> 16k (``scipy.signal.resample_poly``, a proper
  anti-imaging low-pass, so nothing is left between 4 and 8 kHz);
* ``poly_floor`` (what ``qa.transcribe.to_16k`` ships): ``poly`` plus a seeded noise floor
  40 dB under the speech in the empty 4-8 kHz band;
* ``native8k``: the decoder configured for 8 kHz (``samprate 8000``, ``nfft 256``, the
  filterbank's ``upperf`` brought under 4 kHz), no resampling.

Clips: espeak-ng phrases (two voices, two speeds) passed through an 8 kHz G.711-like
channel with sox (300-3400 Hz band, 8 kHz, mu-law, back to 16-bit). Word accuracy =
1 - (word edit distance / reference words), summed over all clips. Prints one JSON line
per variant against ``linear``.

    .venv/bin/python bench/asr_8k.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.transcribe import PocketSphinx, normalise, resample_16k, to_16k_linear  # noqa: E402

PHRASES = [
    "Thank you for calling hotline, my name is Anna.",
    "How can I help you today?",
    "May I have your account number please?",
    "Could you confirm your date of birth?",
    "Please hold while I check that for you.",
    "I am sorry to hear that.",
    "I apologize for the inconvenience.",
    "I will transfer you to a colleague.",
    "I have reset your line.",
    "Is there anything else I can help you with?",
    "Thank you for waiting.",
    "Have a nice day, goodbye.",
]
HINTS = ["Thank you for calling hotline", "is there anything else", "not my problem"]
VOICES = [("en-us", "140"), ("en-us+m3", "165"), ("en-us+f2", "150")]


def telephone(text: str, voice: str, speed: str, tmp: Path, name: str) -> np.ndarray:
    """espeak-ng speech through a G.711-like channel: band 300-3400 Hz, 8 kHz mu-law."""
    raw, ulaw, out = tmp / f"{name}.wav", tmp / f"{name}.ul.wav", tmp / f"{name}.8k.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", speed, "-w", str(raw), text], check=True)
    subprocess.run(["sox", "-R", str(raw), "-r", "8000", "-c", "1", "-e", "u-law", str(ulaw),
                    "sinc", "300-3400", "pad", "0.3", "0.5"], check=True)
    subprocess.run(["sox", "-R", str(ulaw), "-e", "signed-integer", "-b", "16", str(out)], check=True)
    samples, rate = sf.read(out, dtype="int16")
    assert rate == 8000
    return samples


def errors(ref: list[str], hyp: list[str]) -> int:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[-1]


def main() -> None:
    variants = {"linear": PocketSphinx(resampler=to_16k_linear), "poly": PocketSphinx(resampler=resample_16k),
                "poly_floor": PocketSphinx(), "native8k": PocketSphinx(native_8k=True)}
    words = 0
    errs = dict.fromkeys(variants, 0)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for vi, (voice, speed) in enumerate(VOICES):
            for pi, text in enumerate(PHRASES):
                audio = telephone(text, voice, speed, tmp, f"v{vi}p{pi}")
                ref = normalise(text).split()
                words += len(ref)
                for name, eng in variants.items():
                    hyp = eng.transcribe(audio, 8000, hints=HINTS).text.split()
                    errs[name] += errors(ref, hyp)
                    print(f"{name:9s} {voice:9s} {' '.join(hyp)!r}", file=sys.stderr)
    acc = {k: 1 - e / words for k, e in errs.items()}
    for name in ("poly", "poly_floor", "native8k"):
        print(json.dumps({"bench": "asr_8k", "metric": "word_accuracy", "variant": name,
                          "ours": round(acc[name], 4), "peer": round(acc["linear"], 4),
                          "peer_name": "linear interpolation to 16 kHz", "words": words,
                          "ratio": round(acc[name] / acc["linear"], 4) if acc["linear"] else None,
                          "target": "higher than the peer", "ok": acc[name] > acc["linear"]}))


if __name__ == "__main__":
    main()
