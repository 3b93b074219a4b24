"""Predictive against progressive pacing on a simulated dialing day (outbound.simday).

20 agents, a 100,000-record list by default: the issue's 10,000 records are used up in
five to seven hours by both modes (``--records 10000`` shows it), and utilisation over a day
with an exhausted list measures the list, not the pacing. 30 % live-answer rate, 10 % machine, 10 % busy, the rest ring out after 25 s;
talk exponential with mean 90 s, 15 s wrap. The peer is progressive 1:1 dialing (an agent
reserved, then one customer dialed), which is what a VICIdial-style user would otherwise
run; it is measured in the same run with the same callee model and seeds.

Figures: agent talk-time utilisation (talk seconds / agent seconds of the day), abandon
rate (live answers with no agent free / live answers), and the worst abandon rate seen
after any live answer during the day. The cap is 3 %.

This is the pure pacing simulation; the issue's own figure (10,000 records, 4 h) is
bench/dialer.py, and the live path over pbx/sim is tested in tests/acd_service.

    .venv/bin/python bench/outbound.py [--seeds 3] [--hours 8]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outbound.simday import run_day  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--records", type=int, default=100_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    ok = True
    for seed in range(1, args.seeds + 1):
        prog = run_day("progressive", args.agents, args.records, args.hours * 3600.0, seed=seed)
        pred = run_day("predictive", args.agents, args.records, args.hours * 3600.0, seed=seed)
        for r in (prog, pred):
            print(f"seed {seed} {r.mode:11s} dials {r.dials:6d} live {r.live:5d} "
                  f"utilisation {r.utilisation:.3f} abandon {r.abandon_rate:.2%} "
                  f"(worst {r.worst_abandon_rate:.2%}) records left {r.records_left}")
        ratio = pred.utilisation / prog.utilisation
        print(f"seed {seed} predictive / progressive (peer) utilisation: {ratio:.2f}x")
        ok &= pred.worst_abandon_rate <= 0.03
    print(f"abandon cap held on every seed: {ok}; {time.perf_counter() - t0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
