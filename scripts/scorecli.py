"""Runs the project's `score` command on one CSV file: what scripts/nab.py and scripts/adbench.py share."""
import subprocess


def score(jar, input_path, columns, out, config=None, settings=(), extra=()):
    """java -jar JAR score --input INPUT --columns COLUMNS --out OUT [extra] [--config CONFIG] [-D KEY=VALUE ...].

    Raises SystemExit naming the input with score's error when it fails.
    """
    cmd = ["java", "-jar", jar, "score", "--input", input_path, "--columns", columns, "--out", out] + list(extra)
    if config:
        cmd += ["--config", config]
    for kv in settings:
        cmd += ["-D", kv]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("score failed on %s: %s" % (input_path, r.stderr))
