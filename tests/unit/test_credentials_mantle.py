"""credentials.mantle: the AWS credential the client signs its Mantle requests with
(tests/facts/mantle_gateway.md), and nothing on any other route."""

from __future__ import annotations

import pytest

from ccdoctor.core.results import Status
from tests.machine import Machine

CHECK = "credentials.mantle"


@pytest.fixture(autouse=True)
def _mantle(machine: Machine) -> None:
    machine.claude_version = "2.1.332"
    machine.env.update({"CLAUDE_CODE_USE_MANTLE": "1", "AWS_REGION": "us-east-1"})


def test_nothing_in_the_chain_fails_with_the_clients_words(machine: Machine) -> None:
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "Could not load AWS credentials · Could not load credentials from any providers" in (
        result.message
    )
    assert result.fix is not None and "AWS_BEARER_TOKEN_BEDROCK" in result.fix.text


def test_environment_keys_sign_with_sigv4(machine: Machine) -> None:
    machine.env.update({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "s"})
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert "SigV4 for bedrock-mantle" in result.message


def test_a_bedrock_api_key_is_sent_as_a_bearer(machine: Machine) -> None:
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-secret"
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert "bedrock-api-key-secret" not in result.message


def test_skip_auth_sends_none(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_SKIP_MANTLE_AUTH"] = "1"
    assert machine.check(CHECK).status is Status.PASS


def test_bedrock_beating_mantle_leaves_it_to_the_bedrock_checks(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    result = machine.check(CHECK)
    assert result.status is Status.SKIP
    assert result.message == "not used with provider bedrock"
