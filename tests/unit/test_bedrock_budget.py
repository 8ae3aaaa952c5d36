"""A Bedrock check's budget: the calls of one check share `steps` network steps between them,
each call still capped at one step, so a chain of slow calls ends before the runner's time
limit cuts the check off with a vaguer "timed out"."""

from __future__ import annotations

import time

import pytest

from ccdoctor.config.redaction import redactor_for
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.engine.registry import load_catalogue
from ccdoctor.engine.runner import time_limit
from ccdoctor.providers.bedrock.live import Budget
from tests.machine import Machine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


def test_the_calls_of_a_check_share_its_steps_and_each_gets_one_step_at_most(
    machine: Machine, clock: Clock
) -> None:
    config = machine.resolve()
    # The run starts on the fake clock: CheckContext's default reads the real one, which on a
    # machine booted less than 1000 s ago is behind the fake and would leave no time at all.
    options = RunOptions(timeout=2.0, deadline=60.0)
    ctx = CheckContext(config, options, redactor_for(config), started=clock.now)
    budget = Budget(ctx, steps=3)

    assert budget.left() == 2.0
    clock.now += 2.0  # one call used its whole step
    assert budget.left() == 2.0
    clock.now += 3.5
    assert budget.left() == pytest.approx(0.5)
    clock.now += 0.5
    assert budget.left() == 0.0


def test_a_budget_of_all_its_steps_fits_the_runners_limit_for_the_check(machine: Machine) -> None:
    config = machine.resolve()
    ctx = CheckContext(config, RunOptions(timeout=2.0, deadline=60.0), redactor_for(config))
    models = next(c for c in load_catalogue().checks if c.spec.id == "models.bedrock")

    # models.bedrock asks for Budget(ctx, steps=3); the runner must let it spend all of it.
    assert 3 * ctx.options.timeout < time_limit(models, ctx)
