#!/usr/bin/python3
"""Alert rules tried offline on NAB, from the `score` outputs that `scripts/nab.py --keep-scored` keeps.

The service's flag is re-derived from each row's anomalyScore (p = 10^(-3A / (1 - A)); flag when p < alpha and no flag
in the last `suppress` points), which reproduces the service's own flags exactly; a rule then adds or removes flags,
and NAB's scorer scores the result. Each rule takes about 20 s, with no streaming again.

  python3 scripts/nab.py --keep-scored                      # once: streams NAB, keeps target/nab/scored/
  python3 scripts/nab_rules.py                              # the service's flag (62.17 on 2026-12-07)
  python3 scripts/nab_rules.py --range 0.05                 # + the range rule (64.40)
  python3 scripts/nab_rules.py --range 0.05 --record 1000 0.03
  python3 scripts/nab_rules.py --budget 2000 0.5

Rules (any combination):
  --range TOL [--range-from N] [--range-window W]   flag a value beyond the range of the values seen so far (the last W
                                                     only, if given) by more than TOL times that range, from row N on
  --record N ALPHA2                                  also flag p < ALPHA2 when p is the smallest of the last N rows
  --budget W C                                       alpha / (1 + C x the flags of the last W rows)
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]


def p_value(score):
    """The combined tail probability behind an anomalyScore A = D / (D + 3), D = -log10 p; None where there is none."""
    if score == "":
        return None
    a = float(score)
    if a >= 1:
        return 0.0
    return 10 ** (-3 * a / (1 - a))


def flags(rows, args):
    out = []
    last = -10 ** 9
    recent = collections.deque()  # the flags of the last budget window
    pmins = collections.deque()   # (row, p), increasing p: the smallest p of the last N rows at the front
    maxes = collections.deque()
    mins = collections.deque()
    for i, row in enumerate(rows):
        p = p_value(row["anomalyScore"])
        v = float(row["value"])
        alpha = args.alpha
        if args.budget:
            w, c = args.budget
            while recent and recent[0] < i - w:
                recent.popleft()
            alpha = alpha / (1 + c * len(recent))
        surprising = p is not None and p < alpha
        if args.record:
            n, alpha2 = args.record
            while pmins and pmins[0][0] < i - n:
                pmins.popleft()
            if p is not None and i > n and pmins and p < alpha2 and p < pmins[0][1]:
                surprising = True
        if args.range is not None:
            window = args.range_window
            if window:
                while maxes and maxes[0][0] < i - window:
                    maxes.popleft()
                while mins and mins[0][0] < i - window:
                    mins.popleft()
            if i >= args.range_from and maxes:
                hi, lo = maxes[0][1], mins[0][1]
                span = hi - lo
                if span > 0 and (v > hi + args.range * span or v < lo - args.range * span):
                    surprising = True
            while maxes and maxes[-1][1] <= v:
                maxes.pop()
            maxes.append((i, v))
            while mins and mins[-1][1] >= v:
                mins.pop()
            mins.append((i, v))
        if p is not None and args.record:
            while pmins and pmins[-1][1] >= p:
                pmins.pop()
            pmins.append((i, p))
        flagged = surprising and i - last > args.suppress
        if flagged:
            last = i
            recent.append(i)
        out.append(flagged)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "nab"), help="scripts/nab.py's --work, run with --keep-scored")
    ap.add_argument("--name", default="rules", help="detector name in NAB's results (no '_')")
    ap.add_argument("--alpha", type=float, default=0.004)
    ap.add_argument("--suppress", type=int, default=100)
    ap.add_argument("--range", type=float, metavar="TOL")
    ap.add_argument("--range-from", type=int, default=200, metavar="N")
    ap.add_argument("--range-window", type=int, default=0, metavar="W")
    ap.add_argument("--record", type=float, nargs=2, metavar=("N", "ALPHA2"))
    ap.add_argument("--budget", type=float, nargs=2, metavar=("W", "C"))
    ap.add_argument("--python", default="/usr/bin/python3", help="the Python with pandas that runs NAB's scorer")
    args = ap.parse_args()
    if "_" in args.name:
        sys.exit("--name must not contain '_' (NAB splits file names on it)")
    scored = os.path.join(args.work, "scored")
    if not os.path.isdir(scored):
        sys.exit(scored + " is missing: run python3 scripts/nab.py --keep-scored first")
    windows = json.load(open(os.path.join(args.work, "labels", "combined_windows.json")))
    total = 0
    for rel in sorted(windows):
        category, name = rel.split("/")
        rows = list(csv.DictReader(open(os.path.join(scored, category, name))))
        marks = flags(rows, args)
        total += sum(marks)
        spans = [(a[:19], b[:19]) for a, b in windows[rel]]
        out_dir = os.path.join(args.work, "results", args.name, category)
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, args.name + "_" + name), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["timestamp", "value", "anomaly_score", "label"])
            for row, flagged in zip(rows, marks):
                ts = row["timestamp"][:19]
                w.writerow([row["timestamp"], row["value"], 1.0 if flagged else 0.0, int(any(a <= ts <= b for a, b in spans))])
    thresholds_path = os.path.join(args.work, "config", "thresholds.json")
    thresholds = json.load(open(thresholds_path))
    thresholds[args.name] = {p: {"score": 0, "threshold": 0.5} for p in PROFILES}
    json.dump(thresholds, open(thresholds_path, "w"), indent=2)
    r = subprocess.run([args.python, "run.py", "-d", args.name, "--optimize", "--score", "--normalize", "--skipConfirmation"],
                       cwd=args.work, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("NAB's scorer failed:\n" + r.stdout[-2000:] + r.stderr[-4000:])
    final = json.load(open(os.path.join(args.work, "results", "final_results.json")))[args.name]
    print("NAB %s (%d alerts; %s)" % (args.name, total, " ".join(sys.argv[1:]) or "the service's flag"))
    for p in PROFILES:
        print("  %-20s %6.2f" % (p, final[p]))


if __name__ == "__main__":
    main()
