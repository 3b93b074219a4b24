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
               "HOTLINE_AMI_SECRET": "a-wrong-secret", "HOTLINE_AGI_PORT": "0", "HOTLINE_HTTP_PORT": "0",
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
