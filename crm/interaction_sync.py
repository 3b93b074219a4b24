"""Every wrap-up becomes a CRM interaction, built from the call-event log.

The ACD writes one ``WRAPUP`` row per finished agent leg (disposition, notes, ticket ref).
:class:`InteractionSync` turns each into a ``crm_interactions`` row with what the log says
about that leg: the caller's number (``ENTERQUEUE.callerid``), when the call started, when
this agent answered (``CONNECT`` / ``TAKECALL``) and when the agent's part ended
(``COMPLETE*``, a transfer, ``TAKECOMPLETE``). The customer is found from the number by
:func:`crm.customers.log_interaction`; a ticket ref (``T0000042``) links the ticket to the
interaction when the ticket exists and is not linked yet. The recording reference comes from
a lookup the composition root passes in (crm does not import recordings).

It reads only the log, so it can run after the fact (``hotline crm sync-interactions``) and
is idempotent: a leg already written (same call id, agent and answer time) is skipped. The
live loop keeps a cursor on ``call_events.id``; on start it looks back ``lookback_s``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.customers import log_interaction
from crm.models import Interaction, Ticket, parse_ticket_number
from crm.schemas import InteractionIn
from hotline import kinds
from hotline.clock import Clock
from hotline.db import CallEvent

log = logging.getLogger(__name__)

WRAPUP = "WRAPUP"
ANSWER_KINDS = frozenset({kinds.CONNECT, "TAKECALL"})
END_KINDS = frozenset({kinds.COMPLETEAGENT, kinds.COMPLETECALLER, kinds.BLINDTRANSFER,
                       kinds.ATTENDEDTRANSFER, "TAKECOMPLETE"})
RecordingRef = Callable[[AsyncSession, str, str | None], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Leg:
    """What the log says about one agent's part of one call."""

    call_id: str
    agent: str
    queue: str | None
    number: str | None
    started_at: float
    answered_at: float | None
    ended_at: float | None
    disposition: str | None
    notes: str
    ticket_ref: str | None


def leg_of(wrapup: CallEvent, rows: Sequence[CallEvent]) -> Leg:
    """The leg a ``WRAPUP`` row closes, from all the rows of its call (any order)."""
    agent = wrapup.agent or ""
    rows = sorted(rows, key=lambda r: (r.ts, r.id or 0))
    started = min((r.ts for r in rows), default=wrapup.ts)
    number = next((str(r.data.get("callerid") or "") for r in rows
                   if r.kind == kinds.ENTERQUEUE and r.data.get("callerid")), None)
    answers = [r.ts for r in rows if r.kind in ANSWER_KINDS and r.agent == agent and r.ts <= wrapup.ts]
    answered = answers[-1] if answers else None
    ends = [r.ts for r in rows if r.kind in END_KINDS and r.agent == agent and r.ts <= wrapup.ts
            and (answered is None or r.ts >= answered)]
    data = wrapup.data or {}
    return Leg(call_id=wrapup.call_id, agent=agent, queue=wrapup.queue, number=number or None,
               started_at=started, answered_at=answered, ended_at=ends[0] if ends else None,
               disposition=data.get("disposition"), notes=str(data.get("notes") or ""),
               ticket_ref=data.get("ticket_ref") or None)


class InteractionSync:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *,
                 recording_ref: RecordingRef | None = None, lookback_s: float = 86400.0,
                 batch: int = 500) -> None:
        self.sessions = sessions
        self.clock = clock
        self.recording_ref = recording_ref
        self.lookback_s = lookback_s
        self.batch = batch
        self.cursor: int | None = None  # last call_events.id looked at

    async def run_once(self, since_ts: float | None = None) -> int:
        """Write the interactions of the wrap-ups not seen yet; returns how many were written."""
        async with self.sessions() as session:
            if self.cursor is None:
                since = since_ts if since_ts is not None else self.clock.now() - self.lookback_s
                first = await session.scalar(select(func.min(CallEvent.id)).where(CallEvent.ts >= since))
                self.cursor = (first or 1) - 1 if first is not None else await self._max_id(session)
            written = 0
            while True:
                wraps = (await session.scalars(
                    select(CallEvent).where(CallEvent.kind == WRAPUP, CallEvent.id > self.cursor)
                    .order_by(CallEvent.id).limit(self.batch))).all()
                if not wraps:
                    break
                for w in wraps:
                    if w.call_id and w.call_id != "NONE" and w.agent:
                        written += await self._write(session, w)
                    self.cursor = w.id
                await session.commit()
            return written

    async def _max_id(self, session: AsyncSession) -> int:
        return int(await session.scalar(select(func.coalesce(func.max(CallEvent.id), 0))) or 0)

    async def _write(self, session: AsyncSession, wrapup: CallEvent) -> int:
        rows = (await session.scalars(select(CallEvent).where(CallEvent.call_id == wrapup.call_id))).all()
        leg = leg_of(wrapup, rows)
        seen = await session.scalar(select(Interaction.id).where(
            Interaction.call_id == leg.call_id, Interaction.agent == leg.agent,
            Interaction.answered_at.is_(None) if leg.answered_at is None
            else Interaction.answered_at == leg.answered_at).limit(1))
        if seen is not None:
            return 0
        ref = await self.recording_ref(session, leg.call_id, leg.agent) if self.recording_ref else None
        notes = leg.notes
        ticket = await self._ticket(session, leg.ticket_ref)
        if leg.ticket_ref and ticket is None:
            notes = f"{notes}\n[ticket {leg.ticket_ref} not found]".strip()
        try:
            it = await log_interaction(session, InteractionIn(
                call_id=leg.call_id, number=leg.number, agent=leg.agent, queue=leg.queue,
                direction="in", kind="call", started_at=leg.started_at, answered_at=leg.answered_at,
                ended_at=leg.ended_at, disposition=leg.disposition, notes=notes[:4000] or None,
                recording_ref=ref))
        except ValueError as exc:  # a number the schema refuses: keep the leg, drop the number
            log.warning("interaction of call %s: %s; stored without the number", leg.call_id, exc)
            it = await log_interaction(session, InteractionIn(
                call_id=leg.call_id, agent=leg.agent, queue=leg.queue, started_at=leg.started_at,
                answered_at=leg.answered_at, ended_at=leg.ended_at, disposition=leg.disposition,
                notes=notes[:4000] or None, recording_ref=ref))
        if ticket is not None and ticket.interaction_id is None:
            ticket.interaction_id = it.id
            if ticket.customer_id is None:
                ticket.customer_id = it.customer_id
        return 1

    async def _ticket(self, session: AsyncSession, ref: str | None) -> Ticket | None:
        tid = parse_ticket_number(ref) if ref else None
        return await session.get(Ticket, tid) if tid is not None else None

    async def loop(self, stop: asyncio.Event, every_s: float = 2.0) -> None:
        """Run :meth:`run_once` every ``every_s`` until ``stop`` is set (errors are logged, not fatal)."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("interaction sync failed; retrying")
            try:
                await asyncio.wait_for(stop.wait(), every_s)
            except TimeoutError:
                pass
