"""Runs the conformance matrix once per session, `JOBS` scenarios at a time, for the scenarios
this session selected; each test then judges one scenario's observation.

The matrix's peers (its own LiteLLM, proxies, TLS lab) live only while the matrix runs, so they
are not shared with tests/integration: pytest fixtures defined in tests/integration/conftest.py
are invisible here.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping

import pytest

from tests.conformance.claude_client import (
    FAST,
    REQUIRE_CLAUDE,
    claude_binary,
    missing_reason,
    strace_missing,
)
from tests.conformance.harness import Observation, observe_all
from tests.conformance.lab import running_lab
from tests.conformance.report import summary, table
from tests.conformance.scenario import Scenario

JOBS = int(os.environ.get("CCDOCTOR_CONFORMANCE_JOBS") or 3)
"""Scenarios run at once; each is two short subprocesses, mostly waiting on each other."""

Results = Mapping[str, Observation | BaseException]
_RESULTS = pytest.StashKey[tuple[list[Scenario], Results]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conformance: runs the real Claude Code client (tests/peers/install_claude.sh)"
    )


@pytest.fixture(scope="session")
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Results:
    if reason := missing_reason():
        if os.environ.get(REQUIRE_CLAUDE) == "1":
            pytest.fail(f"{reason} ({REQUIRE_CLAUDE}=1)", pytrace=False)
        pytest.skip(reason)
    binary = claude_binary()
    assert binary is not None
    selected = _selected_scenarios(request.session)
    workdir = tmp_path_factory.mktemp("conformance")
    with running_lab(workdir / "lab", selected) as lab:
        results = observe_all(selected, lab, binary, workdir, JOBS, trace=tracing_works())
    request.config.stash[_RESULTS] = (selected, results)
    return results


def tracing_works() -> bool:
    """Whether the client can run under strace here (installed, and ptrace allowed), so that
    the tier can prove the client reached nothing beyond loopback."""
    if strace_missing():
        return False
    probe = ["strace", "-f", "-qq", "-e", "trace=connect", "-o", os.devnull, "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _selected_scenarios(session: pytest.Session) -> list[Scenario]:
    found: dict[str, Scenario] = {}
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        scenario = callspec.params.get("scenario") if callspec is not None else None
        if isinstance(scenario, Scenario):
            found[scenario.name] = scenario
    return list(found.values())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if _RESULTS not in config.stash:
        return
    scenarios, results = config.stash[_RESULTS]
    terminalreporter.section("conformance with the real client")
    if config.option.verbose > 0:
        terminalreporter.write_line(table(scenarios, results))
    for line in summary(scenarios, results, FAST):
        terminalreporter.write_line(line)
