"""Playback seek latency: time to the first byte of a seek (``Range: bytes=N-``, what an
``<audio>`` element sends when the QA analyst drags the playhead) in a 1-hour stereo
recording, through the console's ``GET /api/recordings/{id}/audio`` (bearer auth, team
scope, the file resolved inside the store, an audit row per request), against the peer
measured in the same run: Starlette's ``StaticFiles`` serving the same file (Range, no
auth, no audit). Both on uvicorn over loopback, a fresh connection per seek, seeks at
seeded random offsets. Target: p50 and p95 < 50 ms.

    .venv/bin/python bench/qa_playback.py [--seeks 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import uvicorn
from sqlalchemy import insert
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotline.db import make_engine  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from recordings.models import Recording  # noqa: E402
from tests.console.conftest import START, _seed  # noqa: E402
from tests.console.live import free_port, live_server  # noqa: E402

REL = "2027/01/15/hour.wav"
SECONDS = 3600
RATE = 8000


def write_hour(path: Path) -> int:
    """A 1-hour 8 kHz 16-bit stereo WAV of low noise (115 MB), written in 1-minute blocks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    with sf.SoundFile(str(path), "w", RATE, 2, "PCM_16") as f:
        for _ in range(SECONDS // 60):
            f.write(rng.integers(-300, 300, size=(60 * RATE, 2), dtype=np.int16))
    return path.stat().st_size


def first_byte_ms(port: int, target: str, offset: int, headers: dict[str, str]) -> float:
    """Milliseconds from connecting to the first body byte of ``bytes=offset-``."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    req = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes={offset}-\r\n{extra}"
           "Connection: close\r\n\r\n").encode()
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(req)
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError(f"{target}: connection closed before the body: {buf[:200]!r}")
            buf += chunk
            head, sep, body = buf.partition(b"\r\n\r\n")
            if sep:
                if not head.startswith(b"HTTP/1.1 206"):
                    raise RuntimeError(f"{target}: expected 206, got {head.splitlines()[0]!r}")
                if body:
                    return (time.perf_counter() - t0) * 1000


def serve_static(root: Path) -> tuple[uvicorn.Server, int]:
    app = Starlette(routes=[Mount("/files", app=StaticFiles(directory=str(root)))])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the static-file server did not start")
        time.sleep(0.02)
    return server, port


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeks", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, db = Path(tmp) / "rec", Path(tmp) / "hotline.db"
        size = write_hour(root / REL)
        tokens = asyncio.run(_seed(f"sqlite+aiosqlite:///{db}"))

        async def fill() -> None:
            engine = make_engine(f"sqlite+aiosqlite:///{db}")
            async with engine.begin() as conn:
                await conn.execute(insert(Recording).values(
                    id=1, call_id="hour", uniqueid="u1", agent="1001", queue="sales", path=REL,
                    started_at=START, policy="all", duration_s=float(SECONDS), status="ok"))
            await engine.dispose()

        asyncio.run(fill())
        rng = random.Random(7)
        offsets = [rng.randrange(44, size - 65536) for _ in range(args.seeks)]
        peer_server, peer_port = serve_static(root)
        with live_server(db) as live:
            live.app.state.console.settings = Settings(recordings_dir=root)
            port = int(live.url.rsplit(":", 1)[1])
            auth = {"Authorization": f"Bearer {tokens['qa']}"}
            for o in offsets[:5]:  # warm both (imports, first query, page cache)
                first_byte_ms(port, "/api/recordings/1/audio", o, auth)
                first_byte_ms(peer_port, f"/files/{REL}", o, {})
            ours, peer = [], []
            for o in offsets:  # interleaved, so both see the same machine load
                ours.append(first_byte_ms(port, "/api/recordings/1/audio", o, auth))
                peer.append(first_byte_ms(peer_port, f"/files/{REL}", o, {}))
        peer_server.should_exit = True
    print(f"1-hour stereo recording, {size / 1e6:.0f} MB, {args.seeks} seeks at random offsets")
    for name, xs in (("ours  console /api/recordings/{id}/audio", ours), ("peer  Starlette StaticFiles", peer)):
        print(f"{name:42s} first byte p50 {statistics.median(xs):6.2f} ms  p95 {pct(xs, 95):6.2f} ms  "
              f"max {max(xs):6.2f} ms")
    for metric, o, p in (("seek_first_byte_p50_ms", statistics.median(ours), statistics.median(peer)),
                         ("seek_first_byte_p95_ms", pct(ours, 95), pct(peer, 95))):
        print(json.dumps({"bench": "qa_playback", "metric": metric, "ours": round(o, 2), "peer": round(p, 2),
                          "peer_name": "Starlette StaticFiles (Range, no auth/audit)",
                          "ratio": round(o / p, 3), "target": "< 50 ms", "ok": o < 50.0}))


if __name__ == "__main__":
    main()
