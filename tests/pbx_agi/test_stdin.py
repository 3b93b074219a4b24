"""The stdin AGI entry point, run as a subprocess the way Asterisk runs AGI(hotline-agi,ivr)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pbx_agi_support import transcript_env

from pbx.agi.protocol import encode_env_block
from pbx.transcripts import read_records

REPO = Path(__file__).resolve().parents[2]

HANDLER = '''
from pbx.agi.session import AgiCommandError, AgiHangup

async def handle(session):
    await session.answer()
    menu = await session.stream_file("basic-pbx-ivr-main", "0123456789*#")
    try:
        await session.command("STREAM FILE")
    except AgiCommandError as exc:
        usage = exc.code
    name = await session.get_full_variable("${CALLERID(name)}")
    await session.set_variable(
        "RESULT", f"{menu.digit}|{usage}|{name}|{session.caller_name}|{','.join(session.args)}")
    try:
        await session.stream_file("tt-monkeys")
    except AgiHangup:
        pass
    await session.verbose("caller gone")

def routes():
    return {"ivr": handle}
'''


def _usage_reply(transcripts_dir: Path) -> bytes:
    recs = read_records(transcripts_dir / "agi-02-commands.txt")
    i = next(i for i, r in enumerate(recs) if r.payload == b"STREAM FILE\n")
    return b"".join(r.payload for r in recs[i + 1:i + 3])


def test_stdin_agi_conversation(tmp_path, transcripts_dir):
    (tmp_path / "stdin_demo.py").write_text(textwrap.dedent(HANDLER), encoding="utf-8")
    env = transcript_env(transcripts_dir / "agi-01-env-and-ivr.txt")
    for key in ("agi_network", "agi_network_script"):
        env.pop(key)
    replies = {
        "ANSWER": b"200 result=0\n",
        'STREAM FILE basic-pbx-ivr-main "0123456789*#"': b"200 result=49 endpos=21280\n",
        "STREAM FILE": _usage_reply(transcripts_dir),
        'GET FULL VARIABLE "${CALLERID(name)}"': "200 result=1 (张安娜)\n".encode(),
        'SET VARIABLE RESULT "1|520|张安娜|张安娜|lang=zh"': b"200 result=1\n",
        'STREAM FILE tt-monkeys ""': b"200 result=-1 endpos=20160\nHANGUP\n",
        'VERBOSE "caller gone" 1': b"200 result=1\n",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "pbx.agi.stdin", "ivr", "lang=zh", "--routes", "stdin_demo:routes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"})
    assert proc.stdin and proc.stdout
    try:
        proc.stdin.write(encode_env_block(env))
        proc.stdin.flush()
        seen = []
        for _ in replies:
            line = proc.stdout.readline().decode().rstrip("\n")
            seen.append(line)
            assert line in replies, f"unexpected command {line!r}; so far {seen}"
            proc.stdin.write(replies[line])
            proc.stdin.flush()
        assert seen == list(replies)
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()


def test_stdin_agi_without_routes_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HOTLINE_AGI_ROUTES"}
    done = subprocess.run([sys.executable, "-m", "pbx.agi.stdin", "ivr"], input=b"",
                          capture_output=True, cwd=REPO, env=env, timeout=20)
    assert done.returncode != 0
    assert b"--routes module:factory" in done.stderr
