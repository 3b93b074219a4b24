"""The recordings index: one row per MixMonitor started by the ACD."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class Recording(Base):
    """``path`` is relative to the recordings store (``Settings.recordings_dir``);
    ``policy`` says why the call was recorded (``all``, ``percentage``)."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), nullable=False)
    uniqueid: Mapped[str] = mapped_column(String(64), nullable=False)
    agent: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500), nullable=False)
    started_at: Mapped[float] = mapped_column(Float, nullable=False)
    policy: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = (
        Index("ix_recordings_call_id", "call_id"),
        Index("ix_recordings_started_at", "started_at"),
    )
