"""Benchmark: time to verdict on the live route, and peak memory, against baselines measured in
the same run.

- a full live run against the project's fake Anthropic API adding 300 ms to every request,
  against the latency of one probe (probes run concurrently, so about one latency is expected);
- a run against a blackholed endpoint (accepts, never answers), against the run's deadline;
- `ccdoctor --offline`, against `python -c pass`;
- peak resident memory of the full live run.

Run with `make bench` or `python bench/live.py`; prints medians over several runs.
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
from tests.peers.blackhole import SilentListener  # noqa: E402
from tests.peers.fake_anthropic import DEFAULT_API_KEY, Behaviour, FakeAnthropic  # noqa: E402

LATENCY = 0.3
TIMEOUT = 2.0
DEADLINE = 4.0
TARGETS = {
    "offline": 0.12,
    "live_over_latency": 0.25,
    "blackhole_over_deadline": 0.5,
    "peak_rss_mb": 120.0,
}


def run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def median_run(command: list[str], env: dict[str, str], runs: int) -> float:
    run(command, env)  # warm the file cache
    return statistics.median(run(command, env) for _ in range(runs))


def peak_rss_mb(command: list[str], env: dict[str, str]) -> float:
    """Peak RSS of one child, measured in a fresh process so earlier children do not count."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, capture_output=True, text=True, check=True
    )
    return int(completed.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = runtime_python()
    with tempfile.TemporaryDirectory() as home:
        base_env = {
            "HOME": home,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        ccdoctor = [
            python,
            "-m",
            "ccdoctor",
            "--managed-settings",
            f"{home}/none.json",
            "--timeout",
            str(TIMEOUT),
            "--deadline",
            str(DEADLINE),
        ]
        figures: dict[str, float] = {}
        figures["python -c pass"] = median_run([python, "-c", "pass"], base_env, args.runs)
        figures["offline"] = median_run([*ccdoctor, "--offline"], base_env, args.runs)
        with FakeAnthropic(Behaviour(latency=LATENCY)) as fake:
            live_env = {
                **base_env,
                "ANTHROPIC_BASE_URL": fake.url,
                "ANTHROPIC_API_KEY": DEFAULT_API_KEY,
            }
            figures["live (300 ms/probe)"] = median_run(ccdoctor, live_env, args.runs)
            rss = peak_rss_mb(ccdoctor, live_env)
        with SilentListener() as silent:
            hole_env = {
                **base_env,
                "ANTHROPIC_BASE_URL": silent.url,
                "ANTHROPIC_API_KEY": DEFAULT_API_KEY,
            }
            figures["blackhole"] = median_run(ccdoctor, hole_env, max(3, args.runs // 2))

    print(
        f"median of {args.runs} runs on {os.cpu_count()} cores (timeout {TIMEOUT:g} s, "
        f"deadline {DEADLINE:g} s)"
    )
    for name, seconds in figures.items():
        print(f"  {name:<22} {seconds * 1000:8.1f} ms")
    print(f"  {'peak RSS (live run)':<22} {rss:8.1f} MB")
    live_over = figures["live (300 ms/probe)"] - LATENCY
    hole_over = figures["blackhole"] - DEADLINE
    print("ratios and targets:")
    print(
        f"  offline / python -c pass:   {figures['offline'] / figures['python -c pass']:.1f}x"
        f"  (offline {figures['offline']:.3f} s, target <= {TARGETS['offline']} s)"
    )
    print(
        f"  live / one probe latency:   {figures['live (300 ms/probe)'] / LATENCY:.2f}x"
        f"  (over by {live_over:.3f} s, target <= {TARGETS['live_over_latency']} s)"
    )
    print(
        f"  blackhole / deadline:       {figures['blackhole'] / DEADLINE:.2f}x"
        f"  (over by {hole_over:.3f} s, target <= {TARGETS['blackhole_over_deadline']} s)"
    )
    print(f"  peak RSS:                   {rss:.1f} MB (target <= {TARGETS['peak_rss_mb']} MB)")


if __name__ == "__main__":
    main()
