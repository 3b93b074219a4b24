"""bench/dialer.py runs end to end at a small size and ends with its JSON lines (the
figures themselves are not tested here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dialer.py"


def test_the_dialer_bench_prints_ours_against_the_progressive_peer() -> None:
    out = subprocess.run([sys.executable, str(BENCH), "--seeds", "1", "--hours", "0.5",
                          "--records", "2000"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    util = next(x for x in lines if x["metric"] == "talk_utilisation")
    assert util["peer_name"].startswith("progressive") and util["peer"] > 0
    assert util["ratio"] == round(util["ours"] / util["peer"], 3) or abs(
        util["ratio"] - util["ours"] / util["peer"]) < 1e-3
    assert next(x for x in lines if x["metric"] == "worst_abandon_rate")["ours"] <= 0.03
