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

    .venv/bin/python bench/dialer.py [--seeds 5] [--hours 4] [--frontier] [--sensitivity]

Measured (5 seeds, the rule of ``outbound.pacing``: a line ahead only while its abandon
chance is <= 6 %, the 30-day cap as feedback and hard brake): predictive 0.751 against
progressive 0.557 talk utilisation, 1.35x (the previous rule: 1.30x), worst abandon 2.62 %;
the target 1.5x is not met. 1.5x needs at most 2.8 s of agent wait per connected call;
predictive waits about 15 s. ``--frontier`` runs the rule without the cap: 1.38x at 3.4 %
abandons, 1.42x at 8 %, 1.45x at 17 %, 1.48x at 33 % (3.8 s wait): the answers spread
over 4-15 s after the dial, against a 2 s connect window, cannot be timed to the agents.

``--sensitivity`` runs both modes, capped, on other workloads (3 seeds each): the ratio is a
property of the workload more than of the pacer. Measured: at 90 s talk and 15 s wrap-up,
1.34x with unanswered lines ringing out after 25 s (the default here; VICIdial's is 26 s,
industry practice 25-30 s), 1.39x at 30 s, 1.50x at 40 s; at 60 s talk and 40 s 1.61x;
at 180 s talk the ceiling itself is 1.29x (25 s) to 1.44x (40 s), below the target
whatever the pacer does. Predictive's worst abandon rate stays <= 2.8 % on every workload.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
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
    ap.add_argument("--frontier", action="store_true",
                    help="also run the rule without the cap at several prices (slow)")
    ap.add_argument("--sensitivity", action="store_true",
                    help="also run both modes on other talk, wrap-up and ring-out times")
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
                  f"(worst {r.worst_abandon_rate:.2%}) agent wait per call "
                  f"{r.wait_per_call(callees.wrap_s):.1f} s records left {r.records_left}")
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
    need = callees.talk_mean_s / (TARGET_RATIO * peer) - callees.talk_mean_s - callees.wrap_s
    print(f"{TARGET_RATIO}x needs at most {need:.1f} s of agent wait per connected call")
    if args.frontier:
        # the rule without the cap (cap 0.99, the price theta fixed): how far utilisation
        # goes at any abandon rate on this callee model; not a result, a ceiling check
        for theta in (0.02, 0.05, 0.1, 0.2, 0.4):
            rs = [run_day("predictive", args.agents, 10 * args.records, args.hours * 3600.0,
                          callees=callees, seed=seed, cap=0.99, theta=theta)
                  for seed in range(1, args.seeds + 1)]
            u = statistics.median(r.utilisation for r in rs)
            print(f"frontier (no cap, theta {theta:.2f}, list x10): utilisation {u:.3f} = "
                  f"{u / peer:.3f}x progressive, abandon "
                  f"{statistics.median(r.abandon_rate for r in rs):.2%}, agent wait per call "
                  f"{statistics.median(r.wait_per_call(callees.wrap_s) for r in rs):.1f} s")
    if args.sensitivity:
        sensitivity(args, callees)
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


def sensitivity(args: argparse.Namespace, base: Callees) -> None:
    """Both modes, capped, on other workloads: mean talk, wrap-up and the ring-out time of
    unanswered lines (industry practice 25-30 s; the regulators' floor 15 s)."""
    for talk in (60.0, 90.0, 180.0):
        for wrap in (15.0, 30.0):
            for ring_out in (25.0, 30.0, 40.0):
                c = replace(base, talk_mean_s=talk, wrap_s=wrap, no_answer_s=ring_out)
                prog, pred, worst = [], [], 0.0
                for seed in range(1, 4):
                    prog.append(run_day("progressive", args.agents, args.records,
                                        args.hours * 3600.0, callees=c, seed=seed,
                                        cap=CAP).utilisation)
                    r = run_day("predictive", args.agents, args.records, args.hours * 3600.0,
                                callees=c, seed=seed, cap=CAP)
                    pred.append(r.utilisation)
                    worst = max(worst, r.worst_abandon_rate)
                p, q = statistics.median(prog), statistics.median(pred)
                print(f"sensitivity: talk {talk:3.0f} s wrap-up {wrap:2.0f} s ring-out "
                      f"{ring_out:2.0f} s: progressive {p:.3f} predictive {q:.3f} = "
                      f"{q / p:.3f}x (worst abandon {worst:.2%}; ceiling "
                      f"{talk / (talk + wrap) / p:.2f}x)")


if __name__ == "__main__":
    sys.exit(main())
