"""Erlang C and Erlang A against published figures and independent formulas."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from reports.erlang import (
    _stationary,
    agents_needed,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_wait_probability,
    per_second,
)


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    """The textbook sum with factorials, in exact rational arithmetic."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize(("n", "a"), [(1, Fraction(1, 2)), (5, Fraction(4)), (11, Fraction(10)),
                                      (14, Fraction(10)), (30, Fraction(51, 2)), (60, Fraction(57))])
def test_erlang_c_matches_the_factorial_formula(n: int, a: Fraction) -> None:
    assert erlang_c_wait_probability(n, float(a)) == pytest.approx(float(exact_erlang_c(n, a)),
                                                                   rel=1e-12)


def test_published_example_100_calls_per_half_hour() -> None:
    """100 calls in 30 min, AHT 180 s (10 erlangs): P(wait) 0.6821 with 11 agents,
    0.1741 with 14; 80 % in 20 s needs 14 agents."""
    lam = per_second(100, 1800)
    assert erlang_c(lam, 180, 11).p_wait == pytest.approx(0.6821, abs=5e-5)
    r = erlang_c(lam, 180, 14, target_s=20)
    assert r.p_wait == pytest.approx(0.1741, abs=5e-5)
    assert r.asa == pytest.approx(0.17413 * 180 / 4, rel=1e-4)
    assert r.service_level == pytest.approx(1 - 0.174132 * math.exp(-4 * 20 / 180), abs=1e-5)
    assert agents_needed(lam, 180, 0.8, 20) == 14
    assert erlang_c(lam, 180, 13, target_s=20).service_level < 0.8


def test_large_systems_do_not_overflow() -> None:
    assert 0 < erlang_b(2000, 1900.0) < 1
    c = erlang_c(1900 / 180, 180, 2000)
    assert 0 < c.p_wait < 1 and math.isfinite(c.asa)
    assert erlang_c(1.0, 10, 5).p_wait == 1.0  # overloaded: everybody waits


def test_erlang_a_without_abandonment_is_erlang_c() -> None:
    lam = per_second(100, 1800)
    a, c = erlang_a(lam, 180, 12, patience=1e9, target_s=20), erlang_c(lam, 180, 12, 20)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-4)
    assert a.asa == pytest.approx(c.asa, rel=1e-3)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-4)
    assert a.p_abandon < 1e-5


def _uniformized_stationary(lam: float, mu: float, theta: float, n: int, k: int) -> list[float]:
    """Independent: power iteration of the uniformized chain truncated at k customers."""
    rates = [min(i, n) * mu + max(i - n, 0) * theta for i in range(k + 1)]
    big = lam + max(rates)
    p = [1.0 / (k + 1)] * (k + 1)
    for _ in range(200_000):
        q = [0.0] * (k + 1)
        for i, pi in enumerate(p):
            up = lam / big if i < k else 0.0
            down = rates[i] / big
            q[i] += pi * (1 - up - down)
            if i < k:
                q[i + 1] += pi * up
            if i > 0:
                q[i - 1] += pi * down
        if max(abs(x - y) for x, y in zip(p, q, strict=True)) < 1e-15:
            break
        p = q
    return p


def test_erlang_a_stationary_law_and_abandonment_agree_with_independent_forms() -> None:
    lam, aht, n, patience = 0.03, 100.0, 3, 60.0
    mu, theta = 1 / aht, 1 / patience
    ours = _stationary(lam, mu, theta, n)
    ref = _uniformized_stationary(lam, mu, theta, n, len(ours) + 5)
    for x, y in zip(ours, ref, strict=False):
        assert x == pytest.approx(y, abs=1e-9)
    r = erlang_a(lam, aht, n, patience, target_s=20)
    # P(abandon) from the place in line: 1 - P(served | place), weighted by arrivals' view
    p_ab = 0.0
    for i in range(1, len(ref) - n + 1):
        served = math.prod((n * mu + (j - 1) * theta) / (n * mu + j * theta) for j in range(1, i + 1))
        p_ab += ref[n + i - 1] * (1 - served)
    assert r.p_abandon == pytest.approx(p_ab, rel=1e-6)
    # Little's law: mean time in line of all callers = E[queue] / lambda
    assert r.mean_wait == pytest.approx(r.mean_queue / lam)


def _hypoexp_cdf(rates: list[float], t: float) -> float:
    """P(sum of Exp(rates) <= t), distinct rates, closed form."""
    total = 0.0
    for k, a in enumerate(rates):
        coef = math.prod(b / (b - a) for j, b in enumerate(rates) if j != k)
        total += coef * math.exp(-a * t)
    return 1 - total


def test_erlang_a_service_level_matches_the_closed_form() -> None:
    lam, aht, n, patience, t = 0.02, 120.0, 2, 30.0, 20.0
    mu, theta = 1 / aht, 1 / patience
    pi = _stationary(lam, mu, theta, n)
    sl = sum(pi[:n])
    for i in range(1, min(12, len(pi) - n + 1)):
        advance = [n * mu + (j - 1) * theta for j in range(1, i + 1)]
        served = math.prod(r / (r + theta) for r in advance)
        sl += pi[n + i - 1] * served * _hypoexp_cdf([r + theta for r in advance], t)
    assert erlang_a(lam, aht, n, patience, t).service_level == pytest.approx(sl, abs=1e-9)


def test_bad_inputs_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="target_sl"):
        agents_needed(0.1, 180, 80, 20)
    with pytest.raises(ValueError, match="positive"):
        erlang_a(0.1, 180, 5, patience=0)
