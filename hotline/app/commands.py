"""``hotline serve`` and ``hotline demo``: the long-running commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import socket
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from hotline.settings import Settings, get_settings

# features.conf [featuremap] atxfer of the configuration we ship (asterisk_conf/templates/
# features.conf.tmpl): the simulator standing in for that Asterisk answers AMI Atxfer alike
ATXFER_FEATURE = "*2"

console = Console()


def _free_port(host: str, wanted: int) -> int:
    """``wanted`` if it is free, else any free port (the demo must not fail on a busy 8080)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, wanted))
        except OSError:
            s.bind((host, 0))
        return int(s.getsockname()[1])


async def _until_stopped(duration: float | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=duration)


def serve() -> None:
    """Run the backend against the Asterisk named in the settings (HOTLINE_AMI_HOST ...)."""
    from hotline.app.runtime import Runtime
    from pbx.ami.errors import AmiAuthError, AmiConnectError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    defaults = settings.default_secrets()
    if settings.pbx_mode == "asterisk":
        console.print(f"hotline serve: mode asterisk — the real Asterisk at {settings.ami_host}:"
                      f"{settings.ami_port}, database {_safe_url(settings.database_url)}")
        if defaults:
            console.print(f"[red]Refusing to start against a real Asterisk with default secrets: set "
                          f"{' and '.join(defaults)} (and the same AMI secret in manager.conf).[/red]")
            raise typer.Exit(2)
    else:
        console.print("hotline serve: mode sim — a SIMULATED Asterisk on "
                      f"{settings.ami_host}:{settings.ami_port}, no real calls "
                      "(HOTLINE_PBX_MODE=asterisk for a real one)")
        if defaults:
            console.print(f"[yellow]default secrets in use ({', '.join(defaults)}): fine for a "
                          "trial, never for production[/yellow]")

    async def run() -> None:
        sim = None
        if settings.pbx_mode == "sim":
            # Embedded default: a simulated Asterisk on the AMI port (place calls with
            # `hotline demo`, or point SIP-less tests at it); HOTLINE_PBX_MODE=asterisk
            # connects to a real one instead.
            from pbx.sim import SimAsterisk, SimConfig

            sim = SimAsterisk(SimConfig(ami_host=settings.ami_host, ami_port=settings.ami_port,
                                        username=settings.ami_username, secret=settings.ami_secret,
                                        agi_host=settings.agi_public_host, agi_port=settings.agi_port,
                                        recordings_dir=str(settings.recordings_dir),
                                        atxfer_featuremap=ATXFER_FEATURE))
            await sim.start()
        rt = Runtime(settings)
        try:
            await rt.start()
        except BaseException:
            await rt.stop()  # what did start is taken down again (Runtime.stop logs its failures)
            if sim is not None:
                await sim.stop()
            raise
        console.print(f"hotline is up: console {rt.console_url}  AMI {settings.ami_host}:"
                      f"{settings.ami_port}  FastAGI {settings.agi_host}:{rt.agi.port}")
        try:
            await _until_stopped(None)
        finally:
            await rt.stop()
            if sim is not None:
                await sim.stop()

    try:
        asyncio.run(run())
    except (AmiAuthError, AmiConnectError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _safe_url(url: str) -> str:
    """A database URL without its password, for the start-up line."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL fails later with its own message
        return "<unparsable URL>"


def _progress_line(snapshot: Any, elapsed: float, placed: int) -> str:
    queues = snapshot.queues
    waiting = sum(q.waiting for q in queues)
    answered = sum(q.answered_today for q in queues)
    abandoned = sum(q.abandoned_today for q in queues)
    busy = sum(1 for a in snapshot.agents if a.state in ("ringing", "on_call", "on_hold", "wrap_up"))
    return (f"[{elapsed:6.0f} s] placed {placed}, waiting {waiting}, answered {answered}, "
            f"abandoned {abandoned}, agents busy {busy}/{len(snapshot.agents)}")


def _dashboard(snapshot: Any, elapsed: float, placed: int) -> Table:
    table = Table(title=f"hotline demo — {elapsed:5.0f} s, {placed} calls placed", expand=False)
    for col in ("queue", "waiting", "longest wait", "offered", "answered", "abandoned", "SL"):
        table.add_column(col, justify="right" if col != "queue" else "left")
    for q in snapshot.queues:
        sl = "—" if q.service_level is None else f"{q.service_level:.0%}"
        table.add_row(q.queue, str(q.waiting), f"{q.longest_wait_s:.0f}s", str(q.offered_today),
                      str(q.answered_today), str(q.abandoned_today), sl)
    states: dict[str, int] = {}
    for a in snapshot.agents:
        states[a.state] = states.get(a.state, 0) + 1
    table.caption = "agents: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items()))
    return table


def demo(
    duration: float = typer.Option(None, help="Stop after this many seconds and print totals."),
    rate: float = typer.Option(0.05, help="New calls per second (Poisson). The default keeps the "
                               "demo's 8 agents about half busy; 0.12 and up fills the queues and "
                               "raises the wallboard's alarms."),
    agents: int = typer.Option(8, help="Agents (simulated, except --human-agents)."),
    human_agents: str = typer.Option("", "--human-agents",
                                     help="Comma-separated extensions (e.g. 1001) left to the person "
                                          "at the keyboard: sign in as agent1001 and take the calls."),
    port: int = typer.Option(None, "--port", help="Console HTTP port (default: settings, or the next "
                                                   "free one); an explicit port that is busy is an error."),
    speed: float = typer.Option(1.0, help="Simulated seconds per real second."),
    seed: int = typer.Option(1, help="Random seed: same seed, same callers."),
    customers: int = typer.Option(200, help="Demo CRM customers."),
    recordings_mb: float = typer.Option(200.0, "--recordings-mb", min=0.0,
                                        help="Keep the demo's recordings within this many MB: the "
                                             "oldest go first (and retention, 7 days unless set)."),
) -> None:
    """The whole system live: simulated Asterisk, callers and agents; console URL printed."""
    from hotline.app import demo_outbound
    from hotline.app.demo_agents import AgentHabits, SimulatedAgents
    from hotline.app.demo_seed import (
        DEMO_PASSWORD,
        demo_customer_numbers,
        demo_menu,
        monitor_phones,
    )
    from hotline.app.demo_seed import seed as seed_db
    from hotline.app.runtime import DEFAULT_MENU, Runtime
    from pbx.sim import AgentPhone, CallerScript, SimAsterisk, SimClock, SimConfig
    from pbx.sim.traffic import TrafficGenerator
    from reports.totals import totals_by_queue

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    base = get_settings()
    data = Path(base.data_dir)
    host = "127.0.0.1"
    humans = {h.strip() for h in human_agents.split(",") if h.strip()}
    bad = sorted(h for h in humans if not h.isdigit() or not 1001 <= int(h) < 1001 + agents)
    if bad:
        console.print(f"[red]--human-agents: {', '.join(bad)} is not one of the demo's extensions "
                      f"1001 … {1000 + agents}.[/red]")
        raise typer.Exit(2)
    if port is not None and _free_port(base.http_host, port) != port:
        console.print(f"[red]--port {port}: the port is in use on {base.http_host}; pick another.[/red]")
        raise typer.Exit(2)
    settings = Settings(**{
        **base.model_dump(),
        "pbx_mode": "sim",
        "ami_host": host, "ami_port": _free_port(host, 15038),
        "agi_host": host, "agi_port": _free_port(host, 14573), "agi_public_host": host,
        "http_port": port if port is not None else _free_port(base.http_host, base.http_port),
        "ivr_menu_file": demo_menu(DEFAULT_MENU, data / "demo-menu.yaml"),
        "report_refresh_interval_s": 30.0,  # the reports page fills while you watch
    })
    known = demo_customer_numbers(customers)

    def caller(rng: random.Random, n: int) -> CallerScript:
        number = rng.choice(known) if rng.random() < 0.5 else f"186{rng.randrange(10**8):08d}"
        # unknown callers choose a language first; everyone then picks 1 sales/2 support/3 complaints
        choice = rng.choices(["1", "2", "3"], weights=[5, 4, 1])[0]
        dtmf = [choice] if number in known else [rng.choice(["1", "2"]), choice]
        return CallerScript(caller_num=number, caller_name=rng.choice(["张安娜", "王伟", "李娜", "Alice"]),
                            dnid="4000", dtmf=dtmf, patience_s=rng.uniform(20, 90),
                            talk_time_s=rng.uniform(15, 90), lang="zh")

    async def run() -> int:
        sim = SimAsterisk(SimConfig(ami_host=host, ami_port=settings.ami_port, agi_host=host,
                                    agi_port=settings.agi_port, username=settings.ami_username,
                                    secret=settings.ami_secret, speed=speed, seed=seed,
                                    recordings_dir=str(settings.recordings_dir),
                                    atxfer_featuremap=ATXFER_FEATURE,
                                    callees=demo_outbound.CALLEES))
        await sim.start()
        # The backend reads the simulator's clock and scales its timers by the same speed.
        rt = Runtime(settings, clock=SimClock(sim), time_scale=speed)
        started = time.monotonic()
        sim_agents = None
        traffic = None
        housekeeping: asyncio.Task[None] | None = None
        try:
            # seeding needs the migrated database, which the runtime creates; seed then reload
            from hotline.app.migrate import upgrade
            from hotline.db import make_engine, make_sessionmaker

            engine = make_engine(settings.database_url)
            await upgrade(engine)
            team = await seed_db(make_sessionmaker(engine), agents=agents, customers=customers,
                                 now=time.time())
            await engine.dispose()
            simulated = [a for a in team if a.extension not in humans]
            # The last simulated agent misses its first call: RONA shows in the demo. It then
            # answers like the others; missing every call (it is support's best agent, so
            # it is offered first) would keep the service level in alarm all day.
            sleeper = simulated[-1] if simulated else None
            for a in team:
                sim.add_agent_phone(AgentPhone(
                    endpoint=f"agent{a.extension}", behaviour="noanswer" if a == sleeper else "answer",
                    answer_delay_s=1.0 + int(a.extension) % 3))
            for endpoint in monitor_phones():  # where listen / whisper / barge ring
                sim.add_agent_phone(AgentPhone(endpoint=endpoint, answer_delay_s=0.5))
            await rt.start()
            if sleeper is not None:
                _answer_after_first_rona(rt.bus, sim, sleeper.agent_id, f"agent{sleeper.extension}")
            housekeeping = asyncio.create_task(_recordings_housekeeping(rt, int(recordings_mb * 2**20)),
                                               name="demo-recordings")
            console.print(f"[bold green]hotline demo is live[/]: open [bold]{rt.console_url}[/] "
                          f"(users agent{team[0].extension} … agent{team[-1].extension}, team_lead, "
                          f"team_lead_b, supervisor, qa, admin; password [bold]{DEMO_PASSWORD}[/])")
            if humans:
                console.print("Yours (not simulated): " + ", ".join(f"agent{h}" for h in sorted(humans))
                              + " — sign in, log in to the ACD and go ready; the phone answers by itself.")
            console.print("Ctrl-C stops it." if duration is None else f"Stops after {duration:.0f} s.")
            sim_agents = SimulatedAgents(rt.acd, rt.bus, [(a.agent_id, a.extension) for a in simulated],
                                         seed=seed, speed=speed, habits=AgentHabits(),
                                         campaign=demo_outbound.CampaignWrapUps(rt.sessions, rt.acd, rt.bus))
            await sim_agents.start()
            traffic = TrafficGenerator(sim, rate, seed=seed, caller_factory=caller)
            traffic.start()
            stopper = asyncio.create_task(_until_stopped(duration))
            if console.is_terminal:
                with Live(console=console, refresh_per_second=2, transient=False) as live:
                    while not stopper.done():
                        live.update(_dashboard(await rt.acd.snapshot(), time.monotonic() - started,
                                               len(traffic.placed)))
                        await asyncio.wait({stopper}, timeout=0.5)
            else:  # piped or logged: one plain line every 10 s instead of a redrawn table
                while not stopper.done():
                    print(_progress_line(await rt.acd.snapshot(), time.monotonic() - started,
                                         len(traffic.placed)), flush=True)
                    await asyncio.wait({stopper}, timeout=10.0)
        finally:
            if housekeeping is not None:
                housekeeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await housekeeping
            if traffic is not None:
                await traffic.stop()
            if sim_agents is not None:
                await sim_agents.stop()
            await rt.stop()
            await sim.stop()
        # the calls ended by the stop wrote their files last: the budget holds on exit too
        await _totals(settings.database_url, lambda e: _keep_recordings(
            e, settings.recordings_dir, int(recordings_mb * 2**20), time.time()))
        totals = await _totals(settings.database_url, totals_by_queue)
        _print_totals(totals)
        return 0

    raise typer.Exit(asyncio.run(run()))


def _answer_after_first_rona(bus: Any, sim: Any, agent_id: str, endpoint: str) -> None:
    from dataclasses import replace

    from acd.events import AgentStateChanged

    def woke(ev: AgentStateChanged) -> None:
        if ev.agent == agent_id and ev.state == "not_ready" and ev.reason == "RONA":
            sim.add_agent_phone(replace(sim.phones[endpoint], behaviour="answer"))

    bus.subscribe(AgentStateChanged, woke)


DEMO_RETENTION_DAYS = 7
HOUSEKEEPING_EVERY_S = 10.0


async def _keep_recordings(engine: Any, directory: Path, max_bytes: int, now: float) -> list[int]:
    """Retention (7 days for every queue unless a rule exists), then the size budget."""
    from recordings.retention import purge, purge_over_budget, retention_days, set_retention
    from recordings.store import RecordingStore

    if not await retention_days(engine):
        await set_retention(engine, "*", DEMO_RETENTION_DAYS)
    store = RecordingStore(directory)
    aged = await purge(engine, store, now=now)
    over = await purge_over_budget(engine, store, max_bytes, now=now)
    return [*aged.purged, *over.purged]


async def _recordings_housekeeping(rt: Any, max_bytes: int) -> None:
    """Every 10 s while the demo runs: the recordings store within its budget."""
    while True:
        try:
            await _keep_recordings(rt.engine, Path(rt.settings.recordings_dir), max_bytes, rt.clock.now())
        except Exception:  # the demo goes on; the next round tries again
            logging.getLogger("hotline.demo").warning("recordings housekeeping failed", exc_info=True)
        await asyncio.sleep(HOUSEKEEPING_EVERY_S)


async def _totals(url: str, fn: Any) -> list[Any]:
    from hotline.db import make_engine

    engine = make_engine(url)
    try:
        return list(await fn(engine))
    finally:
        await engine.dispose()


def _print_totals(totals: list[Any]) -> None:
    table = Table(title="totals from the call-event log")
    for col in ("queue", "offered", "answered", "abandoned", "other exits"):
        table.add_column(col, justify="right" if col != "queue" else "left")
    sums = [0, 0, 0, 0]
    for t in totals:
        table.add_row(t.queue, str(t.offered), str(t.answered), str(t.abandoned), str(t.other_exits))
        for i, v in enumerate((t.offered, t.answered, t.abandoned, t.other_exits)):
            sums[i] += v
    table.add_row("[bold]all[/]", *(f"[bold]{v}[/]" for v in sums))
    console.print(table)
