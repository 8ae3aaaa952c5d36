"""The client's version comes from `claude --version` on PATH and picks the defaults row."""

from __future__ import annotations

import json

from tests.machine import Machine


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
    assert models["model.main"] == "claude-opus-5"  # the newest row
