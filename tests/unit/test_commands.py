"""The one way ccdoctor starts a process: bounded in time, killed with its children."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import types
from pathlib import Path

import pytest

from ccdoctor.host.commands import BoundedProcess, bounded_popen, library_processes
from tests.peers.ports import wait_until


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


def test_a_librarys_run_is_bounded_by_the_scope_and_killed_with_its_children(
    tmp_path: Path,
) -> None:
    """google-auth asks for 30 s; the scope allows 0.5 s: the group dies at 0.5 s, the call
    raises TimeoutExpired as subprocess.run would, and the scope names what was killed."""
    module = types.SimpleNamespace(subprocess=subprocess)
    pid_file = tmp_path / "child.pid"
    began = time.monotonic()
    with (
        library_processes([module], 0.5, environ=os.environ) as scope,
        pytest.raises(subprocess.TimeoutExpired),
    ):
        module.subprocess.run(
            ["/bin/sh", "-c", f"sleep 30 & echo $! > {pid_file}; sleep 30"],
            timeout=30,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    assert time.monotonic() - began < 2.5
    assert scope.killed and "sleep 30" in scope.killed[0]
    stat = Path(f"/proc/{int(pid_file.read_text())}/stat")

    def dead() -> bool:
        # Gone, or a zombie waiting for init to reap it.
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            return True

    # SIGKILL is delivered, not executed, by the kill: on a loaded machine the child may be
    # scheduled once more before it dies.
    assert wait_until(dead, 2.0, 0.02)


def test_a_librarys_calls_answer_as_the_subprocess_module_does() -> None:
    module = types.SimpleNamespace(subprocess=subprocess)
    with library_processes([module], 5, environ=os.environ) as scope:
        shim = module.subprocess
        merged = shim.run(
            ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"],
            stdout=shim.PIPE,
            stderr=shim.STDOUT,
        )
        assert (merged.returncode, merged.stdout) == (3, b"out\nerr\n")
        assert shim.check_output(["/bin/sh", "-c", "echo ok"], universal_newlines=True) == "ok\n"
        with pytest.raises(subprocess.CalledProcessError) as failed:
            shim.check_output(
                ["/bin/sh", "-c", "echo 'az login' >&2; exit 1"],
                stderr=shim.PIPE,
                stdin=shim.DEVNULL,
                universal_newlines=True,
            )
        assert (failed.value.returncode, failed.value.stderr) == (1, "az login\n")
    assert not scope.killed


def test_a_librarys_environment_is_the_scopes_on_its_thread_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Inside the scope the library's os.environ, os.getenv and the environment of what it
    starts are the set-up's; another thread, meanwhile, sees ccdoctor's own, which is never
    changed."""
    monkeypatch.setenv("CCDOCTOR_OWN", "own")
    module = types.SimpleNamespace(subprocess=subprocess, os=os)
    effective = {"PATH": os.environ["PATH"], "FROM_SETTINGS": "settings"}
    inside = threading.Event()
    release = threading.Event()
    seen: dict[str, object] = {}

    def other_thread() -> None:
        inside.wait(5)
        seen["other"] = (module.os.environ.get("FROM_SETTINGS"), module.os.getenv("CCDOCTOR_OWN"))
        seen["process"] = os.environ.get("FROM_SETTINGS")
        release.set()

    watcher = threading.Thread(target=other_thread)
    watcher.start()
    with library_processes([module], 5, environ=effective):
        inside.set()
        release.wait(5)
        assert module.os.environ["FROM_SETTINGS"] == "settings"
        assert module.os.getenv("CCDOCTOR_OWN") is None
        assert "CCDOCTOR_OWN" not in module.os.environ.copy()
        assert module.os.path is os.path
        inherited = module.subprocess.run(["/bin/sh", "-c", "echo $FROM_SETTINGS/$CCDOCTOR_OWN"])
        assert inherited.stdout == b"settings/\n"
    watcher.join()
    assert seen == {"other": (None, "own"), "process": None}
    assert module.os.environ.get("CCDOCTOR_OWN") == "own"


def test_a_librarys_popen_is_bounded_by_the_scope_and_killed_with_its_children(
    tmp_path: Path,
) -> None:
    """azure-identity's PowerShell credential: Popen, then communicate(timeout=10)."""
    module = types.SimpleNamespace(subprocess=subprocess)
    pid_file = tmp_path / "child.pid"
    with library_processes([module], 0.5, environ=os.environ) as scope:
        done = module.subprocess.Popen(
            ["/bin/sh", "-c", "echo out; exit 2"], universal_newlines=True
        )
        assert done.communicate(timeout=10) == ("out\n", "")
        assert done.returncode == 2
        began = time.monotonic()
        hung = module.subprocess.Popen(
            ["/bin/sh", "-c", f"sleep 30 & echo $! > {pid_file}; sleep 30"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            universal_newlines=True,
        )
        with pytest.raises(subprocess.TimeoutExpired):
            hung.communicate(timeout=10)
        hung.kill()
    assert time.monotonic() - began < 2.5
    assert len(scope.killed) == 1 and "sleep 30" in scope.killed[0]
    stat = Path(f"/proc/{int(pid_file.read_text())}/stat")
    # SIGKILL is delivered at once, but a loaded machine may take a moment to reap the child.
    deadline = time.monotonic() + 2
    while stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child outlived its group's kill"
        time.sleep(0.02)
