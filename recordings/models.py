"""The recordings index: one row per MixMonitor started by the ACD, and retention per queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base

# ``recordings.status``: set by ``recordings.index``. A row is never deleted: a file that
# is gone or cut short is flagged so QA and audits can see the gap.
PENDING, OK, MISSING, TRUNCATED = "pending", "ok", "missing", "truncated"
STATUSES = (PENDING, OK, MISSING, TRUNCATED)


class Recording(Base):
    """``path`` is relative to the recordings store (``Settings.recordings_dir``);
    ``policy`` says why the call was recorded (``all``, ``percentage``).

    ``legs`` says how the two parties are laid out: None or ``{"layout": "stereo"}`` — the
    file at ``path`` has the agent on channel 0 and the caller on channel 1; ``{"layout":
    "legs", "agent": <rel path>, "caller": <rel path>}`` — MixMonitor ``t()`` / ``r()`` leg
    files beside the mix at ``path``. ``bytes`` and ``sha256`` cover every file of the
    recording (mix, then agent leg, then caller leg). ``purged_at`` is when retention
    deleted the files; ``legal_hold`` rows are never purged."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), nullable=False)
    uniqueid: Mapped[str] = mapped_column(String(64), nullable=False)
    agent: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500), nullable=False)
    started_at: Mapped[float] = mapped_column(Float, nullable=False)
    policy: Mapped[str] = mapped_column(String(32), nullable=False)
    linkedid: Mapped[str | None] = mapped_column(String(64))
    caller: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None] = mapped_column(Float)
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    format: Mapped[str | None] = mapped_column(String(32))
    legs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING,
                                        server_default=PENDING)
    status_note: Mapped[str | None] = mapped_column(String(300))
    indexed_at: Mapped[float | None] = mapped_column(Float)
    legal_hold: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                             server_default=false())
    purged_at: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_recordings_call_id", "call_id"),
        Index("ix_recordings_started_at", "started_at"),
        Index("ix_recordings_agent_started", "agent", "started_at"),
        Index("ix_recordings_status", "status"),
    )


class RecordingRetention(Base):
    """Days a queue's recordings are kept; queue ``*`` is the default for queues without a
    row. No row at all: kept until someone sets one."""

    __tablename__ = "recording_retention"

    queue: Mapped[str] = mapped_column(String(64), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, nullable=False)
