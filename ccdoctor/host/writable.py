"""Whether a report file can be written, asked before a run spends anything (billed requests
included) rather than found out after it."""

from __future__ import annotations

import os
from pathlib import Path


def unwritable_reason(path: Path) -> str | None:
    """Why `path` cannot be created or overwritten as a file, or None when it can."""
    target = path.expanduser()
    if target.is_dir():
        return "is a directory"
    if target.exists():
        return None if os.access(target, os.W_OK) else "is not writable"
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        return f"cannot be created: the directory {parent} does not exist"
    if not parent.is_dir():
        return f"cannot be created: {parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot be created: the directory {parent} is not writable"
    return None
