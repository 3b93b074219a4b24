"""Tables of QA: scorecard forms (versioned), evaluations with their answers, comments at
recording timestamps, the agent's acknowledge / dispute, and automatic audio metrics.

Evaluations point at ``recordings.id`` (the recordings index, ``recordings.models``).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, BigId


class QaForm(Base):
    """One version of a scorecard; ``definition`` is ``qa.forms.Form.to_dict()``."""

    __tablename__ = "qa_forms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    effective_from: Mapped[float] = mapped_column(Float, nullable=False)
    definition: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)

    __table_args__ = (UniqueConstraint("key", "version", name="uq_qa_forms_key_version"),)


class QaEvaluation(Base):
    """``status``: assigned -> scored -> acknowledged | disputed -> resolved.
    ``rule`` names the sampling rule that picked the call (``manual`` otherwise)."""

    __tablename__ = "qa_evaluations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    recording_id: Mapped[int] = mapped_column(Integer, nullable=False)
    call_id: Mapped[str] = mapped_column(String(64), nullable=False)
    agent: Mapped[str | None] = mapped_column(String(64))
    evaluator: Mapped[str | None] = mapped_column(String(64))
    form_key: Mapped[str] = mapped_column(String(64), nullable=False)
    form_version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    rule: Mapped[str] = mapped_column(String(64), nullable=False)
    score: Mapped[float | None] = mapped_column(Float)
    raw_score: Mapped[float | None] = mapped_column(Float)
    fatal_failed: Mapped[bool | None] = mapped_column(Boolean)
    assigned_at: Mapped[float] = mapped_column(Float, nullable=False)
    due_at: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_qa_evaluations_agent", "agent", "scored_at"),
        Index("ix_qa_evaluations_evaluator", "evaluator", "status"),
        Index("ix_qa_evaluations_recording", "recording_id"),
    )


class QaAnswer(Base):
    __tablename__ = "qa_answers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(Integer, nullable=False)
    item_id: Mapped[str] = mapped_column(String(64), nullable=False)
    value: Mapped[str] = mapped_column(String(16), nullable=False)
    fatal: Mapped[bool] = mapped_column(Boolean, nullable=False)
    evaluated: Mapped[bool] = mapped_column(Boolean, nullable=False)
    failed: Mapped[bool] = mapped_column(Boolean, nullable=False)

    __table_args__ = (Index("ix_qa_answers_evaluation", "evaluation_id"),)


class QaComment(Base):
    """A comment pinned at ``at_s`` seconds into the recording (None: the whole call)."""

    __tablename__ = "qa_comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(Integer, nullable=False)
    item_id: Mapped[str | None] = mapped_column(String(64))
    at_s: Mapped[float | None] = mapped_column(Float)
    author: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)

    __table_args__ = (Index("ix_qa_comments_evaluation", "evaluation_id"),)


class QaResponse(Base):
    """The agent's answer to a scored evaluation: ``kind`` is acknowledge or dispute; a
    dispute goes to the team lead, who sets ``resolved_by`` / ``resolution``."""

    __tablename__ = "qa_responses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(Integer, nullable=False)
    agent: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[float] = mapped_column(Float, nullable=False)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[float | None] = mapped_column(Float)
    resolution: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_qa_responses_evaluation", "evaluation_id"),)


class QaAudioMetrics(Base):
    """Automatic QA of one recording (``qa.audio``); seconds, ``flags`` a list of names."""

    __tablename__ = "qa_audio_metrics"

    recording_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), nullable=False)
    agent: Mapped[str | None] = mapped_column(String(64))
    analysed_at: Mapped[float] = mapped_column(Float, nullable=False)
    duration_s: Mapped[float] = mapped_column(Float, nullable=False)
    agent_talk_s: Mapped[float] = mapped_column(Float, nullable=False)
    caller_talk_s: Mapped[float] = mapped_column(Float, nullable=False)
    talk_ratio: Mapped[float | None] = mapped_column(Float)
    dead_air_s: Mapped[float] = mapped_column(Float, nullable=False)
    longest_dead_air_s: Mapped[float] = mapped_column(Float, nullable=False)
    overtalk_s: Mapped[float] = mapped_column(Float, nullable=False)
    longest_monologue_s: Mapped[float] = mapped_column(Float, nullable=False)
    first_words_s: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list] = mapped_column(JSON, nullable=False)

    __table_args__ = (Index("ix_qa_audio_metrics_call", "call_id"),)


class QaScriptCheck(Base):
    """Script compliance of one recording against one scripted item of a form version
    (``qa.compliance``). ``answer`` is yes / no, or None when no engine transcribes the
    form's language (``engine`` None, ``note`` says so); ``found`` / ``forbidden`` are
    ``[{"phrase", "at_s", "heard"}]``, ``missing`` the required phrases not heard."""

    __tablename__ = "qa_script_checks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    recording_id: Mapped[int] = mapped_column(Integer, nullable=False)
    form_key: Mapped[str] = mapped_column(String(64), nullable=False)
    form_version: Mapped[int] = mapped_column(Integer, nullable=False)
    item_id: Mapped[str] = mapped_column(String(64), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    engine: Mapped[str | None] = mapped_column(String(32))
    answer: Mapped[str | None] = mapped_column(String(8))
    found: Mapped[list] = mapped_column(JSON, nullable=False)
    missing: Mapped[list] = mapped_column(JSON, nullable=False)
    forbidden: Mapped[list] = mapped_column(JSON, nullable=False)
    note: Mapped[str | None] = mapped_column(String(300))
    checked_at: Mapped[float] = mapped_column(Float, nullable=False)

    __table_args__ = (
        UniqueConstraint("recording_id", "form_key", "form_version", "item_id", name="uq_qa_script_checks"),
    )


class QaTranscript(Base):
    """The agent's words in one recording, as an engine heard them (``words``:
    ``[[text, start_s, end_s], ...]``)."""

    __tablename__ = "qa_transcripts"

    recording_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    engine: Mapped[str] = mapped_column(String(32), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    words: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
