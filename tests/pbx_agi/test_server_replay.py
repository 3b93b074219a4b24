"""Our FastAGI server against Asterisk's recorded bytes: a client replays each agi-*.txt
transcript (as recorded, and one byte at a time) while the handler sends the
transcript's commands; the bytes we send must equal the transcript's, and every reply
must map to the right value or error."""

from __future__ import annotations

import asyncio

import pytest
from pbx_agi_support import AGI_TRANSCRIPTS, transcript_commands

from pbx.agi.session import AgiCommandError, AgiError, AgiHangup, AgiResult, AgiSession
from pbx.transcripts import read_records


async def replay_asterisk(port: int, path, one_byte: bool) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for rec in read_records(path):
            if rec.direction == "received":
                pieces = [rec.payload[i:i + 1] for i in range(len(rec.payload))] if one_byte \
                    else [rec.payload]
                for piece in pieces:
                    writer.write(piece)
                    await writer.drain()
            elif rec.direction == "sent":
                got = await asyncio.wait_for(reader.readexactly(len(rec.payload)), 5)
                assert got == rec.payload
        # Like Asterisk, we never close first: the server ends the session.
        assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        writer.close()


def _outcomes(name: str) -> list[type | AgiResult]:
    return {
        "agi-01-env-and-ivr.txt": [AgiResult(200, "0"), AgiResult(200, "1"), AgiResult(200, "1")],
        "agi-03a-hangup-during-stream-file.txt": [
            AgiResult(200, "0"), AgiHangup, AgiHangup, AgiResult(200, "0"), AgiResult(200, "1")],
        "agi-03b-hangup-during-get-data.txt": [
            AgiResult(200, "0"), AgiHangup, AgiHangup, AgiHangup, AgiResult(200, "1")],
        "agi-04-record-file.txt": [
            AgiResult(200, "0"), AgiResult(200, "35", "dtmf", 33680),
            AgiResult(200, "0", None, 33680), AgiResult(200, "1")],
    }.get(name, [])


@pytest.mark.parametrize("one_byte", [False, True], ids=["as-recorded", "1-byte"])
@pytest.mark.parametrize("name", AGI_TRANSCRIPTS)
async def test_server_replays_transcript(agi_server, transcripts_dir, name, one_byte):
    path = transcripts_dir / name
    commands = transcript_commands(path)
    results: list[AgiResult | AgiError] = []
    seen: dict[str, object] = {}

    async def handler(session: AgiSession) -> None:
        seen["name"], seen["args"] = session.caller_name, session.args
        for line in commands:
            try:
                results.append(await session.command(line))
            except AgiError as exc:
                results.append(exc)
        seen["hangup_seen"] = session.hangup_seen  # type: ignore[attr-defined]

    server = await agi_server({"ivr": handler})
    await replay_asterisk(server.port, path, one_byte)

    assert seen["name"] == "张安娜" and seen["args"] == ["lang=zh"]
    assert len(results) == len(commands)
    for got, want in zip(results, _outcomes(name), strict=False):
        assert isinstance(got, want) if isinstance(want, type) else got == want
    assert seen["hangup_seen"] is name.startswith("agi-03")
    assert server.stats.completed == 1 and server.stats.errors == 0
    assert server.live_connections == 0


async def test_usage_reply_in_two_reads_keeps_later_commands_in_step(agi_server, transcripts_dir):
    path = transcripts_dir / "agi-02-commands.txt"
    commands = transcript_commands(path)
    results: list[AgiResult | AgiError] = []

    async def handler(session: AgiSession) -> None:
        for line in commands:
            try:
                results.append(await session.command(line))
            except AgiError as exc:
                results.append(exc)

    server = await agi_server({"ivr": handler})
    await replay_asterisk(server.port, path, one_byte=False)
    by_command = dict(zip(commands, results, strict=True))
    unknown, usage = by_command["FOOBAR something"], by_command["STREAM FILE"]
    assert isinstance(unknown, AgiCommandError) and unknown.code == 510
    assert isinstance(usage, AgiCommandError) and usage.code == 520
    assert "PLAYBACKSTATUS" in usage.message and usage.message.endswith("End of proper usage.")
    assert by_command['VERBOSE "hotline ivr: menu done" 1'] == AgiResult(200, "1")
    assert by_command["CHANNEL STATUS"] == AgiResult(200, "6")
    assert by_command['GET FULL VARIABLE "${CALLERID(name)} <${CALLERID(num)}>"'] == AgiResult(
        200, "1", "张安娜 <13800138000>")
    assert by_command["GET DATA beep 2000 4"] == AgiResult(200, "", "timeout")
