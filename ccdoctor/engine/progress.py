"""A one-line live progress display for terminals: which network checks are still waiting.

It implements the runner's Observer protocol, writes only to a TTY, and erases itself before the
report prints, so nothing of it reaches a file, a pipe or a machine format.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

from ccdoctor.core.results import CheckResult
from ccdoctor.spec import Check

_REFRESH = 0.1


class ProgressLine:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._waiting: dict[str, float] = {}
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
        if check.spec.network:
            with self._lock:
                self._waiting[check.spec.id] = time.monotonic()

    def finished(self, result: CheckResult) -> None:
        with self._lock:
            self._waiting.pop(result.id, None)

    def _tick(self) -> None:
        while not self._stop.wait(_REFRESH):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        if not self._waiting:
            self._erase()
            return
        now = time.monotonic()
        names = ", ".join(
            f"{check_id} {now - since:.1f}s" for check_id, since in sorted(self._waiting.items())
        )
        self._stream.write("\r\x1b[2Kwaiting for " + names)
        self._stream.flush()
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
            self._shown = False
