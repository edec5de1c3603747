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
import json
import os
import shutil
import subprocess
import sys

import scorecli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]


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
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(args.nab, work, ignore=shutil.ignore_patterns("results"))
    os.makedirs(os.path.join(work, "results"))
    shutil.copytree(os.path.join(args.nab, "results", "null"), os.path.join(work, "results", "null"))
    windows = json.load(open(os.path.join(work, "labels", "combined_windows.json")))
    files = sorted(windows)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        flagged = list(pool.map(lambda f: run_file(args, work, f, windows[f]), files))
    thresholds_path = os.path.join(work, "config", "thresholds.json")
    thresholds = json.load(open(thresholds_path))
    thresholds[args.name] = {p: {"score": 0, "threshold": 0.5} for p in PROFILES}
    json.dump(thresholds, open(thresholds_path, "w"), indent=2)
    r = subprocess.run([args.python, "run.py", "-d", args.name, "--optimize", "--score", "--normalize",
                        "--skipConfirmation"], cwd=work, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("NAB's scorer failed:\n" + r.stdout[-2000:] + r.stderr[-4000:])
    final = json.load(open(os.path.join(work, "results", "final_results.json")))[args.name]
    print("NAB %s (%d files, %d alerts, score column %s, settings: %s)" % (
        args.name, len(files), sum(flagged), args.score_column, " ".join(args.D) or "defaults"))
    for p in PROFILES:
        print("  %-20s %6.2f" % (p, final[p]))
    print_categories(work, args.name)


def run_file(args, work, relpath, file_windows):
    data = os.path.join(work, "data", relpath)
    category, name = relpath.split("/")
    out_dir = os.path.join(work, "results", args.name, category)
    os.makedirs(out_dir, exist_ok=True)
    scored = os.path.join(out_dir, "scored_" + name.replace("_", "-"))
    scorecli.score(args.jar, data, "value", scored, args.config, args.D, ["--time-column", "timestamp"])
    starts_ends = [(a[:19], b[:19]) for a, b in file_windows]
    flagged = 0
    with open(scored) as src, open(os.path.join(out_dir, args.name + "_" + name), "w", newline="") as dst:
        rows = csv.DictReader(src)
        w = csv.writer(dst)
        w.writerow(["timestamp", "value", "anomaly_score", "label"])
        for row in rows:
            ts = row["timestamp"][:19]
            label = int(any(a <= ts <= b for a, b in starts_ends))
            if args.score_column == "anomaly":
                score = 1.0 if row["anomaly"] == "true" else 0.0
            else:
                score = float(row["anomalyScore"]) if row["anomalyScore"] else 0.0
            flagged += row["anomaly"] == "true"
            w.writerow([row["timestamp"], row["value"], score, label])
    if args.keep_scored:
        keep = os.path.join(work, "scored", category)
        os.makedirs(keep, exist_ok=True)
        shutil.move(scored, os.path.join(keep, name))
    else:
        os.remove(scored)
    return flagged


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
