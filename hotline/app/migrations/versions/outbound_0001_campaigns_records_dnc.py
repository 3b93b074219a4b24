"""outbound: campaigns, contact records, do-not-call list

Revision ID: outbound_0001
Revises: 0001_call_events
"""
import sqlalchemy as sa
from alembic import op

revision = "outbound_0001"
down_revision = "0001_call_events"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbound_campaigns",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("caller_id", sa.String(32), nullable=False),
        sa.Column("hours", sa.String(32), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Text(), nullable=False),
        sa.Column("dispositions", sa.Text(), nullable=False),
        sa.Column("script", sa.Text()),
        sa.Column("abandon_cap", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "outbound_records",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", _ID, sa.ForeignKey("outbound_campaigns.id"), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128)),
        sa.Column("extra", sa.Text()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.Float()),
        sa.Column("last_result", sa.String(16)),
        sa.Column("disposition", sa.String(32)),
        sa.UniqueConstraint("campaign_id", "number", name="uq_outbound_records_number"),
    )
    op.create_index("ix_outbound_records_due", "outbound_records", ["campaign_id", "status", "next_at"])
    op.create_table(
        "outbound_dnc",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", _ID, sa.ForeignKey("outbound_campaigns.id")),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("added_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_outbound_dnc_number", "outbound_dnc", ["number"])


def downgrade() -> None:
    op.drop_table("outbound_dnc")
    op.drop_table("outbound_records")
    op.drop_table("outbound_campaigns")
