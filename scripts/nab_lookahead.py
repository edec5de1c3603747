#!/usr/bin/python3
"""How much of a NAB score comes from knowing each file's range before its first row.

NAB's detector base class hands every detector `inputMin` and `inputMax`, the minimum and maximum of the whole data
file, before the first row. The leaders use them: CAD OSE bins values over that range, Numenta HTM sets its encoder's
resolution from it, ARTime is started with both (and the file's length). This project's detector reads nothing ahead.

This script runs CAD OSE (Contextual Anomaly Detector, Open Source Edition; NAB's own copy, MIT licence, in
scripts/nab-lookahead/) on the 58 files three ways and scores each with NAB's scorer and threshold optimiser:

  global     the file's minimum and maximum, as in NAB (reproduces the published 69.9)
  probation  the minimum and maximum of the file's probationary period (its first 15%, which NAB does not score);
             later values are clamped to that range
  running    the minimum and maximum of the rows so far, the current one included (the bins widen as the range does)

  python3 scripts/nab_lookahead.py                 # all three, about a minute each on 2 cores
  python3 scripts/nab_lookahead.py --modes global

Needs Debian's python3-pandas and a copy of NAB (default ../shared/nab).
"""
import argparse
import csv
import math
import multiprocessing
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "nab-lookahead"))
from cad_ose import ContextualAnomalyDetectorOSE  # noqa: E402
import nabharness  # noqa: E402


def probation(n):
    """NAB's probationary period: 15% of the rows, at most 750 (nab/util.py's getProbationPeriod)."""
    return min(math.floor(0.15 * n), 0.15 * 5000)


def cad_scores(values, mode):
    prob = probation(len(values))
    if mode == "global":
        lo, hi = min(values), max(values)
    else:
        lo, hi = min(values[:int(prob)]), max(values[:int(prob)])
    cad = ContextualAnomalyDetectorOSE(minValue=lo, maxValue=hi, restPeriod=prob / 5.0)  # as NAB's ContextOSEDetector
    out = []
    run_lo = run_hi = values[0]
    for v in values:
        if mode == "running":
            run_lo, run_hi = min(run_lo, v), max(run_hi, v)
            cad.minValue = run_lo
            cad.fullValueRange = (run_hi - run_lo) or cad.maxBinValue
            cad.minValueStep = cad.fullValueRange / cad.maxBinValue
        elif mode == "probation":
            v = min(max(v, lo), hi)
        out.append(cad.getAnomalyScore({"value": v}))
    return out


def run_file(job):
    work, name, mode, rel, spans = job
    rows = list(csv.DictReader(open(os.path.join(work, "data", rel))))
    scores = cad_scores([float(r["value"]) for r in rows], mode)
    nabharness.write_results(work, name, rel, [(r["timestamp"], r["value"], s) for r, s in zip(rows, scores)], spans)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nab", default=os.path.join(ROOT, "..", "shared", "nab"))
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "nab-lookahead"))
    ap.add_argument("--modes", nargs="+", default=["global", "probation", "running"],
                    choices=["global", "probation", "running"])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--python", default="/usr/bin/python3", help="the Python with pandas that runs NAB's scorer")
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    windows = nabharness.copy_nab(args.nab, work)
    for mode in args.modes:
        name = "cad" + mode
        jobs = [(work, name, mode, rel, windows[rel]) for rel in sorted(windows)]
        with multiprocessing.Pool(args.jobs) as pool:
            pool.map(run_file, jobs)
        final = nabharness.score(work, name, args.python)
        print("CAD OSE, range %-9s  standard %6.2f  low FP %6.2f  low FN %6.2f" % (
            mode, final["standard"], final["reward_low_FP_rate"], final["reward_low_FN_rate"]))


if __name__ == "__main__":
    main()
