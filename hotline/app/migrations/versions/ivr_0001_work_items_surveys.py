"""ivr: after-hours work items (voicemail, callback) and post-call survey answers

Revision ID: ivr_0001
Revises: 0001_call_events
"""
import sqlalchemy as sa
from alembic import op

revision = "ivr_0001"
down_revision = "0001_call_events"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ivr_work_items",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("uniqueid", sa.String(64)),
        sa.Column("caller_num", sa.String(32), nullable=False),
        sa.Column("caller_name", sa.String(128)),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("customer_id", sa.Integer()),
        sa.Column("path", sa.Text()),
        sa.Column("duration_s", sa.Float()),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("done_at", sa.Float()),
        sa.Column("done_by", sa.String(64)),
    )
    op.create_index("ix_ivr_work_items_open", "ivr_work_items", ["done_at", "created_at"])
    op.create_index("ix_ivr_work_items_call_id", "ivr_work_items", ["call_id"])
    op.create_table(
        "ivr_survey_answers",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(64)),
        sa.Column("question", sa.String(32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_ivr_survey_answers_call_id", "ivr_survey_answers", ["call_id"])
    op.create_index("ix_ivr_survey_answers_agent", "ivr_survey_answers", ["agent", "answered_at"])


def downgrade() -> None:
    op.drop_table("ivr_survey_answers")
    op.drop_table("ivr_work_items")
