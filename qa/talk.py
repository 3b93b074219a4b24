"""Conversation metrics from each party's voice activity. Pure: numpy arrays in, numbers out.

``agent`` and ``caller`` are boolean arrays, one value per VAD frame of ``frame_s`` seconds
(True = speech). Dead air is a stretch where both are silent for at least ``dead_air_min_s``;
overtalk is both speaking at once; a monologue is the agent speaking with no caller speech,
bridging agent pauses shorter than ``pause_s``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class TalkMetrics:
    duration_s: float
    agent_talk_s: float
    caller_talk_s: float
    talk_ratio: float | None  # agent talk / (agent + caller talk)
    dead_air_s: float
    longest_dead_air_s: float
    overtalk_s: float
    longest_monologue_s: float
    first_words_s: float | None  # agent's first speech from the start of the recording


def runs(mask: Mask) -> list[tuple[int, int]]:
    """[start, end) frame indices of each run of True."""
    m = np.concatenate(([False], mask.astype(bool), [False]))
    d = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(d[::2].tolist(), d[1::2].tolist(), strict=True))


def bridge(mask: Mask, max_gap: int) -> Mask:
    """``mask`` with gaps of fewer than ``max_gap`` frames between two runs filled: the
    pauses between words of one utterance are talk, not silence."""
    out = mask.copy()
    r = runs(mask)
    for (_, e), (s, _) in zip(r, r[1:], strict=False):
        if s - e < max_gap:
            out[e:s] = True
    return out


def metrics(agent: Mask, caller: Mask, frame_s: float, *, dead_air_min_s: float = 5.0,
            pause_s: float = 1.0) -> TalkMetrics:
    n = max(len(agent), len(caller))
    a = np.zeros(n, bool)
    c = np.zeros(n, bool)
    a[: len(agent)] = agent
    c[: len(caller)] = caller
    silent = ~(a | c)
    dead = [(e - s) * frame_s for s, e in runs(silent) if (e - s) * frame_s >= dead_air_min_s]
    # agent-only speech, with short agent pauses (no caller speech) bridged
    solo = a & ~c
    gap_ok = ~c & ~a
    longest = 0.0
    cur_start: int | None = None
    last_end = 0
    for s, e in runs(solo):
        if cur_start is not None and (s - last_end) * frame_s < pause_s and gap_ok[last_end:s].all():
            last_end = e
        else:
            cur_start, last_end = s, e
        longest = max(longest, (last_end - cur_start) * frame_s)
    at, ct = float(a.sum()) * frame_s, float(c.sum()) * frame_s
    first = np.flatnonzero(a)
    return TalkMetrics(
        duration_s=n * frame_s, agent_talk_s=at, caller_talk_s=ct,
        talk_ratio=at / (at + ct) if at + ct else None,
        dead_air_s=float(sum(dead)), longest_dead_air_s=max(dead, default=0.0),
        overtalk_s=float((a & c).sum()) * frame_s, longest_monologue_s=longest,
        first_words_s=float(first[0]) * frame_s if len(first) else None)


def flags(m: TalkMetrics, *, max_dead_air_s: float = 10.0, max_overtalk_s: float = 15.0,
          max_monologue_s: float = 60.0, max_first_words_s: float = 5.0,
          talk_ratio_range: tuple[float, float] = (0.2, 0.8)) -> list[str]:
    """Names of the thresholds this call breaks (they feed the sampling rules)."""
    out = []
    if m.longest_dead_air_s >= max_dead_air_s:
        out.append("dead_air")
    if m.overtalk_s >= max_overtalk_s:
        out.append("overtalk")
    if m.longest_monologue_s >= max_monologue_s:
        out.append("monologue")
    if m.first_words_s is None or m.first_words_s > max_first_words_s:
        out.append("late_greeting")
    if m.talk_ratio is not None and not talk_ratio_range[0] <= m.talk_ratio <= talk_ratio_range[1]:
        out.append("talk_ratio")
    return out
