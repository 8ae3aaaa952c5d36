"""The models check of both Claude Platform routes: the client's own request for the main and
the small/fast model, and each refusal with its fix."""

from __future__ import annotations

from typing import Any

from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Fix, Outcome, Problem, Status, skipped
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.providers.claude_platform import live
from ccdoctor.wire.compatible import Verdict

_MODEL_REFUSED = (
    "There's an issue with the selected model ({model}). It may not exist or you may not have "
    "access to it."
)


def models_outcome(
    ctx: CheckContext,
    aws_chain: live.ChainSigner | None = None,
    google: live.TokenSigner | None = None,
) -> Outcome:
    """The verdict of models.platform_aws and models.platform_gcp alike."""
    if ctx.options.no_invoke:
        return skipped("not proven: no free call is known on this route (--no-invoke)")
    found = live.target(ctx, aws_chain, google)
    if isinstance(found, str):
        return skipped(found)
    config = ctx.config
    roles = config.models_asked
    problems: list[Problem] = []
    details: dict[str, Any] = {"endpoint": found.endpoint.base}
    for model in roles:
        problem, info = _prove(ctx, found, model)
        details[model.role] = info
        if problem is not None:
            problems.append(problem)
    names = " and ".join(m.model_id for m in roles)
    return Outcome.from_problems(problems, f"{found.endpoint.base} serves {names}", details)


def _prove(
    ctx: CheckContext, found: live.Target, model: ModelChoice
) -> tuple[Problem | None, dict[str, Any]]:
    reading = live.invoke(ctx, found, model.model_id)
    info: dict[str, Any] = {
        "model": model.model_id,
        "request": reading.url,
        "status": reading.status,
        "verdict": reading.verdict.value,
    }
    if reading.verdict is Verdict.OK:
        return None, info
    severity, role = model.refusal_status, model.label
    said = f"HTTP {reading.status} {reading.server_says}".strip()
    subject = f"{role} {model.model_id}"
    if reading.verdict is Verdict.NOT_SERVED:
        return Problem(
            severity,
            f"{subject} is not served ({said}): Claude Code ends with "
            f'"{_MODEL_REFUSED.format(model=model.model_id)}"',
            Fix(
                "Pick a model your workspace serves.",
                ("claude --model <model ID>", "export ANTHROPIC_MODEL=<model ID>"),
            ),
        ), info
    if reading.verdict is Verdict.AUTH_REJECTED:
        hint = (
            f"grant the principal {known.GC_ROLE} in the project"
            if ctx.config.provider.provider is Provider.ANTHROPIC_GOOGLE_CLOUD
            else f"check {known.AWS_API_KEY_VARIABLE} and the workspace's access"
        )
        return Problem(
            severity,
            f"{subject}: the credential is refused ({said})",
            Fix(f"Refresh the credential, then {hint}."),
        ), info
    if reading.verdict is Verdict.BUSY:
        return Problem(Status.WARN, f"{subject}: busy right now ({said})"), info
    return Problem(severity, f"{subject}: the request was refused ({said})"), info


"""What models.platform_aws and models.platform_gcp explain: one text for both routes."""
