"""reports: the caller's previous call on each fact, for the repeat-call rate without a
window function over the month (report_call_facts.prev_start)

Revision ID: reports_0003
Revises: reports_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "reports_0003"
down_revision = "reports_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("report_call_facts", sa.Column("prev_start", sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table("report_call_facts") as batch:
        batch.drop_column("prev_start")
