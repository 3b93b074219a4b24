"""The hub under a slow consumer, and alarms."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from acd.events import AgentStateChanged
from agent_console.config import AlarmThresholds, ConsoleConfig
from agent_console.hub import Connection, Hub
from agent_console.scope import Scope
from hotline.clock import ManualClock
from hotline.events import EventBus
from tests.console.conftest import fake_lookup
from tests.console.fake_center import FakeCenter


def make_hub(maxsize: int = 8, alarms: AlarmThresholds | None = None) -> tuple[Hub, FakeCenter, EventBus]:
    bus, clock = EventBus(), ManualClock()
    center = FakeCenter(bus, clock)
    for i in range(3):
        center.add_agent(f"{1001 + i}", f"agent {i}", ("sales",))
    cfg = ConsoleConfig(ws_queue_size=maxsize, refresh_interval_s=3600, alarms=alarms or AlarmThresholds())
    return Hub(bus=bus, center=center, clock=clock, lookup=fake_lookup, config=cfg), center, bus


class Sink:
    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.frames: list[dict] = []
        self.gate = gate

    async def send(self, text: str) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.frames.append(json.loads(text))


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
