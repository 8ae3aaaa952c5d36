"""Does learning stand in for a facts file? For one client version, the conformance scenarios
run three ways, and ccdoctor's verdicts are compared:

- `file`: as shipped (the version's own facts file);
- `learned`: the files after --hide-after hidden (CCDOCTOR_FACTS_UP_TO, a test hook), the
  client on PATH, so ccdoctor learns it (once: the cache folder is shared by the scenarios);
- `newest`: the same files hidden, no client on PATH to learn from, so ccdoctor judges by the
  newest file left (what it did before it could learn).

    .venv/bin/python -m tests.conformance.learned_verdicts --claude-version 2.1.337 \\
        --hide-after 2.1.332 SCENARIO...

A verdict is ccdoctor's exit code and its first failing check; each row says whether it agrees
with the client's outcome (the tier's rule). Exit 0 when `learned` equals `file` everywhere.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ccdoctor.clients.facts import FACTS_UP_TO
from tests.conformance.claude_client import FAST, Mode, claude_or_exit
from tests.conformance.harness import ClientUnderTest, Observation, observe_all
from tests.conformance.lab import running_lab
from tests.conformance.scenario import load_all

WAYS = ("file", "learned", "newest")


def verdict(observation: Observation | BaseException) -> str:
    if not isinstance(observation, Observation):
        return f"error: {observation}"
    doctor = observation.ccdoctor
    if (broken := doctor.no_verdict) is not None:
        return f"no verdict: {broken[:80]}"
    failure = doctor.first_failure
    return "exit 0" if failure is None else f"exit {doctor.exit_code} {failure.id}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="scenarios to run")
    parser.add_argument("--claude-version", default="2.1.337")
    parser.add_argument("--hide-after", default="2.1.332", help="the newest file left visible")
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args(argv)
    version: str = options.claude_version
    binary = claude_or_exit(version)
    known = {s.name: s for s in load_all()}
    scenarios = [known[name] for name in options.names]
    client = ClientUnderTest(version, binary)
    results: dict[str, dict[str, Observation | BaseException]] = {}
    plain_path = os.environ.get("PATH", "/usr/bin:/bin")
    with tempfile.TemporaryDirectory(prefix="ccdoctor-learned-verdicts-") as scratch:
        root = Path(scratch)
        hidden = {FACTS_UP_TO: options.hide_after, "XDG_CACHE_HOME": str(root / "cache")}
        for way in WAYS:
            mode = FAST if way == "file" else Mode({**FAST.env, **hidden}, FAST.timeout)
            # The harness gives ccdoctor and the client this process's PATH.
            os.environ["PATH"] = f"{binary.parent}:{plain_path}" if way == "learned" else plain_path
            with running_lab(root / way / "lab", scenarios) as lab:
                found = observe_all(scenarios, lab, [client], root / way, options.jobs, mode)
            results[way] = {name: found[(version, name)] for _, name in found}
        os.environ["PATH"] = plain_path
    same, rows = 0, []
    for scenario in scenarios:
        cells = [results[way][scenario.name] for way in WAYS]
        verdicts = [verdict(cell) for cell in cells]
        agrees = ["agrees" if isinstance(c, Observation) and c.agrees else "DIFFERS" for c in cells]
        seconds = [
            f"{c.ccdoctor.seconds:.2f}" if isinstance(c, Observation) else "-" for c in cells
        ]
        same += verdicts[0] == verdicts[1]
        rows.append(
            f"{scenario.name}\n"
            + "".join(
                f"  {way:8} {v:55} {a:8} {s} s\n"
                for way, v, a, s in zip(WAYS, verdicts, agrees, seconds, strict=True)
            )
        )
    print(f"Claude Code {version}; files after {options.hide_after} hidden for learned/newest\n")
    print("".join(rows))
    print(f"learned == file on {same} of {len(scenarios)} scenarios")
    newest_same = sum(
        verdict(results["file"][s.name]) == verdict(results["newest"][s.name]) for s in scenarios
    )
    print(f"newest  == file on {newest_same} of {len(scenarios)} scenarios")
    return 0 if same == len(scenarios) else 1


if __name__ == "__main__":
    sys.exit(main())
