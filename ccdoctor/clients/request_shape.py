"""The shape of the client's request on the Anthropic route, as a facts file records it: the
fields a strict gateway may reject, without the prompt or tools they carry, and what each of the
user's switches removes from it. The probes replay it (ccdoctor/wire/replay.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SHAPE_FIELDS = (
    "thinking",
    "thinking_display",
    "thinking_budget_tokens",
    "effort",
    "context_management",
    "tool_flags",
    "cache_control",
    "cache_ttl",
    "cache_scope",
    "metadata",
)
"""The fields a switch may remove, in the order a facts file writes them."""


class ShapeError(ValueError):
    """A [request.anthropic.shape] table this loader cannot read."""


@dataclass(frozen=True)
class RequestShape:
    path: str
    body: tuple[str, ...]
    """The body's top-level keys."""
    thinking: str | None = None
    """`thinking.type` (adaptive, enabled, disabled); None: no `thinking`."""
    thinking_display: str | None = None
    thinking_budget_tokens: int | None = None
    effort: str | None = None
    """`output_config.effort`."""
    context_management: tuple[str, ...] = ()
    """The types of `context_management.edits`."""
    tool_flags: tuple[str, ...] = ()
    """Keys beyond name, description and input_schema on the client's tools (defer_loading…)."""
    cache_control: tuple[str, ...] = ()
    """Where blocks carry `cache_control`: system, messages."""
    cache_ttl: str | None = None
    cache_scope: str | None = None
    metadata: tuple[str, ...] = ()

    def without(self, fields: tuple[str, ...]) -> RequestShape:
        """The shape with `fields` gone, as a switch removes them."""
        cleared: dict[str, Any] = {}
        for name in fields:
            default = RequestShape.__dataclass_fields__[name].default
            cleared[name] = default
        if "cache_control" in fields:
            cleared.update(cache_ttl=None, cache_scope=None)
        return dataclasses.replace(self, **cleared)


@dataclass(frozen=True)
class ShapeSwitches:
    """What the user's settings change in the request, observed one switch at a time."""

    removes: Mapping[tuple[str, str], tuple[str, ...]]
    """(variable, value) → the shape fields that setting removes or changes."""
    removes_betas: Mapping[tuple[str, str], tuple[str, ...]]
    """(variable, value) → the betas it removes (CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS aside:
    its list is [request.anthropic] betas_without_experimental)."""
    one_hour_cache: tuple[tuple[str, str], ...]
    """Settings that make cache_control's ttl 1h."""
    one_hour_betas: tuple[str, ...]
    """Betas added with a 1h ttl."""

    def removing(self, field: str) -> tuple[str, ...]:
        """`VAR=value` settings that remove `field`, in the file's order."""
        return tuple(
            f"{name}={value}" for (name, value), gone in self.removes.items() if field in gone
        )


def read_shape(where: str, data: Mapping[str, Any]) -> RequestShape:
    known = {"path", "body", *SHAPE_FIELDS}
    unknown = set(data) - known
    if unknown:
        raise ShapeError(f"{where}: unknown keys {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        default = RequestShape.__dataclass_fields__[key].default if key in SHAPE_FIELDS else ""
        if isinstance(default, tuple) or key == "body":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ShapeError(f"{where}: `{key}` must be a list of strings")
            values[key] = tuple(value)
        elif key == "thinking_budget_tokens":
            values[key] = int(value)
        elif isinstance(value, str) and value:
            values[key] = value
        else:
            raise ShapeError(f"{where}: `{key}` must be a non-empty string")
    if "path" not in values or "body" not in values:
        raise ShapeError(f"{where}: `path` and `body` are required")
    return RequestShape(**values)


def read_switches(where: str, request: Mapping[str, Any]) -> ShapeSwitches:
    removes = _assignments(f"{where} [switches]", request.get("switches", {}))
    for setting, fields in removes.items():
        stray = set(fields) - set(SHAPE_FIELDS)
        if stray:
            raise ShapeError(f"{where} [switches]: {'='.join(setting)} names {sorted(stray)}")
    one_hour = request.get("one_hour_cache", {})
    if not isinstance(one_hour, dict) or set(one_hour) - {"set_by", "betas"}:
        raise ShapeError(f"{where} [one_hour_cache]: only `set_by` and `betas`")
    return ShapeSwitches(
        removes=removes,
        removes_betas=_assignments(f"{where} [beta_switches]", request.get("beta_switches", {})),
        one_hour_cache=tuple(_setting(where, s) for s in _strings(where, one_hour, "set_by")),
        one_hour_betas=_strings(where, one_hour, "betas"),
    )


def _assignments(where: str, table: Any) -> dict[tuple[str, str], tuple[str, ...]]:
    if not isinstance(table, dict):
        raise ShapeError(f"{where} must be a table")
    return {_setting(where, key): _strings(where, table, key) for key in table}


def _setting(where: str, text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise ShapeError(f"{where}: {text!r} is not VARIABLE=value")
    return name, value


def _strings(where: str, table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ShapeError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)
