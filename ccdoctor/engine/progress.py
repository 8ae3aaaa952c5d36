"""A one-line live progress display for terminals: which checks are at work on the network.

It implements the runner's Observer protocol, writes only to a TTY, and erases itself before the
report prints, so nothing of it reaches a file, a pipe or a machine format. The line never
reaches the terminal's last column: a line that wrapped could not be erased whole.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import TextIO

from ccdoctor.core.results import CheckResult
from ccdoctor.spec import Check, Cost

_REFRESH = 0.1
_ERASE = "\r\x1b[2K"
_FALLBACK_WIDTH = 80


@dataclass(frozen=True)
class _Running:
    """A check at work for the progress line: when it started and the checks it needs."""

    since: float
    needs: frozenset[str]


class ProgressLine:
    def __init__(self, stream: TextIO, offline: bool = False) -> None:
        self._stream = stream
        self._offline = offline
        self._lock = threading.Lock()
        self._running: dict[str, _Running] = {}
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="ccdoctor-progress", daemon=True)
        self._shown = False

    def __enter__(self) -> ProgressLine:
        self._ticker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._ticker.join(1.0)
        with self._lock:
            self._erase()

    def started(self, check: Check) -> None:
        spec = check.spec
        # A local check with a live part (credentials, region listings) works on the network
        # too when the run is online.
        if spec.network or (spec.cost is not Cost.LOCAL and not self._offline):
            with self._lock:
                self._running[spec.id] = _Running(time.monotonic(), frozenset(spec.needs))

    def finished(self, result: CheckResult) -> None:
        with self._lock:
            self._running.pop(result.id, None)

    def _tick(self) -> None:
        while not self._stop.wait(_REFRESH):
            with self._lock:
                self._draw()

    def at_work(self) -> list[tuple[str, float]]:
        """Running checks and their seconds so far, less those still waiting on a need that
        runs: they started early to overlap it, but do nothing yet that is worth a name."""
        now = time.monotonic()
        return [
            (check_id, now - entry.since)
            for check_id, entry in sorted(self._running.items())
            if not entry.needs & self._running.keys()
        ]

    def _draw(self) -> None:
        working = self.at_work()
        if not working:
            self._erase()
            return
        self._stream.write(_ERASE + line_for(working, self._width() - 1))
        self._stream.flush()
        self._shown = True

    def _width(self) -> int:
        try:
            return os.get_terminal_size(self._stream.fileno()).columns or _FALLBACK_WIDTH
        except (OSError, ValueError, AttributeError):
            return _FALLBACK_WIDTH

    def _erase(self) -> None:
        if self._shown:
            self._stream.write(_ERASE)
            self._stream.flush()
            self._shown = False


def line_for(working: list[tuple[str, float]], width: int) -> str:
    """'waiting for a 1.2s, b 0.3s', with as many names as fit in width and a count of the
    rest."""
    names = [f"{check_id} {seconds:.1f}s" for check_id, seconds in working]
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = "waiting for " + ", ".join(names[:shown]) + (f" (+{rest} more)" if rest else "")
        if len(text) <= width:
            return text
    return f"waiting for {len(names)} checks"[:width]
