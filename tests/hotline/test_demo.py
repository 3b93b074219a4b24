"""`hotline demo --duration` end to end: simulated Asterisk, IVR over FastAGI, ACD over
AMI, simulated agents, console over HTTP — then totals read back from the call-event log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_runs_calls_serves_the_console_and_prints_totals(tmp_path):
    env = {**os.environ, "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
           "HOTLINE_DATA_DIR": str(tmp_path / "var"), "HOTLINE_RECORDINGS_DIR": str(tmp_path / "rec"),
           "HOTLINE_PROMPTS_DIR": str(tmp_path / "prompts"), "HOTLINE_HTTP_PORT": "0",
           "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    env.pop("HOTLINE_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotline.app", "demo", "--duration", "15", "--rate", "1.5",
         "--speed", "4", "--agents", "6", "--customers", "30"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if m:
            url = m.group(1)
    assert url, "".join(lines)
    page = httpx.get(url, follow_redirects=True, timeout=10)
    assert page.status_code == 200
    out, _ = proc.communicate(timeout=120)
    text = "".join(lines) + out
    assert proc.returncode == 0, text
    assert "totals from the call-event log" in text
    row = re.search(r"│ all\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)", text)
    assert row, text
    offered, answered, abandoned, other = map(int, row.groups())
    assert offered >= 5 and answered >= 1, text
    assert answered + abandoned + other <= offered
    assert "Traceback" not in text, text
