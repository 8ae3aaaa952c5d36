"""Running ccdoctor's live checks against real peers, and judging the verdict the way the issue's
"Done when" does: one failure set up → exactly one failing check naming it → its fix, applied,
turns the run green."""

from __future__ import annotations

import dataclasses
import shlex
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ccdoctor.context import RunOptions
from ccdoctor.core.results import CheckResult, Fix, Status
from tests.machine import Machine

TIMEOUT = 2.0
DEADLINE = 8.0
OPTIONS = RunOptions(timeout=TIMEOUT, deadline=DEADLINE)
FAILING = (Status.FAIL, Status.ERROR)
EVERYTHING = ("config", "credentials", "region", "models", "proxy", "network", "caching")


@dataclass(frozen=True)
class Verdict:
    results: Mapping[str, CheckResult]
    seconds: float

    def __getitem__(self, check_id: str) -> CheckResult:
        return self.results[check_id]

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results.values() if r.status in FAILING]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results.values() if r.status is Status.WARN]

    def only_failure(self) -> CheckResult:
        """The one failing check; anything else (none, or a second one) is a test failure."""
        assert len(self.failures) == 1, self.summary()
        return self.failures[0]

    def assert_green(self) -> None:
        assert not self.failures, self.summary()

    def summary(self) -> str:
        return (
            "\n".join(f"{r.status.value:5} {r.id}: {r.message}" for r in self.results.values())
            + f"\n({self.seconds:.2f} s)"
        )


def verdict(
    machine: Machine, *selection: str, options: RunOptions = OPTIONS, **changes: Any
) -> Verdict:
    """Run the selection (default: the proxy category, which pulls in its needs) in-process;
    `changes` replace fields of `options` (timeout=1.0, no_invoke=True)."""
    start = time.monotonic()
    options = dataclasses.replace(options, **changes)
    results = machine.run(*(selection or ("proxy", "models")), options=options)
    return Verdict(results, time.monotonic() - start)


def run_everything(machine: Machine, **options: Any) -> Verdict:
    return verdict(machine, *EVERYTHING, **options)


def failing(machine: Machine, check_id: str, **options: Any) -> Verdict:
    """Run every category, and assert that `check_id` is the one failing check and that it was
    quick."""
    result = run_everything(machine, **options)
    assert result.only_failure().id == check_id, result.summary()
    assert result.seconds < TIMEOUT, result.summary()
    return result


def exports(fix: Fix | None) -> dict[str, str]:
    """The `export NAME=value` commands of a fix, as a user would paste them."""
    found: dict[str, str] = {}
    for command in fix.commands if fix else ():
        words = shlex.split(command)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            found[name] = value
    return found


def apply_exports(machine: Machine, fix: Fix | None) -> dict[str, str]:
    """Apply a fix's exports to the machine; the fix must have at least one."""
    found = exports(fix)
    assert found, f"the fix has no export to apply: {fix}"
    machine.env.update(found)
    return found
