"""The probe's body is the client's request of the user's version, less what the user's switches
remove (as observed: the facts' [request.anthropic.switches]), shrunk; a strict gateway's 400 is
read back as the field it names."""

from __future__ import annotations

from typing import Any

import pytest

from ccdoctor.clients.facts import FactsError, read_facts
from ccdoctor.clients.request_shape import RequestShape
from ccdoctor.knowledge.request_fields import rejected_field
from ccdoctor.wire import replay
from ccdoctor.wire.messages import request_headers
from tests.machine import Machine
from tests.peers.fake_anthropic import STRICT_FIELDS
from tests.unit.test_client_facts import valid


def body(machine: Machine) -> dict[str, Any]:
    shape = replay.client_shape(machine.resolve())
    assert shape is not None
    return replay.messages_body(shape, "claude-opus-5-5", stream=True)


def test_2_1_332_sends_its_fields_and_the_experimental_switch_removes_three(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    sent = body(machine)
    assert sent["thinking"] == {"type": "adaptive", "display": "omitted"}
    assert sent["context_management"] == {"edits": [{"type": "clear_thinking_20251015"}]}
    assert [t.get("defer_loading") for t in sent["tools"]] == [None, True]
    assert sent["max_tokens"] == 1

    machine.env["CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"] = "1"
    plain = body(machine)
    assert plain["thinking"] == {"type": "adaptive"}
    assert "context_management" not in plain
    assert len(plain["tools"]) == 1
    assert plain["output_config"] == {"effort": "medium"}  # no switch removes effort


def test_disable_prompt_caching_removes_every_cache_control(machine: Machine) -> None:
    machine.claude_version = "2.1.197"
    assert body(machine)["system"][0]["cache_control"] == {"type": "ephemeral"}
    machine.env["DISABLE_PROMPT_CACHING"] = "1"
    sent = body(machine)
    assert "cache_control" not in sent["system"][0]
    assert "cache_control" not in sent["messages"][0]["content"][0]


def test_max_thinking_tokens_0_turns_thinking_off_on_2_1_197_only(machine: Machine) -> None:
    machine.env["MAX_THINKING_TOKENS"] = "0"
    machine.claude_version = "2.1.197"
    assert "thinking" not in body(machine)
    machine.claude_version = "2.1.332"
    assert body(machine)["thinking"]["type"] == "adaptive"


def test_a_one_hour_ttl_brings_its_beta_and_ttl(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    machine.env["CLAUDE_CODE_PROMPT_CACHE_TTL"] = "1h"
    sent = body(machine)
    assert sent["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    betas = request_headers(machine.resolve(), ())["anthropic-beta"].split(",")
    assert betas[-1] == "extended-cache-ttl-2025-04-11"
    machine.claude_version = "2.1.197"  # reads ENABLE_PROMPT_CACHING_1H only
    assert "ttl" not in body(machine)["messages"][0]["content"][0]["cache_control"]


def test_disable_interleaved_thinking_removes_its_beta(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    machine.env["DISABLE_INTERLEAVED_THINKING"] = "1"
    betas = request_headers(machine.resolve(), ())["anthropic-beta"].split(",")
    assert "interleaved-thinking-2025-05-14" not in betas
    assert "claude-code-20250219" in betas


def test_enabled_thinking_gets_the_smallest_budget_the_api_takes() -> None:
    shape = RequestShape(path="/v1/messages?beta=true", body=("model",), thinking="enabled")
    sent = replay.messages_body(shape, "m", stream=False)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert sent["max_tokens"] == 1025


def test_the_free_call_carries_tools_and_cache_control_but_no_generation_fields(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    shape = replay.client_shape(machine.resolve())
    assert shape is not None
    counted = replay.count_tokens_body(shape, "claude-opus-5-5")
    assert set(counted) == {"model", "system", "tools", "messages"}
    assert counted["tools"][1]["defer_loading"] is True


@pytest.mark.parametrize(
    ("name", "field", "label"),
    [
        ("context_management", "context_management", "context_management"),
        ("defer_loading", "tool_flags", "tools.*.defer_loading"),
        ("input_examples", "tool_flags", "tools.*.input_examples"),
        ("cache_scope", "cache_scope", "cache_control.scope"),
        ("cache_ttl", "cache_ttl", "cache_control.ttl"),
        ("adaptive_thinking", "thinking", "thinking (type adaptive)"),
        ("thinking_display", "thinking_display", "thinking.display"),
        ("output_config", "effort", "output_config.effort"),
    ],
)
def test_each_strict_gateway_text_names_its_field(name: str, field: str, label: str) -> None:
    found = rejected_field(STRICT_FIELDS[name].format(index=3))
    assert found is not None
    assert (found.field, found.label) == (field, label)


def test_a_plain_cache_control_rejection_is_about_caching() -> None:
    found = rejected_field(
        "messages.0.content.0.text.cache_control: Extra inputs are not permitted"
    )
    assert found is not None
    assert (found.field, found.caching) == ("cache_control", True)
    assert rejected_field("max_tokens: Field required") is None


def test_a_shape_with_an_unknown_key_or_switch_field_is_refused() -> None:
    data = valid()
    data["request"]["anthropic"]["shape"] = {"path": "/v1/messages", "body": ["model"], "oops": "1"}
    with pytest.raises(FactsError, match="oops"):
        read_facts("2.1.300.toml", data)
    data["request"]["anthropic"]["shape"] = {"path": "/v1/messages", "body": ["model"]}
    data["request"]["anthropic"]["switches"] = {"DISABLE_PROMPT_CACHING=1": ["caching"]}
    with pytest.raises(FactsError, match="caching"):
        read_facts("2.1.300.toml", data)
    data["request"]["anthropic"]["switches"] = {"DISABLE_PROMPT_CACHING": ["cache_control"]}
    with pytest.raises(FactsError, match="not VARIABLE=value"):
        read_facts("2.1.300.toml", data)
