"""models.foundry — the Foundry resource has a deployment for each model Claude Code asks for,
and answers the client's request for it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ccdoctor.config.mid_session import mid_session_note
from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ModelChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status, skipped
from ccdoctor.knowledge import foundry
from ccdoctor.spec import Cost, check

if TYPE_CHECKING:
    from ccdoctor.providers.foundry import live


@check(
    id="models.foundry",
    title="Foundry deployments",
    category=Category.MODELS,
    description="The Foundry resource has a deployment for the main and the small/fast model and "
    "answers the client's request (streaming, max_tokens 1; billed, a few tokens).",
    explain=f"""
On Foundry the model ID Claude Code sends is the name of a deployment in the resource:
claude-sonnet-5-5 by default on 2.1.332 (claude-sonnet-4-5 on 2.1.197), or ANTHROPIC_MODEL and
the ANTHROPIC_DEFAULT_*_MODEL variables. A name the resource has no deployment of is answered
with Azure's 404 "{foundry.DEPLOYMENT_NOT_FOUND}"; 2.1.332 then tries the next models of its
fallback chain in the same run (claude-sonnet-5, claude-sonnet-4-6) and fails with "There's an
issue with the selected model" when none is deployed.

This check sends the client's request with max_tokens 1 for the main and the small/fast model
(a fraction of a cent). With --no-invoke it sends the free call instead: the same request with an
empty conversation, which Azure routes to the deployment before the model refuses the body, so a
missing deployment still shows; quota, billing and streaming then stay unproven. It classifies
the answer: deployment missing (with the fallback's landing), credential refused, no Foundry API
at the base URL (with the /anthropic path that does answer), 429 and 529 (transient: warnings).
The main model missing is a failure, the small/fast one a warning.
""",
    needs=("proxy.config", "proxy.reachable", "credentials.foundry", "region.foundry"),
    providers=[Provider.FOUNDRY],
    network=True,
    cost=Cost.BILLED_CALL,
)
def foundry_models_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.foundry import live

    found = live.target(ctx)
    if isinstance(found, str):
        return skipped(found)
    config = ctx.config
    roles = [*config.models_asked, *config.session_models]
    problems: list[Problem] = []
    details: dict[str, Any] = {
        "endpoint": found.endpoint.base,
        "free_calls_only": ctx.options.no_invoke,
    }
    for model in roles:
        problem, info = _prove(ctx, found, model)
        details[model.role] = info
        if problem is not None:
            problems.append(problem)
    names = " and ".join(m.model_id for m in roles if not m.mid_session)
    host = _host(found.endpoint.base)
    if ctx.options.no_invoke:
        ok = (
            f"{host} has deployments for {names} (free call; unproven with --no-invoke: quota, "
            "billing and streaming)"
        )
    else:
        ok = f"{host} serves {names}"
    if further := [m for m in roles if m.mid_session]:
        known = ", ".join(f"{m.model_id} ({m.variable})" for m in further)
        ok += f"; it has deployments for {known} for mid-session use (free call)"
    return Outcome.from_problems(problems, ok, details)


def _host(base: str) -> str:
    return base.split("://", 1)[-1].split("/", 1)[0]


def _ask(ctx: CheckContext, found: live.Target, model: str, free: bool = False) -> live.Reading:
    from ccdoctor.providers.foundry import live

    if free or ctx.options.no_invoke:
        return live.free_call(ctx, found, model)
    return live.invoke(ctx, found, model)


def _prove(
    ctx: CheckContext, found: live.Target, model: ModelChoice
) -> tuple[Problem | None, dict[str, Any]]:
    from ccdoctor.providers.foundry import advice, live
    from ccdoctor.wire import fallback

    # A model asked only mid-session gets the free call: no billed request for it.
    reading = _ask(ctx, found, model.model_id, free=model.mid_session)
    info: dict[str, Any] = {
        "model": model.model_id,
        "request": reading.url,
        "status": reading.status,
        "verdict": reading.verdict.value,
    }
    if reading.verdict is live.Verdict.OK:
        return None, info
    severity, role = model.refusal_status, model.label
    host = _host(found.endpoint.base)
    said = f"HTTP {reading.status} {reading.server_says}".strip()
    if reading.failure is not None:
        return Problem(severity, f"{role} {model.model_id}: {host}: {reading.server_says}"), info
    info["server_says"] = reading.server_says
    if reading.verdict is live.Verdict.NOT_DEPLOYED:
        problem = Problem(
            severity,
            f"{role}: {host} has no deployment named {model.model_id} ({said})"
            + mid_session_note(model),
            _deploy_fix(ctx.config, model),
        )
        if model.role == "main":
            landing = fallback.walk(
                ctx.config.fallback_models(),
                lambda m: _ask(ctx, found, m).verdict is live.Verdict.OK,
            )
            if landing.refused or landing.model is not None:
                info["fallback"] = landing.details()
                problem = fallback.judged(ctx.config, problem, landing, "ANTHROPIC_MODEL")
        return problem, info
    if reading.verdict is live.Verdict.AUTH_REJECTED:
        message = f"{role} {model.model_id}: {host} rejects the {found.credential.described}"
        return Problem(severity, f"{message}: {said}", advice.rejected_fix(found.credential)), info
    if reading.verdict is live.Verdict.WRONG_PATH:
        return _wrong_path(ctx, found, model, severity, role, said), info
    if reading.verdict in (live.Verdict.RATE_LIMITED, live.Verdict.OVERLOADED):
        return Problem(
            Status.WARN, f"{role} {model.model_id}: {host} is busy right now ({said})"
        ), info
    return Problem(severity, f"{role} {model.model_id}: {host} refused the request ({said})"), info


def _deploy_fix(config: ResolvedConfig, model: ModelChoice) -> Fix:
    if model.mid_session:
        return removal_fix(
            config,
            f"Deploy {model.model_id} in the Foundry resource under that name, point "
            f"{model.variable} at a deployment the resource has, or remove it.",
            model.variable,
        )
    return Fix(
        f"Deploy {model.model_id} in the Foundry resource under that name (Foundry portal → "
        "Models + endpoints → Deploy model), or point Claude Code at a deployment the resource "
        "has.",
        ("export ANTHROPIC_MODEL=<deployment name>",),
    )


def _wrong_path(
    ctx: CheckContext,
    found: live.Target,
    model: ModelChoice,
    severity: Status,
    role: str,
    said: str,
) -> Problem:
    from ccdoctor.providers.foundry import live
    from ccdoctor.providers.foundry.endpoint import appended_api_path

    base = found.endpoint.base
    message = f"{role} {model.model_id}: no Foundry API at {base} ({said})"
    variable = found.endpoint.variable
    better = appended_api_path(base)
    if not base.endswith(foundry.API_PATH):
        moved = live.probe_base(ctx, found, better, model.model_id)
        if moved.failure is None and moved.verdict is not live.Verdict.WRONG_PATH:
            return Problem(
                severity,
                f"{message}; {better} answers: the base URL lacks {foundry.API_PATH}",
                Fix(
                    f"Add {foundry.API_PATH} to {variable}: the client appends only /v1/messages.",
                    (f"export {variable}={better}",),
                    json.dumps({"env": {variable: better}}),
                ),
            )
    return Problem(
        severity,
        message,
        Fix(
            f"Set {variable} to the URL whose /v1/messages is the Foundry Messages API: "
            f"https://<resource>.services.ai.azure.com{foundry.API_PATH}, or your gateway's "
            "equivalent.",
            (f"export {variable}=https://<resource>.services.ai.azure.com{foundry.API_PATH}",),
        ),
    )
