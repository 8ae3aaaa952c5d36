"""The real client and ccdoctor on the identical set-up, one scenario file at a time.

Two tests per scenario: the first checks our understanding of the client (it does what the
scenario says, and reaches nothing beyond loopback); the second checks ccdoctor against it
(client succeeded ⇔ ccdoctor exit 0; when the client failed, ccdoctor's first failing check is in
the scenario's category). A scenario with `known_disagreement` xfails the second test strictly,
so fixing ccdoctor turns it into an XPASS failure until the marker is removed.
"""

from __future__ import annotations

import os

import pytest

from tests.conformance.conftest import Results
from tests.conformance.harness import Observation
from tests.conformance.lab import REQUIRE_LITELLM, PeerMissing
from tests.conformance.scenario import Scenario, load_all

SCENARIOS = load_all()

pytestmark = [
    pytest.mark.conformance,
    # The first test to ask for the matrix runs all of it (about a minute).
    pytest.mark.timeout(600),
]


def _params(with_known_disagreements: bool) -> list[object]:
    return [
        pytest.param(
            scenario,
            id=scenario.name,
            marks=[pytest.mark.xfail(strict=True, reason=scenario.known_disagreement)]
            if with_known_disagreements and scenario.known_disagreement
            else [],
        )
        for scenario in SCENARIOS
    ]


def observation(matrix: Results, scenario: Scenario) -> Observation:
    result = matrix[scenario.name]
    if isinstance(result, PeerMissing):
        if os.environ.get(REQUIRE_LITELLM) == "1":
            pytest.fail(f"{result} ({REQUIRE_LITELLM}=1)", pytrace=False)
        pytest.skip(str(result))
    if isinstance(result, BaseException):
        raise result
    return result


@pytest.mark.parametrize("scenario", _params(with_known_disagreements=False))
def test_the_client_does_what_the_scenario_says(matrix: Results, scenario: Scenario) -> None:
    seen = observation(matrix, scenario)

    assert not seen.scenario_problems, seen.explain()
    assert not seen.off_loopback, f"the client reached beyond loopback: {seen.off_loopback}"


@pytest.mark.parametrize("scenario", _params(with_known_disagreements=True))
def test_ccdoctor_agrees_with_the_client(matrix: Results, scenario: Scenario) -> None:
    seen = observation(matrix, scenario)

    assert not seen.disagreements, seen.explain()
