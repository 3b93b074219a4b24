"""The simulated Asterisk runs the IVR against our FastAGI server (real sockets): the
AMI side of that IVR matches ami-02a, and AGISTATUS drives the dialplan."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from conformance import ivr_part, transcript_messages
from scenario import TranscriptOf
from sim_rig import SPEED, RawAmi

from pbx.agi.server import FastAgiServer
from pbx.agi.session import AgiSession
from pbx.sim import CallerScript, SimAsterisk, SimConfig

Factory = Callable[[int], Awaitable[tuple[SimAsterisk, RawAmi]]]


async def agi_01_ivr(session: AgiSession) -> None:
    """What the recorded FastAGI server did in agi-01."""
    await session.command("ANSWER")
    await session.command("GET DATA hello-world 5000 1")
    await session.command('SET VARIABLE IVR_CHOICE "1"')


@pytest.fixture
async def agi_server() -> AsyncIterator[FastAgiServer]:
    server = FastAgiServer("127.0.0.1", 0, {"ivr": agi_01_ivr})
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def make_sim() -> AsyncIterator[Factory]:
    made: list[tuple[SimAsterisk, RawAmi]] = []

    async def make(agi_port: int) -> tuple[SimAsterisk, RawAmi]:
        sim = SimAsterisk(SimConfig(speed=SPEED, seed=1, epoch=1795354536.0,
                                    agi_port=agi_port))
        await sim.start()
        ami = RawAmi()
        await ami.connect(sim.ami_port)
        await ami.login()
        made.append((sim, ami))
        return sim, ami

    yield make
    for sim, ami in made:
        await ami.close()
        await sim.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_ivr_over_fastagi_matches_ami_02a(agi_server: FastAgiServer, make_sim: Factory,
                                                transcript: TranscriptOf) -> None:
    sim, ami = await make_sim(agi_server.port)
    chan = await sim.place_call(CallerScript(dtmf=["1"], patience_s=30.0))
    await ami.wait_event("MusicOnHoldStart", Channel=chan)
    want_msgs = transcript_messages(transcript("02a"))
    real_caller = next(m["Channel"] for m in want_msgs if m.get("Event") == "Newchannel")
    want = ivr_part(want_msgs, real_caller)
    got = ivr_part(ami.messages, chan)
    assert [e for e, _ in want].count("AGIExecStart") == 3
    assert got == want
    # each AGIExecEnd closes the AGIExecStart with the same CommandId
    execs = [m for m in ami.messages if m.get("Event", "").startswith("AGIExec")]
    assert [m["CommandId"] for m in execs[::2]] == [m["CommandId"] for m in execs[1::2]]
    assert agi_server.stats.completed == 1
    r = await ami.action(Action="Getvar", Channel=chan, Variable="IVR_CHOICE")
    assert r["Value"] == "1"


async def test_fastagi_server_down_gives_failure_and_hangup(make_sim: Factory) -> None:
    sim, ami = await make_sim(_free_port())
    chan = await sim.place_call(CallerScript())
    gone = await ami.wait_event("Hangup", Channel=chan)
    assert gone["Cause"] == "16"
    mine = [m for m in ami.messages if m.get("Channel") == chan]
    status = next(m for m in mine if m.get("Variable") == "AGISTATUS")
    assert status["Value"] == "FAILURE"
    apps = [(m["Priority"], m["Application"], m["AppData"]) for m in mine
            if m.get("Event") == "Newexten"][-3:]
    assert apps == [("4", "NoOp", "AGISTATUS=FAILURE IVR_CHOICE="),
                    ("5", "GotoIf", "0?hotline-wait,s,1"), ("6", "Hangup", "")]
    assert not any(m.get("Event") in ("AGIExecStart", "MusicOnHoldStart") for m in mine)


async def test_caller_hangs_up_in_ivr_gives_no_queue_entry(agi_server: FastAgiServer,
                                                           make_sim: Factory) -> None:
    async def slow(session: AgiSession) -> None:
        await session.command("ANSWER")
        await session.command('STREAM FILE tt-monkeys ""')

    agi_server.add_route("ivr", slow)
    sim, ami = await make_sim(agi_server.port)
    chan = await sim.place_call(CallerScript(ivr_hangup_after_s=2.0))
    await ami.wait_event("Hangup", Channel=chan)
    mine = [m for m in ami.messages if m.get("Channel") == chan]
    assert not any(m.get("Event") == "MusicOnHoldStart" for m in mine)
    assert any(m.get("Event") == "AGIExecStart" for m in mine)
