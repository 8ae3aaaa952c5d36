"""Routes the client offers that ccdoctor does not diagnose yet (Bedrock Mantle): their flags take
part in the client version's precedence, and when one wins, the checks that judge a route stand
aside instead of failing the Anthropic API the client is not using."""

from __future__ import annotations

import json

import pytest

from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Status
from tests.machine import Machine
from tests.schema import validate_report

MANTLE = "CLAUDE_CODE_USE_MANTLE"
GOOGLE_CLOUD = "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD"


@pytest.mark.parametrize(("flag", "name"), [(MANTLE, "Bedrock Mantle")])
def test_a_winning_undiagnosed_route_is_named_and_nothing_judges_the_anthropic_api(
    machine: Machine, flag: str, name: str
) -> None:
    machine.env[flag] = "1"
    # Mantle's credentials are checked (credentials.mantle): give its AWS chain a key.
    machine.env.update({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "s"})
    results = machine.run()

    provider = results["config.provider"]
    assert provider.status is Status.WARN
    assert f"{flag} selects {name}, which ccdoctor does not diagnose yet" in provider.message
    credentials = results["credentials.anthropic"]
    assert credentials.status is Status.SKIP
    assert credentials.message == (
        f"Claude Code uses {name} ({flag}), which ccdoctor does not diagnose yet"
    )
    assert {r.id for r in results.values() if r.status is Status.FAIL} == set()
    assert results["config.env"].status is Status.PASS


def test_a_diagnosed_route_before_it_in_the_clients_order_still_wins(machine: Machine) -> None:
    machine.env.update({"CLAUDE_CODE_USE_BEDROCK": "1", MANTLE: "1"})
    choice = machine.resolve().provider
    assert choice.provider is Provider.BEDROCK
    assert choice.undiagnosed is None
    message = machine.check("config.provider").message
    assert "CLAUDE_CODE_USE_BEDROCK wins, so bedrock is used" in message


def test_claude_platform_on_google_cloud_before_vertex_wins_over_it(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update({"CLAUDE_CODE_USE_VERTEX": "1", GOOGLE_CLOUD: "1"})
    choice = machine.resolve().provider
    assert choice.provider is Provider.ANTHROPIC_GOOGLE_CLOUD
    assert choice.route_id == "anthropic_google_cloud"
    assert machine.check("region.vertex").status is Status.SKIP


def test_a_flag_the_clients_version_does_not_have_selects_nothing(machine: Machine) -> None:
    # Claude Platform on Google Cloud arrived after 2.1.197: that client takes Vertex.
    machine.claude_version = "2.1.197"
    machine.env.update({"CLAUDE_CODE_USE_VERTEX": "1", GOOGLE_CLOUD: "1"})
    choice = machine.resolve().provider
    assert choice.provider is Provider.VERTEX
    assert choice.undiagnosed is None


def test_the_report_names_the_route_and_stays_valid(machine: Machine) -> None:
    machine.env.update({MANTLE: "1", "AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key"})
    completed = machine.cli("--offline", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    validate_report(report)
    assert report["provider"] == "mantle"
