"""Speech to text for script compliance: a pluggable :class:`Transcriber`, and the one
engine shipped, :class:`PocketSphinx` (English, offline: the ``pocketsphinx`` package
contains its acoustic model and dictionary).

An engine turns one party's audio (mono int16 samples) into timed words. The engine gets
the phrases the scorecard looks for as ``hints``: PocketSphinx decodes with a small
language model built from those phrases and an everyday call-centre corpus
(``script_corpus.txt``), which is what makes its general English model usable on calls;
words the dictionary does not know are left out of that model and reported.

Which engine serves a language is :func:`engine_for`; where none does (Chinese today) the
caller records that no transcript exists and still runs the audio-signal QA.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

_CORPUS = Path(__file__).with_name("script_corpus.txt")
_FRAME_S = 0.01  # pocketsphinx frames are 10 ms
_NOT_WORDS = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")


class TranscribeError(ValueError):
    """Audio an engine cannot transcribe; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Transcript:
    language: str
    engine: str
    words: tuple[Word, ...]
    unknown_words: tuple[str, ...] = ()  # hint words the engine cannot recognise

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


class Transcriber(Protocol):
    """One speech-to-text engine. ``transcribe`` must not touch the network."""

    name: str
    languages: frozenset[str]

    def transcribe(self, samples: npt.NDArray[np.int16], rate: int, *,
                   hints: Sequence[str] = ()) -> Transcript: ...


def _checked(samples: npt.NDArray[np.int16], rate: int) -> None:
    if rate <= 0 or len(samples) == 0:
        raise TranscribeError(f"Audio at {rate} Hz with {len(samples)} samples cannot be transcribed.")


def resample_16k(samples: npt.NDArray[np.int16], rate: int) -> npt.NDArray[np.int16]:
    """Polyphase resampling to 16 kHz (``scipy.signal.resample_poly``: with the anti-imaging
    low-pass that linear interpolation lacks)."""
    if rate == 16000:
        return samples
    _checked(samples, rate)
    from fractions import Fraction

    from scipy.signal import resample_poly

    f = Fraction(16000, rate)
    x = resample_poly(samples.astype(np.float64), f.numerator, f.denominator)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


NOISE_FLOOR = 0.01  # of the speech's RMS: 40 dB down
NOISE_SEED = 0


def to_16k(samples: npt.NDArray[np.int16], rate: int) -> npt.NDArray[np.int16]:
    """16 kHz audio for the English model (trained on wide-band speech, filterbank up to
    6.8 kHz). Telephone audio (8 kHz) is resampled with :func:`resample_16k` and the band it
    cannot carry (above rate/2) gets a flat noise floor 40 dB under the speech: left empty,
    the model's upper filters read log(0)-like energies no training frame had. Measured in
    ``bench/asr_8k.py`` on G.711-like audio against linear interpolation (which leaves mirror
    images there) and plain resampling: word accuracy 0.78 against 0.76 (plain: 0.74), and
    0.79-0.81 with other noise seeds. The noise is seeded: the same call, the same text."""
    if rate >= 16000:
        return resample_16k(samples, rate)
    up = resample_16k(samples, rate).astype(np.float64)
    rms = float(np.sqrt(np.mean(up * up))) if len(up) else 0.0
    if rms == 0.0:
        return up.astype(np.int16)
    noise = np.fft.rfft(np.random.default_rng(NOISE_SEED).standard_normal(len(up)))
    noise[np.fft.rfftfreq(len(up), 1 / 16000) < rate / 2] = 0
    band = np.fft.irfft(noise, len(up))
    band *= NOISE_FLOOR * rms / (float(np.std(band)) or 1.0)
    return np.clip(np.round(up + band), -32768, 32767).astype(np.int16)


def to_16k_linear(samples: npt.NDArray[np.int16], rate: int) -> npt.NDArray[np.int16]:
    """Linear interpolation to 16 kHz (what was used before :func:`to_16k`; the peer of
    ``bench/asr_8k.py``)."""
    if rate == 16000:
        return samples
    _checked(samples, rate)
    n = round(len(samples) * 16000 / rate)
    x = np.interp(np.arange(n) * (rate / 16000), np.arange(len(samples)), samples.astype(np.float64))
    return np.clip(x, -32768, 32767).astype(np.int16)


Resampler = Callable[[npt.NDArray[np.int16], int], npt.NDArray[np.int16]]


class PocketSphinx:
    """CMU PocketSphinx with its bundled US-English model, on a domain language model.

    ``native_8k``: decode 8 kHz audio as is (``samprate 8000``, ``nfft 256``, filterbank
    up to 3.5 kHz) instead of resampling it; measured worse, kept for the bench."""

    name = "pocketsphinx"
    languages = frozenset({"en"})

    def __init__(self, resampler: Resampler = to_16k, native_8k: bool = False) -> None:
        self._resample = resampler
        self._native_8k = native_8k

    def transcribe(self, samples: npt.NDArray[np.int16], rate: int, *,
                   hints: Sequence[str] = ()) -> Transcript:
        from pocketsphinx import Decoder  # imported here: loading the model takes a while

        lm_path, unknown = _language_model(tuple(sorted(set(hints))))
        if self._native_8k and rate == 8000:
            _checked(samples, rate)
            audio = samples
            d = Decoder(hmm=str(_model_8k()), samprate=8000, nfft=256, lm=str(lm_path), loglevel="FATAL")
        else:
            audio = self._resample(samples, rate)
            d = Decoder(samprate=16000, lm=str(lm_path), loglevel="FATAL")
        d.start_utt()
        d.process_raw(audio.tobytes(), False, True)
        d.end_utt()
        words = tuple(Word(_base(s.word), s.start_frame * _FRAME_S, (s.end_frame + 1) * _FRAME_S)
                      for s in (d.seg() or ()) if not _NOT_WORDS.match(s.word))
        return Transcript("en", self.name, words, unknown)


@cache
def _model_8k() -> Path:
    """The bundled en-us model with its filterbank brought under 4 kHz: its ``feat.params``
    (``-upperf 6800``) overrides the decoder's arguments, so a copy with ``-upperf 3500``
    (the other files linked) is written to a private temporary directory."""
    import tempfile

    from pocketsphinx import get_model_path

    src = Path(get_model_path()) / "en-us" / "en-us"
    out = Path(tempfile.mkdtemp(prefix="hotline-8k-")) / "en-us"
    out.mkdir()
    for f in src.iterdir():
        if f.name != "feat.params":
            (out / f.name).symlink_to(f)
    params = (src / "feat.params").read_text(encoding="utf-8")
    (out / "feat.params").write_text(re.sub(r"-upperf \S+", "-upperf 3500", params), encoding="utf-8")
    return out


def _base(word: str) -> str:
    """``the(2)`` (an alternative pronunciation) -> ``the``."""
    return word.split("(", 1)[0]


@cache
def _dictionary() -> frozenset[str]:
    from pocketsphinx import get_model_path

    path = Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"
    with path.open(encoding="utf-8") as f:
        return frozenset(_base(line.split(" ", 1)[0]) for line in f if line.strip())


@cache
def _language_model(hints: tuple[str, ...]) -> tuple[Path, tuple[str, ...]]:
    """An ARPA trigram model of the hint phrases and the shipped corpus, written once per
    set of hints into a private temporary directory; the words the dictionary lacks."""
    import tempfile

    from pocketsphinx.lm import ArpaBoLM

    known = _dictionary()
    lines: list[str] = []
    unknown: set[str] = set()
    for line in _corpus_lines(hints):
        words = line.split()
        unknown.update(w for w in words if w not in known)
        kept = [w for w in words if w in known]
        if kept:
            lines.append(" ".join(kept))
    lm = ArpaBoLM(text="\n".join(lines), add_start=True)
    lm.compute()
    buf = io.StringIO()
    lm.write(buf)
    out = Path(tempfile.mkdtemp(prefix="hotline-lm-")) / "script.arpa"
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out, tuple(sorted(unknown))


def _corpus_lines(hints: Iterable[str]) -> list[str]:
    base = [ln for ln in _CORPUS.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [normalise(x) for x in (*base, *hints) if normalise(x)]


def normalise(text: str) -> str:
    """Lower case, letters, digits and apostrophes only, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


ENGINES: tuple[Transcriber, ...] = (PocketSphinx(),)


def engine_for(language: str, engines: Iterable[Transcriber] = ENGINES) -> Transcriber | None:
    """The first engine that serves ``language`` (``en-US`` is served by an ``en`` engine)."""
    lang = language.lower().split("-", 1)[0]
    for e in engines:
        if lang in e.languages:
            return e
    return None
