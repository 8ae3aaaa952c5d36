"""The model-access fallback of recent clients, judged the same way on every route.

When the built-in main model is refused, such a client asks the next model of its chain in the
same run (facts: `[fallback]`), and the session works on the first one that answers. A refusal of
the main model is then no longer the session's end: it is a warning that names the model the
user lands on, or, when no model of the chain answers, a failure that names them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.results import Fix, Problem, Status


@dataclass(frozen=True)
class Landing:
    """Where the fallback ends: the first candidate that answered, after those refused."""

    refused: tuple[str, ...]
    model: str | None
    """None when no candidate answered."""

    def details(self) -> dict[str, Any]:
        return {"refused": list(self.refused), "lands_on": self.model}

    @property
    def summary(self) -> str:
        """What a check's summary line adds."""
        return f"; sessions land on {self.model}" if self.model is not None else ""


def walk(candidates: Sequence[str], answers: Callable[[str], bool]) -> Landing:
    """Ask the candidates in the client's order, stopping at the first that answers, as the
    client does (so no model after it is called, or billed)."""
    refused: list[str] = []
    for candidate in candidates:
        if answers(candidate):
            return Landing(tuple(refused), candidate)
        refused.append(candidate)
    return Landing(tuple(refused), None)


def client_named(config: ResolvedConfig) -> str:
    version = config.claude_version
    return f"Claude Code {'.'.join(map(str, version)) if version else config.facts.version_text}"


def judged(config: ResolvedConfig, refusal: Problem, landing: Landing, variable: str) -> Problem:
    """The main model's refusal, restated with what the fallback makes of it."""
    client = client_named(config)
    if landing.model is None:
        return Problem(
            refusal.status,
            f"{refusal.message}; {client} then falls back to "
            f"{', '.join(landing.refused)}, and none of them answers either",
            refusal.fix,
        )
    skipped = f" (after {', '.join(landing.refused)}, refused too)" if landing.refused else ""
    earlier = refusal.fix
    return Problem(
        Status.WARN,
        f"{refusal.message}; {client} falls back to {landing.model}{skipped}, which answers: "
        f"sessions run on {landing.model}, not on the built-in default",
        Fix(
            (earlier.text + " " if earlier is not None else "")
            + f"Or choose the model sessions land on now, so the choice is yours: "
            f"{variable}={landing.model}.",
            (
                *(earlier.commands if earlier is not None else ()),
                f"export {variable}={landing.model}",
            ),
        ),
    )
