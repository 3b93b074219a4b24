"""The FastAGI handlers: drive one :class:`~ivr.machine.MenuMachine` per call over AGI.

Routes (:meth:`IvrHandler.routes`): ``ivr`` (incoming calls,
``AGI(agi://host:4573/ivr,lang=zh)``), ``survey`` (after the agent hangs up,
``AGI(agi://host:4573/survey,call=<id>,agent=<agent>)``) and ``voicemail`` (the ACD's
queue exit sent a waiting caller to ``hotline-voicemail``:
``AGI(agi://host:4573/voicemail,call=<id>,queue=<queue>,lang=<lang>)``; the menu entry
``voicemail`` records a message for that queue, stored as a work item).

At the end of a routed call the channel carries (so a restarted backend can re-adopt
the waiting caller and the dialplan can continue):

* ``HOTLINE_CALL_ID``, ``HOTLINE_REQUEST`` (compact JSON of the routing request),
  ``HOTLINE_ENQUEUED_AT`` (epoch seconds), ``IVR_PATH`` (node ids, comma-separated);
  the request went to ``Enqueuer.enqueue``; the handler returns and the dialplan goes to
  ``hotline-wait``.
* for a hand-off to an on-duty phone: ``HOTLINE_TRANSFER_TO`` (the number); the handler
  returns and the dialplan must ``Dial`` it (``GotoIf($["${HOTLINE_TRANSFER_TO}" != ""]...``)
  instead of going to ``hotline-wait``.
* voicemail, callback, survey, hang-up nodes end with AGI ``HANGUP``.

A caller who hangs up mid-prompt ends the handler quietly; the node is logged
(``IVR_HANGUP``) so the funnel shows where callers give up.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from acd.requests import CallbackRequest, Enqueuer, RoutingRequest
from hotline.clock import Clock, SystemClock
from ivr import actions as a
from ivr.directory import CallerDirectory
from ivr.loader import MenuSet
from ivr.machine import MenuMachine
from ivr.prompts import prompt_path
from ivr.store import IvrStore
from pbx.agi.session import AgiCommandError, AgiHangup, AgiSession

log = logging.getLogger(__name__)

FUNNEL_KINDS = {"node": "IVR_NODE", "digit": "IVR_DIGIT", "timeout": "IVR_TIMEOUT",
                "invalid": "IVR_INVALID", "hangup": "IVR_HANGUP", "exit": "IVR_EXIT"}


class FunnelSink(Protocol):
    """``hotline.eventlog.CallEventLog`` (``log`` never blocks)."""

    def log(self, call_id: str, kind: str, *, ts: float | None = None, **kw: Any) -> None: ...


def _new_call_id() -> str:
    return uuid.uuid4().hex


@dataclass
class IvrHandler:
    """``FastAgiServer(host, port, routes=h.routes())``.

    ``menus`` returns the menus in force (a :class:`~ivr.reload.MenuHolder`'s ``get``),
    read once per call so a hot reload never changes a call half-way.
    """

    menus: Callable[[], MenuSet]
    directory: CallerDirectory
    enqueuer: Enqueuer
    events: FunnelSink
    store: IvrStore | None = None
    prompts_dir: Path = Path("/var/lib/hotline/prompts")
    recordings_dir: Path = Path("/var/spool/hotline/recordings")
    clock: Clock = field(default_factory=SystemClock)
    new_call_id: Callable[[], str] = _new_call_id

    async def ivr(self, session: AgiSession) -> None:
        await _Call(self, session, "ivr").run()

    async def survey(self, session: AgiSession) -> None:
        await _Call(self, session, "survey").run()

    async def voicemail(self, session: AgiSession) -> None:
        await _Call(self, session, "voicemail").run()

    async def outbound(self, session: AgiSession) -> None:
        """An agentless campaign's customer (``hotline-outbound,ivr``, ``call=<dial id>``):
        the notice and questions of the menus' ``outbound`` entry; answers are stored as
        survey answers of the dial's call id (no agent)."""
        await _Call(self, session, "outbound").run()

    def routes(self) -> dict[str, Callable[[AgiSession], Awaitable[None]]]:
        """The FastAGI routes the rendered dialplan calls (``agi://host:port/<route>``)."""
        return {"ivr": self.ivr, "survey": self.survey, "voicemail": self.voicemail,
                "outbound": self.outbound}


def agi_kwargs(args: list[str]) -> dict[str, str]:
    """``["lang=zh", "agent=1001"]`` → ``{"lang": "zh", "agent": "1001"}``."""
    return dict(x.split("=", 1) for x in args if "=" in x)


class _Call:
    def __init__(self, h: IvrHandler, session: AgiSession, route: str) -> None:
        self.h, self.s, self.route = h, session, route
        self.kw = agi_kwargs(session.args)
        self.call_id = self.kw.get("call") or h.new_call_id()
        self.agent = self.kw.get("agent")
        self.menus = h.menus()
        self.m = MenuMachine(self.menus, caller_num=session.caller_num, now=h.clock.now,
                             language=self.kw.get("lang"), route=route,
                             queue=self.kw.get("queue") if route == "voicemail" else None)
        self.node_for_log = ""

    async def run(self) -> None:
        if self.route not in self.menus.file.entries:
            # Never the welcome menu instead: closing at once lets the dialplan go on
            # (hotline-voicemail records the message itself; the survey is skipped).
            log.warning("call %s: the menus have no entry %r; AGI closed", self.call_id, self.route)
            return
        try:
            if self.route == "survey" and "call" not in self.kw:
                self.call_id = await self.s.get_variable("HOTLINE_CALL_ID") or self.call_id
                self.agent = self.agent or await self.s.get_variable("HOTLINE_AGENT")
            await self.s.answer()
            outputs = self.m.start()
            while True:
                inp = await self._execute(outputs)
                if inp is None:
                    return
                outputs = self.m.feed(inp)
        except AgiHangup:
            self._log_only(self.m.feed(a.HangUp()))
        except AgiCommandError as exc:
            # A missing prompt file or an AGI quirk must not drop the caller: hand to a human.
            log.error("call %s: AGI command failed at node %s: %s", self.call_id, self.m.node_id, exc)
            await self._rescue(str(exc))

    # --- executing the machine's outputs ------------------------------------------------
    async def _execute(self, outputs: list[a.Output]) -> a.Input | None:
        for out in outputs:
            if isinstance(out, a.LogFunnel):
                self._funnel(out)
            elif isinstance(out, a.Play):
                for p in out.prompts:
                    await self.s.stream_file(self._file(out.language, p), "")
            elif isinstance(out, a.SayDigits):
                await self.s.say_digits(out.digits, "")
            elif isinstance(out, a.SetVar):
                await self.s.set_variable(out.name, out.value)
            elif isinstance(out, a.Collect):
                return await self._collect(out)
            elif isinstance(out, a.LookupCaller):
                return a.LookupResult(caller=await self.h.directory.lookup_caller(out.number))
            elif isinstance(out, a.LookupTicket):
                return a.LookupResult(ticket=await self.h.directory.ticket_status(out.ticket_no))
            elif isinstance(out, a.RecordVoicemail):
                return await self._record(out)
            elif isinstance(out, a.RequestCallback):
                await self._callback(out)
            elif isinstance(out, a.SurveyAnswer):
                await self._survey_answer(out)
            elif isinstance(out, a.Enqueue):
                await self._enqueue(out)
                return None
            elif isinstance(out, a.Transfer):
                await self.s.set_variable("HOTLINE_CALL_ID", self.call_id)
                await self.s.set_variable("IVR_PATH", ",".join(out.ivr_path))
                await self.s.set_variable("HOTLINE_TRANSFER_TO", out.number)
                return None
            elif isinstance(out, a.Hangup):
                await self.s.hangup()
                return None
        raise RuntimeError(f"menu machine batch ended without waiting or finishing: {outputs!r}")

    def _file(self, language: str, prompt: str) -> str:
        return str(prompt_path(self.h.prompts_dir, language, prompt))

    async def _collect(self, c: a.Collect) -> a.Input:
        files = [self._file(c.language, p) for p in c.prompts]
        if c.max_digits == 1:
            for f in files:
                d = (await self.s.stream_file(f, c.escape)).digit
                if d:
                    return _digits(d)
            d = await self.s.wait_for_digit(c.timeout_ms)
            return _digits(d) if d else a.Timeout()
        first = ""
        for f in files[:-1]:
            d = (await self.s.stream_file(f, a.DTMF)).digit
            if d:
                first = d
                break
        prompt = files[-1] if not first else self._file(c.language, "silence")
        got = await self.s.get_data(prompt, c.timeout_ms, c.max_digits - len(first))
        digits = first + got.digits
        return _digits(digits) if digits else a.Timeout()

    async def _record(self, r: a.RecordVoicemail) -> a.Input:
        folder = self.h.recordings_dir / "voicemail"
        folder.mkdir(parents=True, exist_ok=True)
        path = str(folder / f"vm-{self.call_id}")
        duration: float | None = None
        try:
            res = await self.s.record_file(path, "wav", "#", r.max_s * 1000, beep=True, silence_s=5)
            duration = res.endpos / 8000 if res.endpos is not None else None
        except AgiHangup:
            # Hanging up is how most callers end a message: keep it, then end quietly.
            await self._store_voicemail(r, path, None)
            self._log_only(self.m.feed(a.Recorded(path)))
            raise
        await self._store_voicemail(r, path, duration)
        return a.Recorded(path)

    async def _store_voicemail(self, r: a.RecordVoicemail, path: str, duration: float | None) -> None:
        if self.h.store is not None:
            await self.h.store.add_work_item(
                kind="voicemail", call_id=self.call_id, uniqueid=self.s.uniqueid,
                caller_num=self.s.caller_num, caller_name=self.s.caller_name, number=self.s.caller_num,
                queue=r.queue, language=r.language, customer_id=await self._customer_id(),
                path=path, duration_s=duration, created_at=self.h.clock.now())

    async def _customer_id(self) -> int | None:
        """The caller's CRM id: from the menu's lookup, else (the ``voicemail`` route of a
        queue exit never ran one) looked up now; a failed lookup never loses the message."""
        if self.m.caller is not None:
            return self.m.caller.customer_id
        if not self.s.caller_num:
            return None
        try:
            return (await self.h.directory.lookup_caller(self.s.caller_num)).customer_id
        except Exception:
            log.exception("call %s: caller lookup for the voicemail failed", self.call_id)
            return None

    async def _callback(self, c: a.RequestCallback) -> None:
        now = self.h.clock.now()
        self.h.enqueuer.request_callback(CallbackRequest(
            call_id=self.call_id, number=c.number, queue=c.queue, requested_at=now,
            language=c.language, priority=c.priority, customer_id=c.customer_id))
        if self.h.store is not None:
            await self.h.store.add_work_item(
                kind="callback", call_id=self.call_id, uniqueid=self.s.uniqueid,
                caller_num=self.s.caller_num, caller_name=self.s.caller_name, number=c.number,
                queue=c.queue, language=c.language, customer_id=c.customer_id, created_at=now)

    async def _survey_answer(self, ans: a.SurveyAnswer) -> None:
        if self.h.store is not None:
            await self.h.store.add_survey_answer(call_id=self.call_id, agent=self.agent,
                                                 question=ans.question, score=ans.score,
                                                 answered_at=self.h.clock.now())

    async def _enqueue(self, e: a.Enqueue) -> None:
        now = self.h.clock.now()
        req = RoutingRequest(
            call_id=self.call_id, uniqueid=self.s.uniqueid, channel=self.s.channel,
            caller_num=self.s.caller_num, caller_name=self.s.caller_name, queue=e.queue,
            skills=e.skills, language=e.language, min_proficiency=e.min_proficiency,
            priority=e.priority, customer_id=e.customer_id, ivr_path=e.ivr_path,
            enqueued_at=now, data=e.data)
        await self.s.set_variable("HOTLINE_CALL_ID", self.call_id)
        await self.s.set_variable("HOTLINE_REQUEST", request_json(req))
        await self.s.set_variable("HOTLINE_ENQUEUED_AT", f"{now:.3f}")
        await self.s.set_variable("IVR_PATH", ",".join(e.ivr_path))
        self.h.enqueuer.enqueue(req)

    async def _rescue(self, reason: str) -> None:
        """Last resort after an unexpected AGI error: the caller still reaches a human."""
        defaults = self.menus.defaults
        self.h.events.log(self.call_id, "IVR_EXIT", uniqueid=self.s.uniqueid, queue=defaults.queue,
                          data={"node": self.m.node_id, "to": "queue", "rescue": reason[:200]})
        try:
            await self._enqueue(a.Enqueue(defaults.queue, (), self.m.language, 1, 0,
                                          self.m.caller.customer_id if self.m.caller else None,
                                          tuple(self.m.path)))
        except (AgiHangup, AgiCommandError):
            log.warning("call %s: could not hand over after the error", self.call_id)

    # --- funnel ---------------------------------------------------------------------------
    def _funnel(self, f: a.LogFunnel) -> None:
        queue = f.data.get("queue")
        self.h.events.log(self.call_id, FUNNEL_KINDS[f.event], uniqueid=self.s.uniqueid, queue=queue,
                          data={"node": f.node, "route": self.route, **f.data})

    def _log_only(self, outputs: list[a.Output]) -> None:
        for out in outputs:
            if isinstance(out, a.LogFunnel):
                self._funnel(out)


def _digits(d: str) -> a.Input:
    return a.Digits(d) if all(c in a.DTMF for c in d) else a.Invalid(d)


def request_json(req: RoutingRequest) -> str:
    """The compact JSON kept on the channel (``HOTLINE_REQUEST``) for re-adoption."""
    body: dict[str, Any] = {"call_id": req.call_id, "queue": req.queue, "skills": list(req.skills),
            "language": req.language, "min_proficiency": req.min_proficiency,
            "priority": req.priority, "customer_id": req.customer_id, "enqueued_at": req.enqueued_at}
    if req.data:
        body["data"] = req.data
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
