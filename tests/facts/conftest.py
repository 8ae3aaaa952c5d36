"""The facts tier: each Claude Code version in tests/peers/claude_versions.txt, observed against
the fakes and compared with its committed ccdoctor/clients/versions/<version>.toml."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "facts: runs each installed Claude Code version against the fakes and compares what it "
        "sends with ccdoctor/clients/versions/<version>.toml (tests/peers/install_claude.sh)",
    )
