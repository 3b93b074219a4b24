"""Bad peers: silent, garbage, slow, oversized, split UTF-8, 10,000 random frames."""

from __future__ import annotations

import asyncio
import random

import pytest
from pbx_agi_support import transcript_env, wait_until

from pbx.agi.protocol import encode_env_block
from pbx.agi.session import AgiCommandError, AgiSession
from pbx.sim.agi_client import SimCaller, run_fastagi

GOOD_ENV = {"agi_network": "yes", "agi_network_script": "ivr",
            "agi_calleridname": "张安娜", "agi_callerid": "13800138000"}


async def send_and_wait_eof(port: int, *pieces: bytes, close: bool = False) -> bytes:
    """Send, then read until the server closes. A reset (the server closed with our
    bytes unread) counts as closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
        if close:
            writer.write_eof()
        return await asyncio.wait_for(reader.read(), 3)
    except ConnectionError:
        return b""
    finally:
        writer.close()


async def test_client_that_connects_and_closes_silently_is_let_go_at_once(agi_server):
    calls: list[str] = []
    server = await agi_server({"ivr": lambda s: calls.append("ran")})
    loop = asyncio.get_running_loop()
    started = loop.time()
    _, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.close()
    await wait_until(lambda: server.stats.rejected == 1 and server.live_connections == 0, 1.0)
    # It ended because of EOF, not the 5 s env timeout: no busy loop, no stuck task.
    assert loop.time() - started < 1.0
    assert calls == [] and server.stats.sessions == 0


@pytest.mark.parametrize("garbage", [
    b"GET / HTTP/1.1\r\nHost: hotline\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\n\n",
    b"agi_network yes\n\n",
])
async def test_garbage_env_is_rejected_and_closed_without_a_reply(agi_server, garbage):
    server = await agi_server({"ivr": lambda s: None})
    assert await send_and_wait_eof(server.port, garbage) == b""
    await wait_until(lambda: server.live_connections == 0)
    assert server.stats.rejected == 1 and server.stats.sessions == 0


async def test_env_that_never_ends_times_out(agi_server):
    server = await agi_server({"ivr": lambda s: None}, env_timeout_s=0.1)
    assert await send_and_wait_eof(server.port, b"agi_network: yes\n") == b""
    assert server.stats.rejected == 1


async def test_oversized_env_is_cut_off(agi_server):
    server = await agi_server({"ivr": lambda s: None}, env_max_bytes=1024)
    assert await send_and_wait_eof(server.port, b"agi_x: " + b"y" * 5000) == b""
    assert server.stats.rejected == 1


async def test_unknown_script_gets_no_reply_and_is_closed(agi_server):
    server = await agi_server({"ivr": lambda s: None})
    block = encode_env_block(GOOD_ENV | {"agi_network_script": "nosuch"})
    assert await send_and_wait_eof(server.port, block) == b""
    assert server.stats.rejected == 1


async def test_utf8_caller_name_split_across_reads_arrives_whole(agi_server, transcripts_dir):
    names: list[str] = []
    server = await agi_server({"ivr": lambda s: names.append(s.caller_name)})
    block = encode_env_block(transcript_env(transcripts_dir / "agi-01-env-and-ivr.txt"))
    cut = block.index("张".encode()) + 2  # inside the 3-byte character
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(block[:cut])
    await writer.drain()
    await asyncio.sleep(0.05)  # make the server read the first half on its own
    writer.write(block[cut:])
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 3) == b""
    writer.close()
    assert names == ["张安娜"]


async def test_stop_cancels_running_sessions(agi_server):
    entered = asyncio.Event()

    async def slow(session: AgiSession) -> None:
        entered.set()
        await session.wait_for_digit(-1)  # the peer never answers

    server = await agi_server({"ivr": slow})
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(encode_env_block(GOOD_ENV))
    await asyncio.wait_for(entered.wait(), 2)
    await asyncio.wait_for(server.stop(), 2)
    assert server.live_connections == 0
    assert await asyncio.wait_for(reader.read(), 2) == b"WAIT FOR DIGIT -1\n"
    writer.close()


def _random_frame(rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    if kind == 1:
        return b"HANGUP\n"
    if kind == 2:
        return f"{rng.choice([200, 510, 511, 520, 100, 999])} result={rng.randint(-3, 99)}\n".encode()
    if kind == 3:
        return b"520-Invalid command syntax.  Proper usage follows:\n"
    if kind == 4:
        return "200 result=1 (张安娜)\n".encode()[: rng.randrange(1, 20)]
    if kind == 5:
        return b"\n" * rng.randrange(1, 4)
    if kind == 6:
        return b"200 result= (timeout)\n"
    return b"x" * rng.randrange(1, 2000)


async def test_ten_thousand_random_frames_then_a_good_session(agi_server):
    loop = asyncio.get_running_loop()
    escaped: list[dict] = []
    loop.set_exception_handler(lambda _loop, ctx: escaped.append(ctx))

    async def echo(session: AgiSession) -> None:
        while True:  # ends by AgiHangup (EOF) or a protocol error: both handled by the server
            try:
                await session.command("NOOP")
            except AgiCommandError:
                pass

    async def good(session: AgiSession) -> None:
        await session.answer()
        await session.set_variable("OK", session.caller_name)

    server = await agi_server({"ivr": echo, "good": good})
    rng = random.Random(20260101)
    frames_sent = 0
    for conn in range(200):
        frames = [_random_frame(rng) for _ in range(50)]
        frames_sent += len(frames)
        head = [encode_env_block(GOOD_ENV)] if conn % 4 else []  # some with no env at all
        await send_and_wait_eof(server.port, *head, *frames, close=True)
    assert frames_sent == 10_000
    await wait_until(lambda: server.live_connections == 0)
    stats = server.stats
    assert stats.connections == 200 and stats.sessions + stats.rejected == 200
    assert stats.sessions == 150 and stats.errors > 0  # the reply decoder was exercised
    assert escaped == []

    channel_vars: dict[str, str] = {}
    out = await asyncio.wait_for(run_fastagi(
        "127.0.0.1", server.port, "good", {"agi_calleridname": "张安娜"}, SimCaller(),
        channel_vars, speed=100), 5)
    assert out.status == "SUCCESS" and channel_vars == {"OK": "张安娜"}
