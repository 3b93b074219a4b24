"""AmiClient against the simulated Asterisk (pbx/sim) over real sockets."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time

import pytest

from hotline.clock import ManualClock
from hotline.events import Event, EventBus
from hotline.settings import Settings
from pbx.ami.actions import Ping, Setvar
from pbx.ami.client import AmiClient
from pbx.ami.errors import AmiAuthError
from pbx.events import AmiConnected, AmiDisconnected, AmiResynced, PbxShutdown
from pbx.sim import SimAsterisk, SimConfig
from pbx.tracker import CallTracker


async def until(cond, limit: float = 5.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def sim():
    s = SimAsterisk(SimConfig(ami_port=0, seed=1, speed=20.0))
    await s.start()
    yield s
    await s.stop()


def make_client(port: int, secret: str = "hotline-secret"):
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(Event, seen.append)
    tracker = CallTracker(bus, ManualClock())
    settings = Settings(ami_port=port, ami_secret=secret, ami_connect_timeout=2.0,
                        ami_reconnect_max_delay=0.3)
    return AmiClient(settings, bus, ManualClock(), on_event=tracker.feed, rng=random.Random(1)), seen


async def test_sim_refuses_a_wrong_secret(sim):
    client, _ = make_client(sim.ami_port, "wrong-secret")
    with pytest.raises(AmiAuthError):
        await client.connect()


async def test_sim_drop_then_reconnect_and_resync(sim):
    client, seen = make_client(sim.ami_port)
    await client.connect()
    try:
        sim.drop_ami_connections()
        await until(lambda: sum(isinstance(e, AmiResynced) for e in seen) >= 2)
        kinds = [type(e) for e in seen if isinstance(e, AmiConnected | AmiDisconnected)]
        assert kinds == [AmiConnected, AmiDisconnected, AmiConnected]
        await client.execute(Ping())
    finally:
        await client.close()


async def test_sim_restart_publishes_shutdown_and_comes_back(sim):
    client, seen = make_client(sim.ami_port)
    await client.connect()
    try:
        await sim.restart()
        await until(lambda: client.reconnects >= 1 and client.connected)
        assert any(isinstance(e, PbxShutdown) and e.restart for e in seen)
        await client.execute(Setvar("HOTLINE_PROBE", "1"))
    finally:
        await client.close()


async def test_ami_check_reports_a_refused_port_at_once_not_after_the_timeout():
    from pbx.ami.cli import EXIT_UNREACHABLE, check

    with socket.socket() as s:  # bound, never listening: the kernel refuses the connection
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        started = time.monotonic()
        code, line = await check(Settings(ami_host="127.0.0.1", ami_port=port, ami_connect_timeout=10.0))
        elapsed = time.monotonic() - started
    assert code == EXIT_UNREACHABLE and "refused the connection" in line, line
    assert elapsed < 2.0  # retrying until the 10 s timeout would fail this


async def test_ami_check_that_succeeds_warns_of_nothing(sim, caplog):
    from pbx.ami.cli import check

    caplog.set_level(logging.INFO, logger="pbx.ami.client")
    code, line = await check(Settings(ami_host="127.0.0.1", ami_port=sim.ami_port, ami_secret="hotline-secret",
                                      ami_connect_timeout=2.0))
    assert code == 0 and line.startswith("connected to"), line
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("closed by us" in r.getMessage() for r in caplog.records)  # still said, as info
