"""proxy.config: the base-URL variables as the client would read them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccdoctor.core.results import CheckResult, Status
from ccdoctor.diagnose.base_urls import endpoints_in_use, judge_base_url
from ccdoctor.knowledge import network
from tests.machine import Machine


def run(machine: Machine, **env: str) -> CheckResult:
    machine.env.update(env)
    return machine.check("proxy.config")


def test_nothing_set_names_the_default_endpoint(machine: Machine) -> None:
    result = run(machine)
    assert result.status is Status.PASS
    assert result.message == "no base URL set: default endpoint api.anthropic.com"


def test_bedrock_default_endpoint_follows_the_region(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="eu-west-1")
    assert result.status is Status.PASS
    assert "bedrock-runtime.eu-west-1.amazonaws.com" in result.message


def test_vertex_default_endpoint_follows_the_location(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_VERTEX="1", CLOUD_ML_REGION="global")
    assert result.status is Status.PASS
    assert result.message.endswith("default endpoint aiplatform.googleapis.com")


def test_local_gateway_passes(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_BASE_URL="http://127.0.0.1:4000")
    assert result.status is Status.PASS
    assert result.message == "ANTHROPIC_BASE_URL http://127.0.0.1:4000"


def test_trailing_whitespace_and_slash_are_harmless(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_BASE_URL="https://gw.example.com/anthropic/  ")
    assert result.status is Status.PASS
    notes = result.details["base_urls"]["ANTHROPIC_BASE_URL"]["notes"]
    assert any("whitespace" in n for n in notes)
    assert any("trailing slash" in n for n in notes)


@pytest.mark.parametrize(
    "quoted", ["'http://127.0.0.1:4000'", '"https://gw.example.com"', "“https://gw.example.com”"]
)
def test_literal_quotes_fail(machine: Machine, quoted: str) -> None:
    result = run(machine, ANTHROPIC_BASE_URL=quoted)
    assert result.status is Status.FAIL
    assert "wrapped in literal quotes" in result.message
    assert "cannot parse it as a URL" in result.message
    assert result.fix is not None
    assert result.fix.snippet is not None
    fixed = json.loads(result.fix.snippet)["env"]["ANTHROPIC_BASE_URL"]
    assert fixed[0] not in "'\"“" and fixed.startswith("http")


def test_quotes_in_a_settings_file_fail_too(machine: Machine) -> None:
    machine.user_settings({"env": {"ANTHROPIC_BASE_URL": "'http://127.0.0.1:4000'"}})
    result = run(machine)
    assert result.status is Status.FAIL
    assert result.details["base_urls"]["ANTHROPIC_BASE_URL"]["source"].startswith("user settings")


@pytest.mark.parametrize(
    ("value", "suggested"),
    [
        ("localhost:4000", "http://localhost:4000"),
        ("gw.example.com/anthropic", "https://gw.example.com/anthropic"),
    ],
)
def test_missing_scheme_fails_with_a_suggestion(
    machine: Machine, value: str, suggested: str
) -> None:
    result = run(machine, ANTHROPIC_BASE_URL=value)
    assert result.status is Status.FAIL
    assert "has no scheme" in result.message
    assert result.fix is not None
    assert f"export ANTHROPIC_BASE_URL='{suggested}'" in result.fix.commands


def test_other_scheme_fails(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_BASE_URL="ftp://gw.example.com")
    assert result.status is Status.FAIL
    assert "scheme ftp://" in result.message


def test_bad_port_fails(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_BASE_URL="http://localhost:99999")
    assert result.status is Status.FAIL
    assert "port" in result.message


@pytest.mark.parametrize(
    ("value", "suffix", "fixed"),
    [
        ("http://localhost:4000/v1", "/v1", "http://localhost:4000"),
        ("http://localhost:4000/v1/", "/v1", "http://localhost:4000"),
        (
            "https://gw.example.com/anthropic/v1/messages",
            "/v1/messages",
            "https://gw.example.com/anthropic",
        ),
    ],
)
def test_v1_suffix_on_anthropic_base_url_fails(
    machine: Machine, value: str, suffix: str, fixed: str
) -> None:
    result = run(machine, ANTHROPIC_BASE_URL=value)
    assert result.status is Status.FAIL
    assert f"already ends in {suffix}" in result.message
    assert "(404)" in result.message
    assert result.fix is not None
    assert f"export ANTHROPIC_BASE_URL='{fixed}'" in result.fix.commands


def test_vertex_base_url_without_v1_fails(machine: Machine) -> None:
    result = run(
        machine,
        CLAUDE_CODE_USE_VERTEX="1",
        ANTHROPIC_VERTEX_BASE_URL="http://127.0.0.1:4000/vertex",
    )
    assert result.status is Status.FAIL
    assert "does not end in /v1" in result.message
    assert "not available on your vertex deployment" in result.message
    assert result.fix is not None
    assert (
        "export ANTHROPIC_VERTEX_BASE_URL='http://127.0.0.1:4000/vertex/v1'" in result.fix.commands
    )


def test_vertex_base_url_with_v1_passes(machine: Machine) -> None:
    result = run(
        machine, CLAUDE_CODE_USE_VERTEX="1", ANTHROPIC_VERTEX_BASE_URL="http://127.0.0.1:4000/v1/"
    )
    assert result.status is Status.PASS


def test_plain_http_to_another_host_warns(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_BASE_URL="http://litellm.internal:4000")
    assert result.status is Status.WARN
    assert "plain http:// to litellm.internal" in result.message
    assert result.fix is not None
    assert "export ANTHROPIC_BASE_URL='https://litellm.internal:4000'" in result.fix.commands


def test_skip_bedrock_auth_without_base_url_warns(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_BEDROCK="1", CLAUDE_CODE_SKIP_BEDROCK_AUTH="1")
    assert result.status is Status.WARN
    assert (
        "CLAUDE_CODE_SKIP_BEDROCK_AUTH is set but requests go to bedrock itself" in result.message
    )
    assert "(403)" in result.message
    assert result.fix is not None
    assert "unset CLAUDE_CODE_SKIP_BEDROCK_AUTH" in result.fix.commands


def test_skip_bedrock_auth_with_aws_own_endpoint_warns(machine: Machine) -> None:
    result = run(
        machine,
        CLAUDE_CODE_USE_BEDROCK="1",
        CLAUDE_CODE_SKIP_BEDROCK_AUTH="1",
        ANTHROPIC_BEDROCK_BASE_URL="https://bedrock-runtime.us-east-1.amazonaws.com",
    )
    assert result.status is Status.WARN
    assert "bedrock's own endpoint" in result.message


def test_skip_bedrock_auth_with_gateway_passes(machine: Machine) -> None:
    result = run(
        machine,
        CLAUDE_CODE_USE_BEDROCK="1",
        CLAUDE_CODE_SKIP_BEDROCK_AUTH="1",
        ANTHROPIC_BEDROCK_BASE_URL="http://127.0.0.1:4000/bedrock",
    )
    assert result.status is Status.PASS
    assert result.message == "ANTHROPIC_BEDROCK_BASE_URL http://127.0.0.1:4000/bedrock"


def test_skip_vertex_auth_without_base_url_warns(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_VERTEX="1", CLAUDE_CODE_SKIP_VERTEX_AUTH="true")
    assert result.status is Status.WARN
    assert "CLAUDE_CODE_SKIP_VERTEX_AUTH" in result.message


def test_skip_auth_false_value_is_not_reported(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_BEDROCK="1", CLAUDE_CODE_SKIP_BEDROCK_AUTH="0")
    assert result.status is Status.PASS


def test_base_url_of_inactive_provider_is_ignored(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_VERTEX_BASE_URL="https://gw.example.com/v1")
    assert result.status is Status.WARN
    assert "ANTHROPIC_VERTEX_BASE_URL (shell environment) is ignored" in result.message
    assert "provider in use is anthropic, not vertex" in result.message
    assert result.fix is not None
    assert "CLAUDE_CODE_USE_VERTEX=1" in result.fix.text
    assert "unset ANTHROPIC_VERTEX_BASE_URL" in result.fix.commands


def test_anthropic_base_url_under_bedrock_is_left_to_config_provider(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_BEDROCK="1", ANTHROPIC_BASE_URL="'broken")
    assert result.status is Status.PASS
    assert result.details["base_urls"]["ANTHROPIC_BASE_URL"]["ignored"] is True


def test_foundry_without_endpoint_fails(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_FOUNDRY="1")
    assert result.status is Status.FAIL
    assert "neither ANTHROPIC_FOUNDRY_RESOURCE nor ANTHROPIC_FOUNDRY_BASE_URL" in result.message


def test_foundry_resource_gives_the_endpoint(machine: Machine) -> None:
    result = run(machine, CLAUDE_CODE_USE_FOUNDRY="1", ANTHROPIC_FOUNDRY_RESOURCE="acme")
    assert result.status is Status.PASS
    assert "acme.services.ai.azure.com" in result.message


def test_url_password_is_never_shown(machine: Machine) -> None:
    secret = "hunter2-very-secret"
    result = run(machine, ANTHROPIC_BASE_URL=f"http://alice:{secret}@gw.example.com:4000/v1")
    assert result.status is Status.FAIL
    assert result.fix is not None
    rendered = json.dumps(
        [result.message, result.fix.text, *result.fix.commands, result.details], default=str
    )
    assert secret not in rendered
    assert "alice:<password: 19 chars>@gw.example.com" in result.message


def test_judge_base_url_is_usable_without_a_context() -> None:
    verdict = judge_base_url("ANTHROPIC_BASE_URL", "https://gw.example.com/anthropic")
    assert verdict.problems == ()
    assert verdict.reading is not None
    assert verdict.reading.host == "gw.example.com"


def test_endpoints_in_use_lists_each_bedrock_region_once(machine: Machine) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": "us-east-1",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION": "us-west-2",
        }
    )
    hosts = [e.host for e in endpoints_in_use(machine.resolve())]
    assert hosts == [
        "bedrock-runtime.us-east-1.amazonaws.com",
        "bedrock-runtime.us-west-2.amazonaws.com",
    ]


def test_endpoints_in_use_is_empty_for_an_unusable_base_url(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = "localhost:4000"
    assert endpoints_in_use(machine.resolve()) == ()


def test_unclosed_ipv6_bracket_fails_cleanly(machine: Machine) -> None:
    result = run(machine, ANTHROPIC_BASE_URL="http://[::1:4000")
    assert result.status is Status.FAIL
    assert "is not a well-formed URL" in result.message


def test_non_string_setting_value_is_judged_not_crashed(machine: Machine) -> None:
    machine.user_settings({"env": {"ANTHROPIC_BASE_URL": 4000}})
    result = run(machine)
    assert result.status is Status.FAIL
    assert "has no scheme" in result.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_judged_without_raising(text: str) -> None:
    """Whatever the value, the verdict comes back, and an unusable URL is always a failure."""
    for variable in ("ANTHROPIC_BASE_URL", "ANTHROPIC_VERTEX_BASE_URL"):
        verdict = judge_base_url(variable, text)
        if verdict.reading is None:
            assert any(p.status is Status.FAIL for p in verdict.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789!$%&*+,;=", min_size=6, max_size=30))
def test_url_password_never_reaches_the_display(password: str) -> None:
    reading = network.read_url(f"https://bob:{password}@gw.example.com/anthropic")
    assert isinstance(reading, network.UrlReading)
    # The password may spell part of the host or path ('anthro'): only the user-info is judged.
    user_info, _, rest = reading.display.partition("@")
    assert rest == "gw.example.com/anthropic"
    assert password not in user_info.removeprefix("https://bob:")
    assert reading.secrets == (password,)
