"""Golden reports: set-ups described as data in fixtures/reports/<name>/setup.toml, rendered by
the real command in a subprocess, and normalised so that two runs give the same bytes.

Only the command line is used (`python -m ccdoctor`), never ccdoctor's modules, so the goldens
survive any move of the code inside the package.

    description = "what this set-up is"
    args = ["--offline", "--claude-version", "2.1.197"]   # given to every format's run
    exit_code = 1                                          # what the command must exit with

    [env]                                                  # the whole environment, but for
    CLAUDE_CODE_USE_BEDROCK = "1"                          # PATH, HOME and the fixed ones below

    [[files]]                                              # written before the run
    path = ".aws/config"                                   # relative to HOME
    text = "[default]\\nregion = us-west-2\\n"              # or: json = { ... }

`{{home}}` in an env value, an argument or a file's content is the set-up's HOME. The command
runs in HOME/project (so project settings go in project/.claude/), and reads its managed settings
from a file that does not exist, so nothing of the machine it runs on gets in.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fixtures_dir import FIXTURES

REPO = Path(__file__).resolve().parent.parent
REPORTS = FIXTURES / "reports"
FORMATS: Mapping[str, str] = {
    "text": "txt",
    "json": "json",
    "markdown": "md",
    "junit": "xml",
    "github": "github",
}
"""Each --format and the extension of its golden file."""
UPDATE_VARIABLE = "CCDOCTOR_UPDATE_GOLDEN"
FIXED_ENV: Mapping[str, str] = {
    "PATH": "/usr/bin:/bin",
    "NO_COLOR": "1",
    "COLUMNS": "80",
    "LC_ALL": "C.UTF-8",
    "PYTHONUTF8": "1",
    "PYTHONIOENCODING": "utf-8",
}
"""What every run gets besides its set-up's variables: no colour, one terminal width, UTF-8."""
_TEMP_ROOT = "/tmp"
"""Not $TMPDIR: the text report wraps messages at a fixed width, and a message that names a file
under HOME must wrap at the same place on every machine, so HOME's path must have one length."""


@dataclass(frozen=True)
class Setup:
    name: str
    description: str
    args: tuple[str, ...]
    exit_code: int
    env: Mapping[str, str]
    files: tuple[Mapping[str, Any], ...]

    @property
    def directory(self) -> Path:
        return REPORTS / self.name

    def golden(self, fmt: str) -> Path:
        return self.directory / f"report.{FORMATS[fmt]}"

    @classmethod
    def load(cls, directory: Path) -> Setup:
        data = tomllib.loads((directory / "setup.toml").read_text(encoding="utf-8"))
        unknown = set(data) - {"description", "args", "exit_code", "env", "files"}
        if unknown:
            raise ValueError(f"{directory.name}/setup.toml: unknown keys {sorted(unknown)}")
        return cls(
            name=directory.name,
            description=data["description"],
            args=tuple(data.get("args", ())),
            exit_code=int(data["exit_code"]),
            env=dict(data.get("env", {})),
            files=tuple(data.get("files", ())),
        )


def load_setups() -> list[Setup]:
    return [Setup.load(path.parent) for path in sorted(REPORTS.glob("*/setup.toml"))]


@dataclass(frozen=True)
class Rendered:
    exit_code: int
    stdout: str
    """Normalised."""
    stderr: str


def render(setup: Setup, fmt: str) -> Rendered:
    """Run the command on a fresh copy of the set-up and return its normalised report."""
    with prepared(setup) as (home, env, command):
        completed = subprocess.run(
            [*command, "--format", fmt],
            cwd=home / "project",
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
        return Rendered(completed.returncode, normalise(completed.stdout, home), completed.stderr)


@contextmanager
def prepared(setup: Setup) -> Iterator[tuple[Path, dict[str, str], list[str]]]:
    """A fresh copy of the set-up: its HOME, the environment and the command line to run (in
    HOME/project) without --format."""
    with _fresh_home(setup) as home:

        def fill(text: str) -> str:
            return text.replace("{{home}}", str(home))

        env = {
            **FIXED_ENV,
            "HOME": str(home),
            "PYTHONPATH": str(REPO),
            **{name: fill(value) for name, value in setup.env.items()},
        }
        managed = home.parent / "managed-settings.json"  # never written: no managed settings
        command = [
            sys.executable,
            "-m",
            "ccdoctor",
            *(fill(arg) for arg in setup.args),
            "--managed-settings",
            str(managed),
        ]
        yield home, env, command


@contextmanager
def _fresh_home(setup: Setup) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="ccdoctor", dir=_TEMP_ROOT))
    try:
        home = root / "home"
        (home / "project").mkdir(parents=True)
        for file in setup.files:
            path = home / file["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(file["json"], indent=2) + "\n" if "json" in file else file["text"]
            path.write_text(text.replace("{{home}}", str(home)), encoding="utf-8")
            if "mode" in file:
                path.chmod(int(file["mode"], 8))
        yield home
    finally:
        shutil.rmtree(root, ignore_errors=True)


_VARYING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r'"duration_ms": [0-9.eE+-]+'), '"duration_ms": 0.0'),
    (re.compile(r'"generated_at": "[^"]*"'), '"generated_at": "1970-01-01T00:00:00+00:00"'),
    (re.compile(r'("name": "ccdoctor",\s*"version": )"[^"]*"'), r'\1"<VERSION>"'),
    (
        re.compile(r'("platform": \{\s*"os": )"[^"]*"(,\s*"python": )"[^"]*"'),
        r'\1"<OS>"\2"<PYTHON>"',
    ),
    (re.compile(r' time="[0-9.]+"'), ' time="0.000"'),
    (re.compile(r' timestamp="[^"]*"'), ' timestamp="1970-01-01T00:00:00+00:00"'),
    (re.compile(r"((?:skipped|errors?) in )[0-9.]+s\b"), r"\g<1>0.00s"),
)


def normalise(text: str, home: Path) -> str:
    """Replace what legitimately differs between two runs of the same code on the same set-up,
    and nothing else: the temporary HOME (→ <HOME>), durations (→ 0), the time of the run
    (→ the epoch), and the tool's and Python's versions and the OS. Numbers and timestamps get
    fixed values of the same type, so the JSON golden still validates against the schema."""
    text = text.replace(str(home), "<HOME>")
    for pattern, replacement in _VARYING:
        text = pattern.sub(replacement, text)
    return text


def updating() -> bool:
    return os.environ.get(UPDATE_VARIABLE) == "1"
