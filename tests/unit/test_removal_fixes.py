"""Every fix that takes a variable away, followed for real, wherever the variable is set.

For each set-up that makes a check tell the user to remove a variable:
- exported by the shell: the fix's commands run in `bash -c` in a shell that holds the set-up,
  then ccdoctor runs again from that same shell, and the problem is gone;
- set in a settings file's env block: no `unset` is offered (it would do nothing); the fix names
  the file, the edit it describes is made, the problem is gone and nothing else in the file is;
- set in both: the command and the edit together clear it.
A literal `unset` built anywhere but ccdoctor/config/removal.py fails the scan at the end, so a
new fix of this kind is origin-aware and comes here to be proven."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ccdoctor.context import RunOptions
from ccdoctor.core.results import CheckResult
from tests.golden import Setup, load_setups
from tests.machine import REPO, Machine
from tests.peers.blackhole import closed_port

_AKIA = "AKIA" + "ABCDEFGHIJKLMNOP"
_SECRET = "s" * 40
_BEDROCK = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}
_VERTEX = {
    "CLAUDE_CODE_USE_VERTEX": "1",
    "ANTHROPIC_VERTEX_PROJECT_ID": "p1",
    "CLOUD_ML_REGION": "us-east5",
}


@dataclass(frozen=True)
class Case:
    check: str
    env: dict[str, str]
    phrase: str
    """Part of the problem's message; gone once the fix was followed."""
    version: str = "2.1.332"
    managed: dict[str, object] = field(default_factory=dict)
    online: bool = False
    """The problem is found by a live step (against 127.0.0.1 only)."""

    @property
    def options(self) -> RunOptions:
        return RunOptions(offline=not self.online, timeout=2.0, deadline=10.0)


CASES: dict[str, Case] = {
    "gcp-credential-file-missing": Case(
        "credentials.gcp",
        {**_VERTEX, "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"},
        "points to /nonexistent/key.json",
    ),
    "gcp-project-disagrees": Case(
        "credentials.gcp",
        {**_VERTEX, "GOOGLE_CLOUD_PROJECT": "p2"},
        "Claude Code uses project p2",
    ),
    "vertex-skip-auth-without-gateway": Case(
        "credentials.gcp",
        {**_VERTEX, "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1"},
        "CLAUDE_CODE_SKIP_VERTEX_AUTH is set but",
    ),
    "bedrock-skip-auth-without-gateway": Case(
        "credentials.aws",
        {**_BEDROCK, "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1"},
        "CLAUDE_CODE_SKIP_BEDROCK_AUTH is set but",
    ),
    "aws-half-a-key-pair": Case(
        "credentials.aws", {**_BEDROCK, "AWS_ACCESS_KEY_ID": _AKIA}, "is set but"
    ),
    "aws-left-over-session-token": Case(
        "credentials.aws",
        {
            **_BEDROCK,
            "AWS_ACCESS_KEY_ID": _AKIA,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
            "AWS_SESSION_TOKEN": "t" * 40,
        },
        "next to a long-term key",
    ),
    "aws-keys-shadow-the-profile": Case(
        "credentials.aws",
        {
            **_BEDROCK,
            "AWS_ACCESS_KEY_ID": _AKIA,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
            "AWS_PROFILE": "dev",
        },
        "is ignored: environment keys come first",
    ),
    "bedrock-prefix-in-govcloud": Case(
        "region.bedrock",
        {**_BEDROCK, "AWS_REGION": "us-gov-west-1", "ANTHROPIC_BEDROCK_REGION_PREFIX": "us"},
        "is ignored in GovCloud",
    ),
    "skip-auth-on-the-providers-own-host": Case(
        "proxy.config",
        {
            **_BEDROCK,
            "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1",
            "ANTHROPIC_BEDROCK_BASE_URL": "https://bedrock-runtime.us-east-1.amazonaws.com",
        },
        "they leave unsigned",
    ),
    "base-url-of-another-provider": Case(
        "proxy.config", {"ANTHROPIC_VERTEX_BASE_URL": "https://gw.example/v1"}, "is ignored"
    ),
    "tls-verification-off": Case(
        "network.env", {"NODE_TLS_REJECT_UNAUTHORIZED": "0"}, "turns TLS certificate"
    ),
    "extra-ca-file-missing": Case(
        "network.env", {"NODE_EXTRA_CA_CERTS": "/nonexistent/ca.pem"}, "does not exist"
    ),
    "oauth-token-in-the-api-key": Case(
        "credentials.anthropic",
        {"ANTHROPIC_API_KEY": "sk-ant-oat01-" + "a" * 60},
        "holds a Claude OAuth access token",
    ),
    "platform-path-segment": Case(
        "region.platform_gcp",
        {
            "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": "1",
            "ANTHROPIC_GOOGLE_CLOUD_PROJECT": "p1",
            "ANTHROPIC_GOOGLE_CLOUD_LOCATION": "us/east",
            "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID": "wrkspc_1",
        },
        "has characters other than",
    ),
    "one-hour-cache-on-an-old-client": Case(
        "caching.prompt",
        {**_BEDROCK, "ENABLE_PROMPT_CACHING_1H": "1"},
        "get 400 errors",
        version="2.1.100",
    ),
    "regression-empty-bedrock-key": Case(
        "config.client",
        {
            **_BEDROCK,
            "AWS_BEARER_TOKEN_BEDROCK": "",
            "AWS_ACCESS_KEY_ID": _AKIA,
            "AWS_SECRET_ACCESS_KEY": _SECRET,
        },
        "sends an empty bearer token",
        version="2.1.95",
    ),
    "proxy-refuses-connections": Case(
        "proxy.reachable",
        {
            "HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}",
            "ANTHROPIC_BASE_URL": f"https://127.0.0.1:{closed_port()}",
            "ANTHROPIC_API_KEY": "sk-ant-api03-" + "p" * 40,
        },
        "(HTTPS_PROXY) refuses connections",
        online=True,
    ),
    "policy-refuses-a-custom-endpoint": Case(
        "config.policy",
        {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"},
        "Claude Code refuses to start",
        managed={"allowedProviders": ["anthropic"]},
    ),
}

_NOT_RUNNABLE = re.compile(r"…|<|>|your-|/path/to/|^(?:claude|gcloud|aws) ")
"""Placeholders for the user to fill in, log-ins and upgrades: theirs to choose, not run here."""
_DELETE = re.compile(r"Delete (.+?) from the env block of (\S+?)\.(?:\s|$)")
_OTHER_SETTINGS = {"permissions": {"allow": ["Bash(ls:*)"]}, "cleanupPeriodDays": 30}
"""What else a user's settings file holds: following the fix must leave it as it was."""


def _prepare(machine: Machine, case: Case) -> None:
    machine.claude_version = case.version
    if case.managed:
        machine.managed_settings(case.managed)


def _messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def _flagged(result: CheckResult, phrase: str) -> bool:
    return any(phrase in m for m in _messages(result))


def _runnable(result: CheckResult) -> list[str]:
    assert result.fix is not None, result.message
    return [c for c in result.fix.commands if not _NOT_RUNNABLE.search(c)]


def _report_after(machine: Machine, commands: list[str], case: Case) -> dict[str, object]:
    """The commands run in a shell that holds the set-up, then ccdoctor from that same shell."""
    offline = "" if case.online else "--offline "
    script = " && ".join(
        [
            *commands,
            f"exec {sys.executable} -m ccdoctor {offline}--only {case.check} --format json "
            f"--managed-settings {machine.managed_file} --claude-version {machine.claude_version}",
        ]
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=machine.project,
        env={**machine.env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def _still_flagged(report: dict[str, object], check: str, phrase: str) -> list[str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    (after,) = [c for c in checks if c["id"] == check]
    remaining = [p["message"] for p in after["details"].get("problems", [])] or [after["message"]]
    return [m for m in remaining if phrase in m]


def _follow_the_edits(text: str) -> list[Path]:
    """Make each settings-file edit the fix describes, as a user would in an editor."""
    edited: list[Path] = []
    for names, where in _DELETE.findall(text):
        path = Path(where)
        data = json.loads(path.read_text(encoding="utf-8"))
        for name in names.split(" and "):
            del data["env"][name]
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        edited.append(path)
    return edited


@pytest.mark.parametrize("name", list(CASES))
def test_followed_in_the_shell_that_exports_it(machine: Machine, name: str) -> None:
    case = CASES[name]
    _prepare(machine, case)
    machine.env.update(case.env)
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    commands = _runnable(before)
    assert any(c.startswith("unset ") for c in commands), before.fix
    assert before.fix is not None and "env block" not in before.fix.text
    report = _report_after(machine, commands, case)
    assert not _still_flagged(report, case.check, case.phrase)


@pytest.mark.parametrize("name", list(CASES))
def test_followed_in_the_settings_file_that_sets_it(machine: Machine, name: str) -> None:
    """`unset` cannot reach a settings file's env block: the fix names the file instead, and the
    edit it describes clears the problem without touching anything else in the file."""
    case = CASES[name]
    _prepare(machine, case)
    path = machine.user_settings({**_OTHER_SETTINGS, "env": case.env})
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    assert before.fix is not None
    assert not [c for c in before.fix.commands if c.startswith("unset ")], before.fix.commands
    assert _follow_the_edits(before.fix.text) == [path], before.fix.text
    after = machine.check(case.check, options=case.options)
    assert not _flagged(after, case.phrase), _messages(after)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in data.items() if k != "env"} == _OTHER_SETTINGS
    assert set(data["env"]) < set(case.env)
    assert all(data["env"][k] == case.env[k] for k in data["env"])


@pytest.mark.parametrize(
    "name",
    [
        "aws-left-over-session-token",
        "tls-verification-off",
        "gcp-project-disagrees",
        "proxy-refuses-connections",
    ],
)
def test_followed_where_the_shell_and_a_settings_file_both_set_it(
    machine: Machine, name: str
) -> None:
    """The settings file wins over the shell; removing only one lets the other in. The fix
    takes both away, and both steps together clear the problem."""
    case = CASES[name]
    _prepare(machine, case)
    machine.env.update(case.env)
    path = machine.user_settings({**_OTHER_SETTINGS, "env": case.env})
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    commands = _runnable(before)
    assert any(c.startswith("unset ") for c in commands), before.fix
    assert before.fix is not None
    assert _follow_the_edits(before.fix.text) == [path], before.fix.text
    report = _report_after(machine, commands, case)
    assert not _still_flagged(report, case.check, case.phrase)


def test_a_variable_the_managed_settings_set_is_left_to_the_administrator(
    machine: Machine,
) -> None:
    machine.claude_version = "2.1.332"
    machine.managed_settings({"env": {"NODE_TLS_REJECT_UNAUTHORIZED": "0"}})
    result = machine.check("network.env", options=CASES["tls-verification-off"].options)
    assert _flagged(result, "turns TLS certificate"), _messages(result)
    assert result.fix is not None
    assert not [c for c in result.fix.commands if c.startswith("unset ")]
    assert f"managed settings ({machine.managed_file})" in result.fix.text
    assert "administrator" in result.fix.text
    assert not _DELETE.search(result.fix.text)


# ---- fixes that set a variable again ------------------------------------------------------------

SET_CASES: dict[str, Case] = {
    "misspelt-name": Case(
        "config.env", {"ANTHROPIC_MODLE": "claude-sonnet-4-5"}, "did you mean ANTHROPIC_MODEL"
    ),
    "value-in-literal-quotes": Case(
        "config.env", {"ANTHROPIC_MODEL": "'claude-sonnet-4-5'"}, "wrapped in literal quotes"
    ),
    "carriage-return-in-value": Case(
        "config.env", {"ANTHROPIC_MODEL": "claude-sonnet-4-5\r"}, "carriage return"
    ),
    "debug-for-request-logs": Case("config.env", {"DEBUG": "1"}, "stopped logging API requests"),
    "unknown-bedrock-prefix": Case(
        "region.bedrock",
        {**_BEDROCK, "ANTHROPIC_BEDROCK_REGION_PREFIX": "xx"},
        "Claude Code ignores it",
    ),
}
"""Set-ups whose fix exports a corrected or replacing variable."""


@pytest.mark.parametrize("name", list(SET_CASES))
def test_a_set_fix_run_in_the_shell_clears_the_problem(machine: Machine, name: str) -> None:
    case = SET_CASES[name]
    _prepare(machine, case)
    machine.env.update(case.env)
    before = machine.check(case.check, options=case.options)
    assert _flagged(before, case.phrase), _messages(before)
    commands = _runnable(before)
    assert any(c.startswith("export ") for c in commands), before.fix
    report = _report_after(machine, commands, case)
    assert not _still_flagged(report, case.check, case.phrase)


_EXPORT = re.compile(r"^export ([A-Za-z_][A-Za-z0-9_]*)=")


@pytest.mark.parametrize("name", [*CASES, *SET_CASES])
def test_no_export_is_offered_for_a_variable_a_settings_file_sets(
    machine: Machine, name: str
) -> None:
    """A settings file's env block beats the shell: an `export` of a variable it sets does
    nothing, so the fix must name the file instead."""
    case = {**CASES, **SET_CASES}[name]
    _prepare(machine, case)
    machine.user_settings({"env": case.env})
    before = machine.check(case.check, options=case.options)
    assert before.fix is not None, before.message
    futile = [
        c for c in before.fix.commands if (found := _EXPORT.match(c)) and found.group(1) in case.env
    ]
    assert not futile, before.fix


# ---- every fix of every golden report -----------------------------------------------------------


def _settings_variables(setup: Setup) -> set[str]:
    """What the set-up's settings files (any layer) put in an env block."""
    found: set[str] = set()
    for entry in setup.files:
        data = entry.get("json")
        if Path(str(entry["path"])).name.startswith("settings") and isinstance(data, dict):
            found |= set(data.get("env", {}))
    return found


@pytest.mark.parametrize("setup", load_setups(), ids=lambda s: s.name)
def test_every_golden_fix_unsets_only_what_the_shell_exports(setup: Setup) -> None:
    """Across the fixture set-ups, as the real command reported them: an `unset` names only
    variables the shell exports, an `export` none that a settings file sets."""
    report = json.loads(setup.golden("json").read_text(encoding="utf-8"))
    in_files = _settings_variables(setup)
    futile: list[str] = []
    for result in report["checks"]:
        for command in (result.get("fix") or {}).get("commands", []):
            words = command.split()
            if words[:1] == ["unset"]:
                futile += [f"{command} ({n} not exported)" for n in words[1:] if n not in setup.env]
            elif (found := _EXPORT.match(command)) and found.group(1) in in_files:
                futile.append(f"{command} ({found.group(1)} is set in a settings file)")
    assert not futile, futile


# ---- no literal `unset` anywhere else -----------------------------------------------------------

_HOME = REPO / "ccdoctor" / "config" / "removal.py"
_UNSET = re.compile(r"^\s*unset\s")


def _string_starts(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal, and the first literal part of each f-string."""
    found: list[tuple[int, str]] = []
    parts: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts.update(id(v) for v in node.values)
            first = node.values[0] if node.values else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    found += [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts
    ]
    return found


def test_no_unset_command_is_built_outside_the_removal_helper() -> None:
    package = REPO / "ccdoctor"
    offenders = [
        f"{path.relative_to(REPO)}:{line}: {text[:60]!r}"
        for path in sorted(package.rglob("*.py"))
        if path != _HOME
        for line, text in _string_starts(ast.parse(path.read_text(encoding="utf-8")))
        if _UNSET.match(text)
    ]
    offenders += [
        f"{path.relative_to(REPO)}:{number}: {line.strip()[:60]!r}"
        for path in sorted(package.rglob("*.toml"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"[\"']\s*unset\s", line)
    ]
    assert not offenders, (
        "build `unset` with ccdoctor/config/removal.py (removal_fix / unset_in_shell), which "
        "gives a settings file's variable the edit instead:\n" + "\n".join(offenders)
    )
