"""The one way ccdoctor starts a process: bounded in time, killed with its children."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ccdoctor.host.commands import BoundedProcess, bounded_popen


def test_a_grandchild_holding_the_pipe_costs_the_timeout_not_its_own_life(tmp_path: Path) -> None:
    began = time.monotonic()
    run = BoundedProcess(["/bin/sh", "-c", "sleep 30 & echo started"]).finish(0.5)
    assert time.monotonic() - began < 2.5
    assert run.timed_out and run.exit_code is None
    assert run.stdout == "started\n"


def test_stdin_is_closed_so_a_prompt_reads_end_of_file() -> None:
    run = BoundedProcess(["/bin/sh", "-c", "read line || echo eof"]).finish(2)
    assert run.stdout == "eof\n" and run.exit_code == 0


def test_a_program_that_cannot_start_says_why(tmp_path: Path) -> None:
    run = BoundedProcess([str(tmp_path / "missing")]).finish(1)
    assert run.start_error is not None and run.exit_code is None


def test_botocore_gets_a_bounded_popen_that_reports_the_timeout_as_its_error() -> None:
    popen = bounded_popen(0.5, dict(os.environ))
    began = time.monotonic()
    hung = popen(["/bin/sh", "-c", "sleep 30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert time.monotonic() - began < 2.5
    assert hung.returncode == -signal.SIGKILL
    assert b"did not finish within 0.5 s" in hung.communicate()[1]
    fine = popen(["/bin/sh", "-c", "echo '{}'; exit 3"])
    assert (fine.returncode, fine.communicate()) == (3, (b"{}\n", b""))


def test_a_missing_credential_process_raises_like_popen_does(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        bounded_popen(1, {})([str(tmp_path / "missing")])


def test_a_process_left_unfinished_is_killed_with_its_children_at_exit() -> None:
    """A check abandoned at its time limit never calls finish(); exit must still kill it."""
    from ccdoctor.host import commands

    started = BoundedProcess(["/bin/sh", "-c", "sleep 30 & exec sleep 30"])
    commands._kill_leftovers()
    run = started.finish(2)
    assert not run.timed_out and run.exit_code == -signal.SIGKILL
