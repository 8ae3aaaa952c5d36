"""Which keys of a facts file learning does not give: learn one installed client (all groups)
and compare, key by key, with the committed file for that version.

    CCDOCTOR_FACTS_UP_TO=2.1.332 python -m tests.facts.learned_keys --claude-version 2.1.337

Prints each key of the committed file that the learned facts lack (`missing`) or hold with
another value (`differs`), first for the learned keys alone, then for the learned keys merged
over the newest file left visible (what a run judges by). Exit 0 always: a report, not a test.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from ccdoctor.clients.facts import _file_data, _shipped, merged_tables
from ccdoctor.learn.learner import GROUPS, learn
from tests.conformance.claude_client import claude_or_exit
from tests.facts.observe import committed_path, flatten

_ABSENT = object()


def compared(learned: Mapping[str, Any], committed: Mapping[str, Any]) -> list[str]:
    mine, theirs = flatten(learned), flatten(committed)
    rows = []
    for key in sorted(set(theirs) - {"version", "source"}):
        value = mine.get(key, _ABSENT)
        if value is _ABSENT:
            rows.append(f"missing  {key}")
        elif value != theirs[key]:
            rows.append(f"differs  {key}: learned {value!r}, file {theirs[key]!r}")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claude-version", default="2.1.337")
    parser.add_argument("--timeout", type=float, default=90)
    options = parser.parse_args(argv)
    version: str = options.claude_version
    binary = claude_or_exit(version)
    found = learn(binary, version, options.timeout, tuple(GROUPS))
    learned: dict[str, Any] = {}
    for group in GROUPS:
        learned = merged_tables(learned, found[group].facts)
    committed = tomllib.loads(committed_path(version).read_text(encoding="utf-8"))
    newest = _shipped()[-1][1]
    over = merged_tables(_file_data(newest), learned)
    seconds = max(f.seconds for f in found.values())
    print(f"Claude Code {version}: learned in {seconds:g} s; committed file {version}.toml\n")
    print("learned keys alone:")
    print("".join(f"  {row}\n" for row in compared(learned, committed)) or "  (none)\n")
    print(f"learned over {newest}:")
    print("".join(f"  {row}\n" for row in compared(over, committed)) or "  (none)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
