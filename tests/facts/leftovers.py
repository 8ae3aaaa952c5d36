"""Four behaviours of issue 16 watched on the real client: which credential wins among an OAuth
login, `primaryApiKey` and ANTHROPIC_API_KEY; what proxyAuthHelper's output becomes (and what a
failing or silent helper does); a redirect loop answered to the model request; the certificate
store setting against SSL_CERT_FILE.

    unshare -rn sh -c 'ip link set lo up && .venv/bin/python -m tests.facts.leftovers \
        --claude-version 2.1.332 --claude-version 2.1.197'

Run inside a network namespace of its own: an OAuth login could make the client ask
api.anthropic.com or the OAuth host, and nothing may leave the machine. Findings are in
tests/facts/leftovers.md.
"""

from __future__ import annotations

import argparse
import json
import socketserver
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.conformance.claude_client import missing_reason
from tests.facts.startup import run_claude
from tests.peers.fake_anthropic import Behaviour, FakeAnthropic
from tests.peers.tls_servers import TLSLab

KEY_ENV = "sk-ant-api03-from-env-000000000000000000"
KEY_PRIMARY = "sk-ant-api03-from-claude-json-0000000000"
OAUTH_LOGIN = "sk-ant-oat01-from-credentials-json-000000000000"
ACCEPTED = Behaviour(
    api_keys=frozenset({KEY_ENV, KEY_PRIMARY}),
    oauth_tokens=frozenset({OAUTH_LOGIN}),
    bearer_tokens=frozenset({OAUTH_LOGIN}),
)
FAR_FUTURE_MS = 4_102_444_800_000  # 2100-01-01: no refresh is due


class _Recorder(socketserver.ThreadingTCPServer):
    """A proxy that answers 407 to everything and records each request line with its
    Proxy-Authorization header."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        self.asked: list[str] = []
        super().__init__(("127.0.0.1", 0), _RecordHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordHandler(socketserver.StreamRequestHandler):
    server: _Recorder

    def handle(self) -> None:
        line = self.rfile.readline(65536).decode("latin-1").strip()
        auth = "none"
        while (header := self.rfile.readline(65536)) not in (b"", b"\r\n", b"\n"):
            name, _, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "proxy-authorization":
                auth = repr(value.strip())
        self.server.asked.append(f"{line.split(' HTTP/')[0]} [Proxy-Authorization: {auth}]")
        self.wfile.write(
            b"HTTP/1.1 407 Proxy Authentication Required\r\n"
            b'Proxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n'
            b"Connection: close\r\n\r\n"
        )


def run_client(version: str, home: Path, env: Mapping[str, str]) -> tuple[str, float]:
    completed, seconds = run_claude(
        version, home, {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", **env}
    )
    said = " ".join((completed.stdout + completed.stderr).split())[:300]
    return f"exit {completed.returncode}: {said!r}", seconds


def _write(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))


def credentials(version: str) -> list[str]:
    rows = []
    combos = [
        ("login", "primary", "env"),
        ("login", "primary"),
        ("login", "env"),
        ("login",),
        ("primary", "env"),
    ]
    for combo in combos:
        with (
            tempfile.TemporaryDirectory(prefix="ccdoctor-obs-") as tmp,
            FakeAnthropic(ACCEPTED) as fake,
        ):
            home = Path(tmp)
            env = {"ANTHROPIC_BASE_URL": fake.url}
            if "login" in combo:
                _write(
                    home / ".claude" / ".credentials.json",
                    {
                        "claudeAiOauth": {
                            "accessToken": OAUTH_LOGIN,
                            "refreshToken": "sk-ant-ort01-refresh-0000",
                            "expiresAt": FAR_FUTURE_MS,
                            "scopes": ["user:inference", "user:profile"],
                            "subscriptionType": "max",
                        }
                    },
                )
            if "primary" in combo:
                _write(home / ".claude.json", {"primaryApiKey": KEY_PRIMARY})
            if "env" in combo:
                env["ANTHROPIC_API_KEY"] = KEY_ENV
            outcome, seconds = run_client(version, home, env)
            sent = sorted({_credential(r.headers) for r in fake.requests_to("/v1/messages")}) or [
                "no model request"
            ]
        rows.append(
            f"| {version} | {' + '.join(combo)} | {', '.join(sent)} | {outcome} ({seconds:.1f} s) |"
        )
    return rows


def _credential(headers: Mapping[str, str]) -> str:
    names = {KEY_ENV: "env key", KEY_PRIMARY: "primaryApiKey", OAUTH_LOGIN: "OAuth login"}
    sent = []
    if "x-api-key" in headers:
        sent.append(f"x-api-key: {names.get(headers['x-api-key'], 'other')}")
    if bearer := headers.get("authorization", "").removeprefix("Bearer "):
        sent.append(f"Bearer: {names.get(bearer, 'other')}")
    return " + ".join(sent) or "no credential"


def proxy_helper(version: str) -> list[str]:
    helpers = {
        "prints a bare token": "echo Y29ycC11c2VyOmNvcnAtcGFzcw==",
        "prints 'Basic …'": "echo 'Basic Y29ycC11c2VyOmNvcnAtcGFzcw=='",
        "prints two lines": "printf 'Basic AAA\\nBasic BBB\\n'",
        "prints nothing, exit 0": "true",
        "exits 1 after printing": "echo 'Basic Y29y'; exit 1",
        "exits 1, message on stderr": "echo 'no proxy credential' >&2; exit 1",
    }
    rows = []
    for label, helper in helpers.items():
        with tempfile.TemporaryDirectory(prefix="ccdoctor-obs-") as tmp, FakeAnthropic() as fake:
            recorder = _Recorder()
            serving = _serve(recorder)
            home = Path(tmp)
            _write(home / ".claude" / "settings.json", {"proxyAuthHelper": helper})
            env = {
                "ANTHROPIC_BASE_URL": fake.url,
                "ANTHROPIC_API_KEY": "sk-ant-api03-fake-test-key-0000000000000000",
                "HTTPS_PROXY": recorder.url,
                "CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER": "1",
            }
            try:
                outcome, seconds = run_client(version, home, env)
            finally:
                recorder.shutdown()
                serving()
                recorder.server_close()
        asked = "; ".join(dict.fromkeys(recorder.asked)) or "nothing"
        rows.append(f"| {version} | {label} | {asked} | {outcome} ({seconds:.1f} s) |")
    return rows


def redirects(version: str) -> list[str]:
    rows = []
    for status in (307, 308):
        with tempfile.TemporaryDirectory(prefix="ccdoctor-obs-") as tmp, FakeAnthropic() as fake:
            fake.configure(redirect_to=fake.url, redirect_status=status)
            env = {
                "ANTHROPIC_BASE_URL": fake.url,
                "ANTHROPIC_API_KEY": "sk-ant-api03-fake-test-key-0000000000000000",
            }
            outcome, seconds = run_client(version, Path(tmp), env)
            asked = len(fake.requests_to("/v1/messages"))
        rows.append(
            f"| {version} | {status} to itself | {asked} POSTs | {outcome} ({seconds:.1f} s) |"
        )
    return rows


def cert_store(version: str) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="ccdoctor-obs-") as tmp:
        lab = TLSLab(Path(tmp) / "tls")
        with lab.serve("valid") as server:
            for store in ("system", "bundled", "bundled,system", None):
                for variable in ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"):
                    env = {
                        "ANTHROPIC_BASE_URL": server.url,
                        "ANTHROPIC_API_KEY": "sk-ant-api03-fake-test-key-0000000000000000",
                        variable: str(lab.ca_pem),
                    }
                    if store is not None:
                        env["CLAUDE_CODE_CERT_STORE"] = store
                    home = Path(tmp) / f"home-{store}-{variable}".replace(",", "-")
                    home.mkdir()
                    outcome, seconds = run_client(version, home, env)
                    rows.append(
                        f"| {version} | {store or '(unset)'} | {variable} | "
                        f"{outcome} ({seconds:.1f} s) |"
                    )
    return rows


def _serve(server: socketserver.BaseServer) -> Callable[[], None]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return lambda: thread.join(5)


WATCHES: Mapping[str, Callable[[str], list[str]]] = {
    "credentials": credentials,
    "proxy_helper": proxy_helper,
    "redirects": redirects,
    "cert_store": cert_store,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claude-version", action="append", dest="versions", required=True)
    parser.add_argument("watches", nargs="*", default=list(WATCHES))
    args = parser.parse_args(argv)
    if (reason := missing_reason(args.versions)) is not None:
        print(reason, file=sys.stderr)
        return 2
    for watch in args.watches:
        print(f"## {watch}")
        for version in args.versions:
            for row in WATCHES[watch](version):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
