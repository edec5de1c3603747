"""Real returns: the online Student-t HMM against the Gaussian HMM and one t fitted in hindsight.

For each CSV file of returns (or, with --levels, of prices: the returns are then 100 times the log differences), runs
`java -jar target/online-em.jar score --model hmm --k 2` with Gaussian and with Student-t emissions and the service's
settings (a warm-up of --warmup points, 250 by default), and reports each one's prequential mean log-density: the mean
of `logDensity` over the points after the warm-up, each scored before it is learned. The reference is the single t
fitted by maximum likelihood to every return of the file (scipy.stats.t.fit), scored on the same points: it knows the
whole series in advance.

    /usr/bin/python3 scripts/returns.py src/test/resources/data/MASS__SP500.csv
    /usr/bin/python3 scripts/returns.py --levels src/test/resources/data/AER__NYSESW.csv src/test/resources/data/AER__DJIA8012.csv

Needs: the built jar (mvn -B -q package -DskipTests), NumPy and SciPy (Debian's python3-scipy).
"""
import argparse
import csv
import math
import os
import sys
import tempfile

import numpy as np
from scipy import stats

import scorecli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_column(path, column, levels):
    """The file's returns: its last (or the named) column, as returns or as levels turned into 100 x log returns."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    j = header.index(column) if column else len(header) - 1
    values = np.array([float(r[j]) for r in rows[1:] if r[j] not in ("", "NA")])
    return 100 * np.diff(np.log(values)) if levels else values


def prequential(jar, returns, warmup, distribution, settings):
    """The mean log-density of the points after the warm-up, as `score` published it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "returns.csv")
        out = os.path.join(tmp, "scored.csv")
        np.savetxt(path, returns, header="r", comments="", fmt="%.17g")
        scorecli.score(jar, path, "r", out, None,
                       ["model.init.points=%d" % warmup] + list(settings),
                       ["--model", "hmm", "--k", "2", "--distribution", distribution])
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
    scored = [float(r["logDensity"]) for r in rows if r["regime"] != ""]
    return sum(scored) / len(scored), len(scored)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--levels", action="store_true", help="the column holds prices: use 100 x their log differences")
    ap.add_argument("--column", help="the column to read (default: the last)")
    ap.add_argument("--warmup", type=int, default=250)
    ap.add_argument("--jar", default=os.path.join(ROOT, "target", "online-em.jar"))
    ap.add_argument("-D", action="append", default=[], metavar="KEY=VALUE", help="a model setting for both runs")
    args = ap.parse_args()
    if not os.path.exists(args.jar):
        sys.exit(args.jar + " is missing: build it with mvn -B -q package -DskipTests")
    print("%-28s %6s %10s %10s %10s  %s" % ("series", "scored", "t HMM", "Gauss HMM", "t, all", "t HMM above both"))
    for path in args.files:
        r = read_column(path, args.column, args.levels)
        t_hmm, n = prequential(args.jar, r, args.warmup, "student-t", args.D)
        g_hmm, _ = prequential(args.jar, r, args.warmup, "gaussian", args.D)
        df, loc, scale = stats.t.fit(r)
        hindsight = float(np.mean(stats.t.logpdf(r[args.warmup:], df, loc, scale)))
        verdict = "yes" if t_hmm > g_hmm and t_hmm > hindsight else "no"
        print("%-28s %6d %10.4f %10.4f %10.4f  %s" % (os.path.basename(path)[:28], n, t_hmm, g_hmm, hindsight, verdict))
        if not all(math.isfinite(v) for v in (t_hmm, g_hmm, hindsight)):
            sys.exit("a figure is not finite")


if __name__ == "__main__":
    main()
