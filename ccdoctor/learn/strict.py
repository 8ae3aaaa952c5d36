"""A strict gateway as the learner plays it: the 400s it answers for a beta or a body field it
does not take, in the texts users report (tests/peers/fake_anthropic.py answers with the same),
and where a request carries each field. Learning answers one at a time and watches whether the
client sends the request again without it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNEXPECTED_BETA = (
    "Unexpected value(s) `{betas}` for the `anthropic-beta` header. Please consult our "
    "documentation at docs.claude.com or try again without the header."
)
FIELD_TEXTS: Mapping[str, str] = {
    "context_management": "context_management: Extra inputs are not permitted",
    "defer_loading": "tools.{index}.custom.defer_loading: Extra inputs are not permitted",
    "input_examples": "tools.{index}.custom.input_examples: Extra inputs are not permitted",
    "cache_scope": "system.{index}.cache_control.ephemeral.scope: Extra inputs are not permitted",
    "cache_ttl": "cache_control.ttl: 1h is not supported",
    "adaptive_thinking": (
        "thinking.type: Input tag 'adaptive' found using 'type' does not match any of the "
        "expected tags: 'disabled', 'enabled'"
    ),
    "thinking_display": "thinking.adaptive.display: Extra inputs are not permitted",
    "output_config": "output_config: Extra inputs are not permitted",
}
"""What a strict gateway answers for each field it rejects, by field."""
FIELD_TO_SHAPE: Mapping[str, str] = {
    "context_management": "context_management",
    "defer_loading": "tool_flags",
    "input_examples": "tool_flags",
    "cache_scope": "cache_scope",
    "cache_ttl": "cache_ttl",
    "adaptive_thinking": "thinking",
    "thinking_display": "thinking_display",
    "output_config": "effort",
}
"""Each rejectable field → the [request.anthropic.shape] field it is about."""


def fields_to_try(shape: Mapping[str, Any]) -> list[str]:
    """The rejectable fields the client's first request carries (one it does not send is not
    tried: the gateway would never name it)."""
    flags = shape.get("tool_flags", [])
    return [
        name
        for name, field in FIELD_TO_SHAPE.items()
        if field in shape
        and (name not in ("input_examples", "defer_loading") or name in flags)
        and (name != "adaptive_thinking" or shape.get("thinking") == "adaptive")
    ]


def carried_at(body: Mapping[str, Any], name: str) -> int | None:
    """Where `body` carries field `name` (the tool or system block's index; 0 for a top-level
    field), or None when it does not."""
    tools = [t for t in _list(body.get("tools")) if isinstance(t, dict)]
    raw_thinking = body.get("thinking")
    thinking: Mapping[str, Any] = raw_thinking if isinstance(raw_thinking, dict) else {}
    system = _list(body.get("system"))
    blocks = [b for b in system if isinstance(b, dict)]
    for message in _list(body.get("messages")):
        if isinstance(message, dict) and isinstance(message.get("content"), list):
            blocks.extend(b for b in message["content"] if isinstance(b, dict))
    controls = [b.get("cache_control") for b in blocks]
    found: dict[str, int | None] = {
        "context_management": 0 if "context_management" in body else None,
        "output_config": 0 if "output_config" in body else None,
        "adaptive_thinking": 0 if thinking.get("type") == "adaptive" else None,
        "thinking_display": 0 if "display" in thinking else None,
        "cache_ttl": 0 if any(isinstance(c, dict) and "ttl" in c for c in controls) else None,
        "cache_scope": next(
            (
                i
                for i, b in enumerate(system)
                if isinstance(b, dict) and "scope" in (b.get("cache_control") or {})
            ),
            None,
        ),
    }
    for flag in ("defer_loading", "input_examples"):
        found[flag] = next((i for i, t in enumerate(tools) if flag in t), None)
    return found[name]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
