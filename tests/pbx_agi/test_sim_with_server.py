"""The simulated Asterisk and our FastAGI server over real sockets."""

from __future__ import annotations

import asyncio

from pbx_agi_support import wait_until

from pbx.agi.session import AgiCommandError, AgiHangup, AgiSession, DigitsResult
from pbx.sim.agi_client import SimCaller, run_fastagi

SPEED = 100.0
ENV = {"agi_calleridname": "张安娜", "agi_callerid": "13800138000", "agi_arg_1": "lang=zh",
       "agi_channel": "PJSIP/hotline-trunk-00000002", "agi_uniqueid": "1795354545.3"}


async def run(server, caller: SimCaller, script: str = "ivr", **kw):
    channel_vars: dict[str, str] = kw.pop("channel_vars", {})
    return await asyncio.wait_for(run_fastagi(
        "127.0.0.1", server.port, script, ENV, caller, channel_vars, speed=SPEED, **kw), 10)


async def test_menu_session_sets_variables_and_reports_every_command(agi_server):
    async def ivr(session: AgiSession) -> None:
        await session.answer()
        menu = await session.stream_file("main-menu", "123")
        account = await session.get_data("enter-account", 3000, 6)
        await session.set_variable("IVR_CHOICE", f"{menu.digit}:{account.digits}")
        await session.verbose(f"caller {session.caller_name} done")

    server = await agi_server({"ivr": ivr})
    execs: list[tuple[str, str]] = []
    starts: list[str] = []
    keys: list[str] = []
    channel_vars: dict[str, str] = {}
    out = await run(server, SimCaller(dtmf=["2", "4711#"]), channel_vars=channel_vars,
                    on_exec=lambda c, r: execs.append((c, r)), on_start=starts.append,
                    on_dtmf=keys.append)
    assert out.status == "SUCCESS" and out.hangup_by is None
    assert channel_vars == {"IVR_CHOICE": "2:4711"}
    assert out.commands == starts == [c for c, _ in execs]
    assert out.commands[-1] == 'VERBOSE "caller 张安娜 done" 1'
    assert out.replies[1] == "200 result=50 endpos=4000"  # 0.5 s think time at 8 kHz
    assert keys == ["2", "4", "7", "1", "1", "#"]
    assert server.stats.completed == 1


async def test_caller_hangs_up_mid_stream_file(agi_server):
    seen: list[BaseException] = []

    async def ivr(session: AgiSession) -> None:
        await session.answer()
        try:
            await session.stream_file("tt-monkeys", "")
        except AgiHangup as exc:
            seen.append(exc)
            raise

    server = await agi_server({"ivr": ivr})
    out = await run(server, SimCaller(hangup_after_s=2.0), prompt_seconds={"tt-monkeys": 16})
    assert out.status == "HANGUP" and out.hangup_by == "caller"
    assert out.replies[1].startswith("200 result=-1 endpos=")
    assert 8000 <= int(out.replies[1].rsplit("=", 1)[1]) < 16 * 8000  # cut ~2 s into 16 s
    assert len(seen) == 1
    await wait_until(lambda: server.live_connections == 0)
    assert server.stats.hangups == 1 and server.stats.errors == 0


async def test_caller_hangs_up_mid_get_data_and_dead_channel_rules_apply(agi_server):
    after: list[object] = []

    async def ivr(session: AgiSession) -> None:
        await session.answer()
        try:
            await session.get_data("beep", 10000, 4)
        except AgiHangup:
            after.append("hangup")
        for attempt in (session.say_number(42), session.channel_status()):
            try:
                await attempt
            except AgiHangup:
                after.append(511)
        await session.set_variable("IVR_CHOICE", "none")  # still allowed when dead
        after.append(await session.get_variable("IVR_CHOICE"))

    server = await agi_server({"ivr": ivr})
    channel_vars: dict[str, str] = {}
    out = await run(server, SimCaller(hangup_after_commands=1), channel_vars=channel_vars)
    assert out.status == "HANGUP"
    assert out.replies[1] == "200 result=-1"
    assert out.replies[2:4] == ["511 Command Not Permitted on a dead channel or intercept routine"] * 2
    assert after == ["hangup", 511, 511, "none"]
    assert channel_vars == {"IVR_CHOICE": "none"}
    await wait_until(lambda: server.live_connections == 0)


async def test_idle_hangup_sends_the_notice_and_the_next_media_command_gets_511(agi_server):
    async def ivr(session: AgiSession) -> None:
        await session.answer()
        await asyncio.sleep(0.2)  # the caller hangs up while we think
        assert session.hangup_seen is False  # nothing read yet
        try:
            await session.stream_file("beep")
        except AgiHangup:
            pass
        assert session.hangup_seen is True

    server = await agi_server({"ivr": ivr})
    out = await run(server, SimCaller(hangup_after_s=5.0))
    assert out.replies == ["200 result=0",
                           "511 Command Not Permitted on a dead channel or intercept routine"]
    assert server.stats.completed == 1


async def test_errors_unknown_commands_and_usage_keep_the_session_in_step(agi_server):
    got: list[object] = []

    async def ivr(session: AgiSession) -> None:
        for line in ("FOOBAR something", "GET DATA", "SAY DIGITS 1"):
            try:
                await session.command(line)
            except AgiCommandError as exc:
                got.append(exc.code)
        got.append(await session.exec("Playback", "beep"))
        got.append((await session.exec("NoSuchApp", "foo")).result)
        got.append(await session.get_data("beep", 1000, 4))
        got.append(await session.wait_for_digit(500))
        await session.hangup()

    server = await agi_server({"ivr": ivr})
    out = await run(server, SimCaller(dtmf=["", ""]))
    assert got[:3] == [510, 520, 520]
    assert got[4] == "-2"
    assert got[5] == DigitsResult("", True) and got[6] is None
    assert out.status == "HANGUP" and out.hangup_by == "script"


async def test_record_file_without_key_ends_on_silence(agi_server, tmp_path):
    async def ivr(session: AgiSession) -> None:
        r = await session.record_file(str(tmp_path / "vm"), "wav", "#", 20000, True, 2)
        assert (r.result, r.data, r.endpos) == ("0", "timeout", 5 * 8000)

    server = await agi_server({"ivr": ivr})
    out = await run(server, SimCaller(record_dtmf="", talk_s=4.0))
    assert out.status == "SUCCESS" and (tmp_path / "vm.wav").stat().st_size > 5 * 16000


async def test_failure_when_nobody_listens_or_the_server_closes_at_once(agi_server):
    server = await agi_server({"ivr": lambda s: None})
    refused = await asyncio.wait_for(run_fastagi("127.0.0.1", 1, "ivr", ENV, SimCaller(), {}), 5)
    assert refused.status == "FAILURE" and "cannot connect" in (refused.error or "")
    unknown = await run(server, SimCaller(), script="nosuch")
    assert unknown.status == "FAILURE" and unknown.exchanges == []
    assert server.stats.rejected == 1
