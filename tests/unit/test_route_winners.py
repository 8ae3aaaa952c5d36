"""Which route wins when several flags are set, in the client version's order, and the report
naming the winner."""

from __future__ import annotations

import json

from ccdoctor.context import RunOptions
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Status
from tests.machine import Machine
from tests.schema import validate_report

MANTLE = "CLAUDE_CODE_USE_MANTLE"
GOOGLE_CLOUD = "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD"


def test_bedrock_before_mantle_in_the_clients_order_wins(machine: Machine) -> None:
    machine.env.update({"CLAUDE_CODE_USE_BEDROCK": "1", MANTLE: "1"})
    choice = machine.resolve().provider
    assert choice.provider is Provider.BEDROCK
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


def test_mantle_winning_judges_mantle_not_the_anthropic_api(machine: Machine) -> None:
    machine.env.update({MANTLE: "1", "AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key"})
    results = machine.run(options=RunOptions(offline=True))
    assert results["credentials.anthropic"].status is Status.SKIP
    assert results["credentials.mantle"].status is Status.PASS
    assert results["region.mantle"].status is Status.PASS


def test_the_report_names_the_route_and_stays_valid(machine: Machine) -> None:
    machine.env.update({MANTLE: "1", "AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key"})
    completed = machine.cli("--offline", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    validate_report(report)
    assert report["provider"] == "mantle"
