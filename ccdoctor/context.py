"""What a check receives: the resolved configuration, the run's options, the redactor, and the
network layer (built on first use, so offline runs never pay for TLS set-up)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ccdoctor.config.network import network_settings
from ccdoctor.config.resolve import env_string
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.redact import Redactor
from ccdoctor.host.commands import expand_home, run_shell_command
from ccdoctor.knowledge.network import PROXY_AUTH_HELPER, PROXY_AUTH_HELPER_SWITCH

if TYPE_CHECKING:
    from ccdoctor.net.client import Network

T = TypeVar("T")


@dataclass(frozen=True)
class RunOptions:
    """The run's command-line choices: time limits, offline, no billed calls."""

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

    def get(self, config: ResolvedConfig, helper: Callable[[], str | None]) -> Network:
        with self._lock:
            if self._network is None:
                from ccdoctor.net.client import Network  # ssl and threads: not for offline runs

                settings = network_settings(config)
                if settings.proxy is not None and (value := helper()) is not None:
                    proxy = dataclasses.replace(settings.proxy, authorization=value)
                    settings = dataclasses.replace(settings, proxy=proxy)
                self._network = Network(settings)
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


_PROXY_HELPER_MEMO = "proxy-auth-helper"


@dataclass(frozen=True)
class ProxyHelperRun:
    """What running the client's proxyAuthHelper gave: the Proxy-Authorization value, or why there
    is none."""

    value: str | None
    """The Proxy-Authorization value the client sends; None when it sends none."""
    failure: str | None = None
    """What went wrong, in the client's words where it has some ("proxyAuthHelper failed: …")."""
    unusable: bool = False
    """The output cannot be a header value: the client then fails every request itself."""


@dataclass(frozen=True)
class CheckContext:
    """What every check receives: the resolved configuration, the run options, the redactor, and the
    network layer and once-per-run values the checks share."""

    config: ResolvedConfig
    options: RunOptions
    redactor: Redactor
    started: float = field(default_factory=time.monotonic)
    _network: _NetworkSlot = field(default_factory=_NetworkSlot, repr=False, compare=False)
    _memo: _Memo = field(default_factory=_Memo, repr=False, compare=False)

    @property
    def network(self) -> Network:
        return self._network.get(self.config, self._proxy_authorization)

    def _proxy_authorization(self) -> str | None:
        run = self.proxy_helper()
        return None if run is None else run.value

    def proxy_helper(self) -> ProxyHelperRun | None:
        """The client's proxyAuthHelper, run as the client runs it: only with
        CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER on, once per run, within the step's time. None
        when the client does not run it."""
        return self.once(_PROXY_HELPER_MEMO, self._run_proxy_helper)

    def _run_proxy_helper(self) -> ProxyHelperRun | None:
        # Watched on 2.1.197 and 2.1.332 (tests/facts/leftovers.md): without the switch the
        # helper is ignored; its trimmed output is the whole header value (no scheme added); a
        # helper that fails or prints nothing leaves the header out and the run goes on; output
        # holding a line break stops every request before the proxy is reached.
        helper = self.config.settings.get(PROXY_AUTH_HELPER)
        if not self.config.truthy(PROXY_AUTH_HELPER_SWITCH) or helper is None:
            return None
        if not isinstance(helper.raw, str) or not helper.raw.strip():
            return None
        run = run_shell_command(
            expand_home(helper.raw.strip(), self.config.inputs.home),
            timeout=self.step_timeout(),
            env={name: env_string(value.raw) for name, value in self.config.env.items()},
            cwd=self.config.inputs.project_dir,
        )
        if run.exit_code != 0:
            said = next((ln.strip() for ln in run.stderr.splitlines() if ln.strip()), "")
            ending = "timed out" if run.timed_out else f"exited {run.exit_code}"
            return ProxyHelperRun(
                None, f"{PROXY_AUTH_HELPER} failed: {ending}" + (f": {said}" if said else "")
            )
        value = run.stdout.strip()
        if not value:
            return ProxyHelperRun(None, f"{PROXY_AUTH_HELPER} failed: did not return a value")
        self.redactor.add(value, "proxy-authorization")
        for line in value.splitlines():
            self.redactor.add(line.strip(), "proxy-authorization")
        if "\n" in value or "\r" in value:
            lines = len(value.splitlines())
            return ProxyHelperRun(
                None,
                f"{PROXY_AUTH_HELPER} prints {lines} lines: Claude Code sends its whole output "
                "as the Proxy-Authorization value, which cannot hold a line break, so every "
                "request fails before it reaches the proxy",
                unusable=True,
            )
        return ProxyHelperRun(value)

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
