"""The survival rate per module of the last `make mutation` run, read from mutmut's own
records (mutants/<module>.py.meta), so that a run can be compared with the one before.

    python -m tests.mutation.summary [--survivors]

A mutant counts as killed when a test failed (or timed out) on it, as survived when every test
that reaches it passed, and as untested when no selected test reaches it; the rate is survived
over killed + survived, untested ones listed apart (they are a gap in the test selection, not
in the tests).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

MUTANTS = Path(__file__).resolve().parents[2] / "mutants"
KILLED = {1, 3, 36, 24, -24, 152, 255, 37}
"""mutmut's exit codes for a mutant a test (or its timeout, or the type check) caught."""
SURVIVED = 0
UNTESTED = {5, 33}


def tally(meta_files: Sequence[Path]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for meta in meta_files:
        module = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        count = counts.setdefault(module, Counter())
        for code in codes.values():
            count[_status(code)] += 1
    return counts


def survivors(meta_files: Sequence[Path]) -> list[str]:
    found = []
    for meta in meta_files:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        found.extend(name for name, code in codes.items() if code == SURVIVED)
    return sorted(found)


def _status(code: int | None) -> str:
    if code is None:
        return "not run"
    if code == SURVIVED:
        return "survived"
    if code in KILLED:
        return "killed"
    if code in UNTESTED:
        return "untested"
    return "other"


def render(counts: dict[str, Counter[str]]) -> str:
    lines = [
        "| module | mutants | killed | survived | untested | other | survival |",
        "|---|---|---|---|---|---|---|",
    ]
    total: Counter[str] = Counter()
    for module, count in sorted(counts.items()):
        total.update(count)
        lines.append(_row(module, count))
    lines.append(_row("**all**", total))
    return "\n".join(lines)


def _row(name: str, count: Counter[str]) -> str:
    judged = count["killed"] + count["survived"]
    rate = f"{100 * count['survived'] / judged:.1f} %" if judged else "—"
    other = count["other"] + count["not run"]
    return (
        f"| {name} | {sum(count.values())} | {count['killed']} | {count['survived']} "
        f"| {count['untested']} | {other} | {rate} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survivors", action="store_true", help="list every surviving mutant")
    options = parser.parse_args(argv)
    metas = sorted(MUTANTS.rglob("*.py.meta"))
    if not metas:
        print("no mutmut results: run `make mutation` first", file=sys.stderr)
        return 1
    print(render(tally(metas)))
    if options.survivors:
        print("\n".join(survivors(metas)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
