"""Request and response bodies of the HTTP API (pydantic; 422 with field names on bad input)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent_console.models import ROLES, TEAM_LEVELS
from agent_console.store import USERNAME_PATTERN

Role = Literal["agent", "team_lead", "supervisor", "qa", "admin"]
TeamLevel = Literal["manager", "supervisor", "team_lead", "group_lead"]
assert set(ROLES) == set(Role.__args__) and set(TEAM_LEVELS) == set(TeamLevel.__args__)  # type: ignore[attr-defined]

Name = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")
Short = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    agent_id: str | None
    extension: str | None
    language: str
    active: bool

    model_config = ConfigDict(from_attributes=True)


class LoginOut(BaseModel):
    token: str
    expires_at: float
    user: UserOut
    home: str = "/"  # the page this user lands on (agent_console.nav)


class PageLink(BaseModel):
    path: str
    label_en: str
    label_zh: str


class MyPagesOut(BaseModel):
    home: str
    pages: list[PageLink]


class Ok(BaseModel):
    ok: bool = True


class AgentLoginIn(Strict):
    extension: str | None = Field(default=None, min_length=1, max_length=128,
                                  description="Endpoint to ring; defaults to the user's extension.")


class NotReadyIn(Strict):
    reason: str = Short


class TransferIn(Strict):
    kind: Literal["agent", "queue", "number"]
    target: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.+*#@:-]+$")
    attended: bool = False


class ConferenceIn(Strict):
    number: str = Field(min_length=1, max_length=32, pattern=r"^\+?[0-9*#]+$")


class WrapUpIn(Strict):
    disposition: str = Short
    notes: str = Field(default="", max_length=4000)
    ticket_ref: str | None = Field(default=None, min_length=1, max_length=64)


class ExtendWrapUpIn(Strict):
    seconds: int = Field(ge=1, le=600)


class CodeOut(BaseModel):
    code: str
    label_en: str
    label_zh: str


class CodesOut(BaseModel):
    reasons: list[CodeOut]
    dispositions: list[CodeOut]


class IceServerOut(BaseModel):
    urls: list[str]


class PhoneOut(BaseModel):
    """The agent's browser phone account; only ``webrtc`` (false) for an agent with a hard phone."""

    webrtc: bool
    ws_uri: str | None = None
    sip_uri: str | None = None
    username: str | None = None
    password: str | None = None
    display_name: str | None = None
    ice_servers: list[IceServerOut] | None = None


class Label(BaseModel):
    en: str
    zh: str


class LabelsOut(BaseModel):
    queues: dict[str, Label]
    reasons: dict[str, Label]


class CurrentCallOut(BaseModel):
    """An agent's call as people read it (never only an id): caller, queue, talk start."""

    call_id: str
    caller: str
    caller_name: str
    queue: str
    talk_since: float | None = None


class AgentOut(BaseModel):
    agent: str
    name: str
    state: str
    since: float
    time_in_state_s: float
    reason: str | None = None
    current_call: str | None = None
    call: CurrentCallOut | None = None
    extension: str | None = None
    calls_handled: int = 0
    aht_s: float | None = None
    queues: list[str] = []
    wrap_until: float | None = None
    pending_state: str | None = None
    pending_reason: str | None = None
    transferring: str | None = None  # "attended": Complete / Cancel transfer are due


class QueueOut(BaseModel):
    queue: str
    waiting: int
    longest_wait_s: float
    offered_today: int
    answered_today: int
    abandoned_today: int
    service_level: float | None
    sl_threshold_s: float
    sl_target: float
    service_level_formula: str
    agents_by_state: dict[str, int]


class AlarmOut(BaseModel):
    queue: str
    kind: str
    value: float
    threshold: float


class SnapshotOut(BaseModel):
    at: float
    queues: list[QueueOut]
    agents: list[AgentOut]
    alarms: list[AlarmOut] = []


class ForceStateIn(Strict):
    state: Literal["ready", "not_ready", "logged_out"]
    reason: str = Short


class SpyIn(Strict):
    mode: Literal["listen", "whisper", "barge"]


class UserCreateIn(Strict):
    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=8, max_length=1024)
    role: Role
    display_name: str = Field(default="", max_length=128)
    agent_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    extension: str | None = Field(default=None, min_length=1, max_length=128)
    language: Literal["zh", "en"] = "zh"


class UserPatchIn(Strict):
    role: Role | None = None
    display_name: str | None = Field(default=None, max_length=128)
    agent_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    extension: str | None = Field(default=None, min_length=1, max_length=128)
    language: Literal["zh", "en"] | None = None
    active: bool | None = None


class PasswordIn(Strict):
    password: str = Field(min_length=8, max_length=1024)


class TeamIn(Strict):
    name: str = Field(min_length=1, max_length=128)
    parent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    level: TeamLevel = "team_lead"
    leader_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class TeamOut(BaseModel):
    id: int
    name: str
    parent_id: int | None
    level: str
    leader_id: int | None
    members: list[int] = []


class MemberIn(Strict):
    user_id: int = Field(ge=1, le=2**31 - 1)


class AuditOut(BaseModel):
    id: int
    ts: float
    actor: str
    action: str
    target: str | None
    from_value: str | None
    to_value: str | None
    ip: str | None
    data: dict[str, Any] = {}  # admin changes: before / after (or the menu file's diff)

    model_config = ConfigDict(from_attributes=True)
