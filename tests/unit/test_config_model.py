"""config.model: the main and small/fast model IDs are shaped right for the provider in use, and
a problem is pinned on the variable, setting or override that produced it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccdoctor.core.results import CheckResult, Status
from tests.machine import Machine

CHECK = "config.model"
BEDROCK = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}
VERTEX = {"CLAUDE_CODE_USE_VERTEX": "1", "CLOUD_ML_REGION": "us-east5"}
FOUNDRY = {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "acme"}
GATEWAY = {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"}
LISTING = "aws bedrock list-inference-profiles --region {region}"


def _messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def _only(result: CheckResult, status: Status) -> str:
    assert result.status is status, _messages(result)
    messages = _messages(result)
    assert len(messages) == 1, messages
    return messages[0]


def _snippet(result: CheckResult) -> Any:
    assert result.fix is not None and result.fix.snippet is not None
    return json.loads(result.fix.snippet)


# ---- provider defaults and good IDs pass --------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "model"),
    [
        ({}, None),
        (BEDROCK, None),
        (VERTEX, None),
        (FOUNDRY, None),
        (BEDROCK, "us.anthropic.claude-opus-4-6-v1"),
        (BEDROCK, "global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        (
            BEDROCK,
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456",
        ),
        (BEDROCK, "opus"),
        (VERTEX, "claude-sonnet-4-5@20250929"),
        (VERTEX, "claude-opus-4-6"),
        ({}, "claude-sonnet-4-5-20250929"),
        ({}, "sonnet"),
        (GATEWAY, "gpt-4o"),
        (GATEWAY, "anthropic-claude"),
        (FOUNDRY, "my-sonnet-deployment"),
        ({**BEDROCK, "CLAUDE_CODE_USE_MANTLE": "1"}, "anthropic.claude-sonnet-5"),
    ],
)
def test_well_formed_ids_pass(machine: Machine, env: dict[str, str], model: str | None) -> None:
    machine.env.update(env)
    if model is not None:
        machine.env["ANTHROPIC_MODEL"] = model
    result = machine.check(CHECK)
    assert result.status is Status.PASS, _messages(result)
    assert result.message.startswith("main ")
    assert "well formed for" in result.message


def test_details_show_both_models_and_how_they_resolved(machine: Machine) -> None:
    machine.env.update(
        {**BEDROCK, "ANTHROPIC_DEFAULT_OPUS_MODEL": "us.anthropic.claude-opus-4-6-v1"}
    )
    machine.user_settings({"model": "opus"})
    details = machine.check(CHECK).details
    assert details["provider"] == "bedrock"
    assert details["endpoint"] == "Bedrock"
    main = details["main"]
    assert main["requested"] == "opus"
    assert main["model_id"] == "us.anthropic.claude-opus-4-6-v1"
    assert main["from"].startswith("user settings")
    assert any("ANTHROPIC_DEFAULT_OPUS_MODEL" in step for step in main["steps"])
    assert details["small_fast"]["steps"]


# ---- Bedrock ------------------------------------------------------------------------------------


def test_bedrock_base_id_fails_with_the_profile_for_the_region(machine: Machine) -> None:
    machine.env.update(
        {
            **BEDROCK,
            "AWS_REGION": "eu-west-1",
            "ANTHROPIC_MODEL": "anthropic.claude-sonnet-4-5-20250929-v1:0",
        }
    )
    result = machine.check(CHECK)
    message = _only(result, Status.FAIL)
    assert "from ANTHROPIC_MODEL (shell environment)" in message
    assert "on-demand throughput isn’t supported" in message
    assert _snippet(result) == {
        "env": {"ANTHROPIC_MODEL": "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"}
    }
    assert result.fix is not None
    assert result.fix.commands[0].startswith(LISTING.format(region="eu-west-1"))


def test_bedrock_base_id_fix_uses_the_preferred_prefix(machine: Machine) -> None:
    machine.env.update(
        {
            **BEDROCK,
            "ANTHROPIC_BEDROCK_REGION_PREFIX": "global",
            "ANTHROPIC_MODEL": "anthropic.claude-opus-4-6-v1",
        }
    )
    result = machine.check(CHECK)
    _only(result, Status.FAIL)
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": "global.anthropic.claude-opus-4-6-v1"}}


@pytest.mark.parametrize(
    ("model", "style", "suggestion"),
    [
        (
            "claude-sonnet-4-5@20250929",
            "a Vertex-style name@date",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        (
            "claude-haiku-4-5-20251001",
            "an Anthropic API ID",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        ),
        ("claude-opus-4-6", "an Anthropic API ID", "<model ID>"),
    ],
)
def test_non_bedrock_ids_on_bedrock_are_invalid(
    machine: Machine, model: str, style: str, suggestion: str
) -> None:
    machine.env.update({**BEDROCK, "ANTHROPIC_MODEL": model})
    result = machine.check(CHECK)
    message = _only(result, Status.FAIL)
    assert f"is {style}, not a Bedrock ID" in message
    assert "The provided model identifier is invalid." in message
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": suggestion}}


def test_arn_with_encoded_slash_fails(machine: Machine) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile"
    machine.env.update({**BEDROCK, "ANTHROPIC_MODEL": f"{arn}%2Fabc123def456"})
    result = machine.check(CHECK)
    assert "contains %2F" in _only(result, Status.FAIL)
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": f"{arn}/abc123def456"}}


@pytest.mark.parametrize(
    ("model", "phrase"),
    [
        ("arn:aws:bedrock:us-east-1:123456789012:thing/x", "does not look like a Bedrock model"),
        ("my-team-profile", "not shaped like a Bedrock inference-profile ID"),
    ],
)
def test_odd_shapes_on_bedrock_warn(machine: Machine, model: str, phrase: str) -> None:
    machine.env.update({**BEDROCK, "ANTHROPIC_MODEL": model})
    assert phrase in _only(machine.check(CHECK), Status.WARN)


def test_misspelt_alias_on_bedrock_fails_with_a_guess(machine: Machine) -> None:
    machine.env.update({**BEDROCK, "ANTHROPIC_MODEL": "sonet"})
    result = machine.check(CHECK)
    assert "did you mean the alias 'sonnet'?" in _only(result, Status.FAIL)
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": "sonnet"}}


def test_bedrock_gateway_turns_failures_into_warnings(machine: Machine) -> None:
    machine.env.update(
        {
            **BEDROCK,
            "ANTHROPIC_BEDROCK_BASE_URL": "http://127.0.0.1:4000/bedrock",
            "ANTHROPIC_MODEL": "anthropic.claude-opus-4-6-v1",
        }
    )
    result = machine.check(CHECK)
    assert "unless the gateway in ANTHROPIC_BEDROCK_BASE_URL maps it" in _only(result, Status.WARN)
    assert result.details["endpoint"] == "Bedrock via the gateway in ANTHROPIC_BEDROCK_BASE_URL"


def test_broken_small_fast_model_is_a_warning(machine: Machine) -> None:
    machine.env.update(
        {**BEDROCK, "ANTHROPIC_DEFAULT_HAIKU_MODEL": "anthropic.claude-haiku-4-5-20251001-v1:0"}
    )
    result = machine.check(CHECK)
    message = _only(result, Status.WARN)
    assert message.startswith("small/fast model anthropic.claude-haiku-4-5-20251001-v1:0")
    assert "one-shot `claude -p` still runs" in message
    assert _snippet(result) == {
        "env": {"ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0"}
    }


def test_main_model_reused_for_background_work_is_reported_once(machine: Machine) -> None:
    machine.env.update({**BEDROCK, "ANTHROPIC_MODEL": "anthropic.claude-opus-4-6-v1"})
    result = machine.check(CHECK)
    assert result.details["small_fast"]["model_id"] == "anthropic.claude-opus-4-6-v1"
    assert _only(result, Status.FAIL).startswith("main model")


# ---- where the bad ID came from -----------------------------------------------------------------


def test_alias_pin_is_named_as_the_source(machine: Machine) -> None:
    machine.env.update(
        {
            **BEDROCK,
            "ANTHROPIC_MODEL": "opus",
            "ANTHROPIC_DEFAULT_OPUS_MODEL": "anthropic.claude-opus-4-6-v1",
        }
    )
    result = machine.check(CHECK)
    assert "from ANTHROPIC_DEFAULT_OPUS_MODEL (shell environment)" in _only(result, Status.FAIL)
    assert _snippet(result) == {
        "env": {"ANTHROPIC_DEFAULT_OPUS_MODEL": "us.anthropic.claude-opus-4-6-v1"}
    }


def test_model_override_is_named_as_the_source(machine: Machine) -> None:
    machine.claude_version = "2.1.337"
    machine.env.update(BEDROCK)
    machine.user_settings(
        {
            "model": "claude-opus-4-6",
            "modelOverrides": {"claude-opus-4-6": "anthropic.claude-opus-4-6-v1"},
        }
    )
    result = machine.check(CHECK)
    assert "from modelOverrides['claude-opus-4-6'] in user settings" in _only(result, Status.FAIL)
    assert _snippet(result) == {
        "modelOverrides": {"claude-opus-4-6": "us.anthropic.claude-opus-4-6-v1"}
    }
    # 2.1.197 sends a chosen model as it is, the override aside (tests/facts/session_models.md).
    machine.claude_version = "2.1.197"
    assert "from the model setting" in _only(machine.check(CHECK), Status.FAIL)


def test_model_setting_is_named_as_the_source(machine: Machine) -> None:
    path = machine.project_settings({"model": "anthropic.claude-opus-4-6-v1"})
    machine.env.update(BEDROCK)
    result = machine.check(CHECK)
    assert f"from the model setting in {path}" in _only(result, Status.FAIL)
    assert _snippet(result) == {"model": "us.anthropic.claude-opus-4-6-v1"}


def test_model_flag_is_named_as_the_source(machine: Machine) -> None:
    machine.env.update(BEDROCK)
    result = machine.check(CHECK, model_arg="anthropic.claude-opus-4-6-v1")
    assert "from --model" in _only(result, Status.FAIL)
    assert result.fix is not None
    assert result.fix.commands[0] == "claude --model us.anthropic.claude-opus-4-6-v1"


# ---- Vertex -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "phrase", "suggestion"),
    [
        ("claude-sonnet-4-5-20250929", "writes its date with a dash", "claude-sonnet-4-5@20250929"),
        (
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "is a Bedrock ID",
            "claude-haiku-4-5@20251001",
        ),
        ("anthropic.claude-opus-4-6-v1", "is a Bedrock ID", "claude-opus-4-6"),
    ],
)
def test_wrong_ids_on_vertex_fail(
    machine: Machine, model: str, phrase: str, suggestion: str
) -> None:
    machine.env.update({**VERTEX, "ANTHROPIC_MODEL": model})
    result = machine.check(CHECK)
    assert phrase in _only(result, Status.FAIL)
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": suggestion}}


def test_vertex_gateway_softens_and_odd_names_warn(machine: Machine) -> None:
    machine.env.update(
        {
            **VERTEX,
            "ANTHROPIC_VERTEX_BASE_URL": "http://127.0.0.1:4000/vertex_ai/v1",
            "ANTHROPIC_MODEL": "claude-sonnet-4-5-20250929",
        }
    )
    assert "unless the gateway" in _only(machine.check(CHECK), Status.WARN)
    machine.env.pop("ANTHROPIC_VERTEX_BASE_URL")
    machine.env["ANTHROPIC_MODEL"] = "publishers/anthropic/models/claude"
    assert "not shaped like a Vertex AI model name" in _only(machine.check(CHECK), Status.WARN)


# ---- Anthropic API and gateways -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "flag", "suggestion"),
    [
        (
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "CLAUDE_CODE_USE_BEDROCK",
            "claude-sonnet-4-5-20250929",
        ),
        ("claude-sonnet-4-5@20250929", "CLAUDE_CODE_USE_VERTEX", "claude-sonnet-4-5-20250929"),
    ],
)
def test_provider_ids_on_the_anthropic_api_fail(
    machine: Machine, model: str, flag: str, suggestion: str
) -> None:
    machine.env["ANTHROPIC_MODEL"] = model
    result = machine.check(CHECK)
    assert "Claude Code is talking to the Anthropic API" in _only(result, Status.FAIL)
    assert result.fix is not None and f"export {flag}=1" in result.fix.commands
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": suggestion}}


def test_provider_ids_behind_a_gateway_only_warn(machine: Machine) -> None:
    machine.env.update(
        {**GATEWAY, "ANTHROPIC_MODEL": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
    )
    assert "only if the gateway maps this name" in _only(machine.check(CHECK), Status.WARN)


@pytest.mark.parametrize(
    ("env", "status", "phrase"),
    [
        ({}, Status.FAIL, "did you mean the alias 'sonnet'?"),
        (GATEWAY, Status.WARN, "did you mean the alias 'sonnet'?"),
    ],
)
def test_misspelt_alias_on_the_anthropic_api(
    machine: Machine, env: dict[str, str], status: Status, phrase: str
) -> None:
    machine.env.update({**env, "ANTHROPIC_MODEL": "sonet"})
    assert phrase in _only(machine.check(CHECK), status)


@pytest.mark.parametrize(
    ("model", "suggestion"),
    [("Claude-Sonnet-4.5", "claude-sonnet-4-5"), ("claude opus", "<model ID>")],
)
def test_malformed_anthropic_id_fails(machine: Machine, model: str, suggestion: str) -> None:
    machine.env["ANTHROPIC_MODEL"] = model
    result = machine.check(CHECK)
    assert "is not an Anthropic model ID" in _only(result, Status.FAIL)
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": suggestion}}


@pytest.mark.parametrize(
    ("env", "status"), [({}, Status.FAIL), (GATEWAY, Status.FAIL), (BEDROCK, Status.FAIL)]
)
def test_quoted_model_id_fails_everywhere(
    machine: Machine, env: dict[str, str], status: Status
) -> None:
    machine.user_settings({"env": {**env, "ANTHROPIC_MODEL": "'claude-opus-4-6'"}})
    result = machine.check(CHECK)
    assert "is wrapped in literal quotes" in _only(result, status)
    assert _snippet(result) == {"env": {"ANTHROPIC_MODEL": "claude-opus-4-6"}}


def test_quoted_small_fast_model_only_warns(machine: Machine) -> None:
    machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = '"claude-haiku-4-5"'
    message = _only(machine.check(CHECK), Status.WARN)
    assert message.startswith("small/fast model") and "literal quotes" in message


def test_provider_id_on_foundry_warns(machine: Machine) -> None:
    machine.env.update(
        {**FOUNDRY, "ANTHROPIC_MODEL": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
    )
    result = machine.check(CHECK)
    assert "Foundry expects the name of a deployment" in _only(result, Status.WARN)


# ---- [1m] ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "model", "warns"),
    [
        ({}, "claude-haiku-4-5[1m]", True),
        # The client's model table gives Sonnet 4.5 the 1M beta, Opus 4.5 none.
        ({}, "claude-sonnet-4-5-20250929[1m]", False),
        ({}, "claude-opus-4-5[1m]", True),
        ({}, "claude-3-7-sonnet-20250219[1m]", True),
        ({}, "claude-opus-4-6[1m]", False),
        ({}, "claude-sonnet-5[1m]", False),
        ({}, "claude-fable-5[1m]", False),
        (BEDROCK, "sonnet[1m]", False),
        (BEDROCK, "haiku[1m]", True),
        (BEDROCK, "us.anthropic.claude-opus-4-6-v1[1m]", False),
        (
            BEDROCK,
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456[1m]",
            False,
        ),
        (GATEWAY, "my-alias[1m]", False),
    ],
)
def test_one_million_suffix_needs_a_model_that_has_it(
    machine: Machine, env: dict[str, str], model: str, warns: bool
) -> None:
    machine.env.update({**env, "ANTHROPIC_MODEL": model})
    result = machine.check(CHECK)
    if not warns:
        assert result.status is Status.PASS, _messages(result)
        return
    assert "asks for [1m], but this model has no 1M-context variant" in _only(result, Status.WARN)
    assert result.fix is not None and "Drop the [1m] suffix" in result.fix.text


@settings(max_examples=60, deadline=None)
@given(
    provider=st.sampled_from([{}, BEDROCK, VERTEX, FOUNDRY, GATEWAY]),
    model=st.text(min_size=1, max_size=60),
    haiku=st.one_of(st.none(), st.text(max_size=40)),
    overrides=st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=3),
)
def test_any_model_string_gives_a_verdict_never_an_error(
    tmp_path_factory: pytest.TempPathFactory,
    provider: dict[str, str],
    model: str,
    haiku: str | None,
    overrides: dict[str, str],
) -> None:
    machine = Machine(tmp_path_factory.mktemp("model"))
    machine.user_settings(
        {"env": {**provider, "ANTHROPIC_MODEL": model}, "modelOverrides": overrides}
    )
    if haiku is not None:
        machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = haiku.replace("\x00", "")
    result = machine.check(CHECK)
    assert result.status in (Status.PASS, Status.WARN, Status.FAIL), result.message


@pytest.mark.parametrize(
    ("model", "hinted"),
    [
        ("claude-sonnet-4-6", True),
        ("claude-sonnet-4-5-20250929", True),
        ("claude-opus-4-6", True),
        ("claude-sonnet-4-6[1m]", False),  # asks for it already
        ("claude-opus-4-8", False),  # a native 1M window
        ("claude-sonnet-5", False),
        ("claude-opus-4-5", False),  # no 1M variant
        ("claude-haiku-4-5", False),
    ],
)
def test_a_chosen_model_with_a_1m_variant_it_does_not_ask_for_gets_a_hint(
    machine: Machine, model: str, hinted: bool
) -> None:
    machine.env["ANTHROPIC_MODEL"] = model
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert ("hint" in result.details) is hinted
    assert ("[1m] asks for it" in result.message) is hinted


def test_no_hint_for_a_built_in_model(machine: Machine) -> None:
    machine.claude_version = "2.1.197"
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    result = machine.check(CHECK)
    assert "hint" not in result.details
