"""reports: the skills each call asked for (report_call_facts.skills), for KPIs per skill

Revision ID: reports_0004
Revises: reports_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "reports_0004"
down_revision = "reports_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("report_call_facts", sa.Column("skills", sa.String(255)))


def downgrade() -> None:
    with op.batch_alter_table("report_call_facts") as batch:
        batch.drop_column("skills")
