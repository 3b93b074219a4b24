"""outbound: a campaign's max attempts in total and its answering-machine choice

Revision ID: outbound_0002
Revises: outbound_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "outbound_0002"
down_revision = "outbound_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_campaigns") as t:
        t.add_column(sa.Column("max_total", sa.Integer()))
        t.add_column(sa.Column("amd", sa.String(16), nullable=False, server_default="off"))
        t.add_column(sa.Column("amd_message", sa.String(128)))


def downgrade() -> None:
    with op.batch_alter_table("outbound_campaigns") as t:
        t.drop_column("amd_message")
        t.drop_column("amd")
        t.drop_column("max_total")
