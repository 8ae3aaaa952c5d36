"""Every process ccdoctor starts (`claude --version`, apiKeyHelper and friends, credential_process)
starts here, the way the client runs it but bounded: its own process group, stdin closed, a time
limit that kills the whole group, and a cap on captured output."""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdoctor.host import files as file_probe
from ccdoctor.knowledge.credentials import HELPER_OUTPUT_CAP_BYTES, SHELL


@dataclass(frozen=True)
class CommandRun:
    command: str
    exit_code: int | None
    """None when the command could not start or was killed at the time limit."""
    stdout: str
    stderr: str
    duration_ms: float
    timed_out: bool = False
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    start_error: str | None = None


def expand_home(command: str, home: Path) -> str:
    """Expand a leading `~` the way a login shell would, with the machine's HOME."""
    if command == "~" or command.startswith("~/"):
        return shlex.quote(str(home)) + command[1:]
    return command


def program_path(command: str) -> Path | None:
    """The script a command starts, when it names one by path (`~/bin/x --flag`, `./get-key`)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or "/" not in words[0]:
        return None
    return Path(words[0])


_LIVE: set[subprocess.Popen[bytes]] = set()
"""Started and not yet reaped: a check abandoned at its time limit may leave one behind."""
_LIVE_LOCK = threading.Lock()


@atexit.register
def _kill_leftovers() -> None:
    """ccdoctor leaves nothing running: a command whose check was abandoned (the credential
    chain timed out around a hung credential_process) is killed with its children at exit."""
    with _LIVE_LOCK:
        leftovers = list(_LIVE)
    for process in leftovers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


class BoundedProcess:
    """A process started the one way ccdoctor starts any: its own session (so it and every child
    it forks can be killed as a group), stdin closed (a helper that prompts gets end-of-file
    instead of a terminal to wait on), output piped. `finish` waits at most a given time."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        label: str | None = None,
    ) -> None:
        self.command = label if label is not None else shlex.join(argv)
        self._started = time.monotonic()
        self._process: subprocess.Popen[bytes] | None = None
        self.start_error: str | None = None
        try:
            self._process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=None if env is None else dict(env),
                cwd=cwd if cwd is not None and file_probe.is_dir(cwd) else None,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the command or env
            self.start_error = str(exc)
            return
        with _LIVE_LOCK:
            _LIVE.add(self._process)

    def finish(self, timeout: float, cap: int = HELPER_OUTPUT_CAP_BYTES) -> CommandRun:
        """Read its output until it exits or `timeout` seconds from now pass; then kill the group.
        A grandchild that keeps a pipe open is waited for only until that time."""
        process = self._process
        if process is None:
            return CommandRun(self.command, None, "", "", 0.0, start_error=self.start_error)
        deadline = time.monotonic() + timeout
        captured, truncated = _collect(process, deadline, cap)
        # A pipe still open at the deadline means the command (or a child holding its output)
        # is still running: the client would still be waiting too.
        timed_out = process.stdout is not None or process.stderr is not None
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
        if timed_out:
            _kill_group(process)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        with _LIVE_LOCK:
            _LIVE.discard(process)
        return CommandRun(
            command=self.command,
            exit_code=None if timed_out else process.returncode,
            stdout=captured["stdout"].decode("utf-8", errors="replace"),
            stderr=captured["stderr"].decode("utf-8", errors="replace"),
            duration_ms=round((time.monotonic() - self._started) * 1000, 1),
            timed_out=timed_out,
            stdout_truncated=truncated["stdout"],
            stderr_truncated=truncated["stderr"],
        )


def run_shell_command(
    command: str,
    *,
    timeout: float,
    env: Mapping[str, str],
    cwd: Path,
    cap: int = HELPER_OUTPUT_CAP_BYTES,
) -> CommandRun:
    process = BoundedProcess([SHELL, "-c", command], env=env, cwd=cwd, label=command)
    return process.finish(timeout, cap)


@dataclass(frozen=True)
class _Finished:
    """What botocore's credential_process provider reads of the Popen it asked for."""

    returncode: int
    stdout: bytes
    stderr: bytes

    def communicate(self) -> tuple[bytes, bytes]:
        return self.stdout, self.stderr


def bounded_popen(timeout: float, env: Mapping[str, str]) -> Callable[..., _Finished]:
    """A stand-in for subprocess.Popen for botocore's credential_process provider, which calls
    communicate() with no time limit: the command runs bounded, and one that overstays exits
    non-zero with the reason on stderr, which botocore reports as the credential error."""

    def popen(argv: Sequence[str], **_pipes: Any) -> _Finished:
        run = BoundedProcess(argv, env=env).finish(timeout)
        if run.start_error is not None:
            raise OSError(run.start_error)
        if run.timed_out:
            why = f"credential_process did not finish within {timeout:g} s and was killed"
            return _Finished(-signal.SIGKILL, run.stdout.encode(), why.encode())
        return _Finished(
            run.exit_code if run.exit_code is not None else 1,
            run.stdout.encode(),
            run.stderr.encode(),
        )

    return popen


@dataclass(frozen=True)
class LibraryScope:
    """The bound of the library processes started on one thread, and what overstayed it."""

    seconds: float
    killed: list[str]
    """The commands killed at the limit: the library words that as its own failure ("Failed
    to invoke the Azure CLI"), the caller as what it is, a time limit."""


_LIBRARY_SCOPE = threading.local()
_UNSCOPED_LIMIT = 10.0
"""The bound of a library process started outside `library_processes` (none should be)."""


class LibraryProcesses:
    """A stand-in for the `subprocess` module inside a library that starts processes itself:
    google-auth runs an executable-sourced credential's command with `subprocess.run`, and
    azure-identity runs `az` and `azd` with `subprocess.check_output`. Their own timeouts kill
    the child only (a grandchild holding the pipe lives on) and run up to what the user's file
    says (google-auth: 30 s by default, up to 120). Here the same calls run as BoundedProcess,
    within the smaller of the library's limit and the check's, and a command that overstays is
    killed with its group and raises TimeoutExpired, as the real module would."""

    PIPE = subprocess.PIPE
    STDOUT = subprocess.STDOUT
    DEVNULL = subprocess.DEVNULL
    CalledProcessError = subprocess.CalledProcessError
    TimeoutExpired = subprocess.TimeoutExpired
    CompletedProcess = subprocess.CompletedProcess
    SubprocessError = subprocess.SubprocessError

    def run(
        self,
        args: Sequence[str],
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        stderr: Any = None,
        universal_newlines: bool = False,
        text: bool = False,
        check: bool = False,
        **_streams: Any,
    ) -> subprocess.CompletedProcess[Any]:
        scope: LibraryScope | None = getattr(_LIBRARY_SCOPE, "scope", None)
        bound = scope.seconds if scope is not None else _UNSCOPED_LIMIT
        limit = min(timeout, bound) if timeout else bound
        run = BoundedProcess(args, env=env, cwd=Path(cwd) if cwd else None).finish(limit)
        if run.start_error is not None:
            raise OSError(run.start_error)
        merged = stderr == subprocess.STDOUT
        out, err = (run.stdout + run.stderr, "") if merged else (run.stdout, run.stderr)
        as_text = universal_newlines or text
        stdout: Any = out if as_text else out.encode()
        errors: Any = (err if as_text else err.encode()) if not merged else None
        if run.timed_out:
            if scope is not None:
                scope.killed.append(run.command)
            raise subprocess.TimeoutExpired(list(args), limit, output=stdout, stderr=errors)
        code = run.exit_code if run.exit_code is not None else 1
        if check and code != 0:
            raise subprocess.CalledProcessError(code, list(args), stdout, errors)
        return subprocess.CompletedProcess(list(args), code, stdout, errors)

    def check_output(self, args: Sequence[str], **options: Any) -> Any:
        return self.run(args, check=True, **options).stdout


@contextlib.contextmanager
def library_processes(modules: Sequence[Any], seconds: float) -> Iterator[LibraryScope]:
    """Within the block, the processes `modules` start on this thread run bounded by `seconds`.
    The stand-in replaces each module's `subprocess` for good: every thread that uses the
    library goes through it, each with its own limit."""
    for module in modules:
        if not isinstance(getattr(module, "subprocess", None), LibraryProcesses):
            module.subprocess = LibraryProcesses()
    before = getattr(_LIBRARY_SCOPE, "scope", None)
    scope = LibraryScope(seconds, [])
    _LIBRARY_SCOPE.scope = scope
    try:
        yield scope
    finally:
        _LIBRARY_SCOPE.scope = before


def _collect(
    process: subprocess.Popen[bytes], deadline: float, cap: int
) -> tuple[dict[str, bytes], dict[str, bool]]:
    """Read both pipes until they close or the deadline passes; keep at most `cap` bytes of each
    but keep draining, so a chatty command is not blocked on a full pipe."""
    captured = {"stdout": b"", "stderr": b""}
    truncated = {"stdout": False, "stderr": False}
    with selectors.DefaultSelector() as selector:
        for name, stream in (("stdout", process.stdout), ("stderr", process.stderr)):
            if stream is not None:
                selector.register(stream, selectors.EVENT_READ, name)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, _ in selector.select(timeout=remaining):
                name = key.data
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    _close_stream(process, name)
                    continue
                room = cap - len(captured[name])
                if room > 0:
                    captured[name] += chunk[:room]
                if len(chunk) > room:
                    truncated[name] = True
    return captured, truncated


def _close_stream(process: subprocess.Popen[bytes], name: str) -> None:
    stream = process.stdout if name == "stdout" else process.stderr
    if stream is not None:
        stream.close()
    if name == "stdout":
        process.stdout = None
    else:
        process.stderr = None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """The shell's children (a `sleep`, a hung `curl`) share its session: kill them all."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        process.kill()
