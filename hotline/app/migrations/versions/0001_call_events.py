"""call-event log

Revision ID: 0001_call_events
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_call_events"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("uniqueid", sa.String(64)),
        sa.Column("linkedid", sa.String(64)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("queue", sa.String(64)),
        sa.Column("agent", sa.String(64)),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_call_events_call_id", "call_events", ["call_id"])
    op.create_index("ix_call_events_ts", "call_events", ["ts"])
    op.create_index("ix_call_events_kind_ts", "call_events", ["kind", "ts"])
    op.create_index("ix_call_events_queue_ts", "call_events", ["queue", "ts"])
    op.create_index("ix_call_events_agent_ts", "call_events", ["agent", "ts"])


def downgrade() -> None:
    op.drop_table("call_events")
