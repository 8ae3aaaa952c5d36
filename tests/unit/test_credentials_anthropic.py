"""credentials.anthropic: which credential wins, whether its text can work, and apiKeyHelper run
for real (scripts in a temporary HOME), with secrets kept out of every result."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import pytest

from ccdoctor.checks.credentials_anthropic import anthropic_credentials_check
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.core.redact import Redactor
from ccdoctor.core.results import CheckResult, Outcome, Status, fix_to_dict
from ccdoctor.knowledge import credentials as known
from ccdoctor.providers.anthropic import credentials as credentials_anthropic
from tests.machine import Machine

CHECK = "credentials.anthropic"
STRICT_VERSION = "2.1.230"


def api_key() -> str:
    return "sk-ant-api03-" + secrets.token_urlsafe(70) + "AA"


def oauth_token() -> str:
    return "sk-ant-oat01-" + secrets.token_urlsafe(70) + "AA"


def opaque_token() -> str:
    """A gateway token with no recognisable shape: only registration can hide it."""
    return "gwtok" + secrets.token_hex(24)


def dump(result: CheckResult | Outcome) -> str:
    return json.dumps(
        {"message": result.message, "fix": fix_to_dict(result.fix), "details": result.details},
        default=str,
    )


def problem_messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])]


def helper_script(machine: Machine, body: str, name: str = "get-key") -> Path:
    script = machine.write(machine.home / "bin" / name, "#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return script


@pytest.fixture(autouse=True)
def not_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials_anthropic, "keychain_may_hold_login", lambda: False)


def login_file(machine: Machine, entry: dict[str, Any], base: Path | None = None) -> Path:
    directory = base or machine.home / ".claude"
    return machine.write(directory / ".credentials.json", {"claudeAiOauth": entry})


# --- nothing at all ------------------------------------------------------------------------------


def test_no_credential_fails_with_not_logged_in_and_three_ways_out(machine: Machine) -> None:
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert known.NOT_LOGGED_IN in result.message
    assert result.fix is not None
    assert "claude /login" in result.fix.commands
    assert any(c.startswith("export ANTHROPIC_API_KEY=") for c in result.fix.commands)
    assert result.fix.snippet is not None and "apiKeyHelper" in result.fix.snippet


def test_no_credential_for_a_gateway_suggests_the_gateway_token(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:4000/anthropic"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "gateway at http://127.0.0.1:4000/anthropic" in result.message
    assert result.fix is not None
    assert any("ANTHROPIC_AUTH_TOKEN" in c for c in result.fix.commands)


def test_on_macos_a_missing_file_only_warns_because_the_keychain_may_hold_the_login(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credentials_anthropic, "keychain_may_hold_login", lambda: True)
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "Keychain" in result.message
    assert result.fix is not None and "claude /status" in result.fix.text


def test_broken_login_file_is_named_in_the_failure(machine: Machine) -> None:
    machine.write(machine.home / ".claude" / ".credentials.json", "{not json")
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "is not valid JSON" in result.message
    assert known.NOT_LOGGED_IN in result.message


# --- environment credentials ---------------------------------------------------------------------


def test_api_key_passes_with_header_and_fingerprint_but_never_the_key(machine: Machine) -> None:
    key = api_key()
    machine.env["ANTHROPIC_API_KEY"] = key
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert "ANTHROPIC_API_KEY" in result.message and "x-api-key" in result.message
    sent = result.details["sent"]
    assert [s["headers"] for s in sent] == [["x-api-key"]]
    assert sent[0]["fingerprint"].endswith(f"…{key[-4:]}>")
    assert key not in dump(result)


def test_token_and_key_are_both_sent_and_reported_as_a_conflict(machine: Machine) -> None:
    token, key = oauth_token(), api_key()
    machine.env["ANTHROPIC_AUTH_TOKEN"] = token
    machine.env["ANTHROPIC_API_KEY"] = key
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "Auth conflict" in result.message
    assert [s["source"] for s in result.details["sent"]] == [
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_API_KEY",
    ]
    assert result.fix is not None and result.fix.commands == ("unset ANTHROPIC_AUTH_TOKEN",)
    assert token not in dump(result) and key not in dump(result)


def test_conflict_fix_for_a_settings_value_points_at_the_file(machine: Machine) -> None:
    machine.env["ANTHROPIC_API_KEY"] = opaque_token()
    machine.user_settings({"env": {"ANTHROPIC_AUTH_TOKEN": opaque_token()}})
    machine.env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:4000"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert result.fix is not None
    assert result.fix.commands == ("unset ANTHROPIC_API_KEY",)


@pytest.mark.parametrize(
    ("wrap", "expected"),
    [
        (lambda k: f'"{k}"', "literal quotes"),
        (lambda k: f"'{k}'", "literal quotes"),
        (lambda k: f"“{k}”", "literal quotes"),
        (lambda k: k[:20] + "\n" + k[20:], "line break"),
        (lambda k: k[:20] + " " + k[20:], "whitespace"),
        (lambda k: k[:20] + "\u200b" + k[20:], "U+200B"),
    ],
)
def test_key_text_that_cannot_work_fails(machine: Machine, wrap: Any, expected: str) -> None:
    key = api_key()
    machine.env["ANTHROPIC_API_KEY"] = wrap(key)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert expected in result.message
    assert known.INVALID_API_KEY in result.message
    assert key not in dump(result)


def test_surrounding_whitespace_is_harmless(machine: Machine) -> None:
    machine.env["ANTHROPIC_API_KEY"] = f"  {api_key()}\t\n"
    assert machine.check(CHECK).status is Status.PASS


def test_quoted_key_in_a_settings_file_fails_too(machine: Machine) -> None:
    key = api_key()
    machine.user_settings({"env": {"ANTHROPIC_API_KEY": f'"{key}"'}})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "user settings" in result.message
    assert key not in dump(result)


def test_oauth_token_in_the_api_key_variable_fails_and_says_where_it_belongs(
    machine: Machine,
) -> None:
    machine.env["ANTHROPIC_API_KEY"] = oauth_token()
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "OAuth access token" in result.message
    assert result.fix is not None and "CLAUDE_CODE_OAUTH_TOKEN" in result.fix.text


def test_api_key_in_the_oauth_variable_fails(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_OAUTH_TOKEN"] = api_key()
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.fix is not None and "ANTHROPIC_API_KEY" in result.fix.text


def test_admin_key_cannot_call_messages(machine: Machine) -> None:
    machine.env["ANTHROPIC_API_KEY"] = "sk-ant-admin01-" + secrets.token_urlsafe(60)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "Admin API key" in result.message


def test_gateway_shaped_key_without_a_gateway_fails(machine: Machine) -> None:
    machine.env["ANTHROPIC_API_KEY"] = "sk-" + secrets.token_hex(16)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "does not look like an Anthropic credential" in result.message
    assert result.fix is not None
    assert any("ANTHROPIC_BASE_URL" in c for c in result.fix.commands)


def test_base_url_of_the_anthropic_api_itself_is_not_a_gateway(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = "https://api.anthropic.com"
    machine.env["ANTHROPIC_API_KEY"] = "sk-" + secrets.token_hex(16)
    assert machine.check(CHECK).status is Status.FAIL


def test_gateway_keys_may_have_any_shape(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:4000"
    machine.env["ANTHROPIC_API_KEY"] = "sk-" + secrets.token_hex(16)
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["endpoint"] == "http://127.0.0.1:4000"


def test_foreign_bearer_token_to_the_anthropic_api_warns(machine: Machine) -> None:
    machine.env["ANTHROPIC_AUTH_TOKEN"] = opaque_token()
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "api.anthropic.com" in result.message


def test_oauth_token_alone_is_sent_as_bearer(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_OAUTH_TOKEN"] = oauth_token()
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["sent"][0]["headers"] == ["Authorization: Bearer"]


def test_env_key_shadows_the_helper_which_is_not_run(machine: Machine) -> None:
    marker = machine.root / "helper-ran"
    helper = helper_script(machine, f"touch {marker}\necho {opaque_token()}")
    machine.user_settings({"apiKeyHelper": str(helper)})
    machine.env["ANTHROPIC_API_KEY"] = api_key()
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "apiKeyHelper" in result.message and "is ignored" in result.message
    assert not marker.exists()


def test_api_key_beside_a_claude_login_is_an_auth_conflict(machine: Machine) -> None:
    login_file(machine, {"expiresAt": int(time.time() * 1000) + 3_600_000})
    machine.env["ANTHROPIC_API_KEY"] = api_key()
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "Both a token (claude.ai)" in result.message
    assert result.fix is not None and "claude /logout" in result.fix.commands


# --- claude.ai login -----------------------------------------------------------------------------


def test_claude_login_alone_passes_without_reading_its_tokens(machine: Machine) -> None:
    access, refresh = oauth_token(), "sk-ant-ort01-" + secrets.token_urlsafe(60)
    login_file(
        machine,
        {"accessToken": access, "refreshToken": refresh, "expiresAt": 4_102_444_800_000},
    )
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["chosen"] == "claude.ai login"
    assert result.details["claude_login"]["expires_at"].startswith("2100-01-01")
    assert result.details["sent"][0]["fingerprint"] is None
    assert access not in dump(result) and refresh not in dump(result)


def test_claude_login_is_found_under_claude_config_dir(machine: Machine) -> None:
    other = machine.root / "claude-config"
    login_file(machine, {"expiresAt": 4_102_444_800_000, "refreshToken": "x"}, base=other)
    machine.env["CLAUDE_CONFIG_DIR"] = str(other)
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["claude_login"]["path"] == str(other / ".credentials.json")


def test_expired_login_without_refresh_token_fails(machine: Machine) -> None:
    login_file(machine, {"accessToken": oauth_token(), "expiresAt": 1_600_000_000_000})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "expired" in result.message
    assert result.fix is not None and "claude /login" in result.fix.commands


def test_expired_access_token_with_refresh_token_passes(machine: Machine) -> None:
    login_file(machine, {"refreshToken": "sk-ant-ort01-abc", "expiresAt": 1_600_000_000_000})
    assert machine.check(CHECK).status is Status.PASS


def test_claude_login_through_a_gateway_warns_about_the_oauth_beta(machine: Machine) -> None:
    login_file(machine, {"refreshToken": "r", "expiresAt": 4_102_444_800_000})
    machine.env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:4000"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "anthropic-beta" in result.message


# --- apiKeyHelper --------------------------------------------------------------------------------


def test_helper_output_is_sent_in_both_headers_and_never_shown(machine: Machine) -> None:
    token = opaque_token()
    helper_script(machine, f"echo {token}")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    machine.env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:4000"
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["sent"][0]["headers"] == ["Authorization: Bearer", "x-api-key"]
    helper = result.details["helper"]
    assert helper["exit_code"] == 0
    assert isinstance(helper["duration_ms"], float)
    assert helper["ttl_ms"] == known.HELPER_DEFAULT_TTL_MS
    assert token not in dump(result)


def test_helper_sees_the_settings_env_like_the_client(machine: Machine) -> None:
    helper_script(machine, f'[ "$FROM_SETTINGS" = yes ] || exit 3\necho {api_key()}')
    machine.user_settings(
        {"apiKeyHelper": "~/bin/get-key", "env": {"FROM_SETTINGS": "yes"}},
    )
    assert machine.check(CHECK).status is Status.PASS


def test_helper_banner_and_token_fail_on_strict_clients(machine: Machine) -> None:
    token = api_key()
    helper_script(machine, f"echo 'Fetching key from vault...'\necho {token}")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    machine.claude_version = STRICT_VERSION
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "2 lines" in result.message
    assert result.fix is not None and ">&2" in result.fix.text
    assert token not in dump(result)


def test_helper_banner_only_warns_on_clients_before_the_strict_rule(machine: Machine) -> None:
    token = opaque_token()
    helper_script(machine, f"echo 'token: {token}'")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    machine.claude_version = "2.1.197"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "2 words" in result.message
    assert token not in dump(result)


def test_helper_secret_stays_out_of_the_outcome_even_before_scrubbing(machine: Machine) -> None:
    """The check itself must not rely on the runner's scrubbing."""
    token = opaque_token()
    helper_script(machine, f"echo 'using cache'\necho {token}\necho {token} >&2\nexit 0")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    ctx = CheckContext(machine.resolve(), RunOptions(timeout=2.0), Redactor())
    outcome = anthropic_credentials_check.run(ctx)
    assert outcome.status is Status.WARN
    assert token not in dump(outcome)


def test_helper_runs_once_per_run_however_many_checks_ask(machine: Machine) -> None:
    runs = machine.root / "runs"
    helper_script(machine, f"echo run >> {runs}\necho {api_key()}")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    ctx = CheckContext(machine.resolve(), RunOptions(timeout=2.0), Redactor())
    first = anthropic_credentials_check.run(ctx)
    second = anthropic_credentials_check.run(ctx)
    assert first.status is second.status is Status.PASS
    assert runs.read_text().splitlines() == ["run"]


def test_hanging_helper_is_killed_with_its_children_at_the_timeout(machine: Machine) -> None:
    pid_file = machine.root / "child.pid"
    helper_script(machine, f"sleep 60 &\necho $! > {pid_file}\nwait")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    started = time.monotonic()
    result = machine.check(CHECK, options=RunOptions(timeout=1.0, deadline=10.0))
    elapsed = time.monotonic() - started
    assert result.status is Status.FAIL
    assert "did not finish within" in result.message
    assert elapsed < 3.0
    assert gone(int(pid_file.read_text().strip()))


def gone(pid: int, within: float = 2.0) -> bool:
    """Dead, or a zombie waiting for init to reap it."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_helper_printing_megabytes_is_capped_and_fails(machine: Machine) -> None:
    machine.user_settings({"apiKeyHelper": "head -c 5000000 /dev/zero | tr '\\0' a"})
    started = time.monotonic()
    result = machine.check(CHECK)
    assert time.monotonic() - started < 2.0
    assert result.status is Status.FAIL
    assert "more than 64 KiB" in result.message
    assert result.details["helper"]["output"].startswith(f"<apikeyhelper-output: {64 * 1024} ")


def test_helper_printing_only_to_stderr_fails_with_its_first_line(machine: Machine) -> None:
    helper_script(machine, "echo 'vault: permission denied (run vault login)' >&2\necho more >&2")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "printed nothing on stdout" in result.message
    assert "vault: permission denied (run vault login)" in result.message
    assert "more" not in result.message


def test_helper_printing_the_key_to_stderr_says_so_without_the_key(machine: Machine) -> None:
    token = opaque_token()
    helper_script(machine, f"echo {token} >&2")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "key-like value on stderr" in result.message
    assert token not in dump(result)


def test_helper_exiting_non_zero_fails_with_status_and_stderr(machine: Machine) -> None:
    token = opaque_token()
    helper_script(machine, f"echo {token}\necho 'token expired' >&2\nexit 2")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "exited with status 2: token expired" in result.message
    assert "empty key" in result.message
    assert result.details["sent"] == []
    assert token not in dump(result)


def test_helper_command_not_found(machine: Machine) -> None:
    machine.user_settings({"apiKeyHelper": "no-such-helper-command-xyz --print"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "status 127" in result.message
    assert result.fix is not None and "could not find the command" in result.fix.text


def test_helper_script_that_does_not_exist(machine: Machine) -> None:
    machine.user_settings({"apiKeyHelper": "~/bin/missing-helper"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert str(machine.home / "bin" / "missing-helper") in result.message
    assert "does not exist" in result.message


def test_helper_script_that_is_not_executable(machine: Machine) -> None:
    script = helper_script(machine, "echo key")
    script.chmod(0o644)
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "not executable" in result.message
    assert result.fix is not None and f"chmod +x {script}" in result.fix.commands


def test_slow_helper_warns(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(known, "HELPER_SLOW_NOTICE_SECONDS", 0.2)
    helper_script(machine, f"sleep 0.4\necho {api_key()}")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "slow-helper notice" in result.message
    assert result.fix is not None and known.HELPER_TTL_VARIABLE in (result.fix.snippet or "")


def test_helper_printing_a_quoted_key_fails(machine: Machine) -> None:
    key = api_key()
    helper_script(machine, f"echo '\"{key}\"'")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "literal quotes" in result.message
    assert key not in dump(result)


def test_helper_output_outside_printable_ascii_fails_on_strict_clients(machine: Machine) -> None:
    helper_script(machine, "printf 'k\\303\\251y-%s\\n' abcdefgh")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    machine.claude_version = STRICT_VERSION
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "U+00E9" in result.message


def test_helper_output_longer_than_the_limit_fails_on_strict_clients(machine: Machine) -> None:
    machine.user_settings({"apiKeyHelper": "head -c 20000 /dev/zero | tr '\\0' a"})
    machine.claude_version = STRICT_VERSION
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "20,000 characters" in result.message


def test_helper_that_is_not_a_string_is_reported(machine: Machine) -> None:
    machine.user_settings({"apiKeyHelper": ["get-key"]})
    result = machine.check(CHECK)
    assert result.status is Status.FAIL  # and no other credential: not logged in
    assert any("not a command string" in m for m in problem_messages(result))


def test_oauth_token_beside_a_helper_is_an_auth_conflict(machine: Machine) -> None:
    helper_script(machine, f"echo {api_key()}")
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    machine.env["CLAUDE_CODE_OAUTH_TOKEN"] = oauth_token()
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "Both a token (CLAUDE_CODE_OAUTH_TOKEN) and an API key (apiKeyHelper)" in result.message


def test_not_run_for_other_providers(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    assert machine.check(CHECK).status is Status.SKIP


# --- the key /login keeps in ~/.claude.json ----------------------------------------------------
# Watched on 2.1.197 and 2.1.332: sent as x-api-key when nothing else is set, beside
# ANTHROPIC_AUTH_TOKEN; ANTHROPIC_API_KEY (shell or settings), an apiKeyHelper,
# CLAUDE_CODE_OAUTH_TOKEN and a claude.ai login each beat it.


def stored_key(machine: Machine, key: str) -> None:
    machine.write(machine.home / ".claude.json", {"numStartups": 9, "primaryApiKey": key})


def test_the_stored_primary_api_key_is_the_credential_when_nothing_else_is_set(
    machine: Machine,
) -> None:
    key = api_key()
    stored_key(machine, key)
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["chosen"] == "primaryApiKey"
    assert result.details["sent"][0]["headers"] == ["x-api-key"]
    assert key not in dump(result)


@pytest.mark.parametrize("other", ["env", "settings_env", "helper", "oauth"])
def test_any_other_credential_beats_the_stored_key(machine: Machine, other: str) -> None:
    stored_key(machine, api_key())
    if other == "env":
        machine.env["ANTHROPIC_API_KEY"] = api_key()
    elif other == "settings_env":
        machine.user_settings({"env": {"ANTHROPIC_API_KEY": api_key()}})
    elif other == "helper":
        machine.user_settings({"apiKeyHelper": f"echo {api_key()}"})
    else:
        machine.env["CLAUDE_CODE_OAUTH_TOKEN"] = oauth_token()
    chosen = machine.check(CHECK).details["chosen"]
    assert chosen != "primaryApiKey"


def test_a_claude_login_beats_the_stored_key(machine: Machine) -> None:
    # Watched on 2.1.197 and 2.1.332 (tests/facts/leftovers.md): the login goes out as a
    # bearer and the key is not sent, so a stale key beside a login is harmless.
    stored_key(machine, api_key())
    login_file(machine, {"accessToken": oauth_token(), "expiresAt": 4_102_444_800_000})
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["chosen"] == "claude.ai login"
    assert [s["source"] for s in result.details["sent"]] == ["claude.ai login"]


def test_an_auth_token_goes_out_with_the_stored_key_beside_it(machine: Machine) -> None:
    stored_key(machine, api_key())
    machine.env["ANTHROPIC_AUTH_TOKEN"] = opaque_token()
    sent = machine.check(CHECK).details["sent"]
    assert [(s["source"], s["headers"]) for s in sent] == [
        ("ANTHROPIC_AUTH_TOKEN", ["Authorization: Bearer"]),
        ("primaryApiKey", ["x-api-key"]),
    ]


def test_a_primary_api_key_in_a_settings_file_is_not_read(machine: Machine) -> None:
    machine.user_settings({"primaryApiKey": api_key()})
    assert machine.check(CHECK).details["chosen"] is None


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_the_stored_key_never_reaches_a_report(machine: Machine, fmt: str) -> None:
    key = api_key()
    stored_key(machine, key)
    completed = machine.cli("--offline", "-f", fmt)
    assert key not in completed.stdout + completed.stderr
    assert key[-20:] not in completed.stdout + completed.stderr
