"""recordings: index fields (linkedid, caller, customer, duration, bytes, sha256, format,
legs, status, legal hold, purge time) and retention per queue

Revision ID: recordings_0002
Revises: qa_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "recordings_0002"
down_revision = "qa_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as t:
        t.add_column(sa.Column("linkedid", sa.String(64)))
        t.add_column(sa.Column("caller", sa.String(64)))
        t.add_column(sa.Column("customer_id", sa.Integer()))
        t.add_column(sa.Column("duration_s", sa.Float()))
        t.add_column(sa.Column("bytes", sa.BigInteger()))
        t.add_column(sa.Column("sha256", sa.String(64)))
        t.add_column(sa.Column("format", sa.String(32)))
        t.add_column(sa.Column("legs", sa.JSON()))
        t.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="pending"))
        t.add_column(sa.Column("status_note", sa.String(300)))
        t.add_column(sa.Column("indexed_at", sa.Float()))
        t.add_column(sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false()))
        t.add_column(sa.Column("purged_at", sa.Float()))
    op.create_index("ix_recordings_agent_started", "recordings", ["agent", "started_at"])
    op.create_index("ix_recordings_status", "recordings", ["status"])
    op.create_table(
        "recording_retention",
        sa.Column("queue", sa.String(64), primary_key=True),
        sa.Column("days", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recording_retention")
    op.drop_index("ix_recordings_status", "recordings")
    op.drop_index("ix_recordings_agent_started", "recordings")
    with op.batch_alter_table("recordings") as t:
        for c in ("purged_at", "legal_hold", "indexed_at", "status_note", "status", "legs", "format",
                  "sha256", "bytes", "duration_s", "customer_id", "caller", "linkedid"):
            t.drop_column(c)
