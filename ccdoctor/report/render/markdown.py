"""A Markdown report for tickets and pull-request comments."""

from __future__ import annotations

import json

from ccdoctor.core.results import CheckResult, Status
from ccdoctor.report.build import Report
from ccdoctor.report.render.json_report import plain_json
from ccdoctor.report.render.printable import printable
from ccdoctor.report.render.text import summary_line

_ICONS = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.ERROR: "💥",
    Status.SKIP: "⏭️",
}


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|").replace("\n", "<br>")


def _cause(result: CheckResult) -> str:
    # A skip already says which need failed.
    if result.caused_by is None or not result.status.is_problem:
        return ""
    return f" (follows from `{result.caused_by}`)"


def render_markdown(report: Report, verbose: bool = False) -> str:
    lines = [
        "## ccdoctor report",
        "",
        f"Provider: `{report.provider}` · Claude Code: `{report.claude_code_version or 'unknown'}`"
        f" · {summary_line(report)}",
        "",
        "| status | check | message |",
        "|---|---|---|",
    ]
    lines += [
        f"| {_ICONS[r.status]} {r.status.value} | `{r.id}` | {_cell(r.message)}{_cause(r)} |"
        for r in report.results
    ]
    # A consequence gets no fix of its own: its cause's fix is the one to apply.
    problems = [
        r
        for r in report.results
        if r.status.is_problem and r.fix is not None and r.caused_by is None
    ]
    if problems:
        lines += ["", "### How to fix", ""]
        for result in problems:
            assert result.fix is not None
            fix = result.fix
            lines += [f"**{result.id}** — {printable(result.message)}", "", printable(fix.text), ""]
            if fix.commands:
                lines += ["```sh", *map(printable, fix.commands), "```", ""]
            if fix.snippet:
                lines += ["```json", printable(fix.snippet), "```", ""]
    if verbose:
        lines += ["", "<details><summary>Details</summary>", "", "```json"]
        details = plain_json({r.id: r.details for r in report.results})
        lines.append(printable(json.dumps(details, indent=2, ensure_ascii=False)))
        lines += ["```", "</details>"]
    return "\n".join(lines).rstrip() + "\n"
