"""Predictive against progressive dialing: 20 agents, a 10,000-record list, 30 % of dials
answered by a person (issue 13's bench).

The simulation is ``outbound.simday`` (discrete events, seeded, no sockets): the same pacer
objects the campaign runner uses, against callees answering live with 30 %, by machine
with 10 % (detected and hung up), busy with 10 %, the rest ringing out after 25 s; answer
delays uniform 4-15 s; talk exponential with mean 90 s, 15 s wrap-up. A person who answers
is an abandon when no agent takes the call within 2 s (the regulators' definition). It is
not the full stack over ``pbx/sim``: the live path is tested end to end there
(tests/acd_service/test_outbound_campaign.py), a day of it would take the shared CPUs hours.

The peer is **progressive** 1:1 dialing (an agent reserved first, then one customer), the
mode a team runs without a predictive dialer, measured in the same run on the same seeds
and callee model. The shift is 4 h, so neither mode runs out of the 10,000 records (the
records left are printed): utilisation over an exhausted list would measure the list.

Figures: agent talk-time utilisation (talk seconds / agent seconds), abandon rate
(abandons / live answers) and its worst value after any answer during the shift, and the
ceiling: talk / (talk + wrap-up), which no pacing can pass (agents never idle); ceiling /
progressive is the largest ratio any pacer could reach on this callee model.

    .venv/bin/python bench/dialer.py [--seeds 5] [--hours 4]

Measured (5 seeds): predictive 0.727 against progressive 0.557 talk utilisation, 1.30x, worst
abandon 2.56 %; the target 1.5x is not met. The ceiling is 1.54x, reached only if agents
never waited between calls, which a 3 % cap on 20 agents does not allow; pacing without any
cap peaked near 1.4x at 15 % abandons on this model (the abandoned contacts are lost).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outbound.simday import Callees, run_day  # noqa: E402

TARGET_RATIO = 1.5
CAP = 0.03


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--hours", type=float, default=4.0)
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--records", type=int, default=10_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    callees = Callees()
    ratios, preds, progs, worst, abandon = [], [], [], [], []
    for seed in range(1, args.seeds + 1):
        prog = run_day("progressive", args.agents, args.records, args.hours * 3600.0,
                       callees=callees, seed=seed, cap=CAP)
        pred = run_day("predictive", args.agents, args.records, args.hours * 3600.0,
                       callees=callees, seed=seed, cap=CAP)
        for r in (prog, pred):
            print(f"seed {seed} {r.mode:11s} dials {r.dials:6d} live {r.live:5d} "
                  f"utilisation {r.utilisation:.3f} abandon {r.abandon_rate:.2%} "
                  f"(worst {r.worst_abandon_rate:.2%}) records left {r.records_left}")
        ratios.append(pred.utilisation / prog.utilisation)
        preds.append(pred.utilisation)
        progs.append(prog.utilisation)
        worst.append(pred.worst_abandon_rate)
        abandon.append(pred.abandon_rate)
        print(f"seed {seed} predictive / progressive utilisation: {ratios[-1]:.3f}x")
    ceiling = callees.talk_mean_s / (callees.talk_mean_s + callees.wrap_s)
    ours, peer = statistics.median(preds), statistics.median(progs)
    ratio = ours / peer
    print(f"median utilisation: predictive {ours:.3f}, progressive {peer:.3f} -> {ratio:.3f}x; "
          f"worst abandon on any seed {max(worst):.2%}; ceiling {ceiling:.3f} "
          f"(= {ceiling / peer:.2f}x progressive); {time.perf_counter() - t0:.1f} s")
    ok = ratio >= TARGET_RATIO and max(worst) <= CAP
    print(json.dumps({"bench": "dialer", "metric": "talk_utilisation", "ours": round(ours, 4),
                      "peer": round(peer, 4), "peer_name": "progressive 1:1 (agent reserved first)",
                      "ratio": round(ratio, 3),
                      "target": f">= {TARGET_RATIO}x progressive with abandon <= {CAP:.0%}",
                      "ceiling_ratio": round(ceiling / peer, 3), "ok": ok}))
    print(json.dumps({"bench": "dialer", "metric": "worst_abandon_rate",
                      "ours": round(max(worst), 4), "peer": 0.0,
                      "peer_name": "progressive 1:1 (cannot abandon)",
                      "ratio": None, "target": f"<= {CAP}", "ok": max(worst) <= CAP}))
    # exit 1 only if the cap broke (a pacing bug); a ratio short of the target is the
    # "ok": false above, so `make bench` still runs the benches after this one
    return 0 if max(worst) <= CAP else 1


if __name__ == "__main__":
    sys.exit(main())
