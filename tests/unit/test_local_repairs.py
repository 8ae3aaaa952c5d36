"""Every fix command that acts on local files, run for real: each kind ccdoctor/core/repairs.py
can build is executed with `bash -c` in a sandbox HOME on the set-up that triggers it, then the
check is re-run. A rewrite must leave a file the check passes and keep the original byte for byte;
a read-only command must leave the file as it was. A file-touching command built anywhere else in
the package fails `test_no_file_command_is_built_outside_repairs`, so a new local fix comes here."""

from __future__ import annotations

import ast
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccdoctor.core import repairs
from ccdoctor.core.encoding import Encoding
from ccdoctor.core.repairs import Repair
from ccdoctor.core.results import CheckResult, Status
from tests.machine import REPO, Machine

CHECK = "config.settings"
SETTINGS = {"env": {"AWS_REGION": "eu-west-1"}, "model": "café-opus"}
"""Non-ASCII on purpose: a conversion from the wrong encoding changes it."""
_TEXT = json.dumps(SETTINGS, ensure_ascii=False, indent=2)


def _encoded(encoding: Encoding) -> bytes:
    if encoding is Encoding.UTF8_BOM:
        return b"\xef\xbb\xbf" + _TEXT.encode()
    bom = {Encoding.UTF16_LE: b"\xff\xfe", Encoding.UTF16_BE: b"\xfe\xff"}.get(encoding, b"")
    codec = {
        Encoding.UTF16_LE: "utf-16-le",
        Encoding.UTF16_BE: "utf-16-be",
        Encoding.UTF16_LE_NO_BOM: "utf-16-le",
        Encoding.UTF16_BE_NO_BOM: "utf-16-be",
        Encoding.LATIN1: "latin-1",
    }[encoding]
    return bom + _TEXT.encode(codec)


@dataclass(frozen=True)
class Case:
    """A set-up that makes config.settings emit the repair, and what must hold after it ran."""

    setup: Callable[[Machine], Path]
    rewrites: bool
    settings_arg: Callable[[Machine], str | None] = lambda _: None
    check: str = CHECK


def _reencode_case(encoding: Encoding) -> Case:
    return Case(lambda m: m.user_settings(_encoded(encoding)), rewrites=True)


def _unreadable(machine: Machine) -> Path:
    path = machine.user_settings(SETTINGS)
    path.chmod(0o200)
    return path


def _helper_not_executable(machine: Machine) -> Path:
    script = machine.write(machine.home / "bin" / "get-key", "#!/bin/sh\necho sk-ant-api03-x\n")
    script.chmod(0o644)
    machine.user_settings({"apiKeyHelper": "~/bin/get-key"})
    machine.env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:4000"
    return script


CASES: dict[tuple[Repair, Encoding | None], Case] = {
    **{(Repair.REENCODE, e): _reencode_case(e) for e in repairs.REENCODABLE},
    (Repair.WRITE_EMPTY_OBJECT, None): Case(lambda m: m.user_settings("  \n"), rewrites=True),
    (Repair.MAKE_READABLE, None): Case(_unreadable, rewrites=False),
    (Repair.MAKE_EXECUTABLE, None): Case(
        _helper_not_executable, rewrites=False, check="credentials.anthropic"
    ),
    (Repair.SHOW_JSON_ERROR, None): Case(
        lambda m: m.user_settings('{"model": "opus",}'), rewrites=False
    ),
    (Repair.SHOW_FILE, None): Case(
        lambda m: m.project / "missing.json", rewrites=False, settings_arg=lambda _: "missing.json"
    ),
}


def test_every_local_repair_has_a_case() -> None:
    kinds = {(r, None) for r in repairs.LOCAL_REPAIRS if r is not Repair.REENCODE}
    kinds |= {(Repair.REENCODE, e) for e in repairs.REENCODABLE}
    assert set(CASES) == kinds


def _permission_enforced(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads any file whatever its mode; there the kernel's check on the owner's read bit is
    reproduced, so chmod's effect on the mode is still what decides."""
    if os.geteuid() != 0:
        return
    real_read = Path.read_bytes

    def read(self: Path) -> bytes:
        if self.is_relative_to(machine.root) and not self.stat().st_mode & stat.S_IRUSR:
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read)


def _bash(machine: Machine, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=machine.project,
        env={"HOME": str(machine.home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )


def _local_commands(result: CheckResult) -> list[str]:
    assert result.fix is not None, result.message
    return list(result.fix.commands)


@pytest.mark.parametrize(
    "key", list(CASES), ids=[f"{r.name}-{e.name if e else ''}".rstrip("-") for r, e in CASES]
)
def test_a_local_repair_run_for_real(
    machine: Machine, monkeypatch: pytest.MonkeyPatch, key: tuple[Repair, Encoding | None]
) -> None:
    case = CASES[key]
    path = case.setup(machine)
    original = path.read_bytes() if path.exists() and key[0] is not Repair.MAKE_READABLE else None
    check = case.check
    if key[0] is Repair.MAKE_READABLE:
        _permission_enforced(machine, monkeypatch)
    settings_arg = case.settings_arg(machine)
    before = machine.check(check, settings_arg=settings_arg)
    assert before.status in (Status.FAIL, Status.WARN), before.message
    commands = _local_commands(before)
    assert commands, before.fix
    for command in commands:
        done = _bash(machine, command)
        if not case.rewrites and key[0] in (Repair.SHOW_JSON_ERROR, Repair.SHOW_FILE):
            # A command that only shows the error: it says where, and changes nothing.
            assert done.returncode != 0
            assert "line 1" in done.stderr if key[0] is Repair.SHOW_JSON_ERROR else done.stderr, (
                done
            )
            continue
        assert done.returncode == 0, (command, done.stderr)
    if key[0] in (Repair.SHOW_JSON_ERROR, Repair.SHOW_FILE):
        assert (path.read_bytes() if path.exists() else None) == original
        return
    after = machine.check(check)
    assert after.status is Status.PASS, after.message
    if key[0] is Repair.MAKE_EXECUTABLE:
        assert path.read_text() == "#!/bin/sh\necho sk-ant-api03-x\n"
    elif case.rewrites:
        backup = path.with_name(path.name + repairs.BACKUP_SUFFIX)
        assert backup.read_bytes() == original
        data = json.loads(path.read_bytes().decode("utf-8"))
        assert data == (SETTINGS if key[0] is Repair.REENCODE else {})
    else:
        assert json.loads(path.read_bytes()) == SETTINGS


def test_a_utf16_settings_file_is_repaired_end_to_end(machine: Machine) -> None:
    """The reported case through the real command: PowerShell's `>` wrote the file; the fix the
    JSON report gives, run as shown, leaves JSON the client reads and the original beside it."""
    original = _encoded(Encoding.UTF16_LE)
    path = machine.user_settings(original)
    args = ("--offline", "--only", CHECK, "--format", "json")
    report = json.loads(machine.cli(*args).stdout)
    (result,) = [c for c in report["checks"] if c["id"] == CHECK]
    assert result["status"] == "fail"
    assert "UTF-16 LE" in result["message"]
    for command in result["fix"]["commands"]:
        assert "latin1" not in command.lower()
        assert _bash(machine, command).returncode == 0, command
    again = machine.cli(*args)
    assert again.returncode == 0, again.stdout
    assert json.loads(path.read_text(encoding="utf-8")) == SETTINGS
    assert path.with_name("settings.json.bak").read_bytes() == original


def test_latin1_that_does_not_parse_gets_prose_not_a_command(machine: Machine) -> None:
    """Bytes that are not UTF-8 and do not read as JSON in latin-1 either: no conversion is known
    to be right, so the fix is prose."""
    machine.user_settings(b'{"model": "\xe9\x81\x00\xff')
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.fix is not None and result.fix.commands == ()
    assert "editor" in result.fix.text


_FILE_VERBS = re.compile(
    r"^\s*(?:sed|chmod|chown|mv|cp|rm|iconv|tail|head|printf|echo|touch|mkdir|ls|tee|truncate"
    r"|dd|ln|install|python3? -m json\.tool|python3? -c)\b"
)


def _leading_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals and the first literal part of each f-string, where a command starts."""
    found: list[tuple[int, str]] = []
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside.update(id(v) for v in node.values)
            first = node.values[0] if node.values else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside
        ):
            found.append((node.lineno, node.value))
    return found


def test_no_file_command_is_built_outside_repairs() -> None:
    package = REPO / "ccdoctor"
    home = package / "core" / "repairs.py"
    offenders = [
        f"{path.relative_to(REPO)}:{line}: {text[:60]!r}"
        for path in sorted(package.rglob("*.py"))
        if path != home
        for line, text in _leading_strings(ast.parse(path.read_text(encoding="utf-8")))
        if _FILE_VERBS.match(text)
    ]
    assert not offenders, "file commands belong in ccdoctor/core/repairs.py:\n" + "\n".join(
        offenders
    )


# ---- unsetting variables ------------------------------------------------------------------------

UNSET_CASES: dict[str, tuple[str, dict[str, str], str]] = {
    "presence-only-flag": (
        "config.env",
        {"DISABLE_TELEMETRY": "0"},
        "DISABLE_TELEMETRY=0",
    ),
    "auth-conflict": (
        "config.env",
        {"ANTHROPIC_API_KEY": "sk-ant-api03-" + "a" * 40, "ANTHROPIC_AUTH_TOKEN": "t" * 30},
        "are both set",
    ),
    "deprecated-without-effect": (
        "config.env",
        {"CLAUDE_CODE_CONNECT_TIMEOUT_MS": "5000"},
        "CLAUDE_CODE_CONNECT_TIMEOUT_MS",
    ),
    "base-url-ignored-by-provider-flag": (
        "config.provider",
        {"CLAUDE_CODE_USE_BEDROCK": "1", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"},
        "is ignored because",
    ),
    "five-minute-cache-wins": (
        "caching.prompt",
        {"ENABLE_PROMPT_CACHING_1H": "1", "FORCE_PROMPT_CACHING_5M": "1"},
        "are both set",
    ),
    "two-provider-flags": (
        "config.provider",
        {"CLAUDE_CODE_USE_BEDROCK": "1", "CLAUDE_CODE_USE_VERTEX": "1"},
        "are all true",
    ),
    "deprecated-bedrock-one-hour-cache": (
        "caching.prompt",
        {"CLAUDE_CODE_USE_BEDROCK": "1", "ENABLE_PROMPT_CACHING_1H_BEDROCK": "1"},
        "is deprecated",
    ),
}
"""Set-ups whose fix is `unset` alone, with the check that reports it and a phrase of the
problem that must be gone once the fix ran in the same shell."""


_PLACEHOLDER = re.compile(r"…|<|>|your-|^claude ")


def _messages_of(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def _report_after(machine: Machine, commands: list[str], check: str) -> dict[str, object]:
    """The fix run in a shell that holds the set-up's variables, then ccdoctor from that same
    shell: what `unset` changed is what the second run sees."""
    script = " && ".join(
        [
            *commands,
            f"exec {sys.executable} -m ccdoctor --offline --only {check} "
            f"--format json --managed-settings {machine.managed_file} --claude-version 2.1.332",
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


@pytest.mark.parametrize("name", list(UNSET_CASES))
def test_an_unset_fix_run_in_the_shell_clears_the_problem(machine: Machine, name: str) -> None:
    check, variables, phrase = UNSET_CASES[name]
    machine.env.update(variables)
    machine.claude_version = "2.1.332"
    before = machine.check(check)
    problem = [m for m in _messages_of(before) if phrase in m]
    assert problem, _messages_of(before)
    assert before.fix is not None
    # The whole fix as shown (an unset with the export that replaces it), but no placeholder
    # and no upgrade, which are for the user to fill in or choose.
    commands = [c for c in before.fix.commands if not _PLACEHOLDER.search(c)]
    assert any(c.startswith("unset ") for c in commands), before.fix.commands
    report = _report_after(machine, commands, check)
    checks = report["checks"]
    assert isinstance(checks, list)
    (after,) = [c for c in checks if c["id"] == check]
    remaining = [p["message"] for p in after["details"].get("problems", [])] or [after["message"]]
    assert not [m for m in remaining if phrase in m], remaining


@pytest.mark.parametrize("name", list(UNSET_CASES))
def test_an_unset_fix_is_not_offered_for_a_variable_only_a_settings_file_sets(
    machine: Machine, name: str
) -> None:
    """`unset` in the shell cannot touch a settings file's env block: there the fix is the
    settings snippet, and a command that would do nothing is not shown."""
    check, variables, phrase = UNSET_CASES[name]
    machine.user_settings({"env": variables})
    machine.claude_version = "2.1.332"
    before = machine.check(check)
    assert [m for m in _messages_of(before) if phrase in m], _messages_of(before)
    assert before.fix is not None
    assert not [c for c in before.fix.commands if c.startswith("unset ")], before.fix.commands
