"""Bad arguments are refused before any work: no request reaches the provider, no process is
started, when the report could not be written anyway."""

from __future__ import annotations

import pytest

from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic


@pytest.mark.parametrize(
    "args",
    [
        ("-o", "/nonexist/r.json"),
        ("--json-report", "/nonexist/r.json"),
        ("--only", "credentails"),
        ("--settings", "/nonexist/settings.json"),
    ],
)
def test_a_bad_argument_exits_2_before_any_request_or_process(
    machine: Machine, fake_anthropic: FakeAnthropic, args: tuple[str, ...]
) -> None:
    marker = machine.root / "claude-ran"
    bin_dir = machine.root / "bin"
    bin_dir.mkdir()
    claude = bin_dir / "claude"
    claude.write_text(f"#!/bin/sh\ntouch {marker}\necho '2.1.332 (Claude Code)'\n")
    claude.chmod(0o755)
    machine.env["PATH"] = f"{bin_dir}:/usr/bin:/bin"
    machine.claude_version = None
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    done = machine.cli(*args)
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert fake_anthropic.requests == []
    assert not marker.exists()


def test_the_same_set_up_with_good_arguments_does_reach_the_fake(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    """The counts above can fail: with a writable output the run does send requests."""
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    done = machine.cli("--no-invoke", "-o", str(machine.root / "r.json"))
    assert done.returncode == 0, done.stdout
    assert fake_anthropic.requests
    assert (machine.root / "r.json").exists()
