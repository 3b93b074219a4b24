"""reports: traffic alarm rules and the alarms that rose and cleared

Revision ID: reports_alarms_0001
Revises: reports_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "reports_alarms_0001"
down_revision = "reports_0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "report_alarm_rules",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("threshold_s", sa.Float(), nullable=False),
        sa.Column("min_calls", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "report_alarm_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("rule_name", sa.String(128), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("peak", sa.Float(), nullable=False),
        sa.Column("raised_at", sa.Float(), nullable=False),
        sa.Column("cleared_at", sa.Float()),
    )
    op.create_index("ix_report_alarm_events_raised", "report_alarm_events", ["raised_at"])
    op.create_index("ix_report_alarm_events_open", "report_alarm_events", ["cleared_at"])


def downgrade() -> None:
    op.drop_table("report_alarm_events")
    op.drop_table("report_alarm_rules")
