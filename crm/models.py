"""CRM tables. Times are epoch seconds (float, UTC) like ``call_events.ts``.

People (agents, leads, managers) are referenced by plain user id / username so the CRM
does not depend on the console's user tables; departments (where tickets are sent,
交办) are ours.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, BigId

NAME_MAX = 200


class Customer(Base):
    __tablename__ = "crm_customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(500))
    segment: Mapped[str | None] = mapped_column(String(32))
    vip_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    blacklisted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    owner_agent_id: Mapped[int | None] = mapped_column(Integer)
    owner_team_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    updated_at: Mapped[float] = mapped_column(Float, nullable=False)

    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerPhone.id",
        lazy="selectin")

    __table_args__ = (Index("ix_crm_customers_name", "name"),)


class CustomerPhone(Base):
    """One number of a customer, normalised to E.164; ``e164`` is the lookup key."""

    __tablename__ = "crm_phones"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("crm_customers.id", ondelete="CASCADE"), nullable=False)
    e164: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False, default="other")
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    region_zh: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    region_en: Mapped[str] = mapped_column(String(128), nullable=False, default="")

    customer: Mapped[Customer] = relationship(back_populates="phones")

    __table_args__ = (
        Index("ix_crm_phones_e164", "e164", unique=True),
        Index("ix_crm_phones_customer_id", "customer_id"),
    )


class Interaction(Base):
    """One call leg handled by an agent (or an outbound callback)."""

    __tablename__ = "crm_interactions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("crm_customers.id", ondelete="SET NULL"))
    call_id: Mapped[str | None] = mapped_column(String(64))  # call_events.call_id
    number: Mapped[str | None] = mapped_column(String(20))  # E.164 of the other party
    agent_id: Mapped[int | None] = mapped_column(Integer)
    agent: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(3), nullable=False)  # in / out
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="call")  # call / callback
    started_at: Mapped[float] = mapped_column(Float, nullable=False)
    answered_at: Mapped[float | None] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)
    disposition: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    recording_ref: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        Index("ix_crm_interactions_customer_started", "customer_id", "started_at"),
        Index("ix_crm_interactions_call_id", "call_id"),
        Index("ix_crm_interactions_number_started", "number", "started_at"),
        Index("ix_crm_interactions_agent_started", "agent", "started_at"),
    )


class Department(Base):
    """Where tickets are sent (交办). ``lead`` and ``manager`` are usernames, the default
    escalation chain (督办) for tickets assigned here."""

    __tablename__ = "crm_departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    lead: Mapped[str | None] = mapped_column(String(64))
    manager: Mapped[str | None] = mapped_column(String(64))


class Category(Base):
    """Category tree of tickets (parent_id None = a root)."""

    __tablename__ = "crm_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parent_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("crm_categories.id"))
    name_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    name_en: Mapped[str] = mapped_column(String(100), nullable=False)


class Ticket(Base):
    __tablename__ = "crm_tickets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    priority: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("crm_categories.id"))
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("crm_customers.id", ondelete="SET NULL"))
    interaction_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("crm_interactions.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("crm_departments.id"))
    assignee: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    updated_at: Mapped[float] = mapped_column(Float, nullable=False)
    response_due: Mapped[float] = mapped_column(Float, nullable=False)
    resolution_due: Mapped[float] = mapped_column(Float, nullable=False)
    accepted_at: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[float | None] = mapped_column(Float)
    closed_at: Mapped[float | None] = mapped_column(Float)
    resolution: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 1..5, from the callback (回访)
    escalation_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    escalated_to: Mapped[str | None] = mapped_column(String(64))
    reopen_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    @property
    def number(self) -> str:
        return ticket_number(self.id)

    __table_args__ = (
        Index("ix_crm_tickets_status_resolution_due", "status", "resolution_due"),
        Index("ix_crm_tickets_customer_status", "customer_id", "status"),
        Index("ix_crm_tickets_assignee_status", "assignee", "status"),
    )


class AuditEntry(Base):
    """Every change to a customer or a ticket: who, when, what, from -> to."""

    __tablename__ = "crm_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16), nullable=False)  # customer / ticket
    entity_id: Mapped[int] = mapped_column(BigId, nullable=False)
    at: Mapped[float] = mapped_column(Float, nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    field: Mapped[str | None] = mapped_column(String(32))
    old: Mapped[Any] = mapped_column("old_value", JSON, nullable=True)
    new: Mapped[Any] = mapped_column("new_value", JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_crm_audit_entity", "entity", "entity_id", "at"),)


def ticket_number(ticket_id: int) -> str:
    """Ticket numbers shown to callers: ``T0000042``. Parsed back by :func:`parse_ticket_number`."""
    return f"T{ticket_id:07d}"


def parse_ticket_number(text: str) -> int | None:
    s = text.strip().upper().removeprefix("T")
    return int(s) if s.isdigit() and len(s) <= 15 else None
