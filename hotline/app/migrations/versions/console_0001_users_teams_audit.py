"""console: users, teams, team members, sessions, audit log

Revision ID: console_0001
Revises: 0001_call_events
"""
import sqlalchemy as sa
from alembic import op

revision = "console_0001"
down_revision = "0001_call_events"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agent_id", sa.String(64), unique=True),
        sa.Column("extension", sa.String(128)),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "console_teams",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("console_teams.id", ondelete="SET NULL")),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("leader_id", sa.Integer(), sa.ForeignKey("console_users.id", ondelete="SET NULL")),
    )
    op.create_table(
        "console_team_members",
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("console_teams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("console_users.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.UniqueConstraint("token_hash", name="uq_console_sessions_token_hash"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "console_audit",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128)),
        sa.Column("from_value", sa.String(128)),
        sa.Column("to_value", sa.String(128)),
        sa.Column("ip", sa.String(64)),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_console_audit_ts", "console_audit", ["ts"])
    op.create_index("ix_console_audit_actor_ts", "console_audit", ["actor", "ts"])


def downgrade() -> None:
    op.drop_table("console_audit")
    op.drop_table("console_sessions")
    op.drop_table("console_team_members")
    op.drop_table("console_teams")
    op.drop_table("console_users")
