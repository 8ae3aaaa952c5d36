"""A real forward proxy (proxy.py) in a subprocess, with or without basic auth.

Run as a subprocess rather than embedded: proxy.py forks its acceptors, and forked children of
the pytest process would inherit (and keep open) every other peer's sockets. The access log,
which proxy.py writes when a connection closes, tells tests whether a CONNECT tunnel was used.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.peers.ports import (
    LOOPBACK,
    accepts_connections,
    free_port,
    stop_process_group,
    wait_until,
)

_ACCESS_LINE = re.compile(r"access_log:\d+ - \S+ - (?P<method>[A-Z]+) (?P<target>\S+) - ")


@dataclass(frozen=True)
class ProxyAccess:
    method: str
    target: str
    """`host:port` for CONNECT (`None:None` when refused before connecting), else host:port/path."""


class ForwardProxy:
    def __init__(
        self,
        workdir: Path,
        basic_auth: tuple[str, str] | None = None,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        """`tls`: a certificate and key file; the proxy then speaks TLS to its clients (an
        https:// proxy URL) before any CONNECT."""
        workdir.mkdir(parents=True, exist_ok=True)
        self.basic_auth = basic_auth
        self.tls = tls
        self.port = free_port()
        self.log_path = workdir / f"proxy-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{LOOPBACK}:{self.port}"

    @property
    def url_with_credentials(self) -> str:
        if self.basic_auth is None:
            return self.url
        user, password = self.basic_auth
        return self.url.replace("://", f"://{user}:{password}@", 1)

    def start(self) -> None:
        command = [
            sys.executable, "-m", "proxy",
            "--hostname", LOOPBACK,
            "--port", str(self.port),
            "--num-workers", "1",
            "--num-acceptors", "1",
            "--log-level", "INFO",
            "--log-file", str(self.log_path),
        ]  # fmt: skip
        if self.basic_auth is not None:
            command += ["--basic-auth", ":".join(self.basic_auth)]
        if self.tls is not None:
            command += ["--cert-file", str(self.tls[0]), "--key-file", str(self.tls[1])]
        output = self.log_path.with_suffix(".out")
        with output.open("wb") as sink:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._process = process
        wait_until(
            lambda: process.poll() is not None or accepts_connections(self.port),
            timeout=15,
            interval=0.05,
        )
        if not accepts_connections(self.port):
            self.stop()
            raise RuntimeError(
                f"proxy.py (pip install proxy.py==2.4.10) did not listen on {self.url}:\n"
                + output.read_text(errors="replace")[-2000:]
            )

    def stop(self) -> None:
        if self._process is not None:
            # SIGINT: proxy.py exits in ~30 ms on it, but needs 2-3 s for SIGTERM.
            stop_process_group(self._process, signal.SIGINT, grace=5.0)
            self._process = None

    def log_mark(self) -> int:
        """A position in the access log; pass it as `since` to see only what came after."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def accesses(self, since: int = 0) -> list[ProxyAccess]:
        if not self.log_path.exists():
            return []
        with self.log_path.open("rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        return [ProxyAccess(m["method"], m["target"]) for m in _ACCESS_LINE.finditer(text)]

    def wait_for_tunnel(self, target: str, since: int = 0, timeout: float = 5.0) -> bool:
        """Whether a CONNECT to `target` (host:port) shows up; the line is only written once the
        client has closed the tunnel, hence the wait."""
        wanted = ProxyAccess("CONNECT", target)
        return wait_until(lambda: wanted in self.accesses(since), timeout, interval=0.05)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
