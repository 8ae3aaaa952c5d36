"""The real command on a pseudo-terminal 80 and 200 columns wide: no line wider than the
terminal, and nothing of the progress line left behind."""

from __future__ import annotations

import io
import socket
import sys
from collections.abc import Iterator

import pytest

from ccdoctor.engine.progress import ProgressLine, line_for
from ccdoctor.engine.registry import load_catalogue
from tests.golden import Setup, load_setups, prepared
from tests.machine import REPO, Machine
from tests.terminal import replay, run_on_terminal

SETUPS = load_setups()


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.name)
def test_the_report_fits_the_terminal(setup: Setup, columns: int) -> None:
    with prepared(setup) as (home, env, command):
        screen = run_on_terminal(command, env, home / "project", columns)
    assert screen.exit_code == setup.exit_code, screen.raw
    assert "Traceback" not in screen.raw
    assert screen.wrapped == 0, "\n".join(r for r in screen.rows if len(r) >= columns)
    assert max(len(row) for row in screen.rows) <= columns
    assert screen.rows[-2].startswith(("No issues found", "No failures", "1 problem"))


@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.name)
def test_colour_takes_no_room(setup: Setup) -> None:
    with prepared(setup) as (home, env, command):
        coloured = {k: v for k, v in env.items() if k != "NO_COLOR"}
        screen = run_on_terminal(command, coloured, home / "project", 80)
    assert "\x1b[3" in screen.raw
    assert screen.wrapped == 0, "\n".join(r for r in screen.rows if len(r) >= 80)


def test_a_wide_terminal_gets_wide_lines() -> None:
    [setup] = [s for s in SETUPS if s.name == "anthropic_base_url_quoted"]
    with prepared(setup) as (home, env, command):
        narrow = run_on_terminal(command, env, home / "project", 80)
        wide = run_on_terminal(command, env, home / "project", 200)
    assert max(len(row) for row in wide.rows) > 120
    assert len(wide.rows) < len(narrow.rows)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A listener that accepts and never answers, so the network checks wait visibly."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@pytest.mark.parametrize("columns", [80, 200])
def test_the_progress_line_fits_and_leaves_nothing_behind(
    machine: Machine, silent_port: int, columns: int
) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{silent_port}/anthropic"
    machine.env["ANTHROPIC_API_KEY"] = "sk-ant-api03-" + "a" * 40
    command = [sys.executable, "-m", "ccdoctor", "--timeout", "0.5", "--claude-version"]
    command += ["2.1.197", "--managed-settings", str(machine.managed_file)]
    screen = run_on_terminal(
        command, {**machine.env, "PYTHONPATH": str(REPO)}, machine.project, columns
    )
    assert "waiting for " in screen.raw  # it was drawn
    assert screen.wrapped == 0
    assert not [row for row in screen.rows if "waiting for" in row]
    assert screen.rows[-1] == "" and "fix endpoint first" in screen.rows[-2]


def test_the_replay_sees_a_line_that_wrapped_and_one_not_erased() -> None:
    rows, wrapped = replay("x" * 81 + "\r\n", 80)
    assert wrapped == 1 and rows[:2] == ("x" * 80, "x")
    rows, wrapped = replay("\r\x1b[2Kwaiting for a\r\x1b[2Kwaiting\r\nreport\r\n", 80)
    assert rows == ("waiting", "report", "")
    rows, _ = replay("\r\x1b[2Kwaiting for a\r\x1b[2K\x1b[31mFAIL\x1b[0m x\r\n", 80)
    assert rows == ("FAIL x", "")


def test_the_progress_line_drops_names_that_do_not_fit_and_counts_them() -> None:
    working = [(f"check.number{i}", 1.25) for i in range(8)]
    line = line_for(working, 79)
    assert len(line) <= 79
    assert line.startswith("waiting for check.number0 1.2s, ")
    assert line.endswith(" more)")
    assert line_for(working[:1], 79) == "waiting for check.number0 1.2s"
    assert len(line_for(working, 10)) <= 10


def test_the_progress_line_names_checks_at_work_not_those_waiting_on_a_need() -> None:
    catalogue = load_catalogue(include_plugins=False)
    progress = ProgressLine(io.StringIO())
    for check_id in ("proxy.reachable", "proxy.auth", "credentials.aws", "config.env"):
        check = catalogue.by_id(check_id)
        assert check is not None
        progress.started(check)
    # proxy.auth needs proxy.reachable, still running; config.env is local; credentials.aws
    # is not a network check but makes a free call online.
    assert [name for name, _ in progress.at_work()] == ["credentials.aws", "proxy.reachable"]
    offline = ProgressLine(io.StringIO(), offline=True)
    check = catalogue.by_id("credentials.aws")
    assert check is not None
    offline.started(check)
    assert offline.at_work() == []


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize(
    "args",
    [
        ("config",),
        ("list",),
        ("explain",),
        ("explain", "credentials.aws"),
        ("explain", "proxy"),
        ("--help",),
    ],
    ids=" ".join,
)
def test_the_other_commands_fit_the_terminal(
    machine: Machine, args: tuple[str, ...], columns: int
) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": "eu-west-1",
            "ANTHROPIC_MODEL": "arn:aws:bedrock:eu-west-1:123456789012:application-inference-"
            "profile/a1b2c3d4e5f6a1b2c3d4e5f6",
        }
    )
    machine.user_settings({"env": {"AWS_PROFILE": "developer-account-with-a-long-name"}})
    command = [sys.executable, "-m", "ccdoctor", *args]
    if args[0] == "config":
        command += ["--managed-settings", str(machine.managed_file)]
    env = {**machine.env, "PYTHONPATH": str(REPO)}
    screen = run_on_terminal(command, env, machine.project, columns)
    assert screen.exit_code == 0, screen.raw
    assert screen.wrapped == 0, "\n".join(r for r in screen.rows if len(r) >= columns)
