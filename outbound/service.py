"""Campaigns in the running backend: the database's campaigns (``outbound.models``) run as
:class:`outbound.live.LiveCampaign` in the ACD, and their figures for the supervisor page.

The database is the truth for a campaign's *state* (draft, running, paused, stopped): the
CLI and the API change it there, and :meth:`Campaigns.sync` (every few seconds, and after
each API call) starts, pauses or stops the live campaigns to match, writing the records'
progress (status, attempts, next due time, last result) back. A live campaign keeps the
configuration it was loaded with: :func:`edit_campaign` refuses a running campaign (pause it
first) and a paused one edited is loaded afresh on its next start. The figures that must be
auditable (dialed, connected, abandon rate over 30 days) are computed from the call-event
log (``OUTBOUND_*`` rows), not from memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from acd.admin.models import AcdQueue
from acd.ports import OutboundDialer
from hotline import kinds
from hotline.clock import Clock
from hotline.db import CallEvent
from hotline.events import Event, EventBus
from outbound.agentless import AgentlessCampaign, Executor, LinesPacer
from outbound.campaign import (
    Action,
    CampaignConfig,
    CampaignError,
    Mode,
    State,
    format_retries,
    parse_retries,
    transition,
)
from outbound.compliance import Compliance, DialResult
from outbound.dialer import EventSink, InFlight, Record, Runner
from outbound.lists import campaign_dnc
from outbound.live import LiveCampaign
from outbound.models import OutboundCampaign, OutboundRecord
from outbound.pacing import (
    THIRTY_DAYS_S,
    AbandonLedger,
    DialStats,
    Pacer,
    PredictivePacer,
    ProgressivePacer,
)
from pbx.events import AmiResynced

log = logging.getLogger("outbound")
AGENTLESS_LINES = 4  # concurrent dials of an agentless campaign
IN_FLIGHT_S = 86400.0  # a dial older than this without a result is not looked for again


def config_of(row: OutboundCampaign) -> CampaignConfig:
    return CampaignConfig(row.name, Mode(row.mode), row.queue, row.caller_id, hours=row.hours,
                          max_per_day=row.max_per_day, retries=parse_retries(row.retries),
                          dispositions=tuple(row.dispositions.split(";")), script=row.script,
                          abandon_cap=row.abandon_cap, max_total=row.max_total, amd=row.amd,
                          amd_message=row.amd_message)


def settings_of(cfg: CampaignConfig) -> dict[str, Any]:
    """The configuration as JSON (what the page's form shows, less the name): the data of
    the ``campaign_create`` audit row, the same whether the page or the CLI created it."""
    return {"mode": cfg.mode.value, "queue": cfg.queue, "caller_id": cfg.caller_id, "hours": cfg.hours,
            "max_per_day": cfg.max_per_day, "max_total": cfg.max_total,
            "retries": [{"result": r.value, "after_s": float(rule.after_s), "max_retries": rule.max_retries}
                        for r, rule in cfg.retries.items()],
            "dispositions": list(cfg.dispositions), "script": cfg.script, "abandon_cap": cfg.abandon_cap,
            "amd": cfg.amd, "amd_message": cfg.amd_message}


def write_config(row: OutboundCampaign, cfg: CampaignConfig) -> None:
    """Store ``cfg`` (already checked by its constructor) in ``row``; the name is the row's."""
    row.mode, row.queue, row.caller_id = cfg.mode.value, cfg.queue, cfg.caller_id
    row.hours, row.max_per_day, row.max_total = cfg.hours, cfg.max_per_day, cfg.max_total
    row.retries, row.dispositions = format_retries(cfg.retries), ";".join(cfg.dispositions)
    row.script, row.abandon_cap = cfg.script or None, cfg.abandon_cap
    row.amd, row.amd_message = cfg.amd, cfg.amd_message if cfg.amd == "message" else None


async def check_queue(session: AsyncSession, queue: str) -> None:
    """CampaignError (field ``queue``) unless the ACD has ``queue`` (``acd_queues``): a
    campaign dials into its queue, and the router refuses a queue it does not know."""
    names = (await session.execute(select(AcdQueue.name).order_by(AcdQueue.name))).scalars().all()
    if queue in names:
        return
    if not names:
        raise CampaignError(f"queue {queue!r} is not an ACD queue and the ACD has none yet; "
                            "add the queue on the admin page first", "queue")
    listed = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    raise CampaignError(f"queue {queue!r} is not an ACD queue; use one of {listed} "
                        "(queues are added on the admin page)", "queue")


async def create_campaign(session: AsyncSession, cfg: CampaignConfig, now: float) -> OutboundCampaign:
    """A new draft campaign (CampaignError if the name is taken or the queue unknown)."""
    if (await session.execute(select(OutboundCampaign.id).where(OutboundCampaign.name == cfg.name))).first():
        raise CampaignError(f"a campaign named {cfg.name!r} exists already", "name")
    await check_queue(session, cfg.queue)
    row = OutboundCampaign(name=cfg.name, state=State.DRAFT.value, created_at=now)
    write_config(row, cfg)
    session.add(row)
    await session.flush()
    return row


async def edit_campaign(session: AsyncSession, cfg: CampaignConfig) -> tuple[OutboundCampaign, dict[str, Any]]:
    """Store the new configuration of campaign ``cfg.name``; returns the row and the changed
    columns (column -> [before, after]).

    The live dialer holds the configuration it was started with, so: a draft or paused
    campaign takes any edit, applied when it (next) starts (``Campaigns.sync`` reloads it);
    a running one is refused (pause it first); a stopped one is final."""
    row = await campaign_row(session, cfg.name)
    if row.state == State.RUNNING.value:
        raise CampaignError(f"campaign {cfg.name} is running: pause it, edit it, then start it again "
                            "(the new settings apply on that start)")
    if row.state == State.STOPPED.value:
        raise CampaignError(f"campaign {cfg.name} is stopped: its settings stay as they ran for the "
                            "report; create a new campaign instead")
    await check_queue(session, cfg.queue)
    before = {c: getattr(row, c) for c in _CONFIG_COLUMNS}
    write_config(row, cfg)
    changed = {c: [before[c], getattr(row, c)] for c in _CONFIG_COLUMNS if before[c] != getattr(row, c)}
    await session.flush()
    return row, changed


_CONFIG_COLUMNS = ("mode", "queue", "caller_id", "hours", "max_per_day", "max_total", "retries",
                   "dispositions", "script", "abandon_cap", "amd", "amd_message")


async def set_state(session: AsyncSession, name: str, action: Action) -> State:
    """Apply start / pause / stop to the stored campaign (CampaignError says why not)."""
    row = await campaign_row(session, name)
    new = transition(State(row.state), action)
    row.state = new.value
    await session.flush()
    return new


class NoCampaign(CampaignError):
    """There is no campaign of that name."""


async def campaign_row(session: AsyncSession, name: str) -> OutboundCampaign:
    row = (await session.execute(select(OutboundCampaign).where(
        OutboundCampaign.name == name))).scalar_one_or_none()
    if row is None:
        raise NoCampaign(f"no campaign named {name!r}; `hotline outbound list` shows them")
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


async def figures(engine: AsyncEngine, dialer: OutboundDialer | None, now: float,
                  name: str | None = None) -> list[CampaignFigures]:
    """Every campaign's figures, or only campaign ``name``'s."""
    since = now - THIRTY_DAYS_S
    out = []
    query = select(OutboundCampaign).order_by(OutboundCampaign.name)
    if name is not None:
        query = query.where(OutboundCampaign.name == name)
    async with async_sessionmaker(engine)() as s:
        camps = (await s.execute(query)).scalars().all()
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


@dataclass(frozen=True, slots=True)
class RecordDisposed(Event):
    """An agent's wrap-up of a campaign record (the console publishes it on the bus).
    ``callback_at``: the agent asked to call back then (epoch; the dialer dials the record
    again at that time, as a retry)."""

    campaign: str
    record: str
    disposition: str
    callback_at: float | None = None


def parse_call_id(call_id: str, campaigns: Iterable[str]) -> tuple[str, str] | None:
    """``ob-<campaign>-<record>-<n>`` (``outbound.dialer.Runner.dial``) -> (campaign, record)."""
    for name in sorted(campaigns, key=len, reverse=True):
        rest = call_id.removeprefix(f"ob-{name}-")
        if rest != call_id:
            record, _, seq = rest.partition("-")
            if record.isdigit() and seq.isdigit():
                return name, record
    return None


@dataclass
class DialLog:
    """A campaign's dials as the call-event log has them (:func:`read_dial_log`), per record
    id: ``counts`` every OUTBOUND_DIAL; ``recent`` the times of those of the last day (the
    per-day limit's window: "today" in any zone began less than a day ago); ``results``
    every OUTBOUND_RESULT's result in log order (the retry rules count them per result);
    ``in_flight``
    the dials of the last day whose OUTBOUND_DIAL has no OUTBOUND_RESULT (an earlier process
    was stopped while they rang or waited; only a record's latest dial counts), oldest
    first; ``seq`` the highest dial number used so far."""

    counts: dict[str, int]
    recent: dict[str, list[float]]
    results: dict[str, list[DialResult]]
    in_flight: list[InFlight]
    seq: int


def read_dial_log(rows: Iterable[Any], now: float) -> DialLog:
    """``rows``: (call_id, kind, ts, agent, data) of one campaign's OUTBOUND_DIAL and
    OUTBOUND_RESULT rows in log order."""
    since = now - IN_FLIGHT_S
    counts: dict[str, int] = {}
    recent: dict[str, list[float]] = {}
    results: dict[str, list[DialResult]] = {}
    latest: dict[str, InFlight] = {}  # record -> its latest dial, while it has no result
    seq = 0
    for call_id, kind, ts, agent, data in rows:
        record = str((data or {}).get("record", ""))
        if kind == kinds.OUTBOUND_RESULT:
            if record in latest and latest[record].call_id == call_id:
                del latest[record]
            try:
                result = DialResult(str((data or {}).get("result")))
            except ValueError:
                continue  # not a result the retry rules know: nothing to count
            results.setdefault(record, []).append(result)
            continue
        counts[record] = counts.get(record, 0) + 1
        tail = call_id.rpartition("-")[2]
        seq = max(seq, int(tail)) if tail.isdigit() else seq
        latest.pop(record, None)
        if ts >= since:
            recent.setdefault(record, []).append(ts)
            latest[record] = InFlight(call_id, record, str(data.get("number", "")), ts, agent)
    return DialLog(counts, recent, results, sorted(latest.values(), key=lambda d: d.dialed_at), seq)


class Campaigns:
    """The live campaigns of one backend."""

    def __init__(self, engine: AsyncEngine, dialer: OutboundDialer, bus: EventBus, clock: Clock,
                 sink: EventSink, *, time_scale: float = 1.0,
                 ami: Executor | None = None,
                 answers: Callable[[str], Awaitable[dict[str, int]]] | None = None,
                 dial_string: Callable[[str], str] | None = None) -> None:
        """``ami``, ``answers`` (``IvrStore.survey_answers``) and ``dial_string``
        (``AcdConfig.customer_dial``): what agentless campaigns need."""
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.dialer = dialer
        self.bus = bus
        self.clock = clock
        self.sink = sink
        self.time_scale = time_scale
        self.ami = ami
        self.answers = answers
        self.dial_string = dial_string
        self.live: dict[str, LiveCampaign | AgentlessCampaign] = {}
        self._ids: dict[str, dict[str, int]] = {}  # campaign -> record id -> row id
        self._configs: dict[str, CampaignConfig] = {}  # what each live campaign was loaded with
        self._swept = False  # the first sync looked for paused / stopped campaigns' dials in flight
        self._unsubscribe = bus.subscribe(RecordDisposed, self._on_disposed)
        self.last_resync: AmiResynced | None = None  # for agentless campaigns loaded after it
        self._unsubscribe_resync = bus.subscribe(AmiResynced, self._on_resynced)

    def _on_resynced(self, ev: AmiResynced) -> None:
        self.last_resync = ev

    def _on_disposed(self, ev: RecordDisposed) -> None:
        """A callback-later: the record is pending again, due at ``callback_at``."""
        live = self.live.get(ev.campaign)
        rec = live.runner.records.get(ev.record) if live is not None else None
        if live is None or rec is None or ev.callback_at is None:
            return  # not running here: the stored row (written by the console) is what counts
        rec.status, rec.next_at = "pending", ev.callback_at
        asyncio.get_running_loop().call_soon(live.tick)  # re-arms its timer for the new due time

    async def _load(self, session: AsyncSession, row: OutboundCampaign,
                    before: Runner | None = None) -> LiveCampaign | AgentlessCampaign:
        """``before``: the runner of this campaign's previous load in this process (edited
        while paused): its dials count too, even those the event log has not written yet."""
        cfg = config_of(row)
        if cfg.mode is Mode.AGENTLESS and (self.ami is None or self.answers is None
                                           or self.dial_string is None):
            raise CampaignError("agentless campaigns need the AMI and the IVR's answer store; "
                                "this backend was started without them")
        recs = (await session.execute(select(OutboundRecord).where(
            OutboundRecord.campaign_id == row.id))).scalars().all()
        dnc = await campaign_dnc(session, row)
        logged = await self._dial_log(session, cfg.name)
        records = []
        for r in recs:
            status = "pending" if r.status == "dialing" else r.status  # a restart lost the dial
            # the log is the truth for attempts: an earlier process may have logged a dial
            # it never saved; a log short of the stored count lost or pruned rows, and
            # compliance never counts fewer dials than were made
            r.attempts = max(r.attempts, logged.counts.get(str(r.id), 0))
            times = set(logged.recent.get(str(r.id), []))
            old = before.records.get(str(r.id)) if before is not None else None
            if old is not None:
                times.update(t for t in old.logged + old.dials if t >= self.clock.now() - IN_FLIGHT_S)
            rec = Record(str(r.id), r.number, status=status, next_at=r.next_at or 0.0,
                         earlier=r.attempts, logged=sorted(times))
            # the retry rules count each result: all of them, from the log (and the
            # previous load's, ahead of it); the stored last one if the log has none
            if old is not None:
                rec.results = list(old.results)
            elif str(r.id) in logged.results:
                rec.results = list(logged.results[str(r.id)])
            elif r.last_result:
                rec.results.append(DialResult(r.last_result))
            records.append(rec)
        pacer: Pacer = ProgressivePacer()
        if cfg.mode is Mode.AGENTLESS:
            pacer = LinesPacer(AGENTLESS_LINES)
        elif cfg.mode is Mode.PREDICTIVE:
            pacer = PredictivePacer(await self._ledger(session, cfg.name), DialStats(),
                                    cfg.abandon_cap)
        runner = Runner(cfg.name, cfg.caller_id, pacer,
                        Compliance(dnc, cfg.calling_hours(), cfg.max_per_day, cfg.max_total), records,
                        self.sink, retries=cfg.retries)
        self._ids[cfg.name] = {str(r.id): r.id for r in recs}
        self._configs[cfg.name] = cfg
        amd_message = cfg.amd_message or ""
        runner.continue_after(max(logged.seq, before.seq if before is not None else 0))
        # reloaded in this process (only once its dials ended): the log may lag behind
        in_flight = [] if before is not None else [
            d for d in logged.in_flight if d.record in runner.records
            and runner.records[d.record].status not in ("done", "refused")]
        live: LiveCampaign | AgentlessCampaign
        if cfg.mode is Mode.AGENTLESS:
            assert self.ami is not None and self.answers is not None and self.dial_string is not None
            live = AgentlessCampaign(runner, self.ami, self.bus, self.clock,
                                     dial_string=self.dial_string, answers=self.answers,
                                     amd=cfg.amd, amd_message=amd_message, time_scale=self.time_scale)
        else:
            live = LiveCampaign(runner, self.dialer, self.bus, self.clock, queue=cfg.queue,
                                mode=cfg.mode, amd=cfg.amd, amd_message=amd_message,
                                time_scale=self.time_scale)
        live.listen()  # before resuming: a dial taken up may end at any event now
        if isinstance(live, AgentlessCampaign):
            live.resume(in_flight, self.last_resync)  # its own legs: no router takes them up
        else:
            live.resume(in_flight)
        return live

    async def _dial_log(self, session: AsyncSession, campaign: str) -> DialLog:
        rows = (await session.execute(select(
            CallEvent.call_id, CallEvent.kind, CallEvent.ts, CallEvent.agent, CallEvent.data)
            .where(CallEvent.queue == campaign,
                   CallEvent.kind.in_((kinds.OUTBOUND_DIAL, kinds.OUTBOUND_RESULT)))
            .order_by(CallEvent.id))).all()
        return read_dial_log(rows, self.clock.now())

    async def _ledger(self, session: AsyncSession, campaign: str) -> AbandonLedger:
        """The campaign's live answers and abandons of the last 30 days, from the log: the
        predictive cap holds on the audited rate, across restarts."""
        ledger = AbandonLedger()
        rows = (await session.execute(select(CallEvent.ts, CallEvent.data).where(
            CallEvent.queue == campaign, CallEvent.kind == kinds.OUTBOUND_RESULT,
            CallEvent.ts >= self.clock.now() - THIRTY_DAYS_S).order_by(CallEvent.ts))).all()
        for ts, data in rows:
            result = (data or {}).get("result")
            if result in (DialResult.ANSWERED.value, DialResult.ABANDONED.value):
                ledger.answered(ts)
            if result == DialResult.ABANDONED.value:
                ledger.abandoned(ts)
        return ledger

    async def _left_ringing(self, session: AsyncSession, names: list[str]) -> set[str]:
        """Which of the campaigns ``names`` have dials of an earlier process in flight."""
        if not names:
            return set()
        rows = (await session.execute(select(
            CallEvent.queue, CallEvent.call_id, CallEvent.kind, CallEvent.ts, CallEvent.agent,
            CallEvent.data)
            .where(CallEvent.queue.in_(names), CallEvent.ts >= self.clock.now() - IN_FLIGHT_S,
                   CallEvent.kind.in_((kinds.OUTBOUND_DIAL, kinds.OUTBOUND_RESULT)))
            .order_by(CallEvent.id))).all()
        by_campaign: dict[str, list[Any]] = {}
        for queue, *rest in rows:
            by_campaign.setdefault(queue, []).append(rest)
        return {name for name, dials in by_campaign.items()
                if read_dial_log(dials, self.clock.now()).in_flight}

    async def sync(self) -> None:
        """Match the live campaigns to the stored states; write the records' progress.

        The first sync also loads, without dialing, the paused and stopped campaigns whose
        dials an earlier process left ringing: each one's result is logged when it ends
        (and a paused one dials again only when started)."""
        async with self.sessions() as session:
            rows = (await session.execute(select(OutboundCampaign))).scalars().all()
            ringing = set() if self._swept else await self._left_ringing(session, [
                r.name for r in rows if r.state in (State.PAUSED.value, State.STOPPED.value)
                and r.name not in self.live])
            for row in rows:
                live = self.live.get(row.name)
                before: Runner | None = None
                if live is None and row.name in ringing:
                    try:
                        live = self.live[row.name] = await self._load(session, row)
                    except CampaignError as exc:
                        log.warning("campaign %s: its dials in flight are not followed: %s",
                                    row.name, exc)
                if (row.state == State.RUNNING.value and live is not None and not live.running
                        and self._edited(row)):
                    if live.runner.in_flight():
                        continue  # the paused dials end first; then the new settings load
                    await self._save(session, live)  # edited while paused: load it afresh
                    live.close()
                    del self.live[row.name]
                    before, live = live.runner, None
                if row.state == State.RUNNING.value and live is None:
                    try:
                        live = self.live[row.name] = await self._load(session, row, before)
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
        self._swept = True

    def _edited(self, row: OutboundCampaign) -> bool:
        try:
            return config_of(row) != self._configs.get(row.name)
        except CampaignError:
            return True  # stored by hand and broken: reloading logs why it does not start

    async def _save(self, session: AsyncSession, live: LiveCampaign | AgentlessCampaign) -> None:
        ids = self._ids.get(live.name, {})
        for rec in live.runner.records.values():
            known = ids.get(rec.id)
            if known is None:
                continue
            row = await session.get(OutboundRecord, known)
            if row is None:
                continue
            row.status = rec.status
            row.attempts = rec.attempts()
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
        self._unsubscribe()
        self._unsubscribe_resync()
        for live in self.live.values():
            live.close()
        self.live.clear()
