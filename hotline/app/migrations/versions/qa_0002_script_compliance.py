"""qa: script compliance checks and agent transcripts

Revision ID: qa_0002
Revises: recordings_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "qa_0002"
down_revision = "recordings_0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "qa_script_checks",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(64), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("engine", sa.String(32)),
        sa.Column("answer", sa.String(8)),
        sa.Column("found", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("forbidden", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(300)),
        sa.Column("checked_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("recording_id", "form_key", "form_version", "item_id",
                            name="uq_qa_script_checks"),
    )
    op.create_table(
        "qa_transcripts",
        sa.Column("recording_id", sa.Integer(), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("qa_transcripts")
    op.drop_table("qa_script_checks")
