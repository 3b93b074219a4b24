"""Inputs to and outputs of the menu machine (frozen dataclasses, no behaviour).

The handler executes outputs in order. A batch ends either with one *awaiting* output
(:class:`Collect`, :class:`LookupCaller`, :class:`LookupTicket`, :class:`RecordVoicemail`)
whose answer is the next input, or with a *final* one (:class:`Enqueue`,
:class:`Transfer`, :class:`Hangup`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.directory import CallerInfo, TicketStatus

DTMF = "0123456789*#"

# --- inputs ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Digits:
    digits: str


@dataclass(frozen=True, slots=True)
class Timeout:
    pass


@dataclass(frozen=True, slots=True)
class Invalid:
    raw: str = ""


@dataclass(frozen=True, slots=True)
class LookupResult:
    caller: CallerInfo | None = None
    ticket: TicketStatus | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    path: str
    ok: bool = True


@dataclass(frozen=True, slots=True)
class HangUp:
    pass


Input = Digits | Timeout | Invalid | LookupResult | Recorded | HangUp

# --- outputs ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Play:
    prompts: tuple[str, ...]
    language: str


@dataclass(frozen=True, slots=True)
class SayDigits:
    digits: str
    language: str


@dataclass(frozen=True, slots=True)
class Collect:
    """Play ``prompts`` (any DTMF interrupts), then wait for up to ``max_digits`` digits.

    One digit: STREAM FILE + WAIT FOR DIGIT. More: GET DATA (ended by ``terminator``).
    """

    prompts: tuple[str, ...]
    language: str
    max_digits: int
    timeout_ms: int
    min_digits: int = 1
    terminator: str = ""
    escape: str = DTMF


@dataclass(frozen=True, slots=True)
class LookupCaller:
    number: str


@dataclass(frozen=True, slots=True)
class LookupTicket:
    ticket_no: str


@dataclass(frozen=True, slots=True)
class RecordVoicemail:
    queue: str
    max_s: int
    language: str


@dataclass(frozen=True, slots=True)
class SetVar:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Enqueue:
    queue: str
    skills: tuple[str, ...]
    language: str
    min_proficiency: int
    priority: int
    customer_id: int | None
    ivr_path: tuple[str, ...]
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transfer:
    number: str
    ivr_path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RequestCallback:
    number: str
    queue: str
    language: str
    priority: int
    customer_id: int | None


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    question: str
    score: int


@dataclass(frozen=True, slots=True)
class Hangup:
    pass


@dataclass(frozen=True, slots=True)
class LogFunnel:
    node: str
    event: str  # node | digit | timeout | invalid | hangup | exit
    data: dict[str, str] = field(default_factory=dict)


Output = (Play | SayDigits | Collect | LookupCaller | LookupTicket | RecordVoicemail | SetVar
          | Enqueue | Transfer | RequestCallback | SurveyAnswer | Hangup | LogFunnel)
AWAITING = (Collect, LookupCaller, LookupTicket, RecordVoicemail)
FINAL = (Enqueue, Transfer, Hangup)
