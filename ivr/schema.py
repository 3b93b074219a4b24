"""The menu file, as data: pydantic models of every node type.

A menu file (see ``ivr/menus/default.yaml``) has ``defaults``, ``calendars``, ``hours``,
extra ``prompts`` texts, ``entries`` (AGI route → first node) and ``nodes`` (id → node)::

    nodes:
      main:
        type: menu
        prompt: [main_menu]
        choices: {1: sales, 2: support}

Structure is checked here; references between nodes, reachability and loops are
checked by :mod:`ivr.loader`, which also maps every error back to its YAML line.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

DTMF = "0123456789*#"
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")


def _as_tuple(v: Any) -> Any:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    return v


def _check_prompt_ids(v: tuple[str, ...]) -> tuple[str, ...]:
    for p in v:
        if not _ID.match(p):
            raise ValueError(f"{p!r} is not a prompt id; use letters, digits, _ . / -")
    return v


Prompts = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]
Skills = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Node(_Model):
    @field_validator("prompt", "timeout_prompt", "invalid_prompt", "thanks_prompt",
                     "confirm_prompt", "enter_prompt", "not_found_prompt", "status_prompt",
                     check_fields=False)
    @classmethod
    def _prompt_ids(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if v is None else _check_prompt_ids(v)


class _InputNode(_Node):
    """A node that waits for the caller; retries, fallback and zero-out apply."""

    prompt: Prompts
    timeout_s: float | None = Field(default=None, gt=0, le=60)
    retries: int | None = Field(default=None, ge=0, le=9)
    timeout_prompt: Prompts | None = None
    invalid_prompt: Prompts | None = None
    fallback: str | None = None
    zero_out: bool | None = None


class PlayNode(_Node):
    type: Literal["play"]
    prompt: Prompts = Field(min_length=1)
    next: str


class MenuNode(_InputNode):
    type: Literal["menu"]
    choices: dict[str, str] = Field(min_length=1)

    @field_validator("choices", mode="before")
    @classmethod
    def _digit_keys(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        out: dict[str, Any] = {}
        for k, target in v.items():
            key = str(k)
            if len(key) != 1 or key not in DTMF:
                raise ValueError(f"choice {key!r} is not one DTMF key; use one of 0-9, * or #")
            out[key] = target
        return out


class CollectNode(_InputNode):
    type: Literal["collect"]
    var: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    min_digits: int = Field(default=1, ge=1, le=32)
    max_digits: int = Field(default=10, ge=1, le=32)
    terminator: Literal["#", "*", ""] = "#"
    next: str

    @model_validator(mode="after")
    def _lengths(self) -> CollectNode:
        if self.min_digits > self.max_digits:
            raise ValueError("min_digits is larger than max_digits")
        return self


class ConditionNode(_Node):
    type: Literal["condition"]
    test: Literal["open", "holiday", "vip", "blacklisted", "known", "open_ticket", "language"]
    hours: str | None = None
    language: str | None = None
    then: str
    else_: str = Field(alias="else")

    @model_validator(mode="after")
    def _arguments(self) -> ConditionNode:
        if self.test in ("open", "holiday") and not self.hours:
            raise ValueError(f"test {self.test!r} needs 'hours: <name of an hours entry>'")
        if self.test == "language" and not self.language:
            raise ValueError("test 'language' needs 'language: zh' (or another language)")
        return self


class SetLanguageNode(_Node):
    type: Literal["set_language"]
    language: str  # a language code, or "caller" for the CRM record's language
    next: str


class SetSkillsNode(_Node):
    type: Literal["set_skills"]
    skills: Skills
    add: bool = True
    min_proficiency: int | None = Field(default=None, ge=1, le=10)
    priority: int | None = Field(default=None, ge=0, le=100)
    next: str


class QueueNode(_Node):
    type: Literal["queue"]
    queue: str = Field(min_length=1)
    skills: Skills = ()
    min_proficiency: int = Field(default=1, ge=1, le=10)
    priority: int = Field(default=0, ge=0, le=100)
    vip_priority: int = Field(default=10, ge=0, le=100)
    prompt: Prompts = ()


class TransferExternalNode(_Node):
    type: Literal["transfer_external"]
    number: str = Field(pattern=r"^\+?[0-9]{3,20}$")
    prompt: Prompts = ()


class VoicemailNode(_Node):
    type: Literal["voicemail"]
    queue: str
    prompt: Prompts = Field(min_length=1)
    max_s: int = Field(default=120, ge=5, le=600)
    thanks_prompt: Prompts = ("vm_thanks",)


class CallbackNode(_InputNode):
    type: Literal["callback"]
    queue: str
    confirm_prompt: Prompts = ("cb_confirm",)
    enter_prompt: Prompts = ("cb_enter_number",)
    thanks_prompt: Prompts = ("cb_thanks",)
    min_digits: int = Field(default=5, ge=3, le=20)
    max_digits: int = Field(default=15, ge=3, le=20)


class SelfServiceNode(_InputNode):
    type: Literal["self_service"]
    service: Literal["ticket_status"] = "ticket_status"
    min_digits: int = Field(default=4, ge=1, le=20)
    max_digits: int = Field(default=12, ge=1, le=20)
    not_found_prompt: Prompts = ("ticket_not_found",)
    status_prompt: Prompts = ("ticket_status_is",)
    next: str


class SurveyQuestion(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    prompt: Prompts = Field(min_length=1)


class SurveyNode(_InputNode):
    type: Literal["survey"]
    prompt: Prompts = ("survey_intro",)
    questions: list[SurveyQuestion] = Field(min_length=1)
    thanks_prompt: Prompts = ("survey_thanks",)
    zero_out: bool | None = False


class HangupNode(_Node):
    type: Literal["hangup"]
    prompt: Prompts = ()


Node = Annotated[
    PlayNode | MenuNode | CollectNode | ConditionNode | SetLanguageNode | SetSkillsNode
    | QueueNode | TransferExternalNode | VoicemailNode | CallbackNode | SelfServiceNode
    | SurveyNode | HangupNode,
    Field(discriminator="type"),
]
INPUT_TYPES = (MenuNode, CollectNode, CallbackNode, SelfServiceNode, SurveyNode)


class Defaults(_Model):
    language: str = "zh"
    languages: tuple[str, ...] = ("zh", "en")
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=9)
    timeout_prompt: Prompts = ("no_input",)
    invalid_prompt: Prompts = ("invalid",)
    queue: str = "general"  # the human every fallback reaches unless ``fallback`` says otherwise
    fallback: str | None = None
    zero_out_digit: str = Field(default="0", pattern=r"^[0-9*#]$")
    zero_out: str | None = None  # node reached by the zero-out digit (default: the fallback)

    @model_validator(mode="after")
    def _default_language_listed(self) -> Defaults:
        if self.language not in self.languages:
            raise ValueError(f"the default language {self.language!r} is not in languages")
        return self


class Holiday(_Model):
    from_: date = Field(alias="from")
    to: date | None = None
    name: str = ""


class CalendarSpec(_Model):
    holidays: list[Holiday] = []
    workdays: list[date] = []


class HoursSpec(_Model):
    timezone: str | None = None
    calendar: str | None = None
    weekly: dict[str, Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]]
    special: dict[date, Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]] = {}
    makeup_as: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone; use an IANA name such as Asia/Shanghai") from None
    return name


class MenuFile(_Model):
    version: Literal[1] = 1
    timezone: Annotated[str, BeforeValidator(check_zone)] = "Asia/Shanghai"
    defaults: Defaults = Defaults()
    calendars: dict[str, CalendarSpec] = {}
    hours: dict[str, HoursSpec] = {}
    prompts: dict[str, dict[str, str]] = {}
    entries: dict[str, str] = Field(min_length=1)
    nodes: dict[str, Node] = Field(min_length=1)

    @field_validator("entries")
    @classmethod
    def _ivr_entry(cls, v: dict[str, str]) -> dict[str, str]:
        if "ivr" not in v:
            raise ValueError("entries needs an 'ivr' entry: the first node of an incoming call")
        return v
