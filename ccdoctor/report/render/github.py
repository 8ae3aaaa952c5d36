"""GitHub Actions workflow commands: one annotation per problem."""

from __future__ import annotations

from ccdoctor.core.results import CheckResult, Status
from ccdoctor.report.build import Report
from ccdoctor.report.render.printable import encodable
from ccdoctor.report.render.text import not_run_note

_LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}


def _escape_data(text: str) -> str:
    return encodable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(result: CheckResult) -> str:
    level = _LEVEL.get(result.status, "notice")
    message = result.message
    if result.fix is not None:
        message += "\nFix: " + result.fix.text
        message += "".join(f"\n  $ {c}" for c in result.fix.commands)
    title = _escape_property(f"ccdoctor {result.id}")
    return f"::{level} title={title}::{_escape_data(message)}"


def render_github(report: Report) -> str:
    lines = [annotation(r) for r in report.results if r.status.is_problem]
    counts = report.summary.counts
    lines.append(
        f"ccdoctor: {counts[Status.PASS]} passed, {counts[Status.WARN]} warnings, "
        f"{counts[Status.FAIL]} failed, {counts[Status.ERROR]} errors, "
        f"{counts[Status.SKIP]} skipped{not_run_note(report)}"
    )
    return "\n".join(lines) + "\n"
