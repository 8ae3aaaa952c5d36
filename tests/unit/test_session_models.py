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


@pytest.mark.parametrize(
    ("entries", "model_id", "allowed"),
    [
        # Each row observed on 2.1.197 and 2.1.332 (tests/facts/session_models.md).
        (["sonnet"], "claude-sonnet-4-5", True),
        (["claude-sonnet-4-5"], "claude-sonnet-5-5", False),
        (["claude-sonnet-4-5"], "claude-sonnet-4-5-20250929", True),
        (["claude-sonnet-4-5-20250929"], "claude-sonnet-4-5", False),
        (["sonnet"], "my-gw-model", False),
        (["opus"], "claude-sonnet-5-5", False),
        ([], "claude-sonnet-4-5", False),
        (["Claude-Sonnet-4-5"], "claude-sonnet-4-5", True),
    ],
)
def test_which_models_available_models_allows(
    entries: list[object], model_id: str, allowed: bool
) -> None:
    assert model_data.available_allows(entries, model_id) is allowed


def test_a_chosen_model_available_models_does_not_list_gives_way_to_the_default(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update(
        ANTHROPIC_MODEL="claude-sonnet-4-5", ANTHROPIC_DEFAULT_OPUS_MODEL="claude-opus-4-8"
    )
    machine.user_settings({"availableModels": ["opus", "haiku"]})

    main = machine.resolve().main_model

    assert main.model_id == "claude-opus-4-8"
    assert main.restricted is not None
    assert main.restricted[0] == "claude-sonnet-4-5"
    assert not main.explicit
    result = machine.check("config.model")
    assert result.status is Status.WARN
    assert result.message.startswith(
        'Model "claude-sonnet-4-5" is restricted by your organization\'s settings. '
        "availableModels in"
    )
    assert result.message.endswith("so Claude Code sends claude-opus-4-8[1m] instead")


def test_a_listed_or_unset_available_models_leaves_the_chosen_model(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "claude-sonnet-4-5"
    assert machine.resolve().main_model.model_id == "claude-sonnet-4-5"

    machine.user_settings({"availableModels": ["sonnet"]})
    main = machine.resolve().main_model

    assert (main.model_id, main.restricted) == ("claude-sonnet-4-5", None)


def test_a_session_model_shaped_wrong_is_a_warning_naming_its_variable(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update(BEDROCK, CLAUDE_CODE_SUBAGENT_MODEL="anthropic.claude-opus-4-6-v1")

    result = machine.check("config.model")

    assert result.status is Status.WARN
    assert result.message.startswith(
        "subagent model anthropic.claude-opus-4-6-v1 (from CLAUDE_CODE_SUBAGENT_MODEL"
    )
    assert result.message.endswith(
        "(Claude Code starts; subagents (the Agent tool) fail when used)"
    )
    assert result.fix is not None and result.fix.snippet is not None
    assert "us.anthropic.claude-opus-4-6-v1" in result.fix.snippet


@pytest.mark.parametrize(
    ("version", "judged"), [("2.1.337", True), ("2.1.307", True), ("2.1.293", False)]
)
def test_the_workflow_pin_is_a_session_model_where_the_version_reads_it(
    machine: Machine, version: str, judged: bool
) -> None:
    # Observed: a workflow's agent asks CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL from 2.1.307 on;
    # 2.1.293's code does not name the variable and its workflow agent uses another model.
    machine.claude_version = version
    machine.env["CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL"] = "pin-workflow"

    config = machine.resolve()

    asked = [m.model_id for m in config.session_models if m.role == "workflow"]
    assert asked == (["pin-workflow"] if judged else [])
