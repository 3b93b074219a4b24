"""`hotline serve` against an Asterisk that refuses our login fails fast with exit code 2
(panoramisk 1.4 alone would retry silently forever)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from pbx.sim import SimAsterisk, SimConfig

REPO = Path(__file__).resolve().parents[2]


async def test_serve_with_a_wrong_ami_secret_exits_2_quickly(tmp_path):
    sim = SimAsterisk(SimConfig(ami_port=0, secret="the-real-secret"))
    await sim.start()
    try:
        env = {**os.environ, "HOTLINE_PBX_MODE": "asterisk", "HOTLINE_AMI_PORT": str(sim.ami_port),
               "HOTLINE_AMI_SECRET": "a-wrong-secret", "HOTLINE_SECRET_KEY": "a-site-key-0123456789",
               "HOTLINE_AGI_PORT": "0", "HOTLINE_HTTP_PORT": "0",
               "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'h.db'}",
               "HOTLINE_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "200"}
        env.pop("HOTLINE_CONFIG", None)
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hotline.app", "serve", cwd=REPO, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
        text = out.decode()
        assert proc.returncode == 2, text
        assert "AMI login refused" in text and "HOTLINE_AMI_SECRET" in text, text
        assert time.monotonic() - started < 30
    finally:
        await sim.stop()


def _env(tmp_path, **kw):
    env = {**os.environ, "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'h.db'}",
           "HOTLINE_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "200", **kw}
    env.pop("HOTLINE_CONFIG", None)
    for k in ("HOTLINE_AMI_SECRET", "HOTLINE_SECRET_KEY"):
        if k not in kw:
            env.pop(k, None)
    return env


def test_serve_refuses_a_real_asterisk_with_default_secrets_and_says_its_mode(tmp_path):
    import subprocess

    r = subprocess.run([sys.executable, "-m", "hotline.app", "serve"], cwd=REPO, capture_output=True, text=True,
                       env=_env(tmp_path, HOTLINE_PBX_MODE="asterisk", HOTLINE_AMI_SECRET="site-ami-secret"),
                       timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("hotline serve: mode asterisk") and "h.db" in first
    assert "default secrets" in r.stdout and "HOTLINE_SECRET_KEY" in r.stdout
    assert "HOTLINE_AMI_SECRET" not in r.stdout.split("default secrets", 1)[1]  # that one was set


async def test_stop_after_a_failed_start_releases_what_was_built(tmp_path, caplog):
    import socket

    import pytest

    from hotline.app.runtime import Runtime
    from hotline.settings import Settings
    from pbx.ami.errors import AmiConnectError

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    settings = Settings(pbx_mode="asterisk", ami_port=dead, ami_connect_timeout=0.5, agi_port=0, http_port=0,
                        database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}", data_dir=tmp_path / "var",
                        recordings_dir=tmp_path / "rec", prompts_dir=tmp_path / "prompts")
    rt = Runtime(settings, http=False)
    with pytest.raises(AmiConnectError):
        await rt.start()
    agi_port = rt.agi.port
    await rt.stop()  # must not raise on the parts a failed start left
    with socket.socket() as s:  # the FastAGI port was released
        s.bind(("127.0.0.1", agi_port))
    await Runtime(settings, http=False).stop()  # nothing built at all: still fine
