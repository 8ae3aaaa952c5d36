"""The check catalogue, for `ccdoctor list` and the README."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from tabulate import tabulate

from ccdoctor.spec import Check


def _providers(check: Check) -> str:
    providers = check.spec.providers
    return ", ".join(sorted(p.value for p in providers)) if providers else "all"


def render_catalogue(checks: Sequence[Check], markdown: bool = False, width: int = 80) -> str:
    if markdown:
        rows = [
            (
                f"`{c.spec.id}`",
                c.spec.category.value,
                c.spec.cost.value,
                _providers(c),
                c.spec.description,
            )
            for c in checks
        ]
        md_headers = ("id", "category", "cost", "providers", "what it checks")
        return tabulate(rows, headers=md_headers, tablefmt="github") + "\n"
    return _fitted(checks, width)


def _fitted(checks: Sequence[Check], width: int) -> str:
    """The plain table, its title column wrapped to what the other columns leave; the origin
    column only when some check is not built in; one block per check when even that is too
    wide."""
    plugins = any(c.origin != "builtin" for c in checks)
    # No category column: a check id starts with its category, and the room goes to the title.
    rows = [
        (c.spec.id, c.spec.cost.value, _providers(c)) + ((c.origin,) if plugins else ())
        for c in checks
    ]
    headers = ("id", "cost", "providers") + (("origin",) if plugins else ())
    fixed = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    room = width - sum(fixed) - 2 * len(fixed)
    if room < 10:
        return "\n".join(_block(c, width) for c in checks)
    titled = [
        (*row, textwrap.fill(c.spec.title, room, break_long_words=False))
        for row, c in zip(rows, checks, strict=True)
    ]
    table = tabulate(titled, headers=(*headers, "title"), disable_numparse=True)
    return "\n".join(line.rstrip() for line in table.splitlines()) + "\n"


def _block(check: Check, width: int) -> str:
    facts = [check.spec.cost.value, _providers(check)]
    if check.origin != "builtin":
        facts.append(check.origin)
    head = f"{check.spec.id}: {check.spec.title}"
    return (
        textwrap.fill(head, width, subsequent_indent="    ")
        + "\n"
        + textwrap.fill(", ".join(facts), width, initial_indent="    ", subsequent_indent="    ")
        + "\n"
    )


def catalogue_json(checks: Sequence[Check]) -> str:
    """Every check as data, for scripts (`ccdoctor list --format json`); providers null means
    every provider."""
    rows = [
        {
            "id": c.spec.id,
            "category": c.spec.category.value,
            "title": c.spec.title,
            "description": c.spec.description,
            "cost": c.spec.cost.value,
            "network": c.spec.network,
            "stops_client": c.spec.stops_client,
            "providers": sorted(p.value for p in c.spec.providers) if c.spec.providers else None,
            "needs": list(c.spec.needs),
            "origin": c.origin,
        }
        for c in checks
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
