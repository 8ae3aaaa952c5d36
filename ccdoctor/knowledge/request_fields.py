"""What a strict gateway's 400 about a body field of the client's request means: which field
(by its name in a facts file's [request.anthropic.shape]), how the report names it, and what the
gateway must allow. Which of the user's switches removes the field is per client version, in the
facts; the texts are the ones users report (tests/peers/fake_anthropic.py answers with them)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RejectedField:
    """A request field a gateway may reject with a 400: how to spot the error and what the fix
    is."""

    field: str
    """The shape field (ccdoctor/clients/request_shape.py SHAPE_FIELDS)."""
    label: str
    """How the report names it, as the API's error paths write it."""
    sign: re.Pattern[str]
    """Matched against the server's error text."""
    caching: bool
    """A prompt-caching field: the finding belongs to the caching area."""
    gateway_fix: str
    """What the gateway must do when no switch of the client removes the field."""


_FORWARD = (
    "let the gateway pass {label} through to the upstream unchanged (LiteLLM: its Anthropic "
    "pass-through route, /anthropic, forwards the body as sent; on its unified endpoint, "
    "`drop_params: true` makes it drop parameters the upstream does not support)"
)

REJECTED_FIELDS = (
    RejectedField(
        "cache_ttl",
        "cache_control.ttl",
        re.compile(r"cache_control\.(?:\w+\.)?ttl|\bttl\b.*not supported"),
        True,
        "let the gateway accept cache_control with a 1h ttl (an upstream that supports it)",
    ),
    RejectedField(
        "cache_scope",
        "cache_control.scope",
        re.compile(r"cache_control\.(?:\w+\.)?scope"),
        True,
        _FORWARD,
    ),
    RejectedField(
        "tool_flags",
        "tools.*.defer_loading",
        re.compile(r"\bdefer_loading\b"),
        False,
        _FORWARD,
    ),
    RejectedField(
        "tool_flags",
        "tools.*.input_examples",
        re.compile(r"\binput_examples\b"),
        False,
        _FORWARD,
    ),
    RejectedField(
        "context_management",
        "context_management",
        re.compile(r"\bcontext_management\b"),
        False,
        _FORWARD,
    ),
    RejectedField(
        "thinking_display",
        "thinking.display",
        re.compile(r"thinking\.(?:\w+\.)?display"),
        False,
        _FORWARD,
    ),
    RejectedField(
        "thinking",
        "thinking (for a model without it)",
        re.compile(r"does not support thinking"),
        False,
        "point ANTHROPIC_MODEL at a model with thinking",
    ),
    RejectedField(
        "thinking",
        "thinking (type adaptive)",
        re.compile(r"thinking\.type|\badaptive\b"),
        False,
        "let the gateway accept adaptive thinking (a newer gateway release, or an upstream "
        "model that supports it)",
    ),
    RejectedField(
        "effort",
        "output_config.effort",
        re.compile(r"\boutput_config\b|\beffort\b"),
        False,
        _FORWARD,
    ),
    RejectedField(
        "metadata",
        "metadata",
        re.compile(r"\bmetadata\b"),
        False,
        _FORWARD,
    ),
    RejectedField(
        "cache_control",
        "cache_control",
        re.compile(r"\bcache_control\b"),
        True,
        "forward cache_control to the upstream",
    ),
)
"""Most specific first: a 400 about `cache_control.ttl` is about the ttl, not about caching."""


def rejected_field(server_says: str) -> RejectedField | None:
    """The field a 400's text names, or None when it names none of the client's fields."""
    lowered = server_says.lower()
    return next((f for f in REJECTED_FIELDS if f.sign.search(lowered)), None)
