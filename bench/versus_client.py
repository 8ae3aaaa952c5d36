"""Benchmark: ccdoctor's full live verdict against the real client's own `claude -p "say hi"`,
on the same fake set-ups.

The set-ups are the conformance tier's scenarios (fixtures/scenarios/), healthy and failing, on
every route (Anthropic API or gateway, Bedrock, Vertex), run by each pinned client version
(tests/peers/claude_versions.txt) and by ccdoctor (live, with the interpreter of a user's
install: bench/runtime.py) exactly as tests/conformance/report.py runs them. Per set-up it
prints the client's time, ccdoctor's time and the ratio client / ccdoctor (above 1: ccdoctor
answered first), then per version and group the median and the minimum ratio.

    .venv/bin/python bench/versus_client.py [--scenarios GLOB ...] [--route R ...]
        [--claude-version V ...] [--jobs N] [--runs N] [--default-retries]

By default the client runs with CLAUDE_CODE_MAX_RETRIES=0 (the tier's mode: a failing set-up
costs it about a second, which is its fastest possible answer, so the ratio is a lower bound);
--default-retries lets it retry as users' clients do (minutes per retried failure: use --jobs).

One untimed round goes first: a peer's first request on a route can cost it far more than the
next (LiteLLM loads a handler on first use, ~0.5 s), and a user's gateway has long been warm.
"""

from __future__ import annotations

import argparse
import fnmatch
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.runtime import runtime_python  # noqa: E402
from tests.conformance.claude_client import (  # noqa: E402
    DEFAULT_RETRIES,
    FAST,
    claude_binary,
    missing_reason,
    tier_versions,
)
from tests.conformance.harness import ClientUnderTest, Observation, observe_all  # noqa: E402
from tests.conformance.lab import running_lab  # noqa: E402
from tests.conformance.scenario import Scenario, load_all  # noqa: E402

ROUTES = {
    "anthropic": "anthropic/gateway",
    "bedrock": "bedrock",
    "vertex": "vertex",
    "foundry": "foundry",
}
TARGET_MIN_RATIO = 1.2


@dataclass(frozen=True)
class Cell:
    scenario: Scenario
    version: str
    client_s: float
    ccdoctor_s: float
    client_ok: bool
    agrees: bool

    @property
    def ratio(self) -> float:
        return self.client_s / self.ccdoctor_s

    @property
    def group(self) -> str:
        return f"{ROUTES[self.scenario.provider]} {'healthy' if self.client_ok else 'failing'}"


def select(
    scenarios: list[Scenario], globs: Sequence[str], routes: Sequence[str]
) -> list[Scenario]:
    chosen = [
        s
        for s in scenarios
        if (not globs or any(fnmatch.fnmatchcase(s.name, g) for g in globs))
        and (not routes or s.provider in routes)
    ]
    if not chosen:
        raise SystemExit("no scenario matches the filters")
    return chosen


def measure(
    scenarios: list[Scenario],
    clients: list[ClientUnderTest],
    jobs: int,
    runs: int,
    default_retries: bool,
) -> list[Cell]:
    """Each cell `runs` times; the median of each side's times (one verdict: the first run's)."""
    python = runtime_python()
    mode = DEFAULT_RETRIES if default_retries else FAST
    rounds = []
    with (
        tempfile.TemporaryDirectory(prefix="ccdoctor-versus-") as scratch,
        running_lab(Path(scratch) / "lab", scenarios) as lab,
    ):
        warm_up = Path(scratch) / "warm-up"
        observe_all(scenarios, lab, clients, warm_up, jobs, mode, python=python)
        for n in range(runs):
            workdir = Path(scratch) / f"run-{n}"
            rounds.append(observe_all(scenarios, lab, clients, workdir, jobs, mode, python=python))
    cells = []
    for key, first in rounds[0].items():
        if not isinstance(first, Observation):
            print(f"{key[1]} on {key[0]}: not run ({first})", file=sys.stderr)
            continue
        seen = [r[key] for r in rounds if isinstance(r[key], Observation)]
        observations = [o for o in seen if isinstance(o, Observation)]
        cells.append(
            Cell(
                first.scenario,
                first.version,
                statistics.median(o.client.seconds for o in observations),
                statistics.median(o.ccdoctor.seconds for o in observations),
                first.client.ok,
                first.agrees,
            )
        )
    return cells


def summary_line(label: str, cells: Sequence[Cell]) -> str:
    ratios = [c.ratio for c in cells]
    worst = min(cells, key=lambda c: c.ratio)
    return (
        f"  {label:<28} n={len(cells):<3} median {statistics.median(ratios):7.2f}x  "
        f"min {worst.ratio:6.2f}x ({worst.scenario.name})"
    )


def report(cells: Sequence[Cell], versions: Sequence[str], mode: str) -> None:
    width = max(len(c.scenario.name) for c in cells)
    for version in versions:
        mine = [c for c in cells if c.version == version]
        if not mine:
            continue
        print(f"Claude Code {version} ({mode}) against ccdoctor, live")
        print(
            f"  {'set-up':<{width}}  {'group':<26} {'client s':>8} {'ccdoctor s':>10} "
            f"{'client/ccdoctor':>15}"
        )
        for c in sorted(mine, key=lambda c: (c.group, c.scenario.name)):
            mark = "" if c.agrees else "  (verdicts disagree)"
            print(
                f"  {c.scenario.name:<{width}}  {c.group:<26} {c.client_s:8.2f} "
                f"{c.ccdoctor_s:10.2f} {c.ratio:14.2f}x{mark}"
            )
        print("ratio client / ccdoctor:")
        for group in sorted({c.group for c in mine}):
            print(summary_line(group, [c for c in mine if c.group == group]))
        print(summary_line("all set-ups", mine))
        print()
    worst = min(c.ratio for c in cells)
    verdict = "meets" if worst >= TARGET_MIN_RATIO else "MISSES"
    print(
        f"minimum ratio over {len(cells)} runs of {len(versions)} client version(s): "
        f"{worst:.2f}x, target >= {TARGET_MIN_RATIO}: {verdict}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="GLOB",
        help="scenario names to run, shell globs (repeatable; default: all)",
    )
    parser.add_argument(
        "--route", action="append", default=[], choices=sorted(ROUTES), help="repeatable"
    )
    parser.add_argument(
        "--claude-version",
        action="append",
        dest="versions",
        help="a client version (repeatable; default: tests/peers/claude_versions.txt)",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="set-ups run at once (default 1: no CPU contention)"
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per set-up; medians are kept")
    parser.add_argument(
        "--default-retries",
        action="store_true",
        help="the client retries as users' clients do (minutes per retried failure)",
    )
    options = parser.parse_args(argv)
    versions = options.versions or list(tier_versions())
    if reason := missing_reason(versions):
        print(reason, file=sys.stderr)
        return 2
    clients = [ClientUnderTest(v, binary) for v in versions if (binary := claude_binary(v))]
    scenarios = select(load_all(), options.scenarios, options.route)
    cells = measure(scenarios, clients, options.jobs, max(1, options.runs), options.default_retries)
    if not cells:
        print("no set-up could run", file=sys.stderr)
        return 1
    mode = "default retries" if options.default_retries else "CLAUDE_CODE_MAX_RETRIES=0"
    report(cells, versions, mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
