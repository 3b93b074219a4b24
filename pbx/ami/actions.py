"""Typed AMI actions and their typed results.

An action is a frozen dataclass that knows its wire fields and how to read its
response; :meth:`pbx.ami.client.AmiClient.execute` sends it and returns the typed
result, or raises :class:`~pbx.ami.errors.AmiActionError` (``NoSuchChannel`` ...) on
``Response: Error``. Field names and reply texts follow the real Asterisk 22
transcripts in ``../shared/asterisk/``::

    queued = await ami.execute(Originate(channel="PJSIP/agent1001", application="Bridge",
                                         data="PJSIP/hotline-trunk-00000002",
                                         channel_id="hl-leg-42", timeout_ms=20000))
    # queued.channel_id == "hl-leg-42" is the leg's Uniqueid before any event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Literal, TypeVar

from pbx.ami.errors import action_error
from pbx.ami.parse import snapshot
from pbx.ami.protocol import ActionResponse
from pbx.events import ChannelSnapshot

T = TypeVar("T")
Fields = list[tuple[str, object]]


class AmiAction(Generic[T]):
    """Base: ``fields()`` for the wire, ``result()`` to read a successful response."""

    name: ClassVar[str]

    def fields(self) -> Fields:
        raise NotImplementedError

    def result(self, resp: ActionResponse) -> T:
        return None  # type: ignore[return-value]

    def check(self, resp: ActionResponse) -> T:
        if resp.response.get("Response") == "Error":
            raise action_error(self.name, resp.message or "error without a message")
        return self.result(resp)


def caller_id(name: str, number: str) -> str:
    """``"张安娜" <13800138000>``; quotes in the name would break the header, so dropped."""
    return f'"{name.replace(chr(34), "")}" <{number}>'


def _opt(fields: Fields, key: str, value: object) -> None:
    if value is not None and value != "":
        fields.append((key, value))


# --- call control -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OriginateQueued:
    """``Response: Success`` to an async Originate; the outcome comes later as
    :class:`pbx.events.OriginateResult` with the same ``action_id``."""

    action_id: str
    channel_id: str | None


@dataclass(frozen=True, slots=True)
class Originate(AmiAction[OriginateQueued]):
    """Ring ``channel``; on answer run ``application(data)`` or go to context/exten.

    Give ``channel_id`` to fix the new leg's Uniqueid (README ami-06). Async by default:
    a blocking Originate holds the AMI session for the whole ring time.
    """

    name: ClassVar[str] = "Originate"
    channel: str
    application: str | None = None
    data: str = ""
    context: str | None = None
    exten: str | None = None
    priority: int = 1
    variables: Mapping[str, str] = field(default_factory=dict)
    caller_id: str | None = None
    timeout_ms: int = 30_000
    channel_id: str | None = None
    other_channel_id: str | None = None
    run_async: bool = True

    def __post_init__(self) -> None:
        if (self.application is None) == (self.context is None or self.exten is None):
            raise ValueError("Originate needs either application= or context= and exten=, not both")

    def fields(self) -> Fields:
        f: Fields = [("Action", "Originate"), ("Channel", self.channel)]
        if self.application is not None:
            f += [("Application", self.application), ("Data", self.data)]
        else:
            f += [("Context", self.context), ("Exten", self.exten), ("Priority", self.priority)]
        f.append(("Timeout", self.timeout_ms))
        _opt(f, "CallerID", self.caller_id)
        _opt(f, "ChannelId", self.channel_id)
        _opt(f, "OtherChannelId", self.other_channel_id)
        if self.variables:
            f.append(("Variable", [f"{k}={v}" for k, v in self.variables.items()]))
        if self.run_async:
            f.append(("Async", "true"))
        return f

    def result(self, resp: ActionResponse) -> OriginateQueued:
        return OriginateQueued(resp.response.get("ActionID", ""), self.channel_id)


SpyMode = Literal["listen", "whisper", "barge"]
_SPY_OPTIONS: dict[str, str] = {"listen": "q", "whisper": "qw", "barge": "qB"}


def chanspy(supervisor: str, spied_prefix: str, mode: SpyMode, *, caller_id: str | None = None,
            channel_id: str | None = None, timeout_ms: int = 20_000) -> Originate:
    """Ring the supervisor's endpoint and run ``ChanSpy(<prefix>,q|qw|qB)`` on answer.

    ``spied_prefix`` is a channel-name *prefix* (ami-08): pass the full channel name of
    the agent leg to spy on exactly that leg. Whisper talks to the spied channel only.
    """
    if "," in spied_prefix:
        raise ValueError(f"a ChanSpy channel prefix cannot contain a comma: {spied_prefix!r}")
    return Originate(channel=supervisor, application="ChanSpy",
                     data=f"{spied_prefix},{_SPY_OPTIONS[mode]}", caller_id=caller_id,
                     channel_id=channel_id, timeout_ms=timeout_ms)


@dataclass(frozen=True, slots=True)
class Bridge(AmiAction[None]):
    name: ClassVar[str] = "Bridge"
    channel1: str
    channel2: str
    tone: bool = False

    def fields(self) -> Fields:
        return [("Action", "Bridge"), ("Channel1", self.channel1), ("Channel2", self.channel2),
                ("Tone", "yes" if self.tone else "no")]


@dataclass(frozen=True, slots=True)
class Redirect(AmiAction[None]):
    name: ClassVar[str] = "Redirect"
    channel: str
    context: str
    exten: str
    priority: int = 1
    extra_channel: str | None = None
    extra_context: str | None = None
    extra_exten: str | None = None
    extra_priority: int | None = None

    def fields(self) -> Fields:
        f: Fields = [("Action", "Redirect"), ("Channel", self.channel), ("Context", self.context),
                     ("Exten", self.exten), ("Priority", self.priority)]
        _opt(f, "ExtraChannel", self.extra_channel)
        _opt(f, "ExtraContext", self.extra_context)
        _opt(f, "ExtraExten", self.extra_exten)
        _opt(f, "ExtraPriority", self.extra_priority)
        return f


@dataclass(frozen=True, slots=True)
class Hangup(AmiAction[None]):
    """Hang up a channel by name or Uniqueid. Without ``cause`` Asterisk reports 0."""

    name: ClassVar[str] = "Hangup"
    channel: str
    cause: int | None = None

    def fields(self) -> Fields:
        f: Fields = [("Action", "Hangup"), ("Channel", self.channel)]
        _opt(f, "Cause", self.cause)
        return f


@dataclass(frozen=True, slots=True)
class BlindTransfer(AmiAction[None]):
    """Send the bridge peer of ``channel`` (the transferer) to context/exten."""

    name: ClassVar[str] = "BlindTransfer"
    channel: str
    context: str
    exten: str

    def fields(self) -> Fields:
        return [("Action", "BlindTransfer"), ("Channel", self.channel), ("Context", self.context),
                ("Exten", self.exten)]


@dataclass(frozen=True, slots=True)
class Atxfer(AmiAction[None]):
    """Attended transfer; needs ``atxfer`` in features.conf ``[featuremap]``."""

    name: ClassVar[str] = "Atxfer"
    channel: str
    context: str
    exten: str

    def fields(self) -> Fields:
        return [("Action", "Atxfer"), ("Channel", self.channel), ("Context", self.context),
                ("Exten", self.exten)]


@dataclass(frozen=True, slots=True)
class PlayDtmf(AmiAction[None]):
    name: ClassVar[str] = "PlayDTMF"
    channel: str
    digit: str
    duration_ms: int | None = None
    receive: bool = False

    def __post_init__(self) -> None:
        if len(self.digit) != 1 or self.digit not in "0123456789*#ABCD":
            raise ValueError(f"PlayDTMF takes one digit of 0-9 * # A-D, not {self.digit!r}")

    def fields(self) -> Fields:
        f: Fields = [("Action", "PlayDTMF"), ("Channel", self.channel), ("Digit", self.digit)]
        _opt(f, "Duration", self.duration_ms)
        if self.receive:
            f.append(("Receive", "true"))
        return f


# --- variables and recording ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Setvar(AmiAction[None]):
    """Set a channel variable, or a global one when ``channel`` is None."""

    name: ClassVar[str] = "Setvar"
    variable: str
    value: str
    channel: str | None = None

    def fields(self) -> Fields:
        f: Fields = [("Action", "Setvar")]
        _opt(f, "Channel", self.channel)
        return [*f, ("Variable", self.variable), ("Value", self.value)]


@dataclass(frozen=True, slots=True)
class Getvar(AmiAction[str]):
    """A channel variable (or global when ``channel`` is None); ``""`` when unset."""

    name: ClassVar[str] = "Getvar"
    variable: str
    channel: str | None = None

    def fields(self) -> Fields:
        f: Fields = [("Action", "Getvar")]
        _opt(f, "Channel", self.channel)
        return [*f, ("Variable", self.variable)]

    def result(self, resp: ActionResponse) -> str:
        return resp.response.get("Value", "")


@dataclass(frozen=True, slots=True)
class MixMonitor(AmiAction[None]):
    """Start recording ``channel`` (both directions mixed) into ``file``."""

    name: ClassVar[str] = "MixMonitor"
    channel: str
    file: str
    options: str = ""

    def fields(self) -> Fields:
        f: Fields = [("Action", "MixMonitor"), ("Channel", self.channel), ("File", self.file)]
        _opt(f, "Options", self.options)
        return f


@dataclass(frozen=True, slots=True)
class StopMixMonitor(AmiAction[None]):
    name: ClassVar[str] = "StopMixMonitor"
    channel: str
    mixmonitor_id: str | None = None

    def fields(self) -> Fields:
        f: Fields = [("Action", "StopMixMonitor"), ("Channel", self.channel)]
        _opt(f, "MixMonitorID", self.mixmonitor_id)
        return f


# --- lists --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CoreShowChannels(AmiAction[list[ChannelSnapshot]]):
    name: ClassVar[str] = "CoreShowChannels"

    def fields(self) -> Fields:
        return [("Action", "CoreShowChannels")]

    def result(self, resp: ActionResponse) -> list[ChannelSnapshot]:
        return [snapshot(e, {}) for e in resp.events if e.get("Event") == "CoreShowChannel"]


@dataclass(frozen=True, slots=True)
class Status(AmiAction[list[ChannelSnapshot]]):
    """Channel status; ``variables`` are read into each snapshot (``(null)`` -> "")."""

    name: ClassVar[str] = "Status"
    channel: str | None = None
    variables: tuple[str, ...] = ()

    def fields(self) -> Fields:
        f: Fields = [("Action", "Status")]
        _opt(f, "Channel", self.channel)
        if self.variables:
            f.append(("Variables", ",".join(self.variables)))
        return f

    def result(self, resp: ActionResponse) -> list[ChannelSnapshot]:
        out = []
        for e in resp.events:
            if e.get("Event") == "Status":
                values = {k: ("" if v == "(null)" else v) for k, v in e.variables().items()}
                out.append(snapshot(e, values))
        return out


@dataclass(frozen=True, slots=True)
class Ping(AmiAction[None]):
    name: ClassVar[str] = "Ping"

    def fields(self) -> Fields:
        return [("Action", "Ping")]


@dataclass(frozen=True, slots=True)
class Login(AmiAction[None]):
    """No ``Events:`` header: the user's ``read =`` mask applies (as in the transcripts)."""

    name: ClassVar[str] = "Login"
    username: str
    secret: str = field(repr=False)

    def fields(self) -> Fields:
        return [("Action", "Login"), ("Username", self.username), ("Secret", self.secret)]
