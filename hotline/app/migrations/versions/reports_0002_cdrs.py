"""reports: Asterisk's own CDRs (report_cdrs), from AMI Cdr events and Master.csv imports

Revision ID: reports_0002
Revises: reports_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "reports_0002"
down_revision = "reports_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_cdrs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("linkedid", sa.String(64)),
        sa.Column("src", sa.String(80), nullable=False),
        sa.Column("dst", sa.String(80), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("answer", sa.Float()),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("billsec", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("dstchannel", sa.String(128), nullable=False),
        sa.Column("lastapp", sa.String(80), nullable=False),
        sa.Column("lastdata", sa.String(255), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
    )
    op.create_index("ix_report_cdrs_start", "report_cdrs", ["start"])
    op.create_index("ix_report_cdrs_uniqueid", "report_cdrs", ["uniqueid"])


def downgrade() -> None:
    op.drop_table("report_cdrs")
