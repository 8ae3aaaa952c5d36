"""Paths written with a leading `~`, read without ever raising."""

from __future__ import annotations

from pathlib import Path


def expand_user(text: str) -> Path:
    """`~` and `~user` expanded where they name a home directory, the text as a literal path
    where they do not (`~0`, a user this machine does not have): Node, which reads these paths
    for the client, never fails on them, so neither may ccdoctor."""
    try:
        return Path(text).expanduser()
    except RuntimeError:  # "Could not determine home directory."
        return Path(text)
