"""Claude Platform on AWS and on Google Cloud, judged offline the way the client refuses them
before any request (tests/facts/claude_platform.md)."""

from __future__ import annotations

import json

import pytest

from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Status
from tests.machine import Machine
from tests.schema import validate_report

AWS = "CLAUDE_CODE_USE_ANTHROPIC_AWS"
GOOGLE_CLOUD = "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD"


@pytest.fixture
def aws(machine: Machine) -> Machine:
    machine.env.update(
        {AWS: "1", "ANTHROPIC_AWS_API_KEY": "sk-aws-0123456789", "ANTHROPIC_AWS_WORKSPACE_ID": "w1"}
    )
    return machine


@pytest.fixture
def google_cloud(machine: Machine) -> Machine:
    machine.claude_version = "2.1.332"
    machine.env.update(
        {
            GOOGLE_CLOUD: "1",
            "ANTHROPIC_GOOGLE_CLOUD_PROJECT": "my-proj",
            "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID": "wrkspc_1",
            "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH": "1",
        }
    )
    return machine


def test_aws_builds_the_regional_host_and_names_the_workspace(aws: Machine) -> None:
    aws.env["AWS_REGION"] = "eu-west-1"
    result = aws.check("region.platform_aws")
    assert result.status is Status.PASS
    assert "https://aws-external-anthropic.eu-west-1.api.aws/v1/messages" in result.message
    assert "workspace w1" in result.message


def test_aws_without_a_workspace_fails_with_the_clients_words(aws: Machine) -> None:
    del aws.env["ANTHROPIC_AWS_WORKSPACE_ID"]
    result = aws.check("region.platform_aws")
    assert result.status is Status.FAIL
    assert "No workspace ID found" in result.message
    assert result.fix is not None and "export ANTHROPIC_AWS_WORKSPACE_ID=" in result.fix.commands[0]


def test_aws_skip_auth_needs_no_workspace_and_sends_no_credential(aws: Machine) -> None:
    del aws.env["ANTHROPIC_AWS_WORKSPACE_ID"], aws.env["ANTHROPIC_AWS_API_KEY"]
    aws.env["CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH"] = "1"
    assert aws.check("region.platform_aws").status is Status.PASS
    credentials = aws.check("credentials.platform_aws")
    assert credentials.status is Status.PASS
    assert "none sent" in credentials.message


def test_aws_api_key_is_named_by_fingerprint_only(aws: Machine) -> None:
    result = aws.check("credentials.platform_aws")
    assert result.status is Status.PASS
    assert "x-api-key" in result.message
    assert "sk-aws-0123456789" not in result.message


def test_aws_without_key_or_aws_credentials_fails(aws: Machine) -> None:
    del aws.env["ANTHROPIC_AWS_API_KEY"]
    result = aws.check("credentials.platform_aws")
    assert result.status is Status.FAIL
    assert "Could not load AWS credentials" in result.message
    assert "AWS_BEARER_TOKEN_BEDROCK" not in result.message


def test_aws_signs_with_environment_keys_when_there_is_no_api_key(aws: Machine) -> None:
    del aws.env["ANTHROPIC_AWS_API_KEY"]
    aws.env.update({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x" * 40})
    result = aws.check("credentials.platform_aws")
    assert result.status is Status.PASS
    assert result.message.startswith("SigV4 (aws-external-anthropic)")


def test_a_quoted_aws_key_fails(aws: Machine) -> None:
    aws.env["ANTHROPIC_AWS_API_KEY"] = '"sk-aws-0123456789"'
    assert aws.check("credentials.platform_aws").status is Status.FAIL


@pytest.mark.parametrize(
    "variable",
    [
        "ANTHROPIC_GOOGLE_CLOUD_LOCATION",
        "ANTHROPIC_GOOGLE_CLOUD_PROJECT",
        "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID",
    ],
)
def test_google_cloud_path_segments_refuse_metacharacters_even_behind_a_base_url(
    google_cloud: Machine, variable: str
) -> None:
    google_cloud.env.update(
        {variable: "us.east1/x", "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": "http://127.0.0.1:9"}
    )
    result = google_cloud.check("region.platform_gcp")
    assert result.status is Status.FAIL
    assert f"{variable} may only contain letters, digits, hyphens, and underscores" in (
        result.message
    )


def test_google_cloud_builds_the_workspace_path_with_the_global_default(
    google_cloud: Machine,
) -> None:
    result = google_cloud.check("region.platform_gcp")
    assert result.status is Status.PASS
    assert (
        "https://claude.googleapis.com/v1/projects/my-proj/locations/global/workspaces/wrkspc_1"
        "/invoke/v1/messages" in result.message
    )


def test_google_cloud_without_a_workspace_fails_unless_a_base_url_replaces_the_path(
    google_cloud: Machine,
) -> None:
    del google_cloud.env["ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID"]
    result = google_cloud.check("region.platform_gcp")
    assert result.status is Status.FAIL
    assert "No workspace ID found" in result.message
    google_cloud.env["ANTHROPIC_GOOGLE_CLOUD_BASE_URL"] = "http://127.0.0.1:9"
    assert google_cloud.check("region.platform_gcp").status is Status.PASS


def test_google_cloud_project_falls_back_to_google_cloud_project(google_cloud: Machine) -> None:
    del google_cloud.env["ANTHROPIC_GOOGLE_CLOUD_PROJECT"]
    result = google_cloud.check("region.platform_gcp")
    assert result.status is Status.FAIL
    assert "No project was given" in result.message
    google_cloud.env["GOOGLE_CLOUD_PROJECT"] = "other-proj"
    result = google_cloud.check("region.platform_gcp")
    assert result.status is Status.PASS
    assert "/projects/other-proj/" in result.message


def test_google_cloud_project_left_to_the_credentials_only_warns(google_cloud: Machine) -> None:
    del google_cloud.env["ANTHROPIC_GOOGLE_CLOUD_PROJECT"]
    del google_cloud.env["CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH"]
    assert google_cloud.check("region.platform_gcp").status is Status.WARN


def test_google_cloud_without_adc_fails_but_a_bad_endpoint_is_named_first(
    google_cloud: Machine,
) -> None:
    del google_cloud.env["CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH"]
    result = google_cloud.check("credentials.platform_gcp")
    assert result.status is Status.FAIL
    assert "no Application Default Credentials" in result.message
    google_cloud.env["ANTHROPIC_GOOGLE_CLOUD_LOCATION"] = "us.east1"
    results = google_cloud.run()
    assert results["region.platform_gcp"].status is Status.FAIL
    assert results["credentials.platform_gcp"].status is Status.SKIP


def test_the_routes_variables_are_no_misspellings(aws: Machine) -> None:
    aws.claude_version = "2.1.332"
    aws.env.update(
        {
            "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH": "0",
            "ANTHROPIC_AWS_BASE_URL": "http://127.0.0.1:9",
            "ANTHROPIC_GOOGLE_CLOUD_PROJECT": "p",
            "ANTHROPIC_GOOGLE_CLOUD_LOCATION": "global",
            "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID": "w",
            "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": "http://127.0.0.1:9",
            "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH": "0",
        }
    )
    result = aws.check("config.env")
    assert "did you mean" not in result.message.lower(), result.message


def test_defaults_and_aliases_follow_the_observed_route(google_cloud: Machine) -> None:
    config = google_cloud.resolve()
    assert config.provider.provider is Provider.ANTHROPIC_GOOGLE_CLOUD
    assert config.main_model.model_id == "claude-opus-5-5"
    assert config.small_model.model_id == "claude-haiku-4-5-20251001"
    google_cloud.env["ANTHROPIC_MODEL"] = "sonnet"
    assert google_cloud.resolve().main_model.model_id == "claude-sonnet-5-5"
    google_cloud.env[GOOGLE_CLOUD] = ""
    google_cloud.env[AWS] = "1"
    assert google_cloud.resolve().main_model.model_id == "claude-sonnet-4-6"


def test_a_version_between_without_an_observed_row_uses_the_anthropic_apis(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.315"
    machine.env[GOOGLE_CLOUD] = "1"
    config = machine.resolve()
    assert config.provider.provider is Provider.ANTHROPIC_GOOGLE_CLOUD
    assert "no anthropic_google_cloud row observed" in config.defaults_source


def test_the_report_names_the_route_and_stays_valid(google_cloud: Machine) -> None:
    completed = google_cloud.cli("--offline", "--format", "json")
    assert completed.returncode == 0, completed.stdout
    report = json.loads(completed.stdout)
    validate_report(report)
    assert report["provider"] == "anthropic_google_cloud"


def test_anonymize_hides_the_google_cloud_project(google_cloud: Machine) -> None:
    google_cloud.env["ANTHROPIC_GOOGLE_CLOUD_PROJECT"] = "acme-secret-proj"
    completed = google_cloud.cli("--offline", "--format", "json", "--anonymize")
    assert completed.returncode == 0, completed.stdout
    assert "acme-secret-proj" not in completed.stdout
    assert "<project-1>" in completed.stdout
