#!/usr/bin/python3
"""NAB, the Numenta Anomaly Benchmark, as a benchmark of this project.

Streams every NAB data file through `java -jar target/online-em.jar score` with one configuration
(the defaults, or --config / -D overrides applied to every file alike), writes NAB's results layout,
runs NAB's own scorer and prints the three profile scores and a per-category table.

Needs: the built jar (mvn -B -q package -DskipTests), a copy of NAB (default ../shared/nab: data,
labels, scorer), Debian's python3-pandas.

  python3 scripts/nab.py                     # the default settings
  python3 scripts/nab.py -D model.features.lags=2 --name lags2
"""
import argparse
import concurrent.futures
import csv
import os
import shutil
import sys

import nabharness
import scorecli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nab", default=os.path.join(ROOT, "..", "shared", "nab"), help="NAB folder (data, labels, scorer)")
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "nab"), help="writable copy of NAB and the results")
    ap.add_argument("--name", default="onlineem", help="detector name in NAB's results (no '_')")
    ap.add_argument("--jar", default=os.path.join(ROOT, "target", "online-em.jar"))
    ap.add_argument("--config", help="the service's properties file, for every file")
    ap.add_argument("-D", action="append", default=[], metavar="KEY=VALUE", help="a setting, for every file")
    ap.add_argument("--score-column", default="anomaly", choices=["anomalyScore", "anomaly"],
                    help="what NAB thresholds: the published anomalyScore (NAB picks the threshold per profile), "
                         "or the service's own anomaly flag (its threshold and alert suppression)")
    ap.add_argument("--keep-scored", action="store_true",
                    help="keep each file's whole `score` output (pValue, anomalyScore, anomaly, ...) under WORK/scored/, "
                         "to try alert rules offline")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--python", default="/usr/bin/python3", help="the Python with pandas that runs NAB's scorer")
    args = ap.parse_args()
    if "_" in args.name:
        sys.exit("--name must not contain '_' (NAB splits file names on it)")
    if not os.path.exists(args.jar):
        sys.exit(args.jar + " is missing: build it with mvn -B -q package -DskipTests")
    work = os.path.abspath(args.work)
    windows = nabharness.copy_nab(args.nab, work)
    files = sorted(windows)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        flagged = list(pool.map(lambda f: run_file(args, work, f, windows[f]), files))
    final = nabharness.score(work, args.name, args.python)
    print("NAB %s (%d files, %d alerts, score column %s, settings: %s)" % (
        args.name, len(files), sum(flagged), args.score_column, " ".join(args.D) or "defaults"))
    for p in nabharness.PROFILES:
        print("  %-20s %6.2f" % (p, final[p]))
    print_categories(work, args.name)


def run_file(args, work, relpath, spans):
    data = os.path.join(work, "data", relpath)
    category, name = relpath.split("/")
    scored = os.path.join(work, "scored_" + category + "_" + name)
    scorecli.score(args.jar, data, "value", scored, args.config, args.D, ["--time-column", "timestamp"])
    with open(scored) as src:
        rows = list(csv.DictReader(src))
    if args.score_column == "anomaly":
        scores = [1.0 if row["anomaly"] == "true" else 0.0 for row in rows]
    else:
        scores = [float(row["anomalyScore"]) if row["anomalyScore"] else 0.0 for row in rows]
    nabharness.write_results(work, args.name, relpath, [(r["timestamp"], r["value"], s) for r, s in zip(rows, scores)], spans)
    if args.keep_scored:
        keep = os.path.join(work, "scored", category)
        os.makedirs(keep, exist_ok=True)
        shutil.move(scored, os.path.join(keep, name))
    else:
        os.remove(scored)
    return sum(row["anomaly"] == "true" for row in rows)


def print_categories(work, name):
    """Per category: the standard profile's raw score, windows detected and false positives (NAB's own per-file table)."""
    path = os.path.join(work, "results", name, name + "_standard_scores.csv")
    cats = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["Detector"] != name:
                continue
            cat = row["File"].split("/")[0]
            c = cats.setdefault(cat, {"files": 0, "score": 0.0, "fp": 0})
            c["files"] += 1
            c["score"] += float(row["Score"])
            c["fp"] += int(float(row["FP"]))
    print("  per category (standard profile, raw NAB score: +1 per window found early, -1 per window missed, -0.11 per false positive):")
    for cat in sorted(cats):
        c = cats[cat]
        print("    %-24s files %2d  raw score %7.2f  false-positive rows %d" % (cat, c["files"], c["score"], c["fp"]))


if __name__ == "__main__":
    main()
