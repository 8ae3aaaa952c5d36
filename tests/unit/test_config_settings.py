"""config.settings: which settings files load, what a broken one takes with it, and whether the
keys in a loaded one are the ones Claude Code reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccdoctor.config.settings_files import Source
from ccdoctor.core.results import CheckResult, Status
from tests.machine import Machine

CHECK = "config.settings"


def _messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def _only(result: CheckResult, status: Status) -> str:
    """The single problem a result holds, asserting its status."""
    assert result.status is status, result.message
    messages = _messages(result)
    assert len(messages) == 1, messages
    return messages[0]


# ---- files that load ----------------------------------------------------------------------------


def test_no_settings_files_passes(machine: Machine) -> None:
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert "no settings files" in result.message


def test_pass_lists_every_loaded_file(machine: Machine) -> None:
    machine.install("settings_in_every_layer")
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.message.startswith("3 loaded")
    assert "user settings ~/.claude/settings.json" in result.message
    assert "project settings" in result.message and "local settings" in result.message
    assert [f["state"] for f in result.details["files"]] == ["loaded"] * 3


def test_a_real_world_user_file_raises_no_false_alarms(machine: Machine) -> None:
    machine.install("claude_settings_real_world")
    result = machine.check(CHECK)
    assert result.status is Status.PASS, _messages(result)
    assert "unrecognised_keys" not in result.details


def test_unknown_key_without_a_near_miss_is_only_noted(machine: Machine) -> None:
    path = machine.user_settings({"myTeamNote": "hello"})
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["unrecognised_keys"] == {str(path): ["myTeamNote"]}


# ---- files that do not load ---------------------------------------------------------------------


def test_trailing_comma_names_line_column_and_what_vanished(machine: Machine) -> None:
    path = machine.user_settings(
        '{\n  "env": {\n    "CLAUDE_CODE_USE_BEDROCK": "1",\n    "AWS_REGION": "us-east-1",\n'
        '  },\n  "model": "opus"\n}\n'
    )
    result = machine.check(CHECK)
    message = _only(result, Status.FAIL)
    assert "user settings ~/.claude/settings.json is not valid JSON" in message
    assert "line 5, column 3" in message
    assert "(a trailing comma)" in message
    assert "env block (CLAUDE_CODE_USE_BEDROCK, AWS_REGION) is ignored" in message
    assert "model setting" in message
    assert result.fix is not None
    assert result.fix.commands == (f"python3 -m json.tool {path} > /dev/null",)
    assert result.details["files"][0]["state"] == "broken"


def test_comment_is_named_as_the_cause(machine: Machine) -> None:
    machine.project_settings('{\n  // my provider\n  "env": {"CLAUDE_CODE_USE_VERTEX": "1"}\n}')
    message = _only(machine.check(CHECK), Status.FAIL)
    assert "(a comment; JSON has none)" in message
    assert "env block (CLAUDE_CODE_USE_VERTEX)" in message


def test_unsalvageable_json_says_everything_is_lost(machine: Machine) -> None:
    machine.local_settings('{"env": {"A": "1"')
    message = _only(machine.check(CHECK), Status.FAIL)
    assert "local settings" in message
    assert "everything in it, its env block included, is ignored" in message


def _too_big() -> bytes:
    return b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'


@pytest.mark.parametrize(
    ("content", "phrase", "fix_phrase"),
    [
        ("", "is empty", "printf '{}\\n' >"),
        (b'\xef\xbb\xbf{"env": {"AWS_REGION": "us-east-1"}}', "byte-order mark", "tail -c +4"),
        (b'{"model": "caf\xe9"}', "is not UTF-8", "iconv -f LATIN1"),
        (_too_big(), "2 MiB", None),
        ("[1, 2]", "must hold a JSON object", None),
    ],
    ids=["empty", "bom", "latin1", "too-big", "array"],
)
def test_files_the_client_rejects_fail(
    machine: Machine, content: Any, phrase: str, fix_phrase: str | None
) -> None:
    machine.user_settings(content)
    result = machine.check(CHECK)
    message = _only(result, Status.FAIL)
    assert phrase in message
    assert "Claude Code ignores the whole file" in message
    assert result.fix is not None
    if fix_phrase is not None:
        assert any(fix_phrase in c for c in result.fix.commands), result.fix.commands


def test_bom_file_says_which_env_was_lost(machine: Machine) -> None:
    machine.user_settings(b'\xef\xbb\xbf{"env": {"AWS_REGION": "us-east-1"}}')
    assert "env block (AWS_REGION) is ignored" in _only(machine.check(CHECK), Status.FAIL)


def test_settings_path_that_is_a_directory_fails(machine: Machine) -> None:
    (machine.home / ".claude" / "settings.json").mkdir(parents=True)
    message = _only(machine.check(CHECK), Status.FAIL)
    assert "is a directory" in message


def test_unreadable_file_fails(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    path = machine.user_settings({"model": "opus"})
    real_read = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    # Tests may run as root, which reads any file whatever its mode.
    monkeypatch.setattr(Path, "read_bytes", denied)
    result = machine.check(CHECK)
    assert "cannot be read: Permission denied" in _only(result, Status.FAIL)
    assert "everything in it, its env block included, is ignored" in result.message
    assert result.fix is not None and f"chmod u+r {path}" in result.fix.commands


def test_missing_settings_argument_file_fails(machine: Machine) -> None:
    result = machine.check(CHECK, settings_arg="nowhere.json")
    message = _only(result, Status.FAIL)
    assert message == f"--settings file {machine.project / 'nowhere.json'} does not exist"
    assert result.fix is not None and str(machine.project) in result.fix.text


def test_broken_inline_settings_argument_is_salvaged_for_the_message(machine: Machine) -> None:
    result = machine.check(CHECK, settings_arg='{"env": {"ANTHROPIC_BASE_URL": "http://x",}}')
    message = _only(result, Status.FAIL)
    assert message.startswith("--settings (inline JSON) is not valid JSON")
    assert "env block (ANTHROPIC_BASE_URL)" in message


def test_managed_file_that_breaks_fails_too(machine: Machine) -> None:
    machine.managed_settings('{"env": {"HTTPS_PROXY": "http://proxy:3128"},}')
    message = _only(machine.check(CHECK), Status.FAIL)
    assert message.startswith("managed settings")
    assert "env block (HTTPS_PROXY)" in message


# ---- types --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "status", "phrase"),
    [
        (
            {"env": ["CLAUDE_CODE_USE_BEDROCK=1"]},
            Status.FAIL,
            "env must be an object, not an array",
        ),
        ({"model": 4.6}, Status.FAIL, "model must be a string, not a number"),
        ({"apiKeyHelper": ["get-key"]}, Status.FAIL, "apiKeyHelper must be a string"),
        ({"modelOverrides": "arn:aws:bedrock:x"}, Status.FAIL, "modelOverrides must be an object"),
        ({"includeCoAuthoredBy": "no"}, Status.WARN, "must be true or false, not a string"),
        ({"cleanupPeriodDays": "30"}, Status.WARN, "must be a number, not a string"),
        ({"permissions": ["Bash"]}, Status.WARN, "permissions must be an object"),
    ],
)
def test_wrong_types(
    machine: Machine, settings: dict[str, Any], status: Status, phrase: str
) -> None:
    machine.user_settings(settings)
    result = machine.check(CHECK)
    assert phrase in _only(result, status)
    assert result.fix is not None


def test_env_that_is_not_an_object_says_its_variables_are_lost(machine: Machine) -> None:
    machine.user_settings({"env": "CLAUDE_CODE_USE_BEDROCK=1"})
    result = machine.check(CHECK)
    assert "none of its variables reach Claude Code" in _only(result, Status.FAIL)
    assert result.fix is not None and result.fix.snippet is not None
    assert json.loads(result.fix.snippet) == {"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}}


@pytest.mark.parametrize(
    ("raw", "effect", "snippet_value"),
    [
        (1, "a number, not a string; it is stringified to '1'", "1"),
        (True, "true or false, not a string; it is stringified to 'true'", "true"),
        (None, "null, not a string; it becomes an empty value", "<value>"),
        ({"a": 1}, "an object, not a string; it becomes an empty value", "<value>"),
    ],
)
def test_non_string_env_values_say_how_they_are_stringified(
    machine: Machine, raw: Any, effect: str, snippet_value: str
) -> None:
    machine.user_settings({"env": {"CLAUDE_CODE_USE_BEDROCK": raw}})
    result = machine.check(CHECK)
    message = _only(result, Status.WARN)
    assert f"env CLAUDE_CODE_USE_BEDROCK is {effect}" in message
    assert result.fix is not None and result.fix.snippet is not None
    assert json.loads(result.fix.snippet) == {"env": {"CLAUDE_CODE_USE_BEDROCK": snippet_value}}


def test_non_string_secret_env_value_is_not_echoed(machine: Machine) -> None:
    machine.user_settings({"env": {"ANTHROPIC_API_KEY": 123456789}})
    result = machine.check(CHECK)
    _only(result, Status.WARN)
    assert result.fix is not None and "123456789" not in (result.fix.snippet or "")


def test_model_override_that_is_not_a_string_warns(machine: Machine) -> None:
    machine.user_settings({"modelOverrides": {"claude-opus-4-6": None, "claude-sonnet-4-5": "x"}})
    message = _only(machine.check(CHECK), Status.WARN)
    assert "modelOverrides['claude-opus-4-6'] is null" in message


# ---- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("apiKeyHelpr", "apiKeyHelper"),
        ("modelOverride", "modelOverrides"),
        ("Model", "model"),
        ("statusline", "statusLine"),
        ("envs", "env"),
    ],
)
def test_misspelt_keys_get_a_did_you_mean(machine: Machine, key: str, meant: str) -> None:
    machine.user_settings({key: "x"})
    result = machine.check(CHECK)
    assert f"unknown key {key!r} (did you mean {meant!r}?)" in _only(result, Status.WARN)
    assert result.fix is not None and result.fix.snippet == json.dumps({meant: "x"})


def test_environment_variable_at_top_level_must_move_into_env(machine: Machine) -> None:
    machine.user_settings({"ANTHROPIC_MODEL": "claude-opus-4-6", "ANTHROPIC_API_KEY": "sk-1"})
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    messages = _messages(result)
    assert len(messages) == 2
    assert all('it must sit inside "env"' in m for m in messages)
    assert result.fix is not None and result.fix.snippet is not None
    # One snippet to paste, both variables moved into its env block.
    assert json.loads(result.fix.snippet) == {
        "env": {"ANTHROPIC_MODEL": "claude-opus-4-6", "ANTHROPIC_API_KEY": "<value>"}
    }


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("mcpServers", ".mcp.json"),
        ("disableExperimentalBetas", "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1"),
    ],
)
def test_keys_that_belong_elsewhere(machine: Machine, key: str, hint: str) -> None:
    machine.user_settings({key: True})
    result = machine.check(CHECK)
    assert f"{key!r} is not read from settings files" in _only(result, Status.WARN)
    assert result.fix is not None and hint in result.fix.text


# ---- secrets and ~/.claude.json -----------------------------------------------------------------


def test_credential_in_committed_project_file_warns(machine: Machine) -> None:
    secret = "sk-ant-api03-" + "q" * 40
    machine.project_settings({"env": {"ANTHROPIC_API_KEY": secret, "AWS_REGION": "us-east-1"}})
    result = machine.check(CHECK)
    message = _only(result, Status.WARN)
    assert "holds ANTHROPIC_API_KEY" in message and "committed" in message
    assert result.fix is not None
    assert "settings.local.json" in result.fix.text
    assert secret not in json.dumps(result.details) + result.message + (result.fix.snippet or "")


@pytest.mark.parametrize("writer", ["local_settings", "user_settings"])
def test_credential_in_uncommitted_files_is_fine(machine: Machine, writer: str) -> None:
    getattr(machine, writer)({"env": {"ANTHROPIC_AUTH_TOKEN": "tok-" + "x" * 30}})
    assert machine.check(CHECK).status is Status.PASS


@pytest.mark.parametrize("key", ["permissions", "hooks"])
def test_settings_blocks_in_global_config_are_ignored(machine: Machine, key: str) -> None:
    machine.write(machine.home / ".claude.json", {"numStartups": 3, key: {"allow": []}})
    result = machine.check(CHECK)
    message = _only(result, Status.WARN)
    assert str(machine.home / ".claude.json") in message and "Claude Code ignores there" in message
    assert result.fix is not None and "~/.claude/settings.json" in result.fix.text


def test_the_env_block_of_global_config_applies_above_the_shell_below_settings(
    machine: Machine,
) -> None:
    """Watched on 2.1.197 and 2.1.332 (the global_config_* conformance scenarios)."""
    machine.env["ANTHROPIC_BASE_URL"] = "http://shell.example"
    machine.write(
        machine.home / ".claude.json",
        {"numStartups": 3, "projects": {}, "env": {"ANTHROPIC_BASE_URL": "http://global.example"}},
    )
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.message == "1 loaded: global settings ~/.claude.json"
    base = machine.resolve().env["ANTHROPIC_BASE_URL"]
    assert (base.text, base.origin.source) == ("http://global.example", Source.GLOBAL)
    machine.user_settings({"env": {"ANTHROPIC_BASE_URL": "http://user.example"}})
    assert machine.resolve().env["ANTHROPIC_BASE_URL"].text == "http://user.example"


def test_global_config_follows_claude_config_dir(machine: Machine) -> None:
    other = machine.root / "alt-config"
    machine.env["CLAUDE_CONFIG_DIR"] = str(other)
    machine.write(machine.home / ".claude.json", {"hooks": {}})
    assert machine.check(CHECK).status is Status.PASS
    machine.write(other / ".claude.json", {"hooks": {}})
    result = machine.check(CHECK)
    assert str(other / ".claude.json") in _only(result, Status.WARN)


def test_ordinary_global_config_passes(machine: Machine) -> None:
    machine.write(machine.home / ".claude.json", {"numStartups": 3, "projects": {}})
    assert machine.check(CHECK).status is Status.PASS


def test_corrupt_global_config_is_not_this_checks_business(machine: Machine) -> None:
    machine.write(machine.home / ".claude.json", "{not json")
    assert machine.check(CHECK).status is Status.PASS


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_KEYS = st.sampled_from(
    [
        "env",
        "model",
        "modelOverrides",
        "apiKeyHelper",
        "permissions",
        "ANTHROPIC_MODEL",
        "mcpServers",
        "modle",
    ]
) | st.text(max_size=12)


@settings(max_examples=80, deadline=None)
@given(
    user=st.one_of(st.dictionaries(_KEYS, _JSON, max_size=5), st.binary(max_size=40)),
    project=st.dictionaries(_KEYS, _JSON, max_size=5),
)
def test_any_file_content_gives_a_verdict_never_an_error(
    tmp_path_factory: pytest.TempPathFactory, user: Any, project: dict[str, Any]
) -> None:
    machine = Machine(tmp_path_factory.mktemp("settings"))
    machine.user_settings(user)
    machine.project_settings(project)
    machine.write(machine.home / ".claude.json", project)
    result = machine.check(CHECK)
    assert result.status in (Status.PASS, Status.WARN, Status.FAIL), result.message


def test_a_broken_file_without_connection_settings_only_warns(machine: Machine) -> None:
    # Seen with Claude Code 2.1.197: it drops the file and connects as before.
    machine.user_settings('{"permissions": {"allow": []},}')
    result = machine.check("config.settings")
    assert result.status is Status.WARN
    assert "permissions" in result.message


def test_a_broken_file_with_an_env_block_fails(machine: Machine) -> None:
    machine.user_settings('{"env": {"ANTHROPIC_API_KEY": "x"},}')
    assert machine.check("config.settings").status is Status.FAIL
