"""A model the client asks for only mid-session (a subagent, the small/fast model, an alias pin):
its refusal never stops start-up, so the problem says what fails instead, and taking the pin away
is offered beside the fix."""

from __future__ import annotations

import dataclasses

from ccdoctor.config.removal import or_removal
from ccdoctor.config.view import ModelChoice, ResolvedConfig
from ccdoctor.core.results import Problem
from ccdoctor.knowledge import models as model_data


def mid_session_note(model: ModelChoice) -> str:
    """What a refusal of `model` costs, to append to its message; empty for a start-up model."""
    if not model.mid_session:
        return ""
    used_by = model_data.session_role(model.role).used_by
    return f"; Claude Code starts, but {used_by} will fail mid-session"


def mid_session_problem(
    config: ResolvedConfig, model: ModelChoice, problem: Problem, why: str = ""
) -> Problem:
    """`problem` restated for a model asked only mid-session, with removing its variable as the
    alternative fix (`why` says what the session does then); unchanged for a start-up model."""
    if not model.mid_session:
        return problem
    instead = f"Or remove {model.variable}: {why}." if why else f"Or remove {model.variable}."
    return dataclasses.replace(
        problem,
        message=problem.message + mid_session_note(model),
        fix=or_removal(config, problem.fix, instead, model.variable),
    )
