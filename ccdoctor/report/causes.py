"""Which result follows from which: one cause is shown once, its consequences under it.

Two links are known. A check skipped because a need failed follows from that need (the runner
words the skip "needs <id> (<status>)"). A problem whose check or category another problem
declares it explains (`explains` in that result's details, from Problem.explains) follows from
that problem, provided it is no worse: a warning cannot explain a failure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ccdoctor.core.results import CheckResult, Status

_NEEDS = re.compile(r"^needs (\S+) \(")
_NOT_RELEVANT = re.compile(r"^not used with provider |^Claude Code uses .* ccdoctor does not")
"""The runner's words for a check that does not apply to the route in use."""


def is_irrelevant(result: CheckResult) -> bool:
    """A skip because the check does not apply to the provider in use."""
    return result.status is Status.SKIP and _NOT_RELEVANT.match(result.message) is not None


def link_causes(results: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    by_id = {r.id: r for r in results}
    direct: dict[str, str] = {}
    for result in results:
        match = _NEEDS.match(result.message) if result.status is Status.SKIP else None
        if match is not None and match.group(1) in by_id:
            direct[result.id] = match.group(1)
    for cause in results:
        explains = cause.details.get("explains")
        if not cause.status.is_problem or not isinstance(explains, list):
            continue
        for result in results:
            if (
                result.id in direct
                or result.id == cause.id
                or not result.status.is_problem
                or result.status.severity > cause.status.severity
                or not _explained(result, explains)
                or root_of(cause.id, direct) == result.id
            ):
                continue
            direct[result.id] = cause.id
    return tuple(replace(r, caused_by=direct[r.id]) if r.id in direct else r for r in results)


def _explained(result: CheckResult, explains: list[object]) -> bool:
    """A whole category is explained when the cause changes what every later check sees; a
    check named by id only when that is all it found: its other findings need their own fix."""
    if result.category.value in explains:
        return True
    problems = result.details.get("problems")
    alone = not isinstance(problems, list) or len(problems) <= 1
    return result.id in explains and alone


def root_of(check_id: str, caused_by: Mapping[str, str]) -> str:
    """The first cause in a chain of consequences."""
    seen = {check_id}
    while check_id in caused_by and caused_by[check_id] not in seen:
        check_id = caused_by[check_id]
        seen.add(check_id)
    return check_id
