"""The session-model and thinking facts ccdoctor follows (tests/facts/session_models.md) hold
for the real clients they were observed on."""

from __future__ import annotations

import pytest

from tests.conformance.claude_client import claude_for_test
from tests.facts.session_models import observe


@pytest.mark.facts
@pytest.mark.timeout(300)
@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_the_session_model_facts_hold(version: str) -> None:
    binary = claude_for_test(version)

    differing = [
        f"{name}: exit {seen.run.exit_code}, models {seen.models}, {seen.run.last_line}"
        for name, held, seen in observe(binary)
        if not held
    ]

    assert not differing, f"Claude Code {version}:\n" + "\n".join(differing)
