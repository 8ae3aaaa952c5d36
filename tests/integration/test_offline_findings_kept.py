"""The online run keeps every offline finding: a live step that fails (or finds nothing) never
turns what --offline failed into a pass or a skip. Every peer is on 127.0.0.1, or a dead port
there; nothing may leave the machine."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ccdoctor.context import RunOptions
from ccdoctor.core.results import CheckResult, Status
from tests.machine import Machine
from tests.peers.blackhole import closed_port
from tests.peers.fake_vertex import FakeVertex, VertexBehaviour

OFFLINE = RunOptions(timeout=2.0, deadline=10.0, offline=True)
ONLINE = RunOptions(timeout=2.0, deadline=10.0, no_invoke=True)
MISSING_PROJECT = "no Google Cloud project is set"


def _dead() -> str:
    return f"http://127.0.0.1:{closed_port()}"


def _vertex_metadata_dead(machine: Machine) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "CLOUD_ML_REGION": "us-east5",
            "GCE_METADATA_HOST": f"127.0.0.1:{closed_port()}",
            "ANTHROPIC_VERTEX_BASE_URL": _dead() + "/v1",
        }
    )


def _vertex_key_file_missing(machine: Machine) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "CLOUD_ML_REGION": "us-east5",
            "ANTHROPIC_VERTEX_PROJECT_ID": "p",
            "GOOGLE_APPLICATION_CREDENTIALS": str(machine.root / "gone.json"),
            "ANTHROPIC_VERTEX_BASE_URL": _dead() + "/v1",
        }
    )


def _anthropic_no_key(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = _dead()


def _anthropic_quoted_key(machine: Machine) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = _dead()
    machine.env["ANTHROPIC_API_KEY"] = '"sk-ant-api03-' + "q" * 40 + '"'


def _bedrock_no_credentials(machine: Machine) -> None:
    dead = _dead()
    machine.env.update(
        {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "ANTHROPIC_BEDROCK_BASE_URL": dead,
            "AWS_ENDPOINT_URL": dead,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(machine.root / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(machine.root / "none"),
        }
    )


SET_UPS: dict[str, Callable[[Machine], None]] = {
    "vertex_metadata_dead_no_project": _vertex_metadata_dead,
    "vertex_key_file_missing": _vertex_key_file_missing,
    "anthropic_no_key": _anthropic_no_key,
    "anthropic_quoted_key": _anthropic_quoted_key,
    "bedrock_no_credentials": _bedrock_no_credentials,
}


def _fails(results: dict[str, CheckResult]) -> dict[str, CheckResult]:
    return {i: r for i, r in results.items() if r.status in (Status.FAIL, Status.ERROR)}


def _failed_findings(result: CheckResult) -> set[str]:
    """The messages of a result's failing findings (one, or each of several)."""
    problems = result.details.get("problems")
    if not isinstance(problems, list):
        return {result.message} if result.status in (Status.FAIL, Status.ERROR) else set()
    return {p["message"] for p in problems if p["status"] in ("fail", "error")}


@pytest.mark.parametrize("name", sorted(SET_UPS))
def test_every_offline_failure_is_a_failure_online_too(
    machine: Machine, off_google_cloud: None, name: str
) -> None:
    """Check by check and finding by finding: what --offline fails, the online run fails too
    (it may add what the network showed, never drop what the files showed)."""
    SET_UPS[name](machine)
    offline = _fails(machine.run(options=OFFLINE))
    assert offline, "a failing set-up must fail offline, or the test proves nothing"
    online = machine.run(options=ONLINE)
    lost_checks = [i for i in offline if i not in _fails(online)]
    assert not lost_checks, {i: online[i].message for i in lost_checks}
    lost_findings = {
        i: _failed_findings(r) - _failed_findings(online[i]) for i, r in offline.items()
    }
    assert not any(lost_findings.values()), lost_findings


def test_an_unreachable_metadata_server_keeps_the_missing_project(
    machine: Machine, off_google_cloud: None
) -> None:
    _vertex_metadata_dead(machine)
    for options in (OFFLINE, ONLINE):
        credentials = machine.check("credentials.gcp", options=options)
        assert credentials.status is Status.FAIL
        assert MISSING_PROJECT in credentials.message


def test_a_metadata_server_that_names_no_project_keeps_the_missing_project(
    machine: Machine, off_google_cloud: None
) -> None:
    with FakeVertex(VertexBehaviour(metadata_project=None)) as fake:
        machine.env.update(
            {
                "CLAUDE_CODE_USE_VERTEX": "1",
                "CLOUD_ML_REGION": "us-east5",
                "GCE_METADATA_HOST": fake.metadata_host,
                "ANTHROPIC_VERTEX_BASE_URL": fake.base_url,
            }
        )
        credentials = machine.check("credentials.gcp", options=ONLINE)
    assert credentials.status is Status.FAIL
    assert MISSING_PROJECT in credentials.message
