"""qa: scorecard forms, evaluations, answers, comments, responses, audio metrics

Revision ID: qa_0001
Revises: acd_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "qa_0001"
down_revision = "acd_0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "qa_forms",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Float(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("key", "version", name="uq_qa_forms_key_version"),
    )
    op.create_table(
        "qa_evaluations",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(64)),
        sa.Column("evaluator", sa.String(64)),
        sa.Column("form_key", sa.String(64), nullable=False),
        sa.Column("form_version", sa.Integer()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("raw_score", sa.Float()),
        sa.Column("fatal_failed", sa.Boolean()),
        sa.Column("assigned_at", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float()),
        sa.Column("scored_at", sa.Float()),
    )
    op.create_index("ix_qa_evaluations_agent", "qa_evaluations", ["agent", "scored_at"])
    op.create_index("ix_qa_evaluations_evaluator", "qa_evaluations", ["evaluator", "status"])
    op.create_index("ix_qa_evaluations_recording", "qa_evaluations", ["recording_id"])
    op.create_table(
        "qa_answers",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("fatal", sa.Boolean(), nullable=False),
        sa.Column("evaluated", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_qa_answers_evaluation", "qa_answers", ["evaluation_id"])
    op.create_table(
        "qa_comments",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(64)),
        sa.Column("at_s", sa.Float()),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_qa_comments_evaluation", "qa_comments", ["evaluation_id"])
    op.create_table(
        "qa_responses",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_at", sa.Float()),
        sa.Column("resolution", sa.Text()),
    )
    op.create_index("ix_qa_responses_evaluation", "qa_responses", ["evaluation_id"])
    op.create_table(
        "qa_audio_metrics",
        sa.Column("recording_id", sa.Integer(), primary_key=True),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(64)),
        sa.Column("analysed_at", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("agent_talk_s", sa.Float(), nullable=False),
        sa.Column("caller_talk_s", sa.Float(), nullable=False),
        sa.Column("talk_ratio", sa.Float()),
        sa.Column("dead_air_s", sa.Float(), nullable=False),
        sa.Column("longest_dead_air_s", sa.Float(), nullable=False),
        sa.Column("overtalk_s", sa.Float(), nullable=False),
        sa.Column("longest_monologue_s", sa.Float(), nullable=False),
        sa.Column("first_words_s", sa.Float()),
        sa.Column("flags", sa.JSON(), nullable=False),
    )
    op.create_index("ix_qa_audio_metrics_call", "qa_audio_metrics", ["call_id"])


def downgrade() -> None:
    for name in ("qa_audio_metrics", "qa_responses", "qa_comments", "qa_answers",
                 "qa_evaluations", "qa_forms"):
        op.drop_table(name)
