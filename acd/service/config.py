"""The service's configuration: the router's queues and agents plus what only the
service needs (phones, recording policy, dialplan contexts). Built from the admin
tables by :func:`acd.admin.store.load_config`, or directly in tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from acd.core.model import DEFAULT_REASONS, Agent, QueueConfig
from acd.ports import Code

RecordingMode = Literal["all", "percentage", "none"]


@dataclass(frozen=True, slots=True)
class RecordingPolicy:
    """``percentage``: record a call when ``random() * 100 < percent`` (random injected)."""

    mode: RecordingMode = "all"
    percent: float = 100.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.percent <= 100.0:
            raise ValueError(f"a recording percentage must be 0..100, not {self.percent}")


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """An agent as the service knows it: the router's profile and the phone to ring."""

    agent: Agent
    endpoint: str  # dial string, "PJSIP/agent1001"

    @property
    def id(self) -> str:
        return self.agent.id

    @property
    def extension(self) -> str:
        return _extension(self.endpoint)

    @property
    def queue_names(self) -> tuple[str, ...]:
        """The agent's queues, sorted (as the console lists them)."""
        return tuple(sorted(self.agent.queues))


@lru_cache(maxsize=65536)
def _extension(endpoint: str) -> str:
    name = endpoint.rpartition("/")[2]
    return "".join(c for c in name if c.isdigit()) or name


DEFAULT_REASON_CODES: tuple[Code, ...] = (
    Code("break", "Break", "休息"), Code("meal", "Meal", "用餐"),
    Code("training", "Training", "培训"), Code("meeting", "Meeting", "会议"),
    Code("after_call_work", "After-call work", "话后处理"),
)
DEFAULT_DISPOSITIONS: tuple[Code, ...] = (
    Code("resolved", "Resolved", "已解决"), Code("follow_up", "Follow-up needed", "需跟进"),
    Code("escalated", "Escalated", "已升级"), Code("wrong_number", "Wrong number", "打错电话"),
)


@dataclass(frozen=True, slots=True)
class AcdConfig:
    """Everything the service reads from configuration.

    Dialplan contexts (rendered by asterisk_conf): ``wait_context`` is where callers hear
    music on hold; ``announce_context`` plays HOTLINE_POSITION / HOTLINE_EWT and goes back
    to ``wait_context``; ``callback_context`` confirms HOTLINE_CALLBACK_NUM and hangs up;
    ``voicemail_context`` takes a message; ``transfer_context`` dials an extension.
    """

    queues: tuple[QueueConfig, ...] = ()
    agents: dict[str, AgentProfile] = field(default_factory=dict)
    recording: dict[str, RecordingPolicy] = field(default_factory=dict)
    reason_codes: tuple[Code, ...] = DEFAULT_REASON_CODES
    disposition_codes: tuple[Code, ...] = DEFAULT_DISPOSITIONS
    wait_context: str = "hotline-wait"
    announce_context: str = "hotline-announce"
    callback_context: str = "hotline-callback"
    voicemail_context: str = "hotline-voicemail"
    transfer_context: str = "hotline-agent-dial"
    trunk: str = "hotline-trunk"
    callback_key: str = "5"
    recording_format: str = "wav"

    def queue(self, name: str) -> QueueConfig | None:
        return next((q for q in self.queues if q.name == name), None)

    def recording_for(self, queue: str) -> RecordingPolicy:
        return self.recording.get(queue, RecordingPolicy())

    def reasons(self) -> frozenset[str]:
        """Not-ready reasons the router accepts: the configured codes and the system ones."""
        return frozenset(c.code for c in self.reason_codes) | DEFAULT_REASONS

    def agent_by_extension(self, extension: str) -> AgentProfile | None:
        return next((p for p in self.agents.values() if p.extension == extension), None)

    def customer_dial(self, number: str) -> str:
        """Dial string of a customer's number through the trunk (callbacks)."""
        return f"PJSIP/{number}@{self.trunk}"
