"""Wiring of every service into one running backend.

``Runtime(settings).start()`` brings up, in order: the database (migrated), the event
bus and call-event log, the AMI tracker, the ACD service, the FastAGI server with the
IVR, the AMI connection (its first resync re-adopts callers already waiting), and the
HTTP console. ``stop()`` takes them down in reverse. Nothing here decides anything;
it only connects the parts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from acd.admin.router import build_router as build_admin_router
from acd.admin.store import load_config
from acd.service.config import AcdConfig
from acd.service.service import AcdService
from agent_console.admin_audit import acd_audit, menu_audit
from agent_console.app import create_app
from agent_console.deps import RequireRole, get_session
from crm.escalation import escalation_loop
from crm.interaction_sync import InteractionSync
from crm.reader import CrmReader
from hotline import tuning
from hotline.app.migrate import upgrade
from hotline.clock import Clock, SystemClock
from hotline.db import make_engine, make_sessionmaker
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from hotline.settings import Settings
from hotline.writebehind import WriteBehind
from ivr.crm_directory import CrmDirectory
from ivr.handler import IvrHandler
from ivr.http import build_router as build_ivr_router
from ivr.reload import MenuHolder
from ivr.store import IvrStore
from outbound.service import Campaigns
from pbx.agi.server import FastAgiServer
from pbx.ami.client import AmiClient
from pbx.calllog import CallLogWriter
from pbx.tracker import CallTracker
from recordings.recorder import StoreRecorder
from recordings.refs import recording_ref
from recordings.store import RecordingStore
from reports.alarms import Alarm, AlarmWatch
from reports.cdrs import CdrWriter
from reports.schedule import ReportSchedule

log = logging.getLogger("hotline")
DEFAULT_MENU = Path(__file__).resolve().parents[2] / "ivr" / "menus" / "default.yaml"


def screen_pop_lookup(reader: CrmReader) -> Any:
    """The console's screen-pop lookup over the CRM (one go per pop, see crm.reader)."""
    from crm import cards

    async def lookup(caller_num: str) -> dict[str, Any]:
        return await reader.run(cards.card, caller_num)

    return lookup


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    time_scale: float = 1.0  # clock seconds per wall second (a faster simulator)
    http: bool = True

    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    crm_reader: CrmReader = field(init=False)
    bus: EventBus = field(init=False)
    eventlog: CallEventLog = field(init=False)
    tracker: CallTracker = field(init=False)
    ami: AmiClient = field(init=False)
    acd: AcdService = field(init=False)
    agi: FastAgiServer = field(init=False)
    menus: MenuHolder = field(init=False)
    interactions: InteractionSync = field(init=False)
    app: Any = field(init=False, default=None)
    _tasks: list[asyncio.Task[Any]] = field(init=False, default_factory=list)
    _http: uvicorn.Server | None = field(init=False, default=None)
    _tuning: tuning.Tuning | None = field(init=False, default=None)

    async def start(self) -> None:
        s = self.settings
        for d in (s.data_dir, s.recordings_dir, s.prompts_dir):
            Path(d).mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (once, at start-up)
        self.engine = make_engine(s.database_url)
        await upgrade(self.engine)
        self.sessions = make_sessionmaker(self.engine)
        self.crm_reader = CrmReader(self.engine)
        self.bus = EventBus()
        self.eventlog = CallEventLog(self.engine, clock=self.clock)
        self.eventlog.start()
        self.tracker = CallTracker(self.bus, self.clock)
        CallLogWriter(self.bus, self.eventlog, self.tracker)
        self.ami = AmiClient(s, self.bus, self.clock, on_event=self.tracker.feed)

        async with self.sessions() as session:
            config = await load_config(session, AcdConfig(trunk=s.trunk_endpoint))
        rows = WriteBehind(self.engine)
        # Asterisk's CDRs (cdr_manager) for reconciliation with our calls (reports.reconcile)
        CdrWriter(self.bus, rows, tz=s.asterisk_timezone)
        self.acd = AcdService(self.bus, self.clock, self.ami, self.eventlog, config, rows=rows,
                              recorder=StoreRecorder(RecordingStore(s.recordings_dir), rows),
                              time_scale=self.time_scale,
                              timezone=s.timezone)
        await self.acd.start()

        self.menus = MenuHolder(s.ivr_menu_file or DEFAULT_MENU)
        self._tasks.append(asyncio.create_task(self.menus.watch(), name="ivr-menu-watch"))
        ivr = IvrHandler(menus=self.menus.get, directory=CrmDirectory(self.crm_reader),
                         enqueuer=self.acd, events=self.eventlog, store=IvrStore(self.engine),
                         prompts_dir=s.prompts_dir, recordings_dir=s.recordings_dir,
                         clock=self.clock)
        self._stop_escalations = asyncio.Event()
        # outbound campaigns stored as running dial through the ACD (outbound.service)
        self.campaigns = Campaigns(self.engine, self.acd, self.bus, self.clock, self.eventlog,
                                   time_scale=self.time_scale, ami=self.ami,
                                   answers=IvrStore(self.engine).survey_answers,
                                   dial_string=self.acd.config.customer_dial)
        try:  # loaded before the AMI connects: its resync finds them listening (a restart)
            await self.campaigns.sync()
        except Exception:
            log.exception("outbound campaigns not loaded before the AMI connect; the loop retries")
        self._tasks.append(asyncio.create_task(self.campaigns.loop(
            self._stop_escalations), name="outbound-campaigns"))
        self._tasks.append(asyncio.create_task(escalation_loop(
            self.sessions, self.clock, stop=self._stop_escalations), name="crm-escalations"))
        # every wrap-up in the call-event log becomes a CRM interaction (crm.interaction_sync)
        self.interactions = InteractionSync(self.sessions, self.clock, recording_ref=recording_ref)
        self._tasks.append(asyncio.create_task(self.interactions.loop(
            self._stop_escalations, every_s=s.interaction_sync_interval_s), name="crm-interactions"))
        self.agi = FastAgiServer(s.agi_host, s.agi_port, ivr.routes(),
                                 self.clock)
        await self.agi.start()
        await self.ami.connect()

        if self.http:
            self.app = create_app(s, self.engine, self.bus, self.acd,
                                  screen_pop_lookup(self.crm_reader), self.clock)
            self.app.include_router(build_admin_router(
                RequireRole("admin"), get_session, on_change=self._reload_acd, audit=acd_audit(self.clock)))
            self.app.include_router(build_ivr_router(
                RequireRole("admin"), self.menus, self.clock,
                audit=menu_audit(self.sessions, self.clock, str(self.menus.path))))
            # no per-message deflate: compressing every console frame costs more CPU than
            # the bytes it saves on a LAN; the sans-I/O websockets protocol is the fastest
            cfg = uvicorn.Config(self.app, host=s.http_host, port=s.http_port,
                                 log_level="warning", lifespan="on",
                                 ws="websockets-sansio", ws_per_message_deflate=False)
            self._http = uvicorn.Server(cfg)
            self._tasks.append(asyncio.create_task(self._http.serve(), name="http"))
            while not self._http.started:
                if self._tasks[-1].done():
                    self._tasks[-1].result()  # re-raise why uvicorn could not start
                    raise RuntimeError(f"the console could not listen on {s.http_host}:{s.http_port}")
                await asyncio.sleep(0.02)
        # user-defined traffic alarms (话务预警), on the call-event log; shown on the wallboard
        hub = self.app.state.console.hub if self.http else None

        def announce(raised: list[Alarm], cleared: list[Alarm]) -> None:
            if hub is not None:
                hub.traffic_alarms_changed([a.as_dict() for a in raised], [a.as_dict() for a in cleared])
        self.alarm_watch = AlarmWatch(self.engine, self.clock, ZoneInfo(s.timezone),
                                      s.traffic_alarm_interval_s, on_change=announce)
        self._tasks.append(asyncio.create_task(self.alarm_watch.run(), name="traffic-alarms"))
        if s.scheduled_reports:  # daily / weekly / monthly report files (reports.schedule)
            self.report_schedule = ReportSchedule(self.engine, self.clock, s.report_files_dir,
                                                  ZoneInfo(s.timezone), s.default_language,
                                                  every_s=s.report_refresh_interval_s)
            self._tasks.append(asyncio.create_task(self.report_schedule.run(), name="report-files"))
        # Everything built so far lives as long as the process: move it out of the
        # collector's reach, and let short-lived objects die young (hotline.tuning).
        self._tuning = tuning.apply(young_threshold=s.gc_young_threshold,
                                    switch_interval_s=s.gil_switch_interval_s)

    async def _reload_acd(self) -> None:
        """``on_change`` of the admin router: reload the ACD's configuration."""
        async with self.sessions() as session:
            self.acd.reload(await load_config(session, self.acd.config))

    @property
    def console_url(self) -> str:
        return f"http://{self.settings.http_host}:{self.settings.http_port}/"

    async def stop(self) -> None:
        """Take everything down in reverse order. Safe after a ``start()`` that failed half-way:
        parts never built are skipped, and what a part raised while stopping is logged, not lost."""
        if self._http is not None:
            self._http.should_exit = True
        await self._quietly("FastAGI server", "agi", lambda p: p.stop())
        await self._quietly("ACD", "acd", lambda p: p.stop())
        await self._quietly("AMI client", "ami", lambda p: p.close())
        stop_loops = getattr(self, "_stop_escalations", None)
        if stop_loops is not None:
            stop_loops.set()
        for t in self._tasks:
            if t.get_name() not in ("http", "crm-escalations", "crm-interactions",
                                    "outbound-campaigns"):
                t.cancel()
        for t, result in zip(self._tasks, await asyncio.gather(*self._tasks, return_exceptions=True),
                             strict=True):
            if isinstance(result, Exception):
                log.warning("task %s had failed: %r", t.get_name(), result)
        self._tasks.clear()
        await self._quietly("outbound campaigns", "campaigns", lambda p: p.save())
        if getattr(self, "campaigns", None) is not None:
            self.campaigns.close()
        await self._quietly("call-event log", "eventlog", lambda p: p.stop())
        # the wrap-ups the last flush wrote become interactions
        await self._quietly("CRM interaction sync", "interactions", lambda p: p.run_once())
        if getattr(self, "crm_reader", None) is not None:
            self.crm_reader.close()
        await self._quietly("database engine", "engine", lambda p: p.dispose())
        if self._tuning is not None:
            tuning.restore(self._tuning)
            self._tuning = None

    async def _quietly(self, what: str, attr: str, stop: Callable[[Any], Awaitable[Any]]) -> None:
        part = getattr(self, attr, None)
        if part is None:
            return
        try:
            await stop(part)
        except Exception:
            log.warning("stopping the %s failed; carrying on with the rest", what, exc_info=True)
