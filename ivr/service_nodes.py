"""The service nodes of the menu machine: self-service ticket status, voicemail,
callback and the post-call survey.

Each of these runs a small dialogue of its own inside one node (enter a ticket number,
then wait for its lookup; confirm or type a callback number; score each question), so
its entering, its (re)asking and its reactions to inputs are kept together here. They
are plain functions of the :class:`~ivr.machine.MenuMachine` they act on, pure like it
(no I/O, no clock); the machine wires them into its node table (``_ENTER``) and its
transition table (``_TRANSITIONS``), and uses its own loop, retries and fallback
(``_run``, ``_retry``, ``_zero_out``, ``_finish``) for everything in between.

Phases: ``ticket_enter`` -> ``ticket_lookup`` (self-service), ``record`` (voicemail),
``cb_confirm`` <-> ``cb_enter`` (callback), ``survey`` (one per question).
"""

from __future__ import annotations

from typing import Protocol

from ivr import schema as s
from ivr.actions import (
    Collect,
    Digits,
    Hangup,
    LogFunnel,
    LookupResult,
    LookupTicket,
    Output,
    Play,
    Recorded,
    RecordVoicemail,
    RequestCallback,
    SayDigits,
    SurveyAnswer,
)
from ivr.directory import UNKNOWN_CALLER, CallerInfo
from ivr.prompts import status_prompt


class MenuMachine(Protocol):
    """What these nodes use of :class:`ivr.machine.MenuMachine` (which satisfies it; typed
    here so the machine imports its nodes and not the reverse)."""

    caller_num: str
    caller: CallerInfo | None
    language: str
    queue: str | None
    node_id: str
    phase: str
    attempts: int
    _cb_number: str
    _question: int

    @property
    def node(self) -> s.Node: ...

    def _run(self, nid: str, out: list[Output], via: str = "", fresh: bool = True) -> list[Output]: ...

    def _lang(self, prompts: tuple[str, ...]) -> Play: ...

    def _ask(self) -> list[Output]: ...

    def _timeout_ms(self, node: s.Node) -> int: ...

    def _finish(self, out: list[Output], outcome: str, final: Output, **data: str) -> list[Output]: ...

    def _zero_out(self, digits: str, out: list[Output]) -> list[Output] | None: ...

    def _retry(self, kind: str, out: list[Output], prompt: tuple[str, ...] | None = None,
               reason: str = "") -> list[Output]: ...

SERVICE_PHASES = ("ticket_enter", "cb_confirm", "cb_enter", "survey")
"""The phases of these nodes that wait for the caller's keys (timeouts and invalid keys retry)."""


# --- entering each node type (return the next node id, or None to wait/stop) -----------

def enter_self_service(m: MenuMachine, node: s.SelfServiceNode, out: list[Output]) -> str | None:
    m.phase = "ticket_enter"
    out.extend(m._ask())
    return None


def enter_voicemail(m: MenuMachine, node: s.VoicemailNode, out: list[Output]) -> str | None:
    m.phase = "record"
    out += [m._lang(node.prompt), RecordVoicemail(m.queue or node.queue, node.max_s, m.language)]
    return None


def enter_callback(m: MenuMachine, node: s.CallbackNode, out: list[Output]) -> str | None:
    """Offer the calling number when it looks like one, else ask for a number."""
    number = m.caller_num if m.caller_num.isdigit() else ""
    m._cb_number = number
    ok = node.min_digits <= len(number) <= node.max_digits
    m.phase = "cb_confirm" if ok else "cb_enter"
    out.extend(m._ask())
    return None


def enter_survey(m: MenuMachine, node: s.SurveyNode, out: list[Output]) -> str | None:
    m.phase, m._question = "survey", 0
    out.append(m._lang(node.prompt))
    out.extend(m._ask())
    return None


# --- (re)asking in each phase --------------------------------------------------------------

def ask(m: MenuMachine) -> list[Output]:
    """The outputs that (re)ask the caller in one of :data:`SERVICE_PHASES`."""
    node, lang, phase = m.node, m.language, m.phase
    if phase == "ticket_enter":
        assert isinstance(node, s.SelfServiceNode)
        return [Collect(node.prompt, lang, node.max_digits, m._timeout_ms(node), node.min_digits, "#")]
    if phase == "cb_confirm":
        assert isinstance(node, s.CallbackNode)
        return [m._lang(node.prompt), SayDigits(m._cb_number, lang),
                Collect(node.confirm_prompt, lang, 1, m._timeout_ms(node))]
    if phase == "cb_enter":
        assert isinstance(node, s.CallbackNode)
        return [Collect(node.enter_prompt, lang, node.max_digits, m._timeout_ms(node),
                        node.min_digits, "#")]
    assert phase == "survey" and isinstance(node, s.SurveyNode)
    q = node.questions[m._question]
    return [Collect(q.prompt, lang, 1, m._timeout_ms(node), escape="12345")]


# --- reacting to inputs --------------------------------------------------------------------

def on_ticket_no(m: MenuMachine, inp: Digits) -> list[Output]:
    """A ticket number was typed: look it up if it has the right length."""
    node = m.node
    assert isinstance(node, s.SelfServiceNode)
    d = inp.digits.rstrip("#")
    out: list[Output] = [LogFunnel(m.node_id, "digit", {"digits": d})]
    if (z := m._zero_out(d, out)) is not None:
        return z
    if not (node.min_digits <= len(d) <= node.max_digits) or not d.isdigit():
        return m._retry("invalid", out)
    m.phase, m._cb_number = "ticket_lookup", d
    return [*out, LookupTicket(d)]


def on_ticket(m: MenuMachine, inp: LookupResult) -> list[Output]:
    """The ticket lookup came back: say its status, or ask again when there is none."""
    node = m.node
    assert isinstance(node, s.SelfServiceNode)
    if inp.ticket is None:
        m.phase = "ticket_enter"
        return m._retry("invalid", [], prompt=node.not_found_prompt, reason="not_found")
    t = inp.ticket
    out: list[Output] = [m._lang(node.status_prompt), SayDigits(t.ticket_no, m.language),
                         m._lang((status_prompt(t.status),))]
    return m._run(node.next, out, via="found")


def on_cb_confirm(m: MenuMachine, inp: Digits) -> list[Output]:
    """1 books the callback to the number said, 2 asks for another number."""
    node = m.node
    assert isinstance(node, s.CallbackNode)
    d = inp.digits[:1]
    out: list[Output] = [LogFunnel(m.node_id, "digit", {"digits": d})]
    if d == "1":
        caller = m.caller or UNKNOWN_CALLER
        out += [RequestCallback(m._cb_number, node.queue, m.language, 10 if caller.vip else 0,
                                caller.customer_id), m._lang(node.thanks_prompt)]
        return m._finish(out, "callback", Hangup(), queue=node.queue)
    if d == "2":
        m.phase, m.attempts = "cb_enter", 0
        return [*out, *m._ask()]
    return m._zero_out(d, out) or m._retry("invalid", out)


def on_cb_number(m: MenuMachine, inp: Digits) -> list[Output]:
    """A callback number was typed (only its length is logged): confirm it."""
    node = m.node
    assert isinstance(node, s.CallbackNode)
    d = inp.digits.rstrip("#")
    out: list[Output] = [LogFunnel(m.node_id, "digit", {"count": str(len(d))})]
    if (z := m._zero_out(d, out)) is not None:
        return z
    if not (node.min_digits <= len(d) <= node.max_digits) or not d.isdigit():
        return m._retry("invalid", out)
    m.phase, m.attempts, m._cb_number = "cb_confirm", 0, d
    return [*out, *m._ask()]


def on_score(m: MenuMachine, inp: Digits) -> list[Output]:
    """A survey score 1-5 for the current question, then the next question."""
    node = m.node
    assert isinstance(node, s.SurveyNode)
    d = inp.digits[:1]
    out: list[Output] = [LogFunnel(m.node_id, "digit", {"digits": d})]
    if d not in "12345" or not d:
        return m._retry("invalid", out)
    out.append(SurveyAnswer(node.questions[m._question].id, int(d)))
    return next_question(m, out)


def next_question(m: MenuMachine, out: list[Output]) -> list[Output]:
    """Ask the next survey question, or thank and hang up after the last one.

    Also where a question's retries end: a survey skips the question, never loops.
    """
    node = m.node
    assert isinstance(node, s.SurveyNode)
    m._question += 1
    m.attempts = 0
    if m._question < len(node.questions):
        return [*out, *m._ask()]
    out.append(m._lang(node.thanks_prompt))
    return m._finish(out, "survey", Hangup())


def on_recorded(m: MenuMachine, inp: Recorded) -> list[Output]:
    """The voicemail recording ended: thank (or say goodbye when nothing was kept) and hang up."""
    node = m.node
    assert isinstance(node, s.VoicemailNode)
    out: list[Output] = [m._lang(node.thanks_prompt if inp.ok else ("goodbye",))]
    return m._finish(out, "voicemail" if inp.ok else "hangup", Hangup(), queue=m.queue or node.queue)
