"""The check catalogue, for `ccdoctor list` and the README."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from ccdoctor.spec import Check


def _providers(check: Check) -> str:
    providers = check.spec.providers
    return ", ".join(sorted(p.value for p in providers)) if providers else "all"


def render_catalogue(checks: Sequence[Check], markdown: bool = False) -> str:
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
    plain = [
        (c.spec.id, c.spec.category.value, c.spec.cost.value, _providers(c), c.spec.title, c.origin)
        for c in checks
    ]
    headers = ("id", "category", "cost", "providers", "title", "origin")
    return tabulate(plain, headers=headers) + "\n"
