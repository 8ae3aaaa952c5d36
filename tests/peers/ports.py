"""Loopback ports and process-group handling shared by the peers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port that was free a moment ago, for peers that must be told their port up front.

    Binding port 0 ourselves and handing the number on is racy in theory, but the kernel does not
    reuse ephemeral ports immediately, and it is the only way to start a subprocess on a port we
    know without parsing its banner.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until(ready: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(interval)
    return ready()


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection((LOOPBACK, port), timeout=0.2).close()
    except OSError:
        return False
    return True


def stop_process_group(
    process: subprocess.Popen[bytes], first_signal: signal.Signals, grace: float
) -> None:
    """Stop a peer started with start_new_session=True, by its recorded PID only.

    The whole group is signalled because some peers (proxy.py) leave workers behind that outlive
    their parent by seconds; SIGKILL follows if the group has not gone within `grace`.
    """
    group = process.pid
    _signal_group(group, first_signal)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    if process.poll() is None or not wait_until(lambda: not _group_alive(group), grace, 0.05):
        _signal_group(group, signal.SIGKILL)
        process.wait()


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
