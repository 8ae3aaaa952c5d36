"""The interpreter a user's install would run ccdoctor with: a venv holding ccdoctor and its
runtime dependencies only. The development venv is no fair stand-in: test tools pull in click,
which makes httpx import its own command line (~40 ms) on every run.

The checkout is put on the path by a plain .pth entry (setuptools' compat editable mode), not
by the import hook of a strict editable install (~8 ms per start that an installed package does
not pay).

It lives in the checkout, not in .peers: a worktree links the main checkout's .peers, and an
editable install there would make every worktree time the code of whichever built it last."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv-bench"
_STAMP = "editable_mode=compat\n"
"""What the stamp holds: a venv built another way is rebuilt."""


def runtime_python() -> str:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    fresh = stamp.exists() and stamp.read_text() == _STAMP
    if not fresh or stamp.stat().st_mtime < (REPO / "pyproject.toml").stat().st_mtime:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--config-settings",
                "editable_mode=compat",
                "--editable",
                str(REPO),
            ],
            check=True,
        )
        stamp.write_text(_STAMP)
    return str(python)
