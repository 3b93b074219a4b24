"""reports: one row per call derived from the call-event log (report_call_facts)

Revision ID: reports_0001
Revises: 0001_call_events
"""
import sqlalchemy as sa
from alembic import op

revision = "reports_0001"
down_revision = "0001_call_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_call_facts",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("local_day", sa.String(10), nullable=False),
        sa.Column("local_minute", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(64)),
        sa.Column("fate", sa.String(24), nullable=False),
        sa.Column("lost", sa.Boolean(), nullable=False),
        sa.Column("entered", sa.Float()),
        sa.Column("answered_at", sa.Float()),
        sa.Column("agent", sa.String(64)),
        sa.Column("wait", sa.Float()),
        sa.Column("talk", sa.Float(), nullable=False),
        sa.Column("hold", sa.Float(), nullable=False),
        sa.Column("wrap", sa.Float(), nullable=False),
        sa.Column("caller", sa.String(32)),
        sa.Column("node", sa.String(64)),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(64)),
    )
    op.create_index("ix_report_call_facts_day", "report_call_facts", ["local_day", "local_minute"])
    op.create_index("ix_report_call_facts_start", "report_call_facts", ["start"])
    op.create_index("ix_report_call_facts_caller_start", "report_call_facts", ["caller", "start"])


def downgrade() -> None:
    op.drop_table("report_call_facts")
