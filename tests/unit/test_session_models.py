"""The session's models besides main and small/fast, resolved as the client sends them
(tests/facts/session_models.md), and the request shape a model without thinking gets."""

from __future__ import annotations

import pytest

from ccdoctor.core.results import Status
from ccdoctor.knowledge import models as model_data
from ccdoctor.knowledge.request_fields import rejected_field
from ccdoctor.wire import replay
from tests.machine import Machine

BEDROCK = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}


def test_without_a_model_chosen_the_opus_pin_is_the_main_model_with_the_1m_beta(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    machine.env["ANTHROPIC_DEFAULT_OPUS_MODEL"] = "pin-opus"

    config = machine.resolve()

    assert config.main_model.model_id == "pin-opus"
    assert config.main_model.one_million
    assert not config.main_model.explicit
    assert "'default' is the opus alias here" in config.main_model.steps
    assert config.session_models == ()


def test_on_a_route_whose_default_is_the_opus_alias_the_pin_is_the_main_model(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update(BEDROCK, ANTHROPIC_DEFAULT_OPUS_MODEL="us.anthropic.claude-opus-4-8")

    config = machine.resolve()

    assert config.main_model.model_id == "us.anthropic.claude-opus-4-8"
    assert not config.main_model.one_million


@pytest.mark.parametrize(
    "env",
    [
        {"ANTHROPIC_MODEL": "claude-sonnet-4-5"},
        # 2.1.197's Bedrock default is a sonnet: the opus pin is not asked at start-up (observed).
        BEDROCK,
    ],
)
def test_a_chosen_model_or_a_sonnet_default_leaves_the_opus_pin_to_mid_session(
    machine: Machine, env: dict[str, str]
) -> None:
    machine.env.update(env, ANTHROPIC_DEFAULT_OPUS_MODEL="pin-opus")

    config = machine.resolve()

    assert config.main_model.model_id != "pin-opus"
    (opus,) = config.session_models
    assert (opus.role, opus.model_id, opus.label) == (
        "opus",
        "pin-opus",
        "opus-alias model (ANTHROPIC_DEFAULT_OPUS_MODEL)",
    )
    assert opus.mid_session
    assert opus.refusal_status is Status.WARN


def test_session_models_come_in_order_and_a_model_already_judged_is_not_repeated(
    machine: Machine,
) -> None:
    machine.env.update(
        ANTHROPIC_MODEL="claude-sonnet-4-5",
        ANTHROPIC_DEFAULT_SONNET_MODEL="pin-sonnet",
        CLAUDE_CODE_SUBAGENT_MODEL="claude-sonnet-4-5",
    )
    machine.env["ANTHROPIC_DEFAULT_OPUS_MODEL"] = "pin-sonnet"

    config = machine.resolve()

    assert [(m.role, m.model_id) for m in config.session_models] == [("opus", "pin-sonnet")]


def test_a_subagent_alias_follows_its_pin(machine: Machine) -> None:
    machine.env.update(
        ANTHROPIC_MODEL="claude-opus-4-8",
        ANTHROPIC_DEFAULT_SONNET_MODEL="pin-sonnet",
        CLAUDE_CODE_SUBAGENT_MODEL="sonnet",
    )

    (subagent,) = machine.resolve().session_models

    assert (subagent.role, subagent.model_id, subagent.variable) == (
        "subagent",
        "pin-sonnet",
        "CLAUDE_CODE_SUBAGENT_MODEL",
    )


@pytest.mark.parametrize(
    ("model_id", "thinks"),
    [
        ("claude-3-5-haiku-20241022", False),
        ("claude-3-7-sonnet-20250219", False),
        ("anthropic.claude-3-5-haiku-20241022-v1:0", False),
        ("claude-haiku-4-5-20251001", True),
        ("gateway-haiku", True),
    ],
)
def test_which_models_the_client_sends_thinking(model_id: str, thinks: bool) -> None:
    assert model_data.has_thinking(model_id) is thinks


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_a_claude_3_model_gets_no_thinking_no_context_management_no_effort(
    machine: Machine, version: str
) -> None:
    machine.claude_version = version
    machine.env["MAX_THINKING_TOKENS"] = "2048"
    shape = replay.client_shape(machine.resolve(), "claude-3-5-haiku-20241022")
    assert shape is not None

    body = replay.messages_body(shape, "claude-3-5-haiku-20241022", stream=True)

    assert not {"thinking", "context_management", "output_config"} & set(body)
    assert {"system", "tools", "messages", "metadata"} <= set(body)


def test_always_thinking_off_changes_what_max_thinking_tokens_0_changes(
    machine: Machine,
) -> None:
    machine.user_settings({"alwaysThinkingEnabled": False})
    machine.claude_version = "2.1.197"
    old = replay.client_shape(machine.resolve(), "gateway-haiku")
    machine.claude_version = "2.1.332"
    new = replay.client_shape(machine.resolve(), "gateway-haiku")
    assert old is not None and new is not None

    assert (old.thinking, old.context_management) == (None, ())
    # 2.1.332 thinks on its default model whatever the setting (observed): the facts hold no
    # MAX_THINKING_TOKENS=0 switch for it, so nothing changes.
    assert new.thinking == "adaptive"


def test_a_400_about_a_model_without_thinking_is_read_as_the_thinking_field() -> None:
    found = rejected_field("'gateway-haiku' does not support thinking.")

    assert found is not None
    assert (found.field, found.label) == ("thinking", "thinking (for a model without it)")
