"""Benchmark: `ccdoctor --offline` wall time against two baselines measured in the same run.

Baselines: the bare interpreter (`python -c pass`) and a process that imports everything ccdoctor
could need eagerly (boto3, google-auth, httpx, typer, tabulate and every ccdoctor module). Prints
medians over several runs and the ratios; run with `make bench` or `python bench/offline.py`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.runtime import runtime_python  # noqa: E402

TARGET_SECONDS = 0.12
"""Issue 17's bar for this machine class (2 shared cores)."""

EAGER_IMPORTS = """
import boto3, botocore.session, google.auth, google.oauth2.service_account
import cryptography.x509, httpx, typer, tabulate
import pkgutil, importlib, ccdoctor.checks
for m in pkgutil.walk_packages(ccdoctor.__path__, 'ccdoctor.'):
    importlib.import_module(m.name)
"""


def wall_times(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    subprocess.run(command, env=env, capture_output=True, check=False)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {
            "HOME": home,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        python = runtime_python()
        cases = {
            "python -c pass": [python, "-c", "pass"],
            "eager imports": [python, "-c", EAGER_IMPORTS],
            "ccdoctor --offline": [
                python,
                "-m",
                "ccdoctor",
                "--offline",
                "--managed-settings",
                os.path.join(home, "none.json"),
            ],
        }
        medians = {
            name: statistics.median(wall_times(command, env, args.runs))
            for name, command in cases.items()
        }
    offline = medians["ccdoctor --offline"]
    print(f"median of {args.runs} runs on {os.cpu_count()} cores")
    for name, seconds in medians.items():
        print(f"  {name:<20} {seconds * 1000:8.1f} ms")
    print(f"ratio offline / python -c pass: {offline / medians['python -c pass']:.1f}x")
    print(f"ratio offline / eager imports:  {offline / medians['eager imports']:.2f}x")
    verdict = "meets" if offline <= TARGET_SECONDS else "MISSES"
    print(f"target offline <= {TARGET_SECONDS:.2f} s: {verdict} ({offline:.3f} s)")


if __name__ == "__main__":
    main()
