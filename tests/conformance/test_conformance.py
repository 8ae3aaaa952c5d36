"""The real client and ccdoctor on the identical set-up, one scenario file at a time, for every
client version in tests/peers/claude_versions.txt.

Two tests per scenario: the first checks our understanding of the client (it does what the
scenario says, and reaches nothing beyond loopback); the second checks ccdoctor against it
(client succeeded ⇔ ccdoctor exit 0; when the client failed, ccdoctor's first failing check is in
the scenario's category). What "does what the scenario says" means may differ per version (the
scenario's `[versions.X]` tables). A `known_disagreement` xfails the second test strictly, so
fixing ccdoctor turns it into an XPASS failure until the marker is removed.
"""

from __future__ import annotations

import os

import pytest

from tests.conformance.claude_client import managed_missing, tier_versions
from tests.conformance.conftest import REQUIRE_STRACE, Results, tracing_problem
from tests.conformance.harness import Observation
from tests.conformance.lab import REQUIRE_LITELLM, PeerMissing
from tests.conformance.scenario import Scenario, load_all
from tests.peers.required import peer_missing

SCENARIOS = load_all()
VERSIONS = tier_versions()

pytestmark = [
    pytest.mark.conformance,
    # The first test to ask for the matrix runs all of it (about a minute).
    pytest.mark.timeout(600),
]


def _params(with_known_disagreements: bool) -> list[object]:
    params: list[object] = []
    no_managed = managed_missing() if any(map(_gives_managed, SCENARIOS)) else None
    for version in VERSIONS:
        for scenario in SCENARIOS:
            known = scenario.expect(version).known_disagreement
            marks: list[pytest.MarkDecorator] = []
            if with_known_disagreements and known:
                marks.append(pytest.mark.xfail(strict=True, reason=known))
            if no_managed is not None and _gives_managed(scenario):
                marks.append(
                    pytest.mark.skip(reason=f"the client needs managed settings: {no_managed}")
                )
            params.append(
                pytest.param(version, scenario, id=f"{version}-{scenario.name}", marks=marks)
            )
    return params


def _gives_managed(scenario: Scenario) -> bool:
    return any(file.path == "{{managed}}" for file in scenario.files)


def observation(matrix: Results, version: str, scenario: Scenario) -> Observation:
    result = matrix[(version, scenario.name)]
    if isinstance(result, PeerMissing):
        if os.environ.get(REQUIRE_LITELLM) == "1":
            pytest.fail(f"{result} ({REQUIRE_LITELLM}=1)", pytrace=False)
        pytest.skip(str(result))
    if isinstance(result, BaseException):
        raise result
    return result


@pytest.mark.parametrize(("version", "scenario"), _params(with_known_disagreements=False))
def test_the_client_does_what_the_scenario_says(
    matrix: Results, version: str, scenario: Scenario
) -> None:
    seen = observation(matrix, version, scenario)

    assert not seen.scenario_problems, seen.explain()


@pytest.mark.parametrize(("version", "scenario"), _params(with_known_disagreements=False))
def test_the_client_reaches_nothing_beyond_loopback(
    matrix: Results, version: str, scenario: Scenario
) -> None:
    seen = observation(matrix, version, scenario)

    if seen.off_loopback is None:
        # Untraced, the list of addresses is empty whatever the client did: not a pass.
        reason = f"the client was not traced: {tracing_problem() or 'strace is not usable'}"
        peer_missing(reason, REQUIRE_STRACE)
    assert not seen.off_loopback, f"the client reached beyond loopback: {seen.off_loopback}"


@pytest.mark.parametrize(("version", "scenario"), _params(with_known_disagreements=True))
def test_ccdoctor_agrees_with_the_client(matrix: Results, version: str, scenario: Scenario) -> None:
    seen = observation(matrix, version, scenario)

    assert not seen.disagreements, seen.explain()
