"""What a check receives: the resolved configuration, the run's options, and the redactor."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.redact import Redactor


@dataclass(frozen=True)
class RunOptions:
    timeout: float = 5.0
    """Seconds allowed to each network step and to each local command a check runs."""
    deadline: float = 20.0
    """Seconds allowed to the whole run."""
    offline: bool = False
    no_invoke: bool = False
    """Keep to free calls: no billed inference requests."""


@dataclass(frozen=True)
class CheckContext:
    config: ResolvedConfig
    options: RunOptions
    redactor: Redactor
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        """Seconds left before the run's deadline; network steps should not wait longer."""
        return max(0.0, self.options.deadline - (time.monotonic() - self.started))

    def step_timeout(self) -> float:
        return max(0.05, min(self.options.timeout, self.remaining()))
