#!/usr/bin/env python3
"""fit against scikit-learn, whole process against whole process, on the same CSV file.

Generates (once, seeded) a training file of N rows x 5 columns drawn from a 3-component Gaussian mixture
with full covariances, and a held-out file from the same mixture. Then, alternating, runs

  ours:     java -jar target/online-em.jar fit --input train.csv --k 3 [--batch --restarts S]
  sklearn:  python3 (pandas.read_csv + GaussianMixture(3, n_init=S).fit + score on held-out)

each under /usr/bin/time (wall seconds, peak resident memory), and scores both final models on the held-out
file (mean log-likelihood per row; ours from the JSON the fit prints). Prints one line per run and the
medians. Needs Debian's python3-sklearn and python3-pandas (use /usr/bin/python3).

    /usr/bin/python3 scripts/fit-vs-sklearn.py                       # one pass against GaussianMixture(3)
    /usr/bin/python3 scripts/fit-vs-sklearn.py --batch --starts 1    # fit --batch against the same number of starts
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np


def generate(path, heldout_path, rows, heldout, seed):
    rng = np.random.default_rng(seed)
    d, k = 5, 3
    weights = np.array([0.5, 0.3, 0.2])
    means = rng.normal(0, 3, size=(k, d))
    covs = []
    for _ in range(k):
        a = rng.normal(0, 1, size=(d, d))
        covs.append(a @ a.T / d + 0.3 * np.eye(d))
    for p, n in ((path, rows), (heldout_path, heldout)):
        z = rng.choice(k, size=n, p=weights)
        x = np.empty((n, d))
        for c in range(k):
            idx = np.where(z == c)[0]
            x[idx] = rng.multivariate_normal(means[c], covs[c], size=len(idx))
        with open(p, "w") as f:
            f.write("a,b,c,d,e\n")
            np.savetxt(f, x, fmt="%.6f", delimiter=",")


def heldout_ll(model, x):
    """Mean log-likelihood per row of x under the model JSON (weights, means, covariances in data units)."""
    w = np.array(model["weights"])
    logs = []
    for c in range(len(w)):
        mu = np.array(model["means"][c])
        cov = np.array(model["covariances"][c])
        l = np.linalg.cholesky(cov)
        diff = np.linalg.solve(l, (x - mu).T)
        maha = (diff * diff).sum(axis=0)
        logdet = 2 * np.log(np.diag(l)).sum()
        logs.append(np.log(w[c]) - 0.5 * (x.shape[1] * np.log(2 * np.pi) + logdet + maha))
    a = np.vstack(logs)
    m = a.max(axis=0)
    return float(np.mean(m + np.log(np.exp(a - m).sum(axis=0))))


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, wall seconds, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("failed: " + " ".join(cmd) + "\n" + p.stderr[-4000:])
        wall, kb = open(t.name).read().split()[-2:]
        return p.stdout, float(wall), int(kb) / 1024


SKLEARN_WORKER = r"""
import sys, json, pandas as pd
from sklearn.mixture import GaussianMixture
train, heldout, starts = sys.argv[1], sys.argv[2], int(sys.argv[3])
x = pd.read_csv(train).to_numpy()
g = GaussianMixture(3, n_init=starts, random_state=0).fit(x)
h = pd.read_csv(heldout).to_numpy()
print(json.dumps({"heldout": g.score(h), "iterations": int(g.n_iter_), "converged": bool(g.converged_)}))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--heldout", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jar", default="target/online-em.jar")
    ap.add_argument("--java", default="java")
    ap.add_argument("--dir", default="target/fit-bench")
    ap.add_argument("--batch", action="store_true", help="fit --batch against GaussianMixture with the same number of starts")
    ap.add_argument("--starts", type=int, default=1, help="starts of both with --batch (default 1, scikit-learn's n_init default)")
    ap.add_argument("--fit-args", default="", help="extra arguments for our fit, e.g. '--alpha 0.6'")
    a = ap.parse_args()

    os.makedirs(a.dir, exist_ok=True)
    train = os.path.join(a.dir, "train-%d.csv" % a.rows)
    held = os.path.join(a.dir, "heldout-%d.csv" % a.heldout)
    if not (os.path.exists(train) and os.path.exists(held)):
        print("generating %s and %s ..." % (train, held), flush=True)
        generate(train, held, a.rows, a.heldout, a.seed)
    x_held = np.loadtxt(held, delimiter=",", skiprows=1)
    print("%s: %.1f MB, %d rows x 5; held-out %d rows" % (train, os.path.getsize(train) / 1e6, a.rows, a.heldout), flush=True)

    ours_cmd = [a.java, "-jar", a.jar, "fit", "--input", train, "--k", "3"] + a.fit_args.split()
    starts = 1
    if a.batch:
        starts = a.starts
        ours_cmd += ["--batch", "--restarts", str(starts)]
    sk_cmd = [sys.executable, "-c", SKLEARN_WORKER, train, held, str(starts)]

    results = {"ours": [], "sklearn": []}
    for run in range(a.runs):
        out, wall, mb = timed(ours_cmd)
        model = json.loads(out[out.index("{"):])
        ll = heldout_ll(model, x_held)
        results["ours"].append((wall, mb, ll))
        extra = (" iterations %s" % model.get("iterations")) if "iterations" in model else ""
        print("run %d ours:    %6.2f s  %7.1f MB  held-out %.6f%s" % (run + 1, wall, mb, ll, extra), flush=True)
        out, wall, mb = timed(sk_cmd)
        r = json.loads(out)
        results["sklearn"].append((wall, mb, r["heldout"]))
        print("run %d sklearn: %6.2f s  %7.1f MB  held-out %.6f iterations %d converged %s"
              % (run + 1, wall, mb, r["heldout"], r["iterations"], r["converged"]), flush=True)

    med = {n: [statistics.median(v[i] for v in rs) for i in range(3)] for n, rs in results.items()}
    o, s = med["ours"], med["sklearn"]
    print("median ours:    %.2f s, %.1f MB peak, held-out %.6f" % tuple(o))
    print("median sklearn: %.2f s, %.1f MB peak, held-out %.6f" % tuple(s))
    print("speed-up %.2fx, memory %.2fx, held-out gap %.4f%%" % (s[0] / o[0], o[1] / s[1], 100 * (s[2] - o[2]) / abs(s[2])))


if __name__ == "__main__":
    main()
