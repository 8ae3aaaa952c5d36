"""Hostile endpoints: whatever the server does, the run ends within its deadline, names what
happened, and renders a valid report."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from ccdoctor.core.results import CheckResult, Status
from tests.integration.conftest_bedrock import BedrockSetUp
from tests.integration.verdicts import Verdict, verdict
from tests.machine import Machine
from tests.peers.blackhole import SilentListener, TricklingServer
from tests.peers.fake_anthropic import DEFAULT_API_KEY
from tests.peers.fake_bedrock import OPERATIONS as BEDROCK_OPERATIONS
from tests.peers.fake_vertex import FakeVertex
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


NO_ANSWER = "accepted the connection but sent no complete answer in time"


def _only_failure(checks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    failing = [c for c in checks.values() if c["status"] in ("fail", "error")]
    assert len(failing) == 1, [(c["id"], c["message"]) for c in failing]
    return failing[0]


def test_accepts_and_never_answers(machine: Machine) -> None:
    with SilentListener() as silent:
        checks, elapsed, code = _run(machine, silent.url)
    _bounded(elapsed)
    assert code == 1
    failure = _only_failure(checks)
    assert failure["id"] == "proxy.reachable"
    assert failure["details"]["failed_stage"] == "http"
    assert NO_ANSWER in failure["message"]
    assert failure["duration_ms"] / 1000 < TIMEOUT + MARGIN


def test_tls_handshake_that_stalls(machine: Machine) -> None:
    with SilentListener() as silent:
        checks, elapsed, code = _run(machine, silent.url.replace("http://", "https://"))
    _bounded(elapsed)
    assert code == 1
    failure = _only_failure(checks)
    assert failure["id"] == "proxy.reachable"
    assert failure["details"]["failed_stage"] == "tls"
    assert failure["duration_ms"] / 1000 < TIMEOUT + MARGIN


def test_one_byte_per_second(machine: Machine) -> None:
    with TricklingServer(interval=1.0) as trickle:
        checks, elapsed, code = _run(machine, trickle.url)
    _bounded(elapsed)
    assert code == 1
    failure = _only_failure(checks)
    assert failure["id"] == "proxy.reachable"
    assert NO_ANSWER in failure["message"]
    assert failure["duration_ms"] / 1000 < TIMEOUT + MARGIN


@pytest.mark.parametrize(
    ("mode", "check_id", "cause"),
    [
        ("garbage", "proxy.reachable", "answers, but not with HTTP"),
        ("endless", "models.anthropic", "with something that is not the API"),
        ("cut", "models.anthropic", "answers, but not with HTTP"),
        ("redirect_loop", "models.anthropic", "redirects the request for"),
    ],
)
def test_misbehaving_http(machine: Machine, mode: str, check_id: str, cause: str) -> None:
    with HostileServer(mode) as server:
        checks, elapsed, code = _run(machine, server.url)
    _bounded(elapsed)
    assert code == 1
    failure = _only_failure(checks)
    assert failure["id"] == check_id
    assert cause in failure["message"]
    assert failure["fix"] is not None


# --- Bedrock and Vertex: each check ends within its own limit, with its own cause --------------
#
# botocore's and httpx's timeouts apply to each socket read, so a peer that trickles one byte at
# a time never trips them: only ccdoctor's wall-clock limit per call (bedrock.aws._bounded, the
# network client's for Vertex) and a check's budget across its calls (bedrock.live.Budget) end
# the wait. The runner also abandons a check that overstays its time limit (3 steps plus a
# grace), but with "timed out after …", so a test that names the check, its cause and its
# duration tells "the check stopped itself" from "the runner gave up on it".

STEP = 1.0
MARGIN = 0.45
"""Less than the runner's grace, so a check the runner had to cut off fails these tests."""


def _live(machine: Machine, *selection: str) -> Verdict:
    result = verdict(machine, *selection, timeout=STEP, deadline=10 * STEP)
    for check in result.results.values():
        # A check the runner abandoned says so; none of these may need it.
        assert not check.message.startswith("timed out after"), result.summary()
    return result


def _within(result: CheckResult, limit: float) -> None:
    assert result.duration_ms / 1000 < limit + MARGIN, f"{result.id} took {result.duration_ms} ms"


def _aws_timeout(result: CheckResult) -> None:
    assert "could not be reached (Timeout: no complete answer within" in result.message, (
        result.message
    )


def _no_complete_answer_from_bedrock(result: Verdict) -> None:
    """The endpoint check fails, the free region call only warns (the client never makes it),
    and each ends within one step."""
    reachable = result.only_failure()
    assert reachable.id == "proxy.reachable"
    assert "accepted the connection but sent no complete answer in time" in reachable.message
    _within(reachable, STEP)
    region = result["region.bedrock"]
    assert region.status is Status.WARN
    _aws_timeout(region)
    _within(region, STEP)


def test_bedrock_behind_a_silent_listener(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    with SilentListener() as silent:
        bedrock.machine.env["ANTHROPIC_BEDROCK_BASE_URL"] = silent.url
        result = _live(bedrock.machine, "region.bedrock", "models.bedrock")

    assert result.only_failure().details["failed_stage"] == "http"
    _no_complete_answer_from_bedrock(result)


def test_bedrock_behind_a_trickling_server(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    with TricklingServer(interval=0.3) as trickle:
        bedrock.machine.env["ANTHROPIC_BEDROCK_BASE_URL"] = trickle.url
        result = _live(bedrock.machine, "region.bedrock", "models.bedrock")

    # No read ever times out here: only the wall-clock limit of the AWS call ends it.
    _no_complete_answer_from_bedrock(result)


def test_a_trickling_bedrock_call_is_cut_at_the_step_and_the_chain_at_its_budget(
    bedrock: BedrockSetUp,
) -> None:
    """models.bedrock lists the profiles, then streams the main and the small/fast model: three
    trickled calls (a fourth would be the catalogue) that its budget of three steps must cut
    short, however many there are."""
    bedrock.keys()
    bedrock.machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = (
        "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    )
    bedrock.fake.configure(trickled=BEDROCK_OPERATIONS, trickle_interval=0.3)

    result = _live(bedrock.machine, "region.bedrock", "models.bedrock")

    models = result.only_failure()
    assert models.id == "models.bedrock"
    assert models.message.startswith("main model us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    _aws_timeout(models)
    _within(models, 3 * STEP)
    region = result["region.bedrock"]
    assert region.status is Status.WARN
    _aws_timeout(region)
    _within(region, STEP)


def test_vertex_behind_a_silent_listener(vertex_machine: Machine) -> None:
    with SilentListener() as silent:
        vertex_machine.env["ANTHROPIC_VERTEX_BASE_URL"] = silent.url + "/v1"
        result = _live(vertex_machine, "credentials", "region", "models")

    reachable = result.only_failure()
    assert reachable.id == "proxy.reachable"
    assert reachable.details["failed_stage"] == "http"
    assert "accepted the connection but sent no complete answer in time" in reachable.message
    _within(reachable, STEP)


def test_vertex_behind_a_trickling_server(vertex_machine: Machine) -> None:
    with TricklingServer(interval=0.3) as trickle:
        vertex_machine.env["ANTHROPIC_VERTEX_BASE_URL"] = trickle.url + "/v1"
        result = _live(vertex_machine, "credentials", "region", "models")

    reachable = result.only_failure()
    assert reachable.id == "proxy.reachable"
    assert "accepted the connection but sent no complete answer in time" in reachable.message
    _within(reachable, STEP)


@pytest.mark.parametrize(
    ("trickled", "check_id", "cause"),
    [
        pytest.param(
            ":streamRawPredict",
            "models.vertex",
            "main model claude-sonnet-4-5@20250929 in us-east5: 127.0.0.1:",
            id="the-model-call",
        ),
        pytest.param(
            "/token",
            "credentials.gcp",
            "no token from ",
            id="the-token-endpoint",
        ),
    ],
)
def test_a_trickling_vertex_call_is_cut_at_the_step(
    vertex_machine: Machine, fake_vertex: FakeVertex, trickled: str, check_id: str, cause: str
) -> None:
    fake_vertex.configure(trickled=frozenset({trickled}), trickle_interval=0.3)

    result = _live(vertex_machine, "credentials", "region", "models")

    failure = result.only_failure()
    assert failure.id == check_id
    assert failure.message.startswith(cause)
    assert "accepted the connection but sent no complete answer in time" in failure.message
    _within(failure, STEP)
