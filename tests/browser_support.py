"""Debian Chromium for the browser tests: where it is, how it is launched, and the
skip-or-fail rule (skipped with the reason locally, a failure under CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_CI = bool(os.environ.get("CI"))

CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keeps Chromium off the (closed) network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def require_chromium() -> str:
    """The Chromium binary, or a skip with the reason (a failure under CI)."""
    if not CHROMIUM.exists():
        msg = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return str(CHROMIUM)
