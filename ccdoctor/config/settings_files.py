"""Finding and reading Claude Code's settings files, keeping every failure as data."""

from __future__ import annotations

import enum
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdoctor.core.encoding import Encoding, sniff
from ccdoctor.core.paths import expand_user
from ccdoctor.knowledge.settings_keys import json_type

MAX_SETTINGS_BYTES = 2 * 1024 * 1024
"""Claude Code rejects settings files larger than 2 MiB."""


class Source(enum.Enum):
    """Where a value came from, lowest precedence first (the order is the precedence)."""

    DEFAULT = "default"
    SHELL = "shell"
    GLOBAL = "global"
    """~/.claude.json: the client's app state, whose `env` block it applies above the shell
    and below every settings file, and whose primaryApiKey it sends when nothing else is set."""
    USER = "user"
    PROJECT = "project"
    LOCAL = "local"
    CLI = "--settings"
    MANAGED = "managed"
    FLAG = "flag"

    @property
    def rank(self) -> int:
        return list(Source).index(self)


SETTINGS_SOURCES = (Source.USER, Source.PROJECT, Source.LOCAL, Source.CLI, Source.MANAGED)


@dataclass(frozen=True)
class SettingsError:
    """Why a settings file could not be read: the message, the line and column of a JSON error, and
    the encoding of a file that is not UTF-8."""

    message: str
    line: int | None = None
    column: int | None = None
    encoding: Encoding | None = None
    """What a file that is not plain UTF-8 is written in, for a repair that converts it."""


@dataclass(frozen=True)
class SettingsLayer:
    """One settings file as the client would see it. `data` is None when the file is absent or
    was dropped because it could not be read; the client drops a broken file silently."""

    source: Source
    path: str
    exists: bool
    data: Mapping[str, Any] | None
    error: SettingsError | None = None

    @property
    def env(self) -> Mapping[str, Any]:
        if self.data is None:
            return {}
        env = self.data.get("env")
        return env if isinstance(env, dict) else {}


def managed_settings_paths(platform: str = sys.platform) -> tuple[Path, ...]:
    if platform == "darwin":
        base = Path("/Library/Application Support/ClaudeCode")
    elif platform.startswith("win"):
        base = Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "ClaudeCode"
    else:
        base = Path("/etc/claude-code")
    main = base / "managed-settings.json"
    drop_ins = base / "managed-settings.d"
    extra = sorted(drop_ins.glob("*.json")) if drop_ins.is_dir() else []
    return (main, *extra)


GLOBAL_CONFIG_LIMIT = 64 * 1024 * 1024
"""~/.claude.json holds per-project history and can grow large; beyond this it is not read."""
GLOBAL_CONFIG_KEYS = ("env", "primaryApiKey")
"""What the client takes from ~/.claude.json for its connection (watched on 2.1.197 and
2.1.332); the rest is app state, not settings."""


def global_config_path(environ: Mapping[str, str], home: Path) -> Path:
    config_dir = environ.get("CLAUDE_CONFIG_DIR")
    return Path(config_dir) / ".claude.json" if config_dir else home / ".claude.json"


def load_global_config(path: Path) -> SettingsLayer:
    """The connection keys of ~/.claude.json as a layer. A file that cannot be read is no layer
    and no error: it is the client's own state, which it rewrites."""
    label = str(path)
    try:
        if not path.is_file() or path.stat().st_size > GLOBAL_CONFIG_LIMIT:
            return SettingsLayer(Source.GLOBAL, label, exists=path.exists(), data=None)
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return SettingsLayer(Source.GLOBAL, label, exists=True, data=None)
    kept = {k: data[k] for k in GLOBAL_CONFIG_KEYS if isinstance(data, dict) and k in data}
    return SettingsLayer(Source.GLOBAL, label, exists=True, data=kept or None)


def user_settings_path(environ: Mapping[str, str], home: Path) -> Path:
    config_dir = environ.get("CLAUDE_CONFIG_DIR")
    # The client joins CLAUDE_CONFIG_DIR as it is: no `~` expansion.
    base = Path(config_dir) if config_dir else home / ".claude"
    return base / "settings.json"


def load_layer(source: Source, path: Path) -> SettingsLayer:
    label = str(path)
    try:
        if not path.exists():
            return SettingsLayer(source, label, exists=False, data=None)
        if path.is_dir():
            return _broken(source, label, "is a directory, not a file")
        size = path.stat().st_size
        if size > MAX_SETTINGS_BYTES:
            return _broken(
                source, label, f"is {size:,} bytes; Claude Code rejects settings over 2 MiB"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return _broken(source, label, f"cannot be read: {exc.strerror or exc}")
    return parse_layer(source, label, raw)


def parse_layer(source: Source, label: str, raw: bytes) -> SettingsLayer:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        encoding = sniff(raw)
        if encoding in (Encoding.UTF8, Encoding.UTF8_BOM):
            # A UTF-8 BOM before bytes that are not UTF-8: a mix no single conversion undoes.
            encoding = Encoding.LATIN1
        if encoding is Encoding.LATIN1:
            message = f"is not UTF-8 text (bad byte at offset {exc.start})"
        else:
            message = f"is not UTF-8 text but {encoding.description}"
        return _broken(source, label, message, encoding=encoding)
    if text.startswith("\ufeff"):
        return _broken(
            source,
            label,
            "starts with a byte-order mark, which strict JSON parsers reject",
            1,
            1,
            encoding=Encoding.UTF8_BOM,
        )
    if not text.strip():
        return _broken(source, label, "is empty; write {} or delete it")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _broken(source, label, f"is not valid JSON: {exc.msg}", exc.lineno, exc.colno)
    except RecursionError:
        return _broken(source, label, "is nested too deeply to be read")
    if not isinstance(data, dict):
        return _broken(source, label, f"must hold a JSON object, not {json_type(data).value}")
    return SettingsLayer(source, label, exists=True, data=data)


def settings_argument_layer(value: str, cwd: Path) -> SettingsLayer:
    """`--settings` takes a file path or inline JSON, like the client's flag."""
    if value.lstrip().startswith("{"):
        return parse_layer(Source.CLI, "--settings (inline JSON)", value.encode("utf-8"))
    path = expand_user(value)
    if not path.is_absolute():
        path = cwd / path
    layer = load_layer(Source.CLI, path)
    if not layer.exists:
        return _broken(Source.CLI, str(path), "does not exist", exists=False)
    return layer


def _broken(
    source: Source,
    label: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    *,
    exists: bool = True,
    encoding: Encoding | None = None,
) -> SettingsLayer:
    error = SettingsError(message, line, column, encoding)
    return SettingsLayer(source, label, exists, None, error)
