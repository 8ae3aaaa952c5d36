"""config.policy: managed allowedProviders and deniedModels, judged as 2.1.332 enforces them
(tests/facts/mantle_gateway.md) and not at all for a version that ignores them."""

from __future__ import annotations

import pytest

from ccdoctor.core.results import Status
from tests.machine import Machine

CHECK = "config.policy"
MANTLE_AT_FAKE = {
    "CLAUDE_CODE_USE_MANTLE": "1",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": "http://127.0.0.1:4000",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture(autouse=True)
def _enforcing_client(machine: Machine) -> None:
    machine.claude_version = "2.1.332"


def test_no_managed_restriction_passes(machine: Machine) -> None:
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.message == "no managed restriction on routes or models"


def test_a_route_the_list_leaves_out_is_refused_with_the_route_to_add(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["bedrock"]})
    machine.env.update({"CLAUDE_CODE_USE_MANTLE": "1", "AWS_REGION": "eu-west-1"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "allow only bedrock" in result.message
    assert 'set up for Amazon Bedrock (Mantle) ("mantle")' in result.message
    assert result.fix is not None and '"mantle" to allowedProviders' in result.fix.text


def test_the_own_service_of_an_allowed_route_passes(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["mantle"]})
    machine.env.update(
        {
            "CLAUDE_CODE_USE_MANTLE": "1",
            "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": "https://bedrock-mantle.eu-west-1.api.aws/anthropic",
        }
    )
    assert machine.check(CHECK).status is Status.PASS


def test_an_allowed_route_on_another_host_is_a_custom_endpoint(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["mantle"]})
    machine.env.update(MANTLE_AT_FAKE)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "sends its Amazon Bedrock (Mantle) requests to 127.0.0.1:4000 over plain http" in (
        result.message
    )
    assert result.fix is not None
    assert result.fix.commands == ("unset ANTHROPIC_BEDROCK_MANTLE_BASE_URL",)
    assert '"customEndpoint"' in result.fix.text


def test_custom_endpoint_listed_but_not_pinned_is_refused(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["mantle", "customEndpoint"]})
    machine.env.update(MANTLE_AT_FAKE)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.fix is not None and "pin ANTHROPIC_BEDROCK_MANTLE_BASE_URL" in result.fix.text


def test_custom_endpoint_listed_and_pinned_in_the_managed_env_passes(machine: Machine) -> None:
    machine.managed_settings(
        {
            "allowedProviders": ["mantle", "customEndpoint"],
            "env": {"ANTHROPIC_BEDROCK_MANTLE_BASE_URL": "http://127.0.0.1:4000"},
        }
    )
    machine.env.update(MANTLE_AT_FAKE)
    assert machine.check(CHECK).status is Status.PASS


def test_any_anthropic_base_url_needs_custom_endpoint(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["anthropic"]})
    machine.env.update({"ANTHROPIC_BASE_URL": "https://llm.example.com", "ANTHROPIC_API_KEY": "k"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.fix is not None and result.fix.commands == ("unset ANTHROPIC_BASE_URL",)


def test_a_pinned_custom_endpoint_starts_whichever_routes_the_list_names(
    machine: Machine,
) -> None:
    # 2.1.337: ["anthropic", "customEndpoint"] with ANTHROPIC_BEDROCK_BASE_URL pinned let a
    # Bedrock session answer.
    machine.managed_settings(
        {
            "allowedProviders": ["anthropic", "customEndpoint"],
            "env": {"ANTHROPIC_BEDROCK_BASE_URL": "http://127.0.0.1:4000"},
        }
    )
    machine.env.update({"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"})
    assert machine.check(CHECK).status is Status.PASS


def test_an_unpinned_custom_endpoint_on_an_unlisted_route_names_the_route(
    machine: Machine,
) -> None:
    machine.managed_settings({"allowedProviders": ["anthropic", "customEndpoint"]})
    machine.env.update(
        {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "ANTHROPIC_BEDROCK_BASE_URL": "http://127.0.0.1:4000",
            "AWS_REGION": "us-east-1",
        }
    )
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    # As the client says: the endpoint is the cause, since listing bedrock would not admit it.
    assert "sends its Amazon Bedrock requests to 127.0.0.1:4000" in result.message
    assert '(not "bedrock")' in result.message
    assert result.fix is not None and not result.fix.commands
    assert "pin ANTHROPIC_BEDROCK_BASE_URL" in result.fix.text


PLATFORM_GCP_AT_FAKE = {
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": "1",
    "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": "http://127.0.0.1:4000",
    "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH": "1",
}


def test_claude_platform_on_google_cloud_is_refused_when_the_list_leaves_it_out(
    machine: Machine,
) -> None:
    machine.managed_settings({"allowedProviders": ["anthropic"]})
    machine.env.update(
        {**PLATFORM_GCP_AT_FAKE, "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": "https://claude.googleapis.com"}
    )
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert 'Claude Platform on Google Cloud ("anthropicGoogleCloud")' in result.message
    assert result.fix is not None and '"anthropicGoogleCloud" to allowedProviders' in (
        result.fix.text
    )


def test_anthropic_google_cloud_is_a_name_the_client_accepts(machine: Machine) -> None:
    # Not in the refusal's list of known names, yet the client keeps it (its own route's name):
    # ["anthropicGoogleCloud"] refused the session for its base URL, not for an empty list.
    machine.managed_settings({"allowedProviders": ["anthropicGoogleCloud"]})
    machine.env.update(PLATFORM_GCP_AT_FAKE)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "does not know" not in result.message
    assert "sends its Claude Platform on Google Cloud requests to 127.0.0.1:4000" in (
        result.message
    )
    assert result.fix is not None
    assert result.fix.commands == ("unset ANTHROPIC_GOOGLE_CLOUD_BASE_URL",)


def test_claude_platform_on_google_cloud_on_its_own_host_passes(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["anthropicGoogleCloud"]})
    machine.env.update(
        {
            **PLATFORM_GCP_AT_FAKE,
            "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": "https://claude.us-east5.rep.googleapis.com",
        }
    )
    assert machine.check(CHECK).status is Status.PASS


@pytest.mark.parametrize(
    ("value", "why"),
    [("bedrock", "is an empty list"), (["bedrok"], "lists only unrecognized entries")],
)
def test_a_list_with_no_known_provider_lets_nothing_start(
    machine: Machine, value: object, why: str
) -> None:
    machine.managed_settings({"allowedProviders": value})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert f"no API provider at all (allowedProviders {why}" in result.message


def test_an_unknown_entry_beside_a_known_one_is_a_warning(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["anthropic", "bedrok"]})
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "'bedrok'" in result.message


def test_allowed_providers_outside_managed_settings_is_not_a_restriction(
    machine: Machine,
) -> None:
    machine.user_settings({"allowedProviders": ["bedrock"]})
    assert machine.check(CHECK).status is Status.PASS


def test_a_version_that_ignores_the_keys_is_not_refused(machine: Machine) -> None:
    machine.claude_version = "2.1.197"
    machine.managed_settings({"allowedProviders": ["bedrock"], "deniedModels": ["opus"]})
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.message == (
        "the managed settings set allowedProviders and deniedModels, which Claude Code 2.1.197 "
        "does not enforce"
    )


def test_a_denied_model_is_a_warning_the_client_steps_down(machine: Machine) -> None:
    machine.managed_settings({"deniedModels": ["claude-opus-5-5"]})
    machine.env["ANTHROPIC_MODEL"] = "claude-opus-5-5"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert result.message.startswith(
        'Model "claude-opus-5-5" is restricted by your organization\'s settings.'
    )


def test_a_denied_family_covers_the_alias(machine: Machine) -> None:
    machine.managed_settings({"deniedModels": ["opus"]})
    machine.env["ANTHROPIC_MODEL"] = "opus"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert 'Model "opus" is restricted' in result.message


def test_a_model_the_list_does_not_name_passes(machine: Machine) -> None:
    machine.managed_settings({"deniedModels": ["haiku"]})
    machine.env["ANTHROPIC_MODEL"] = "claude-sonnet-5-5"
    assert machine.check(CHECK).status is Status.PASS


def test_every_family_denied_refuses_with_the_clients_words(machine: Machine) -> None:
    machine.managed_settings({"deniedModels": ["opus", "sonnet", "haiku", "fable"]})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.message.startswith(
        "Claude Code can't start: your organization's managed settings block the default model "
        '(claude-opus-5-5) in "deniedModels"'
    )


def test_a_gateway_sign_in_needs_gateway_in_the_list(machine: Machine) -> None:
    machine.managed_settings({"allowedProviders": ["anthropic", "bedrock"]})
    machine.env.update(
        {
            "CLAUDE_CODE_USE_GATEWAY": "1",
            "ANTHROPIC_BASE_URL": "https://gateway.example.com",
            "ANTHROPIC_AUTH_TOKEN": "t",
        }
    )
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.fix is not None and '"gateway" to allowedProviders' in result.fix.text


@pytest.mark.parametrize(
    ("version", "refused"),
    [("2.1.280", False), ("2.1.284", False), ("2.1.293", True), ("2.1.315", True)],
)
def test_allowed_providers_is_enforced_from_2_1_293(
    machine: Machine, version: str, refused: bool
) -> None:
    """Watched on every installed version (allowed_providers_* scenarios, 2026-12-07)."""
    machine.claude_version = version
    machine.managed_settings({"allowedProviders": ["bedrock"]})
    machine.env.update(MANTLE_AT_FAKE)
    assert machine.check(CHECK).status is (Status.FAIL if refused else Status.PASS)


@pytest.mark.parametrize(
    ("version", "refused"), [("2.1.280", False), ("2.1.284", True), ("2.1.315", True)]
)
def test_denied_models_is_enforced_from_2_1_284(
    machine: Machine, version: str, refused: bool
) -> None:
    """Watched on every installed version (denied_models_every_family, 2026-12-07)."""
    machine.claude_version = version
    machine.managed_settings({"deniedModels": ["opus", "sonnet", "haiku", "fable"]})
    assert machine.check(CHECK).status is (Status.FAIL if refused else Status.PASS)
