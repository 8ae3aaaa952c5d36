"""moto's server (subprocess) standing in for STS and IAM, with IAM enforcement on demand.

moto is faithful where ccdoctor needs it: GetCallerIdentity, AssumeRole, and — once enforcement
is on — InvalidClientTokenId for an unknown access key and SignatureDoesNotMatch for a wrong
secret. It is not used for Bedrock (no control plane, unparseable runtime errors: the fake in
fake_bedrock.py does that). A subprocess, not moto's in-process server: importing moto patches
botocore for the whole test process.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.peers.ports import LOOPBACK, free_port, stop_process_group

STARTUP_TIMEOUT = 30.0
MOTO_ACCOUNT = "123456789012"


def missing_reason() -> str | None:
    """Why moto cannot run here, or None when it can."""
    if (Path(sys.executable).parent / "moto_server").is_file():
        return None
    return "moto is not installed in this venv (pip install 'moto[server]')"


@dataclass(frozen=True)
class AccessKey:
    user: str
    access_key_id: str
    secret_access_key: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{MOTO_ACCOUNT}:user/{self.user}"


@dataclass(frozen=True)
class MotoServer:
    url: str
    pid: int

    def _post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(
            self.url + path, data=body, method="POST", headers=headers or {}
        )
        with opener.open(request, timeout=5) as response:
            data: bytes = response.read()
            return data

    def enforce_iam(self, on: bool) -> None:
        """From now on, every request is authenticated against moto's IAM (or none is)."""
        # text/plain: with urllib's default form type Flask eats the body before moto reads it.
        self._post("/moto-api/reset-auth", b"0" if on else b"inf", {"Content-Type": "text/plain"})

    def create_access_key(self) -> AccessKey:
        """A new IAM user with an access key; call while enforcement is off."""
        user = "ccdoctor-" + secrets.token_hex(4)
        self._iam({"Action": "CreateUser", "UserName": user})
        answer = self._iam({"Action": "CreateAccessKey", "UserName": user}).decode()
        return AccessKey(user, _between(answer, "AccessKeyId"), _between(answer, "SecretAccessKey"))

    def _iam(self, params: dict[str, str]) -> bytes:
        from urllib.parse import urlencode

        body = urlencode({**params, "Version": "2010-05-08"}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            # moto routes by the SigV4 scope's service name; the signature itself is not checked
            # while enforcement is off.
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/"
            "us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
        }
        return self._post("/", body, headers)


def _between(xml: str, tag: str) -> str:
    return xml.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0]


@contextmanager
def running_moto(workdir: Path) -> Iterator[MotoServer]:
    """Start moto_server on a free loopback port; stop it by its PID's process group on exit."""
    if reason := missing_reason():
        raise RuntimeError(reason)
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = workdir / "moto.log"
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("AWS_")}
    env.update(NO_PROXY="*", MOTO_CALL_RESET_API="true")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", LOOPBACK, "-p", str(port)],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = MotoServer(f"http://{LOOPBACK}:{port}", process.pid)
    try:
        _wait_until_alive(process, server, log_path)
        yield server
    finally:
        stop_process_group(process, signal.SIGTERM, grace=5.0)


def _wait_until_alive(process: subprocess.Popen[bytes], server: MotoServer, log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}:\n{_tail(log)}")
        try:
            with opener.open(f"{server.url}/moto-api/data.json", timeout=1) as response:
                json.load(response)
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"moto_server not alive after {STARTUP_TIMEOUT:.0f} s:\n{_tail(log)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
