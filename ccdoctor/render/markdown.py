"""A Markdown report for tickets and pull-request comments."""

from __future__ import annotations

import json

from ccdoctor.model import Status
from ccdoctor.render.text import summary_line
from ccdoctor.report import Report

_ICONS = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.ERROR: "💥",
    Status.SKIP: "⏭️",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


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
        f"| {_ICONS[r.status]} {r.status.value} | `{r.id}` | {_cell(r.message)} |"
        for r in report.results
    ]
    problems = [r for r in report.results if r.status.is_problem and r.fix is not None]
    if problems:
        lines += ["", "### How to fix", ""]
        for result in problems:
            assert result.fix is not None
            lines += [f"**{result.id}** — {result.message}", "", result.fix.text, ""]
            if result.fix.commands:
                lines += ["```sh", *result.fix.commands, "```", ""]
            if result.fix.snippet:
                lines += ["```json", result.fix.snippet, "```", ""]
    if verbose:
        lines += ["", "<details><summary>Details</summary>", "", "```json"]
        lines.append(json.dumps({r.id: r.details for r in report.results}, indent=2, default=str))
        lines += ["```", "</details>"]
    return "\n".join(lines).rstrip() + "\n"
