"""Facts written as TOML in the shipped files' layout: what tests/facts/observe.py prints for a
new file and what ccdoctor/learn caches for a version it learned (tomllib only reads)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def to_toml(facts: Mapping[str, Any]) -> str:
    """Top-level values first (`version`, `source`), then one `[table]` per table, nested
    tables as `[a.b]`; a table inside a list or value is written inline."""
    lines = [f"{_key(k)} = {toml_value(v)}" for k, v in facts.items() if not isinstance(v, Mapping)]
    if lines:
        lines.append("")

    def table(name: str, content: Mapping[str, Any]) -> None:
        values = {k: v for k, v in content.items() if not isinstance(v, Mapping)}
        if values:
            lines.append(f"[{name}]")
            lines.extend(f"{_key(key)} = {toml_value(value)}" for key, value in values.items())
            lines.append("")
        for key, value in content.items():
            if isinstance(value, Mapping):
                table(f"{name}.{_key(key)}", value)

    for name, content in facts.items():
        if isinstance(content, Mapping):
            table(_key(name), content)
    return "\n".join(lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    # A JSON string is a valid TOML basic string.
    return json.dumps(str(value))
