"""The simulated Asterisk's FastAGI side against the real one: a server replays the
commands of each agi-*.txt transcript and the simulator must answer with the bytes
Asterisk 22 sent (env block included), given a caller scripted like the recording."""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Callable

import pytest
from pbx_agi_support import transcript_env

from pbx.sim.agi_client import SimCaller, run_fastagi
from pbx.transcripts import read_records

SPEED = 200.0

CALLERS: dict[str, tuple[SimCaller, dict[str, float]]] = {
    "agi-01-env-and-ivr.txt": (SimCaller(dtmf=["1"]), {}),
    # The caller pressed 1 at 21280 samples (2.66 s) into the main menu.
    "agi-02-commands.txt": (SimCaller(dtmf=["1", "2345", "", "7", "8", ""], think_s=2.66), {}),
    # BYE 20160 samples into tt-monkeys: the 2nd command is cut half-way.
    "agi-03a-hangup-during-stream-file.txt": (
        SimCaller(hangup_after_commands=1), {"tt-monkeys": 2 * 20160 / 8000}),
    "agi-03b-hangup-during-get-data.txt": (SimCaller(hangup_after_commands=1), {}),
    # The caller talked 33680 samples (4.21 s), then pressed #.
    "agi-04-record-file.txt": (SimCaller(talk_s=33680 / 8000), {}),
}


async def replay_server(path, rewrite: Callable[[bytes], bytes]):
    """Serve one connection by sending the transcript's commands; collect what the
    simulator sends in reply, matched by length against the transcript."""
    records = [r for r in read_records(path) if r.direction in ("sent", "received")]
    got: list[bytes] = []
    done = asyncio.get_running_loop().create_future()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for rec in records:
                payload = rewrite(rec.payload)
                if rec.direction == "sent":
                    writer.write(payload)
                    await writer.drain()
                else:
                    got.append(await asyncio.wait_for(reader.readexactly(len(payload)), 5))
        except Exception as exc:  # surfaced by the test, not lost in the server task
            done.set_exception(exc)
        else:
            done.set_result(None)
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    return server, got, done


@pytest.mark.parametrize("name", list(CALLERS))
async def test_sim_answers_like_asterisk_22(transcripts_dir, tmp_path, name):
    path = transcripts_dir / name
    spool = str(tmp_path).encode()

    def rewrite(b: bytes) -> bytes:
        return b.replace(b"/var/spool/asterisk/tmp", spool)

    server, got, done = await replay_server(path, rewrite)
    port = server.sockets[0].getsockname()[1]
    caller, prompts = CALLERS[name]
    env = transcript_env(path)
    channel_vars: dict[str, str] = {}
    outcome = await asyncio.wait_for(run_fastagi(
        "127.0.0.1", port, "ivr", env, caller, channel_vars, speed=SPEED,
        prompt_seconds=prompts), 10)
    await done
    server.close()

    expected = [rewrite(r.payload) for r in read_records(path) if r.direction == "received"]
    assert b"".join(got) == b"".join(expected)
    assert outcome.status == ("HANGUP" if name.startswith("agi-03") else "SUCCESS")
    assert len(outcome.exchanges) == sum(1 for r in read_records(path) if r.direction == "sent")
    if name == "agi-04-record-file.txt":
        rec = next(tmp_path.glob("hotline-vm-*.wav"))
        with wave.open(str(rec)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
            assert w.getnframes() == 33680
        assert channel_vars["VM_FILE"] == f"{tmp_path}/hotline-vm-1795355352.73.wav"
