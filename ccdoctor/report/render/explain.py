"""`ccdoctor explain`: one check, or every check of a category, reflowed to the terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from ccdoctor.spec import Check, CheckSpec, Cost


def network_use(spec: CheckSpec) -> str:
    """What the check sends, in words: a local check with a live part (credentials, region
    listings) is not "network: no"."""
    if spec.cost is Cost.LOCAL and not spec.network:
        return "local only, nothing is sent"
    if spec.network:
        return f"network ({spec.cost.value}; skipped with --offline)"
    return f"local, then a {spec.cost.value} unless --offline (offline it judges the set-up alone)"


def render_explain(check: Check, width: int) -> str:
    spec = check.spec
    lines = [f"{spec.id} — {spec.title}"]
    facts = [
        f"category: {spec.category.value}",
        f"runs: {network_use(spec)}",
        f"origin: {check.origin}",
    ]
    if spec.stops_client:
        facts.append(
            "a failure means Claude Code sends nothing: the run's network checks are skipped "
            "and the live parts of the others judge offline"
        )
    if spec.needs:
        facts.append("needs: " + ", ".join(spec.needs))
    if spec.providers:
        facts.append("providers: " + ", ".join(sorted(p.value for p in spec.providers)))
    lines += [_fill(fact, width, "    ") for fact in facts]
    lines += ["", reflow(spec.description, width)]
    if spec.explain.strip():
        lines += ["", reflow(spec.explain, width)]
    return "\n".join(lines) + "\n"


def render_category(category: str, checks: Sequence[Check], width: int) -> str:
    head = f"{category}: {len(checks)} checks (`ccdoctor explain ID` for one in full)"
    blocks = [_fill(head, width, "  ")]
    for check in checks:
        text = f"{check.spec.id} — {check.spec.title}. {check.spec.description}"
        blocks.append(_fill(text, width, "    "))
    return "\n\n".join(blocks) + "\n"


def reflow(text: str, width: int) -> str:
    """Paragraphs (blank-line separated) wrapped to width; a paragraph whose lines are a list
    or indented (commands, tables) keeps its lines as written."""
    out = []
    for paragraph in textwrap.dedent(text).strip().split("\n\n"):
        lines = paragraph.splitlines()
        if any(line.startswith((" ", "-", "*", "|")) for line in lines[1:]) or lines[0].startswith(
            (" ", "|")
        ):
            out.append(_list(lines, width))
        else:
            out.append(_fill(" ".join(line.strip() for line in lines), width, ""))
    return "\n\n".join(out)


def _list(lines: list[str], width: int) -> str:
    items: list[str] = []
    for line in lines:
        if line.lstrip().startswith(("-", "*")) or not items:
            items.append(line.rstrip())
        else:
            items[-1] += " " + line.strip()
    wrapped = []
    for item in items:
        lead = len(item) - len(item.lstrip())
        bullet = item.lstrip()[:2] if item.lstrip().startswith(("- ", "* ")) else ""
        wrapped.append(_fill(item, width, " " * (lead + len(bullet))))
    return "\n".join(wrapped)


def _fill(text: str, width: int, indent: str) -> str:
    return textwrap.fill(
        text, width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=False
    )
