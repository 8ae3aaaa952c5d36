"""bench/versus_client.py groups every conformance scenario it runs by route; a route it has
no group for crashed the whole benchmark at its report (after minutes of client runs)."""

from __future__ import annotations

from bench.versus_client import ROUTES
from tests.conformance.scenario import load_all


def test_every_scenario_route_has_a_bench_group() -> None:
    assert {scenario.provider for scenario in load_all()} <= set(ROUTES)
