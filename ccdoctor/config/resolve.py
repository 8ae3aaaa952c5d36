"""The effective environment and settings, with the provenance of every value.

Claude Code overlays settings-file `env` blocks on the shell environment (a file beats the shell),
files in the order user < project < local < --settings < managed, and reads top-level setting keys
with the same file precedence. This module reproduces that and remembers what each winner shadowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdoctor.config.settings_files import (
    SettingsLayer,
    Source,
    global_config_path,
    load_global_config,
    load_layer,
    settings_argument_layer,
    user_settings_path,
)


@dataclass(frozen=True)
class Origin:
    """Where a value came from: the shell, a settings file (with its path), a command-line flag, or
    the built-in default."""

    source: Source
    path: str | None = None

    def describe(self) -> str:
        if self.source is Source.SHELL:
            return "shell environment"
        if self.source is Source.DEFAULT:
            return "built-in default"
        if self.source is Source.FLAG:
            return self.path or "command-line flag"
        return f"{self.source.value} settings ({self.path})"


SHELL = Origin(Source.SHELL)
DEFAULT = Origin(Source.DEFAULT)


@dataclass(frozen=True)
class Value:
    """One effective value and the lower-precedence definitions it beat."""

    name: str
    raw: Any
    origin: Origin
    shadowed: tuple[Value, ...] = ()

    @property
    def text(self) -> str | None:
        """The value as the client sees it in its environment; empty means unset."""
        value = env_string(self.raw)
        return value or None


def env_string(raw: Any) -> str:
    """How a settings `env` value becomes an environment string (JSON scalars are stringified)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return json.dumps(raw)
    return ""


@dataclass(frozen=True)
class Layers:
    """The settings files Claude Code would read, lowest precedence first."""

    files: tuple[SettingsLayer, ...]

    @property
    def loaded(self) -> tuple[SettingsLayer, ...]:
        return tuple(layer for layer in self.files if layer.data is not None)


def discover_layers(
    environ: Mapping[str, str],
    home: Path,
    project_dir: Path,
    settings_arg: str | None,
    managed_paths: Iterable[Path],
    local_at_git_root: bool,
) -> Layers:
    """`local_at_git_root` is the client version's fact (ClientFacts.local_at_git_root): the
    versions differ on whether a repository root above the start directory counts."""
    files = [
        load_global_config(global_config_path(environ, home)),
        load_layer(Source.USER, user_settings_path(environ, home)),
        load_layer(Source.PROJECT, project_dir / ".claude" / "settings.json"),
    ]
    files.extend(
        load_layer(Source.LOCAL, p) for p in _local_settings_paths(project_dir, local_at_git_root)
    )
    if settings_arg is not None:
        files.append(settings_argument_layer(settings_arg, project_dir))
    files.extend(load_layer(Source.MANAGED, p) for p in managed_paths)
    return Layers(tuple(files))


def _local_settings_paths(project_dir: Path, at_git_root: bool) -> list[Path]:
    """The start directory's copy, then, for a client that reads it, the repository root's,
    which comes later so that it wins."""
    paths = [project_dir / ".claude" / "settings.local.json"]
    if not at_git_root:
        return paths
    root = _git_root(project_dir)
    if root is not None and root != project_dir:
        paths.append(root / ".claude" / "settings.local.json")
    return paths


def _git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def effective_env(environ: Mapping[str, str], layers: Layers) -> dict[str, Value]:
    candidates: dict[str, list[Value]] = {}
    for name, raw in environ.items():
        candidates.setdefault(name, []).append(Value(name, raw, SHELL))
    for layer in layers.loaded:
        origin = Origin(layer.source, layer.path)
        for name, raw in layer.env.items():
            # An environment cannot hold an empty name or one with "=" or NUL in it; such keys
            # never reach the client (config.settings reports them).
            if name and "=" not in name and "\x00" not in name:
                candidates.setdefault(name, []).append(Value(name, raw, origin))
    return {name: _winner(values) for name, values in candidates.items()}


def effective_settings(layers: Layers) -> dict[str, Value]:
    candidates: dict[str, list[Value]] = {}
    for layer in layers.loaded:
        origin = Origin(layer.source, layer.path)
        assert layer.data is not None
        for key, raw in layer.data.items():
            if key != "env":
                candidates.setdefault(key, []).append(Value(key, raw, origin))
    return {key: _winner(values) for key, values in candidates.items()}


def _winner(values: list[Value]) -> Value:
    """The last definition wins: values arrive in precedence order."""
    *rest, top = values
    return Value(top.name, top.raw, top.origin, tuple(reversed(rest)))
