"""caching.prompt: the DISABLE_/ENABLE_/FORCE_ caching switches and base-URL side effects."""

from __future__ import annotations

import pytest

from ccdoctor.core.results import CheckResult, Status
from tests.machine import Machine

ARN_APP = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/5dews3o6kky6"


def run(machine: Machine, **env: str) -> CheckResult:
    machine.env.update(env)
    return machine.check("caching.prompt")


def messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])]


def test_nothing_set_passes_and_names_the_cached_models(machine: Machine) -> None:
    result = run(machine)
    assert result.status is Status.PASS
    assert result.message == (
        "prompt caching on for claude-opus-4-8 (main) and claude-haiku-4-5-20251001 (small/fast)"
    )


def test_disable_all_warns(machine: Machine) -> None:
    result = run(machine, DISABLE_PROMPT_CACHING="1")
    assert result.status is Status.WARN
    assert "DISABLE_PROMPT_CACHING=1 (shell environment) turns prompt caching off for all" in (
        result.message
    )
    assert "warns about it at start-up" in result.message
    assert result.fix is not None
    assert "unset DISABLE_PROMPT_CACHING" in result.fix.commands
    assert "May 2025" in result.fix.text


def test_disable_in_settings_file_names_the_file(machine: Machine) -> None:
    path = machine.user_settings({"env": {"DISABLE_PROMPT_CACHING": "true"}})
    result = run(machine)
    assert result.status is Status.WARN
    assert result.fix is not None
    assert str(path) in result.fix.text
    assert result.fix.commands == ()


@pytest.mark.parametrize("value", ["0", "false", " No "])
def test_false_values_keep_caching_on(machine: Machine, value: str) -> None:
    result = run(machine, DISABLE_PROMPT_CACHING=value)
    assert result.status is Status.PASS
    assert "DISABLE_PROMPT_CACHING set to a false value (caching stays on)" in result.message


def test_ambiguous_value_warns(machine: Machine) -> None:
    result = run(machine, DISABLE_PROMPT_CACHING="enabled")
    assert result.status is Status.WARN
    assert "'enabled'" in result.message
    assert "treats it as false, so caching stays on" in result.message


def test_per_model_switch_for_a_model_in_use_warns(machine: Machine) -> None:
    result = run(machine, DISABLE_PROMPT_CACHING_OPUS="1")
    assert result.status is Status.WARN
    assert "turns prompt caching off for opus models (claude-opus-4-8)" in result.message


def test_per_model_switch_for_a_model_not_in_use_has_no_effect(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_MODEL="claude-sonnet-5", DISABLE_PROMPT_CACHING_OPUS="1")
    assert result.status is Status.WARN
    assert "DISABLE_PROMPT_CACHING_OPUS has no effect: no model in use is of the opus family" in (
        result.message
    )
    assert "claude-sonnet-5" in result.message


def test_per_model_switch_is_not_judged_when_a_model_hides_its_family(machine: Machine) -> None:
    result = run(
        machine,
        CLAUDE_CODE_USE_BEDROCK="1",
        AWS_REGION="us-east-1",
        ANTHROPIC_MODEL=ARN_APP,
        DISABLE_PROMPT_CACHING_FABLE="1",
    )
    assert result.status is Status.PASS


def test_global_switch_with_per_model_switches_warns(machine: Machine) -> None:
    result = run(machine, DISABLE_PROMPT_CACHING="1", DISABLE_PROMPT_CACHING_HAIKU="1")
    assert result.status is Status.WARN
    assert any(
        m.startswith("DISABLE_PROMPT_CACHING_HAIKU is set together with DISABLE_PROMPT_CACHING")
        for m in messages(result)
    )


def test_one_hour_with_force_five_minutes_warns(machine: Machine) -> None:
    result = run(machine, ENABLE_PROMPT_CACHING_1H="1", FORCE_PROMPT_CACHING_5M="1")
    assert result.status is Status.WARN
    assert "FORCE_PROMPT_CACHING_5M wins" in result.message
    assert result.fix is not None
    assert "unset FORCE_PROMPT_CACHING_5M" in result.fix.commands


def test_one_hour_alone_passes_and_shows_the_ttl(machine: Machine) -> None:
    result = run(machine, ENABLE_PROMPT_CACHING_1H="1")
    assert result.status is Status.PASS
    assert result.message.endswith("; 1-hour TTL (ENABLE_PROMPT_CACHING_1H)")


def test_deprecated_bedrock_one_hour_variable_warns(machine: Machine) -> None:
    result = run(
        machine,
        CLAUDE_CODE_USE_BEDROCK="1",
        AWS_REGION="us-east-1",
        ENABLE_PROMPT_CACHING_1H_BEDROCK="1",
    )
    assert result.status is Status.WARN
    assert result.message.startswith("ENABLE_PROMPT_CACHING_1H_BEDROCK is deprecated")
    assert result.fix is not None
    assert "export ENABLE_PROMPT_CACHING_1H=1" in result.fix.commands


@pytest.mark.parametrize(
    ("flag", "extra"),
    [("CLAUDE_CODE_USE_BEDROCK", {"AWS_REGION": "us-east-1"}), ("CLAUDE_CODE_USE_VERTEX", {})],
)
def test_one_hour_on_cloud_with_old_client_warns(
    machine: Machine, flag: str, extra: dict[str, str]
) -> None:
    machine.claude_version = "2.1.120"
    result = run(machine, **{flag: "1", "ENABLE_PROMPT_CACHING_1H": "1", **extra})
    assert result.status is Status.WARN
    assert "versions before 2.1.132 get 400 errors" in result.message
    assert result.fix is not None
    assert "claude update" in result.fix.commands


def test_one_hour_on_cloud_with_fixed_client_passes(machine: Machine) -> None:
    result = run(
        machine, CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="us-east-1", ENABLE_PROMPT_CACHING_1H="1"
    )
    assert result.status is Status.PASS


def test_one_hour_on_anthropic_with_old_client_passes(machine: Machine) -> None:
    machine.claude_version = "2.1.120"
    assert run(machine, ENABLE_PROMPT_CACHING_1H="1").status is Status.PASS


@pytest.mark.parametrize(
    ("flag", "variable", "value"),
    [
        (
            "CLAUDE_CODE_USE_BEDROCK",
            "ANTHROPIC_BEDROCK_BASE_URL",
            "https://bedrock-runtime.us-east-1.amazonaws.com",
        ),
        ("CLAUDE_CODE_USE_VERTEX", "ANTHROPIC_VERTEX_BASE_URL", "https://gw.example.com/v1"),
    ],
)
def test_cloud_base_url_stops_system_block_caching(
    machine: Machine, flag: str, variable: str, value: str
) -> None:
    result = run(machine, **{flag: "1", variable: value})
    assert result.status is Status.WARN
    assert f"{variable} is set (shell environment)" in result.message
    assert "stops marking the mid-conversation system block" in result.message
    assert result.fix is not None
    assert f"unset {variable}" in result.fix.commands


def test_cloud_base_url_of_inactive_provider_does_not_matter(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_VERTEX_BASE_URL="https://gw.example.com/v1")
    assert result.status is Status.PASS
