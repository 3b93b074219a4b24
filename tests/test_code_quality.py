"""The house rules that tools can check: ruff clean, mypy clean on the packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ["hotline", "pbx", "ivr", "acd", "crm", "recordings", "reports", "agent_console",
            "asterisk_conf", "outbound", "qa"]


def test_ruff_is_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.slow
def test_mypy_is_clean_on_the_packages():
    out = subprocess.run([sys.executable, "-m", "mypy", *PACKAGES], cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
