"""Reports benchmark: a month of calls in the call-event log, the month's interval KPI
table and a daily lost-call report, against pandas over the exported rows.

Traffic comes from the simulator's traffic model (:mod:`reports.desim`, the real router):
per day and queue a non-homogeneous Poisson day (:data:`PROFILE`, a two-peak weekday),
exponential talk and patience, a fixed staff, so peaks lose calls. Each simulated call is
written as the rows the running system writes (CHAN_START, IVR_NODE, IVR_EXIT,
ENTERQUEUE, CONNECT / ABANDON, COMPLETECALLER, WRAPUP, HANGUP, CALL_END), callers drawn
from a pool so that some call again. Default: 30 days x 20,000 calls = 600,000 calls.

Measured:

* **ours, month table** — :func:`reports.kpi.kpi_table` for the 30 days, per 15-minute
  interval and queue, from ``report_call_facts`` (one SQL GROUP BY);
* **ours, facts rebuild** — :func:`reports.facts.rebuild` of the 30 days from the log:
  what the nightly job pays once per day (reported per day and for the month);
* **ours, daily lost report** — :func:`reports.lost.daily` for one day;
* **peer, pandas over the exported rows** — what an analyst does: read the month's
  ``call_events`` rows into a DataFrame, derive each call's start / queue / answered /
  abandoned / waits / talk / wrap with ``groupby``, then the same 15-minute x queue table
  (offered, answered, abandoned, answered within 20 s, ASA, AHT). Its counts are checked
  equal to ours, cell by cell, before any figure is printed;
* **peer, pandas over the facts** — the aggregation step alone on the exported facts.

    .venv/bin/python bench/reports.py                    # SQLite, 600,000 calls
    .venv/bin/python bench/reports.py --pg               # a throw-away PostgreSQL cluster
    .venv/bin/python bench/reports.py --days 2 --calls-per-day 500   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from acd.core import QueueConfig  # noqa: E402
from hotline.app.migrate import upgrade  # noqa: E402
from hotline.db import CallEvent, make_engine  # noqa: E402
from reports import facts, kpi, lost  # noqa: E402
from reports.desim import SimConfig, simulate  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
# Arrivals per local hour relative to the day's mean (a weekday with 10h and 15h peaks).
PROFILE = (0.15, 0.1, 0.08, 0.06, 0.06, 0.1, 0.3, 0.7, 1.4, 2.0, 2.3, 2.0, 1.4, 1.5, 1.9,
           2.1, 1.8, 1.4, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2)
_M = sum(PROFILE) / 24
PROFILE = tuple(p / _M for p in PROFILE)
QUEUES = (("support", 0.7), ("sales", 0.3))
AHT, PATIENCE, THRESHOLD = 240.0, 120.0, 20.0
FIRST_DAY = dt.date(2026, 11, 2)


def day_rows(day: dt.date, calls: int, seed: int, pool: list[str]) -> Iterator[dict[str, Any]]:
    """The call-event rows of one simulated day."""
    midnight = dt.datetime.combine(day, dt.time(), TZ).timestamp()
    rng = random.Random(seed)
    for qi, (queue, share) in enumerate(QUEUES):
        rate = calls * share / 86400
        # staff for the mean load plus a margin: the peaks (2.3 x mean) lose calls
        agents = max(2, round(rate * AHT * 1.9))
        rows: list[dict[str, Any]] = []

        def journal(cid: str, kind: str, at: float, agent: str | None, data: dict[str, float],
                    queue: str = queue, rows: list[dict[str, Any]] = rows) -> None:
            rows.append({"cid": cid, "kind": kind, "at": at, "agent": agent, "data": data})
        simulate(SimConfig(arrival_rate=rate, aht=AHT, agents=agents, patience=PATIENCE,
                           duration_s=86400.0, warmup_s=0.0, batches=2, seed=seed * 10 + qi,
                           profile=PROFILE, queue=QueueConfig(
                               "sim", skills=("sim",), ring_timeout_s=1e9)),
                 journal=journal)
        for a in range(agents):
            yield ev(midnight + 1, "NONE", "ADDMEMBER", queue, f"{queue}-a{a}", {})
        callers: dict[str, str] = {}
        for r in rows:
            cid = f"{day:%m%d}-{queue}-{r['cid']}"
            t = midnight + r["at"]
            agent = f"{queue}-{r['agent']}" if r["agent"] else None
            if r["kind"] == "ENTERQUEUE":
                num = callers.setdefault(cid, pool[rng.randrange(len(pool))])
                ch = f"PJSIP/trunk-{cid}"
                t_in = max(midnight, t - 20)  # the call starts on its day, IVR before the queue
                yield ev(t_in, cid, "CHAN_START", None, None, {"channel": ch, "caller": num})
                yield ev(max(t_in, t - 18), cid, "IVR_NODE", None, None, {"node": "main"})
                yield ev(t - 0.5, cid, "IVR_EXIT", queue, None, {"node": "main", "to": "queue"})
                yield ev(t, cid, "ENTERQUEUE", queue, None, {"callerid": num, "position": 1})
            elif r["kind"] == "CONNECT":
                yield ev(t, cid, "CONNECT", queue, agent, {"holdtime": int(r["data"]["holdtime"])})
            elif r["kind"] == "COMPLETECALLER":
                talk = r["data"]["calltime"]
                yield ev(t, cid, "COMPLETECALLER", queue, agent,
                         {"holdtime": int(r["data"]["holdtime"]), "calltime": int(talk), "hold_s": 0.0})
                yield ev(t + 30, cid, "WRAPUP", queue, agent, {"disposition": "solved"})
                yield ev(t, cid, "HANGUP", None, None, {"cause": 16})
                yield ev(t, cid, "CALL_END", None, None, {"cause": 16})
            elif r["kind"] == "ABANDON":
                yield ev(t, cid, "ABANDON", queue, None, {"waittime": int(r["data"]["waittime"])})
                yield ev(t, cid, "HANGUP", None, None, {"cause": 16})
                yield ev(t, cid, "CALL_END", None, None, {"cause": 16})


def ev(ts: float, cid: str, kind: str, queue: str | None, agent: str | None,
       data: dict[str, Any]) -> dict[str, Any]:
    return {"ts": ts, "call_id": cid, "kind": kind, "uniqueid": None, "linkedid": None,
            "queue": queue, "agent": agent, "data": data}


async def load_month(engine: AsyncEngine, days: list[dt.date], calls: int) -> tuple[int, int]:
    rng = random.Random(7)
    pool = [f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" for _ in range(max(100, calls * 5))]
    n_rows = 0
    for i, d in enumerate(days):
        batch: list[dict[str, Any]] = []
        for row in day_rows(d, calls, 1000 + i, pool):
            batch.append(row)
            if len(batch) >= 20_000:
                async with engine.begin() as conn:
                    await conn.execute(insert(CallEvent), batch)
                n_rows += len(batch)
                batch = []
        if batch:
            async with engine.begin() as conn:
                await conn.execute(insert(CallEvent), batch)
            n_rows += len(batch)
        print(f"  generated {d}: {n_rows:,} rows so far", file=sys.stderr, flush=True)
    async with engine.connect() as conn:
        n_calls = (await conn.execute(text(
            "SELECT count(DISTINCT call_id) FROM call_events WHERE call_id <> 'NONE'"))).scalar_one()
    return int(n_calls), n_rows


# --- the peer ---------------------------------------------------------------------------

async def export_rows(engine: AsyncEngine, since: float, until: float) -> pd.DataFrame:
    async with engine.connect() as conn:
        res = await conn.execute(select(CallEvent.call_id, CallEvent.ts, CallEvent.kind,
                                        CallEvent.queue, CallEvent.data)
                                 .where(CallEvent.ts >= since, CallEvent.ts < until + 86400))
        df = pd.DataFrame(res.all(), columns=["call_id", "ts", "kind", "queue", "data"])
    return df


def pandas_table(df: pd.DataFrame, since: float, until: float) -> pd.DataFrame:
    """The 15-minute x queue table from raw rows, as an analyst writes it."""
    df = df[df.call_id != "NONE"]
    first = df.groupby("call_id").ts.min().rename("start")
    first = first[(first >= since) & (first < until)]
    d = df[df.call_id.isin(first.index)]
    get = d.data.map
    d = d.assign(holdtime=get(lambda x: x.get("holdtime")), waittime=get(lambda x: x.get("waittime")),
                 calltime=get(lambda x: x.get("calltime")))
    enter = d[d.kind == "ENTERQUEUE"].groupby("call_id").agg(queue=("queue", "first"))
    conn = d[d.kind == "CONNECT"].groupby("call_id").agg(wait=("holdtime", "first"))
    comp = d[d.kind == "COMPLETECALLER"].groupby("call_id").agg(talk=("calltime", "sum"),
                                                               end=("ts", "max"))
    wrap = d[d.kind == "WRAPUP"].groupby("call_id").agg(wrapped=("ts", "max"))
    ab = d[d.kind == "ABANDON"].groupby("call_id").agg(abwait=("waittime", "last"))
    calls = enter.join(first).join(conn).join(comp).join(wrap).join(ab)
    calls["answered"] = calls.wait.notna()
    calls["abandoned"] = ~calls.answered & calls.abwait.notna()
    calls["within"] = calls.answered & (calls.wait <= THRESHOLD)
    calls["wrap"] = (calls.wrapped - calls.end).clip(lower=0).fillna(0)
    local = pd.to_datetime(calls.start, unit="s", utc=True).dt.tz_convert(str(TZ))
    calls["period"] = local.dt.floor("15min").dt.strftime("%Y-%m-%d %H:%M")
    calls["handle"] = calls.talk.fillna(0) + calls.wrap
    g = calls.groupby(["period", "queue"])
    out = pd.DataFrame({"offered": g.size(), "answered": g.answered.sum(),
                        "abandoned": g.abandoned.sum(), "within": g.within.sum(),
                        "wait_sum": g.wait.sum(), "handle_sum": g.handle.sum()})
    out["sl"] = out.within / out.offered
    out["asa"] = out.wait_sum / out.answered
    out["aht"] = out.handle_sum / out.answered
    return out


async def export_facts(engine: AsyncEngine, days: list[str]) -> pd.DataFrame:
    f = facts.CallFactRow
    async with engine.connect() as conn:
        res = await conn.execute(select(f.local_day, f.local_minute, f.queue, f.fate, f.entered,
                                        f.wait, f.talk, f.hold, f.wrap).where(f.local_day.in_(days)))
        return pd.DataFrame(res.all(), columns=["local_day", "local_minute", "queue", "fate",
                                                "entered", "wait", "talk", "hold", "wrap"])


def pandas_facts_table(fx: pd.DataFrame) -> pd.DataFrame:
    fx = fx[fx.entered.notna()].copy()
    fx["period"] = fx.local_day + " " + (fx.local_minute // 15 * 15).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
    fx["answered"] = fx.fate == "answered"
    fx["abandoned"] = fx.fate.isin(sorted(facts.ABANDON_FATES))
    fx["within"] = fx.answered & (fx.wait <= THRESHOLD)
    g = fx.groupby(["period", "queue"])
    return pd.DataFrame({"offered": g.size(), "answered": g.answered.sum(),
                         "abandoned": g.abandoned.sum(), "within": g.within.sum()})


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    pg_bin = next((b for b in bins if (b / "initdb").exists()), None)
    if pg_bin is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-pg-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*run_as, str(pg_bin / "initdb"), "-D", str(tmp / "data"), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    proc = subprocess.Popen([*run_as, str(pg_bin / "postgres"), "-D", str(tmp / "data"), "-p",
                             str(port), "-k", str(tmp), "-h", "127.0.0.1", "-c", "fsync=off",
                             "-c", "shared_buffers=256MB", "-c", "work_mem=64MB"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            if subprocess.run([*run_as, str(pg_bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


async def run(url: str, n_days: int, calls: int) -> dict[str, Any]:
    engine = make_engine(url)
    await upgrade(engine)
    days = [FIRST_DAY + dt.timedelta(days=i) for i in range(n_days)]
    day_names = [d.isoformat() for d in days]
    t0 = time.perf_counter()
    async with engine.connect() as conn:
        have = (await conn.execute(text("SELECT count(*) FROM call_events"))).scalar_one()
    if have:  # --db with a month already in it: measure on that
        async with engine.connect() as conn:
            n_calls = int((await conn.execute(text(
                "SELECT count(DISTINCT call_id) FROM call_events WHERE call_id <> 'NONE'"))).scalar_one())
        n_rows = int(have)
    else:
        n_calls, n_rows = await load_month(engine, days, calls)
    gen_s = time.perf_counter() - t0
    since, _ = facts.day_bounds(days[0], TZ)
    _, until = facts.day_bounds(days[-1], TZ)

    t0 = time.perf_counter()
    built = 0
    for d in days:
        built += await facts.rebuild(engine, *facts.day_bounds(d, TZ), TZ)
    rebuild_s = time.perf_counter() - t0
    assert built == n_calls, (built, n_calls)

    t0 = time.perf_counter()
    rows = await kpi.kpi_table(engine, day_names, period="15", by="queue",
                               default_threshold=THRESHOLD)
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rep = await lost.daily(engine, day_names[len(days) // 2], TZ)
    lost_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    df = await export_rows(engine, since, until)
    export_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    peer = pandas_table(df, since, until)
    peer_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fx = await export_facts(engine, day_names)
    peer_facts = pandas_facts_table(fx)
    peer_facts_s = time.perf_counter() - t0
    await engine.dispose()

    mine = {(r.period, r.key): r.counts for r in rows}
    for (period, queue), p in peer.iterrows():
        c = mine[(period, queue)]
        got = (c.offered, c.answered, c.abandoned, c.answered_within)
        want = (int(p.offered), int(p.answered), int(p.abandoned), int(p.within))
        assert got == want, (period, queue, got, want)
    assert len(peer) == len([k for k, c in mine.items() if c.offered]) == len(peer_facts)
    return {"url": url.split("://")[0], "calls": n_calls, "rows": n_rows, "days": n_days,
            "generate_s": gen_s, "rebuild_s": rebuild_s, "ours_month_s": ours_s, "lost_day_s": lost_s,
            "peer_export_s": export_s, "peer_compute_s": peer_s, "peer_facts_s": peer_facts_s,
            "cells": len(peer), "lost_day": (rep.totals.calls, rep.totals.lost, rep.peaks)}


def report(r: dict[str, Any]) -> None:
    peer = r["peer_export_s"] + r["peer_compute_s"]
    print(f"\n{r['url']}: {r['calls']:,} calls, {r['rows']:,} event rows over {r['days']} days "
          f"(generated in {r['generate_s']:.0f} s); {r['cells']:,} interval x queue cells, "
          "counts equal to the peer's cell by cell")
    print(f"  ours  month KPI table (15 min x queue, from facts)   {r['ours_month_s']:8.2f} s")
    print(f"  peer  pandas over the exported event rows            {peer:8.2f} s "
          f"(read {r['peer_export_s']:.2f} + compute {r['peer_compute_s']:.2f})  "
          f"ours is {peer / r['ours_month_s']:.1f}x faster")
    print(f"  peer  pandas over the exported facts                 {r['peer_facts_s']:8.2f} s")
    print(f"  ours  facts rebuild from the log (nightly, per day)  {r['rebuild_s'] / r['days']:8.2f} s "
          f"({r['rebuild_s']:.1f} s for all {r['days']} days)")
    calls, lost_n, peaks = r["lost_day"]
    print(f"  ours  daily lost-call report, one day                {r['lost_day_s']:8.2f} s "
          f"({calls:,} calls, {lost_n:,} lost, peaks at {peaks})")
    print(f"  target: month table < 5 s and faster than the peer: "
          f"{'met' if r['ours_month_s'] < 5 and r['ours_month_s'] < peer else 'NOT met'}")


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--calls-per-day", type=int, default=20_000)
    ap.add_argument("--url", help="a database URL (default: a fresh SQLite file)")
    ap.add_argument("--db", type=Path, help="keep the SQLite file here (reused if it has the month)")
    ap.add_argument("--pg", action="store_true", help="also run on a throw-away PostgreSQL cluster")
    ap.add_argument("--pg-only", action="store_true", help="only the PostgreSQL run")
    args = ap.parse_args(argv)
    results = []
    if not args.pg_only:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.url or f"sqlite+aiosqlite:///{args.db or Path(tmp) / 'bench.db'}"
            results.append(asyncio.run(run(url, args.days, args.calls_per_day)))
            report(results[-1])
    if args.pg or args.pg_only:
        with throwaway_postgres() as pg:
            results.append(asyncio.run(run(pg, args.days, args.calls_per_day)))
            report(results[-1])
    return results


if __name__ == "__main__":
    main()
