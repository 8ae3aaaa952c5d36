"""The terminal progress line and --anonymize."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator

import pytest

from tests.machine import REPO, Machine
from tests.schema import validate_report
from tests.terminal import run_on_terminal

ERASE = "\r\x1b[2K"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A listener that accepts and never answers, so a network check waits visibly."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def _run_on_tty(machine: Machine, *args: str) -> tuple[int, str]:
    """Run ccdoctor with stdout and stderr on a pseudo-terminal; return exit code and output."""
    screen = run_on_terminal(
        [sys.executable, "-m", "ccdoctor", *args, "--managed-settings", str(machine.managed_file)],
        env={**machine.env, "PYTHONPATH": str(REPO)},
        cwd=machine.project,
        columns=120,
        timeout=30,
    )
    return screen.exit_code, screen.raw


def test_progress_line_names_waiting_checks_and_is_erased(
    machine: Machine, silent_port: int
) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{silent_port}"
    machine.env["ANTHROPIC_API_KEY"] = "sk-ant-api03-" + "a" * 40
    code, screen = _run_on_tty(machine, "--only", "proxy.reachable", "--timeout", "1")
    assert code == 1
    assert "waiting for proxy.reachable" in screen
    drawn, after_last_erase = screen.rsplit(ERASE, 1)
    assert "waiting for" not in after_last_erase
    assert "endpoint" in after_last_erase and "endpoint" not in drawn


def test_no_progress_line_off_a_terminal(machine: Machine, silent_port: int) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{silent_port}"
    completed = machine.cli("--only", "proxy.reachable", "--timeout", "1")
    assert "waiting for" not in completed.stdout + completed.stderr
    assert ERASE not in completed.stdout + completed.stderr


def test_no_progress_line_in_machine_formats_even_on_a_terminal(
    machine: Machine, silent_port: int
) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{silent_port}"
    _, screen = _run_on_tty(machine, "--only", "proxy.reachable", "--timeout", "1", "-f", "json")
    assert "waiting for" not in screen
    validate_report(json.loads(screen[screen.index("{") :]))


def test_anonymize_replaces_identifying_values_consistently(machine: Machine) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": "acme-prod-4711",
            "ANTHROPIC_VERTEX_BASE_URL": "https://llm.acme-corp.example/vertex/v1",
            "HTTPS_PROXY": "http://proxy.acme-corp.example:3128",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": arn,
            "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
        }
    )
    plain = machine.cli("--offline", "-f", "json")
    assert "acme-prod-4711" in plain.stdout and "123456789012" in plain.stdout

    hidden = machine.cli("--offline", "-f", "json", "--anonymize")
    report = json.loads(hidden.stdout)
    validate_report(report)
    for identifying in (
        "acme-prod-4711",
        "llm.acme-corp.example",
        "proxy.acme-corp.example",
        "123456789012",
        "a1b2c3d4e5f6",
        machine.home.name,
    ):
        assert identifying not in hidden.stdout
    assert "<project-1>" in hidden.stdout
    assert "<account-1>" in hidden.stdout
    config = {entry["name"]: entry["value"] for entry in report["config"]}
    assert config["ANTHROPIC_VERTEX_PROJECT_ID"] == config["vertex.project"] == "<project-1>"

    table = machine.cli("config", "--anonymize")
    assert "acme-prod-4711" not in table.stdout
    assert "<project-1>" in table.stdout
