"""Which connections besides the provider endpoint the client makes at start-up, per route, with
and without CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, and whether blocking them is fatal.

    unshare -rn python -m tests.facts.startup --claude-version 2.1.332 [--claude-version …]

Run inside a network namespace of its own (`unshare -rn`: only a loopback interface), so that
nothing can leave the machine whatever the client tries. Every proxy variable points at a
refusing proxy that answers 403 to each request and records what was asked, NO_PROXY lets the
fakes through, and strace records any direct connect() beyond loopback. The findings are in
tests/facts/startup_connections.md.
"""

from __future__ import annotations

import argparse
import os
import re
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.conformance.claude_client import PROMPT, claude_binary, missing_reason
from tests.facts.observe import anthropic_env, bedrock_env, foundry_env, vertex_env
from tests.peers.fake_anthropic import FakeAnthropic
from tests.peers.fake_bedrock import FakeBedrock
from tests.peers.fake_vertex import FakeVertex, VertexBehaviour

_CONNECT = re.compile(r'inet_(?:addr|pton)\((?:AF_INET6, )?"([^"]+)"')
ROUTES: Mapping[str, tuple[Callable[[], Any], Callable[[Any], dict[str, str]]]] = {
    "anthropic (gateway)": (FakeAnthropic, anthropic_env),
    "bedrock": (FakeBedrock, bedrock_env),
    # With CLAUDE_CODE_SKIP_VERTEX_AUTH the client sends no token: the fake must not want one.
    "vertex": (lambda: FakeVertex(VertexBehaviour(require_auth=False)), vertex_env),
    "foundry": (FakeAnthropic, foundry_env),
}


class _Refuser(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        self.asked: list[str] = []
        super().__init__(("127.0.0.1", 0), _RefuseHandler)


class _RefuseHandler(socketserver.StreamRequestHandler):
    server: _Refuser

    def handle(self) -> None:
        request_line = self.rfile.readline(65536).decode("latin-1").strip()
        while self.rfile.readline(65536) not in (b"", b"\r\n", b"\n"):
            pass
        self.server.asked.append(request_line)
        self.wfile.write(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )


def run_claude(
    version: str, home: Path, env: Mapping[str, str], connect_log: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`claude -p PROMPT` run in `home` with nothing of this machine's environment but PATH,
    no retries and no auto-update, plus `env`; the run and how long it took. With
    `connect_log`, under strace, recording every connect() there."""
    binary = claude_binary(version)
    assert binary is not None
    full = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "CLAUDE_CODE_MAX_RETRIES": "0",
        "DISABLE_AUTOUPDATER": "1",
        **env,
    }
    command = [str(binary), "-p", PROMPT]
    if connect_log is not None:
        command = ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(connect_log), *command]
    started = time.monotonic()
    completed = subprocess.run(
        command,
        env=full,
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return completed, time.monotonic() - started


def observe(version: str, route: str, nonessential: bool, refuser: _Refuser) -> str:
    start_fake, env_of = ROUTES[route]
    proxy = f"http://127.0.0.1:{refuser.server_address[1]}"
    refuser.asked.clear()
    with tempfile.TemporaryDirectory(prefix="ccdoctor-startup-") as home, start_fake() as fake:
        env = {
            **env_of(fake),
            **dict.fromkeys(("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"), proxy),
            "NO_PROXY": "127.0.0.1",
        }
        if not nonessential:
            env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
        log = Path(home) / "connect.log"
        completed, seconds = run_claude(version, Path(home), env, connect_log=log)
        direct = sorted(
            set(_CONNECT.findall(log.read_text(errors="replace"))) - {"127.0.0.1", "::1"}
        )
    outcome = "ok" if completed.returncode == 0 else f"exit {completed.returncode}"
    asked = ", ".join(sorted(set(refuser.asked))) or "nothing"
    mode = "on" if nonessential else "off"
    return (
        f"| {version} | {route} | {mode} | {outcome} ({seconds:.1f} s) | {asked} | "
        f"{', '.join(direct) or 'none'} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claude-version", action="append", dest="versions", required=True)
    options = parser.parse_args(argv)
    if reason := missing_reason(options.versions):
        print(reason, file=sys.stderr)
        return 2
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with _Refuser() as refuser:
        threading.Thread(target=refuser.serve_forever, daemon=True).start()
        print("| client | route | non-essential traffic | run | asked of the proxy | direct |")
        print("|---|---|---|---|---|---|")
        for version in options.versions:
            for route in ROUTES:
                for nonessential in (True, False):
                    print(observe(version, route, nonessential, refuser), flush=True)
        refuser.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
