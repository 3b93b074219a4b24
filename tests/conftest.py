"""Shared fixtures: databases (SQLite always; PostgreSQL started from Debian's package),
the injected clock, and the transcript corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, require_chromium  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.app.migrate import upgrade
from hotline.clock import ManualClock
from hotline.db import make_engine

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TRANSCRIPTS = Path(os.environ.get("HOTLINE_TRANSCRIPTS", SHARED / "asterisk"))
IN_CI = bool(os.environ.get("CI"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def transcripts_dir() -> Path:
    if not TRANSCRIPTS.is_dir():
        pytest.fail(f"the Asterisk transcripts are missing at {TRANSCRIPTS}; set HOTLINE_TRANSCRIPTS")
    return TRANSCRIPTS


# --- PostgreSQL ------------------------------------------------------------------

def _find_pg_bin() -> Path | None:
    for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (cand / "initdb").exists():
            return cand
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL cluster for the whole test session.

    ``HOTLINE_TEST_POSTGRES_URL`` uses an existing server instead. Without either, the
    tests are skipped with the reason, except under CI where that is a failure.
    """
    given = os.environ.get("HOTLINE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    pg_bin = _find_pg_bin()
    if pg_bin is None:
        msg = "PostgreSQL is not installed (apt-get install postgresql)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    tmp = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
    data = tmp / "data"
    port = _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        shutil.chown(tmp, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*run_as, str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    proc = subprocess.Popen([*run_as, str(pg_bin / "postgres"), "-D", str(data), "-p", str(port),
                             "-k", str(tmp), "-h", "127.0.0.1", "-c", "fsync=off"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("PostgreSQL did not start within 30 s")
    time.sleep(0.3)
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


async def _fresh_engine(url: str) -> AsyncEngine:
    engine = make_engine(url)
    if url.startswith("postgresql"):
        from sqlalchemy import text

        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    return engine


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await _fresh_engine(f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}")
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = await _fresh_engine(url)
    yield eng
    await eng.dispose()


# --- Chromium (browser tests) ----------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (sync API), one per test module."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()
