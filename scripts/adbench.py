#!/usr/bin/python3
"""i.i.d. anomaly ranking on ADBench's classical sets, as a benchmark of this project's default settings.

Each set (`X` the points, `y` 1 for an anomaly, in an `.npz`) is streamed in a seeded random order
(numpy `default_rng(1).permutation`) through `java -jar target/online-em.jar score` with the service's
defaults and model.k=2 (or --config / -D overrides, applied to every set alike). The ROC-AUC of the
published anomalyScore (and of -logDensity) on the rows after a 200-point warm-up is printed beside
scikit-learn's GaussianMixture(2, covariance_type="full", reg_covar=1e-6, random_state=0) fitted on all of
each set (ADBench's transductive protocol), computed here. With --causal, a second reference that a stream can
reach: the same GaussianMixture(2) refitted on every prefix seen so far (at rows 200, 250, then every 25% more rows),
each fit scoring the rows up to the next refit, so that no point is scored by a fit that has seen it or anything after it.

Needs: the built jar (mvn -B -q package -DskipTests), the sets (ADBench, BSD-2: github Minqi824/ADBench,
adbench/datasets/Classical; --data DIR), Debian's python3-sklearn.

  python3 scripts/adbench.py --data DIR
  python3 scripts/adbench.py --data DIR -D model.half.life=0
  python3 scripts/adbench.py --data DIR --causal
"""
import argparse
import concurrent.futures
import csv
import os
import sys
import warnings

import scorecli

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # the causal reference's first fits, on few rows

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARMUP = 200


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "anomaly", "adbench"),
                    help="folder of ADBench .npz sets")
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "adbench"))
    ap.add_argument("--jar", default=os.path.join(ROOT, "target", "online-em.jar"))
    ap.add_argument("--config", help="the service's properties file, for every set")
    ap.add_argument("-D", action="append", default=[], metavar="KEY=VALUE", help="a setting, for every set")
    ap.add_argument("--no-sklearn", action="store_true", help="skip the scikit-learn reference (faster)")
    ap.add_argument("--causal", action="store_true",
                    help="also the causal reference: scikit-learn refitted on each prefix, scoring the rows after it")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    if not os.path.exists(args.jar):
        sys.exit(args.jar + " is missing: build it with mvn -B -q package -DskipTests")
    if not os.path.isdir(args.data):
        sys.exit("no ADBench sets at " + args.data + ": give --data DIR (the .npz files of ADBench's "
                 "adbench/datasets/Classical)")
    os.makedirs(args.work, exist_ok=True)
    sets = sorted(f for f in os.listdir(args.data) if f.endswith(".npz"))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda f: run_set(args, f), sets))
    print("ADBench (%d sets, K=2, settings: %s)" % (len(rows), ", ".join(args.D) or "defaults"))
    print("%-22s %8s %10s %12s %8s%s" % ("set", "rows", "score AUC", "-logDensity", "sklearn", " causal" if args.causal else ""))
    for name, n, auc, dens, ref, causal in rows:
        print("%-22s %8d %10.3f %12.3f %8s%s" % (name, n, auc, dens, "-" if ref is None else "%.3f" % ref,
                                                 "" if causal is None else " %6.3f" % causal))
    mean = np.mean([r[2] for r in rows])
    dmean = np.mean([r[3] for r in rows])
    line = "mean                            %10.3f %12.3f" % (mean, dmean)
    if not args.no_sklearn:
        rmean = np.mean([r[4] for r in rows])
        worst = min(r[2] - r[4] for r in rows)
        line += " %8.3f" % rmean
    if args.causal:
        line += " %6.3f" % np.mean([r[5] for r in rows])
    if not args.no_sklearn:
        line += "   (worst set against sklearn: %+.3f)" % worst
    print(line)


def run_set(args, fname):
    name = fname[:-4]
    d = np.load(os.path.join(args.data, fname), allow_pickle=True)
    x, y = d["X"].astype(float), d["y"].astype(int)
    order = np.random.default_rng(1).permutation(len(x))
    x, y = x[order], y[order]
    cols = ["c%d" % j for j in range(x.shape[1])]
    path = os.path.join(args.work, name + ".csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for row in x:
            w.writerow(["%r" % v for v in row])
    out = os.path.join(args.work, name + "-scores.csv")
    scorecli.score(args.jar, path, ",".join(cols), out, args.config, ["model.k=2"] + list(args.D))
    score = np.zeros(len(x))
    dens = np.zeros(len(x))
    with open(out) as f:
        for i, row in enumerate(csv.DictReader(f)):
            score[i] = float(row["anomalyScore"]) if row["anomalyScore"] else 0.0
            dens[i] = -float(row["logDensity"]) if row["logDensity"] else 0.0
    auc = roc_auc_score(y[WARMUP:], score[WARMUP:])
    dauc = roc_auc_score(y[WARMUP:], dens[WARMUP:])
    ref = None
    if not args.no_sklearn:
        gm = GaussianMixture(2, covariance_type="full", reg_covar=1e-6, random_state=0).fit(x)
        ref = roc_auc_score(y[WARMUP:], -gm.score_samples(x[WARMUP:]))
    causal = roc_auc_score(y[WARMUP:], causal_scores(x)[WARMUP:]) if args.causal else None
    return name, len(x), auc, dauc, ref, causal


def causal_scores(x):
    """-log density of each row after the warm-up under scikit-learn's fit of the rows before it (refitted at rows 200, 250,
    then every 25% more rows)."""
    s = np.zeros(len(x))
    a = WARMUP
    while a < len(x):
        b = min(len(x), max(a + 50, int(a * 1.25)))
        gm = GaussianMixture(2, covariance_type="full", reg_covar=1e-6, random_state=0).fit(x[:a])
        s[a:b] = -gm.score_samples(x[a:b])
        a = b
    return s


if __name__ == "__main__":
    main()
