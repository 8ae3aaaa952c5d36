"""config.env: misspelt names, broken values, deprecated names, conflicting credentials and
ANTHROPIC_CUSTOM_HEADERS, judged over the environment Claude Code will really see."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccdoctor.checks.config_env import env_check
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.core.redact import Redactor
from ccdoctor.core.results import CheckResult, Outcome, Status
from tests.machine import Machine

CHECK = "config.env"
KEY = "sk-ant-api03-" + "k" * 40


def _messages(result: CheckResult | Outcome) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def _only(result: CheckResult | Outcome, status: Status) -> str:
    assert result.status is status, _messages(result)
    messages = _messages(result)
    assert len(messages) == 1, messages
    return messages[0]


def _unscrubbed(machine: Machine) -> Outcome:
    """The check's own output, before the runner's redactor sees it: proves the check itself
    never puts a secret into what it reports."""
    return env_check.run(CheckContext(machine.resolve(), RunOptions(), Redactor()))


def _everything(outcome: Outcome) -> str:
    fix = outcome.fix
    parts = [outcome.message, json.dumps(outcome.details, default=str)]
    if fix is not None:
        parts += [fix.text, *fix.commands, fix.snippet or ""]
    return "\n".join(parts)


# ---- pass ---------------------------------------------------------------------------------------


def test_nothing_set_passes(machine: Machine) -> None:
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.message == "0 Claude Code variables set, all well formed"


def test_well_formed_setup_passes_and_lists_its_variables(machine: Machine) -> None:
    machine.env.update(
        {
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:4000",
            "ANTHROPIC_AUTH_TOKEN": KEY,
            "ANTHROPIC_CUSTOM_HEADERS": "X-Team: core\nX-Env: dev",
            "ANTHROPIC_API_KEY_PERSONAL": "mine",
            "CLAUDE_CODE_SOMETHING_BRAND_NEW": "1",
            "CLAUDECODE": "1",
            "PATH_TO_NOWHERE": "x",
        }
    )
    machine.user_settings({"env": {"ANTHROPIC_MODEL": "claude-opus-4-6"}})
    machine.env["ANTHROPIC_MODEL"] = "claude-sonnet-4-5"
    outcome = _unscrubbed(machine)
    assert outcome.status is Status.PASS, _messages(outcome)
    assert outcome.message == (
        "4 Claude Code variables set, all well formed; a settings env block overrides the "
        "shell's export of ANTHROPIC_MODEL (`ccdoctor config` shows both)"
    )
    assert outcome.details["settings_beat_shell"] == ["ANTHROPIC_MODEL"]
    seen = outcome.details["variables"]
    assert set(seen) == {
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_CUSTOM_HEADERS",
        "ANTHROPIC_MODEL",
    }
    assert seen["ANTHROPIC_MODEL"]["value"] == "claude-opus-4-6"
    assert seen["ANTHROPIC_MODEL"]["overrides"] == ["shell environment"]
    assert seen["ANTHROPIC_AUTH_TOKEN"]["value"].startswith("<anthropic_auth_token: 53 chars")
    assert seen["ANTHROPIC_CUSTOM_HEADERS"]["value"] == "headers: X-Team, X-Env"
    assert outcome.details["custom_header_names"] == ["X-Team", "X-Env"]
    assert KEY not in _everything(outcome) and "core" not in _everything(outcome)


# ---- misspelt names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "status", "phrase"),
    [
        (
            {"CLAUDE_CODE_USE_BEDRCK": "1"},
            Status.FAIL,
            "did you mean CLAUDE_CODE_USE_BEDROCK? No provider flag is set, so Claude Code uses "
            "the Anthropic API instead",
        ),
        ({"CLAUDE_USE_VERTEX": "true"}, Status.FAIL, "did you mean CLAUDE_CODE_USE_VERTEX?"),
        ({"CLAUDE_CODE_USE_BEDRCK": "0"}, Status.WARN, "did you mean CLAUDE_CODE_USE_BEDROCK?"),
        ({"ANTHROPIC_BASEURL": "http://gw"}, Status.WARN, "did you mean ANTHROPIC_BASE_URL?"),
        (
            {"VERTEX_REGION_CLAUDE_4_5_HAIKU": "us-east5"},
            Status.WARN,
            "did you mean VERTEX_REGION_CLAUDE_HAIKU_4_5?",
        ),
        ({"anthropic_model": "opus"}, Status.WARN, "variable names are case-sensitive"),
        (
            {"CLAUDE_CODE_DISABLE_NON_ESSENTIAL_TRAFFIC": "1"},
            Status.WARN,
            "did you mean CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC?",
        ),
    ],
)
def test_misspelt_names(machine: Machine, env: dict[str, str], status: Status, phrase: str) -> None:
    machine.env.update(env)
    message = _only(machine.check(CHECK), status)
    assert phrase in message
    assert "(shell environment)" in message


def test_misspelt_provider_flag_is_only_a_warning_when_a_provider_is_chosen(
    machine: Machine,
) -> None:
    machine.env.update({"CLAUDE_CODE_USE_BEDRCK": "1", "CLAUDE_CODE_USE_VERTEX": "1"})
    message = _only(machine.check(CHECK), Status.WARN)
    assert "did you mean CLAUDE_CODE_USE_BEDROCK?" in message


def test_misspelt_name_fix_for_the_shell(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASEURL"] = "http://gw:4000"
    fix = machine.check(CHECK).fix
    assert fix is not None
    assert fix.commands == ("unset ANTHROPIC_BASEURL", "export ANTHROPIC_BASE_URL=http://gw:4000")


def test_misspelt_name_fix_for_a_settings_file_hides_secrets(machine: Machine) -> None:
    path = machine.user_settings({"env": {"ANTHROPIC_AUTHTOKEN": KEY}})
    outcome = _unscrubbed(machine)
    assert "did you mean ANTHROPIC_AUTH_TOKEN?" in _only(outcome, Status.WARN)
    assert outcome.fix is not None and str(path) in outcome.fix.text
    assert outcome.fix.snippet == json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": "<value>"}})
    assert KEY not in _everything(outcome)


def test_whitespace_in_a_settings_key_is_caught(machine: Machine) -> None:
    machine.user_settings({"env": {"CLAUDE_CODE_USE_BEDROCK ": "1"}})
    message = _only(machine.check(CHECK), Status.FAIL)
    assert "'CLAUDE_CODE_USE_BEDROCK ' (user settings" in message
    assert "stray whitespace in its name" in message


def test_misspelling_beside_the_real_name_is_called_confusing(machine: Machine) -> None:
    machine.env.update({"ANTHROPIC_BASEURL": "http://a", "ANTHROPIC_BASE_URL": "http://b"})
    message = _only(machine.check(CHECK), Status.WARN)
    assert "ANTHROPIC_BASE_URL is set as well" in message


# ---- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "status", "phrase"),
    [
        ("ANTHROPIC_BASE_URL", "'http://127.0.0.1:4000'", Status.FAIL, "cannot be parsed as a URL"),
        ("ANTHROPIC_API_KEY", f'"{KEY}"', Status.FAIL, "server answers 401"),
        ("ANTHROPIC_MODEL", "'claude-opus-4-6'", Status.FAIL, "part of the model ID"),
        ("AWS_REGION", "“us-east-1”", Status.FAIL, "invalid region"),
        ("API_TIMEOUT_MS", "'600000'", Status.WARN, "not a number"),
        ("CLAUDE_CODE_SKIP_BEDROCK_AUTH", '"1"', Status.WARN, "the flag is off"),
    ],
)
def test_values_wrapped_in_literal_quotes(
    machine: Machine, name: str, value: str, status: Status, phrase: str
) -> None:
    machine.env[name] = value
    outcome = _unscrubbed(machine)
    message = _only(outcome, status)
    assert f"{name} (shell environment) is wrapped in literal quotes" in message
    assert phrase in message
    assert KEY not in _everything(outcome)


def test_quoted_provider_flag_is_left_to_config_provider(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "'1'"
    assert machine.check(CHECK).status is Status.PASS


def test_quoted_value_fix_in_the_shell_drops_the_inner_quotes(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = "'http://127.0.0.1:4000'"
    fix = machine.check(CHECK).fix
    assert fix is not None
    assert fix.commands == ("export ANTHROPIC_BASE_URL=http://127.0.0.1:4000",)


def test_quoted_value_fix_in_a_settings_file_shows_the_clean_json(machine: Machine) -> None:
    machine.user_settings({"env": {"ANTHROPIC_API_KEY": f"'{KEY}'"}})
    outcome = _unscrubbed(machine)
    _only(outcome, Status.FAIL)
    assert outcome.fix is not None
    assert outcome.fix.snippet == json.dumps({"env": {"ANTHROPIC_API_KEY": "<value>"}})
    assert KEY not in _everything(outcome)


def test_surrounding_whitespace_on_url_and_key_is_harmless(machine: Machine) -> None:
    machine.env.update(
        {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000  ", "ANTHROPIC_API_KEY": f"{KEY}\t"}
    )
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert (
        "ANTHROPIC_BASE_URL has surrounding whitespace (harmless for URLs and keys)"
        in (result.details["notes"])
    )


@pytest.mark.parametrize(
    ("value", "described"),
    [
        (f"{KEY}\r", "a carriage return (U+000D)"),
        (f"{KEY[:10]}\u200b{KEY[10:]}", "zero width space (U+200B)"),
        (f"“{KEY}”", "left double quotation mark (U+201C)"),
        (f"{KEY[:10]}\n{KEY[10:]}", "a line break (U+000A)"),
        (f"{KEY[:10]}\x00{KEY[10:]}", "a NUL byte (U+0000)"),
    ],
)
def test_header_values_with_characters_a_header_cannot_carry_fail(
    machine: Machine, value: str, described: str
) -> None:
    machine.env["ANTHROPIC_AUTH_TOKEN"] = value
    outcome = _unscrubbed(machine)
    message = _only(outcome, Status.FAIL)
    assert f"ANTHROPIC_AUTH_TOKEN (shell environment) contains {described}" in message
    assert "requests fail before they are sent" in message
    assert KEY not in _everything(outcome) and KEY[10:] not in _everything(outcome)


def test_carriage_return_fix_strips_it_in_the_shell(machine: Machine) -> None:
    machine.env["ANTHROPIC_API_KEY"] = KEY + "\r"
    fix = machine.check(CHECK).fix
    assert fix is not None
    assert fix.commands == (
        'export ANTHROPIC_API_KEY="$(printf %s "$ANTHROPIC_API_KEY" | tr -d \'\\r\')"',
    )


def test_carriage_return_in_a_value_that_is_no_header_warns(machine: Machine) -> None:
    machine.env["AWS_REGION"] = "us-east-1\r"
    assert "carriage return" in _only(machine.check(CHECK), Status.WARN)


# ---- deprecated, presence-only, conflicts -------------------------------------------------------


def test_small_fast_model_variable_should_be_renamed(machine: Machine) -> None:
    machine.env["ANTHROPIC_SMALL_FAST_MODEL"] = "claude-haiku-4-5"
    result = machine.check(CHECK)
    message = _only(result, Status.WARN)
    assert "rename it to ANTHROPIC_DEFAULT_HAIKU_MODEL" in message
    assert result.fix is not None
    assert "export ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-haiku-4-5" in result.fix.commands


def test_small_fast_model_variable_beside_its_replacement_is_ignored(machine: Machine) -> None:
    machine.user_settings(
        {
            "env": {
                "ANTHROPIC_SMALL_FAST_MODEL": "claude-haiku-4-5",
                "ANTHROPIC_DEFAULT_HAIKU_MODEL": "claude-haiku-4-5-20251001",
            }
        }
    )
    result = machine.check(CHECK)
    assert "so this one is ignored" in _only(result, Status.WARN)
    assert result.fix is not None and result.fix.snippet is not None


@pytest.mark.parametrize(
    ("name", "version", "status", "phrase"),
    [
        ("ENABLE_PROMPT_CACHING_1H_BEDROCK", "2.1.197", Status.WARN, "ENABLE_PROMPT_CACHING_1H"),
        ("CLAUDE_CODE_CONNECT_TIMEOUT_MS", "2.1.197", Status.WARN, "has no effect"),
        ("CLAUDE_CODE_CONNECT_TIMEOUT_MS", "2.1.150", Status.PASS, None),
    ],
)
def test_deprecated_variables(
    machine: Machine, name: str, version: str, status: Status, phrase: str | None
) -> None:
    machine.claude_version = version
    machine.env[name] = "1"
    result = machine.check(CHECK)
    if phrase is None:
        assert result.status is status
    else:
        assert phrase in _only(result, status)


@pytest.mark.parametrize(
    ("env", "warns"),
    [
        ({"DEBUG": "true"}, True),
        ({"DEBUG": "1", "ANTHROPIC_LOG": "debug"}, False),
        ({"DEBUG": "express:*"}, False),
    ],
)
def test_debug_true_no_longer_logs_requests(
    machine: Machine, env: dict[str, str], warns: bool
) -> None:
    machine.env.update(env)
    result = machine.check(CHECK)
    if warns:
        assert "stopped logging API requests" in _only(result, Status.WARN)
        assert result.fix is not None and "export ANTHROPIC_LOG=debug" in result.fix.commands
    else:
        assert result.status is Status.PASS


@pytest.mark.parametrize(
    ("value", "warns"), [("0", True), ("false", True), ("OFF", True), ("1", False), ("", False)]
)
def test_presence_only_variables_set_to_false_are_still_on(
    machine: Machine, value: str, warns: bool
) -> None:
    machine.user_settings({"env": {"DISABLE_TELEMETRY": value}})
    result = machine.check(CHECK)
    if not warns:
        assert result.status is Status.PASS
        return
    assert "still turns it ON" in _only(result, Status.WARN)
    assert result.fix is not None and result.fix.snippet == '{"env": {"DISABLE_TELEMETRY": ""}}'


@pytest.mark.parametrize(
    ("base_url", "unset"),
    [(None, "ANTHROPIC_AUTH_TOKEN"), ("http://127.0.0.1:4000", "ANTHROPIC_API_KEY")],
)
def test_key_and_token_together_is_an_auth_conflict(
    machine: Machine, base_url: str | None, unset: str
) -> None:
    machine.env.update({"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_AUTH_TOKEN": "tok-" + "t" * 30})
    if base_url:
        machine.env["ANTHROPIC_BASE_URL"] = base_url
    outcome = _unscrubbed(machine)
    assert "Auth conflict" in _only(outcome, Status.WARN)
    assert outcome.fix is not None and outcome.fix.commands == (f"unset {unset}",)
    assert KEY not in _everything(outcome)


def test_key_and_token_do_not_conflict_on_bedrock(machine: Machine) -> None:
    machine.env.update(
        {"CLAUDE_CODE_USE_BEDROCK": "1", "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_AUTH_TOKEN": "tok"}
    )
    assert machine.check(CHECK).status is Status.PASS


# ---- ANTHROPIC_CUSTOM_HEADERS -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("X-Guard: abc\nX-Version: 1", ["X-Guard", "X-Version"]),
        ("X-Guard: abc\\nX-Version: 1", ["X-Guard", "X-Version"]),
        ("x-litellm-api-key: Bearer sk-123\n\n", ["x-litellm-api-key"]),
    ],
    ids=["newline", "literal-backslash-n", "trailing-blank-lines"],
)
def test_well_formed_custom_headers_pass(machine: Machine, raw: str, names: list[str]) -> None:
    machine.env["ANTHROPIC_CUSTOM_HEADERS"] = raw
    result = machine.check(CHECK)
    assert result.status is Status.PASS, _messages(result)
    assert result.details["custom_header_names"] == names


@pytest.mark.parametrize(
    ("raw", "status", "phrase"),
    [
        ("Bad Name: 1", Status.FAIL, "line 1 (shell environment) name 'Bad Name' is not a valid"),
        (": secret", Status.FAIL, "line 1 (shell environment) has no header name"),
        ("X-A: ok\nX-B: “secret”", Status.FAIL, "value of X-B (shell environment) contains left"),
        ("X-A: sec\u200bret", Status.FAIL, "contains zero width space (U+200B)"),
        ("X-A: secret\r\nX-B: 2", Status.FAIL, "contains a carriage return (U+000D)"),
        ("X-Ä: 1", Status.FAIL, "name 'X-Ä' is not a valid HTTP header name"),
        ("justasecretvalue", Status.WARN, "line 1 has no ':' and is ignored"),
    ],
)
def test_malformed_custom_headers(machine: Machine, raw: str, status: Status, phrase: str) -> None:
    machine.env["ANTHROPIC_CUSTOM_HEADERS"] = raw
    outcome = _unscrubbed(machine)
    message = _only(outcome, status)
    assert phrase in message
    if status is Status.FAIL:
        assert message.startswith("Invalid ANTHROPIC_CUSTOM_HEADERS")
    assert "secret" not in _everything(outcome)
    assert outcome.fix is not None and outcome.fix.snippet is not None


def test_custom_headers_from_a_settings_file_name_the_file(machine: Machine) -> None:
    path = machine.project_settings({"env": {"ANTHROPIC_CUSTOM_HEADERS": "X A: 1"}})
    assert f"(project settings ({path}))" in _only(machine.check(CHECK), Status.FAIL)


def test_odd_values_of_every_json_type_never_break_the_check(machine: Machine) -> None:
    odd: dict[str, Any] = {
        "ANTHROPIC_CUSTOM_HEADERS": ["X-A: 1"],
        "ANTHROPIC_API_KEY": {"nested": True},
        "DISABLE_TELEMETRY": False,
        "CLAUDE_CODE_USE_BEDRCK": 1,
        "ANTHROPIC_BASE_URL": None,
    }
    machine.user_settings({"env": odd})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL  # the provider-flag typo, stringified to "1"
    assert any("DISABLE_TELEMETRY=false" in m for m in _messages(result))


_NAMES = st.sampled_from(
    [
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_CUSTOM_HEADERS",
        "ANTHROPIC_MODEL",
        "ANTHROPIC_SMALL_FAST_MODEL",
        "CLAUDE_CODE_USE_BEDROCK",
        "CLAUDE_CODE_USE_BEDRCK",
        "DISABLE_TELEMETRY",
        "DEBUG",
        "AWS_REGION",
        "CLAUDE_CODE_CONNECT_TIMEOUT_MS",
        "claude_code_use_vertex",
        "VERTEX_REGION_CLAUDE_X",
        "ANTHROPIC_",
        " ANTHROPIC_MODEL",
    ]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)


@settings(max_examples=80, deadline=None)
@given(env=st.dictionaries(_NAMES, _JSON, max_size=6))
def test_any_env_block_gives_a_verdict_never_an_error(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, Any]
) -> None:
    machine = Machine(tmp_path_factory.mktemp("env"))
    machine.user_settings({"env": env})
    result = machine.check(CHECK)
    assert result.status in (Status.PASS, Status.WARN, Status.FAIL), result.message


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_no_variable_the_judged_client_names_is_called_a_misspelling(
    machine: Machine, version: str
) -> None:
    machine.claude_version = version
    facts = machine.resolve().facts
    assert facts.version_text == version
    machine.env.update(dict.fromkeys(facts.variables, "0"))
    messages = _messages(machine.check(CHECK))
    called_misspelt = [m for m in messages if "is not a variable Claude Code reads" in m]
    assert called_misspelt == []


def test_a_name_only_a_newer_client_reads_is_still_a_misspelling_for_an_older_one(
    machine: Machine,
) -> None:
    # Named by 2.1.332's code only, and close to a catalogued variable.
    machine.env["CLAUDE_CODE_SDK_MCP_TOOL_IDLE_TIMEOUT"] = "60000"
    machine.claude_version = "2.1.197"
    message = _only(machine.check(CHECK), Status.WARN)
    assert "CLAUDE_CODE_SDK_MCP_TOOL_IDLE_TIMEOUT (shell environment) is not a variable" in message
    machine.claude_version = "2.1.332"
    assert machine.check(CHECK).status is Status.PASS
