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
from collections.abc import Iterable, Sequence
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


def to_16k(samples: npt.NDArray[np.int16], rate: int) -> npt.NDArray[np.int16]:
    """Linear resampling to 16 kHz (the rate of the English model); 8 kHz phone audio has
    nothing above 4 kHz, so it is recognised less well than a 16 kHz recording."""
    if rate == 16000:
        return samples
    if rate <= 0 or len(samples) == 0:
        raise TranscribeError(f"Audio at {rate} Hz with {len(samples)} samples cannot be transcribed.")
    n = round(len(samples) * 16000 / rate)
    x = np.interp(np.arange(n) * (rate / 16000), np.arange(len(samples)), samples.astype(np.float64))
    return np.clip(x, -32768, 32767).astype(np.int16)


class PocketSphinx:
    """CMU PocketSphinx with its bundled US-English model, on a domain language model."""

    name = "pocketsphinx"
    languages = frozenset({"en"})

    def transcribe(self, samples: npt.NDArray[np.int16], rate: int, *,
                   hints: Sequence[str] = ()) -> Transcript:
        from pocketsphinx import Decoder  # imported here: loading the model takes a while

        audio = to_16k(samples, rate)
        lm_path, unknown = _language_model(tuple(sorted(set(hints))))
        d = Decoder(samprate=16000, lm=str(lm_path), loglevel="FATAL")
        d.start_utt()
        d.process_raw(audio.tobytes(), False, True)
        d.end_utt()
        words = tuple(Word(_base(s.word), s.start_frame * _FRAME_S, (s.end_frame + 1) * _FRAME_S)
                      for s in (d.seg() or ()) if not _NOT_WORDS.match(s.word))
        return Transcript("en", self.name, words, unknown)


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
