"""Hostile endpoints: whatever the server does, the run ends within its deadline, names what
happened, and renders a valid report."""

from __future__ import annotations

import json
import time

import pytest

from tests.machine import Machine
from tests.peers.blackhole import SilentListener, TricklingServer
from tests.peers.fake_anthropic import DEFAULT_API_KEY
from tests.peers.hostile import HostileServer
from tests.schema import validate_report

TIMEOUT = 1.0
DEADLINE = 3.0


def _run(machine: Machine, base_url: str) -> tuple[dict[str, dict[str, str]], float, int]:
    machine.env["ANTHROPIC_BASE_URL"] = base_url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    start = time.monotonic()
    completed = machine.cli(
        "--only",
        "proxy",
        "--only",
        "models",
        "--format",
        "json",
        "--timeout",
        str(TIMEOUT),
        "--deadline",
        str(DEADLINE),
    )
    elapsed = time.monotonic() - start
    assert "Traceback" not in completed.stderr
    report = json.loads(completed.stdout)
    validate_report(report)
    return {c["id"]: c for c in report["checks"]}, elapsed, completed.returncode


def _bounded(elapsed: float) -> None:
    # The deadline plus interpreter start-up and a margin for a loaded CI machine.
    assert elapsed < DEADLINE + 2.0, f"run took {elapsed:.1f} s"


def test_accepts_and_never_answers(machine: Machine) -> None:
    with SilentListener() as silent:
        checks, elapsed, code = _run(machine, silent.url)
    _bounded(elapsed)
    assert code == 1
    assert checks["proxy.reachable"]["status"] == "fail"
    assert (
        "no complete answer" in checks["proxy.reachable"]["message"]
        or "in time" in (checks["proxy.reachable"]["message"])
    )


def test_tls_handshake_that_stalls(machine: Machine) -> None:
    with SilentListener() as silent:
        checks, elapsed, code = _run(machine, silent.url.replace("http://", "https://"))
    _bounded(elapsed)
    assert code == 1
    assert checks["proxy.reachable"]["details"]["failed_stage"] == "tls"


def test_one_byte_per_second(machine: Machine) -> None:
    with TricklingServer(interval=1.0) as trickle:
        checks, elapsed, code = _run(machine, trickle.url)
    _bounded(elapsed)
    assert code == 1
    failing = [c for c in checks.values() if c["status"] == "fail"]
    assert len(failing) == 1


@pytest.mark.parametrize("mode", ["garbage", "endless", "cut", "redirect_loop"])
def test_misbehaving_http(machine: Machine, mode: str) -> None:
    with HostileServer(mode) as server:
        checks, elapsed, code = _run(machine, server.url)
    _bounded(elapsed)
    assert code == 1
    failing = [c for c in checks.values() if c["status"] == "fail"]
    assert len(failing) == 1, [(c["id"], c["message"]) for c in failing]
    assert failing[0]["message"]
    assert failing[0]["fix"] is not None
