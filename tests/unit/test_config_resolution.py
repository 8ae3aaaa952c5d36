"""Configuration is resolved as Claude Code resolves it: sources, precedence, provenance."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdoctor.config.settings_files import Source
from ccdoctor.config.truthy import Flag, parse_flag
from ccdoctor.core.provider import Provider
from tests.machine import Machine


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", Flag.TRUE),
        ("true", Flag.TRUE),
        (" Yes ", Flag.TRUE),
        ("ON", Flag.TRUE),
        ("0", Flag.FALSE),
        ("False", Flag.FALSE),
        ("no", Flag.FALSE),
        ("off\t", Flag.FALSE),
        ("", Flag.UNSET),
        (None, Flag.UNSET),
        ("yes please", Flag.AMBIGUOUS),
        ("enabled", Flag.AMBIGUOUS),
        ("y", Flag.AMBIGUOUS),
    ],
)
def test_flags_parse_like_the_client(raw: str | None, expected: Flag) -> None:
    assert parse_flag(raw) is expected


def test_settings_env_beats_shell_and_records_what_it_shadowed(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = "http://shell.example"
    machine.user_settings({"env": {"ANTHROPIC_BASE_URL": "http://user.example"}})
    value = machine.resolve().env["ANTHROPIC_BASE_URL"]
    assert value.text == "http://user.example"
    assert value.origin.source is Source.USER
    assert [(v.origin.source, v.raw) for v in value.shadowed] == [
        (Source.SHELL, "http://shell.example")
    ]


def test_file_precedence_managed_cli_local_project_user(machine: Machine) -> None:
    name = "ANTHROPIC_MODEL"
    machine.user_settings({"env": {name: "user"}})
    machine.project_settings({"env": {name: "project"}})
    machine.local_settings({"env": {name: "local"}})
    cli_file = machine.write(machine.root / "cli.json", {"env": {name: "cli"}})
    machine.managed_settings({"env": {name: "managed"}})

    value = machine.resolve(settings_arg=str(cli_file)).env[name]
    assert value.text == "managed"
    assert [v.raw for v in value.shadowed] == ["cli", "local", "project", "user"]

    machine.managed_file.unlink()
    assert machine.resolve(settings_arg=str(cli_file)).env[name].text == "cli"
    assert machine.resolve().env[name].text == "local"


def test_settings_argument_accepts_inline_json(machine: Machine) -> None:
    config = machine.resolve(settings_arg='{"env": {"CLAUDE_CODE_USE_VERTEX": "1"}}')
    assert config.provider.provider is Provider.VERTEX
    assert config.env["CLAUDE_CODE_USE_VERTEX"].origin.source is Source.CLI


def test_empty_string_in_env_block_cancels_a_shell_export(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    machine.user_settings({"env": {"CLAUDE_CODE_USE_VERTEX": ""}})
    config = machine.resolve()
    assert config.get("CLAUDE_CODE_USE_VERTEX") is None
    assert config.provider.provider is Provider.ANTHROPIC


def test_broken_settings_file_is_dropped_with_its_env(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.user_settings('{"env": {"CLAUDE_CODE_USE_BEDROCK": "0",}}')
    config = machine.resolve()
    user = next(layer for layer in config.layers.files if layer.source is Source.USER)
    assert user.data is None
    assert user.error is not None and user.error.line == 1
    assert config.provider.provider is Provider.BEDROCK


def test_claude_config_dir_moves_the_user_settings(machine: Machine) -> None:
    other = machine.root / "elsewhere"
    machine.env["CLAUDE_CONFIG_DIR"] = str(other)
    machine.write(other / "settings.json", {"env": {"CLAUDE_CODE_USE_VERTEX": "true"}})
    machine.user_settings({"env": {"CLAUDE_CODE_USE_BEDROCK": "true"}})
    assert machine.resolve().provider.provider is Provider.VERTEX


def _started_below_git_root(machine: Machine) -> Path:
    (machine.project / ".git").mkdir()
    sub = machine.project / "pkg"
    sub.mkdir()
    machine.start_dir = sub
    return sub


# Watched on the real clients, started in pkg/ below a `git init` root, each file pointing
# ANTHROPIC_BASE_URL at a working fake or a dead port (exit 0 vs 1 says which file won).
@pytest.mark.parametrize(("version", "winner"), [("2.1.197", "start"), ("2.1.332", "root")])
def test_git_root_local_settings_versus_start_directory(
    machine: Machine, version: str, winner: str
) -> None:
    sub = _started_below_git_root(machine)
    machine.claude_version = version
    machine.write(sub / ".claude" / "settings.local.json", {"env": {"ANTHROPIC_MODEL": "start"}})
    machine.local_settings({"env": {"ANTHROPIC_MODEL": "root"}})
    assert machine.resolve().env["ANTHROPIC_MODEL"].text == winner


@pytest.mark.parametrize(("version", "read"), [("2.1.197", False), ("2.1.332", True)])
def test_git_root_local_settings_alone_are_read_by_newer_clients(
    machine: Machine, version: str, read: bool
) -> None:
    _started_below_git_root(machine)
    machine.claude_version = version
    root_local = machine.local_settings({"env": {"ANTHROPIC_MODEL": "root"}})
    config = machine.resolve()
    assert (str(root_local) in {layer.path for layer in config.layers.files}) is read
    model = config.env.get("ANTHROPIC_MODEL")
    assert (model.text if model else None) == ("root" if read else None)


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_git_root_project_settings_are_never_read_from_a_subdirectory(
    machine: Machine, version: str
) -> None:
    sub = _started_below_git_root(machine)
    machine.claude_version = version
    machine.project_settings(
        {"env": {"ANTHROPIC_MODEL": "root", "ANTHROPIC_SMALL_FAST_MODEL": "r"}}
    )
    machine.write(sub / ".claude" / "settings.json", {"env": {"ANTHROPIC_MODEL": "start"}})
    config = machine.resolve()
    assert config.env["ANTHROPIC_MODEL"].text == "start"
    assert "ANTHROPIC_SMALL_FAST_MODEL" not in config.env


def test_git_root_local_settings_beat_start_directory_project_settings(machine: Machine) -> None:
    sub = _started_below_git_root(machine)
    machine.claude_version = "2.1.332"
    machine.write(sub / ".claude" / "settings.json", {"env": {"ANTHROPIC_MODEL": "start"}})
    machine.local_settings({"env": {"ANTHROPIC_MODEL": "root"}})
    value = machine.resolve().env["ANTHROPIC_MODEL"]
    assert value.text == "root"
    assert [v.text for v in value.shadowed] == ["start"]


def test_start_directory_at_the_git_root_reads_its_local_settings_once(machine: Machine) -> None:
    (machine.project / ".git").mkdir()
    machine.claude_version = "2.1.332"
    machine.local_settings({"env": {"ANTHROPIC_MODEL": "root"}})
    local = [layer for layer in machine.resolve().layers.files if layer.source is Source.LOCAL]
    assert len(local) == 1


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, Provider.ANTHROPIC),
        ({"CLAUDE_CODE_USE_VERTEX": "1"}, Provider.VERTEX),
        ({"CLAUDE_CODE_USE_BEDROCK": "1", "CLAUDE_CODE_USE_VERTEX": "1"}, Provider.BEDROCK),
        ({"CLAUDE_CODE_USE_FOUNDRY": "1", "CLAUDE_CODE_USE_VERTEX": "1"}, Provider.FOUNDRY),
        ({"CLAUDE_CODE_USE_FOUNDRY": "yes"}, Provider.FOUNDRY),
        ({"CLAUDE_CODE_USE_BEDROCK": "0"}, Provider.ANTHROPIC),
        ({"CLAUDE_CODE_USE_BEDROCK": "yes please"}, Provider.ANTHROPIC),
    ],
)
def test_provider_precedence(machine: Machine, flags: dict[str, str], expected: Provider) -> None:
    machine.env.update(flags)
    assert machine.resolve().provider.provider is expected


def test_model_precedence_flag_env_setting_default(machine: Machine) -> None:
    machine.user_settings({"model": "claude-from-setting"})
    machine.env["ANTHROPIC_MODEL"] = "claude-from-env"
    assert machine.resolve(model_arg="claude-from-flag").main_model.model_id == "claude-from-flag"
    assert machine.resolve().main_model.model_id == "claude-from-env"
    del machine.env["ANTHROPIC_MODEL"]
    main = machine.resolve().main_model
    assert main.model_id == "claude-from-setting"
    assert main.origin.source is Source.USER


def test_provider_defaults_follow_the_client_version(machine: Machine) -> None:
    machine.claude_version = "2.1.197"
    assert machine.resolve().main_model.model_id == "claude-opus-4-8"
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.env["AWS_REGION"] = "eu-west-1"
    assert machine.resolve().main_model.model_id == "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = ""
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    assert machine.resolve().main_model.model_id == "claude-sonnet-4-5@20250929"
    machine.claude_version = "2.1.332"
    assert machine.resolve().main_model.model_id == "claude-opus-5-5"
    machine.env["CLAUDE_CODE_USE_VERTEX"] = ""
    assert machine.resolve().main_model.model_id == "claude-opus-5-5"
    machine.claude_version = None
    assert machine.resolve().main_model.model_id == "claude-opus-5-5"


def test_aliases_resolve_through_default_model_variables(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "sonnet[1m]"
    machine.env["ANTHROPIC_DEFAULT_SONNET_MODEL"] = "claude-sonnet-4-6"
    main = machine.resolve().main_model
    assert main.model_id == "claude-sonnet-4-6"
    assert main.one_million
    machine.env["ANTHROPIC_MODEL"] = "opusplan"
    assert machine.resolve().main_model.model_id == "claude-sonnet-4-6"


ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefghijkl"


def test_model_overrides_map_a_pinned_id_from_2_1_207_on(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "opus"
    machine.env["ANTHROPIC_DEFAULT_OPUS_MODEL"] = "claude-opus-4-6"
    machine.user_settings({"modelOverrides": {"claude-opus-4-6": ARN}})
    machine.claude_version = "2.1.207"
    assert machine.resolve().main_model.model_id == ARN
    machine.claude_version = "2.1.197"
    main = machine.resolve().main_model
    assert main.model_id == "claude-opus-4-6"
    assert "modelOverrides maps built-in IDs only in this version: sent as chosen" in main.steps


def test_model_overrides_map_a_built_in_id_on_every_version(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "sonnet"
    machine.user_settings({"modelOverrides": {"claude-sonnet-5": ARN, "claude-sonnet-5-5": ARN}})
    for version in ("2.1.197", "2.1.337"):
        machine.claude_version = version
        assert machine.resolve().main_model.model_id == ARN
    del machine.env["ANTHROPIC_MODEL"]
    machine.user_settings({"modelOverrides": {"claude-opus-5-5": ARN}})
    assert machine.resolve().main_model.model_id == ARN


@pytest.mark.parametrize(
    ("chosen", "key", "mapped"),
    [
        ("claude-opus-4-8", "claude-opus-4-8", True),
        ("Claude-Opus-4-8", "claude-opus-4-8", True),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", True),
        # Short names of dated models and IDs the client does not own are sent as they are.
        ("claude-sonnet-4-5", "claude-sonnet-4-5", False),
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", False),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5", False),
        ("my-gw-model", "my-gw-model", False),
    ],
)
def test_which_chosen_models_model_overrides_maps(
    machine: Machine, chosen: str, key: str, mapped: bool
) -> None:
    """As 2.1.207 to 2.1.337 did (tests/facts/session_models.md)."""
    machine.claude_version = "2.1.337"
    machine.env["ANTHROPIC_MODEL"] = chosen
    machine.user_settings({"modelOverrides": {key: "ovr"}})
    assert machine.resolve().main_model.model_id == ("ovr" if mapped else chosen)


def test_model_overrides_leave_a_chosen_provider_id_alone(machine: Machine) -> None:
    machine.claude_version = "2.1.337"
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.env["ANTHROPIC_MODEL"] = "us.anthropic.claude-opus-4-6-v1"
    machine.user_settings({"modelOverrides": {"claude-opus-4-6": ARN}})
    assert machine.resolve().main_model.model_id == "us.anthropic.claude-opus-4-6-v1"


def test_small_fast_model_pins_and_deprecated_name(machine: Machine) -> None:
    machine.env["ANTHROPIC_SMALL_FAST_MODEL"] = "claude-old-small"
    assert machine.resolve().small_model.model_id == "claude-old-small"
    machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = "claude-haiku-4-5"
    assert machine.resolve().small_model.model_id == "claude-haiku-4-5"


def test_background_work_uses_the_chosen_main_model_on_third_party_providers(
    machine: Machine,
) -> None:
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    machine.env["ANTHROPIC_MODEL"] = "claude-opus-4-6"
    assert machine.resolve().small_model.model_id == "claude-opus-4-6"


def test_bedrock_region_order_and_malformed_values(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.write(machine.home / ".aws" / "config", "[default]\nregion = eu-central-1\n")
    region = machine.resolve().bedrock_region
    assert (region.value, "config" in region.origin) == ("eu-central-1", True)

    machine.write(machine.home / ".aws" / "credentials", "[default]\nregion = ap-south-1\n")
    assert machine.resolve().bedrock_region.value == "ap-south-1"

    machine.env["AWS_DEFAULT_REGION"] = "us-west-2"
    assert machine.resolve().bedrock_region.value == "us-west-2"

    machine.env["AWS_REGION"] = "us-east-2 "
    assert machine.resolve().bedrock_region.value == "us-east-2"

    machine.env["AWS_REGION"] = "https://bedrock.example"
    region = machine.resolve().bedrock_region
    assert region.value == "us-west-2"
    assert region.skipped == (("AWS_REGION", "https://bedrock.example"),)


def test_bedrock_region_for_a_named_profile_and_fallback(machine: Machine) -> None:
    machine.write(machine.home / ".aws" / "config", "[profile work]\nregion = ca-central-1\n")
    machine.env["AWS_PROFILE"] = "work"
    config = machine.resolve()
    assert config.bedrock_region.value == "ca-central-1"
    assert config.bedrock_prefix == "global"
    machine.env["AWS_PROFILE"] = "other"
    assert machine.resolve().bedrock_region.value == "us-east-1"


@pytest.mark.parametrize(
    ("region", "setting", "prefix"),
    [
        ("us-east-1", None, "us"),
        ("eu-west-3", None, "eu"),
        ("ap-northeast-1", None, "apac"),
        ("sa-east-1", None, "global"),
        ("us-gov-west-1", None, "us-gov"),
        ("ap-northeast-1", "jp", "jp"),
        ("us-gov-west-1", "global", "us-gov"),
        ("eu-west-1", "mars", "eu"),
    ],
)
def test_inference_profile_prefix(
    machine: Machine, region: str, setting: str | None, prefix: str
) -> None:
    machine.env["AWS_REGION"] = region
    if setting:
        machine.env["ANTHROPIC_BEDROCK_REGION_PREFIX"] = setting
    assert machine.resolve().bedrock_prefix == prefix


def test_small_fast_region_only_with_a_pinned_small_model(machine: Machine) -> None:
    machine.env["AWS_REGION"] = "us-east-1"
    machine.env["ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION"] = "us-west-2"
    assert machine.resolve().small_model_region.value == "us-east-1"
    machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert machine.resolve().small_model_region.value == "us-west-2"


def test_vertex_region_per_model_override(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    machine.env["ANTHROPIC_MODEL"] = "claude-sonnet-4-5@20250929"
    machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = "claude-haiku-4-5@20251001"
    machine.env["CLOUD_ML_REGION"] = "global"
    machine.env["VERTEX_REGION_CLAUDE_HAIKU_4_5"] = "us-east5"
    regions = machine.resolve().vertex_regions
    assert (regions["main"].value, regions["main"].origin) == ("global", "CLOUD_ML_REGION")
    assert regions["small_fast"].value == "us-east5"


def test_vertex_region_default_and_malformed(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    assert machine.resolve().vertex_regions["main"].value == "us-east5"
    machine.env["CLOUD_ML_REGION"] = "'us-east5'"
    region = machine.resolve().vertex_regions["main"]
    assert region.value == "us-east5"
    assert region.skipped == (("CLOUD_ML_REGION", "'us-east5'"),)


def test_vertex_project_is_shadowed_by_google_variables(machine: Machine) -> None:
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = "anthropic-project"
    assert machine.resolve().vertex_project.value == "anthropic-project"
    machine.env["GOOGLE_CLOUD_PROJECT"] = "google-project"
    project = machine.resolve().vertex_project
    assert project.value == "google-project"
    assert project.shadowed == (("ANTHROPIC_VERTEX_PROJECT_ID", "anthropic-project"),)


def test_vertex_project_from_credentials_file(machine: Machine) -> None:
    key = machine.write(machine.root / "sa.json", {"type": "service_account", "project_id": "p1"})
    machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(key)
    project = machine.resolve().vertex_project
    assert (project.value, project.origin) == (
        "p1",
        "project_id in GOOGLE_APPLICATION_CREDENTIALS file",
    )


def test_non_string_env_values_are_stringified_like_json(machine: Machine) -> None:
    machine.user_settings({"env": {"CLAUDE_CODE_USE_BEDROCK": 1, "DISABLE_PROMPT_CACHING": True}})
    config = machine.resolve()
    assert config.provider.provider is Provider.BEDROCK
    assert config.get("DISABLE_PROMPT_CACHING") == "true"


def test_default_model_variable_is_last_before_provider_default(machine: Machine) -> None:
    machine.claude_version = "2.1.240"
    machine.env["ANTHROPIC_DEFAULT_MODEL"] = "claude-sonnet-4-6"
    assert machine.resolve().main_model.model_id == "claude-sonnet-4-6"
    machine.user_settings({"model": "claude-opus-4-6"})
    assert machine.resolve().main_model.model_id == "claude-opus-4-6"
    machine.claude_version = "2.1.197"
    machine.user_settings({})
    assert machine.resolve().main_model.model_id == "claude-opus-4-8"


def test_model_overrides_apply_to_the_provider_id_an_alias_resolves_to(machine: Machine) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefghijkl"
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.env["AWS_REGION"] = "us-east-1"
    machine.user_settings({"model": "opus", "modelOverrides": {"claude-opus-4-6": arn}})
    assert machine.resolve().main_model.model_id == arn
