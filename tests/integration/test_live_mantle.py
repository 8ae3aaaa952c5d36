"""models.mantle against a real server on 127.0.0.1 (the fake Anthropic API checking SigV4 for
bedrock-mantle with botocore's signer, as the real client's signatures pass it): the request the
client sends, signed as it signs, and each answer in the client's words."""

from __future__ import annotations

import pytest

from ccdoctor.context import RunOptions
from ccdoctor.core.results import Status
from tests.machine import Machine
from tests.peers.fake_anthropic import FakeAnthropic

CHECK = "models.mantle"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
OPTIONS = RunOptions(timeout=2.0, deadline=10.0)


@pytest.fixture
def mantle(machine: Machine, fake_anthropic: FakeAnthropic) -> FakeAnthropic:
    machine.claude_version = "2.1.332"
    fake_anthropic.configure(require_auth=False, sigv4_secrets={KEY_ID: SECRET})
    machine.env.update(
        {
            "CLAUDE_CODE_USE_MANTLE": "1",
            "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": fake_anthropic.url,
            "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET,
        }
    )
    return fake_anthropic


def _check(machine: Machine) -> Status:
    return machine.run(CHECK, options=OPTIONS)[CHECK].status


def test_sends_the_clients_request_signed_for_bedrock_mantle(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    result = machine.run(CHECK, options=OPTIONS)[CHECK]
    assert result.status is Status.PASS, result.message
    sent = mantle.requests_to("/v1/messages")
    assert [r.path for r in sent] == ["/v1/messages?beta=true"] * 2
    assert [r.body["model"] for r in sent] == [
        "anthropic.claude-opus-5-5",
        "anthropic.claude-sonnet-5",
    ]
    assert all(
        "/eu-west-1/bedrock-mantle/aws4_request" in (r.header("authorization") or "") for r in sent
    )
    assert all(r.header("anthropic-version") == "2023-06-01" for r in sent)


def test_a_wrong_secret_fails_as_the_clients_aws_authentication_failure(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    machine.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-0123456789abcdefghijklmnop"
    result = machine.run(CHECK, options=OPTIONS)[CHECK]
    assert result.status is Status.FAIL
    assert "the credential is refused (HTTP 403 The request signature" in result.message
    assert "AWS authentication failed · refresh your AWS credentials" in result.message
    # The client's fallback walks its chain on a 403 too: none answers.
    assert "none of them answers either" in result.message
    assert "not-the-secret-0123456789" not in repr(result)


def test_no_model_available_fails_with_the_clients_words_and_its_suggestion(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    mantle.configure(models={"claude-sonnet-4-5"})
    result = machine.run(CHECK, options=OPTIONS)[CHECK]
    assert result.status is Status.FAIL
    assert (
        "The model anthropic.claude-opus-5-5 is not available on your mantle deployment. Try "
        "--model to switch to anthropic.claude-opus-5, or ask your admin to enable this model."
    ) in result.message
    assert result.fix is not None
    assert "claude --model anthropic.claude-opus-5" in result.fix.commands
    asked = [r.body["model"] for r in mantle.requests_to("/v1/messages")]
    assert asked[:4] == [
        "anthropic.claude-opus-5-5",
        "anthropic.claude-opus-5",
        "anthropic.claude-opus-4-8",
        "anthropic.claude-opus-4-7",
    ]


@pytest.mark.parametrize("version", [None, "2.1.315", "2.1.280"])
def test_a_served_fallback_model_is_a_warning_naming_where_sessions_land(
    machine: Machine, mantle: FakeAnthropic, version: str | None
) -> None:
    # Observed on 2.1.280 … 2.1.337: "Opus 5.5 not available — using Opus 5 for this session",
    # exit 0 (2.1.280-2.1.315 too, whose Bedrock and Vertex have no fallback yet).
    if version is not None:
        machine.claude_version = version
    mantle.configure(models={"anthropic.claude-opus-5", "anthropic.claude-sonnet-5"})
    result = machine.run(CHECK, options=OPTIONS)[CHECK]
    assert result.status is Status.WARN, result.message
    assert "falls back to anthropic.claude-opus-5" in result.message
    assert result.fix is not None
    assert "export ANTHROPIC_MODEL=anthropic.claude-opus-5" in result.fix.commands


def test_2_1_197_has_no_fallback_and_suggests_its_small_fast_model(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    machine.claude_version = "2.1.197"
    mantle.configure(models={"anthropic.claude-haiku-4-5"})
    result = machine.run(CHECK, options=OPTIONS)[CHECK]
    assert result.status is Status.FAIL
    assert (
        "The model anthropic.claude-opus-4-7 is not available on your mantle deployment. Try "
        "--model to switch to anthropic.claude-haiku-4-5"
    ) in result.message
    assert "falls back" not in result.message


def test_a_bedrock_api_key_goes_as_a_bearer_without_a_signature(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    mantle.configure(sigv4_secrets=None)
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-0123456789"
    assert _check(machine) is Status.PASS
    sent = mantle.requests_to("/v1/messages")
    assert {r.header("authorization") for r in sent} == {"Bearer bedrock-api-key-0123456789"}


def test_skip_auth_sends_no_credential(machine: Machine, mantle: FakeAnthropic) -> None:
    mantle.configure(sigv4_secrets=None)
    machine.env["CLAUDE_CODE_SKIP_MANTLE_AUTH"] = "1"
    assert _check(machine) is Status.PASS
    assert {r.header("authorization") for r in mantle.requests_to("/v1/messages")} == {None}


def test_no_invoke_sends_nothing(machine: Machine, mantle: FakeAnthropic) -> None:
    options = RunOptions(timeout=2.0, deadline=10.0, no_invoke=True)
    assert machine.run(CHECK, options=options)[CHECK].status is Status.SKIP
    assert mantle.requests_to("/v1/messages") == []


def test_the_whole_run_is_green_and_reaches_the_mantle_host(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    results = machine.run(options=OPTIONS)
    failing = {i: r.message for i, r in results.items() if r.status in (Status.FAIL, Status.ERROR)}
    assert failing == {}
    assert results["proxy.reachable"].status is Status.PASS
    assert results["models.mantle"].status is Status.PASS
    assert results["credentials.anthropic"].status is Status.SKIP


def test_an_endpoint_echoing_the_request_leaks_no_credential(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    mantle.configure(sigv4_secrets=None, forced_status=403, echo_headers=True)
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-0123456789"
    result = machine.run(CHECK, options=OPTIONS)[CHECK]
    assert result.status is Status.FAIL
    assert "bedrock-api-key-0123456789" not in repr(result)


def test_a_session_token_signed_with_is_never_shown(
    machine: Machine, mantle: FakeAnthropic
) -> None:
    mantle.configure(sigv4_secrets=None, forced_status=403, echo_headers=True)
    machine.env["AWS_SESSION_TOKEN"] = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789"
    result = machine.run(CHECK, options=OPTIONS)[CHECK]
    assert result.status is Status.FAIL
    sent = mantle.requests_to("/v1/messages")[0]
    assert sent.header("x-amz-security-token") == "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789"
    assert "FwoGZXIvYXdzEXAMPLESESSIONTOKEN" not in repr(result)
