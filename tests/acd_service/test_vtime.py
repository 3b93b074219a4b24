"""The virtual-time loop (tests/vtime.py) that the tests in this folder run on."""

from __future__ import annotations

import asyncio
import time

from tests.vtime import VirtualTimeLoop


async def test_the_tests_here_run_on_virtual_time() -> None:
    assert isinstance(asyncio.get_running_loop(), VirtualTimeLoop)


async def test_an_hour_of_sleep_takes_no_wall_time_and_exactly_an_hour_of_loop_time() -> None:
    loop = asyncio.get_running_loop()
    t0, wall0 = loop.time(), time.monotonic()
    await asyncio.sleep(3600.0)
    assert loop.time() - t0 == 3600.0
    assert time.monotonic() - wall0 < 1.0


async def test_a_worker_thread_s_work_takes_no_virtual_time() -> None:
    # 50 ms of real work in a thread finishes before a 1 ms timer: the clock waits for it.
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    order: list[str] = []

    async def work() -> None:
        await asyncio.to_thread(time.sleep, 0.05)
        order.append(f"thread at {loop.time() - t0}")

    async def timer() -> None:
        await asyncio.sleep(0.001)
        order.append("timer")

    await asyncio.gather(work(), timer())
    assert order == ["thread at 0.0", "timer"]


async def test_sockets_are_served_before_the_clock_moves() -> None:
    loop = asyncio.get_running_loop()

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        t0 = loop.time()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"ping\n")
        # a pending timer does not jump the clock while the reply is on its way
        line = await asyncio.wait_for(reader.readline(), timeout=10.0)
        assert line == b"ping\n" and loop.time() == t0
        writer.close()
        await writer.wait_closed()
