"""CLAUDE_CODE_USE_GATEWAY: with ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN it takes the
session whatever route flag is set, and the gateway is asked for its own default model; without
one of them the client ignores it (tests/facts/mantle_gateway.md)."""

from __future__ import annotations

import json

import pytest

from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Status
from tests.machine import Machine
from tests.schema import validate_report

SIGN_IN = {
    "CLAUDE_CODE_USE_GATEWAY": "1",
    "ANTHROPIC_BASE_URL": "https://gateway.example.com",
    "ANTHROPIC_AUTH_TOKEN": "gw-secret-token-123",
}


@pytest.fixture(autouse=True)
def _newest_client(machine: Machine) -> None:
    machine.claude_version = "2.1.332"


@pytest.mark.parametrize("version", ["2.1.332", "2.1.315", "2.1.257", "2.1.207", "2.1.197"])
def test_the_sign_in_beats_bedrock_and_asks_the_gateways_default(
    machine: Machine, version: str
) -> None:
    """Watched on every installed version (gateway_sign_in_* scenarios); the files of
    2.1.207-2.1.315 lacked the fact until 2026-12-07, so their sign-in went unseen."""
    machine.claude_version = version
    machine.env.update({**SIGN_IN, "CLAUDE_CODE_USE_BEDROCK": "1"})
    config = machine.resolve()
    assert config.provider.provider is Provider.ANTHROPIC
    assert config.provider.route_id == "gateway"
    assert config.main_model.model_id == "claude-opus-4-7"
    result = machine.check("config.provider")
    assert result.status is Status.WARN
    assert "which beats CLAUDE_CODE_USE_BEDROCK" in result.message
    assert result.fix is not None and result.fix.commands == ("unset CLAUDE_CODE_USE_BEDROCK",)


@pytest.mark.parametrize("missing", ["ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN"])
def test_without_a_needed_variable_the_flag_is_ignored(machine: Machine, missing: str) -> None:
    machine.env.update({**SIGN_IN, "CLAUDE_CODE_USE_BEDROCK": "1"})
    del machine.env[missing]
    config = machine.resolve()
    assert config.provider.route_id == "bedrock"
    assert config.provider.gateway is None


def test_a_pinned_model_is_kept(machine: Machine) -> None:
    machine.env.update({**SIGN_IN, "ANTHROPIC_MODEL": "claude-sonnet-5-5"})
    assert machine.resolve().main_model.model_id == "claude-sonnet-5-5"


def test_the_report_names_the_gateway_and_keeps_the_token_out(machine: Machine) -> None:
    machine.env.update({**SIGN_IN, "CLAUDE_CODE_GATEWAY_TOKEN": "gw-other-secret-456"})
    completed = machine.cli("--offline", "--format", "json")
    report = json.loads(completed.stdout)
    validate_report(report)
    assert report["provider"] == "gateway"
    assert "gw-secret-token-123" not in completed.stdout + completed.stderr
    assert "gw-other-secret-456" not in completed.stdout + completed.stderr
    env = {c["id"]: c for c in report["checks"]}["config.env"]
    assert "is not a variable Claude Code reads" not in json.dumps(env)
