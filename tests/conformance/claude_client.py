"""The real Claude Code client, installed by tests/peers/install_claude.sh, and how one run of it
is made: a fresh HOME, an environment built only from the scenario, and a hard timeout."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.peers.required import peer_missing

REPO = Path(__file__).resolve().parents[2]
VERSIONS_FILE = REPO / "tests" / "peers" / "claude_versions.txt"
INSTALL_SCRIPT = "tests/peers/install_claude.sh"
REQUIRE_CLAUDE = "CCDOCTOR_REQUIRE_CLAUDE"
"""Set to 1 (CI does) to make a missing client fail the tier instead of skipping it."""
PROMPT = "say hi"


@dataclass(frozen=True)
class Mode:
    """How the client is run: the variables the harness adds to every scenario's environment
    (for the client and ccdoctor alike) and how long one run may take."""

    env: Mapping[str, str]
    timeout: float

    def describe(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.env.items()) or "no overrides"


NO_TRAFFIC = {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
"""No auto-update, telemetry or error reporting: nothing but the API calls leaves the client."""

FAST = Mode({"CLAUDE_CODE_MAX_RETRIES": "0", **NO_TRAFFIC}, timeout=60.0)
"""The tier's mode. The client retries a failed request 10 times with exponential backoff,
about 175 s before it exits 1; with no retries it prints the same final message at once, so a
failing scenario costs about a second. Retries change when the client gives up, not whether it
succeeds, so the outcome compared with ccdoctor's is the same."""

DEFAULT_RETRIES = Mode(NO_TRAFFIC, timeout=400.0)
"""The client as users run it, retries and all: for measuring the real time to failure."""


def peers_dir() -> Path:
    return Path(os.environ.get("CCDOCTOR_PEERS_DIR") or str(REPO / ".peers"))


def tier_versions() -> tuple[str, ...]:
    """The client versions the tier runs every scenario against, as install_claude.sh reads
    them: one per line, `#` comments and blank lines skipped."""
    lines = (line.strip() for line in VERSIONS_FILE.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def claude_binary(version: str) -> Path | None:
    """The installed binary, whichever platform package npm chose; None when not installed."""
    prefix = peers_dir() / f"claude-{version}"
    stamp = prefix / ".ccdoctor-version"
    if not stamp.is_file() or stamp.read_text().strip() != version:
        return None
    found = sorted((prefix / "node_modules" / "@anthropic-ai").glob("claude-code-*/claude"))
    return next((path for path in found if os.access(path, os.X_OK)), None)


def missing_reason(versions: Sequence[str]) -> str | None:
    """Why one of the clients cannot run here, or None when all can."""
    missing = [version for version in versions if claude_binary(version) is None]
    if missing:
        return (
            f"Claude Code {', '.join(missing)} not installed: run {INSTALL_SCRIPT} (make test does)"
        )
    return None


def claude_or_exit(version: str) -> Path:
    """The installed binary, for a command-line tool: one that is missing says how to install it
    and exits 2 (a usage problem, not a finding)."""
    binary = claude_binary(version)
    if binary is None:
        print(missing_reason([version]), file=sys.stderr)
        raise SystemExit(2)
    return binary


def claude_for_test(version: str) -> Path:
    """The installed binary, for a test: one that is missing skips it, or fails it where CI sets
    CCDOCTOR_REQUIRE_CLAUDE=1."""
    binary = claude_binary(version)
    if binary is None:
        peer_missing(missing_reason([version]) or version, REQUIRE_CLAUDE)
    return binary


@dataclass(frozen=True)
class ClientRun:
    exit_code: int | None
    """None when the run timed out."""
    seconds: float
    stdout: str
    stderr: str = ""
    timeout: float = FAST.timeout

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def last_line(self) -> str:
        if self.exit_code is None:
            return f"no answer within {self.timeout:.0f} s"
        # The verdict is on stdout ("API Error: …"); stderr only adds context, e.g. the
        # apiKeyHelper's complaint before the 401 that follows it.
        for stream in (self.stdout, self.stderr):
            lines = [line.strip() for line in stream.splitlines() if line.strip()]
            if lines:
                return lines[-1]
        return "no output"


def run_client(
    binary: Path,
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    timeout: float = FAST.timeout,
    connect_log: Path | None = None,
    managed: Path | None = None,
) -> ClientRun:
    """`claude -p PROMPT` as a user would type it, non-bare: a normal run reads ~/.claude
    settings and honours their apiKeyHelper, which --bare would ignore. With `connect_log`,
    under strace, recording every connect() the client and its children make. With `managed`,
    that file is the client's /etc/claude-code/managed-settings.json (see _with_managed)."""
    command = [str(binary), "-p", PROMPT, *args]
    if connect_log is not None:
        command = [*_strace(connect_log), *command]
    if managed is not None:
        command = _with_managed(managed, command)
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        seconds = time.monotonic() - started
        return ClientRun(None, seconds, _text(expired.stdout), _text(expired.stderr), timeout)
    seconds = time.monotonic() - started
    return ClientRun(completed.returncode, seconds, completed.stdout, completed.stderr, timeout)


def _text(data: str | bytes | None) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data or ""


def strace_missing() -> str | None:
    return None if shutil.which("strace") else "strace is not installed"


def _strace(log: Path) -> list[str]:
    strace = shutil.which("strace")
    if strace is None:
        raise RuntimeError(strace_missing())
    return [strace, "-f", "-qq", "-e", "trace=connect", "-o", str(log)]


_INET_CONNECT = re.compile(
    r"sa_family=AF_INET6?, sin6?_port=htons\((?P<port>\d+)\)"
    r'.*?inet_(?:addr|pton)\((?:AF_INET6, )?"(?P<ip>[^"]+)"'
)


def off_loopback(connect_log: Path) -> list[str]:
    """Every non-loopback address:port the traced client tried to connect to (DNS included)."""
    if not connect_log.exists():
        return []
    found = []
    for match in _INET_CONNECT.finditer(connect_log.read_text(errors="replace")):
        if not ipaddress.ip_address(match["ip"]).is_loopback:
            found.append(f"{match['ip']}:{match['port']}")
    return list(dict.fromkeys(found))


MANAGED_DIR = "/etc/claude-code"
"""Where the client reads managed settings on Linux; the path is built into it."""
_OVERLAY = (
    'set -e; work=$(mktemp -d -p "$(dirname "$0")"); '
    'mkdir -p "$work/upper/claude-code" "$work/work"; '
    'cp "$0" "$work/upper/claude-code/managed-settings.json"; '
    'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/upper,workdir=$work/work" /etc; '
    'exec "$@"'
)


def _with_managed(managed: Path, command: list[str]) -> list[str]:
    """The command in a mount namespace of its own whose /etc is an overlay holding `managed`
    as the managed settings: the machine's /etc, and every other process, never see it. The
    overlay's layers go beside `managed`, so they go away with the run's directory."""
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
    return [*unshare, "sh", "-c", _OVERLAY, str(managed), *command]


def managed_missing() -> str | None:
    """Why the client cannot be given a managed-settings file here, or None when it can."""
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    with tempfile.TemporaryDirectory(prefix="ccdoctor-managed-") as scratch:
        managed = Path(scratch) / "managed-settings.json"
        managed.write_text("{}", encoding="utf-8")
        probe = _with_managed(managed, ["test", "-f", f"{MANAGED_DIR}/managed-settings.json"])
        try:
            done = subprocess.run(probe, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"no private mount namespace for /etc: {error}"
    if done.returncode != 0:
        return f"no private mount namespace for /etc: {done.stderr.strip() or done.returncode}"
    return None
