"""Frames waiting for a console go out together in one websocket message (a JSON array),
in order, pops first; a lone frame stays a plain object; the cap splits a backlog."""

from __future__ import annotations

import asyncio
import json

from acd.events import AgentStateChanged
from agent_console.connection import BATCH_FRAMES, Connection
from agent_console.scope import Scope
from tests.console.test_hub import Sink, agent_conn, make_hub, offer, settle, supervisor, writing


def state(i: int, agent: str = "1001") -> AgentStateChanged:
    return AgentStateChanged(at=float(i), agent=agent, state="ready" if i % 2 else "not_ready",
                             previous="x", reason=str(i))


def reasons(frames: list[dict]) -> list[int]:
    return [int(f["reason"]) for f in frames if f["type"] == "agent_state" and f.get("reason") is not None]


async def test_frames_waiting_go_out_as_one_array_with_the_pop_first():
    hub, _, bus = make_hub(maxsize=64)
    hub.start()
    gate = asyncio.Event()
    sink = Sink(gate)
    conn = agent_conn(hub, sink)
    async with writing(hub, conn):
        await settle(lambda: conn.pending() == 0)  # the writer is stuck sending the snapshot
        for i in range(5):
            bus.publish(state(i))
        bus.publish(offer("1001", "call-pop"))
        await settle(lambda: conn.pending() == 6)
        gate.set()
        await settle(lambda: len(sink.frames) == 7)
    assert len(sink.messages) == 2
    assert json.loads(sink.messages[0])["type"] == "snapshot"
    batch = json.loads(sink.messages[1])
    assert isinstance(batch, list)
    assert [f["type"] for f in batch] == ["screen_pop"] + ["agent_state"] * 5
    assert batch[0]["call_id"] == "call-pop" and batch[0]["customer"]["name"] == "张安娜"
    assert reasons(batch) == [0, 1, 2, 3, 4]


async def test_a_lone_frame_is_a_plain_object():
    hub, _, bus = make_hub()
    hub.start()
    sink = Sink()
    conn = supervisor(hub, sink)
    async with writing(hub, conn):
        await settle(lambda: len(sink.messages) == 1)
        bus.publish(state(7, "1002"))
        await settle(lambda: len(sink.messages) == 2)
    msg = json.loads(sink.messages[1])
    assert isinstance(msg, dict) and msg["type"] == "agent_state" and msg["agent"] == "1002"


async def test_the_cap_splits_a_long_backlog_and_loses_nothing():
    n = 2 * BATCH_FRAMES + 44
    hub, _, bus = make_hub(maxsize=1000)
    hub.start()
    gate = asyncio.Event()
    sink = Sink(gate)
    conn = supervisor(hub, sink)
    async with writing(hub, conn):
        await settle(lambda: conn.pending() == 0)
        for i in range(n):
            bus.publish(state(i, f"{1001 + i % 3}"))
        assert conn.pending() == n and not conn.lagged
        gate.set()
        await settle(lambda: len(sink.frames) == 1 + n)
    batches = [json.loads(m) for m in sink.messages[1:]]
    assert [len(b) for b in batches] == [BATCH_FRAMES, BATCH_FRAMES, 44]
    assert reasons(sink.frames) == list(range(n))
    assert conn.resyncs == 0


def test_the_size_cap_splits_messages_and_frames_are_not_re_encoded():
    conn = Connection(username="sup", role="supervisor", agent=None, scope=Scope(agents=None),
                      send=Sink().send, maxsize=100)
    frames = [json.dumps({"type": "agent_state", "reason": f"{i:02d}", "pad": "张" * 20}) for i in range(10)]
    for f in frames:
        conn.offer(f)
    conn.offer('{"type":"screen_pop"}', urgent=True)
    cap = 2 + len(frames[0]) * 3 + 2  # room for three frames and their commas
    out = []
    while (msg := conn.next_message(max_chars=cap)) is not None:
        assert len(msg) <= cap
        out.append(msg)
    assert out[0] == "[" + ",".join(['{"type":"screen_pop"}', frames[0], frames[1]]) + "]"
    assert out[1:] == ["[" + ",".join(frames[i:i + 3]) + "]" for i in (2, 5)] + [
        "[" + ",".join(frames[8:]) + "]"]
    # a frame longer than the cap still goes, alone and as it is
    big = json.dumps({"type": "queue", "pad": "x" * 500})
    conn.offer(big)
    conn.offer(frames[0])
    assert conn.next_message(max_chars=100) == big
    assert conn.next_message(max_chars=100) == frames[0]
    assert conn.next_message() is None


async def test_a_supervisors_state_changes_keep_their_order_across_batches():
    """Events keep arriving while the writer sends: every message carries what piled up
    meanwhile, and the supervisor sees every agent's changes exactly once, in order."""
    hub, _, bus = make_hub(maxsize=1000)
    hub.start()
    sink = Sink()
    conn = supervisor(hub, sink)
    async with writing(hub, conn):
        await settle(lambda: len(sink.messages) == 1)
        n = 600
        for i in range(n):
            bus.publish(state(i, f"{1001 + i % 3}"))
            if i % 7 == 0:
                await asyncio.sleep(0)  # the writer gets a turn now and then
        await settle(lambda: len(sink.frames) == 1 + n, tries=2000)
    assert reasons(sink.frames) == list(range(n))
    for agent in ("1001", "1002", "1003"):
        mine = [int(f["reason"]) for f in sink.frames[1:] if f["agent"] == agent]
        assert mine == sorted(mine) and len(mine) == n // 3
    arrays = [m for m in sink.messages[1:] if m.startswith("[")]
    assert len(arrays) >= 2 and len(sink.messages) < 1 + n  # batched, over several messages
    assert conn.resyncs == 0


async def test_a_monitor_s_burst_waits_for_its_interval_but_an_agent_s_console_does_not():
    hub, _, bus = make_hub(maxsize=64, pace=3600.0)
    hub.start()
    sup_sink, agent_sink = Sink(), Sink()
    sup, agent = supervisor(hub, sup_sink), agent_conn(hub, agent_sink)
    async with writing(hub, sup, agent):
        await settle(lambda: len(sup_sink.messages) == 1 and len(agent_sink.messages) == 1)  # snapshots
        bus.publish(state(0))  # the first change after a quiet spell: at once, to both
        await settle(lambda: len(sup_sink.messages) == 2 and len(agent_sink.messages) == 2)
        for i in (1, 2, 3):
            bus.publish(state(i))
        await settle(lambda: reasons(agent_sink.frames) == [0, 1, 2, 3])  # the agent's: at once
        for _ in range(50):
            await asyncio.sleep(0)
        assert len(sup_sink.messages) == 2 and sup.pending() == 3  # the monitor's burst waits


async def test_a_monitor_s_burst_goes_out_as_one_message_after_the_interval():
    hub, _, bus = make_hub(maxsize=64, pace=0.02)
    hub.start()
    sink = Sink()
    sup = supervisor(hub, sink)
    async with writing(hub, sup):
        await settle(lambda: len(sink.messages) == 1)
        bus.publish(state(0))
        await settle(lambda: len(sink.messages) == 2)
        for i in (1, 2, 3):
            bus.publish(state(i))
        for _ in range(100):  # waits for the 20 ms interval (loop time), then one message
            if len(sink.messages) == 3:
                break
            await asyncio.sleep(0.005)
    assert len(sink.messages) == 3
    assert reasons(json.loads(sink.messages[2])) == [1, 2, 3]
    assert reasons(sink.frames) == [0, 1, 2, 3]
