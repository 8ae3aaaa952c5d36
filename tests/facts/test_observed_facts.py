"""What each pinned Claude Code version is observed to send equals what ccdoctor's facts file
for that version says, on the keys tests/facts/observe.py observes."""

from __future__ import annotations

import tomllib

import pytest

from ccdoctor.clients.facts import all_facts
from tests.conformance.claude_client import REPO, claude_for_test
from tests.facts.observe import (
    Client,
    committed_path,
    differences,
    observe,
    to_toml,
    variable_differences,
    variables_path,
    variables_read,
)

VERSIONS = [facts.version_text for facts in all_facts()]
"""Every committed facts file is proven against its own client (install_claude.sh installs
each of them)."""


@pytest.mark.facts
# About a hundred client runs per version (the request shape alone takes sixteen), two at a
# time per CPU: more than the suite's default two minutes on a loaded machine.
@pytest.mark.timeout(360)
@pytest.mark.parametrize("version", VERSIONS)
def test_observed_facts_match_the_committed_file(version: str) -> None:
    committed = committed_path(version)
    binary = claude_for_test(version)
    observed = observe(Client(binary))
    found = differences(observed.facts, tomllib.loads(committed.read_text()))
    found += variable_differences(variables_read(binary), variables_path(committed))
    if found:
        pytest.fail(
            f"Claude Code {version} does not do what {committed.relative_to(REPO)} says:\n"
            + "\n".join(found)
            + "\n\nobserved:\n"
            + to_toml(observed.facts),
            pytrace=False,
        )


def test_the_printed_toml_reads_back_as_the_facts() -> None:
    facts = {
        "defaults": {"bedrock": {"main": "{prefix}.anthropic.claude-opus-5"}},
        "retries": {"drops_rejected_betas": ["effort-2025-11-24"]},
        "fallback": {"stopped_by": ["A", "B"], "vertex": {"chain": ["m@1", 'q"uote']}},
    }
    assert tomllib.loads(to_toml(facts)) == facts
    assert differences(facts, tomllib.loads(to_toml(facts))) == []
