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
    """The shape of the client's Messages request on the Anthropic route: path, body keys, and the
    optional fields (thinking, effort, caching, tool flags…) a gateway may reject."""

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


# --- deriving a shape from a recorded request ---------------------------------------------------
# One implementation for the two places that watch the client: tests/facts/observe.py (the
# shipped files) and ccdoctor/learn (an installed version ccdoctor has no file for).

ONE_MILLION_BETA = "context-1m-2025-08-07"
"""The 1M-context beta: it belongs to a `[1m]` model, not to the route's beta list."""
ONE_MILLION_MODEL = "claude-sonnet-4-6[1m]"
"""A `[1m]` model every observed version sends with ONE_MILLION_BETA (not one with a native 1M
window, such as claude-opus-4-8[1m], which 2.1.315 on sends without it): where the default
request carries no 1M beta, this one shows whether a rejected one is dropped."""
_TOOL_KEYS = frozenset({"name", "description", "input_schema"})


def betas_of(header: str | None) -> list[str]:
    """The values of an `anthropic-beta` header, in their order."""
    return [b.strip() for b in (header or "").split(",") if b.strip()]


def body_shape(path: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """What a gateway may reject in the client's body, without its content, as a facts file's
    [request.anthropic.shape] writes it: the top-level keys, thinking, effort,
    context-management edits, the flags on its tools, where cache_control sits (and its ttl and
    scope), the metadata keys."""
    found: dict[str, Any] = {"path": path, "body": sorted(body)}
    thinking = body.get("thinking")
    if isinstance(thinking, Mapping):
        found["thinking"] = str(thinking.get("type"))
        for key in ("display", "budget_tokens"):
            if key in thinking:
                found[f"thinking_{key}"] = str(thinking[key])
    output = body.get("output_config")
    if isinstance(output, Mapping) and "effort" in output:
        found["effort"] = str(output["effort"])
    edits = body.get("context_management", {})
    if isinstance(edits, Mapping) and edits.get("edits"):
        found["context_management"] = [str(e.get("type")) for e in edits["edits"]]
    tools = [t for t in body.get("tools", []) if isinstance(t, Mapping)]
    flags = sorted({key for tool in tools for key in tool if key not in _TOOL_KEYS})
    if flags:
        found["tool_flags"] = flags
    places: list[str] = []
    controls: list[Mapping[str, Any]] = []
    for place in ("system", "messages"):
        blocks = _blocks(body.get(place))
        marked = [b["cache_control"] for b in blocks if isinstance(b.get("cache_control"), dict)]
        if marked:
            places.append(place)
            controls.extend(marked)
    if places:
        found["cache_control"] = places
        for key in ("ttl", "scope"):
            values = sorted({str(c[key]) for c in controls if key in c})
            if values:
                found[f"cache_{key}"] = values[0]
    metadata = body.get("metadata")
    if isinstance(metadata, Mapping) and metadata:
        found["metadata"] = sorted(metadata)
    return found


def _blocks(content: Any) -> list[Mapping[str, Any]]:
    """Content blocks of the system prompt or of every message."""
    if not isinstance(content, list):
        return []
    found: list[Mapping[str, Any]] = []
    for item in content:
        if isinstance(item, Mapping) and isinstance(item.get("content"), list):
            found.extend(b for b in item["content"] if isinstance(b, Mapping))
        elif isinstance(item, Mapping):
            found.append(item)
    return found
