"""The client's own request on the Anthropic route, rebuilt from its version's facts and the
user's switches, and shrunk only where cost demands: a short prompt, one tiny tool (two when the
client defers some: a request whose tools are all deferred is refused), the smallest max_tokens
the thinking mode allows. A strict gateway that would refuse the client's request refuses this
one, for the same field."""

from __future__ import annotations

import dataclasses
from typing import Any

from ccdoctor.clients.request_shape import RequestShape
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.knowledge import models as model_data

PROMPT = "ping"
SYSTEM = "Answer in one word."
_TOOL: dict[str, Any] = {
    "name": "ccdoctor_probe",
    "description": "Unused.",
    "input_schema": {"type": "object", "properties": {}},
}
_FLAG_VALUES: dict[str, Any] = {"defer_loading": True, "input_examples": [{}]}
"""A value for each tool flag the client is seen to send; an unknown one gets `true`."""
_MIN_BUDGET = 1024
"""The API's smallest `budget_tokens` for `thinking: enabled`; max_tokens must exceed it."""


def client_shape(config: ResolvedConfig, model_id: str | None = None) -> RequestShape | None:
    """The shape the client sends with this configuration (for `model_id`, when given): its
    version's shape, less what the user's switches remove and what the model has no use for,
    with the 1h ttl when a setting asks for it."""
    shape = config.facts.anthropic_shape
    if shape is None:
        return None
    switches = config.facts.shape_switches
    for setting, fields in switches.removes.items():
        if _is_set(config, setting):
            shape = shape.without(fields)
    if config.setting(model_data.THINKING_OFF_SETTING) is False:
        shape = shape.without(switches.removes.get(model_data.THINKING_OFF_SAME_AS, ()))
    if model_id is not None and not model_data.has_thinking(model_id):
        shape = shape.without(model_data.WITHOUT_THINKING_DROPS)
    if shape.cache_control and any(_is_set(config, s) for s in switches.one_hour_cache):
        shape = dataclasses.replace(shape, cache_ttl="1h")
    return shape


def extra_betas(config: ResolvedConfig) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(betas the user's switches remove, betas they add) beyond the experimental switch."""
    switches = config.facts.shape_switches
    removed = tuple(
        beta
        for setting, betas in switches.removes_betas.items()
        if _is_set(config, setting)
        for beta in betas
    )
    shape = client_shape(config)
    added = switches.one_hour_betas if shape is not None and shape.cache_ttl == "1h" else ()
    return removed, added


def _is_set(config: ResolvedConfig, setting: tuple[str, str]) -> bool:
    name, value = setting
    if value == "1":
        return config.truthy(name)
    return (config.get(name) or "").strip() == value


def max_tokens(shape: RequestShape) -> int:
    if shape.thinking == "enabled":
        return max(shape.thinking_budget_tokens or 0, _MIN_BUDGET) + 1
    return 1


def messages_body(shape: RequestShape, model: str, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "max_tokens": max_tokens(shape)}
    body.update(_common(shape))
    if shape.thinking is not None:
        thinking: dict[str, Any] = {"type": shape.thinking}
        if shape.thinking == "enabled":
            thinking["budget_tokens"] = max(shape.thinking_budget_tokens or 0, _MIN_BUDGET)
        if shape.thinking_display is not None:
            thinking["display"] = shape.thinking_display
        body["thinking"] = thinking
    if shape.context_management:
        body["context_management"] = {"edits": [{"type": t} for t in shape.context_management]}
    if shape.effort is not None:
        body["output_config"] = {"effort": shape.effort}
    if shape.metadata:
        body["metadata"] = dict.fromkeys(shape.metadata, "ccdoctor-probe")
    body["stream"] = stream
    return body


def count_tokens_body(shape: RequestShape, model: str) -> dict[str, Any]:
    """The free call's body: what token counting takes of the client's request (system, tools,
    messages with their cache_control); thinking, effort, context management and metadata
    belong to generation and stay with the billed request."""
    return {"model": model, **_common(shape)}


def _common(shape: RequestShape) -> dict[str, Any]:
    found: dict[str, Any] = {}
    control = _cache_control(shape)
    if "system" in shape.body:
        block: dict[str, Any] = {"type": "text", "text": SYSTEM}
        if control is not None and "system" in shape.cache_control:
            block["cache_control"] = control
        found["system"] = [block]
    if "tools" in shape.body:
        tools = [dict(_TOOL)]
        if shape.tool_flags:
            flagged = {**_TOOL, "name": "ccdoctor_probe_flagged"}
            flagged.update({flag: _FLAG_VALUES.get(flag, True) for flag in shape.tool_flags})
            tools.append(flagged)
        found["tools"] = tools
    text: dict[str, Any] = {"type": "text", "text": PROMPT}
    if control is not None and "messages" in shape.cache_control:
        text["cache_control"] = control
    found["messages"] = [{"role": "user", "content": [text]}]
    return found


def _cache_control(shape: RequestShape) -> dict[str, str] | None:
    if not shape.cache_control:
        return None
    control = {"type": "ephemeral"}
    if shape.cache_ttl is not None:
        control["ttl"] = shape.cache_ttl
    if shape.cache_scope is not None:
        control["scope"] = shape.cache_scope
    return control
