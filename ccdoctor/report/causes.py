"""Which result follows from which: one cause is shown once, its consequences under it.

Two links are known. A check skipped because a need failed follows from that need (the runner
records which one in the result's skip_cause). A problem whose check or category another problem
declares it explains (`explains` in that result's details, from Problem.explains) follows from
that problem, provided it is no worse: a warning cannot explain a failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ccdoctor.core.results import CheckResult, SkipKind, Status


def is_irrelevant(result: CheckResult) -> bool:
    """A skip because the check does not apply to the provider in use."""
    cause = result.skip_cause
    return result.status is Status.SKIP and cause is not None and cause.kind is SkipKind.IRRELEVANT


def _waited_on(result: CheckResult) -> str | None:
    cause = result.skip_cause
    if result.status is not Status.SKIP or cause is None or cause.kind is not SkipKind.NEED_FAILED:
        return None
    return cause.need


def link_causes(results: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    by_id = {r.id: r for r in results}
    direct: dict[str, str] = {}
    for result in results:
        need = _waited_on(result)
        if need is not None and need in by_id:
            direct[result.id] = need
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
