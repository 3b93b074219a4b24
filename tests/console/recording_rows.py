"""Recording rows and a recordings store for console tests (recordings and QA)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, select

from agent_console.models import AuditEntry
from hotline.settings import Settings
from recordings.models import Recording
from tests.console.conftest import START, Console
from tests.recordings.wavs import write_stereo

T0 = START + 600


def use_store(console: Console, tmp_path: Path) -> Path:
    """A recordings store under ``tmp_path`` that the running console serves from."""
    root = tmp_path / "rec"
    root.mkdir()
    console.app.state.console.settings = Settings(recordings_dir=root)
    return root


def add_recording(console: Console, root: Path | None, *, agent: str = "1001", queue: str = "sales",
                  name: str = "a.wav", seconds: float = 2.0, started_at: float = T0, **kw) -> int:
    if root is not None:
        write_stereo(root / name, seconds)
    row = {"call_id": kw.pop("call_id", f"call-{name}"), "uniqueid": "u1", "agent": agent, "queue": queue,
           "path": name, "started_at": started_at, "policy": "all", "duration_s": seconds, "status": "ok",
           **kw}

    async def go() -> int:
        async with console.engine.begin() as conn:
            res = await conn.execute(insert(Recording).values(**row).returning(Recording.id))
            return int(res.scalar_one())

    return console.run(go)


def audit_rows(console: Console, action_prefix: str = "recording_") -> list[AuditEntry]:
    async def go() -> list[AuditEntry]:
        async with console.engine.connect() as conn:
            rows = await conn.execute(select(AuditEntry).where(AuditEntry.action.startswith(action_prefix))
                                      .order_by(AuditEntry.id))
            return list(rows.all())

    return console.run(go)
