"""Agentless IVR campaigns: the list is dialed with no agent; a person who answers hears
the notice and the questions of the IVR's ``outbound`` menu entry, and the keys pressed
are that contact's answers.

Each dial is ``Originate PJSIP/<number>@trunk Context=hotline-outbound Exten=ivr`` with
``ChannelId = hotline-ivrleg-<dial id>``, ``HOTLINE_CALL_ID`` = the dial id and
``HOTLINE_AMD`` (the campaign's machine choice). The dialplan runs ``AMD()`` unless off,
then ``AGI(outbound,call=<dial id>)``: ``ivr.handler.IvrHandler.outbound`` plays the
notice, asks, re-prompts on an invalid key (the menu's retry rule) and stores each valid
answer (1-5) as a survey answer of the dial id (``ivr.store.IvrStore``). A machine is hung
up or gets the message (``hangup`` / ``message``); with ``agent`` it is played the survey
like a person (there is no agent to pass it to).

The result of each dial comes from the AMI (``OriginateResponse``: busy Reason 0, no
answer Reason 3; ``AMDSTATUS``; the leg's ``Hangup`` cause) and goes, with the answers
read back from the store, into the call-event log as the ``OUTBOUND_RESULT`` row
(``data.answers``: ``{"satisfied": 4}``; empty if the person pressed nothing valid). Busy
and no answer are retried by the campaign's rules (``outbound.dialer.Runner``); at most
``lines`` dials ring at once (``LinesPacer``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from acd.requests import AMD_CHOICES
from hotline.clock import Clock
from hotline.events import EventBus
from outbound.compliance import DialResult
from outbound.dialer import InFlight, Runner
from outbound.loop import CampaignLoop
from outbound.pacing import Dial, Floor
from pbx.ami.actions import Getvar, Originate, caller_id
from pbx.ami.errors import NoSuchChannel
from pbx.events import AmiResynced, ChannelCreated, ChannelHungUp, OriginateResult, VariableSet

log = logging.getLogger("outbound")

LEG_PREFIX = "hotline-ivrleg-"
_BY_REASON = {0: DialResult.BUSY, 3: DialResult.NO_ANSWER}
_BY_CAUSE = {17: DialResult.BUSY, 19: DialResult.NO_ANSWER, 18: DialResult.NO_ANSWER}


class Executor(Protocol):
    """``pbx.ami.client.AmiClient`` fits."""

    async def execute(self, action: Any, *, within: float | None = None) -> Any: ...


class LinesPacer:
    """No agents to wait for: keep ``lines`` dials ringing."""

    def __init__(self, lines: int) -> None:
        if not 1 <= lines <= 200:
            raise ValueError(f"lines {lines} must be 1 to 200 concurrent dials")
        self.lines = lines

    def plan(self, floor: Floor) -> tuple[Dial, ...]:
        return tuple(Dial(agent=None) for _ in range(max(0, self.lines - floor.ringing)))


@dataclass
class _Leg:
    call_id: str
    created: bool = False
    answered: bool = False
    amd_status: str | None = None
    result: DialResult | None = None
    done: bool = False
    resumed: bool = False  # an earlier process's dial, not yet found on a channel


class AgentlessCampaign(CampaignLoop):
    """``answers(call_id)``: the stored answers of a dial (``IvrStore.survey_answers``);
    ``dial_string(number)``: the trunk dial (``AcdConfig.customer_dial``)."""

    def __init__(self, runner: Runner, ami: Executor, bus: EventBus, clock: Clock, *,
                 dial_string: Callable[[str], str],
                 answers: Callable[[str], Awaitable[dict[str, int]]],
                 amd: str = "off", amd_message: str = "", ring_s: float = 25.0,
                 time_scale: float = 1.0) -> None:
        if not isinstance(runner.pacer, LinesPacer):
            raise ValueError("an agentless campaign keeps a number of lines: give its runner "
                             "a LinesPacer")
        if amd not in AMD_CHOICES:
            raise ValueError(f"amd {amd!r}: use one of {', '.join(AMD_CHOICES)}")
        if amd == "message" and not amd_message:
            raise ValueError("amd 'message' needs the prompt to leave (amd_message)")
        if not 5.0 <= ring_s <= 60.0:
            raise ValueError(f"ring time {ring_s:g} s must be between 5 and 60 s")
        super().__init__(runner, bus, clock, time_scale)
        self.ami = ami
        self.dial_string = dial_string
        self.answers = answers
        self.amd = amd
        self.amd_message = amd_message
        self.ring_s = ring_s
        self.legs: dict[str, _Leg] = {}
        self.results: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _subscriptions(self) -> list[Callable[[], None]]:
        return [self.bus.subscribe(OriginateResult, self._on_originate),
                self.bus.subscribe(ChannelCreated, self._on_created),
                self.bus.subscribe(VariableSet, self._on_varset),
                self.bus.subscribe(ChannelHungUp, self._on_hangup),
                self.bus.subscribe(AmiResynced, self._on_resynced)]

    # --- a restart -------------------------------------------------------------------

    def resume(self, dials: list[InFlight], resync: AmiResynced | None = None) -> None:
        """An earlier process's dials still in flight: their legs are looked for in
        Asterisk's channels at the AMI resync. A leg found is followed to its end as any
        other (answered if it is up); one not found ended while no backend ran: ``failed``,
        ``why`` ``restart``. ``resync``: the last one, before this campaign was loaded; a
        leg it showed may have ended since, unseen, so it is asked for again (Getvar)."""
        for d in dials:
            self.runner.resume(d.call_id, d.record, d.dialed_at, d.agent)
            self.legs[LEG_PREFIX + d.call_id] = _Leg(d.call_id, created=True, resumed=True)
        if resync is not None:
            for leg, channel in self._on_resynced(resync):
                self._spawn(self._still_there(leg, channel))

    def _on_resynced(self, ev: AmiResynced) -> list[tuple[str, str]]:
        """The resumed legs found on a channel: (leg, channel name)."""
        up = {s.uniqueid: s for s in ev.channels}
        found = []
        for leg, state in list(self.legs.items()):
            if not state.resumed or state.done:
                continue
            snap = up.get(leg)
            if snap is None:
                state.result = DialResult.FAILED
                self._spawn(self._finish(leg, None, why="restart"))
            else:
                state.resumed = False
                state.answered = snap.state == "Up"
                found.append((leg, snap.channel))
        return found

    async def _still_there(self, leg: str, channel: str) -> None:
        try:
            await self.ami.execute(Getvar("HOTLINE_CALL_ID", channel=channel))
        except NoSuchChannel:
            state = self.legs.get(leg)
            if state is not None and not state.done:
                state.result = DialResult.FAILED
                await self._finish(leg, None, why="restart")
        except Exception as exc:  # the AMI is down: its next resync settles the leg
            log.warning("campaign %s: leg %s not checked: %s", self.name, leg, exc)
            state = self.legs.get(leg)
            if state is not None and not state.done:
                state.resumed = True

    def finished(self) -> bool:
        """Every record done or refused and nothing in flight."""
        return not self.runner.in_flight() and all(
            r.status in ("done", "refused") for r in self.runner.records.values())

    # --- dialing -----------------------------------------------------------------------

    def tick(self) -> None:
        self._scheduled = False
        if not self.running:
            return
        now = self.clock.now()
        for dial in self.runner.tick(Floor(now=now, free=(), ringing=self.runner.in_flight())):
            leg = LEG_PREFIX + dial.call_id
            self.legs[leg] = _Leg(dial.call_id)
            variables = {"HOTLINE_CALL_ID": dial.call_id, "HOTLINE_AMD": self.amd}
            if self.amd == "message":
                variables["HOTLINE_AMD_MESSAGE"] = self.amd_message
            action = Originate(channel=self.dial_string(dial.number), context="hotline-outbound",
                               exten="ivr", timeout_ms=int(self.ring_s * 1000), channel_id=leg,
                               variables=variables, caller_id=caller_id(self.name, dial.caller_id))
            self._spawn(self._originate(leg, action))
        self._arm(now)

    async def _originate(self, leg: str, action: Originate) -> None:
        try:
            await self.ami.execute(action)
        except Exception as exc:  # refused by Asterisk: no channel will follow
            log.warning("campaign %s: originate %s failed: %s", self.name, leg, exc)
            state = self.legs.get(leg)
            if state is not None and not state.created:
                state.result = DialResult.FAILED
                self._spawn(self._finish(leg, None))

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- pbx events about the campaign's legs -------------------------------------------

    def _on_created(self, ev: ChannelCreated) -> None:
        state = self.legs.get(ev.uniqueid)
        if state is not None:
            state.created = True

    def _on_originate(self, ev: OriginateResult) -> None:
        state = self.legs.get(ev.uniqueid or "")
        if state is None or state.done:
            return
        if ev.success:
            state.answered = True
            return
        state.result = _BY_REASON.get(ev.reason, DialResult.FAILED)
        if not state.created:  # no channel: no Hangup will follow
            self._spawn(self._finish(ev.uniqueid or "", None))

    def _on_varset(self, ev: VariableSet) -> None:
        state = self.legs.get(ev.uniqueid)
        if state is not None and ev.variable == "AMDSTATUS":
            state.amd_status = ev.value

    def _on_hangup(self, ev: ChannelHungUp) -> None:
        state = self.legs.get(ev.uniqueid)
        if state is None or state.done:
            return
        if state.result is None:
            if state.answered and state.amd_status == "MACHINE" and self.amd != "agent":
                state.result = DialResult.MACHINE
            elif state.answered:
                state.result = DialResult.ANSWERED
            else:
                state.result = _BY_CAUSE.get(ev.cause, DialResult.FAILED)
        self._spawn(self._finish(ev.uniqueid, ev.cause))

    async def _finish(self, leg: str, cause: int | None, why: str | None = None) -> None:
        state = self.legs.get(leg)
        if state is None or state.done:
            return
        state.done = True
        del self.legs[leg]
        result = state.result or DialResult.FAILED
        details: dict[str, Any] = {"amd_status": state.amd_status} if state.amd_status else {}
        if result is DialResult.ANSWERED:
            details["answers"] = await self.answers(state.call_id)
        self.results[result.value] = self.results.get(result.value, 0) + 1
        self.runner.result(state.call_id, result, self.clock.now(), cause=cause, why=why,
                           details=details)
        self._schedule()

    async def wait_idle(self) -> None:
        """Until the result tasks spawned so far are done (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
