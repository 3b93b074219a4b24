"""Talk metrics from per-party activity masks built with known lengths (0.1 s frames)."""

from __future__ import annotations

import numpy as np
import pytest

from qa.talk import flags, metrics, runs

F = 0.1


def mask(*spans: tuple[float, float], total: float = 60.0) -> np.ndarray:
    m = np.zeros(round(total / F), bool)
    for s, e in spans:
        m[round(s / F): round(e / F)] = True
    return m


def test_runs_finds_each_stretch() -> None:
    assert runs(np.array([0, 1, 1, 0, 1], bool)) == [(1, 3), (4, 5)]


def test_dead_air_overtalk_ratio_and_first_words() -> None:
    agent = mask((2, 10), (25, 40))      # 8 + 15 = 23 s, first words at 2 s
    caller = mask((9, 12), (40, 45))     # 3 + 5 = 8 s, overtalk 9..10 = 1 s
    m = metrics(agent, caller, F, dead_air_min_s=5.0)
    assert m.agent_talk_s == pytest.approx(23) and m.caller_talk_s == pytest.approx(8)
    assert m.talk_ratio == pytest.approx(23 / 31)
    assert m.overtalk_s == pytest.approx(1.0)
    # silences: 0..2 (too short), 12..25 = 13 s, 45..60 = 15 s
    assert m.dead_air_s == pytest.approx(28) and m.longest_dead_air_s == pytest.approx(15)
    assert m.first_words_s == pytest.approx(2.0)
    assert m.longest_monologue_s == pytest.approx(15)  # 25..40
    assert "dead_air" in flags(m) and "late_greeting" not in flags(m)


def test_short_agent_pauses_are_one_monologue() -> None:
    agent = mask((0, 30), (30.5, 70), total=80)
    m = metrics(agent, mask(total=80), F, pause_s=1.0)
    assert m.longest_monologue_s == pytest.approx(70)
    assert "monologue" in flags(m)


def test_bridge_fills_only_short_gaps() -> None:
    from qa.talk import bridge

    m = np.array([1, 0, 0, 1, 0, 0, 0, 0, 1], bool)
    assert bridge(m, 3).tolist() == [True] * 4 + [False] * 4 + [True]
