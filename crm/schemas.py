"""Pydantic models at the edge (REST bodies and answers). Every free-text field has a
length limit so oversized input is refused with 422 before it reaches the database."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from crm import phones as ph
from crm.sla import Priority, TicketType
from crm.workflow import Status

T = TypeVar("T")
MAX_PHONES = 10
MAX_TAGS = 20

Tag = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[^;]+$")]
RawPhone = Annotated[str, Field(min_length=1, max_length=ph.MAX_RAW_LENGTH)]
# Ids in bodies are bounded by their column (BigInteger / Integer), so an absurd number is a
# 422, not an overflow in the database driver.
RowId = Annotated[int, Field(ge=1, le=2**62)]
SmallId = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _normalise_phones(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    out: list[str] = []
    for raw in values:
        try:
            e164 = ph.normalize_with_info(raw).e164
        except ph.PhoneError as exc:
            raise ValueError(str(exc)) from None
        if e164 not in out:
            out.append(e164)
    return out


def _not_null(value: Any, info: ValidationInfo) -> Any:
    """PATCH bodies: a field the database requires may be left out, not set to null."""
    if value is None:
        raise ValueError(f"{info.field_name} cannot be null; leave it out to keep the current value")
    return value


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    phones: list[RawPhone] = Field(default_factory=list, max_length=MAX_PHONES)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=500)
    segment: str | None = Field(default=None, max_length=32)
    vip_level: int = Field(default=0, ge=0, le=9)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    blacklisted: bool = False
    notes: str | None = Field(default=None, max_length=4000)
    owner_agent_id: SmallId | None = None
    owner_team_id: SmallId | None = None

    _phones = field_validator("phones")(_normalise_phones)


class CustomerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    phones: list[RawPhone] | None = Field(default=None, max_length=MAX_PHONES)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=500)
    segment: str | None = Field(default=None, max_length=32)
    vip_level: int | None = Field(default=None, ge=0, le=9)
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    blacklisted: bool | None = None
    notes: str | None = Field(default=None, max_length=4000)
    owner_agent_id: SmallId | None = None
    owner_team_id: SmallId | None = None

    _phones = field_validator("phones")(_normalise_phones)
    _required = field_validator("name", "phones", "vip_level", "tags", "blacklisted", mode="before")(_not_null)


class PhoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    e164: str
    kind: str
    country: str
    region_zh: str
    region_en: str


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    phones: list[PhoneOut]
    email: str | None
    address: str | None
    segment: str | None
    vip_level: int
    tags: list[str]
    blacklisted: bool
    notes: str | None
    owner_agent_id: int | None
    owner_team_id: int | None
    created_at: float
    updated_at: float


class InteractionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer_id: RowId | None = None
    call_id: str | None = Field(default=None, max_length=64)
    number: RawPhone | None = None
    agent_id: SmallId | None = None
    agent: str | None = Field(default=None, max_length=64)
    queue: str | None = Field(default=None, max_length=64)
    direction: Literal["in", "out"] = "in"
    kind: Literal["call", "callback"] = "call"
    started_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    disposition: str | None = Field(default=None, max_length=64)
    notes: str | None = Field(default=None, max_length=4000)
    recording_ref: str | None = Field(default=None, max_length=255)


class InteractionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int | None
    call_id: str | None
    number: str | None
    agent_id: int | None
    agent: str | None
    queue: str | None
    direction: str
    kind: str
    started_at: float
    answered_at: float | None
    ended_at: float | None
    disposition: str | None
    notes: str | None
    recording_ref: str | None


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: TicketType
    priority: Priority = Priority.NORMAL
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=8000)
    category_id: SmallId | None = None
    customer_id: RowId | None = None
    interaction_id: RowId | None = None


class TicketPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=8000)
    priority: Priority | None = None
    category_id: SmallId | None = None
    customer_id: RowId | None = None

    _required = field_validator("title", "priority", mode="before")(_not_null)


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    department_id: SmallId | None = None
    assignee: str | None = Field(default=None, max_length=64)
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    resolution: str | None = Field(default=None, max_length=8000)
    note: str | None = Field(default=None, max_length=2000)


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    type: str
    priority: str
    status: Status
    title: str
    description: str | None
    category_id: int | None
    customer_id: int | None
    interaction_id: int | None
    department_id: int | None
    assignee: str | None
    created_by: str
    created_at: float
    updated_at: float
    response_due: float
    resolution_due: float
    accepted_at: float | None
    resolved_at: float | None
    closed_at: float | None
    resolution: str | None
    satisfaction: int | None
    escalation_level: int
    escalated_to: str | None
    reopen_count: int


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: float
    actor: str
    action: str
    field: str | None
    old: Any
    new: Any
    note: str | None


class TicketDetail(TicketOut):
    audit: list[AuditOut] = []
    allowed_actions: list[str] = []


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    lead: str | None = Field(default=None, max_length=64)
    manager: str | None = Field(default=None, max_length=64)


class DepartmentOut(DepartmentIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    parent_id: SmallId | None = None
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)


class CategoryOut(CategoryIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
