"""What a check receives: the resolved configuration, the run's options, the redactor, and the
network layer (built on first use, so offline runs never pay for TLS set-up)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ccdoctor.config.network import network_settings
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.redact import Redactor
from ccdoctor.net.client import Network

T = TypeVar("T")


@dataclass(frozen=True)
class RunOptions:
    timeout: float = 5.0
    """Seconds allowed to each network step and to each local command a check runs."""
    deadline: float = 20.0
    """Seconds allowed to the whole run."""
    offline: bool = False
    no_invoke: bool = False
    """Keep to free calls: no billed inference requests."""


class _NetworkSlot:
    """Builds the shared network layer once, whichever check thread asks first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._network: Network | None = None

    def get(self, config: ResolvedConfig) -> Network:
        with self._lock:
            if self._network is None:
                self._network = Network(network_settings(config))
            return self._network

    def close(self) -> None:
        with self._lock:
            if self._network is not None:
                self._network.close()


class _Memo:
    """Facts several checks need (e.g. the apiKeyHelper's output) are computed once per run:
    running a user's command twice would double its cost and could give two answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._values: dict[str, Any] = {}

    def get(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = compute()
            value: T = self._values[key]
            return value


@dataclass(frozen=True)
class CheckContext:
    config: ResolvedConfig
    options: RunOptions
    redactor: Redactor
    started: float = field(default_factory=time.monotonic)
    _network: _NetworkSlot = field(default_factory=_NetworkSlot, repr=False, compare=False)
    _memo: _Memo = field(default_factory=_Memo, repr=False, compare=False)

    @property
    def network(self) -> Network:
        return self._network.get(self.config)

    def close(self) -> None:
        """Release the run's connections (keep-alive sockets to gateways and proxies)."""
        self._network.close()

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` the first time `key` is asked for in this run; its result afterwards."""
        return self._memo.get(key, compute)

    def remaining(self) -> float:
        """Seconds left before the run's deadline; network steps should not wait longer."""
        return max(0.0, self.options.deadline - (time.monotonic() - self.started))

    def step_timeout(self) -> float:
        return max(0.05, min(self.options.timeout, self.remaining()))
