"""The menu interpreter: a pure state machine, one per call.

No I/O and no clock reads: the current time comes from the ``now`` callable it is
given (for hours and holidays), the caller's CRM record and ticket states come in as
:class:`~ivr.actions.LookupResult` inputs it asked for. ``start()`` and ``feed(input)``
return the outputs to execute, in order (see :mod:`ivr.actions`)::

    m = MenuMachine(menus, caller_num="13800138000", now=clock.now)
    m.start()            # [LogFunnel(welcome, node), Play(welcome), ..., Collect(main_menu)]
    m.feed(Digits("2"))  # [LogFunnel(main, digit), LogFunnel(support, node), ..., Enqueue(...)]

Invariants: every batch ends with an awaiting or a final output, so the caller is never
left in silence; retries are bounded and end in the fallback (a human); pass-through
chains are bounded (the loader also rejects loops without input).

This module holds the machine itself: its state, the walk through the graph, retries,
zero-out and fallback, the plain node types (play, menu, collect, condition, language,
skills, queue, transfer, hang-up), and the two tables that wire every node type
(``_ENTER``) and every (phase, input) pair (``_TRANSITIONS``) to its handler. The service
nodes with dialogues of their own (self-service, voicemail, callback, survey) are in
:mod:`ivr.service_nodes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ivr import schema as s
from ivr import service_nodes as sv
from ivr.actions import (
    Collect,
    Digits,
    Enqueue,
    HangUp,
    Hangup,
    Input,
    Invalid,
    LogFunnel,
    LookupCaller,
    LookupResult,
    Output,
    Play,
    Recorded,
    SetVar,
    Timeout,
    Transfer,
)
from ivr.directory import UNKNOWN_CALLER, CallerInfo
from ivr.loader import MenuSet

MAX_HOPS = 64
CALLER_TESTS = ("vip", "blacklisted", "known", "open_ticket")


class MenuMachine:
    def __init__(self, menus: MenuSet, *, caller_num: str, now: Callable[[], float],
                 language: str | None = None, route: str = "ivr",
                 caller: CallerInfo | None = None, queue: str | None = None) -> None:
        self.menus = menus
        self.caller_num = caller_num
        self.language = language if language in menus.defaults.languages else menus.defaults.language
        # What CHANNEL(language) is known to be (the dialplan passes it as lang=): a
        # language choice is written to the channel unless it is already there, so
        # dialplan prompts played after the IVR (announcements, callback) follow it.
        self.channel_language = language if language in menus.defaults.languages else None
        # The queue a voicemail is for when the route names one (hotline-voicemail: the
        # queue the caller waited in); voicemail nodes use it instead of their own.
        self.queue = queue or None
        self.caller = caller
        self.route = route
        self._now = now
        self.node_id = ""
        self.phase = ""
        self.attempts = 0
        self.path: list[str] = []
        self.skills: list[str] = []
        self.min_proficiency: int | None = None
        self.priority: int | None = None
        self.vars: dict[str, str] = {}
        self.done = False
        self.outcome: str | None = None
        # State of the service nodes (ivr.service_nodes): the callback number being
        # confirmed (or the ticket number looked up), the survey question being asked.
        self._cb_number = ""
        self._question = 0

    # --- public -----------------------------------------------------------------

    def start(self) -> list[Output]:
        return self._run(self.menus.entry(self.route), [])

    def feed(self, inp: Input) -> list[Output]:
        if self.done:
            return []
        if isinstance(inp, HangUp):
            self.done, self.outcome, self.phase = True, "hangup", "gone"
            return [LogFunnel(self.node_id, "hangup")]
        action = _TRANSITIONS.get((self.phase, type(inp)))
        if action is None:
            raise ValueError(f"input {inp!r} is not expected in phase {self.phase!r} at {self.node_id!r}")
        return action(self, inp)

    @property
    def node(self) -> s.Node:
        return self.menus.nodes[self.node_id]

    # --- walking the graph --------------------------------------------------------

    def _run(self, nid: str, out: list[Output], via: str = "", fresh: bool = True) -> list[Output]:
        for _ in range(MAX_HOPS):
            node = self.menus.nodes[nid]
            if fresh:
                self.node_id, self.attempts, self.phase = nid, 0, ""
                self.path.append(nid)
                out.append(LogFunnel(nid, "node", {"via": via} if via else {}))
            fresh, via = True, ""
            if self.caller is None and _needs_caller(node):
                self.phase = "caller_lookup"
                out.append(LookupCaller(self.caller_num))
                return out
            nxt = _ENTER[type(node)](self, node, out)
            if nxt is None:
                return out
            nid = nxt
        # Unreachable with a validated file (loops without input are rejected at load).
        return self._run(self.menus.fallback, out, via="hop_limit") if nid != self.menus.fallback else out

    def _lang(self, prompts: tuple[str, ...]) -> Play:
        return Play(prompts, self.language)

    def _ask(self) -> list[Output]:
        """The outputs that (re)ask the caller in the current phase."""
        node, lang = self.node, self.language
        if self.phase == "menu":
            assert isinstance(node, s.MenuNode)
            return [Collect(node.prompt, lang, 1, self._timeout_ms(node))]
        if self.phase == "collect":
            assert isinstance(node, s.CollectNode)
            return [Collect(node.prompt, lang, node.max_digits, self._timeout_ms(node), node.min_digits,
                            node.terminator)]
        return sv.ask(self)

    def _timeout_ms(self, node: s.Node) -> int:
        t = getattr(node, "timeout_s", None) or self.menus.defaults.timeout_s
        return int(t * 1000)

    def _finish(self, out: list[Output], outcome: str, final: Output, **data: str) -> list[Output]:
        self.done, self.outcome, self.phase = True, outcome, "done"
        out.append(LogFunnel(self.node_id, "exit", {"to": outcome, **data}))
        out.append(final)
        return out

    # --- entering each node type (return the next node id, or None to wait/stop) -----

    def _enter_play(self, node: s.PlayNode, out: list[Output]) -> str | None:
        out.append(self._lang(node.prompt))
        return node.next

    def _enter_input(self, node: s.Node, out: list[Output]) -> str | None:
        self.phase = {s.MenuNode: "menu", s.CollectNode: "collect"}[type(node)]
        out.extend(self._ask())
        return None

    def _enter_condition(self, node: s.ConditionNode, out: list[Output]) -> str | None:
        caller = self.caller or UNKNOWN_CALLER
        now = self._now()
        result = {
            "open": lambda: self.menus.hours[node.hours or ""].is_open(now),
            "holiday": lambda: self.menus.hours[node.hours or ""].is_holiday(now),
            "vip": lambda: caller.vip,
            "blacklisted": lambda: caller.blacklisted,
            "known": lambda: caller.known,
            "open_ticket": lambda: caller.has_open_ticket,
            "language": lambda: self.language == node.language,
        }[node.test]()
        return node.then if result else node.else_

    def _enter_set_language(self, node: s.SetLanguageNode, out: list[Output]) -> str | None:
        lang = node.language
        if lang == "caller":  # no language on the record: nothing was chosen
            lang = (self.caller or UNKNOWN_CALLER).language or ""
        if lang in self.menus.defaults.languages:
            self.language = lang
            if lang != self.channel_language:
                self.channel_language = lang
                out.append(SetVar("CHANNEL(language)", lang))
        return node.next

    def _enter_set_skills(self, node: s.SetSkillsNode, out: list[Output]) -> str | None:
        base = self.skills if node.add else []
        self.skills = [*base, *(k for k in node.skills if k not in base)]
        if node.min_proficiency is not None:
            self.min_proficiency = node.min_proficiency
        if node.priority is not None:
            self.priority = node.priority
        return node.next

    def _enter_queue(self, node: s.QueueNode, out: list[Output]) -> str | None:
        caller = self.caller or UNKNOWN_CALLER
        priority = max(node.priority, self.priority or 0)
        if caller.vip:
            priority = max(priority, node.vip_priority)
        skills = [*node.skills, *(k for k in self.skills if k not in node.skills)]
        if node.prompt:
            out.append(self._lang(node.prompt))
        final = Enqueue(node.queue, tuple(skills), self.language,
                        max(node.min_proficiency, self.min_proficiency or 1), priority,
                        caller.customer_id, tuple(self.path), dict(self.vars))
        self._finish(out, "queue", final, queue=node.queue)
        return None

    def _enter_transfer(self, node: s.TransferExternalNode, out: list[Output]) -> str | None:
        if node.prompt:
            out.append(self._lang(node.prompt))
        self._finish(out, "transfer", Transfer(node.number, tuple(self.path)))
        return None

    def _enter_hangup(self, node: s.HangupNode, out: list[Output]) -> str | None:
        if node.prompt:
            out.append(self._lang(node.prompt))
        self._finish(out, "hangup", Hangup())
        return None

    # --- reacting to inputs -------------------------------------------------------------

    def _zero_out(self, digits: str, out: list[Output]) -> list[Output] | None:
        node = self.node
        target = self.menus.zero_out_for(node)
        # a menu's own choices were tried first (_on_menu_digit): its own "0" never gets here
        if target is None or digits != self.menus.defaults.zero_out_digit:
            return None
        return self._run(target, out, via="zero_out")

    def _on_menu_digit(self, inp: Digits) -> list[Output]:
        node = self.node
        assert isinstance(node, s.MenuNode)
        d = inp.digits[:1]
        out: list[Output] = [LogFunnel(self.node_id, "digit", {"digits": d})]
        if d in node.choices:
            return self._run(node.choices[d], out, via=f"digit:{d}")
        return self._zero_out(d, out) or self._retry("invalid", out)

    def _on_collected(self, inp: Digits) -> list[Output]:
        node = self.node
        assert isinstance(node, s.CollectNode)
        d = inp.digits.rstrip(node.terminator) if node.terminator else inp.digits
        out: list[Output] = [LogFunnel(self.node_id, "digit", {"digits": d})]
        if (z := self._zero_out(d, out)) is not None:
            return z
        if not (node.min_digits <= len(d) <= node.max_digits) or not d.isdigit():
            return self._retry("invalid", out)
        self.vars[node.var] = d
        out.append(SetVar(node.var, d))
        return self._run(node.next, out, via="collected")

    def _on_caller(self, inp: LookupResult) -> list[Output]:
        self.caller = inp.caller or UNKNOWN_CALLER
        return self._run(self.node_id, [], fresh=False)

    def _on_timeout(self, inp: Any) -> list[Output]:
        return self._retry("timeout", [])

    def _on_invalid(self, inp: Invalid) -> list[Output]:
        return self._retry("invalid", [LogFunnel(self.node_id, "digit", {"digits": inp.raw})])

    def _retry(self, kind: str, out: list[Output], prompt: tuple[str, ...] | None = None,
               reason: str = "") -> list[Output]:
        node = self.node
        self.attempts += 1
        out.append(LogFunnel(self.node_id, kind, {"reason": reason} if reason else {}))
        retries = getattr(node, "retries", None)
        retries = self.menus.defaults.retries if retries is None else retries
        if self.attempts > retries:
            if isinstance(node, s.SurveyNode):  # a survey skips the question, never loops
                return sv.next_question(self, out)
            return self._run(self.menus.fallback_for(node), out, via=f"fallback:{kind}")
        if prompt is None:
            own = getattr(node, f"{kind}_prompt", None)
            prompt = own or getattr(self.menus.defaults, f"{kind}_prompt")
        out.append(self._lang(prompt))
        out.extend(self._ask())
        return out


def _needs_caller(node: s.Node) -> bool:
    return (isinstance(node, s.QueueNode | s.CallbackNode)
            or (isinstance(node, s.ConditionNode) and node.test in CALLER_TESTS)
            or (isinstance(node, s.SetLanguageNode) and node.language == "caller"))


M = MenuMachine
_ENTER: dict[type, Callable[[MenuMachine, Any, list[Output]], str | None]] = {
    s.PlayNode: M._enter_play,
    s.MenuNode: M._enter_input,
    s.CollectNode: M._enter_input,
    s.SelfServiceNode: sv.enter_self_service,
    s.ConditionNode: M._enter_condition,
    s.SetLanguageNode: M._enter_set_language,
    s.SetSkillsNode: M._enter_set_skills,
    s.QueueNode: M._enter_queue,
    s.TransferExternalNode: M._enter_transfer,
    s.VoicemailNode: sv.enter_voicemail,
    s.CallbackNode: sv.enter_callback,
    s.SurveyNode: sv.enter_survey,
    s.HangupNode: M._enter_hangup,
}

_INPUT_PHASES = ("menu", "collect", *sv.SERVICE_PHASES)
# The transition table: (phase, input type) -> reaction. Anything else is a bug upstream.
_TRANSITIONS: dict[tuple[str, type], Callable[[MenuMachine, Any], list[Output]]] = {
    ("menu", Digits): M._on_menu_digit,
    ("collect", Digits): M._on_collected,
    ("ticket_enter", Digits): sv.on_ticket_no,
    ("ticket_lookup", LookupResult): sv.on_ticket,
    ("caller_lookup", LookupResult): M._on_caller,
    ("cb_confirm", Digits): sv.on_cb_confirm,
    ("cb_enter", Digits): sv.on_cb_number,
    ("survey", Digits): sv.on_score,
    ("record", Recorded): sv.on_recorded,
    **{(p, Timeout): M._on_timeout for p in _INPUT_PHASES},
    **{(p, Invalid): M._on_invalid for p in _INPUT_PHASES},
}
