"""Edges of the choices resolution makes from the effective configuration: the route (and a
route ccdoctor does not diagnose), the Bedrock region and what was skipped on the way, the Vertex
project, and where the main model came from. Each origin is what the report shows the user.
(Written against the mutants `make mutation` left alive in ccdoctor/config/view.py.)"""

from __future__ import annotations

import json

import pytest

from ccdoctor.config.resolve import Origin
from ccdoctor.config.settings_files import Source
from ccdoctor.knowledge.models import DEFAULT_MODEL_VARIABLE_SINCE
from ccdoctor.knowledge.routes import Provider
from tests.machine import Machine

MAX_CREDENTIALS_FILE = 1024 * 1024


def test_the_winning_flag_names_the_route_and_every_flag_is_read(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update(CLAUDE_CODE_USE_MANTLE="1", CLAUDE_CODE_USE_VERTEX="true")
    choice = machine.resolve().provider

    assert choice.route_id == "mantle"
    assert choice.provider is Provider.MANTLE
    read = {f.variable: f.value.text if f.value else None for f in choice.flags}
    assert read["CLAUDE_CODE_USE_MANTLE"] == "1"
    assert read["CLAUDE_CODE_USE_VERTEX"] == "true"
    assert read["CLAUDE_CODE_USE_BEDROCK"] is None
    assert [f.variable for f in choice.truthy] == [
        "CLAUDE_CODE_USE_MANTLE",
        "CLAUDE_CODE_USE_VERTEX",
    ]


def test_no_truthy_flag_is_the_anthropic_route_with_every_flag_read(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "0"
    choice = machine.resolve().provider

    assert (choice.provider, choice.route_id) == (Provider.ANTHROPIC, "anthropic")
    assert "CLAUDE_CODE_USE_BEDROCK" in [f.variable for f in choice.flags]
    assert choice.truthy == ()


def test_the_bedrock_region_names_the_variable_it_came_from(machine: Machine) -> None:
    machine.env.update(CLAUDE_CODE_USE_BEDROCK="1", AWS_DEFAULT_REGION="eu-central-1")
    region = machine.resolve().bedrock_region
    assert (region.value, region.origin, region.skipped) == (
        "eu-central-1",
        "AWS_DEFAULT_REGION",
        (),
    )


def test_without_a_usable_region_the_default_says_so_and_lists_what_it_skipped(
    machine: Machine,
) -> None:
    machine.env.update(CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="Frankfurt")
    region = machine.resolve().bedrock_region
    assert (region.value, region.origin, region.skipped) == (
        "us-east-1",
        "built-in default",
        (("AWS_REGION", "Frankfurt"),),
    )


def test_an_empty_region_in_an_aws_file_is_unset_not_skipped(machine: Machine) -> None:
    machine.write(machine.home / ".aws" / "config", "[default]\nregion =\n")
    machine.env.update(CLAUDE_CODE_USE_BEDROCK="1")
    region = machine.resolve().bedrock_region
    assert (region.origin, region.skipped) == ("built-in default", ())


def test_the_small_fast_region_override_needs_a_pinned_small_model(machine: Machine) -> None:
    machine.env.update(
        CLAUDE_CODE_USE_BEDROCK="1",
        AWS_REGION="eu-west-1",
        ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION="us-west-2",
    )
    assert machine.resolve().small_model_region.origin == "AWS_REGION"

    machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = "haiku"
    small = machine.resolve().small_model_region
    assert (small.value, small.origin) == ("us-west-2", "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION")


def _credentials(machine: Machine, data: object, pad_to: int | None = None) -> None:
    text = json.dumps(data)
    if pad_to is not None:
        text += " " * (pad_to - len(text))
    machine.write(machine.project / "sa.json", text)
    machine.env.update(CLAUDE_CODE_USE_VERTEX="1", GOOGLE_APPLICATION_CREDENTIALS="sa.json")


def test_a_relative_credentials_path_is_read_from_the_start_directory(machine: Machine) -> None:
    _credentials(machine, {"project_id": "from-file"})
    project = machine.resolve().vertex_project
    assert (project.value, project.origin) == (
        "from-file",
        "project_id in GOOGLE_APPLICATION_CREDENTIALS file",
    )


@pytest.mark.parametrize(
    "data", [["project_id"], {"project_id": 5}, {"project_id": ""}, {"other": "x"}]
)
def test_a_credentials_file_without_a_project_name_gives_none(
    machine: Machine, data: object
) -> None:
    _credentials(machine, data)
    assert machine.resolve().vertex_project.value is None


def test_a_credentials_file_larger_than_a_mebibyte_is_not_read(machine: Machine) -> None:
    _credentials(machine, {"project_id": "big"}, pad_to=MAX_CREDENTIALS_FILE)
    assert machine.resolve().vertex_project.value == "big"

    _credentials(machine, {"project_id": "big"}, pad_to=MAX_CREDENTIALS_FILE + 1)
    assert machine.resolve().vertex_project.value is None


def test_the_model_flag_is_named_as_the_main_models_origin(machine: Machine) -> None:
    main = machine.resolve(model_arg="sonnet").main_model
    assert (main.requested, main.origin, main.explicit) == (
        "sonnet",
        Origin(Source.FLAG, "--model"),
        True,
    )


def test_without_a_choice_the_main_model_is_the_default_and_not_explicit(
    machine: Machine,
) -> None:
    main = machine.resolve().main_model
    assert (main.role, main.requested, main.explicit) == ("main", "default", False)
    assert main.steps[0] == "'default' from built-in default"


@pytest.mark.parametrize("word", ["default", "Inherit", " opusplan ", "HAIKU"])
def test_anthropic_default_model_naming_no_model_leaves_the_default(
    machine: Machine, word: str
) -> None:
    machine.claude_version = "2.1.332"
    machine.env["ANTHROPIC_DEFAULT_MODEL"] = word
    assert machine.resolve().main_model.explicit is False


def test_anthropic_default_model_counts_from_the_version_that_reads_it(machine: Machine) -> None:
    machine.env["ANTHROPIC_DEFAULT_MODEL"] = "claude-custom-1"
    machine.claude_version = ".".join(map(str, DEFAULT_MODEL_VARIABLE_SINCE))
    main = machine.resolve().main_model
    assert (main.model_id, main.explicit) == ("claude-custom-1", True)

    major, minor, patch = DEFAULT_MODEL_VARIABLE_SINCE
    machine.claude_version = f"{major}.{minor}.{patch - 1}"
    assert machine.resolve().main_model.explicit is False


def test_a_pinned_small_model_follows_the_alias_variables(machine: Machine) -> None:
    machine.env.update(
        ANTHROPIC_SMALL_FAST_MODEL="sonnet", ANTHROPIC_DEFAULT_SONNET_MODEL="claude-team-sonnet"
    )
    small = machine.resolve().small_model
    assert (small.role, small.model_id, small.explicit) == (
        "small_fast",
        "claude-team-sonnet",
        True,
    )


def test_without_a_pin_a_gateway_uses_an_explicit_main_model_for_background_work(
    machine: Machine,
) -> None:
    machine.env.update(ANTHROPIC_BASE_URL="http://127.0.0.1:9", ANTHROPIC_MODEL="claude-gw-1")
    small = machine.resolve().small_model
    assert (small.model_id, small.explicit) == ("claude-gw-1", True)

    del machine.env["ANTHROPIC_BASE_URL"]
    assert machine.resolve().small_model.model_id != "claude-gw-1"


@pytest.mark.parametrize(
    ("pinned", "model_id", "one_million"),
    [
        # Observed on 2.1.197, 2.1.257 and 2.1.332 (the model in the request to a fake API):
        # a pinned value is sent as it is, an alias or `default` in it is not followed...
        ("sonnet", "sonnet", False),
        ("default", "default", False),
        # ...but for its [1m] suffix.
        ("claude-x-1[1m]", "claude-x-1", True),
    ],
)
def test_an_alias_pinned_by_its_variable_is_sent_as_the_pin_says(
    machine: Machine, pinned: str, model_id: str, one_million: bool
) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update(
        ANTHROPIC_MODEL="opus",
        ANTHROPIC_DEFAULT_OPUS_MODEL=pinned,
        ANTHROPIC_DEFAULT_SONNET_MODEL="haiku",
    )
    main = machine.resolve().main_model
    assert (main.model_id, main.one_million) == (model_id, one_million)
    assert main.steps[1] == f"alias 'opus' → {pinned} via ANTHROPIC_DEFAULT_OPUS_MODEL"


def test_best_is_opus_and_opusplan_is_sonnet_outside_plan_mode(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    machine.env["ANTHROPIC_MODEL"] = "best"
    best = machine.resolve().main_model
    assert (best.model_id, best.one_million) == ("claude-opus-5-5", False)
    assert best.steps[1:] == ("alias 'opus' → claude-opus-5-5 (built-in)",)

    machine.env.update(ANTHROPIC_MODEL="opusplan", ANTHROPIC_DEFAULT_SONNET_MODEL="claude-x-3")
    plan = machine.resolve().main_model
    assert plan.model_id == "claude-x-3"
    assert plan.steps[1:] == (
        "opusplan uses sonnet outside plan mode (opus while planning)",
        "alias 'sonnet' → claude-x-3 via ANTHROPIC_DEFAULT_SONNET_MODEL",
    )


def test_a_default_with_a_1m_suffix_asks_for_the_1m_variant(machine: Machine) -> None:
    machine.claude_version = "2.1.197"  # its default is claude-opus-4-8[1m]
    main = machine.resolve().main_model
    assert (main.model_id, main.one_million) == ("claude-opus-4-8", True)
    assert main.steps[1:] == (
        "'default' is the provider default claude-opus-4-8[1m]",
        "[1m] suffix stripped (1M context requested)",
    )


def test_a_default_main_model_falls_back_along_the_routes_chain_without_itself(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update(CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="eu-west-1")
    config = machine.resolve()
    chain = config.fallback_models()

    assert config.main_model.model_id == "eu.anthropic.claude-opus-5-5"
    assert chain[:2] == ("eu.anthropic.claude-opus-5", "eu.anthropic.claude-opus-4-8")
    assert config.main_model.model_id not in chain
    assert not any("{prefix}" in model for model in chain)


@pytest.mark.parametrize(
    "env",
    [
        {"ANTHROPIC_MODEL": "opus"},  # a model the user chose is asked alone
        {"CLAUDE_CODE_NO_MODEL_FALLBACK": "1"},
        {"CLAUDE_CODE_DISABLE_MODEL_ACCESS_FALLBACK": "true"},
    ],
)
def test_no_fallback_for_a_chosen_model_or_when_a_variable_stops_it(
    machine: Machine, env: dict[str, str]
) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update(CLAUDE_CODE_USE_VERTEX="1", CLOUD_ML_REGION="us-east5", **env)
    assert machine.resolve().fallback_models() == ()


def test_no_fallback_on_a_route_without_a_chain_or_a_version_without_one(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    assert machine.resolve().fallback_models() == ()  # the Anthropic API
    machine.claude_version = "2.1.197"
    machine.env.update(CLAUDE_CODE_USE_VERTEX="1", CLOUD_ML_REGION="us-east5")
    assert machine.resolve().fallback_models() == ()


def test_each_vertex_model_is_called_in_its_own_regions_variable_or_cloud_ml_region(
    machine: Machine,
) -> None:
    machine.env.update(
        CLAUDE_CODE_USE_VERTEX="1",
        CLOUD_ML_REGION="us-east5",
        VERTEX_REGION_CLAUDE_4_5_SONNET="bad region",
    )
    config = machine.resolve()
    sonnet = config.vertex_region_for("claude-sonnet-4-5@20250929")
    assert (sonnet.value, sonnet.origin) == ("us-east5", "CLOUD_ML_REGION")
    assert sonnet.skipped == (("VERTEX_REGION_CLAUDE_4_5_SONNET", "bad region"),)
    assert config.vertex_region_for("claude-opus-4-8").origin == "CLOUD_ML_REGION"


def test_without_a_small_pin_a_cloud_route_uses_the_chosen_main_model_as_it_is(
    machine: Machine,
) -> None:
    machine.env.update(
        CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="eu-west-1", ANTHROPIC_MODEL="opus[1m]"
    )
    config = machine.resolve()
    small, main = config.small_model, config.main_model

    assert (small.role, small.requested, small.origin) == ("small_fast", "opus[1m]", main.origin)
    assert (small.model_id, small.one_million, small.explicit) == (main.model_id, True, True)
    assert small.steps == (
        *main.steps,
        "no small/fast pin: background work uses the main model",
    )


def test_the_default_small_model_is_not_explicit(machine: Machine) -> None:
    small = machine.resolve().small_model
    assert (small.role, small.origin, small.explicit) == (
        "small_fast",
        Origin(Source.DEFAULT),
        False,
    )


def test_the_aws_files_are_read_for_the_profile_in_use(machine: Machine) -> None:
    machine.write(machine.home / ".aws" / "config", "[profile dev]\nregion = eu-north-1\n")
    machine.env.update(AWS_PROFILE="dev")
    files = machine.resolve().aws_files
    assert (files.profile, files.profile_from_env) == ("dev", True)
    assert files.config == {"region": "eu-north-1"}


def test_gcloud_project_beats_google_cloud_project_and_both_beat_anthropics(
    machine: Machine,
) -> None:
    machine.env.update(
        CLAUDE_CODE_USE_VERTEX="1",
        GCLOUD_PROJECT="from-gcloud",
        GOOGLE_CLOUD_PROJECT="from-google",
        ANTHROPIC_VERTEX_PROJECT_ID="from-anthropic",
    )
    project = machine.resolve().vertex_project
    assert (project.value, project.origin) == ("from-gcloud", "GCLOUD_PROJECT")
    assert project.shadowed == (
        ("GOOGLE_CLOUD_PROJECT", "from-google"),
        ("ANTHROPIC_VERTEX_PROJECT_ID", "from-anthropic"),
    )


def test_an_absolute_credentials_path_is_read_where_it_points(machine: Machine) -> None:
    path = machine.write(machine.root / "elsewhere" / "sa.json", {"project_id": "absolute"})
    machine.env.update(CLAUDE_CODE_USE_VERTEX="1", GOOGLE_APPLICATION_CREDENTIALS=str(path))
    assert machine.resolve().vertex_project.value == "absolute"


def test_without_a_vertex_region_the_default_says_so(machine: Machine) -> None:
    machine.env.update(CLAUDE_CODE_USE_VERTEX="1", ANTHROPIC_VERTEX_PROJECT_ID="p")
    region = machine.resolve().vertex_regions["main"]
    assert (region.origin, region.skipped) == ("built-in default", ())
