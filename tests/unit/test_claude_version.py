"""The client's version comes from `claude --version` (PATH, then the installer's places) and
picks the facts file; config.client says which, and warns when ccdoctor has not observed it."""

from __future__ import annotations

import json

import pytest

from ccdoctor.clients.facts import all_facts
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Status
from tests.machine import Machine

NEWEST = all_facts()[-1].version_text
OLDEST = all_facts()[0].version_text


def _fake_claude(machine: Machine, script: str) -> None:
    bin_dir = machine.root / "bin"
    claude = machine.write(bin_dir / "claude", f"#!/bin/sh\n{script}\n")
    claude.chmod(0o755)
    machine.env["PATH"] = f"{bin_dir}:{machine.env['PATH']}"


def test_the_installed_clients_version_is_used(machine: Machine) -> None:
    _fake_claude(machine, 'echo "2.1.197 (Claude Code)"')
    machine.claude_version = None
    report = json.loads(machine.cli("--offline", "-f", "json").stdout)
    assert report["platform"]["claude_code_version"] == "2.1.197"
    models = {e["name"]: e["value"] for e in report["config"]}
    assert models["model.main"] == "claude-opus-4-8[1m]"


def test_a_client_that_prints_no_version_means_the_newest_defaults(machine: Machine) -> None:
    _fake_claude(machine, "echo 'not a version'")
    machine.claude_version = None
    report = json.loads(machine.cli("--offline", "-f", "json").stdout)
    assert report["platform"]["claude_code_version"] is None
    models = {e["name"]: e["value"] for e in report["config"]}
    assert models["model.main"] == all_facts()[-1].defaults[Provider.ANTHROPIC].main
    client = next(c for c in report["checks"] if c["id"] == "config.client")
    assert client["status"] == "warn"
    assert "/bin/claude --version printed no version; judging" in client["message"]
    assert f"judging for the newest observed version {NEWEST}" in client["message"]


def test_a_client_that_printed_its_version_but_left_a_child_on_the_pipe_is_judged(
    machine: Machine,
) -> None:
    """Only the time limit is spent, and the version it printed is still used: no false red."""
    _fake_claude(machine, 'sleep 30 & echo "2.1.197 (Claude Code)"')
    machine.claude_version = None
    report = json.loads(machine.cli("--offline", "--timeout", "0.5", "-f", "json").stdout)
    assert report["platform"]["claude_code_version"] == "2.1.197"
    client = next(c for c in report["checks"] if c["id"] == "config.client")
    assert client["status"] == "pass"


def test_the_native_installers_place_is_found_off_path(machine: Machine) -> None:
    claude = machine.write(machine.home / ".local/bin/claude", '#!/bin/sh\necho "2.1.197"\n')
    claude.chmod(0o755)
    machine.claude_version = None
    report = json.loads(machine.cli("--offline", "-f", "json").stdout)
    client = next(c for c in report["checks"] if c["id"] == "config.client")
    assert report["platform"]["claude_code_version"] == "2.1.197"
    assert client["status"] == "pass"
    assert f"{machine.home}/.local/bin/claude --version" in client["message"]


def test_no_client_anywhere_is_a_visible_warning(machine: Machine) -> None:
    machine.env["PATH"] = str(machine.root / "empty-bin")
    machine.claude_version = None
    report = json.loads(machine.cli("--offline", "-f", "json").stdout)
    client = next(c for c in report["checks"] if c["id"] == "config.client")
    assert client["status"] == "warn"
    assert client["message"].startswith("no Claude Code found (no claude on PATH")
    assert f"ccdoctor --claude-version {NEWEST}" in client["fix"]["commands"]


@pytest.mark.parametrize(
    ("version", "status", "words"),
    [
        ("2.9.0", Status.WARN, f"newer than the newest observed version {NEWEST}"),
        ("0.2.1", Status.WARN, f"older than the oldest version ccdoctor supports ({OLDEST})"),
        (NEWEST, Status.PASS, f"judged by the facts of {NEWEST}"),
        ("nonsense", Status.WARN, "'nonsense' is not a Claude Code version"),
    ],
)
def test_config_client_says_how_far_the_facts_reach(
    machine: Machine, version: str, status: Status, words: str
) -> None:
    machine.claude_version = version
    result = machine.check("config.client")
    assert result.status is status
    assert words in result.message


def test_a_version_between_two_observed_ones_uses_the_older(machine: Machine) -> None:
    older, newer = all_facts()[0].since, all_facts()[1].since
    between = f"{newer[0]}.{newer[1]}.{newer[2] - 1}"
    assert older < (newer[0], newer[1], newer[2] - 1)
    machine.claude_version = between
    result = machine.check("config.client")
    assert result.status is Status.PASS
    assert f"facts of {'.'.join(map(str, older))}, the nearest older observed" in result.message
