"""What checks find and what the run reports: statuses, fixes, outcomes, results."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def is_problem(self) -> bool:
        return self in (Status.WARN, Status.FAIL, Status.ERROR)


_SEVERITY = {Status.SKIP: 0, Status.PASS: 1, Status.WARN: 2, Status.FAIL: 3, Status.ERROR: 4}


class Category(enum.StrEnum):
    CONFIG = "config"
    CREDENTIALS = "credentials"
    REGION = "region"
    MODELS = "models"
    PROXY = "proxy"
    NETWORK = "network"
    CACHING = "caching"


@dataclass(frozen=True)
class Fix:
    """How to repair a problem. Prose, commands and settings snippets are kept apart so a
    renderer can show commands verbatim and a user can copy them."""

    text: str
    commands: tuple[str, ...] = ()
    snippet: str | None = None

    @staticmethod
    def merge(fixes: Iterable[Fix | None]) -> Fix | None:
        present = [f for f in fixes if f is not None]
        if not present:
            return None
        if len(present) == 1:
            return present[0]
        texts = list(dict.fromkeys(f.text for f in present))
        commands = tuple(dict.fromkeys(c for f in present for c in f.commands))
        snippets = [f.snippet for f in present if f.snippet]
        return Fix(text="\n".join(texts), commands=commands, snippet=_merged(snippets))


DOWNSTREAM: tuple[str, ...] = (
    Category.CREDENTIALS.value,
    Category.REGION.value,
    Category.MODELS.value,
    Category.PROXY.value,
    Category.NETWORK.value,
    Category.CACHING.value,
)
"""Every area after configuration: what a finding explains when it changes the whole set-up the
client sees (a dropped settings file, the wrong provider)."""


def _merged(snippets: list[str]) -> str | None:
    """Settings fragments as one JSON object (env blocks combined), so the merged snippet can
    still be pasted; fragments that are not JSON objects stay one per line."""
    if not snippets:
        return None
    try:
        parsed = [json.loads(s) for s in snippets]
    except ValueError:
        parsed = []
    if not parsed or not all(isinstance(p, dict) for p in parsed):
        return "\n".join(dict.fromkeys(snippets))
    merged: dict[str, Any] = {}
    for fragment in parsed:
        for key, value in fragment.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return json.dumps(merged, ensure_ascii=False)


@dataclass(frozen=True)
class Problem:
    """One finding inside a check that may find several."""

    status: Status
    message: str
    fix: Fix | None = None
    explains: tuple[str, ...] = ()
    """Check ids or categories whose problems follow from this one: the report shows them as
    its consequences, so a user applies one fix instead of several that contradict."""


@dataclass(frozen=True)
class Outcome:
    """What a check function returns; the runner adds identity and timing."""

    status: Status
    message: str
    fix: Fix | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_problems(
        problems: Iterable[Problem],
        ok_message: str,
        details: Mapping[str, Any] | None = None,
    ) -> Outcome:
        """Fold several findings into one result: the worst status wins, the message leads with
        the worst finding and goes on with the others (a count alone would hide them in every
        format but the text one), every fix is kept."""
        found = sorted(problems, key=lambda p: -p.status.severity)
        extra = dict(details or {})
        if not found:
            return Outcome(Status.PASS, ok_message, None, extra)
        worst = found[0]
        message = worst.message
        if len(found) > 1:
            message += "; also: " + "; ".join(p.message for p in found[1:])
        extra["problems"] = [
            {
                "status": p.status.value,
                "message": p.message,
                "fix": fix_to_dict(p.fix),
            }
            for p in found
        ]
        explains = [e for p in found if p.status is not Status.PASS for e in p.explains]
        if explains:
            extra["explains"] = list(dict.fromkeys(explains))
        return Outcome(worst.status, message, Fix.merge(p.fix for p in found), extra)


def passed(message: str, **details: Any) -> Outcome:
    return Outcome(Status.PASS, message, None, details)


def warned(message: str, fix: Fix | None = None, **details: Any) -> Outcome:
    return Outcome(Status.WARN, message, fix, details)


def failed(message: str, fix: Fix | None = None, **details: Any) -> Outcome:
    return Outcome(Status.FAIL, message, fix, details)


def skipped(reason: str, **details: Any) -> Outcome:
    return Outcome(Status.SKIP, reason, None, details)


def fix_to_dict(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {"text": fix.text, "commands": list(fix.commands), "snippet": fix.snippet}


class SkipKind(enum.StrEnum):
    """Why the runner skipped a check without running it."""

    IRRELEVANT = "irrelevant"
    """The check does not apply to the route in use."""
    NEED_FAILED = "need_failed"
    """A check it needs failed (or was skipped for that reason): it follows from that need."""
    OFFLINE = "offline"
    CYCLE = "cycle"


@dataclass(frozen=True)
class SkipCause:
    """Why the runner skipped a check, and the need it waited on when that need failed."""

    kind: SkipKind
    need: str | None = None
    """The check waited on, for NEED_FAILED."""


@dataclass(frozen=True)
class CheckResult:
    """One check's finished result as the report shows it: status, message, fix, details and
    timing."""

    id: str
    category: Category
    title: str
    status: Status
    message: str
    fix: Fix | None
    details: Mapping[str, Any]
    duration_ms: float
    origin: str = "builtin"
    caused_by: str | None = None
    """The check whose problem explains this result (set when the report is built)."""
    skip_cause: SkipCause | None = None
    """Set by the runner on the skips it decides; None for a check's own skip."""
    not_run: bool = False
    """The run deadline stopped this check before it could start or finish: an error, since
    nothing was checked."""


@dataclass(frozen=True)
class Summary:
    """The run's totals: results per status, duration, checks the deadline cut, and the deadline
    itself."""

    counts: Mapping[Status, int]
    duration_ms: float
    not_run: int = 0
    """Checks the run deadline kept from starting or finishing (counted among the errors)."""
    deadline_s: float | None = None

    @staticmethod
    def of(
        results: Iterable[CheckResult], duration_ms: float, deadline_s: float | None = None
    ) -> Summary:
        counts = dict.fromkeys(Status, 0)
        not_run = 0
        for result in results:
            counts[result.status] += 1
            not_run += result.not_run
        return Summary(counts, duration_ms, not_run, deadline_s)
