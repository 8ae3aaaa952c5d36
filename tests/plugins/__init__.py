"""Plugin fixtures: each ccdoctor_plugin_* package here is installed into a throwaway site
directory as a real distribution (a *.dist-info with entry_points.txt), so ccdoctor finds it
through the `ccdoctor.checks` entry-point group exactly as it would find a pip-installed one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ccdoctor.engine.registry import ENTRY_POINT_GROUP
from tests.machine import REPO, Machine

FIXTURES = Path(__file__).resolve().parent


def install_plugin(site: Path, package: str, entry_name: str, target: str | None = None) -> None:
    """Install fixture `package` into `site` with one entry point `entry_name = target`."""
    shutil.copytree(FIXTURES / package, site / package)
    info = site / f"{package}-1.0.dist-info"
    info.mkdir(parents=True)
    name = package.replace("_", "-")
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{entry_name} = {target or package}\n", encoding="utf-8"
    )


def cli_with_plugins(machine: Machine, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`machine.cli`, with `site` on PYTHONPATH ahead of the repository."""
    command = [sys.executable, "-m", "ccdoctor", *args]
    if not args or args[0] not in ("list", "explain"):
        command += ["--managed-settings", str(machine.managed_file)]
        if machine.claude_version:
            command += ["--claude-version", machine.claude_version]
    return subprocess.run(
        command,
        cwd=machine.start_dir or machine.project,
        env={**machine.env, "PYTHONPATH": f"{site}{os.pathsep}{REPO}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
