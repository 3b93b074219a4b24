"""crm: customers, phones, interactions, departments, categories, tickets, audit

Revision ID: crm_0001
Revises: 0001_call_events
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "crm_0001"
down_revision = "0001_call_events"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "crm_customers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("address", sa.String(500)),
        sa.Column("segment", sa.String(32)),
        sa.Column("vip_level", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("blacklisted", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("owner_agent_id", sa.Integer()),
        sa.Column("owner_team_id", sa.Integer()),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_crm_customers_name", "crm_customers", ["name"])

    op.create_table(
        "crm_phones",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("customer_id", BigId, sa.ForeignKey("crm_customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("e164", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region_zh", sa.String(64), nullable=False),
        sa.Column("region_en", sa.String(128), nullable=False),
    )
    op.create_index("ix_crm_phones_e164", "crm_phones", ["e164"], unique=True)
    op.create_index("ix_crm_phones_customer_id", "crm_phones", ["customer_id"])

    op.create_table(
        "crm_interactions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("customer_id", BigId, sa.ForeignKey("crm_customers.id", ondelete="SET NULL")),
        sa.Column("call_id", sa.String(64)),
        sa.Column("number", sa.String(20)),
        sa.Column("agent_id", sa.Integer()),
        sa.Column("agent", sa.String(64)),
        sa.Column("queue", sa.String(64)),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("answered_at", sa.Float()),
        sa.Column("ended_at", sa.Float()),
        sa.Column("disposition", sa.String(64)),
        sa.Column("notes", sa.Text()),
        sa.Column("recording_ref", sa.String(255)),
    )
    op.create_index("ix_crm_interactions_customer_started", "crm_interactions", ["customer_id", "started_at"])
    op.create_index("ix_crm_interactions_call_id", "crm_interactions", ["call_id"])
    op.create_index("ix_crm_interactions_number_started", "crm_interactions", ["number", "started_at"])
    op.create_index("ix_crm_interactions_agent_started", "crm_interactions", ["agent", "started_at"])

    op.create_table(
        "crm_departments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("lead", sa.String(64)),
        sa.Column("manager", sa.String(64)),
        sa.UniqueConstraint("name"),
    )

    op.create_table(
        "crm_categories",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("crm_categories.id")),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
    )

    op.create_table(
        "crm_tickets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("crm_categories.id")),
        sa.Column("customer_id", BigId, sa.ForeignKey("crm_customers.id", ondelete="SET NULL")),
        sa.Column("interaction_id", BigId, sa.ForeignKey("crm_interactions.id", ondelete="SET NULL")),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("crm_departments.id")),
        sa.Column("assignee", sa.String(64)),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("response_due", sa.Float(), nullable=False),
        sa.Column("resolution_due", sa.Float(), nullable=False),
        sa.Column("accepted_at", sa.Float()),
        sa.Column("resolved_at", sa.Float()),
        sa.Column("closed_at", sa.Float()),
        sa.Column("resolution", sa.Text()),
        sa.Column("satisfaction", sa.Integer()),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("escalated_to", sa.String(64)),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_crm_tickets_status_resolution_due", "crm_tickets", ["status", "resolution_due"])
    op.create_index("ix_crm_tickets_customer_status", "crm_tickets", ["customer_id", "status"])
    op.create_index("ix_crm_tickets_assignee_status", "crm_tickets", ["assignee", "status"])

    op.create_table(
        "crm_audit",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_id", BigId, nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("field", sa.String(32)),
        sa.Column("old_value", sa.JSON()),
        sa.Column("new_value", sa.JSON()),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_crm_audit_entity", "crm_audit", ["entity", "entity_id", "at"])


def downgrade() -> None:
    for table in ("crm_audit", "crm_tickets", "crm_categories", "crm_departments",
                  "crm_interactions", "crm_phones", "crm_customers"):
        op.drop_table(table)
