"""CHANGELOG.md's newest release is the version being built, and states the report schema and
the Claude Code versions that release ships facts for."""

from __future__ import annotations

import re

from ccdoctor import __version__
from ccdoctor.clients.facts import all_facts
from ccdoctor.report.build import SCHEMA_VERSION
from tests.machine import REPO

CHANGELOG = REPO / "CHANGELOG.md"


def newest_release() -> tuple[str, str]:
    """(version, its section's text) of the first release heading below Unreleased."""
    text = CHANGELOG.read_text(encoding="utf-8")
    headings = list(re.finditer(r"^## \[([^\]]+)\](.*)$", text, re.M))
    assert headings[0].group(1) == "Unreleased"
    first = headings[1]
    end = headings[2].start() if len(headings) > 2 else len(text)
    return first.group(1), text[first.end() : end]


def test_the_newest_release_is_this_version() -> None:
    version, section = newest_release()
    assert version == __version__
    assert re.search(rf"^\[{re.escape(version)}\]: ", CHANGELOG.read_text("utf-8"), re.M)
    assert "### Added" in section or "### Changed" in section or "### Fixed" in section


def unreleased() -> str:
    text = CHANGELOG.read_text(encoding="utf-8")
    headings = list(re.finditer(r"^## \[([^\]]+)\](.*)$", text, re.M))
    return text[headings[0].end() : headings[1].start()]


def test_it_states_the_schema_and_the_observed_client_versions() -> None:
    _, section = newest_release()
    # A schema change not released yet is stated under Unreleased, the released one stays put.
    stated = unreleased() if "JSON report schema version:" in unreleased() else section
    assert f"JSON report schema version: {SCHEMA_VERSION} " in stated
    observed = ", ".join(facts.version_text for facts in all_facts())
    # Likewise a client version observed since the release.
    listed = unreleased() if "Claude Code versions observed:" in unreleased() else section
    assert f"Claude Code versions observed: {observed} " in listed
