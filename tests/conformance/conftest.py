"""Runs the conformance matrix once per session, `JOBS` cells at a time, for the (client
version, scenario) cells this session selected; each test then judges one cell's observation.

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
from tests.conformance.harness import ClientUnderTest, Key, Observation, observe_all
from tests.conformance.lab import running_lab
from tests.conformance.report import summary, table
from tests.conformance.scenario import Scenario
from tests.peers.required import peer_missing

JOBS = int(os.environ.get("CCDOCTOR_CONFORMANCE_JOBS") or 3)
"""Cells run at once; each is two short subprocesses, mostly waiting on each other."""

Results = Mapping[Key, Observation | BaseException]
_RESULTS = pytest.StashKey[tuple[list[Scenario], list[str], Results]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conformance: runs the real Claude Code client (tests/peers/install_claude.sh)"
    )


@pytest.fixture(scope="session")
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Results:
    selected, versions = _selected_cells(request.session)
    if reason := missing_reason(versions):
        peer_missing(reason, REQUIRE_CLAUDE)
    clients = [ClientUnderTest(v, binary) for v in versions if (binary := claude_binary(v))]
    workdir = tmp_path_factory.mktemp("conformance")
    with running_lab(workdir / "lab", selected) as lab:
        results = observe_all(selected, lab, clients, workdir, JOBS, trace=tracing_works())
    request.config.stash[_RESULTS] = (selected, versions, results)
    return results


REQUIRE_STRACE = "CCDOCTOR_REQUIRE_STRACE"
"""Set to 1 (CI does) to make an untraceable client fail the loopback test instead of skipping."""


def tracing_works() -> bool:
    """Whether the client can run under strace here (installed, and ptrace allowed), so that
    the tier can prove the client reached nothing beyond loopback."""
    return tracing_problem() is None


def tracing_problem() -> str | None:
    if missing := strace_missing():
        return missing
    probe = ["strace", "-f", "-qq", "-e", "trace=connect", "-o", os.devnull, "true"]
    try:
        ran = subprocess.run(probe, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return f"strace cannot run: {error}"
    if ran.returncode != 0:
        return f"strace cannot trace here (ptrace refused?): exit {ran.returncode}"
    return None


def _selected_cells(session: pytest.Session) -> tuple[list[Scenario], list[str]]:
    """The scenarios and the client versions the selected tests ask for: the matrix runs
    their product (a selection by -k rarely leaves a ragged one)."""
    scenarios: dict[str, Scenario] = {}
    versions: dict[str, None] = {}
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is None:
            continue
        scenario, version = callspec.params.get("scenario"), callspec.params.get("version")
        if isinstance(scenario, Scenario) and isinstance(version, str):
            scenarios[scenario.name] = scenario
            versions[version] = None
    return list(scenarios.values()), list(versions)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if _RESULTS not in config.stash:
        return
    scenarios, versions, results = config.stash[_RESULTS]
    terminalreporter.section("conformance with the real client")
    for version in versions:
        if config.option.verbose > 0:
            terminalreporter.write_line(table(scenarios, version, results))
        for line in summary(scenarios, version, results, FAST):
            terminalreporter.write_line(line)
