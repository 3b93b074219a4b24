"""Tables of outbound: campaigns, their contact records, and the do-not-call list.

Dials and results are not stored here: they go to ``call_events`` (OUTBOUND_* kinds), so
the abandon rate is computed from the same log an auditor reads.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, BigId


class OutboundCampaign(Base):
    """A campaign's configuration and state (draft, running, paused, stopped).

    ``hours`` is ``"09:00-21:00"`` in the callee's local time; ``retries`` is
    ``result=after_s/max_retries`` separated by ``;``; ``dispositions`` codes by ``;``;
    ``max_total`` attempts per record (None: no bound); ``amd`` the answering-machine choice.
    """

    __tablename__ = "outbound_campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    mode: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    queue: Mapped[str] = mapped_column(String(64), nullable=False)
    caller_id: Mapped[str] = mapped_column(String(32), nullable=False)
    hours: Mapped[str] = mapped_column(String(32), nullable=False)
    max_per_day: Mapped[int] = mapped_column(Integer, nullable=False)
    retries: Mapped[str] = mapped_column(Text, nullable=False)
    dispositions: Mapped[str] = mapped_column(Text, nullable=False)
    script: Mapped[str | None] = mapped_column(Text)
    abandon_cap: Mapped[float] = mapped_column(Float, nullable=False)
    max_total: Mapped[int | None] = mapped_column(Integer)
    amd: Mapped[str] = mapped_column(String(16), nullable=False, default="off", server_default="off")
    amd_message: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(Float, nullable=False)


class OutboundRecord(Base):
    """One number to call in a campaign; ``extra`` is the CSV's other columns as JSON."""

    __tablename__ = "outbound_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("outbound_campaigns.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str | None] = mapped_column(String(128))
    extra: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    next_at: Mapped[float | None] = mapped_column(Float)
    last_result: Mapped[str | None] = mapped_column(String(16))
    disposition: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("campaign_id", "number", name="uq_outbound_records_number"),
        Index("ix_outbound_records_due", "campaign_id", "status", "next_at"),
    )


class OutboundDnc(Base):
    """A do-not-call number; ``campaign_id`` None is the global list."""

    __tablename__ = "outbound_dnc"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_campaigns.id"))
    number: Mapped[str] = mapped_column(String(32), nullable=False)
    added_at: Mapped[float] = mapped_column(Float, nullable=False)

    __table_args__ = (Index("ix_outbound_dnc_number", "number"),)
