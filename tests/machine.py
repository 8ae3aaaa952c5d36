"""A throwaway machine for tests: its own HOME, project, managed settings and environment."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccdoctor.config import Inputs, ResolvedConfig, resolve
from ccdoctor.config.redaction import redactor_for
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.core.results import CheckResult
from ccdoctor.engine.registry import load_catalogue, select
from ccdoctor.engine.runner import run_checks
from tests.fixtures_dir import FIXTURES
from tests.schema import validate_report

REPO = Path(__file__).resolve().parent.parent
MACHINES = FIXTURES / "machines"
"""Machine set-ups as file trees, fixtures/machines/<name>/{home,project,…}/, laid over a
Machine's root by `Machine.install`."""
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def machine_file(name: str, path: str, **values: str) -> str:
    """One file of a set-up with its {{placeholders}} filled, for a test that writes a variant."""
    text = (MACHINES / name / path).read_text(encoding="utf-8")
    # A placeholder without a value is a KeyError: a half-filled file would fail far from here.
    return _PLACEHOLDER.sub(lambda found: values[found.group(1)], text)


@dataclass
class Machine:
    root: Path
    env: dict[str, str] = field(default_factory=dict)
    claude_version: str | None = "2.1.197"
    start_dir: Path | None = None
    """Where the client would be started; the project directory unless a test moves it."""

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.project.mkdir(parents=True, exist_ok=True)
        self.managed_dir.mkdir(parents=True, exist_ok=True)
        self.env.setdefault("HOME", str(self.home))
        self.env.setdefault("PATH", os.environ.get("PATH", "/usr/bin:/bin"))

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def managed_dir(self) -> Path:
        return self.root / "managed"

    @property
    def managed_file(self) -> Path:
        return self.managed_dir / "managed-settings.json"

    def write(self, path: Path, content: Any) -> Path:
        """Write JSON-able data as JSON, str as text, bytes as they are."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content), encoding="utf-8")
        return path

    def install(self, name: str, **values: str) -> list[Path]:
        """Copy the set-up fixtures/machines/<name>/ into this machine (its home/ into the fresh
        HOME, its project/ into the project), filling {{placeholders}} with `values`: what only
        the test knows, such as keys it made or a peer's port. Returns the files written."""
        tree = MACHINES / name
        files = sorted(path.relative_to(tree) for path in tree.rglob("*") if path.is_file())
        if not files:
            raise FileNotFoundError(f"no machine set-up at {tree}")
        return [
            self.write(self.root / path, machine_file(name, path.as_posix(), **values))
            for path in files
        ]

    def user_settings(self, content: Any) -> Path:
        return self.write(self.home / ".claude" / "settings.json", content)

    def project_settings(self, content: Any) -> Path:
        return self.write(self.project / ".claude" / "settings.json", content)

    def local_settings(self, content: Any) -> Path:
        return self.write(self.project / ".claude" / "settings.local.json", content)

    def managed_settings(self, content: Any) -> Path:
        return self.write(self.managed_file, content)

    def inputs(self, settings_arg: str | None = None, model_arg: str | None = None) -> Inputs:
        return Inputs(
            environ=dict(self.env),
            home=self.home,
            project_dir=self.start_dir or self.project,
            settings_arg=settings_arg,
            model_arg=model_arg,
            managed_paths=(self.managed_file,),
            claude_version=self.claude_version,
        )

    def resolve(
        self, settings_arg: str | None = None, model_arg: str | None = None
    ) -> ResolvedConfig:
        return resolve(self.inputs(settings_arg, model_arg))

    def run(
        self,
        *check_ids: str,
        settings_arg: str | None = None,
        model_arg: str | None = None,
        options: RunOptions | None = None,
    ) -> dict[str, CheckResult]:
        """Run the named checks (with their needs) in-process; results by id."""
        config = self.resolve(settings_arg, model_arg)
        catalogue = load_catalogue(include_plugins=False)
        checks = select(catalogue.checks, list(check_ids), [])
        ctx = CheckContext(
            config, options or RunOptions(timeout=2.0, deadline=10.0), redactor_for(config)
        )
        return {r.id: r for r in run_checks(checks, ctx)}

    def check(self, check_id: str, **kwargs: Any) -> CheckResult:
        return self.run(check_id, **kwargs)[check_id]

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run the real command in a subprocess with this machine's environment."""
        command = [sys.executable, "-m", "ccdoctor", *args]
        if not args or args[0] not in ("list", "explain"):
            command += ["--managed-settings", str(self.managed_file)]
            if self.claude_version:
                command += ["--claude-version", self.claude_version]
        done = subprocess.run(
            command,
            cwd=self.start_dir or self.project,
            env={
                **self.env,
                "PYTHONPATH": os.pathsep.join(
                    p for p in (self.env.get("PYTHONPATH"), str(REPO)) if p
                ),
            },
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        _validate_json_reports(args, done, Path(self.start_dir or self.project))
        return done


_SUBCOMMANDS = ("config", "list", "explain")


def _validate_json_reports(
    args: Sequence[str], done: subprocess.CompletedProcess[str], cwd: Path
) -> None:
    """Every JSON report a test makes the real command write is held to the shipped schema,
    whatever the test itself goes on to read from it."""
    if (args and args[0] in _SUBCOMMANDS) or done.returncode not in (0, 1):
        return
    words = list(args)
    chosen = [b for a, b in itertools.pairwise(words) if a in ("-f", "--format")]
    chosen += [a.split("=", 1)[1] for a in words if a.startswith("--format=")]
    if not chosen or chosen[-1] != "json":
        return
    output = next((b for a, b in itertools.pairwise(words) if a == "--output"), None)
    text = (cwd / output).read_text(encoding="utf-8") if output else done.stdout
    validate_report(json.loads(text))
