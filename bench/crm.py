"""CRM benchmark: customer import rate and phone-lookup latency.

Generates N customers (default 200,000; ``--full`` for 1,000,000) as a CSV in memory and
imports them through the real import path (decode, validate, normalise, region, duplicate
check, batched executemany). Then looks up random callers in mixed formats
(13800138000, +86 138 ..., 0086..., 010-..., (020)..., sip:...) with ``find_by_phone``.

Peers, measured in the same run on the same table:
- lookup: what a developer writes: ``phonenumbers`` to E.164, then an equality query on
  the indexed column (the naive ``LIKE '%digits%'`` scan is printed beside it);
- import: the same parsing, then two ``executemany`` INSERTs with explicit ids (one INSERT
  per row, the naive way, is printed beside it).

    .venv/bin/python bench/crm.py [--full] [--rows N] [--url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import phonenumbers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from crm.csvio import import_customers, parse_customers  # noqa: E402
from crm.lookup import find_by_phone  # noqa: E402
from crm.phones import info_e164  # noqa: E402
from hotline.app.migrate import upgrade  # noqa: E402
from hotline.db import make_engine, make_sessionmaker  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏宇浩凯晨欣怡梓涵子轩安娜"
MOBILE_PREFIXES = ["138", "139", "136", "135", "150", "151", "152", "158", "159", "186", "187",
                   "188", "177", "180", "189", "199", "133", "153", "131", "132", "155", "185"]
AREA = ["10", "20", "21", "755", "571", "28", "27", "25", "29", "23"]


def number_of(i: int) -> str:
    """Customer i's number, national format: mostly mobiles, every 10th a landline."""
    if i % 10 == 9:
        area = AREA[i % len(AREA)]
        return f"0{area}{(20_000_000 + i) % 100_000_000:08d}"
    prefix = MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]
    return f"{prefix}{(i * 7919) % 100_000_000:08d}"


def mixed_format(national: str, rng: random.Random) -> str:
    """The same number as a caller id might present it."""
    if national.startswith("0"):  # landline 0AA(A)NNNNNNNN
        area_len = 2 if national[1] in "12" else 3
        area, local = national[1:1 + area_len], national[1 + area_len:]
        forms = [national, f"0{area}-{local}", f"(0{area}){local}", f"+86 {area} {local[:4]} {local[4:]}",
                 f"0086{area}{local}", f"86{area}{local}"]
    else:
        forms = [national, f"+86{national}", f"0086{national}", f"86 {national[:3]} {national[3:7]} {national[7:]}",
                 f"0{national}", f"sip:+86{national}@trunk"]
    return rng.choice(forms)


def make_csv(n: int, rng: random.Random, start: int = 0) -> bytes:
    lines = ["name,phones,segment,vip_level,tags\n"]
    for i in range(start, start + n):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
        lines.append(f"{name},{number_of(i)},{'gold' if i % 50 == 0 else ''},{i % 4},\n")
    return "".join(lines).encode("utf-8")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def run(args: argparse.Namespace) -> list[dict[str, object]]:
    rng = random.Random(42)
    tmp = tempfile.TemporaryDirectory(prefix="hotline-bench-crm-")
    url = args.url or f"sqlite+aiosqlite:///{tmp.name}/crm.db"
    engine = make_engine(url)
    if url.startswith("postgresql"):
        async with engine.begin() as conn:  # a throw-away database: see --url
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    maker = make_sessionmaker(engine)
    n = args.rows
    print(f"database: {engine.dialect.name}; customers: {n:,} ({'--full' if args.full else 'default size; --full for 1,000,000'})")

    data = make_csv(n, rng)
    t0 = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 5 or done == total:
            last[0] = now
            print(f"  imported {done:,}/{total:,} ({done / (now - t0):,.0f} rows/s)", flush=True)

    async with maker() as s:
        report = await import_customers(s, data, actor="bench", now=time.time(), batch_size=5000,
                                        progress=progress)
    import_s = time.perf_counter() - t0
    assert report.imported == n, report.errors[:5]
    ours_rate = n / import_s
    print(f"import (ours, batched executemany): {ours_rate:,.0f} rows/s ({import_s:.1f} s)")

    # Peer import: other rows (numbers after ours), the same parsing and validation, then
    # what a developer writes without our import path: explicit ids and two executemany
    # statements (customers, then phones) in one transaction; rolled back afterwards.
    sample = min(50_000, n)
    peer_csv = make_csv(sample, random.Random(7), start=n)
    t0 = time.perf_counter()
    _, good, _ = parse_customers(peer_csv)
    async with maker() as s:
        first = int((await s.execute(text("SELECT coalesce(max(id), 0) FROM crm_customers"))).scalar_one()) + 1
        customers, phone_rows = [], []
        for k, (_, c) in enumerate(good):
            cid = first + k
            customers.append({"id": cid, "n": c.name, "s": c.segment, "v": c.vip_level})
            for e in c.phones:
                i = info_e164(e)
                phone_rows.append({"c": cid, "e": e, "k": i.kind, "co": i.country, "rz": i.region_zh,
                                   "re": i.region_en})
        await s.execute(text(
            "INSERT INTO crm_customers (id, name, segment, vip_level, tags, blacklisted, created_at,"
            " updated_at) VALUES (:id, :n, :s, :v, '[]', false, 0, 0)"), customers)
        await s.execute(text(
            "INSERT INTO crm_phones (customer_id, e164, kind, country, region_zh, region_en)"
            " VALUES (:c, :e, :k, :co, :rz, :re)"), phone_rows)
        peer_rate = sample / (time.perf_counter() - t0)
        await s.rollback()
    # The naive one, on a few rows: one INSERT statement per customer and per phone.
    naive_n = min(2000, n)
    naive_csv = make_csv(naive_n, random.Random(8), start=n + sample)
    t0 = time.perf_counter()
    _, good, _ = parse_customers(naive_csv)
    async with maker() as s:
        for _, c in good:
            cid = (await s.execute(text(
                "INSERT INTO crm_customers (name, segment, vip_level, tags, blacklisted, created_at,"
                " updated_at) VALUES (:n, :s, :v, '[]', false, 0, 0) RETURNING id"),
                {"n": c.name, "s": c.segment, "v": c.vip_level})).scalar_one()
            for e in c.phones:
                i = info_e164(e)
                await s.execute(text(
                    "INSERT INTO crm_phones (customer_id, e164, kind, country, region_zh, region_en)"
                    " VALUES (:c, :e, :k, :co, :rz, :re)"),
                    {"c": cid, "e": e, "k": i.kind, "co": i.country, "rz": i.region_zh, "re": i.region_en})
        naive_rate = naive_n / (time.perf_counter() - t0)
        await s.rollback()

    # The import's data is garbage now; collect it so lookups measure lookups, not that.
    del data, report, good
    gc.collect()

    # Lookups in mixed formats: ours (normalise + indexed equality) vs LIKE scan.
    targets = [rng.randrange(n) for _ in range(args.lookups)]
    queries = [mixed_format(number_of(i), rng) for i in targets]
    lat: list[float] = []
    async with maker() as s:
        for q in queries[:200]:  # warm-up
            await find_by_phone(s, q)
        for q in queries:
            t = time.perf_counter()
            found = await find_by_phone(s, q)
            lat.append((time.perf_counter() - t) * 1000)
            if found is None:
                raise SystemExit(f"lookup of {q!r} found nobody: the benchmark data is wrong")
        # Peer: what a developer writes: phonenumbers to E.164, then the indexed column.
        peer_lat: list[float] = []
        by_e164 = text("SELECT c.id, c.name FROM crm_phones p JOIN crm_customers c ON c.id = p.customer_id "
                       "WHERE p.e164 = :e LIMIT 1")
        for q in queries:
            t = time.perf_counter()
            raw = q.split(":", 1)[1].split("@", 1)[0] if q.startswith("sip:") else q
            try:
                num = phonenumbers.parse(raw, "CN")
            except phonenumbers.NumberParseException:
                num = None
            e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) if num else raw
            row = (await s.execute(by_e164, {"e": e164})).first()
            peer_lat.append((time.perf_counter() - t) * 1000)
            del row  # a trunk-prefixed mobile it cannot parse is a miss: counted, not fatal
        naive_lat: list[float] = []
        like = text("SELECT c.id, c.name FROM crm_phones p JOIN crm_customers c ON c.id = p.customer_id "
                    "WHERE p.e164 LIKE :pat LIMIT 1")
        for q in queries[: args.peer_lookups]:
            digits = re.sub(r"\D", "", q).lstrip("0")
            digits = digits[2:] if digits.startswith("86") and len(digits) > 11 else digits
            t = time.perf_counter()
            row = (await s.execute(like, {"pat": f"%{digits}%"})).first()
            naive_lat.append((time.perf_counter() - t) * 1000)
            if row is None:
                raise SystemExit(f"LIKE scan found nobody for {q!r}")
    ours_p99, peer_p99 = pct(lat, 99), pct(peer_lat, 99)
    print(f"lookup (ours, normalise + indexed =): p50 {statistics.median(lat):.3f} ms, p99 {ours_p99:.3f} ms "
          f"over {len(lat):,} lookups")
    print(f"lookup (peer, phonenumbers + indexed =): p50 {statistics.median(peer_lat):.3f} ms, "
          f"p99 {peer_p99:.3f} ms over {len(peer_lat):,} lookups")
    print(f"lookup (naive, LIKE '%digits%' scan):   p50 {statistics.median(naive_lat):.1f} ms, "
          f"p99 {pct(naive_lat, 99):.1f} ms over {len(naive_lat):,} lookups")
    print(f"import (peer, executemany with explicit ids): {peer_rate:,.0f} rows/s over {sample:,} rows")
    print(f"import (naive, one INSERT per row):           {naive_rate:,.0f} rows/s over {naive_n:,} rows")
    await engine.dispose()
    tmp.cleanup()
    return [
        {"bench": "crm", "metric": "phone_lookup_p99_ms", "ours": round(ours_p99, 4),
         "peer": round(peer_p99, 3), "peer_name": "phonenumbers E.164 + indexed equality, plain SQL",
         "naive_like_scan": round(pct(naive_lat, 99), 3),
         "ratio": round(ours_p99 / peer_p99, 5), "target": f"< 5 ms on {n:,} customers",
         "ok": ours_p99 < 5.0},
        {"bench": "crm", "metric": "import_rows_per_s", "ours": round(ours_rate),
         "peer": round(peer_rate), "peer_name": "executemany with explicit ids (same parsing)",
         "naive_row_at_a_time": round(naive_rate),
         "ratio": round(ours_rate / peer_rate, 3), "target": "as fast as a plain executemany",
         "ok": ours_rate >= 0.8 * peer_rate},
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="1,000,000 customers (several minutes)")
    ap.add_argument("--rows", type=int, default=None, help="number of customers (default 200,000)")
    ap.add_argument("--lookups", type=int, default=10_000)
    ap.add_argument("--peer-lookups", type=int, default=100, help="LIKE scans are slow; how many")
    ap.add_argument("--url", default=None, help="database URL (default: a temporary SQLite file); "
                    "a PostgreSQL database given here is WIPED (schema public dropped)")
    args = ap.parse_args()
    args.rows = args.rows or (1_000_000 if args.full else 200_000)
    for line in asyncio.run(run(args)):
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
