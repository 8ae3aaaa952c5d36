"""The interpreter a user's install would run ccdoctor with: a venv holding ccdoctor and its
runtime dependencies only. The development venv is no fair stand-in: test tools pull in click,
which makes httpx import its own command line (~40 ms) on every run.

It lives in the checkout, not in .peers: a worktree links the main checkout's .peers, and an
editable install there would make every worktree time the code of whichever built it last."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv-bench"


def runtime_python() -> str:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < (REPO / "pyproject.toml").stat().st_mtime:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--editable", str(REPO)], check=True
        )
        stamp.touch()
    return str(python)
