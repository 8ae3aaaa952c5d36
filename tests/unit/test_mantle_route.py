"""Bedrock Mantle as the client resolves it (tests/facts/mantle_gateway.md): the endpoint and the
region it signs for, the model IDs it sends per version, and the Mantle checks standing aside on
other routes."""

from __future__ import annotations

import pytest

from ccdoctor.config.endpoints import inference_endpoint
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Status
from ccdoctor.diagnose.base_urls import endpoints_in_use
from ccdoctor.providers.bedrock.mantle import fallback_models
from tests.machine import Machine

REGION = "region.mantle"


@pytest.fixture(autouse=True)
def _mantle(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update({"CLAUDE_CODE_USE_MANTLE": "1", "AWS_BEARER_TOKEN_BEDROCK": "key"})


def test_without_any_region_the_client_calls_us_east_1(machine: Machine) -> None:
    # Observed: no region is no refusal; the CONNECT went to bedrock-mantle.us-east-1.api.aws.
    result = machine.check(REGION)
    assert result.status is Status.PASS
    assert result.details["endpoint"] == "https://bedrock-mantle.us-east-1.api.aws/anthropic"
    assert result.details["region_from"] == "built-in default"


@pytest.mark.parametrize(
    ("env", "config", "region"),
    [
        ({"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "ap-south-1"}, None, "eu-central-1"),
        ({"AWS_DEFAULT_REGION": "ap-south-1"}, "eu-west-3", "ap-south-1"),
        ({}, "eu-west-3", "eu-west-3"),
    ],
)
def test_the_region_comes_from_the_variables_then_the_profile(
    machine: Machine, env: dict[str, str], config: str | None, region: str
) -> None:
    # Each row as observed on 2.1.332 and 2.1.197 (the SigV4 scope and the CONNECT host).
    machine.env.update(env)
    if config is not None:
        machine.write(machine.home / ".aws" / "config", f"[default]\nregion = {config}\n")
    result = machine.check(REGION)
    assert result.details["region"] == region
    assert result.details["endpoint"] == f"https://bedrock-mantle.{region}.api.aws/anthropic"


def test_a_region_outside_the_published_list_warns_but_does_not_fail(machine: Machine) -> None:
    machine.env["AWS_REGION"] = "mx-central-1"
    result = machine.check(REGION)
    assert result.status is Status.WARN
    assert "mx-central-1 (AWS_REGION) is not among the regions known to serve Claude" in (
        result.message
    )


def test_a_base_url_is_used_as_given_whatever_the_region(machine: Machine) -> None:
    machine.env.update(
        {"AWS_REGION": "mx-central-1", "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": "https://gw.test/m/"}
    )
    result = machine.check(REGION)
    assert result.status is Status.PASS
    assert result.details["endpoint"] == "https://gw.test/m"
    assert result.details["source"] == "ANTHROPIC_BEDROCK_MANTLE_BASE_URL"


@pytest.mark.parametrize(
    ("version", "main", "small"),
    [
        ("2.1.332", "anthropic.claude-opus-5-5", "anthropic.claude-sonnet-5"),
        ("2.1.280", "anthropic.claude-opus-5-5", "anthropic.claude-haiku-4-5"),
        ("2.1.219", "anthropic.claude-opus-5", "anthropic.claude-haiku-4-5"),
        ("2.1.197", "anthropic.claude-opus-4-7", "anthropic.claude-haiku-4-5"),
    ],
)
def test_the_default_models_are_the_observed_mantle_ids(
    machine: Machine, version: str, main: str, small: str
) -> None:
    machine.claude_version = version
    config = machine.resolve()
    assert config.provider.provider is Provider.MANTLE
    assert (config.main_model.model_id, config.small_model.model_id) == (main, small)


@pytest.mark.parametrize(
    ("alias", "sent"),
    [
        ("opus", "anthropic.claude-opus-5-5"),
        ("sonnet", "anthropic.claude-sonnet-5"),
        ("haiku", "anthropic.claude-haiku-4-5"),
    ],
)
def test_aliases_become_the_mantle_ids_the_client_sent(
    machine: Machine, alias: str, sent: str
) -> None:
    machine.env["ANTHROPIC_MODEL"] = alias
    assert machine.resolve().main_model.model_id == sent


CHAIN = ("anthropic.claude-opus-5", "anthropic.claude-opus-4-8", "anthropic.claude-opus-4-7")


@pytest.mark.parametrize(
    ("env", "chain"),
    [
        ({}, CHAIN),
        # Observed on 2.1.332: neither stop variable turns Mantle's start-up probe off.
        ({"CLAUDE_CODE_NO_MODEL_FALLBACK": "1"}, CHAIN),
        ({"CLAUDE_CODE_DISABLE_MODEL_ACCESS_FALLBACK": "1"}, CHAIN),
        ({"ANTHROPIC_MODEL": "opus"}, CHAIN),
        ({"ANTHROPIC_MODEL": "anthropic.claude-opus-5-5"}, ()),
        ({"ANTHROPIC_MODEL": "sonnet"}, ()),
        ({"CLAUDE_CODE_SKIP_MANTLE_AUTH": "1"}, ()),
    ],
)
def test_the_fallback_is_the_start_up_probes_as_observed(
    machine: Machine, env: dict[str, str], chain: tuple[str, ...]
) -> None:
    machine.env.update(env)
    assert fallback_models(machine.resolve()) == chain


@pytest.mark.parametrize(
    ("version", "chain"),
    [
        ("2.1.207", ("anthropic.claude-opus-4-7",)),
        ("2.1.257", ("anthropic.claude-opus-4-8", "anthropic.claude-opus-4-7")),
        ("2.1.315", CHAIN),
    ],
)
def test_older_clients_walk_their_own_chain_on_mantle_alone(
    machine: Machine, version: str, chain: tuple[str, ...]
) -> None:
    """2.1.207-2.1.315 have a Mantle fallback and none on Bedrock or Vertex (observed)."""
    machine.claude_version = version
    machine.env["CLAUDE_CODE_NO_MODEL_FALLBACK"] = "1"
    config = machine.resolve()
    assert fallback_models(config) == chain
    assert config.facts.fallback_chain(Provider.BEDROCK) == ()


def test_2_1_197_has_no_fallback(machine: Machine) -> None:
    machine.claude_version = "2.1.197"
    assert fallback_models(machine.resolve()) == ()


def test_an_inference_profile_id_warns_with_the_mantle_id(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "us.anthropic.claude-sonnet-4-6"
    result = machine.check("config.model")
    assert result.status is Status.WARN
    assert "expects IDs such as anthropic.claude-sonnet-4-6" in result.message


def test_a_mantle_id_is_taken_as_it_is(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "anthropic.claude-sonnet-5"
    assert machine.check("config.model").status is Status.PASS


def test_on_another_route_the_mantle_checks_stand_aside(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    for check in (REGION, "credentials.mantle"):
        assert machine.check(check).message == "not used with provider bedrock"


def test_the_network_stages_probe_the_mantle_host_of_the_region(machine: Machine) -> None:
    machine.env["AWS_REGION"] = "eu-west-1"
    config = machine.resolve()
    assert [(e.host, e.port) for e in endpoints_in_use(config)] == [
        ("bedrock-mantle.eu-west-1.api.aws", 443)
    ]
    endpoint = inference_endpoint(config)
    assert endpoint is not None
    assert endpoint.url == "https://bedrock-mantle.eu-west-1.api.aws/anthropic"


def test_the_network_stages_probe_the_base_url_when_set(machine: Machine) -> None:
    machine.env["ANTHROPIC_BEDROCK_MANTLE_BASE_URL"] = "https://mantle-gw.corp.test:8443/anthropic"
    assert [(e.host, e.port) for e in endpoints_in_use(machine.resolve())] == [
        ("mantle-gw.corp.test", 8443)
    ]
