"""Campaigns in the running backend: the database's campaigns (``outbound.models``) run as
:class:`outbound.live.LiveCampaign` in the ACD, and their figures for the supervisor page.

The database is the truth for a campaign's *state* (draft, running, paused, stopped): the
CLI and the API change it there, and :meth:`Campaigns.sync` (every few seconds, and after
each API call) starts, pauses or stops the live campaigns to match, writing the records'
progress (status, attempts, next due time, last result) back. The figures that must be
auditable (dialed, connected, abandon rate over 30 days) are computed from the call-event
log (``OUTBOUND_*`` rows), not from memory.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from acd.ports import OutboundDialer
from hotline import kinds
from hotline.clock import Clock
from hotline.db import CallEvent
from hotline.events import EventBus
from outbound.campaign import (
    Action,
    CampaignConfig,
    CampaignError,
    Mode,
    State,
    parse_retries,
    transition,
)
from outbound.compliance import Compliance, DialResult, DncList
from outbound.dialer import EventSink, Record, Runner
from outbound.live import LiveCampaign
from outbound.models import OutboundCampaign, OutboundDnc, OutboundRecord
from outbound.pacing import THIRTY_DAYS_S, ProgressivePacer

log = logging.getLogger("outbound")


def config_of(row: OutboundCampaign) -> CampaignConfig:
    return CampaignConfig(row.name, Mode(row.mode), row.queue, row.caller_id, hours=row.hours,
                          max_per_day=row.max_per_day, retries=parse_retries(row.retries),
                          dispositions=tuple(row.dispositions.split(";")), script=row.script,
                          abandon_cap=row.abandon_cap)


async def set_state(session: AsyncSession, name: str, action: Action) -> State:
    """Apply start / pause / stop to the stored campaign (CampaignError says why not)."""
    row = await campaign_row(session, name)
    new = transition(State(row.state), action)
    row.state = new.value
    await session.flush()
    return new


async def campaign_row(session: AsyncSession, name: str) -> OutboundCampaign:
    row = (await session.execute(select(OutboundCampaign).where(
        OutboundCampaign.name == name))).scalar_one_or_none()
    if row is None:
        raise CampaignError(f"no campaign named {name!r}; `hotline outbound list` shows them")
    return row


@dataclass(frozen=True)
class CampaignFigures:
    """One campaign on the supervisor page. ``abandon_rate``: abandons / live answers over
    the last 30 days, from the call-event log (None before the first answer)."""

    name: str
    mode: str
    state: str
    queue: str
    records: int
    dialed_records: int
    penetration: float
    dials: int
    connected: int
    abandoned: int
    abandon_rate: float | None
    abandon_cap: float
    refused: int
    agents_by_state: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def figures(engine: AsyncEngine, dialer: OutboundDialer | None, now: float) -> list[CampaignFigures]:
    since = now - THIRTY_DAYS_S
    out = []
    async with async_sessionmaker(engine)() as s:
        camps = (await s.execute(select(OutboundCampaign).order_by(OutboundCampaign.name))).scalars().all()
        for c in camps:
            total = (await s.execute(select(func.count()).where(
                OutboundRecord.campaign_id == c.id))).scalar_one()
            touched = (await s.execute(select(func.count()).where(
                OutboundRecord.campaign_id == c.id, OutboundRecord.attempts > 0))).scalar_one()
            rows = (await s.execute(select(CallEvent.kind, CallEvent.data).where(
                CallEvent.queue == c.name, CallEvent.kind.in_(kinds.OUTBOUND_KINDS),
                CallEvent.ts >= since))).all()
            results = [d.get("result") for k, d in rows if k == kinds.OUTBOUND_RESULT]
            live = sum(1 for r in results if r in ("answered", "abandoned"))
            abandoned = results.count("abandoned")
            out.append(CampaignFigures(
                name=c.name, mode=c.mode, state=c.state, queue=c.queue, records=total,
                dialed_records=touched, penetration=touched / total if total else 0.0,
                dials=sum(1 for k, _ in rows if k == kinds.OUTBOUND_DIAL),
                connected=results.count("answered"), abandoned=abandoned,
                abandon_rate=abandoned / live if live else None, abandon_cap=c.abandon_cap,
                refused=sum(1 for k, _ in rows if k == kinds.OUTBOUND_REFUSED),
                agents_by_state=dialer.busy_agents(c.queue) if dialer is not None else {}))
    return out


class Campaigns:
    """The live campaigns of one backend."""

    def __init__(self, engine: AsyncEngine, dialer: OutboundDialer, bus: EventBus, clock: Clock,
                 sink: EventSink, *, time_scale: float = 1.0, amd: str = "off") -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.dialer = dialer
        self.bus = bus
        self.clock = clock
        self.sink = sink
        self.time_scale = time_scale
        self.amd = amd
        self.live: dict[str, LiveCampaign] = {}
        self._ids: dict[str, dict[str, tuple[int, int]]] = {}  # record id -> (row id, attempts before)

    async def _load(self, session: AsyncSession, row: OutboundCampaign) -> LiveCampaign:
        cfg = config_of(row)
        recs = (await session.execute(select(OutboundRecord).where(
            OutboundRecord.campaign_id == row.id))).scalars().all()
        dnc_rows = (await session.execute(select(OutboundDnc).where(
            (OutboundDnc.campaign_id.is_(None)) | (OutboundDnc.campaign_id == row.id)))).scalars().all()
        dnc = DncList()
        for d in dnc_rows:
            dnc.add(d.number, None if d.campaign_id is None else cfg.name)
        records = []
        for r in recs:
            status = "pending" if r.status == "dialing" else r.status  # a restart lost the dial
            rec = Record(str(r.id), r.number, status=status, next_at=r.next_at or 0.0)
            if r.last_result:
                rec.results.append(DialResult(r.last_result))
            records.append(rec)
        runner = Runner(cfg.name, cfg.caller_id, ProgressivePacer(),
                        Compliance(dnc, cfg.calling_hours(), cfg.max_per_day), records, self.sink,
                        retries=cfg.retries)
        self._ids[cfg.name] = {str(r.id): (r.id, r.attempts) for r in recs}
        return LiveCampaign(runner, self.dialer, self.bus, self.clock, queue=cfg.queue, mode=cfg.mode,
                            amd=self.amd, time_scale=self.time_scale)

    async def sync(self) -> None:
        """Match the live campaigns to the stored states; write the records' progress."""
        async with self.sessions() as session:
            rows = (await session.execute(select(OutboundCampaign))).scalars().all()
            for row in rows:
                live = self.live.get(row.name)
                if row.state == State.RUNNING.value and live is None:
                    try:
                        live = self.live[row.name] = await self._load(session, row)
                    except CampaignError as exc:
                        log.warning("campaign %s not started: %s", row.name, exc)
                        continue
                    live.start()
                elif row.state == State.RUNNING.value and live is not None and not live.running:
                    live.start()
                elif row.state != State.RUNNING.value and live is not None and live.running:
                    live.stop()
                if live is not None:
                    await self._save(session, live)
                if row.state == State.STOPPED.value and live is not None and not live.runner.in_flight():
                    live.close()
                    del self.live[row.name]
            await session.commit()

    async def _save(self, session: AsyncSession, live: LiveCampaign) -> None:
        ids = self._ids.get(live.name, {})
        for rec in live.runner.records.values():
            known = ids.get(rec.id)
            if known is None:
                continue
            row = await session.get(OutboundRecord, known[0])
            if row is None:
                continue
            row.status = rec.status
            row.attempts = known[1] + len(rec.dials)
            row.next_at = rec.next_at
            row.last_result = rec.results[-1].value if rec.results else None

    async def save(self) -> None:
        """Write the live campaigns' record progress (at shutdown)."""
        async with self.sessions() as session:
            for live in self.live.values():
                await self._save(session, live)
            await session.commit()

    async def loop(self, stop: asyncio.Event, every_s: float = 5.0) -> None:
        while not stop.is_set():
            try:
                await self.sync()
            except Exception:
                log.exception("outbound campaign sync failed; retrying")
            try:
                await asyncio.wait_for(stop.wait(), every_s / self.time_scale)
            except TimeoutError:
                pass

    def close(self) -> None:
        for live in self.live.values():
            live.close()
        self.live.clear()
