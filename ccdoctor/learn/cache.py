"""Where learned facts are kept between runs: one TOML file per client version in the user's
cache folder (`$XDG_CACHE_HOME/ccdoctor/learned`, else `~/.cache/ccdoctor/learned`), named by
the version and a key of what would change the answer, so a later run pays nothing and a
reinstalled or upgraded binary is learned afresh."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ccdoctor.clients.toml_text import to_toml

LEARNER_FORMAT = "2"
"""Part of every key: a ccdoctor that learns more (or differently) does not read an older
learner's file."""


def cache_dir(environ: Mapping[str, str], home: Path) -> Path:
    """XDG's rule: XDG_CACHE_HOME when it is an absolute path, else ~/.cache."""
    xdg = environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return base / "ccdoctor" / "learned"


def cache_key(binary: Path, version: str, group: str) -> str | None:
    """The binary's real path, size and modification time with the version, the group learned
    (ccdoctor/learn/learner.py GROUPS) and the learner's format; None when the binary cannot be
    looked at (then nothing is cached)."""
    try:
        real = binary.resolve()
        stat = real.stat()
    except OSError:
        return None
    parts = (LEARNER_FORMAT, version, group, str(real), str(stat.st_size), str(stat.st_mtime_ns))
    text = "\0".join(parts)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


FAILURE_SECONDS = 86400.0
"""How long a failed learning stands (a day): runs meanwhile judge by the newest file at no cost (a
learning that timed out on a busy machine would otherwise cost every run its budget again)."""


def cache_file(folder: Path, version: str, group: str, key: str) -> Path:
    return folder / f"claude-{version}-{group}-{key}.toml"


def read_cached(path: Path) -> dict[str, Any] | None:
    """The cached facts; None when there are none or they cannot be read (learned again)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def write_cached(path: Path, facts: Mapping[str, Any], header: str) -> str | None:
    """Write atomically (a run reading it meanwhile sees the old file or the new one, never
    half); the reason it could not be written, or None."""
    text = "".join(f"# {line}\n" for line in header.splitlines()) + "\n" + to_toml(facts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".learning-", delete=False
        ) as handle:
            handle.write(text)
        os.replace(handle.name, path)
    except OSError as error:
        return f"{path.parent}: {error.strerror or error}"
    return None


def _failure_file(path: Path) -> Path:
    return path.with_suffix(".failed")


def read_failure(path: Path) -> str | None:
    """Why learning into `path` failed less than FAILURE_SECONDS ago; None when it did not."""
    failure = _failure_file(path)
    try:
        if time.time() - failure.stat().st_mtime > FAILURE_SECONDS:
            return None
        return failure.read_text(encoding="utf-8").strip() or "unknown"
    except (OSError, UnicodeDecodeError):
        return None


def write_failure(path: Path, why: str) -> None:
    """Remember that learning into `path` failed (best effort: an unwritable cache only means
    the next run tries again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _failure_file(path).write_text(why + "\n", encoding="utf-8")
    except OSError:
        return


def clear_failure(path: Path) -> None:
    try:
        _failure_file(path).unlink(missing_ok=True)
    except OSError:
        return
