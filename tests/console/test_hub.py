"""The hub under a slow consumer, and alarms."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from acd.events import AgentStateChanged, CallOffered
from agent_console.config import AlarmThresholds, ConsoleConfig
from agent_console.hub import Connection, Hub
from agent_console.scope import Scope
from hotline.clock import ManualClock
from hotline.events import EventBus
from tests.console.conftest import fake_lookup
from tests.console.fake_center import FakeCenter
from tests.console.wsutil import frames_of


def make_hub(maxsize: int = 8, alarms: AlarmThresholds | None = None,
             pace: float = 0.0) -> tuple[Hub, FakeCenter, EventBus]:
    bus, clock = EventBus(), ManualClock()
    center = FakeCenter(bus, clock)
    for i in range(3):
        center.add_agent(f"{1001 + i}", f"agent {i}", ("sales",))
    cfg = ConsoleConfig(ws_queue_size=maxsize, refresh_interval_s=3600, alarms=alarms or AlarmThresholds(),
                        monitor_frame_interval_s=pace)
    return Hub(bus=bus, center=center, clock=clock, lookup=fake_lookup, config=cfg), center, bus


class Sink:
    """A console's socket: ``messages`` as sent, ``frames`` as the page handles them."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.messages: list[str] = []
        self.frames: list[dict] = []
        self.gate = gate

    async def send(self, text: str) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.messages.append(text)
        self.frames.extend(frames_of(text))


def supervisor(hub: Hub, sink: Sink) -> Connection:
    c = Connection(username="sup", role="supervisor", agent=None, scope=Scope(agents=None), send=sink.send,
                   maxsize=hub.config.ws_queue_size)
    hub.attach(c)
    return c


@contextlib.asynccontextmanager
async def writing(hub: Hub, *conns: Connection) -> AsyncIterator[None]:
    """Run the writers of ``conns``; always detach and stop, so a failing test cannot hang."""
    writers = [asyncio.create_task(hub.run_writer(c)) for c in conns]
    try:
        yield
    finally:
        for c in conns:
            hub.detach(c)
        for w in writers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(w, 1)
        await hub.stop()


async def settle(predicate, tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


async def test_slow_consumer_is_resynced_and_does_not_slow_the_others():
    hub, _, bus = make_hub(maxsize=8)
    hub.start()
    gate = asyncio.Event()
    fast, slow = Sink(), Sink(gate)
    cf, cs = supervisor(hub, fast), supervisor(hub, slow)
    writers = [asyncio.create_task(hub.run_writer(c)) for c in (cf, cs)]
    try:
        await _slow_consumer_scenario(hub, bus, gate, fast, slow, cf, cs)
    finally:
        gate.set()
        for c in (cf, cs):
            hub.detach(c)
        for w in writers:
            await asyncio.wait_for(w, 1)
        await hub.stop()


async def _slow_consumer_scenario(hub, bus, gate, fast, slow, cf, cs):
    await settle(lambda: len(fast.frames) == 1)
    n = 100
    for i in range(n):  # publish never waits: all 100 go out while the slow console is stuck
        bus.publish(AgentStateChanged(at=float(i), agent="1001", state="ready" if i % 2 else "not_ready",
                                      previous="x", reason=str(i)))
        await settle(lambda: not cf._buf)  # the fast console keeps up; the slow one is stuck
    await settle(lambda: fast.frames[-1].get("reason") == str(n - 1))
    deltas = [f for f in fast.frames if f["type"] == "agent_state" and f.get("reason") is not None]
    assert [int(f["reason"]) for f in deltas] == list(range(n))
    assert cs.lagged and slow.frames == []
    gate.set()
    await settle(lambda: any(f["type"] == "resync" for f in slow.frames) and slow.frames[-1]["type"] == "snapshot")
    kinds = [f["type"] for f in slow.frames]
    assert kinds[0] == "snapshot" and "resync" in kinds and kinds[-1] == "snapshot"
    assert cs.resyncs == 1 and cf.resyncs == 0
    # after the resync the slow console gets deltas again
    bus.publish(AgentStateChanged(at=1e3, agent="1002", state="ready", previous="not_ready"))
    await settle(lambda: slow.frames[-1].get("agent") == "1002")


async def test_alarms_raise_and_clear_for_supervisors():
    hub, center, _ = make_hub(alarms=AlarmThresholds(max_waiting=1, max_longest_wait_s=30, sl_min_calls=1))
    hub.start()
    sink = Sink()
    conn = supervisor(hub, sink)
    async with writing(hub, conn):
        await _alarm_scenario(hub, center, sink)


async def _alarm_scenario(hub: Hub, center: FakeCenter, sink: Sink) -> None:
    a = center.queue_call("sales", "1")
    b = center.queue_call("sales", "2")
    await hub.refresh()
    await settle(lambda: any(f["type"] == "alarm" for f in sink.frames))
    assert [(f["kind"], f["active"]) for f in sink.frames if f["type"] == "alarm"] == [("waiting", True)]
    center.clock.advance(31)
    await hub.refresh()
    center.abandon(a, "sales")
    center.abandon(b, "sales")
    await hub.refresh()
    await settle(lambda: len([f for f in sink.frames if f["type"] == "alarm"]) >= 5)
    alarms = [(f["kind"], f["active"]) for f in sink.frames if f["type"] == "alarm"]
    assert alarms == [("waiting", True), ("longest_wait", True), ("service_level", True),
                      ("waiting", False), ("longest_wait", False)]
    assert set(hub.active_alarms) == {("sales", "service_level")}
    queue_frames = [f["queue"] for f in sink.frames if f["type"] == "queue"]
    assert queue_frames[-1]["abandoned_today"] == 2 and queue_frames[-1]["service_level"] == 0.0


async def test_events_from_another_thread_are_handed_to_the_loop():
    hub, _, bus = make_hub()
    hub.start()
    sink = Sink()
    conn = supervisor(hub, sink)
    async with writing(hub, conn):
        await asyncio.to_thread(bus.publish, AgentStateChanged(at=1.0, agent="1003", state="ready", previous="x"))
        await settle(lambda: any(f.get("agent") == "1003" for f in sink.frames))


def agent_conn(hub: Hub, sink: Sink, agent: str = "1001") -> Connection:
    c = Connection(username="alice", role="agent", agent=agent, scope=Scope(agents=frozenset({agent}), queues=frozenset({"sales"})),
                   send=sink.send, maxsize=hub.config.ws_queue_size)
    hub.attach(c)
    return c


def offer(agent: str, call_id: str) -> CallOffered:
    return CallOffered(at=1.0, call_id=call_id, queue="sales", agent=agent, caller_num="13800000001",
                       caller_name="", customer_id=None, skills=("sales",), ivr_path=("main",), waited_s=1.0)


async def test_screen_pop_overtakes_wallboard_frames_already_waiting():
    hub, center, bus = make_hub(maxsize=64)
    hub.agent_queue_interval_s = 0.0  # the agent gets every queue refresh in this test
    hub.start()
    await hub.refresh()  # primed
    gate = asyncio.Event()
    sink = Sink(gate)
    conn = agent_conn(hub, sink)
    async with writing(hub, conn):
        await settle(lambda: conn.pending() == 0)  # the writer is stuck sending the snapshot
        for i in range(5):  # wallboard and state frames pile up behind the stuck snapshot
            center.queue_call("sales", f"2{i}")
            await hub.refresh()
            bus.publish(AgentStateChanged(at=float(i), agent="1001", state="not_ready", previous="ready",
                                          reason=str(i)))
        waiting = conn.pending()
        assert waiting >= 6
        bus.publish(offer("1001", "call-pop"))
        await settle(lambda: conn.pending() == waiting + 1)
        gate.set()
        await settle(lambda: len(sink.frames) == 1 + waiting + 1)
    kinds = [f["type"] for f in sink.frames]
    assert kinds[:2] == ["snapshot", "screen_pop"], kinds
    assert sink.frames[1]["call_id"] == "call-pop" and sink.frames[1]["customer"]["name"] == "张安娜"
    # nothing else was lost or reordered: the five state changes in order, then the queue frame
    assert [f["reason"] for f in sink.frames if f.get("reason") is not None] == [str(i) for i in range(5)]


async def test_queue_frames_are_coalesced_and_the_latest_state_wins():
    hub, center, bus = make_hub(maxsize=64)
    hub.wallboard_interval_s = 3600.0  # the trailing refresh never comes by itself in this test
    hub.start()
    await hub.refresh()
    sink = Sink()
    conn = supervisor(hub, sink)
    async with writing(hub, conn):
        await settle(lambda: len(sink.frames) == 1)
        hub._last_refresh = float("-inf")  # idle wallboard: the first change goes out at once
        center.queue_call("sales", "30")
        await settle(lambda: any(f["type"] == "queue" for f in sink.frames))
        for i in range(1, 10):  # nine more changes, each given every chance to go out on its own
            center.queue_call("sales", f"3{i}")
            for _ in range(5):
                await asyncio.sleep(0)
        queue_frames = [f["queue"] for f in sink.frames if f["type"] == "queue"]
        assert [q["waiting"] for q in queue_frames] == [1]  # 10 changes, one frame so far
        assert hub._dirty  # the rest waits for the end of the interval
        await hub.refresh()  # what the coalesced refresh does then
        await settle(lambda: len([f for f in sink.frames if f["type"] == "queue"]) == 2)
    assert [f["queue"]["waiting"] for f in sink.frames if f["type"] == "queue"] == [1, 10]


async def test_an_unsent_queue_frame_is_replaced_by_the_newer_one():
    hub, _, _ = make_hub(maxsize=8)
    conn = Connection(username="sup", role="supervisor", agent=None, scope=Scope(agents=None),
                      send=Sink().send, maxsize=8)
    for i in range(20):  # a console behind by 20 refreshes holds one frame per queue, not 20
        conn.offer(json.dumps({"type": "queue", "queue": {"queue": "sales", "waiting": i}}), latest="queue:sales")
        conn.offer(json.dumps({"type": "queue", "queue": {"queue": "vip", "waiting": i}}), latest="queue:vip")
    conn.offer('{"type":"agent_state"}')
    assert not conn.lagged and conn.pending() == 3
    sent = [json.loads(conn.next_frame() or "null") for _ in range(3)]
    assert [(f["type"], f.get("queue", {}).get("waiting")) for f in sent] == [
        ("queue", 19), ("queue", 19), ("agent_state", None)]
    assert conn.next_frame() is None
    conn.offer(json.dumps({"type": "queue", "queue": {"queue": "sales", "waiting": 20}}), latest="queue:sales")
    assert conn.pending() == 1  # once sent, a key starts a new frame
    await hub.stop()


async def test_simultaneous_connects_share_one_snapshot_until_an_event():
    hub, center, bus = make_hub()
    hub.start()
    calls = 0
    real = center.snapshot

    async def counting():
        nonlocal calls
        calls += 1
        return await real()

    center.snapshot = counting  # type: ignore[method-assign]
    sinks = [Sink() for _ in range(5)]
    conns = [supervisor(hub, s) for s in sinks]
    async with writing(hub, *conns):
        await settle(lambda: all(s.frames for s in sinks))
        first = calls
        assert first <= 2  # the hub's priming refresh and the five consoles: at most one more
        bus.publish(AgentStateChanged(at=5.0, agent="1002", state="ready", previous="logged_out"))
        late = Sink()
        conn = supervisor(hub, late)
        task = asyncio.create_task(hub.run_writer(conn))
        await settle(lambda: bool(late.frames))
        hub.detach(conn)
        await asyncio.wait_for(task, 1)
    assert calls > first  # an event makes the cached snapshot stale
    snap = late.frames[0]
    assert {a["agent"]: a["state"] for a in snap["agents"]}["1002"] == center.agents["1002"].state
    assert [a["agent"] for a in snap["agents"]] == [a["agent"] for a in sinks[0].frames[0]["agents"]]


async def test_agents_consoles_get_queue_figures_at_a_slower_cadence_than_monitors():
    hub, center, _ = make_hub(maxsize=64)
    hub.agent_queue_interval_s = 3600.0
    hub.start()
    await hub.refresh()  # primed: the agents' cadence starts now
    sup_sink, agent_sink = Sink(), Sink()
    sup, agent = supervisor(hub, sup_sink), agent_conn(hub, agent_sink)
    async with writing(hub, sup, agent):
        await settle(lambda: len(sup_sink.frames) == 1 and len(agent_sink.frames) == 1)
        for i in range(3):
            center.queue_call("sales", f"4{i}")
            await hub.refresh()
        await settle(lambda: [f["queue"]["waiting"] for f in sup_sink.frames if f["type"] == "queue"][-1:] == [3])
        assert not [f for f in agent_sink.frames if f["type"] == "queue"]
        agent.queue_due = float("-inf")  # the agent's interval is over
        await hub.refresh()
        await settle(lambda: any(f["type"] == "queue" for f in agent_sink.frames))
    assert [f["queue"]["waiting"] for f in agent_sink.frames if f["type"] == "queue"] == [3]  # the latest


async def test_agents_consoles_get_queue_figures_each_at_its_own_phase():
    hub, center, _ = make_hub(maxsize=64)
    hub.agent_queue_interval_s = 2.0
    hub.start()
    await hub.refresh()  # primed
    sinks = [Sink() for _ in range(8)]
    conns = [agent_conn(hub, sink, agent="1001") for sink in sinks]
    now = asyncio.get_running_loop().time()
    phases = sorted(c.queue_due - now for c in conns)
    assert all(-0.5 <= p < 2.0 for p in phases) and len({round(p, 3) for p in phases}) == 8
    async with writing(hub, *conns):
        await settle(lambda: all(len(s.frames) == 1 for s in sinks))  # snapshots
        for c in conns[:3]:
            c.queue_due = float("-inf")
        for c in conns[3:]:
            c.queue_due = float("inf")
        center.queue_call("sales", "51")
        await hub.refresh()
        await settle(lambda: all(any(f["type"] == "queue" for f in s.frames) for s in sinks[:3]))
        assert not any(f["type"] == "queue" for s in sinks[3:] for f in s.frames)
        assert hub._dirty  # another refresh comes for the consoles still waiting
        center.queue_call("sales", "52")
        assert all(c.queue_due > asyncio.get_running_loop().time() for c in conns[:3])  # served
        for c in conns:
            c.queue_due = float("-inf")
        await hub.refresh()
        await settle(lambda: all(any(f["type"] == "queue" for f in s.frames) for s in sinks))

    def waiting(sink: Sink) -> list[int]:
        return [f["queue"]["waiting"] for f in sink.frames if f["type"] == "queue"]

    assert all(waiting(s)[-1] == 2 for s in sinks)
    assert all(waiting(s) == [1, 2] for s in sinks[:3]) and all(waiting(s) == [2] for s in sinks[3:])
