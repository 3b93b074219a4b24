"""Erlang C and Erlang A staffing formulas. Pure; rates per second, times in seconds.

Erlang C (M/M/N, callers never give up), with offered load A = lambda * AHT:

    B(0) = 1,  B(k) = A B(k-1) / (k + A B(k-1))         (Erlang B, iterative, stable)
    C(N, A) = N B(N) / (N - A (1 - B(N)))                 P(wait), for A < N
    ASA     = C * AHT / (N - A)
    SL(T)   = 1 - C * exp(-(N - A) T / AHT)               P(wait <= T)

Erlang A (M/M/N+M, exponential patience of mean 1/theta): the birth-death chain with
death rate min(n, N) mu + max(n - N, 0) theta, solved in log space and truncated where
the tail is below 1e-15. A caller finding j others in line moves up at rate
N mu + j theta and gives up at rate theta, which gives P(served | place), the waits and,
by uniformization, P(answered within T).

    erlang_c(arrival_rate=100/3600, aht=180, agents=7, target_s=20).service_level
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TAIL = 1e-15


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/N/N with offered load ``load`` erlangs."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must be non-negative")
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c_wait_probability(agents: int, load: float) -> float:
    """P(a caller waits) in M/M/N; 1.0 when the load reaches the number of agents."""
    if load <= 0:
        return 0.0
    if load >= agents:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1.0 - b))


@dataclass(frozen=True, slots=True)
class ErlangC:
    agents: int
    load: float  # erlangs
    p_wait: float
    asa: float  # mean wait of all callers, s
    service_level: float  # P(wait <= target_s)
    target_s: float
    occupancy: float


def erlang_c(arrival_rate: float, aht: float, agents: int, target_s: float = 20.0) -> ErlangC:
    """Erlang C figures for ``arrival_rate`` calls/s handled in ``aht`` s by ``agents``."""
    if aht <= 0 or arrival_rate < 0:
        raise ValueError("aht must be positive and arrival_rate non-negative")
    load = arrival_rate * aht
    if load >= agents:
        return ErlangC(agents, load, 1.0, math.inf, 0.0, target_s, 1.0)
    c = erlang_c_wait_probability(agents, load)
    asa = c * aht / (agents - load)
    sl = 1.0 - c * math.exp(-(agents - load) * target_s / aht)
    return ErlangC(agents, load, c, asa, sl, target_s, load / agents if agents else 0.0)


def agents_needed(arrival_rate: float, aht: float, target_sl: float, target_s: float,
                  max_asa: float | None = None) -> int:
    """Fewest agents reaching ``target_sl`` within ``target_s`` (and ``max_asa`` if given)."""
    if not 0 < target_sl < 1:
        raise ValueError("target_sl must be between 0 and 1, e.g. 0.8 for 80 %")
    n = max(1, math.floor(arrival_rate * aht) + 1)
    while True:
        r = erlang_c(arrival_rate, aht, n, target_s)
        if r.service_level >= target_sl and (max_asa is None or r.asa <= max_asa):
            return n
        n += 1


@dataclass(frozen=True, slots=True)
class ErlangA:
    agents: int
    load: float
    p_wait: float  # P(all agents busy on arrival)
    p_abandon: float
    asa: float  # mean wait of answered callers, s
    mean_wait: float  # mean time in line of all callers (answered or not), s
    service_level: float  # P(answered within target_s), over all callers
    target_s: float
    mean_queue: float


def _stationary(lam: float, mu: float, theta: float, n: int) -> list[float]:
    """P(n in system) of M/M/N+M, normalised in log space, truncated at the tail."""
    logs = [0.0]
    top, k, log_lam, log_tail = 0.0, 0, math.log(lam), math.log(TAIL)
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        logs.append(logs[-1] + log_lam - math.log(death))
        top = max(top, logs[-1])
        if k > n and death > lam and logs[-1] < top + log_tail:
            break
        if k > 10_000_000:
            raise ValueError("the queue does not settle: add agents or patience")
    weights = [math.exp(x - top) for x in logs]
    total = math.fsum(weights)
    return [w / total for w in weights]


def _answered_within(rates: list[float], theta: float, t: float) -> list[float]:
    """u[i] = P(served within t | i-th in line), by uniformization of the line chain:
    from place i the caller moves up at rates[i] and abandons at theta."""
    k = len(rates) - 1
    if t <= 0 or k == 0:
        return [1.0] + [0.0] * k
    big = max(rates[i] + theta for i in range(1, k + 1))
    lt = big * t
    v = [1.0] + [0.0] * k
    u = [0.0] * (k + 1)
    m_max = int(lt + 12 * math.sqrt(lt) + 30)
    for m in range(m_max + 1):
        w = math.exp(-lt + m * math.log(lt) - math.lgamma(m + 1)) if lt > 0 else float(m == 0)
        for i in range(k + 1):
            u[i] += w * v[i]
        nv = [1.0] + [0.0] * k
        for i in range(1, k + 1):
            stay = 1.0 - (rates[i] + theta) / big
            nv[i] = stay * v[i] + rates[i] / big * v[i - 1]
        v = nv
    return u


def erlang_a(arrival_rate: float, aht: float, agents: int, patience: float,
             target_s: float = 20.0) -> ErlangA:
    """Erlang A figures; ``patience`` is the callers' mean patience in seconds."""
    if aht <= 0 or patience <= 0 or agents < 1 or arrival_rate <= 0:
        raise ValueError("aht, patience, arrival_rate must be positive and agents >= 1")
    lam, mu, theta, n = arrival_rate, 1.0 / aht, 1.0 / patience, agents
    pi = _stationary(lam, mu, theta, n)
    p_wait = math.fsum(pi[n:])
    mean_queue = math.fsum((k - n) * pi[k] for k in range(n + 1, len(pi)))
    p_abandon = theta * mean_queue / lam
    # A caller finding k >= n in the system is (k - n + 1)-th in line.
    places = len(pi) - n
    rates = [0.0] + [n * mu + (i - 1) * theta for i in range(1, places + 1)]
    served_wait = 0.0  # E[wait ; answered]
    p_served, wait_sum = 1.0, 0.0
    for i in range(1, places + 1):
        p_served *= rates[i] / (rates[i] + theta)
        wait_sum += 1.0 / (rates[i] + theta)
        served_wait += pi[n + i - 1] * p_served * wait_sum
    answered = 1.0 - p_abandon
    asa = served_wait / answered if answered > 0 else math.inf
    within = _answered_within(rates, theta, target_s)
    sl = math.fsum(pi[:n]) + math.fsum(pi[n + i - 1] * within[i] for i in range(1, places + 1))
    return ErlangA(n, lam * aht, p_wait, p_abandon, asa, mean_queue / lam, sl, target_s, mean_queue)


def per_second(calls: float, per_s: float = 3600.0) -> float:
    """A rate in calls per second from ``calls`` per ``per_s`` seconds (default: per hour)."""
    return calls / per_s
