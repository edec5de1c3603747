"""NAB's side of a benchmark run: a writable copy of NAB, each file's results in NAB's layout, NAB's own scorer and
threshold optimiser. What scripts/nab.py (this project's detector) and scripts/nab_lookahead.py (CAD OSE) share."""
import csv
import json
import os
import shutil
import subprocess

PROFILES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]


def copy_nab(nab, work):
    """A fresh copy of NAB at work (its results left out but for the null detector's); returns the labelled windows of each
    data file, by its path under data/, each as (start, end) timestamps to the second."""
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(nab, work, ignore=shutil.ignore_patterns("results"))
    shutil.copytree(os.path.join(nab, "results", "null"), os.path.join(work, "results", "null"))
    windows = json.load(open(os.path.join(work, "labels", "combined_windows.json")))
    return {rel: [(a[:19], b[:19]) for a, b in spans] for rel, spans in windows.items()}


def write_results(work, name, rel, rows, spans):
    """Writes detector name's results file for data file rel: rows of (timestamp, value, anomaly_score), each labelled 1
    inside one of its windows."""
    category, fname = rel.split("/")
    out_dir = os.path.join(work, "results", name, category)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, name + "_" + fname), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "value", "anomaly_score", "label"])
        for ts, value, score in rows:
            w.writerow([ts, value, score, int(any(a <= ts[:19] <= b for a, b in spans))])


def score(work, name, python):
    """Runs NAB's threshold optimiser and scorer on detector name's results; returns its normalised score per profile."""
    path = os.path.join(work, "config", "thresholds.json")
    thresholds = json.load(open(path))
    thresholds[name] = {p: {"score": 0, "threshold": 0.5} for p in PROFILES}
    json.dump(thresholds, open(path, "w"), indent=2)
    r = subprocess.run([python, "run.py", "-d", name, "--optimize", "--score", "--normalize", "--skipConfirmation"],
                       cwd=work, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("NAB's scorer failed:\n" + r.stdout[-2000:] + r.stderr[-4000:])
    return json.load(open(os.path.join(work, "results", "final_results.json")))[name]
