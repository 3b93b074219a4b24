"""Tables of the IVR: after-hours work items (voicemail, callback) and survey answers.

The funnel itself is not stored here: it goes to ``call_events`` (IVR_* kinds).
"""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, BigId


class IvrWorkItem(Base):
    """A voicemail or a callback request left for the agents (listed next morning).

    ``number`` is the number to call back (for a voicemail: the caller's number);
    ``path`` is the recording without extension for a voicemail (Asterisk adds ``.wav``).
    """

    __tablename__ = "ivr_work_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    call_id: Mapped[str] = mapped_column(String(64), nullable=False)
    uniqueid: Mapped[str | None] = mapped_column(String(64))
    caller_num: Mapped[str] = mapped_column(String(32), nullable=False)
    caller_name: Mapped[str | None] = mapped_column(String(128))
    number: Mapped[str] = mapped_column(String(32), nullable=False)
    queue: Mapped[str] = mapped_column(String(64), nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    customer_id: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    done_at: Mapped[float | None] = mapped_column(Float)
    done_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_ivr_work_items_open", "done_at", "created_at"),
        Index("ix_ivr_work_items_call_id", "call_id"),
    )


class IvrSurveyAnswer(Base):
    """One 1-5 score for one question of the post-call survey."""

    __tablename__ = "ivr_survey_answers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), nullable=False)
    agent: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(String(32), nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    answered_at: Mapped[float] = mapped_column(Float, nullable=False)

    __table_args__ = (
        Index("ix_ivr_survey_answers_call_id", "call_id"),
        Index("ix_ivr_survey_answers_agent", "agent", "answered_at"),
    )
