"""The release tier: ccdoctor as a user gets it, built into an sdist and a wheel and installed
into a fresh venv that has no dev tools and no view of the source tree.

Building fetches the build backend and installing fetches the runtime dependencies from the
package index (or pip's cache). Without an index this tier skips with pip's reason, unless
CCDOCTOR_REQUIRE_INDEX=1 (CI) makes that a failure; any other build or install error fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccdoctor import __version__
from tests.machine import REPO

DISTRIBUTION = "claude-code-doctor"
REQUIRE_INDEX = "CCDOCTOR_REQUIRE_INDEX"
"""Set to 1 (CI does) to make an unreachable package index fail this tier instead of skipping."""
_UNREACHABLE = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Max retries exceeded",
    "ReadTimeoutError",
)
"""What pip prints when it cannot reach the index; any other failure is a packaging bug."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "release: builds the sdist and wheel and installs the wheel in a fresh venv"
    )


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path

    def wheel_names(self) -> list[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.namelist()

    def wheel_text(self, name: str) -> str:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.read(name).decode("utf-8")


@dataclass(frozen=True)
class Installed:
    """A venv holding the wheel and its runtime dependencies only."""

    venv: Path
    home: Path
    """An empty HOME and working directory: no settings, no source tree on sys.path."""

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A user's shell with nothing of the test process: no PYTHONPATH, no provider
        variables, the venv's bin first on PATH."""
        return {
            "HOME": str(self.home),
            "PATH": os.pathsep.join((str(self.bin), "/usr/bin", "/bin")),
            "LANG": "C.UTF-8",
            **(extra or {}),
        }

    def run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            cwd=self.home,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _run(command: Sequence[str | Path], what: str, timeout: float) -> None:
    """Run a build or install step; an unreachable index skips (or fails under
    CCDOCTOR_REQUIRE_INDEX=1), anything else that goes wrong fails."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode == 0:
        return
    output = (done.stdout + done.stderr).strip()
    tail = "\n".join(output.splitlines()[-15:])
    if any(sign in output for sign in _UNREACHABLE):
        reason = f"{what}: the package index cannot be reached:\n{tail}"
        if os.environ.get(REQUIRE_INDEX) == "1":
            pytest.fail(f"{reason}\n({REQUIRE_INDEX}=1)", pytrace=False)
        pytest.skip(reason)
    pytest.fail(f"{what} failed (exit {done.returncode}):\n{tail}", pytrace=False)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`python -m build`: the sdist, then the wheel built from that sdist, as an index gets
    them (a file missing from the sdist is then missing from the wheel too)."""
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", dist, REPO], "python -m build", 300)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    return Built(wheel, sdist)


@pytest.fixture(scope="session")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    home = root / "home"
    home.mkdir()
    _run([sys.executable, "-m", "venv", venv], "python -m venv", 120)
    _run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", built.wheel],
        f"pip install {built.wheel.name}",
        300,
    )
    return Installed(venv, home)


def expected_version_line() -> str:
    """What `ccdoctor --version` must print, from the source tree's own files."""
    versions = REPO / "ccdoctor" / "clients" / "versions"
    newest = max(tuple(int(part) for part in f.stem.split(".")) for f in versions.glob("*.toml"))
    return f"ccdoctor {__version__} (Claude Code facts observed up to {'.'.join(map(str, newest))})"


__all__ = ["DISTRIBUTION", "Built", "Installed", "expected_version_line"]
