"""region.bedrock and region.vertex: where each model is called, and whether it fits there."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdoctor.context import RunOptions
from ccdoctor.core.results import CheckResult, Status
from ccdoctor.host import cloud as cloud_host
from ccdoctor.knowledge import regions
from tests.machine import Machine

OFFLINE = RunOptions(timeout=2.0, deadline=10.0, offline=True)


def problem_messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])]


def bedrock(machine: Machine, **env: str) -> CheckResult:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.env.update(env)
    return machine.check("region.bedrock")


def vertex(machine: Machine, **env: str) -> CheckResult:
    """The offline part alone: the live part is tested against a fake Vertex AI
    (tests/integration/test_live_vertex.py)."""
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = "my-project"
    machine.env.update(env)
    return machine.check("region.vertex", options=OFFLINE)


# --- region.bedrock ---------------------------------------------------------------------------


def test_bedrock_region_from_aws_region_passes(machine: Machine) -> None:
    result = bedrock(machine, AWS_REGION="us-west-2")
    assert result.status is Status.PASS
    assert "us-west-2 (AWS_REGION, shell environment)" in result.message
    assert "inference-profile prefix us" in result.message


def test_bedrock_built_in_default_passes_but_says_so(machine: Machine) -> None:
    result = bedrock(machine)
    assert result.status is Status.PASS
    assert result.message.startswith("us-east-1 (built-in default)")
    assert "none of AWS_REGION" in result.message


def test_bedrock_region_from_aws_config_file(machine: Machine) -> None:
    machine.write(machine.home / ".aws" / "config", "[default]\nregion = eu-west-1\n")
    result = bedrock(machine)
    assert result.status is Status.PASS
    assert result.message.startswith("eu-west-1 (region of profile 'default'")


def test_bedrock_file_region_ignored_by_old_client(machine: Machine) -> None:
    machine.claude_version = "2.1.150"
    machine.write(machine.home / ".aws" / "config", "[default]\nregion = eu-west-1\n")
    result = bedrock(machine)
    assert result.status is Status.WARN
    assert "does not read it and calls us-east-1" in result.message
    assert result.fix is not None
    assert "export AWS_REGION=eu-west-1" in result.fix.commands


def test_bedrock_malformed_region_is_named_with_where_and_what(machine: Machine) -> None:
    result = bedrock(machine, AWS_REGION="US-WEST-2", AWS_DEFAULT_REGION="eu-west-1")
    assert result.status is Status.WARN
    assert "AWS_REGION = 'US-WEST-2'" in result.message
    assert "uses eu-west-1 (AWS_DEFAULT_REGION)" in result.message
    assert result.fix is not None
    assert "export AWS_REGION=us-west-2" in result.fix.commands
    assert result.details["region"] == "eu-west-1"


def test_bedrock_malformed_region_in_config_file_suggests_aws_configure(machine: Machine) -> None:
    machine.write(machine.home / ".aws" / "config", "[default]\nregion = eu west 1\n")
    result = bedrock(machine)
    assert result.status is Status.WARN
    assert "'eu west 1'" in result.message
    assert result.fix is not None
    assert any(c.startswith("aws configure set region") for c in result.fix.commands)


def test_bedrock_unknown_region_warns_never_fails(machine: Machine) -> None:
    result = bedrock(machine, AWS_REGION="us-east-7")
    assert result.status is Status.WARN
    assert "not a Bedrock region ccdoctor knows" in result.message
    assert result.fix is not None
    assert "Did you mean" in result.fix.text


def test_bedrock_region_without_claude_warns(machine: Machine) -> None:
    result = bedrock(machine, AWS_REGION="me-south-1")
    assert result.status is Status.WARN
    assert "Claude is not documented there" in result.message
    assert result.fix is not None
    assert "export AWS_REGION=me-central-1" in result.fix.commands


def test_bedrock_profile_of_other_geography_warns(machine: Machine) -> None:
    result = bedrock(
        machine, AWS_REGION="eu-west-1", ANTHROPIC_MODEL="us.anthropic.claude-opus-4-8"
    )
    assert result.status is Status.WARN
    assert "us. inference profile" in result.message
    assert "called in eu-west-1" in result.message
    assert result.fix is not None
    assert "export ANTHROPIC_MODEL=eu.anthropic.claude-opus-4-8" in result.fix.commands
    # the small/fast model inherits the same model and region: reported once
    assert len(problem_messages(result)) == 1


def test_bedrock_global_profile_is_callable_from_commercial_regions(machine: Machine) -> None:
    result = bedrock(
        machine,
        AWS_REGION="sa-east-1",
        ANTHROPIC_MODEL="global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    )
    assert result.status is Status.PASS


def test_bedrock_small_model_profile_checked_in_its_own_region(machine: Machine) -> None:
    result = bedrock(
        machine,
        AWS_REGION="us-east-1",
        ANTHROPIC_DEFAULT_HAIKU_MODEL="us.anthropic.claude-haiku-4-5-20251001-v1:0",
        ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION="eu-central-1",
    )
    assert result.status is Status.WARN
    assert "small/fast model us.anthropic.claude-haiku" in result.message
    assert "called in eu-central-1 (ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION)" in result.message
    assert result.fix is not None
    assert any(
        c.startswith("export ANTHROPIC_DEFAULT_HAIKU_MODEL=eu.") for c in result.fix.commands
    )


def test_bedrock_small_region_with_pin_passes(machine: Machine) -> None:
    result = bedrock(
        machine,
        AWS_REGION="us-east-1",
        ANTHROPIC_DEFAULT_HAIKU_MODEL="us.anthropic.claude-haiku-4-5-20251001-v1:0",
        ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION="us-west-2",
    )
    assert result.status is Status.PASS
    assert "small/fast model in us-west-2" in result.message


def test_bedrock_small_region_without_haiku_pin_is_ignored(machine: Machine) -> None:
    result = bedrock(
        machine, AWS_REGION="us-east-1", ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION="us-west-2"
    )
    assert result.status is Status.WARN
    assert "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION=us-west-2 is ignored" in result.message
    assert result.fix is not None
    assert "ANTHROPIC_DEFAULT_HAIKU_MODEL" in result.fix.text


def test_bedrock_malformed_small_region_warns(machine: Machine) -> None:
    result = bedrock(
        machine,
        AWS_REGION="us-east-1",
        ANTHROPIC_DEFAULT_HAIKU_MODEL="us.anthropic.claude-haiku-4-5-20251001-v1:0",
        ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION="Oregon",
    )
    assert result.status is Status.WARN
    assert "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION='Oregon' is not shaped" in result.message


ARN_APP = "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/5dews3o6kky6"


def test_bedrock_application_profile_arn_in_other_region_fails(machine: Machine) -> None:
    result = bedrock(machine, AWS_REGION="us-east-1", ANTHROPIC_MODEL=ARN_APP)
    assert result.status is Status.FAIL
    assert "application-inference-profile ARN in us-west-2" in result.message
    assert "must go to the ARN's region" in result.message
    assert result.fix is not None
    assert "export AWS_REGION=us-west-2" in result.fix.commands


def test_bedrock_application_profile_arn_in_same_region_passes(machine: Machine) -> None:
    result = bedrock(machine, AWS_REGION="us-west-2", ANTHROPIC_MODEL=ARN_APP)
    assert result.status is Status.PASS


def test_bedrock_other_arn_kind_in_other_region_only_warns(machine: Machine) -> None:
    arn = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4-6"
    result = bedrock(machine, AWS_REGION="us-east-1", ANTHROPIC_MODEL=arn)
    assert result.status is Status.WARN
    assert "foundation-model ARN in eu-west-1" in result.message


def test_bedrock_small_model_arn_fix_names_small_region_variable(machine: Machine) -> None:
    result = bedrock(
        machine,
        AWS_REGION="us-west-2",
        ANTHROPIC_MODEL=ARN_APP,
        ANTHROPIC_DEFAULT_HAIKU_MODEL=ARN_APP.replace("us-west-2", "eu-west-1"),
    )
    assert result.status is Status.FAIL
    assert result.message.startswith("small/fast model is an application-inference-profile ARN")
    assert result.fix is not None
    assert "export ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION=eu-west-1" in result.fix.commands


def test_bedrock_invalid_prefix_setting_warns_with_valid_values(machine: Machine) -> None:
    machine.claude_version = "2.1.230"
    result = bedrock(machine, AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_REGION_PREFIX="europe")
    assert result.status is Status.WARN
    assert "'europe' is not one of apac, au, eu, global, jp, us" in result.message
    assert "ignores it" in result.message


def test_bedrock_prefix_setting_before_it_existed_warns(machine: Machine) -> None:
    result = bedrock(machine, AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_REGION_PREFIX="global")
    assert result.status is Status.WARN
    assert "reads it only from 2.1.224 on" in result.message


def test_bedrock_prefix_setting_ignored_in_govcloud(machine: Machine) -> None:
    machine.claude_version = "2.1.230"
    result = bedrock(machine, AWS_REGION="us-gov-west-1", ANTHROPIC_BEDROCK_REGION_PREFIX="us")
    assert result.status is Status.WARN
    assert "ignored in GovCloud" in result.message


def test_bedrock_prefix_setting_of_other_geography_warns_on_default_models(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    result = bedrock(machine, AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_REGION_PREFIX="jp")
    assert result.status is Status.WARN
    assert "jp.anthropic.claude-opus-5-5" in result.message
    assert "ANTHROPIC_BEDROCK_REGION_PREFIX=jp put it there" in result.message
    assert result.fix is not None
    assert "Or unset ANTHROPIC_BEDROCK_REGION_PREFIX." in result.fix.text


def test_bedrock_valid_prefix_setting_in_its_geography_passes(machine: Machine) -> None:
    machine.claude_version = "2.1.230"
    result = bedrock(machine, AWS_REGION="us-east-1", ANTHROPIC_BEDROCK_REGION_PREFIX="global")
    assert result.status is Status.PASS
    assert "inference-profile prefix global" in result.message


def test_bedrock_check_skips_other_providers(machine: Machine) -> None:
    assert machine.check("region.bedrock").status is Status.SKIP


@pytest.mark.parametrize(
    ("prefix", "region", "expected"),
    [
        ("us", "us-west-2", True),
        ("us", "eu-west-1", False),
        ("eu", "eu-central-2", True),
        ("jp", "ap-northeast-1", True),
        ("jp", "ap-southeast-2", False),
        ("au", "ap-southeast-4", True),
        ("global", "ca-central-1", True),
        ("global", "us-gov-west-1", False),
        ("us-gov", "us-gov-east-1", True),
        ("us", "xx-nowhere-1", None),
        ("zz", "us-east-1", None),
    ],
)
def test_profile_callable_from(prefix: str, region: str, expected: bool | None) -> None:
    assert regions.profile_callable_from(prefix, region) is expected


# --- region.vertex ----------------------------------------------------------------------------


def test_vertex_default_location_with_regional_model_passes(machine: Machine) -> None:
    result = vertex(machine)
    assert result.status is Status.PASS
    assert "claude-sonnet-4-5@20250929 → us-east5 (built-in default)" in result.message
    assert "us-east5-aiplatform.googleapis.com" in result.message


def test_vertex_global_location_shows_global_host(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    result = vertex(machine, CLOUD_ML_REGION="global")
    assert result.status is Status.PASS
    assert "claude-opus-5-5 → global (CLOUD_ML_REGION) at aiplatform.googleapis.com" in (
        result.message
    )


def test_vertex_multi_region_host(machine: Machine) -> None:
    result = vertex(machine, CLOUD_ML_REGION="eu")
    assert result.status is Status.PASS
    assert "aiplatform.eu.rep.googleapis.com" in result.message


def test_vertex_newest_default_model_on_default_regional_location_warns(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    result = vertex(machine)
    assert result.status is Status.WARN
    assert "main model claude-opus-5-5 is called in the regional location us-east5" in (
        result.message
    )
    assert result.fix is not None
    assert "export VERTEX_REGION_CLAUDE_5_5_OPUS=global" in result.fix.commands


@pytest.mark.parametrize("model", ["claude-opus-4-7", "claude-sonnet-5", "claude-fable-5"])
def test_vertex_newest_models_on_regional_location_warn(machine: Machine, model: str) -> None:
    result = vertex(machine, CLOUD_ML_REGION="europe-west1", ANTHROPIC_MODEL=model)
    assert result.status is Status.WARN
    assert f"main model {model} is called in the regional location europe-west1" in result.message


@pytest.mark.parametrize(
    "model",
    ["claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5@20251001", "claude-opus-4@20250514"],
)
def test_vertex_older_models_on_regional_location_pass(machine: Machine, model: str) -> None:
    result = vertex(machine, CLOUD_ML_REGION="europe-west1", ANTHROPIC_MODEL=model)
    assert result.status is Status.PASS


def test_vertex_per_model_override_beats_cloud_ml_region(machine: Machine) -> None:
    result = vertex(
        machine,
        CLOUD_ML_REGION="global",
        ANTHROPIC_MODEL="claude-opus-4-7",
        ANTHROPIC_DEFAULT_HAIKU_MODEL="claude-haiku-4-5@20251001",
        VERTEX_REGION_CLAUDE_HAIKU_4_5="us-east5",
    )
    assert result.status is Status.PASS
    locations = {m["role"]: m["location"] for m in result.details["models"]}
    assert locations == {"main": "global", "small/fast": "us-east5"}


def test_vertex_malformed_location_is_named(machine: Machine) -> None:
    result = vertex(machine, CLOUD_ML_REGION="Global")
    assert result.status is Status.WARN
    assert "CLOUD_ML_REGION='Global' is not shaped like a Vertex location" in result.message
    assert "uses us-east5 (built-in default)" in result.message
    assert result.fix is not None
    assert "export CLOUD_ML_REGION=global" in result.fix.commands
    # one finding although both models resolved through the same variable
    assert len(problem_messages(result)) == 1


def test_vertex_unknown_location_warns(machine: Machine) -> None:
    result = vertex(machine, CLOUD_ML_REGION="southamerica-east1")
    assert result.status is Status.WARN
    assert "southamerica-east1 (CLOUD_ML_REGION) is not one ccdoctor has seen" in result.message


def test_vertex_nonexistent_global_host_fails(machine: Machine) -> None:
    result = vertex(
        machine,
        CLOUD_ML_REGION="global",
        ANTHROPIC_VERTEX_BASE_URL="https://global-aiplatform.googleapis.com/v1",
    )
    assert result.status is Status.FAIL
    assert "global-aiplatform.googleapis.com, which does not exist" in result.message
    assert result.fix is not None
    assert "unset ANTHROPIC_VERTEX_BASE_URL" in result.fix.commands


def test_vertex_base_url_is_shown_as_host(machine: Machine) -> None:
    result = vertex(machine, ANTHROPIC_VERTEX_BASE_URL="https://gw.example.com/vertex/v1")
    assert result.status is Status.PASS
    assert "https://gw.example.com/vertex/v1 (ANTHROPIC_VERTEX_BASE_URL)" in result.message


def test_vertex_offline_asks_nothing(machine: Machine) -> None:
    result = vertex(machine, CLOUD_ML_REGION="southamerica-east1")
    assert "live" not in result.details


def test_vertex_live_part_without_a_token_keeps_the_offline_verdict(
    machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud_host, "DMI_DIRECTORY", tmp_path / "no-dmi")  # no Google Cloud VM
    machine.env.update(
        CLAUDE_CODE_USE_VERTEX="1",
        ANTHROPIC_VERTEX_PROJECT_ID="my-project",
        CLOUD_ML_REGION="southamerica-east1",
    )
    result = machine.check("region.vertex")
    assert result.status is Status.WARN
    assert "southamerica-east1 (CLOUD_ML_REGION) is not one ccdoctor has seen" in result.message
    assert result.details["live"] == {
        "skipped": "no Google access token to send (credentials.gcp says why)"
    }


def test_vertex_location_that_already_fails_is_not_asked_about(machine: Machine) -> None:
    # Were it asked, the call would go to a closed loopback port, never off this machine.
    machine.env.update(
        CLAUDE_CODE_USE_VERTEX="1",
        CLAUDE_CODE_SKIP_VERTEX_AUTH="1",
        ANTHROPIC_VERTEX_PROJECT_ID="my-project",
        ANTHROPIC_VERTEX_BASE_URL="http://127.0.0.1:9/global-aiplatform.googleapis.com/v1",
    )
    result = machine.check("region.vertex")
    assert result.status is Status.FAIL
    assert "global-aiplatform.googleapis.com, which does not exist" in result.message
    assert "live" not in result.details


def test_vertex_check_skips_other_providers(machine: Machine) -> None:
    assert machine.check("region.vertex").status is Status.SKIP
