"""The routing core against queueing theory: a discrete-event simulation (reports.desim)
drives the unchanged acd.core.Router through M/M/N single-skill queues at 85-95 % load.

Without patience: the share answered within 20 s and the ASA must match Erlang C (the
theory value inside the simulation's batch-means confidence interval). With exponential
patience: P(abandon), ASA and the 20 s service level against Erlang A.

Each line prints the 95 % interval. Twelve comparisons at 95 % would, by chance alone,
miss about once in two runs, so ``ok`` uses Bonferroni-corrected intervals: family-wise
95 % over all comparisons (each at 1 - 0.05/12 = 99.6 %).

    .venv/bin/python bench/acd_sim.py          # default, well under 2 minutes
    .venv/bin/python bench/acd_sim.py --full   # 4x longer runs, tighter intervals
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.desim import Estimate, SimConfig, simulate  # noqa: E402
from reports.erlang import erlang_a, erlang_c  # noqa: E402

AHT, AGENTS, TARGET_S, PATIENCE = 180.0, 30, 20.0, 120.0


COMPARISONS = 12
FAMILY_CONFIDENCE = 0.95


def line(metric: str, sim: Estimate, theory: float, peer: str) -> bool:
    hw = sim.half_width_at(1 - (1 - FAMILY_CONFIDENCE) / COMPARISONS)
    ok = abs(sim.mean - theory) <= hw
    in95 = "inside 95 %" if sim.contains(theory) else "outside 95 %"
    print(f"  {metric:<28} simulated {sim.mean:9.4f} [{sim.low:9.4f}, {sim.high:9.4f}]   "
          f"{peer} {theory:9.4f}   {in95}; {'ok' if ok else 'FAIL'} (family-wise +-{hw:.3g})")
    print(json.dumps({"bench": "acd_sim", "metric": metric, "ours": round(sim.mean, 5),
                      "peer": round(theory, 5), "peer_name": peer,
                      "ratio": round(sim.mean / theory, 4) if theory else None,
                      "target": f"{peer} within +-{hw:.4g} of the simulated mean "
                                f"(95 % CI {sim.low:.4f}..{sim.high:.4f}; Bonferroni family-wise 95 %)",
                      "ok": ok}))
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="4x longer simulated periods")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    scale = 4 if args.full else 1
    results = []
    t0 = time.perf_counter()
    for load in (0.85, 0.90, 0.95):
        lam = load * AGENTS / AHT
        # Heavier load: longer correlation in the queue, so a longer run for the same CI.
        # The warm-up covers several relaxation times of the queue (about 9,500 s at 95 %).
        duration = scale * {0.85: 800_000, 0.90: 1_600_000, 0.95: 2_400_000}[load]
        cfg = SimConfig(lam, AHT, AGENTS, None, duration, 60_000, TARGET_S, 20, args.seed)
        sim = simulate(cfg)
        th = erlang_c(lam, AHT, AGENTS, TARGET_S)
        print(f"M/M/{AGENTS} at {load:.0%} load, AHT {AHT:g} s: {sim.offered} calls, "
              f"{sim.router_events} router events")
        results.append(line(f"sl20_load{int(load * 100)}", sim.service_level, th.service_level,
                            "Erlang C"))
        results.append(line(f"asa_s_load{int(load * 100)}", sim.asa, th.asa, "Erlang C"))
    for load in (0.90, 1.05):
        lam = load * AGENTS / AHT
        cfg = SimConfig(lam, AHT, AGENTS, PATIENCE, scale * 600_000, 20_000, TARGET_S, 20,
                        args.seed)
        sim = simulate(cfg)
        th_a = erlang_a(lam, AHT, AGENTS, PATIENCE, TARGET_S)
        print(f"M/M/{AGENTS}+M at {load:.0%} load, mean patience {PATIENCE:g} s: "
              f"{sim.offered} calls, {sim.abandoned} abandoned")
        results.append(line(f"p_abandon_load{int(load * 100)}", sim.p_abandon, th_a.p_abandon,
                            "Erlang A"))
        results.append(line(f"asa_s_patience_load{int(load * 100)}", sim.asa, th_a.asa,
                            "Erlang A"))
        results.append(line(f"sl20_patience_load{int(load * 100)}", sim.service_level,
                            th_a.service_level, "Erlang A"))
    assert len(results) == COMPARISONS
    print(f"{sum(results)}/{len(results)} comparisons ok (family-wise 95 %), "
          f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
