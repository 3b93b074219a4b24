"""acd: queues, skills, agents, reason/disposition codes, agent state; recordings index

Revision ID: acd_0001
Revises: 0001_call_events
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "acd_0001"
down_revision = "0001_call_events"
branch_labels = None
depends_on = None


def _codes(name: str) -> None:
    op.create_table(
        name,
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column("label_zh", sa.String(200), nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "acd_queues",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column("label_zh", sa.String(200), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "acd_skills",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column("label_zh", sa.String(200), nullable=False),
    )
    op.create_table(
        "acd_agents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("queues", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    _codes("acd_reason_codes")
    _codes("acd_disposition_codes")
    op.create_table(
        "acd_agent_state",
        sa.Column("agent_id", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(64)),
        sa.Column("extension", sa.String(64)),
        sa.Column("since", sa.Float(), nullable=False),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(64)),
        sa.Column("queue", sa.String(64)),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("policy", sa.String(32), nullable=False),
    )
    op.create_index("ix_recordings_call_id", "recordings", ["call_id"])
    op.create_index("ix_recordings_started_at", "recordings", ["started_at"])


def downgrade() -> None:
    for name in ("recordings", "acd_agent_state", "acd_disposition_codes", "acd_reason_codes",
                 "acd_agents", "acd_skills", "acd_queues"):
        op.drop_table(name)
