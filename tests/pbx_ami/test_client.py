"""AmiClient over real loopback TCP against recorded Asterisk bytes."""

from __future__ import annotations

import asyncio
import random
import socket
import sys
import time

import pytest
from ami_replay import Close, Expect, Send
from ami_rig import login_script

from hotline.events import EventBus
from hotline.settings import Settings
from pbx.ami.actions import (
    Atxfer,
    CoreShowChannels,
    Getvar,
    Hangup,
    MixMonitor,
    Originate,
    Ping,
    Redirect,
    Setvar,
    Status,
    caller_id,
)
from pbx.ami.client import AmiClient
from pbx.ami.errors import (
    AmiActionError,
    AmiAuthError,
    AmiConnectError,
    AmiNotConnectedError,
    NoFeatureCode,
    NoSuchChannel,
)
from pbx.events import (
    AmiConnected,
    AmiDisconnected,
    AmiResynced,
    CallEnded,
    ChannelCreated,
    PbxShutdown,
)


async def until(cond, limit: float = 3.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def bad_secret_script(script) -> list:
    """ami-01b without its Ping-before-Login: banner, Login -> Error, EOF."""
    steps = script("ami-01b")[0]
    i = next(i for i, s in enumerate(steps) if isinstance(s, Expect) and s.action == "Ping")
    return steps[:i] + steps[i + 2 :]


async def test_02a_end_to_end_originate_result_and_call(rig_factory, script):
    rig = await rig_factory(script("ami-02a"))
    await rig.client.connect()
    assert rig.client.banner == "Asterisk Call Manager/11.0.0"
    assert len(rig.of(AmiConnected)) == 1 and rig.of(AmiResynced)[0].channels == ()
    await until(lambda: rig.of(ChannelCreated))
    queued = await rig.client.execute(Originate(
        channel="PJSIP/agent1001", application="Bridge", data="PJSIP/hotline-trunk-00000002",
        timeout_ms=20000, caller_id=caller_id("张安娜", "13800138000")))
    result = await rig.client.originate_result(queued.action_id, within=3)
    assert (result.success, result.reason, result.uniqueid) == (True, 4, "1795354549.4")
    await rig.client.execute(MixMonitor("PJSIP/hotline-trunk-00000002",
                                        "/var/spool/asterisk/monitor/hotline-1795354545.3.wav"))
    await until(lambda: rig.of(CallEnded))
    assert rig.of(CallEnded)[0].legs == ("1795354545.3", "1795354549.4")
    sent = [a["Action"] for a in rig.server.actions]
    assert sent[:3] == ["Login", "CoreShowChannels", "Originate"]
    assert rig.server.actions[2]["CallerID"] == '"张安娜" <13800138000>'


async def test_09_list_actions_and_exact_errors(rig_factory, script):
    rig = await rig_factory(script("ami-09"))
    c = rig.client
    await c.connect()
    await c.execute(Originate(channel="PJSIP/agent1001", application="Bridge",
                              data="PJSIP/hotline-trunk-0000002e"))
    chans = await c.execute(CoreShowChannels())
    assert [ch.channel for ch in chans] == ["PJSIP/agent1001-0000002f", "PJSIP/hotline-trunk-00000030",
                                            "PJSIP/hotline-trunk-0000002e"]
    assert chans[0].bridge_id and chans[0].linkedid == "1795355194.63" and chans[1].caller_name == "王伟"
    assert await c.execute(Getvar("IVR_CHOICE", channel="PJSIP/hotline-trunk-0000002e")) == "1"
    assert await c.execute(Getvar("CALLERID(name)", channel="PJSIP/hotline-trunk-0000002e")) == "张安娜"
    assert await c.execute(Getvar("NO_SUCH_VAR", channel="PJSIP/hotline-trunk-0000002e")) == ""
    assert await c.execute(Getvar("AGI_URL")) == "agi://127.0.0.1:4573/ivr"
    with pytest.raises(NoSuchChannel):
        await c.execute(Getvar("IVR_CHOICE", channel="PJSIP/hotline-trunk-99999999"))
    await c.execute(Setvar("HOTLINE_TICKET", "T-2026-0001", channel="PJSIP/hotline-trunk-0000002e"))
    with pytest.raises(NoSuchChannel):
        await c.execute(Setvar("HOTLINE_TICKET", "x", channel="PJSIP/hotline-trunk-99999999"))
    assert len(await c.execute(Status())) == 3
    (one,) = await c.execute(Status("PJSIP/hotline-trunk-00000030", ("IVR_CHOICE", "HOTLINE_TICKET")))
    assert one.variables == {"IVR_CHOICE": "1", "HOTLINE_TICKET": ""}
    with pytest.raises(NoSuchChannel):
        await c.execute(Status("PJSIP/hotline-trunk-99999999"))
    with pytest.raises(NoSuchChannel, match="Channel does not exist: PJSIP/hotline-trunk-99999999"):
        await c.execute(Redirect("PJSIP/hotline-trunk-99999999", "hotline-wait", "s"))
    with pytest.raises(NoSuchChannel):
        await c.execute(Hangup("PJSIP/hotline-trunk-99999999"))
    await c.execute(Hangup("PJSIP/hotline-trunk-00000030", cause=21))
    assert len(await c.execute(CoreShowChannels())) == 2
    await until(lambda: len(rig.of(CallEnded)) == 2)


async def test_07c0_atxfer_errors(rig_factory, script):
    rig = await rig_factory(script("ami-07c0"))
    c = rig.client
    await c.connect()
    await c.execute(Originate(channel="PJSIP/agent1001", application="Bridge", data="x,T"))
    with pytest.raises(NoFeatureCode):
        await c.execute(Atxfer("PJSIP/agent1001-00000025", "hotline-agent-dial", "1002"))
    with pytest.raises(NoSuchChannel, match="Channel specified does not exist"):
        await c.execute(Atxfer("PJSIP/agent1001-99999999", "hotline-agent-dial", "1002"))
    resp = await c.send([("Action", "Atxfer"), ("Channel", "PJSIP/agent1001-00000025")])
    assert resp.message == "No extension specified" and not resp.success


async def test_unknown_action_is_a_typed_error(rig_factory):
    rig = await rig_factory([login_script()])
    await rig.client.connect()
    with pytest.raises(AmiActionError, match="Invalid/unknown command") as info:
        await rig.client.execute(Setvar("X", "1"))  # our auto-answer: not a known action here
    assert type(info.value).__name__ == "UnknownAction"


async def test_bad_secret_raises_auth_error_fast(rig_factory, script):
    rig = await rig_factory([bad_secret_script(script)])
    started = time.monotonic()
    with pytest.raises(AmiAuthError, match="check HOTLINE_AMI_USERNAME/HOTLINE_AMI_SECRET"):
        await rig.client.connect()
    assert time.monotonic() - started < 1.0
    await asyncio.sleep(0.3)
    assert rig.server.connections == 1  # no silent reconnect loop


async def test_cli_check_exits_nonzero_on_bad_secret(rig_factory, script):
    rig = await rig_factory([bad_secret_script(script)])
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pbx.ami.cli", "check", "--host", "127.0.0.1",
        "--port", str(rig.settings.ami_port), "--secret", "wrong-secret", "--timeout", "2",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 2, (out, err)
    assert b"AMI login refused for user hotline" in err


async def test_unreachable_host_raises_after_the_connect_timeout(rig_factory):
    rig = await rig_factory([])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    rig.client.settings = rig.settings.model_copy(update={"ami_port": free, "ami_connect_timeout": 0.5})
    started = time.monotonic()
    with pytest.raises(AmiConnectError, match=f"127.0.0.1:{free}"):
        await rig.client.connect()
    assert 0.45 <= time.monotonic() - started < 2.0


async def test_utf8_name_split_in_one_byte_writes(rig_factory, script):
    steps = script("ami-02a")[0]
    upto = next(i for i, s in enumerate(steps) if isinstance(s, Send) and b"Event: Newchannel" in s.data)
    rig = await rig_factory([steps[: upto + 1]], server_kw={"chunk_size": 1})
    await rig.client.connect()
    await until(lambda: rig.of(ChannelCreated))
    assert rig.of(ChannelCreated)[0].caller_name == "张安娜"


async def test_malformed_frames_mid_stream_are_counted_and_the_link_survives(rig_factory):
    garbage = [Send(b"this is not AMI\r\nat all\r\n\r\n"), Send(b"\xff\xfe\x00\x01\r\n\r\n"),
               Send(b"Event: Newchannel\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\nChannel: PJSIP/x-1\r\n"
                    b"CallerIDName: \xe7\x8e\x8b\xe4\xbc\x9f\r\n\r\n")]
    rig = await rig_factory([login_script(*garbage, Expect("Ping", "p1"),
                                          Send(b"Response: Success\r\nActionID: p1\r\nPing: Pong\r\n\r\n"))])
    await rig.client.connect()
    await rig.client.execute(Ping())
    assert rig.client.protocol.frame_errors == 2
    assert rig.of(ChannelCreated)[0].caller_name == "王伟"


async def test_drop_reconnect_and_resync_readopts_the_call(rig_factory, script):
    # connection 1: ami-09 up to its CoreShowChannels (caller A bridged to agent1001,
    # caller B in MOH), plus a caller of ami-05 that will be gone after the drop.
    first = script("ami-09")[0]
    csc = next(i for i, s in enumerate(first) if isinstance(s, Expect) and s.action == "CoreShowChannels")
    orig = next(i for i, s in enumerate(first) if isinstance(s, Expect) and s.action == "Originate")
    gone = [s for s in script("ami-05")[0] if isinstance(s, Send) and b"Event: Newchannel" in s.data]
    conn1 = first[:orig] + first[orig + 1 : csc] + gone
    # connection 2: login, then the recorded CoreShowChannels answer (3 channels)
    answer = [s for s in first[csc + 1 :][:6] if isinstance(s, Send)]
    conn2 = login_script(Expect("CoreShowChannels", "coreshowchannels-2"), *answer)
    getvars = {("PJSIP/hotline-trunk-0000002e", "HOTLINE_CALL_ID"): "C-0001",
               ("PJSIP/hotline-trunk-00000030", "HOTLINE_CALL_ID"): "C-0002",
               ("PJSIP/hotline-trunk-00000030", "HOTLINE_ENQUEUED_AT"): "1795355199.5"}
    rig = await rig_factory([conn1, conn2], server_kw={"getvars": getvars})
    await rig.client.connect()
    await until(lambda: "1795354805.22" in rig.tracker.channels)
    assert rig.tracker.call_of("1795355197.64").key == "1795355194.63"  # agent folded in

    rig.server.drop_all()
    await until(lambda: len(rig.of(AmiResynced)) == 2)
    assert [type(e).__name__ for e in rig.seen if isinstance(e, AmiConnected | AmiDisconnected)] == [
        "AmiConnected", "AmiDisconnected", "AmiConnected"]
    snaps = {s.channel: s for s in rig.of(AmiResynced)[-1].channels}
    assert set(snaps) == {"PJSIP/agent1001-0000002f", "PJSIP/hotline-trunk-00000030",
                          "PJSIP/hotline-trunk-0000002e"}
    assert snaps["PJSIP/hotline-trunk-00000030"].variables == {
        "HOTLINE_CALL_ID": "C-0002", "HOTLINE_ENQUEUED_AT": "1795355199.5"}
    # the caller who left while we were away is ended; the others are still tracked
    (left,) = rig.of(CallEnded)
    assert left.legs == ("1795354805.22",)
    assert set(rig.tracker.channels) == {"1795355197.64", "1795355197.66", "1795355194.63"}
    assert rig.tracker.call_of("1795355194.63").ref == "C-0001"
    assert rig.client.reconnects == 1


async def test_11_shutdown_then_reconnect_to_the_restarted_asterisk(rig_factory, script):
    rig = await rig_factory(script("ami-11"))
    await rig.client.connect()
    await until(lambda: rig.client.reconnects == 1 and len(rig.of(AmiResynced)) >= 1)
    assert rig.of(PbxShutdown)[0].restart is True
    assert rig.of(CallEnded)[0].hangup_cause == 0
    assert rig.client.connected and not rig.tracker.channels


async def test_actions_while_disconnected_fail_clearly(rig_factory):
    rig = await rig_factory([login_script(Close())], action_wait=0.2)
    await rig.client.connect()
    await until(lambda: not rig.client.connected)
    await rig.server.stop()
    with pytest.raises(AmiNotConnectedError, match="not connected to Asterisk at 127.0.0.1"):
        await rig.client.execute(Ping())


async def test_keepalive_closes_a_silent_link_and_reconnects(rig_factory):
    rig = await rig_factory([login_script(), login_script()],
                            server_kw={"responders": {"Ping": lambda f: b""}},
                            ping_interval=0.05, action_timeout=0.1)
    await rig.client.connect()
    await until(lambda: rig.client.reconnects >= 1)
    assert rig.server.connections >= 2


def test_backoff_is_exponential_capped_and_jittered():
    client = AmiClient(Settings(ami_reconnect_max_delay=4.0), EventBus(), rng=random.Random(3))
    delays = [client.backoff(n) for n in range(8)]
    assert 0.25 <= delays[0] <= 0.5
    assert delays[3] > delays[0] and max(delays) <= 4.0 and delays[7] >= 2.0
    assert delays != [AmiClient(Settings(ami_reconnect_max_delay=4.0), EventBus(),
                                rng=random.Random(4)).backoff(n) for n in range(8)]
