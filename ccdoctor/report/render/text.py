"""The terminal report: the checks grouped by area, how to fix each problem, a closing verdict.

Everything fits `width` columns. Prose wraps at word boundaries; a command or a settings snippet
is never broken inside a token: it goes on lines of its own, a long command continued with a
backslash (which a shell accepts when the lines are pasted together).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tabulate import tabulate

from ccdoctor.core.results import Category, CheckResult, Status
from ccdoctor.report.build import ConfigEntry, Report
from ccdoctor.report.causes import is_irrelevant, root_of
from ccdoctor.report.render.json_report import plain_json
from ccdoctor.report.render.printable import printable

DEFAULT_WIDTH = 80
"""For files, pipes and terminals that do not say their width."""
MIN_WIDTH = 40

_COLOURS = {
    Status.PASS: "32",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.ERROR: "35",
    Status.SKIP: "2",
}
AREAS: Mapping[Category, str] = {
    Category.CONFIG: "configuration",
    Category.CREDENTIALS: "credentials",
    Category.REGION: "region",
    Category.MODELS: "models",
    Category.PROXY: "endpoint",
    Category.NETWORK: "network",
    Category.CACHING: "caching",
}
_INDENT = "  "
_GAP = 2
"""Spaces tabulate puts between columns."""
_STATUS_WIDTH = 5
_NARROW_MESSAGE = 24
"""Below this many columns for messages, a check's message goes under its id instead."""
_CONSEQUENCE = "↳ "
_SKIPPED_DETAILS = frozenset({"problems", "explains"})
"""Details the text already shows in its own words."""


def paint(text: str, status: Status, colour: bool) -> str:
    return f"\x1b[{_COLOURS[status]}m{text}\x1b[0m" if colour else text


def area_of(result: CheckResult) -> str:
    return AREAS.get(result.category, result.category.value)


@dataclass(frozen=True)
class _View:
    """The report as the text shows it: causes, their consequences, and the fixes in order."""

    report: Report
    verbose: bool

    @property
    def results(self) -> tuple[CheckResult, ...]:
        return self.report.results

    def root(self, result: CheckResult) -> CheckResult | None:
        """The problem this result follows from, or None when it stands on its own."""
        if result.caused_by is None:
            return None
        links = {r.id: r.caused_by for r in self.results if r.caused_by is not None}
        by_id = {r.id: r for r in self.results}
        cause = by_id.get(root_of(result.id, links))
        return cause if cause is not None and cause.status.is_problem else None

    def consequences(self, cause: CheckResult) -> list[CheckResult]:
        return [r for r in self.results if r is not cause and self.root(r) is cause]

    def folded(self, result: CheckResult) -> bool:
        return not self.verbose and is_irrelevant(result)

    def causes(self) -> list[CheckResult]:
        """Problems that no other problem explains, the one to fix first leading: failures
        before warnings, then in the catalogue's order (configuration first)."""
        own = [r for r in self.results if r.status.is_problem and self.root(r) is None]
        return sorted(own, key=lambda r: r.status.severity < Status.FAIL.severity)


def render_text(
    report: Report,
    verbose: bool = False,
    colour: bool = False,
    width: int = DEFAULT_WIDTH,
    home: str | None = None,
) -> str:
    """`home`, when given, is written ~ in prose (messages and fix texts, not commands or
    snippets, where a quoted ~ would not expand): paths under it then fit a narrow screen."""
    width = max(width, MIN_WIDTH)
    if home and home != "/":
        report = _home_as_tilde(report, home.rstrip("/"))
    view = _View(report, verbose)
    parts = [_areas(view, colour, width)]
    folded = _folded_line(view, width)
    if folded:
        parts.append(folded)
    causes = view.causes()
    if causes:
        blocks = [_fix_block(view, r, n, colour, width) for n, r in enumerate(causes, 1)]
        parts.append("How to fix\n" + "\n\n".join(blocks))
    if verbose:
        detailed = [_details_block(r, width) for r in report.results if _shown_details(r)]
        if detailed:
            parts.append("Details\n" + "\n".join(detailed))
    parts.append(_fill(summary_line(report), width) + "\n" + _fill(verdict(view), width))
    return "\n\n".join(p for p in parts if p) + "\n"


def _home_as_tilde(report: Report, home: str) -> Report:
    pattern = re.compile(re.escape(home) + r"(?![\w.-])")

    def short(text: str) -> str:
        return pattern.sub("~", text)

    def problem(p: Any) -> Any:
        if not isinstance(p, Mapping):
            return p
        fix = p.get("fix")
        if isinstance(fix, Mapping) and isinstance(fix.get("text"), str):
            fix = {**fix, "text": short(fix["text"])}
        message = p.get("message")
        return {**p, "message": short(message) if isinstance(message, str) else message, "fix": fix}

    results = []
    for r in report.results:
        details = dict(r.details)
        if isinstance(details.get("problems"), list):
            details["problems"] = [problem(p) for p in details["problems"]]
        fix = replace(r.fix, text=short(r.fix.text)) if r.fix else None
        results.append(replace(r, message=short(r.message), fix=fix, details=details))
    return replace(report, results=tuple(results))


def summary_line(report: Report) -> str:
    counts = report.summary.counts
    errors = f", {counts[Status.ERROR]} errors" if counts[Status.ERROR] else ""
    line = (
        f"{counts[Status.PASS]} passed, {counts[Status.WARN]} warnings, "
        f"{counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped{errors} "
        f"in {report.summary.duration_ms / 1000:.2f}s"
    )
    return line + not_run_note(report)


def not_run_note(report: Report) -> str:
    """What a count of passes would hide: checks the deadline kept from running."""
    summary = report.summary
    if not summary.not_run:
        return ""
    deadline = f" of {summary.deadline_s:g} s" if summary.deadline_s is not None else ""
    return f"; {_count(summary.not_run, 'check')} did not run: run deadline{deadline} reached"


def verdict(view: _View) -> str:
    causes = view.causes()
    if not causes:
        return "No issues found."
    failures = [r for r in causes if r.status.severity >= Status.FAIL.severity]
    warnings = [r for r in causes if r not in failures]
    first = area_of(causes[0])
    if failures:
        areas = list(dict.fromkeys(area_of(r) for r in failures))
        text = (
            f"{_count(len(failures), 'problem')} in {_count(len(areas), 'area')} — "
            f"fix {first} first"
        )
        return text + (f"; also {_count(len(warnings), 'warning')}." if warnings else ".")
    areas = list(dict.fromkeys(area_of(r) for r in warnings))
    return (
        f"No failures; {_count(len(warnings), 'warning')} in {_count(len(areas), 'area')} — "
        f"see {first} first."
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# ---- the checks, by area ------------------------------------------------------------------------


def _areas(view: _View, colour: bool, width: int) -> str:
    rows_by_area: dict[str, list[tuple[Status | None, str, str]]] = {}
    marks: dict[str, Status] = {}
    for result in view.results:
        if view.folded(result) or view.root(result) is not None:
            continue
        area = area_of(result)
        rows = rows_by_area.setdefault(area, [])
        rows.append((result.status, printable(result.id), _message(result)))
        rows.extend(_consequence_rows(view, result))
        if area not in marks or result.status.severity > marks[area].severity:
            marks[area] = result.status
    every = [row for rows in rows_by_area.values() for row in rows]
    id_width = max((len(row[1]) for row in every), default=0)
    message_width = width - len(_INDENT) - _STATUS_WIDTH - id_width - 2 * _GAP
    if message_width < _NARROW_MESSAGE:
        lines_of = [_stacked(row, width - len(_INDENT), colour) for row in every]
    else:
        lines_of = _table_rows(every, message_width, width, colour)
    lines: list[str] = []
    for area, rows in rows_by_area.items():
        mark = paint(marks[area].value.upper().ljust(_STATUS_WIDTH), marks[area], colour)
        lines.append(f"{mark} {area}")
        for _ in rows:
            lines.extend(_INDENT + line for line in lines_of.pop(0))
    return "\n".join(lines)


def _table_rows(
    rows: Sequence[tuple[Status | None, str, str]], message_width: int, width: int, colour: bool
) -> list[list[str]]:
    """One tabulate table for every area, so that all messages start in one column; cut back
    into each row's lines for the area headings to go between them. A message holding a word
    too long for its column (a path, a URL) goes under its row instead, where it has the
    whole width: a path cut in two could not be copied."""
    under_width = width - len(_INDENT) - _STATUS_WIDTH - _GAP
    cells = []
    below: list[list[str]] = []
    for status, name, message in rows:
        longest = max((len(word) for word in printable(message).split()), default=0)
        wide = longest > message_width - 2  # a bullet's continuation lines are indented by 2
        cells.append(
            (
                paint(status.value.upper(), status, colour) if status else "",
                name,
                "" if wide else _wrap(message, message_width),
            )
        )
        indent = " " * (_STATUS_WIDTH + _GAP)
        below.append(
            [indent + line for line in _wrap(message, under_width).splitlines()] if wide else []
        )
    table = tabulate(cells, tablefmt="plain", disable_numparse=True).splitlines()
    grouped = []
    for cell, extra in zip(cells, below, strict=True):
        height = max(len(text.splitlines()) or 1 for text in cell)
        grouped.append([line.rstrip() for line in table[:height]] + extra)
        del table[:height]
    return grouped


def _stacked(row: tuple[Status | None, str, str], width: int, colour: bool) -> list[str]:
    status, name, message = row
    head = paint(status.value.upper(), status, colour) + " " if status else ""
    return [head + name] + ["    " + line for line in _wrap(message, width - 4).splitlines()]


def _message(result: CheckResult) -> str:
    """Every finding of a check, not the first with a count of the rest."""
    findings = _findings(result)
    if len(findings) <= 1:
        return printable(result.message)
    return "\n".join(f"- {printable(f.message)}" for f in findings)


def _consequence_rows(view: _View, cause: CheckResult) -> Iterator[tuple[Status | None, str, str]]:
    following = view.consequences(cause)
    for result in following:
        if result.status.is_problem:
            yield None, _CONSEQUENCE + printable(result.id), _message(result)
    waiting = [printable(r.id) for r in following if not r.status.is_problem]
    if waiting:
        yield (
            None,
            f"{_CONSEQUENCE}{len(waiting)} skipped",
            "they run once this is fixed: " + ", ".join(waiting),
        )


def _folded_line(view: _View, width: int) -> str:
    by_reason: dict[str, list[str]] = {}
    for result in view.results:
        if view.folded(result):
            by_reason.setdefault(printable(result.message), []).append(printable(result.id))
    lines = [
        _fill(
            f"SKIP  {_count(len(ids), 'check')} {reason} (-v lists them): {', '.join(ids)}",
            width,
            "      ",
        )
        for reason, ids in by_reason.items()
    ]
    return "\n".join(lines)


# ---- how to fix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Finding:
    """One problem to print under "How to fix": its status and message, and the fix's text, commands
    and snippet."""

    status: Status
    message: str
    text: str | None
    commands: tuple[str, ...]
    snippet: str | None


def _findings(result: CheckResult) -> list[_Finding]:
    problems = result.details.get("problems")
    if isinstance(problems, list) and problems and all(isinstance(p, Mapping) for p in problems):
        return [_finding(p) for p in problems]
    fix = result.fix
    return [
        _Finding(
            result.status,
            result.message,
            fix.text if fix else None,
            fix.commands if fix else (),
            fix.snippet if fix else None,
        )
    ]


def _finding(problem: Mapping[str, Any]) -> _Finding:
    fix = problem.get("fix") if isinstance(problem.get("fix"), Mapping) else None
    status = problem.get("status")
    return _Finding(
        Status(status) if status in set(Status) else Status.WARN,
        str(problem.get("message", "")),
        str(fix["text"]) if fix and fix.get("text") else None,
        tuple(str(c) for c in fix.get("commands") or ()) if fix else (),
        str(fix["snippet"]) if fix and fix.get("snippet") else None,
    )


def _fix_block(view: _View, result: CheckResult, number: int, colour: bool, width: int) -> str:
    status = paint(result.status.value.upper(), result.status, colour)
    first = " — fix this first" if number == 1 else ""
    lines = [f"{number}. {status} {printable(result.id)}{first}"]
    body = width - 3
    findings = [f for f in _findings(result) if f.status.is_problem] or _findings(result)
    # Several findings of one check: each a bullet, its fix indented under it.
    bullet, inner = ("- ", "  ") if len(findings) > 1 else ("", "")
    seen: set[str] = set()
    for finding in findings:
        lines.extend(_fill(bullet + printable(finding.message), body, inner).splitlines())
        if finding.text and finding.text not in seen:
            seen.add(finding.text)
            for paragraph in printable(finding.text).splitlines():
                wrapped = _fill(paragraph, body - 2 - len(inner), "").splitlines()
                lines.extend(inner + "  " + line for line in wrapped)
        for command in finding.commands:
            command_lines = _command_lines(printable(command), body - 4 - len(inner))
            lines.extend(inner + line for line in command_lines)
        if finding.snippet:
            snippet = _snippet_lines(
                printable(finding.snippet), finding.text, view.report, body - 4 - len(inner)
            )
            lines.extend(inner + line for line in snippet)
    following = view.consequences(result)
    problems = [r for r in following if r.status.is_problem]
    if problems:
        lines.append("This also explains (no fix of their own):")
        for other in problems:
            message = _message(other)
            if "\n" in message:
                lines.append(f"{_CONSEQUENCE}{printable(other.id)}:")
                lines.extend("  " + line for line in _wrap(message, body - 2).splitlines())
            else:
                text = f"{_CONSEQUENCE}{printable(other.id)}: {message}"
                lines.extend(_fill(text, body, "  ").splitlines())
    return "\n".join(lines[:1] + ["   " + line if line else line for line in lines[1:]])


def _command_lines(command: str, width: int) -> list[str]:
    """`$ command` on lines of its own, split between words with a backslash when too long."""
    words = _shell_words(command)
    lines: list[str] = []
    current = "$"
    for word in words:
        if current != "$" and len(current) + 1 + len(word) + 2 > width:
            lines.append(current + " \\")
            current = "   "
        current = f"{current} {word}" if current.strip() else current + word
    lines.append(current)
    return ["    " + line for line in lines]


def _shell_words(command: str) -> list[str]:
    """Split at spaces outside quotes, keeping each word exactly as written."""
    words: list[str] = []
    word = ""
    quote: str | None = None
    escaped = False
    for char in command:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == " ":
            if word:
                words.append(word)
            word = ""
            continue
        word += char
    if word:
        words.append(word)
    return words


def _snippet_lines(snippet: str, text: str | None, report: Report, width: int) -> list[str]:
    try:
        data = json.loads(snippet)
    except ValueError:
        return [f"    {line}" for line in ["settings snippet:", *snippet.splitlines()]]
    named = _SETTINGS_PATH.search(text or "")
    target = named.group(0) if named else None
    if target is None and isinstance(data, dict):
        target = _settings_file(data, report.config)
    compact = json.dumps(data, ensure_ascii=False)
    text = compact if len(compact) <= width else json.dumps(data, indent=2, ensure_ascii=False)
    return [f"    in {target or '~/.claude/settings.json'}:"] + [
        "      " + line for line in text.splitlines()
    ]


_SETTINGS_PATH = re.compile(r"[^\s'\"(]*(?:settings|settings\.local|managed-settings)\.json")
"""A settings file the fix's own text names: the snippet goes there."""


def _settings_file(data: Mapping[str, Any], config: Sequence[ConfigEntry]) -> str | None:
    """The settings file that already holds a key of the snippet: the fix belongs there."""
    env = data.get("env")
    names = list(env) if isinstance(env, Mapping) else []
    names += [k for k in data if k != "env"]
    sources = {e.name: e.source for e in config}
    for name in names:
        source = sources.get(name, "")
        if " settings (" in source and source.endswith(")"):
            return source.split(" settings (", 1)[1][:-1]
    return None


# ---- details (-v) -------------------------------------------------------------------------------


def _shown_details(result: CheckResult) -> bool:
    return any(k not in _SKIPPED_DETAILS for k in result.details)


def _details_block(result: CheckResult, width: int) -> str:
    """A check's details as indented `key: value` lines: nested objects nest, lists of plain
    values are comma-separated, and multi-line text (a traceback) keeps its lines."""
    lines = [f"{printable(result.id)}:"]
    for key, value in result.details.items():
        if key not in _SKIPPED_DETAILS:
            lines.extend(_detail_lines(str(key), plain_json(value), 1, width))
    return "\n".join(lines)


def _detail_lines(key: str, value: Any, depth: int, width: int) -> Iterator[str]:
    pad = "  " * depth
    if isinstance(value, Mapping) and value:
        yield f"{pad}{printable(key)}:"
        for name, inner in value.items():
            yield from _detail_lines(str(name), inner, depth + 1, width)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        yield f"{pad}{printable(key)}:"
        for item in value:
            entries = [_detail_lines(str(n), v, depth + 2, width) for n, v in item.items()]
            block = [line for entry in entries for line in entry]
            if block:
                yield pad + "  - " + block[0].lstrip()
                yield from block[1:]
    elif isinstance(value, str) and "\n" in value:
        yield f"{pad}{printable(key)}:"
        yield from (f"{pad}  {printable(line)}" for line in value.rstrip("\n").splitlines())
    else:
        if isinstance(value, list):
            shown = ", ".join(_scalar(v) for v in value) if value else "[]"
        else:
            shown = _scalar(value)
        yield textwrap.fill(
            printable(f"{key}: {shown}"),
            max(width, 20 + len(pad)),
            initial_indent=pad,
            subsequent_indent=pad + "    ",
            break_on_hyphens=False,
        )


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# ---- wrapping -----------------------------------------------------------------------------------


def _wrap(text: str, width: int) -> str:
    """Each line of text wrapped to width, at spaces; a single word wider than that is cut."""
    return "\n".join(
        _fill(line, width, "  " if line.startswith("- ") else "")
        for line in printable(text).splitlines()
    )


def _fill(text: str, width: int, indent: str = "  ", breaking: bool = True) -> str:
    return (
        textwrap.fill(
            text,
            width,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=breaking,
        )
        or text
    )


def render_config_table(entries: tuple[ConfigEntry, ...], width: int = DEFAULT_WIDTH) -> str:
    """A table when it fits the width; otherwise each value with its source and what it shadowed
    on lines of their own, so that no path is broken across lines."""
    width = max(width, MIN_WIDTH)
    rows = [
        (
            printable(entry.name),
            printable(entry.value or "—"),
            printable(entry.source),
            printable("; ".join(f"{v!s} ({s})" for s, v in entry.shadowed)),
        )
        for entry in entries
    ]
    # Without disable_numparse tabulate reformats number-like cells: "012345678901" (an AWS
    # account) would lose its leading zero and "1e3" would become "1000".
    table = tabulate(
        rows,
        headers=("name", "value", "source", "shadowed"),
        tablefmt="simple",
        disable_numparse=True,
    )
    lines = [line.rstrip() for line in table.splitlines()]
    if max(map(len, lines), default=0) <= width:
        return "\n".join(lines) + "\n"
    blocks = []
    for name, value, source, shadowed in rows:
        block = [_fill(f"{name} = {value}", width, "    ")]
        block.append(_fill(f"source: {source}", width - 2, "    ").replace("\n", "\n  "))
        if shadowed:
            block.append(_fill(f"shadowed: {shadowed}", width - 2, "    ").replace("\n", "\n  "))
        blocks.append("\n  ".join(block))
    return "\n".join(blocks) + "\n"
