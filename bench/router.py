"""Router latency: 2,000 agents, 40 skills, ~500 waiting calls, a stream of state changes
and arrivals. Ours (acd.core.Router, indexed) against a baseline in this file that walks
every queue x member on each change and scans members / callers linearly to match, as
Asterisk's app_queue does, and against the peer a developer would pick instead: sorted
ready lists and caller lists per queue kept with ``bisect`` (SortedReadyRouter).

    .venv/bin/python bench/router.py            # default: ~30 s
    .venv/bin/python bench/router.py --full     # more events

Both engines run in interleaved rounds (so they share the machine's noise); the figures
are those of the median round. Prints decisions/s and p50/p99 per event for both, then one
JSON line per metric.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from acd.core import (  # noqa: E402
    Agent,
    AgentLoggedIn,
    AgentNotReady,
    AgentReady,
    CallArrived,
    CallEnded,
    CallLeft,
    Command,
    Membership,
    Offer,
    OfferAccepted,
    QueueConfig,
    Relaxation,
    Router,
    RouterEvent,
    Tick,
    WaitingCall,
)

N_AGENTS, N_SKILLS, N_QUEUES, TARGET_WAITING = 2000, 40, 20, 500
TARGET_P99_US = 50.0
# Each queue's callers may also need one of three secondary skills (product lines picked
# in the IVR): requirements come from menus, so a queue sees a handful of combinations.
PRODUCTS = {f"q{i:02d}": [f"s{(N_QUEUES + (3 * i + k) % N_QUEUES):02d}" for k in range(3)]
            for i in range(N_QUEUES)}


class LinearRouter:
    """The baseline: app_queue's way. Every agent state change walks every queue x member
    (device-state callback); a call arriving walks its queue's members; an agent freed
    walks the callers of its queues; relaxation is re-checked by walking the callers."""

    def __init__(self, queues: list[QueueConfig]) -> None:
        self.cfg = {q.name: q for q in queues}
        self.members: dict[str, list[list]] = {q.name: [] for q in queues}  # [agent, status]
        self.calls: dict[str, list[WaitingCall]] = {q.name: [] for q in queues}
        self.agents: dict[str, Agent] = {}
        self.state: dict[str, str] = {}
        self.idle: dict[str, float] = {}
        self.relaxed: set[str] = set()

    def _device_state(self, aid: str, state: str) -> None:
        self.state[aid] = state
        for members in self.members.values():
            for m in members:
                if m[0].id == aid:
                    m[1] = state

    def _minp(self, call: WaitingCall, now: float) -> int:
        return 2 if now - call.enqueued_at >= 30 else call.min_proficiency

    def _score(self, agent: Agent, call: WaitingCall, minp: int) -> int | None:
        if call.language is not None and call.language not in agent.languages:
            return None
        level = min(agent.skills.get(s, 0) for s in call.skills)
        return level if level >= minp else None

    def _agent_for(self, call: WaitingCall, now: float) -> Agent | None:
        best: tuple[int, float] | None = None
        found = None
        minp = self._minp(call, now)
        for agent, status in self.members[call.queue]:
            if status != "ready":
                continue
            s = self._score(agent, call, minp)
            if s is not None and (best is None or (s, -self.idle[agent.id]) > best):
                best, found = (s, -self.idle[agent.id]), agent
        return found

    def _offer(self, call: WaitingCall, agent: Agent, now: float) -> list[Command]:
        self.calls[call.queue].remove(call)
        self._device_state(agent.id, "busy")
        return [Offer(now, call.id, agent.id, call.queue, "linear", now - call.enqueued_at, 0)]

    def _call_for(self, aid: str, now: float) -> list[Command]:
        agent = self.agents[aid]
        best, found = None, None
        for queue, m in agent.queues.items():
            for call in self.calls[queue]:
                if self._score(agent, call, self._minp(call, now)) is not None:
                    key = (m.priority, call.priority, (now - call.enqueued_at) * m.weight)
                    if best is None or key > best:
                        best, found = key, call
                    break  # calls are in order: the first eligible is this queue's best
        return self._offer(found, agent, now) if found is not None else []

    def handle(self, e: RouterEvent) -> list[Command]:
        now = e.at
        if isinstance(e, AgentLoggedIn):
            self.agents[e.agent.id] = e.agent
            for q in e.agent.queues:
                self.members[q].append([e.agent, "not_ready"])
            self._device_state(e.agent.id, "not_ready")
        elif isinstance(e, AgentReady | CallEnded):
            self.idle[e.agent_id] = now
            self._device_state(e.agent_id, "ready")
            return self._call_for(e.agent_id, now)
        elif isinstance(e, AgentNotReady):
            self._device_state(e.agent_id, "not_ready")
        elif isinstance(e, OfferAccepted):
            self._device_state(e.agent_id, "busy")
        elif isinstance(e, CallArrived):
            calls = self.calls[e.call.queue]
            calls.append(e.call)
            calls.sort(key=lambda c: (-c.priority, c.enqueued_at))
            agent = self._agent_for(e.call, now)
            return self._offer(e.call, agent, now) if agent is not None else []
        elif isinstance(e, CallLeft):
            for calls in self.calls.values():
                for c in calls:
                    if c.id == e.call_id:
                        calls.remove(c)
                        return []
        elif isinstance(e, Tick):
            out: list[Command] = []
            for calls in self.calls.values():
                for c in list(calls):
                    if now - c.enqueued_at >= 30 and c.id not in self.relaxed:
                        self.relaxed.add(c.id)
                        agent = self._agent_for(c, now)
                        if agent is not None:
                            out += self._offer(c, agent, now)
            return out
        return []


class SortedReadyRouter:
    """The peer a developer would write: per queue, the ready agents in a sorted list
    (best level in the queue's skill first, then longest idle) and the callers in a sorted
    list (priority, then arrival), both kept with ``bisect``; an agent's change touches only
    its own queues. A call takes the first eligible agent in its queue's order (secondary
    skills and language checked on the way); a freed agent takes the first eligible caller
    of its queues, best membership priority / weighted wait first. Relaxation after 30 s."""

    def __init__(self, queues: list[QueueConfig]) -> None:
        self.cfg = {q.name: q for q in queues}
        self.ready: dict[str, list[tuple[int, float, str]]] = {q.name: [] for q in queues}
        self.calls: dict[str, list[tuple[int, float, str]]] = {q.name: [] for q in queues}
        self.by_id: dict[str, WaitingCall] = {}
        self.agents: dict[str, Agent] = {}
        self.keys: dict[str, dict[str, tuple[int, float, str]]] = {}  # agent -> queue -> key
        self.relaxed: set[str] = set()

    def _minp(self, call: WaitingCall, now: float) -> int:
        return 2 if now - call.enqueued_at >= 30 else call.min_proficiency

    def _eligible(self, agent: Agent, call: WaitingCall, now: float) -> bool:
        if call.language is not None and call.language not in agent.languages:
            return False
        return min(agent.skills.get(s, 0) for s in call.skills) >= self._minp(call, now)

    def _set_ready(self, aid: str, now: float) -> None:
        agent = self.agents[aid]
        keys = self.keys.setdefault(aid, {})
        for q in agent.queues:
            key = (-agent.skills.get(self.cfg[q].skills[0], 0), now, aid)
            bisect.insort(self.ready[q], key)
            keys[q] = key

    def _set_busy(self, aid: str) -> None:
        for q, key in self.keys.pop(aid, {}).items():
            lst = self.ready[q]
            i = bisect.bisect_left(lst, key)
            if i < len(lst) and lst[i] == key:
                del lst[i]

    def _remove_call(self, call: WaitingCall) -> None:
        lst = self.calls[call.queue]
        key = (-call.priority, call.enqueued_at, call.id)
        i = bisect.bisect_left(lst, key)
        if i < len(lst) and lst[i] == key:
            del lst[i]
        self.by_id.pop(call.id, None)

    def _offer(self, call: WaitingCall, aid: str, now: float) -> list[Command]:
        self._remove_call(call)
        self._set_busy(aid)
        return [Offer(now, call.id, aid, call.queue, "sorted", now - call.enqueued_at, 0)]

    def _agent_for(self, call: WaitingCall, now: float) -> str | None:
        for _lvl, _idle, aid in self.ready[call.queue]:
            if self._eligible(self.agents[aid], call, now):
                return aid
        return None

    def _call_for(self, aid: str, now: float) -> list[Command]:
        agent = self.agents[aid]
        best, found = None, None
        for queue, m in agent.queues.items():
            for _p, _t, cid in self.calls[queue]:
                call = self.by_id[cid]
                if self._eligible(agent, call, now):
                    key = (m.priority, call.priority, (now - call.enqueued_at) * m.weight)
                    if best is None or key > best:
                        best, found = key, call
                    break
        return self._offer(found, aid, now) if found is not None else []

    def handle(self, e: RouterEvent) -> list[Command]:
        now = e.at
        if isinstance(e, AgentLoggedIn):
            self.agents[e.agent.id] = e.agent
        elif isinstance(e, AgentReady | CallEnded):
            self._set_ready(e.agent_id, now)
            out = self._call_for(e.agent_id, now)
            return out
        elif isinstance(e, AgentNotReady | OfferAccepted):
            self._set_busy(e.agent_id)
        elif isinstance(e, CallArrived):
            call = e.call
            self.by_id[call.id] = call
            bisect.insort(self.calls[call.queue], (-call.priority, call.enqueued_at, call.id))
            aid = self._agent_for(call, now)
            return self._offer(call, aid, now) if aid is not None else []
        elif isinstance(e, CallLeft):
            call = self.by_id.get(e.call_id)
            if call is not None:
                self._remove_call(call)
        elif isinstance(e, Tick):
            out: list[Command] = []
            for lst in self.calls.values():
                for _p, _t, cid in list(lst):
                    c = self.by_id.get(cid)
                    if c is None or now - c.enqueued_at < 30:
                        continue
                    if c.id not in self.relaxed:
                        self.relaxed.add(c.id)
                        aid = self._agent_for(c, now)
                        if aid is not None:
                            out += self._offer(c, aid, now)
            return out
        return []


class Engine(Protocol):
    def handle(self, event: RouterEvent) -> list[Command]: ...


def build(seed: int) -> tuple[list[QueueConfig], list[Agent]]:
    rng = random.Random(seed)
    skills = [f"s{i:02d}" for i in range(N_SKILLS)]
    queues = [QueueConfig(f"q{i:02d}", skills=(skills[i],), min_proficiency=4, wrap_up_s=0,
                          ring_timeout_s=1e9,
                          relaxations=(Relaxation(30, min_proficiency=2),))
              for i in range(N_QUEUES)]
    agents = []
    for i in range(N_AGENTS):
        own = rng.sample(skills, rng.randint(4, 8))
        levels = {s: rng.randint(1, 10) for s in own}
        member = [q for q in queues if q.skills[0] in levels][:5] or [queues[i % N_QUEUES]]
        langs = frozenset({"en", "zh"} if rng.random() < 0.4 else {"en"})
        agents.append(Agent(f"a{i:04d}", levels, langs,
                            queues={q.name: Membership(weight=rng.choice((1, 1, 2)),
                                                       priority=rng.choice((0, 0, 1)))
                                    for q in member}))
    return queues, agents


class Driver:
    """Generates the same kind of stream for any engine, reacting to its offers."""

    def __init__(self, engine: Engine, queues: list[QueueConfig], agents: list[Agent],
                 seed: int) -> None:
        self.engine, self.queues, self.agents = engine, queues, agents
        self.rng = random.Random(seed)
        self.t = 0.0
        self.n = 0
        self.waiting: dict[str, None] = {}
        self.on_call: dict[str, str] = {}  # agent -> call
        self.not_ready: dict[str, None] = {}
        self.idle: dict[str, None] = {}
        self.latencies: list[int] = []
        self.decisions = 0
        self.target_waiting = TARGET_WAITING
        self.max_on_call: int | None = None

    def send(self, event: RouterEvent, measure: bool) -> None:
        t0 = time.perf_counter_ns()
        out = self.engine.handle(event)
        dt = time.perf_counter_ns() - t0
        if measure:
            self.latencies.append(dt)
        for cmd in out:
            if isinstance(cmd, Offer):
                self.decisions += measure
                self.waiting.pop(cmd.call_id, None)
                self.idle.pop(cmd.agent_id, None)
                self.on_call[cmd.agent_id] = cmd.call_id
                self.send(OfferAccepted(self.t, cmd.call_id, cmd.agent_id), measure)

    def arrival(self, measure: bool) -> None:
        self.n += 1
        q = self.rng.choice(self.queues)
        skills = q.skills
        if self.rng.random() < 0.3:  # a product line of the queue, chosen in the IVR
            skills = (*skills, self.rng.choice(PRODUCTS[q.name]))
        call = WaitingCall(f"c{self.n}", q.name, skills, 4,
                           "zh" if self.rng.random() < 0.2 else None,
                           1 if self.rng.random() < 0.1 else 0, self.t)
        self.waiting[call.id] = None
        self.send(CallArrived(self.t, call), measure)

    def setup(self) -> None:
        for a in self.agents:
            self.send(AgentLoggedIn(self.t, a), False)
            self.send(AgentReady(self.t, a.id), False)
            self.idle[a.id] = None
        while len(self.waiting) < self.target_waiting:
            self.t += 0.001
            self.arrival(False)

    def step(self, measure: bool) -> None:
        rng = self.rng
        self.t += 0.01
        r = rng.random()
        if self.max_on_call is not None and len(self.on_call) > self.max_on_call:
            r = 0.0  # the idle scenario: agents free up as fast as calls come
        if r < 0.30 and self.on_call:
            agent = rng.choice(list(self.on_call)) if len(self.on_call) < 64 else \
                next(iter(self.on_call))
            call = self.on_call.pop(agent)
            self.idle[agent] = None
            self.send(CallEnded(self.t, call, agent), measure)  # wrap-up 0: ready at once
        elif r < 0.80 or not self.waiting:
            if len(self.waiting) <= self.target_waiting * 1.1:
                self.arrival(measure)
        elif r < 0.85:
            call = next(iter(self.waiting))
            del self.waiting[call]
            self.send(CallLeft(self.t, call), measure)
        elif r < 0.95:
            if self.not_ready and rng.random() < 0.5:
                agent = next(iter(self.not_ready))
                del self.not_ready[agent]
                self.idle[agent] = None
                self.send(AgentReady(self.t, agent), measure)
            elif self.idle:
                agent = next(iter(self.idle))
                del self.idle[agent]
                self.not_ready[agent] = None
                self.send(AgentNotReady(self.t, agent, "break"), measure)
        else:
            self.send(Tick(self.t), measure)


def _summary(lat: list[int], decisions: int) -> dict[str, float]:
    lat = sorted(lat)
    handled = sum(lat) / 1e9
    return {"events": len(lat), "p50_us": lat[len(lat) // 2] / 1000,
            "p99_us": lat[min(len(lat) - 1, int(0.99 * len(lat)))] / 1000,
            "max_us": lat[-1] / 1000, "decisions_per_s": decisions / handled if handled else 0.0}


def run(engines: dict[str, Callable[[list[QueueConfig]], Engine]], events: dict[str, int],
        rounds: int, seed: int, idle: bool = False) -> dict[str, dict[str, float]]:
    """Interleave rounds of every engine so both see the same machine noise; report the
    median round (p99 of one round of events) per engine."""
    queues, agents = build(seed)
    drivers = {name: Driver(make(queues), queues, agents, seed) for name, make in engines.items()}
    for d in drivers.values():
        if idle:  # most agents ready, about 300 on calls, hardly anyone waiting
            d.target_waiting, d.max_on_call = 0, 300
        d.setup()
        for _ in range(min(events[next(iter(events))], 2000)):
            d.step(False)  # warm-up
    per_round: dict[str, list[dict[str, float]]] = {name: [] for name in drivers}
    for _ in range(rounds):
        for name, d in drivers.items():
            d.latencies, d.decisions = [], 0
            for _ in range(events[name] // rounds):
                d.step(True)
            per_round[name].append(_summary(d.latencies, d.decisions))
    result = {}
    for name, rs in per_round.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        p99s = sorted(r["p99_us"] for r in rs)
        d = drivers[name]
        print(f"{name:>30}: {int(sum(r['events'] for r in rs)):7d} events in {rounds} rounds; "
              f"median round: p50 {med['p50_us']:7.1f} us  p99 {med['p99_us']:8.1f} us  "
              f"{med['decisions_per_s']:9.0f} decisions/s  (round p99s {p99s[0]:.1f}..{p99s[-1]:.1f} us; "
              f"waiting at end {len(d.waiting)}, on call {len(d.on_call)})", flush=True)
        result[name] = med
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="1,000,000 events for ours, 100,000 for the baseline")
    ap.add_argument("--events", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    ours_n = args.events or (1_000_000 if args.full else 150_000)
    peer_n = max(1000, ours_n // 10)
    print(f"workload: {N_AGENTS} agents, {N_SKILLS} skills, {N_QUEUES} queues, "
          f"~{TARGET_WAITING} waiting calls; {ours_n} events (baseline {peer_n})")
    engines = {"ours (indexed)": lambda qs: Router(qs),
               "peer (sorted ready lists)": SortedReadyRouter,
               "baseline (queue x member walk)": LinearRouter}
    counts = {"ours (indexed)": ours_n, "peer (sorted ready lists)": ours_n,
              "baseline (queue x member walk)": peer_n}
    res = run(engines, counts, args.rounds, args.seed)
    ours, peer, walk = (res[k] for k in engines)
    print("idle center (most agents ready, ~300 on calls): arrivals meet many ready agents")
    res = run(engines, {k: v // 3 for k, v in counts.items()}, args.rounds, args.seed, idle=True)
    ours_idle, peer_idle, walk_idle = (res[k] for k in engines)
    lines = [
        ("p99_us", ours["p99_us"], peer["p99_us"], walk["p99_us"], f"p99 < {TARGET_P99_US:g} us per event",
         ours["p99_us"] < TARGET_P99_US),
        ("p50_us", ours["p50_us"], peer["p50_us"], walk["p50_us"], "lower than the peer",
         ours["p50_us"] <= peer["p50_us"]),
        ("p99_us_idle_center", ours_idle["p99_us"], peer_idle["p99_us"], walk_idle["p99_us"],
         f"p99 < {TARGET_P99_US:g} us per event", ours_idle["p99_us"] < TARGET_P99_US),
        ("decisions_per_s", ours["decisions_per_s"], peer["decisions_per_s"], walk["decisions_per_s"],
         "higher is better", ours["decisions_per_s"] > peer["decisions_per_s"]),
    ]
    for metric, o, p, w, target, ok in lines:
        print(json.dumps({"bench": "router", "metric": metric, "ours": round(o, 2),
                          "peer": round(p, 2), "peer_name": "sorted ready list per queue (bisect)",
                          "ratio": round(o / p, 4) if p else None,
                          "app_queue_style_walk": round(w, 2), "target": target, "ok": ok}))
        # app_queue itself cannot run here (no Asterisk): its figures are not quoted
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
