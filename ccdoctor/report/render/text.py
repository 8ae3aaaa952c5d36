"""The terminal report: a table, then how to fix each problem, then one summary line."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from tabulate import tabulate

from ccdoctor.core.results import CheckResult, Status
from ccdoctor.report.build import ConfigEntry, Report
from ccdoctor.report.render.json_report import plain_json
from ccdoctor.report.render.printable import printable

_COLOURS = {
    Status.PASS: "32",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.ERROR: "35",
    Status.SKIP: "2",
}
_MESSAGE_WIDTH = 90


def paint(text: str, status: Status, colour: bool) -> str:
    return f"\x1b[{_COLOURS[status]}m{text}\x1b[0m" if colour else text


def render_text(report: Report, verbose: bool = False, colour: bool = False) -> str:
    rows = [
        (paint(r.status.value.upper(), r.status, colour), printable(r.id), _wrap(r.message))
        for r in report.results
    ]
    parts = [_table(rows, ("status", "check", "message"))]
    fixes = [r for r in report.results if r.status.is_problem and r.fix is not None]
    if fixes:
        parts.append("How to fix\n" + "\n\n".join(_fix_block(r, colour) for r in fixes))
    if verbose:
        detailed = [r for r in report.results if r.details]
        if detailed:
            parts.append("Details\n" + "\n".join(_details_block(r) for r in detailed))
    parts.append(summary_line(report))
    return "\n\n".join(parts) + "\n"


def summary_line(report: Report) -> str:
    counts = report.summary.counts
    errors = f", {counts[Status.ERROR]} errors" if counts[Status.ERROR] else ""
    return (
        f"{counts[Status.PASS]} passed, {counts[Status.WARN]} warnings, "
        f"{counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped{errors} "
        f"in {report.summary.duration_ms / 1000:.2f}s"
    )


def _table(rows: Sequence[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    # Without disable_numparse tabulate reformats number-like cells: "012345678901" (an AWS
    # account) would lose its leading zero and "1e3" would become "1000".
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def _wrap(text: str) -> str:
    text = printable(text)
    return "\n".join(textwrap.wrap(text, _MESSAGE_WIDTH)) or text


def _fix_block(result: CheckResult, colour: bool) -> str:
    assert result.fix is not None
    head = f"{paint(result.status.value.upper(), result.status, colour)} {printable(result.id)}: "
    lines = [head + printable(result.message)]
    lines.extend("  " + line for line in printable(result.fix.text).splitlines())
    lines.extend(f"    $ {printable(command)}" for command in result.fix.commands)
    if result.fix.snippet:
        lines.extend("    " + line for line in printable(result.fix.snippet).splitlines())
    return "\n".join(lines)


def _details_block(result: CheckResult) -> str:
    body = json.dumps(plain_json(result.details), indent=2, ensure_ascii=False)
    return f"{printable(result.id)}:\n" + textwrap.indent(printable(body), "  ")


def render_config_table(entries: tuple[ConfigEntry, ...]) -> str:
    rows = []
    for entry in entries:
        shadowed = "; ".join(f"{v!s} ({s})" for s, v in entry.shadowed)
        rows.append(
            (
                printable(entry.name),
                _wrap(entry.value or "—"),
                _wrap(entry.source),
                _wrap(shadowed),
            )
        )
    return _table(rows, ("name", "value", "source", "shadowed")) + "\n"
