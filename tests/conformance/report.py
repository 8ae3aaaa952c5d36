"""Run the conformance matrix and print the agreement table.

    .venv/bin/python tests/conformance/report.py [SCENARIO ...] [--claude-version V ...]
        [--jobs N] [--markdown]

For each client version (default: every one in tests/peers/claude_versions.txt) and scenario:
what the real client did and how long it took, ccdoctor's verdict (its first failing check) and
how long it took, and whether they agree; then, per version, the median ratio of ccdoctor's time
to verdict over the client's time to failure on the scenarios where the client failed.
Exit status 0 when every scenario agrees or is a recorded known disagreement, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `tests.` and `ccdoctor.` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.conformance.claude_client import (
    DEFAULT_RETRIES,
    FAST,
    Mode,
    claude_binary,
    missing_reason,
    strace_missing,
    tier_versions,
)
from tests.conformance.harness import (
    ClientUnderTest,
    Key,
    Observation,
    median_ratio,
    observe_all,
)
from tests.conformance.lab import running_lab
from tests.conformance.scenario import Scenario, load_all

HEADERS = ("scenario", "client", "client s", "ccdoctor verdict", "ccdoctor s", "agree?")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    parser.add_argument(
        "--claude-version",
        action="append",
        dest="versions",
        help="a client version to run (repeatable; default: tests/peers/claude_versions.txt)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="scenarios run at once (default 1: timings are not skewed by a busy CPU)",
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("-v", "--verbose", action="store_true", help="explain every mismatch")
    parser.add_argument(
        "--default-retries",
        action="store_true",
        help="let the client retry as users' clients do (about 175 s per retried failure; use "
        "--jobs to run the scenarios side by side) to measure its real time to failure",
    )
    parser.add_argument(
        "--trace-network",
        action="store_true",
        help="run the client under strace and list any address beyond loopback it tried",
    )
    options = parser.parse_args(argv)

    versions = options.versions or list(tier_versions())
    if reason := missing_reason(versions) or (options.trace_network and strace_missing()):
        print(reason, file=sys.stderr)
        return 2
    clients = [ClientUnderTest(v, binary) for v in versions if (binary := claude_binary(v))]
    scenarios = _select(load_all(), options.names)
    mode = DEFAULT_RETRIES if options.default_retries else FAST
    with (
        tempfile.TemporaryDirectory(prefix="ccdoctor-conformance-") as scratch,
        running_lab(Path(scratch) / "lab", scenarios) as lab,
    ):
        results = observe_all(
            scenarios, lab, clients, Path(scratch), options.jobs, mode, options.trace_network
        )

    for version in versions:
        print(table(scenarios, version, results, options.markdown))
        print()
        print("\n".join(summary(scenarios, version, results, mode)))
        print()
    observations = [r for r in results.values() if isinstance(r, Observation)]
    if options.trace_network:
        leaks = {
            f"{o.version} {o.scenario.name}": o.off_loopback for o in observations if o.off_loopback
        }
        for name, addresses in leaks.items():
            print(f"{name}: the client tried {', '.join(addresses or ())} beyond loopback")
        if not leaks:
            print("the client connected to nothing beyond loopback in any scenario")
    mismatches = [o for o in observations if not o.agrees and o.expected.known_disagreement is None]
    stale = [
        f"{o.scenario.name} on {o.version}"
        for o in observations
        if o.agrees and o.expected.known_disagreement
    ]
    if stale:
        print(f"known_disagreement recorded but they now agree (remove it): {', '.join(stale)}")
    if options.verbose:
        for observation in (o for o in observations if not o.agrees):
            print("\n" + observation.explain())
    errors = [r for r in results.values() if not isinstance(r, Observation)]
    return 1 if mismatches or stale or errors else 0


def _select(scenarios: list[Scenario], names: Sequence[str]) -> list[Scenario]:
    if not names:
        return scenarios
    known = {s.name: s for s in scenarios}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}")
    return [known[n] for n in names]


def table(
    scenarios: Sequence[Scenario],
    version: str,
    results: Mapping[Key, Observation | BaseException],
    markdown: bool = False,
) -> str:
    rows = [_row(s, results[(version, s.name)]) for s in scenarios if (version, s.name) in results]
    return f"Claude Code {version}\n" + _table(rows, markdown)


def summary(
    scenarios: Sequence[Scenario],
    version: str,
    results: Mapping[Key, Observation | BaseException],
    mode: Mode,
) -> list[str]:
    cells = [result for (v, _), result in results.items() if v == version]
    observations = [r for r in cells if isinstance(r, Observation)]
    known = sum(not o.agrees and o.expected.known_disagreement is not None for o in observations)
    lines = [
        f"Claude Code {version} ({mode.describe()}): "
        f"{sum(o.agrees for o in observations)}/{len(cells)} scenarios agree, "
        f"{known} known disagreements, {len(cells) - len(observations)} not run"
    ]
    ratio = median_ratio(observations)
    if ratio is not None:
        failing = sum(not o.client.ok for o in observations)
        lines.append(
            f"median ccdoctor time to verdict / client time to failure over {failing} failing "
            f"scenarios: {ratio:.2f}"
        )
    return lines


def _row(scenario: Scenario, result: Observation | BaseException) -> tuple[str, ...]:
    if not isinstance(result, Observation):
        return (scenario.name, f"not run: {result}", "", "", "", "n/a")
    client = "ok" if result.client.ok else f"fail: {_short(result.client.last_line)}"
    failure = result.ccdoctor.first_failure
    if (broken := result.ccdoctor.no_verdict) is not None:
        verdict = f"no verdict: {_short(broken.splitlines()[0], 40)}"
    elif result.ccdoctor.exit_code == 0:
        verdict = "exit 0"
        warned = [c.id for c in result.ccdoctor.checks if c.status == "warn"]
        if warned:
            verdict += " (warn " + ", ".join(warned) + ")"
    elif failure is not None:
        verdict = f"exit {result.ccdoctor.exit_code}: {failure.id} [{failure.category}]"
    else:
        verdict = f"exit {result.ccdoctor.exit_code}"
    known = result.expected.known_disagreement
    if result.agrees and known is not None:
        agree = "yes (stale known_disagreement)"
    elif result.agrees:
        agree = "yes"
    elif known is not None:
        agree = "NO (known)"
    else:
        agree = "NO"
    return (
        scenario.name,
        client,
        f"{result.client.seconds:.2f}",
        verdict,
        f"{result.ccdoctor.seconds:.2f}",
        agree,
    )


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[tuple[str, ...]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [HEADERS, tuple("-" * w for w in widths), *rows]
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
