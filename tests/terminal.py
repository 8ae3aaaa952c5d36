"""ccdoctor on a pseudo-terminal of a given size, and what a terminal would then show.

The screen is replayed from the bytes written: carriage return, line feed, erase-line and
colour sequences, and the automatic wrap a real terminal does when a line reaches its last
column. A line too wide, or a progress line that was not erased, is then visible as a row.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_ESCAPE = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")


@dataclass(frozen=True)
class Screen:
    exit_code: int
    raw: str
    rows: tuple[str, ...]
    """What the terminal shows at the end, scrollback included."""
    wrapped: int
    """Lines the terminal had to wrap because they were wider than it."""


def run_on_terminal(
    command: Sequence[str], env: Mapping[str, str], cwd: Path, columns: int, timeout: float = 60
) -> Screen:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {k: v for k, v in env.items() if k != "COLUMNS"}
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env={"TERM": "xterm", **environment},
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(leader)
    raw = b"".join(chunks).decode("utf-8", "replace")
    rows, wrapped = replay(raw, columns)
    return Screen(process.wait(5), raw, rows, wrapped)


def replay(output: str, columns: int) -> tuple[tuple[str, ...], int]:
    rows: list[list[str]] = [[]]
    column = 0
    wrapped = 0
    position = 0
    while position < len(output):
        char = output[position]
        if char == "\x1b":
            match = _ESCAPE.match(output, position)
            if match is not None:
                if match.group(2) == "K" and match.group(1) == "2":
                    rows[-1] = []
                position = match.end()
                continue
        if char == "\r":
            column = 0
        elif char == "\n":
            rows.append([])
            column = 0
        else:
            if column >= columns:
                wrapped += 1
                rows.append([])
                column = 0
            row = rows[-1]
            row.extend(" " * (column + 1 - len(row)))
            row[column] = char
            column += 1
        position += 1
    return tuple("".join(row).rstrip() for row in rows), wrapped
