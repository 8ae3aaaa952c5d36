"""Every process ccdoctor starts (`claude --version`, apiKeyHelper and friends, credential_process)
starts here, the way the client runs it but bounded: its own process group, stdin closed, a time
limit that kills the whole group, and a cap on captured output."""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
import shlex
import shutil
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
    """What a local command did: exit code, output (capped), duration, and whether it timed out or
    could not start."""

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
    """The bound of the library processes started on one thread, the environment the library
    reads there, and what overstayed the bound."""

    seconds: float
    killed: list[str]
    """The commands killed at the limit: the library words that as its own failure ("Failed
    to invoke the Azure CLI"), the caller as what it is, a time limit."""
    environ: Mapping[str, str]
    """The effective environment of the set-up under diagnosis (settings-file env blocks
    included), which the client's own library would read in the client's process."""


_LIBRARY_SCOPE = threading.local()
_UNSCOPED_LIMIT = 10.0
"""The bound of a library process started outside `library_processes` (none should be)."""


def _scope() -> LibraryScope | None:
    scope: LibraryScope | None = getattr(_LIBRARY_SCOPE, "scope", None)
    return scope


class ScopedEnviron(Mapping[str, str]):
    """What a library sees as `os.environ`: on a thread inside `library_processes`, that scope's
    effective environment; on any other thread, ccdoctor's own environment, as before. Read-only:
    the libraries only read it (google-auth's allow-executables switch and the environment it
    gives its command, azure-identity's AZURE_* variables), and nothing here may change what
    another thread sees."""

    def _current(self) -> Mapping[str, str]:
        scope = _scope()
        return scope.environ if scope is not None else os.environ

    def __getitem__(self, key: str) -> str:
        return self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._current()))

    def __len__(self) -> int:
        return len(self._current())

    def copy(self) -> dict[str, str]:
        return dict(self._current())


class LibraryOs:
    """A stand-in for the `os` module inside a library that reads the environment itself:
    `environ` and `getenv` are the scope's, everything else is the real module's. The process
    environment is never patched, not even under a lock: checks run in threads, and another
    thread's library (or ccdoctor itself) reading os.environ meanwhile would see the wrong
    set-up; a module-level view keyed by thread has no such window."""

    environ = ScopedEnviron()

    def getenv(self, key: str, default: str | None = None) -> str | None:
        return self.environ.get(key, default)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


class LibraryShutil:
    """A stand-in for the `shutil` module inside a library that looks a command up on PATH
    (azure-identity: `az`, `azd`): the scope's PATH, not ccdoctor's."""

    def which(self, cmd: str, mode: int = os.F_OK | os.X_OK, path: str | None = None) -> str | None:
        if path is None:
            path = LibraryOs.environ.get("PATH", os.defpath)
        return shutil.which(cmd, mode, path)

    def __getattr__(self, name: str) -> Any:
        return getattr(shutil, name)


class _BoundedPopen:
    """What azure-identity's PowerShell credential reads of the Popen it starts (`pwsh` via
    /bin/sh): communicate(timeout), returncode, kill(). Started as BoundedProcess, so that the
    whole group dies at the smaller of the library's limit and the check's."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], cwd: Path | None, text: bool):
        self.args = list(args)
        self.returncode: int | None = None
        self._text = text
        self._process = BoundedProcess(args, env=env, cwd=cwd)
        if self._process.start_error is not None:
            raise OSError(self._process.start_error)

    def communicate(self, timeout: float | None = None) -> tuple[Any, Any]:
        scope = _scope()
        bound = scope.seconds if scope is not None else _UNSCOPED_LIMIT
        limit = min(timeout, bound) if timeout else bound
        run = self._process.finish(limit)
        out: Any = run.stdout if self._text else run.stdout.encode()
        err: Any = run.stderr if self._text else run.stderr.encode()
        if run.timed_out:
            if scope is not None:
                scope.killed.append(run.command)
            raise subprocess.TimeoutExpired(self.args, limit, output=out, stderr=err)
        self.returncode = run.exit_code if run.exit_code is not None else 1
        return out, err

    def kill(self) -> None:
        """Already done: a process that overstayed was killed with its group by `finish`."""


class LibraryProcesses:
    """A stand-in for the `subprocess` module inside a library that starts processes itself:
    google-auth runs an executable-sourced credential's command with `subprocess.run`,
    azure-identity runs `az` and `azd` with `subprocess.check_output` and `pwsh` with
    `subprocess.Popen`. Their own timeouts kill the child only (a grandchild holding the pipe
    lives on) and run up to what the user's file says (google-auth: 30 s by default, up to 120).
    Here the same calls run as BoundedProcess, within the smaller of the library's limit and the
    check's, and a command that overstays is killed with its group and raises TimeoutExpired, as
    the real module would. A command started without an environment gets the scope's, not
    ccdoctor's: the client's library would hand it the client's."""

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
        scope = _scope()
        bound = scope.seconds if scope is not None else _UNSCOPED_LIMIT
        limit = min(timeout, bound) if timeout else bound
        run = BoundedProcess(args, env=_environ_for(env), cwd=Path(cwd) if cwd else None).finish(
            limit
        )
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

    def Popen(  # the name the subprocess module gives it
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        universal_newlines: bool = False,
        text: bool = False,
        **_streams: Any,
    ) -> _BoundedPopen:
        where = Path(cwd) if cwd else None
        return _BoundedPopen(args, _environ_for(env), where, universal_newlines or text)


def _environ_for(env: Mapping[str, str] | None) -> Mapping[str, str]:
    if env is not None:
        return env
    scope = _scope()
    return scope.environ if scope is not None else os.environ


@contextlib.contextmanager
def library_processes(
    modules: Sequence[Any], seconds: float, *, environ: Mapping[str, str]
) -> Iterator[LibraryScope]:
    """Within the block, the processes `modules` start on this thread run bounded by `seconds`,
    and the environment they read (os.environ, os.getenv, shutil.which's PATH, a child's
    inherited one) is `environ`.
    The stand-ins replace each module's `subprocess` and `os` for good: every thread that uses
    the library goes through them, each with its own scope, and a thread outside any scope sees
    ccdoctor's own environment as before."""
    for module in modules:
        if hasattr(module, "subprocess") and not isinstance(module.subprocess, LibraryProcesses):
            module.subprocess = LibraryProcesses()
        if hasattr(module, "os") and not isinstance(module.os, LibraryOs):
            module.os = LibraryOs()
        if hasattr(module, "shutil") and not isinstance(module.shutil, LibraryShutil):
            module.shutil = LibraryShutil()
    before = _scope()
    scope = LibraryScope(seconds, [], dict(environ))
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
