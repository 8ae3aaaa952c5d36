"""proxy.auth and models.anthropic against the fake Anthropic API and a real LiteLLM proxy, plus
the safety rules every live probe keeps: no credential follows a redirect, no secret reaches a
report, bodies are capped."""

from __future__ import annotations

import html
import json

import pytest

from ccdoctor.clients.facts import all_facts
from ccdoctor.core.redact import fingerprint
from ccdoctor.core.results import Status
from ccdoctor.wire import requests as client
from tests.integration.verdicts import apply_exports, verdict
from tests.machine import Machine
from tests.peers.fake_anthropic import (
    DEFAULT_API_KEY,
    DEFAULT_AUTH_TOKEN,
    DEFAULT_OAUTH_TOKEN,
    KNOWN_BETAS,
    OAUTH_BETA,
    FakeAnthropic,
)
from tests.peers.litellm_proxy import LiteLLMProxy
from tests.schema import validate_report

SERVED = "claude-sonnet-4-5"
UNSERVED = "claude-nonexistent-1"
SCRUBBED_KEY = "anthropic_api_key: 43 chars …0000"
"""The redactor's fingerprint of DEFAULT_API_KEY where a server echoed it."""
SCRUBBED_HEADER = "header-value: 28 chars …6789"


def gateway(machine: Machine, url: str, **env: str) -> Machine:
    machine.env["ANTHROPIC_BASE_URL"] = url
    machine.env.update(env or {"ANTHROPIC_API_KEY": DEFAULT_API_KEY})
    return machine


# --- the fake Anthropic API --------------------------------------------------------------------


def test_the_request_has_the_clients_shape(machine: Machine, fake_anthropic: FakeAnthropic) -> None:
    gateway(
        machine,
        fake_anthropic.url,
        ANTHROPIC_AUTH_TOKEN=DEFAULT_AUTH_TOKEN,
        ANTHROPIC_MODEL=SERVED,
        ANTHROPIC_CUSTOM_HEADERS="X-Team: platform\\nX-Trace-Id: ccdoctor",
    )

    verdict(machine, "models.anthropic").assert_green()

    # proxy.conformance (a need) also sends one request carrying a beta no server knows.
    (sent,) = [
        r
        for r in fake_anthropic.requests_to("/v1/messages")
        if client.PROBE_BETA not in (r.header("anthropic-beta") or "")
    ]
    assert (sent.method, sent.path) == ("POST", "/v1/messages?beta=true")
    assert sent.header("anthropic-version") == "2023-06-01"
    betas = (sent.header("anthropic-beta") or "").split(",")
    assert betas[0] == "claude-code-20250219"
    assert sent.header("x-app") == "cli"
    assert sent.header("authorization") == f"Bearer {DEFAULT_AUTH_TOKEN}"
    assert sent.header("x-api-key") is None
    assert sent.header("x-team") == "platform"
    assert sent.header("x-trace-id") == "ccdoctor"
    assert sent.body["model"] == SERVED
    assert sent.body["max_tokens"] == 1
    assert sent.body["stream"] is True


@pytest.mark.parametrize("version", [f.version_text for f in all_facts()])
def test_an_oauth_token_goes_with_the_oauth_beta_where_the_client_puts_it(
    machine: Machine, fake_anthropic: FakeAnthropic, version: str
) -> None:
    machine.claude_version = version
    gateway(
        machine,
        fake_anthropic.url,
        CLAUDE_CODE_OAUTH_TOKEN=DEFAULT_OAUTH_TOKEN,
        ANTHROPIC_MODEL=SERVED,
    )

    verdict(machine, "models.anthropic").assert_green()

    (sent,) = [
        r
        for r in fake_anthropic.requests_to("/v1/messages")
        if client.PROBE_BETA not in (r.header("anthropic-beta") or "")
    ]
    facts = next(f for f in all_facts() if f.version_text == version)
    assert sent.header("authorization") == f"Bearer {DEFAULT_OAUTH_TOKEN}"
    assert sent.header("x-api-key") is None
    assert (sent.header("anthropic-beta") or "").split(",") == list(facts.anthropic_betas_oauth)


def test_an_oauth_token_behind_an_api_key_is_not_sent_and_needs_no_oauth_beta(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    gateway(
        machine,
        fake_anthropic.url,
        ANTHROPIC_API_KEY=DEFAULT_API_KEY,
        CLAUDE_CODE_OAUTH_TOKEN=DEFAULT_OAUTH_TOKEN,
        ANTHROPIC_MODEL=SERVED,
    )

    verdict(machine, "proxy.auth").assert_green()

    for sent in fake_anthropic.requests:
        assert OAUTH_BETA not in (sent.header("anthropic-beta") or "")
        assert sent.header("authorization") is None


def test_the_fake_knows_every_beta_the_client_sends() -> None:
    sent = {client.ONE_MILLION_BETA}.union(
        *(f.anthropic_betas for f in all_facts()),
        *(f.anthropic_betas_oauth for f in all_facts()),
    )
    assert sent <= KNOWN_BETAS
    assert client.PROBE_BETA not in KNOWN_BETAS


def test_wrong_key_is_rejected_by_name_and_the_right_key_is_green(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    gateway(machine, fake_anthropic.url, ANTHROPIC_API_KEY="sk-ant-api03-wrong-key-0123456789")

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.auth"
    assert failure.message.startswith(
        "127.0.0.1 rejected ANTHROPIC_API_KEY (sent as x-api-key, <key: 33 chars …6789>): "
        "HTTP 401 invalid x-api-key"
    )
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    verdict(machine).assert_green()


def test_no_key_is_one_failure_and_a_key_is_green(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    gateway(machine, fake_anthropic.url, ANTHROPIC_MODEL=SERVED)

    failure = verdict(machine).only_failure()

    assert failure.id == "credentials.anthropic"
    machine.env["ANTHROPIC_AUTH_TOKEN"] = DEFAULT_AUTH_TOKEN
    verdict(machine).assert_green()


def test_unknown_main_model_fails_and_the_served_model_from_the_fix_is_green(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(models={SERVED, "claude-haiku-4-5-20251001"})
    gateway(machine, fake_anthropic.url).env["ANTHROPIC_MODEL"] = UNSERVED

    failure = verdict(machine).only_failure()

    assert failure.id == "models.anthropic"
    assert failure.message.startswith(f"main model: 127.0.0.1 does not serve {UNSERVED}: HTTP 404")
    assert failure.fix is not None
    assert f"It serves: claude-haiku-4-5-20251001, {SERVED}." in failure.fix.text
    assert apply_exports(machine, failure.fix) == {"ANTHROPIC_MODEL": "claude-haiku-4-5-20251001"}
    verdict(machine).assert_green()


def test_unknown_small_model_is_only_a_warning(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(models={SERVED})
    gateway(machine, fake_anthropic.url, ANTHROPIC_MODEL=SERVED)
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = UNSERVED

    result = verdict(machine)

    result.assert_green()
    (warning,) = result.warnings
    assert warning.id == "models.anthropic"
    assert warning.message.startswith(f"small/fast model: 127.0.0.1 does not serve {UNSERVED}")
    assert apply_exports(machine, warning.fix) == {"ANTHROPIC_DEFAULT_HAIKU_MODEL": SERVED}
    assert not verdict(machine).warnings


def test_rejected_beta_is_named_and_disabling_experimental_betas_is_green(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(rejected_betas={"context-management-2025-06-27"})
    gateway(machine, fake_anthropic.url)

    failure = verdict(machine).only_failure()

    # A gateway's answer about its features belongs to the gateway, as the client fails on it.
    assert failure.id == "proxy.conformance"
    assert "the gateway rejects Claude Code's beta features" in failure.message
    assert "`context-management-2025-06-27`" in failure.message
    assert apply_exports(machine, failure.fix) == {"CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1"}
    fake_anthropic.reset()
    fake_anthropic.configure(rejected_betas={"context-management-2025-06-27"})
    verdict(machine).assert_green()
    for sent in fake_anthropic.requests_to("/v1/messages"):
        betas = set((sent.header("anthropic-beta") or "").split(","))
        facts = machine.resolve().facts
        experimental = set(facts.anthropic_betas) - set(facts.anthropic_betas_without_experimental)
        assert not betas & experimental, betas


def test_a_rejected_beta_the_client_keeps_without_experimental_betas_has_no_variable_fix(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    # Observed on 2.1.197: effort-2025-11-24 is sent even with the variable set.
    fake_anthropic.configure(rejected_betas={"effort-2025-11-24"})
    gateway(
        machine,
        fake_anthropic.url,
        ANTHROPIC_API_KEY=DEFAULT_API_KEY,
        CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS="1",
    )

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.conformance"
    assert failure.fix is not None and failure.fix.commands == ()
    assert "Claude Code sends it even with CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1" in (
        failure.fix.text
    )


def test_a_client_that_drops_a_rejected_beta_gets_a_warning_and_the_request_it_sends_again(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    # 2.1.332 answers "Unexpected value(s) `X`" by sending the request once more without X.
    machine.claude_version = "2.1.332"
    fake_anthropic.configure(rejected_betas={"context-management-2025-06-27"})
    gateway(machine, fake_anthropic.url)

    result = verdict(machine)

    result.assert_green()
    warning = next(w for w in result.warnings if w.id == "proxy.conformance")
    assert (
        "rejects the anthropic-beta value context-management-2025-06-27 (HTTP 400)"
        in warning.message
    )
    assert "Claude Code 2.1.332 sends each request again without it" in warning.message
    main = machine.resolve().main_model.model_id
    sent = fake_anthropic.requests_to("/v1/messages")
    streamed = [r for r in sent if r.body.get("stream") and r.body.get("model") == main]
    assert len(streamed) == 2
    first, second = (set((r.header("anthropic-beta") or "").split(",")) for r in streamed)
    assert first - second == {"context-management-2025-06-27"}
    assert apply_exports(machine, warning.fix) == {"CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1"}
    assert not [w for w in verdict(machine).warnings if w.id == "proxy.conformance"]


@pytest.mark.parametrize(("status", "words"), [(429, "rate-limiting"), (529, "overloaded")])
def test_rate_limit_and_overload_of_the_main_model_fail(
    machine: Machine, fake_anthropic: FakeAnthropic, status: int, words: str
) -> None:
    # The client gives up on both at once in a one-shot run (529 after ~2 s even with retries).
    fake_anthropic.configure(forced_status=status)

    failure = verdict(gateway(machine, fake_anthropic.url)).only_failure()

    assert failure.id == "models.anthropic"
    assert words in failure.message
    assert f"HTTP {status}" in failure.message
    fake_anthropic.reset()
    verdict(machine).assert_green()


def test_base_url_without_the_gateway_prefix_gets_the_right_url(machine: Machine) -> None:
    with FakeAnthropic(prefix="/anthropic") as prefixed:
        root = prefixed.url.removesuffix("/anthropic")
        failure = verdict(gateway(machine, root)).only_failure()

        assert failure.id == "proxy.conformance"
        assert failure.message.startswith(f"{root}/v1/messages does not exist (HTTP 404)")
        assert apply_exports(machine, failure.fix) == {"ANTHROPIC_BASE_URL": prefixed.url}
        verdict(machine).assert_green()


def test_no_invoke_keeps_to_token_counting_and_says_what_is_unproven(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    result = verdict(gateway(machine, fake_anthropic.url), no_invoke=True)

    result.assert_green()
    assert fake_anthropic.requests_to("/v1/messages") == []
    assert fake_anthropic.requests_to("/v1/messages/count_tokens")
    assert result["models.anthropic"].message == (
        "127.0.0.1 knows claude-opus-4-8 and claude-haiku-4-5-20251001 (free token count; "
        "unproven with --no-invoke: quota, billing and streaming)"
    )


# --- safety ------------------------------------------------------------------------------------


def test_no_credential_follows_a_redirect_the_client_follows_and_that_is_a_warning(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    with FakeAnthropic() as elsewhere:
        fake_anthropic.configure(redirect_to=elsewhere.url)
        gateway(machine, fake_anthropic.url)

        result = verdict(machine)

        result.assert_green()
        assert elsewhere.requests == []
        warning = result["models.anthropic"]
        assert warning.status is Status.WARN
        assert (
            "could not check claude-opus-4-8: 127.0.0.1 redirects it (HTTP 307) to "
            f"{elsewhere.url}/v1/messages?beta=true, which Claude Code follows"
        ) in warning.message
        assert apply_exports(machine, warning.fix) == {"ANTHROPIC_BASE_URL": elsewhere.url}
        after = verdict(machine)
        after.assert_green()
        assert after["models.anthropic"].status is Status.PASS


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirect_the_client_turns_into_a_get_fails_and_names_the_sign_in(
    machine: Machine, fake_anthropic: FakeAnthropic, status: int
) -> None:
    with FakeAnthropic() as elsewhere:
        fake_anthropic.configure(redirect_to=elsewhere.url, redirect_status=status)
        gateway(machine, fake_anthropic.url)

        failure = verdict(machine).only_failure()

        assert elsewhere.requests == []
        assert failure.id == "models.anthropic"
        assert f"elsewhere: HTTP {status} {elsewhere.url}/v1/messages?beta=true" in failure.message
        assert failure.fix is not None and "sign in to the network" in failure.fix.text


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit", "github"])
def test_a_server_echoing_the_key_never_gets_it_into_a_report(
    machine: Machine, fake_anthropic: FakeAnthropic, fmt: str
) -> None:
    secret_header = "team-secret-value-0123456789"
    fake_anthropic.configure(echo_headers=True, api_keys=set())
    gateway(machine, fake_anthropic.url)
    machine.env["ANTHROPIC_CUSTOM_HEADERS"] = f"X-Team-Secret: {secret_header}"

    done = machine.cli("--only", "proxy", "--format", fmt, "--verbose", "--timeout", "2")

    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert DEFAULT_API_KEY not in output
    assert secret_header not in output
    # The server's words are shown, with each secret in them replaced by its fingerprint; the
    # text report may wrap a fingerprint at its spaces, so words are compared, not lines.
    words = " ".join(output.split())
    assert SCRUBBED_KEY in words
    assert SCRUBBED_HEADER in words


QUOTED_KEY = 'corp-"gw"-key\\' + "Zq7Xw2Lp9Rt4Vb6Nm1Kc3Hs8"
"""A key with quotes and a backslash, in no shape the redactor knows: only its registered
variants can find it where a server quotes it JSON-escaped."""
QUOTED_HEADER = 'team\\"secret' + "Fj5Dk8Gh2Qw9Er4Ty7Ui0Op3"


def escaped_forms(secret: str) -> list[str]:
    """The secret as written, as it appears inside a JSON string, and inside a JSON string
    that quotes a JSON text (a server's JSON error message, rendered in the JSON report)."""
    once = json.dumps(secret)[1:-1]
    return [secret, once, json.dumps(once)[1:-1]]


def assert_nowhere(secret: str, output: str) -> None:
    # Any ten characters in a row would be a leak; the fingerprint shows the last four only.
    for form in escaped_forms(secret):
        for start in range(len(form) - 9):
            assert form[start : start + 10] not in output, (form[start : start + 10], output)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit", "github"])
def test_a_key_with_quotes_and_backslashes_echoed_json_escaped_never_gets_into_a_report(
    machine: Machine, fake_anthropic: FakeAnthropic, fmt: str
) -> None:
    fake_anthropic.configure(echo_headers=True, api_keys=set())
    gateway(machine, fake_anthropic.url, ANTHROPIC_API_KEY=QUOTED_KEY)
    machine.env["ANTHROPIC_CUSTOM_HEADERS"] = f"X-Team-Secret: {QUOTED_HEADER}"

    done = machine.cli("--only", "proxy", "--format", fmt, "--verbose", "--timeout", "2")

    assert done.returncode == 1
    sent = [r.headers.get("x-api-key") for r in fake_anthropic.requests]
    assert QUOTED_KEY in sent  # the key really went out, quotes and all, and came back
    # JUnit escapes XML, JSON may escape the ellipsis: read both as a person would.
    output = html.unescape(done.stdout + done.stderr).replace("\\u2026", "…")
    assert_nowhere(QUOTED_KEY, output)
    assert_nowhere(QUOTED_HEADER, output)
    assert fingerprint(QUOTED_KEY, "anthropic_api_key") in output
    if fmt == "json":
        validate_report(json.loads(done.stdout))


def test_a_huge_error_body_is_read_up_to_a_cap(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(forced_status=500, error_padding=4_000_000)
    gateway(machine, fake_anthropic.url)

    done = machine.cli("--only", "proxy", "--only", "models", "--format", "json", "--timeout", "2")

    report = json.loads(done.stdout)
    models = next(c for c in report["checks"] if c["id"] == "models.anthropic")
    assert models["status"] == "fail"
    assert len(models["message"]) < 1000
    assert len(done.stdout) < 100_000


# --- a real LiteLLM proxy ----------------------------------------------------------------------


def litellm_gateway(machine: Machine, proxy: LiteLLMProxy, path: str = "", **env: str) -> Machine:
    return gateway(machine, proxy.url + path, **({"ANTHROPIC_AUTH_TOKEN": proxy.master_key} | env))


@pytest.mark.litellm
def test_litellm_with_its_master_key_is_green(machine: Machine, litellm: LiteLLMProxy) -> None:
    result = verdict(litellm_gateway(machine, litellm))

    result.assert_green()
    assert not result.warnings, result.summary()
    assert result["proxy.auth"].message.startswith("127.0.0.1 (LiteLLM) accepts ANTHROPIC_AUTH")
    upstream_models = {r.body["model"] for r in litellm.upstream.requests_to("/v1/messages")}
    assert upstream_models == {"claude-opus-4-8", "claude-haiku-4-5-20251001"}


@pytest.mark.litellm
def test_litellm_wrong_key_is_the_no_database_quirk_and_the_master_key_fixes_it(
    machine: Machine, litellm: LiteLLMProxy
) -> None:
    litellm_gateway(machine, litellm, ANTHROPIC_AUTH_TOKEN="sk-wrong-key-0123456789abcdef")

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.auth"
    assert "HTTP 400 No connected db" in failure.message
    assert failure.fix is not None
    assert "accepts only its master key" in failure.fix.text
    assert "export ANTHROPIC_AUTH_TOKEN=<the LiteLLM master key>" in failure.fix.commands
    machine.env["ANTHROPIC_AUTH_TOKEN"] = litellm.master_key
    verdict(machine).assert_green()


@pytest.mark.litellm
def test_litellm_without_a_key(machine: Machine, litellm: LiteLLMProxy) -> None:
    gateway(machine, litellm.url, ANTHROPIC_MODEL=SERVED)

    assert verdict(machine).only_failure().id == "credentials.anthropic"
    machine.env["ANTHROPIC_AUTH_TOKEN"] = litellm.master_key
    verdict(machine).assert_green()


@pytest.mark.litellm
def test_litellm_unknown_model_lists_what_it_serves(
    machine: Machine, litellm: LiteLLMProxy
) -> None:
    litellm_gateway(machine, litellm, ANTHROPIC_MODEL=UNSERVED)

    failure = verdict(machine).only_failure()

    assert failure.id == "models.anthropic"
    assert failure.message.startswith(f"main model: 127.0.0.1 does not serve {UNSERVED}: HTTP 400")
    assert "Invalid model name" in failure.message
    assert apply_exports(machine, failure.fix) == {"ANTHROPIC_MODEL": litellm.models[0]}
    verdict(machine).assert_green()


@pytest.mark.litellm
def test_litellm_unserved_small_model_is_a_warning(machine: Machine, litellm: LiteLLMProxy) -> None:
    litellm_gateway(
        machine, litellm, ANTHROPIC_MODEL=SERVED, ANTHROPIC_DEFAULT_HAIKU_MODEL=UNSERVED
    )

    result = verdict(machine)

    result.assert_green()
    assert [w.id for w in result.warnings] == ["models.anthropic"]
    assert "small/fast model" in result.warnings[0].message


@pytest.mark.litellm
def test_litellm_with_a_dead_upstream_shows_the_upstreams_message(
    machine: Machine, litellm: LiteLLMProxy
) -> None:
    litellm_gateway(machine, litellm, ANTHROPIC_MODEL=litellm.down_model)

    failure = verdict(machine).only_failure()

    assert failure.id == "models.anthropic"
    assert f"is up, but its upstream provider is down for {litellm.down_model}" in failure.message
    assert "Cannot connect to host 127.0.0.1:" in failure.message
    assert failure.fix is not None
    assert "cannot reach its provider at 127.0.0.1:" in failure.fix.text
    machine.env["ANTHROPIC_MODEL"] = SERVED
    verdict(machine).assert_green()


@pytest.mark.litellm
def test_litellm_pass_through_prefix_is_green(machine: Machine, litellm: LiteLLMProxy) -> None:
    result = verdict(litellm_gateway(machine, litellm, "/anthropic", ANTHROPIC_MODEL=SERVED))

    result.assert_green()
    assert not result.warnings, result.summary()
    # The pass-through hands the request on as it came, query string included.
    first = litellm.upstream.requests_to("/v1/messages")[0]
    assert first.path == "/v1/messages?beta=true"


@pytest.mark.litellm
def test_litellm_base_url_with_an_extra_path_gets_the_right_url(
    machine: Machine, litellm: LiteLLMProxy
) -> None:
    litellm_gateway(machine, litellm, "/anthropic/extra", ANTHROPIC_MODEL=SERVED)

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.conformance"
    assert "/anthropic/extra/v1/messages does not exist" in failure.message
    assert apply_exports(machine, failure.fix) == {"ANTHROPIC_BASE_URL": litellm.url + "/anthropic"}
    verdict(machine).assert_green()


@pytest.mark.parametrize(("version", "drops"), [("2.1.337", True), ("2.1.197", False)])
def test_a_rejected_one_million_beta_follows_the_version(
    machine: Machine, fake_anthropic: FakeAnthropic, version: str, drops: bool
) -> None:
    # Observed: 2.1.307 and later send a [1m] model's request again without the 1M beta a
    # gateway rejects; 2.1.197 stops at the 400.
    machine.claude_version = version
    fake_anthropic.configure(rejected_betas={"context-1m-2025-08-07"})
    gateway(
        machine,
        fake_anthropic.url,
        ANTHROPIC_API_KEY=DEFAULT_API_KEY,
        ANTHROPIC_MODEL="claude-sonnet-4-6[1m]",
    )

    result = verdict(machine)

    if drops:
        result.assert_green()
        warning = next(w for w in result.warnings if w.id == "proxy.conformance")
        assert "rejects the anthropic-beta value context-1m-2025-08-07" in warning.message
    else:
        failure = result.only_failure()
        assert failure.id == "proxy.conformance"
        assert "`context-1m-2025-08-07`" in failure.message
