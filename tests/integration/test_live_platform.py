"""models.platform_aws and models.platform_gcp against a real server on 127.0.0.1 (the fake
Anthropic API, which Claude Platform on AWS and on Google Cloud mirror): the request the client
sends, and each answer's verdict."""

from __future__ import annotations

from ccdoctor.context import RunOptions
from ccdoctor.core.results import Status
from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.peers.fake_vertex import FakeVertex, ServiceAccountKey


def _aws(machine: Machine, fake: FakeAnthropic) -> str:
    """Set the route up; the id of its models check."""
    machine.claude_version = "2.1.332"
    machine.env.update(
        {
            "CLAUDE_CODE_USE_ANTHROPIC_AWS": "1",
            "ANTHROPIC_AWS_BASE_URL": fake.url,
            "ANTHROPIC_AWS_API_KEY": DEFAULT_API_KEY,
            "ANTHROPIC_AWS_WORKSPACE_ID": "wrkspc_01",
        }
    )
    return "models.platform_aws"


def _google_cloud(machine: Machine, fake: FakeAnthropic) -> str:
    """Set the route up; the id of its models check."""
    machine.claude_version = "2.1.332"
    fake.configure(require_auth=False)
    machine.env.update(
        {
            "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": "1",
            "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": fake.url,
            "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH": "1",
        }
    )
    return "models.platform_gcp"


def test_aws_sends_the_clients_request_with_key_and_workspace(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    check = _aws(machine, fake_anthropic)
    result = machine.check(check)
    assert result.status is Status.PASS, result.message
    sent = fake_anthropic.requests_to("/v1/messages")
    assert [r.path for r in sent] == ["/v1/messages?beta=true"] * 2
    assert {r.body["model"] for r in sent} == {"claude-opus-5-5", "claude-haiku-4-5-20251001"}
    assert all(r.header("x-api-key") == DEFAULT_API_KEY for r in sent)
    assert all(r.header("anthropic-workspace-id") == "wrkspc_01" for r in sent)
    assert all(r.body["max_tokens"] == 1 for r in sent)


def test_aws_refused_credential_fails_without_showing_it(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    check = _aws(machine, fake_anthropic)
    machine.env["ANTHROPIC_AWS_API_KEY"] = "sk-wrong-key-0123456789"
    result = machine.check(check)
    assert result.status is Status.FAIL
    assert "the credential is refused (HTTP 401" in result.message
    assert "sk-wrong-key-0123456789" not in repr(result)


def test_google_cloud_model_not_served_fails_with_the_clients_words(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    check = _google_cloud(machine, fake_anthropic)
    fake_anthropic.configure(models={"claude-haiku-4-5-20251001"})
    result = machine.check(check)
    assert result.status is Status.FAIL
    assert "main model claude-opus-5-5 is not served (HTTP 404" in result.message
    assert "There's an issue with the selected model (claude-opus-5-5)" in result.message
    assert result.details["small_fast"]["verdict"] == "ok"


def test_google_cloud_403_names_the_iam_role(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    check = _google_cloud(machine, fake_anthropic)
    fake_anthropic.configure(forced_status=403)
    result = machine.check(check)
    assert result.status is Status.FAIL
    assert result.fix is not None and "roles/claude.user" in result.fix.text


def test_no_invoke_sends_nothing(machine: Machine, fake_anthropic: FakeAnthropic) -> None:
    check = _aws(machine, fake_anthropic)
    options = RunOptions(timeout=2.0, deadline=10.0, no_invoke=True)
    result = machine.run(check, options=options)[check]
    assert result.status is Status.SKIP
    assert fake_anthropic.requests_to("/v1/messages") == []


_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
_SESSION_TOKEN = "FwoGZXIvYXdzEJr" + "s" * 60


def _aws_keys(machine: Machine, fake: FakeAnthropic, secret_on_server: str) -> str:
    """No API key: the client signs with the chain's credentials (AWS keys in the env)."""
    check = _aws(machine, fake)
    del machine.env["ANTHROPIC_AWS_API_KEY"]
    fake.configure(
        require_auth=False,
        sigv4_secrets={_KEY_ID: secret_on_server},
        sigv4_service="aws-external-anthropic",
    )
    machine.env.update(
        {
            "AWS_ACCESS_KEY_ID": _KEY_ID,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
            "AWS_SESSION_TOKEN": _SESSION_TOKEN,
            "AWS_REGION": "eu-west-1",
        }
    )
    return check


def test_aws_without_a_key_signs_with_sigv4_as_the_client_does(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    check = _aws_keys(machine, fake_anthropic, _SECRET)
    result = machine.check(check)
    assert result.status is Status.PASS, result.message
    sent = fake_anthropic.requests_to("/v1/messages")
    assert len(sent) == 2
    for request in sent:
        authorization = request.header("authorization") or ""
        assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential={_KEY_ID}/")
        assert "/eu-west-1/aws-external-anthropic/aws4_request" in authorization
        assert request.header("x-amz-security-token") == _SESSION_TOKEN
        assert request.header("x-api-key") is None


def test_aws_refused_signature_fails_and_shows_no_secret(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    check = _aws_keys(machine, fake_anthropic, "another-secret")
    result = machine.check(check)
    assert result.status is Status.FAIL
    assert "HTTP 403" in result.message
    assert _SECRET not in repr(result) and _SESSION_TOKEN not in repr(result)


def test_google_cloud_sends_a_token_minted_from_the_application_default_credentials(
    machine: Machine,
    fake_anthropic: FakeAnthropic,
    fake_vertex: FakeVertex,
    service_account_key: ServiceAccountKey,
    off_google_cloud: None,
) -> None:
    check = _google_cloud(machine, fake_anthropic)
    del machine.env["CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH"]
    fake_vertex.add_service_account(service_account_key)
    key_file = machine.write(
        machine.root / "keys" / "sa.json", service_account_key.file_content(fake_vertex.token_url)
    )
    machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(key_file)
    result = machine.check(check)
    assert result.status is Status.PASS, result.message
    sent = fake_anthropic.requests_to("/v1/messages")
    assert sent
    for request in sent:
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        assert scheme == "Bearer"
        assert fake_vertex.issued(token) == service_account_key.email
        assert token not in repr(result)


def test_google_cloud_without_credentials_sends_nothing_and_blames_the_credentials(
    machine: Machine, fake_anthropic: FakeAnthropic, off_google_cloud: None
) -> None:
    check = _google_cloud(machine, fake_anthropic)
    del machine.env["CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH"]
    results = machine.run(check, options=RunOptions(timeout=2.0, deadline=10.0))
    assert results["credentials.platform_gcp"].status is Status.FAIL
    assert results[check].status is Status.SKIP
    assert "credentials.platform_gcp" in results[check].message
    assert fake_anthropic.requests_to("/v1/messages") == []
