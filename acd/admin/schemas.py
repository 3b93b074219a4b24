"""Request/response bodies of the admin API (validated at the edge; 422 with field names)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

Proficiency = int


class MembershipIn(BaseModel):
    weight: float = Field(1.0, gt=0)
    priority: int = 0


class AgentIn(BaseModel):
    name: str = Field("", max_length=200)
    endpoint: str = Field(..., min_length=3, max_length=200, pattern=r"^[A-Za-z0-9]+/[^\s,|]+$")
    skills: dict[str, Proficiency] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    queues: dict[str, MembershipIn] = Field(default_factory=dict)
    active: bool = True

    @field_validator("skills")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        for skill, level in v.items():
            if not 1 <= level <= 10:
                raise ValueError(f"proficiency of {skill} must be 1..10, not {level}")
        return v


class AgentOut(AgentIn):
    id: str


class ExitIn(BaseModel):
    to: Literal["voicemail", "callback", "overflow"] = "voicemail"
    queue: str = ""


class RelaxationIn(BaseModel):
    after_s: float = Field(..., ge=0)
    min_proficiency: int | None = Field(None, ge=1, le=10)
    alternative: list[str] | None = None
    any_language: bool = False
    overflow_to: str | None = None


class RecordingIn(BaseModel):
    mode: Literal["all", "percentage", "none"] = "all"
    percent: float = Field(100.0, ge=0, le=100)


class QueueIn(BaseModel):
    label_en: str = ""
    label_zh: str = ""
    skills: list[str] = Field(default_factory=list)
    min_proficiency: int = Field(1, ge=1, le=10)
    language: str | None = None
    relaxations: list[RelaxationIn] = Field(default_factory=list)
    max_wait_s: float | None = Field(None, gt=0)
    on_timeout: ExitIn = Field(default_factory=ExitIn)
    max_waiting: int | None = Field(None, ge=0)
    on_full: ExitIn = Field(default_factory=ExitIn)
    on_empty: ExitIn | None = None
    wrap_up_s: float = Field(0.0, ge=0)
    ring_timeout_s: float = Field(20.0, gt=1)
    policy: Literal["highest_proficiency", "longest_idle", "least_calls", "round_robin"] = \
        "highest_proficiency"
    announce_every_s: float | None = Field(None, gt=0)
    default_aht_s: float = Field(180.0, gt=0)
    recording: RecordingIn = Field(default_factory=lambda: RecordingIn(mode="all", percent=100.0))


class QueueOut(QueueIn):
    name: str


class CodeIn(BaseModel):
    label_en: str = Field(..., min_length=1, max_length=200)
    label_zh: str = Field(..., min_length=1, max_length=200)


class CodeOut(CodeIn):
    code: str


class SkillOut(CodeIn):
    name: str
    agents: int = 0  # agents who have the skill (any level)
    queues: int = 0  # queues that ask for it
    declared: bool = True  # has a row of its own (labels); False: only used by agents / queues
