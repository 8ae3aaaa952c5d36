"""models.vertex — Vertex AI serves the models the client will call, each in its location, for
the project the client puts in its request paths: proven with the client's own request."""

from __future__ import annotations

import dataclasses
from typing import Any

from ccdoctor.config.mid_session import mid_session_problem
from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, skipped
from ccdoctor.spec import Cost, check


@check(
    id="models.vertex",
    title="Vertex models served",
    category=Category.MODELS,
    description="Vertex AI answers the exact request Claude Code sends for the main and the "
    "small/fast model, each in its location and project (free token count, then "
    "streamRawPredict with max_tokens 1; billed, a few tokens).",
    explain="""
Claude Code posts each request to {host}/v1/projects/{project}/locations/{location}/publishers/
anthropic/models/{model}:streamRawPredict — the host built from the model's location (global →
aiplatform.googleapis.com, us/eu → aiplatform.{us,eu}.rep.googleapis.com, a region R →
R-aiplatform.googleapis.com) or ANTHROPIC_VERTEX_BASE_URL, the location from the model's
VERTEX_REGION_CLAUDE_* variable, else CLOUD_ML_REGION, else us-east5. It sends the Google token
from credentials.gcp (and x-goog-user-project for a quota project); under
CLAUDE_CODE_SKIP_VERTEX_AUTH it sends none and a gateway adds its own.

For the main and the small/fast model this check first makes the free token count
(…/models/count-tokens:rawPredict, the model in the body), then, for the main model, the client's
own streamRawPredict with max_tokens 1 (a few tokens, billed). Token counting has its own quota, so
only the real call can show an exhausted prediction quota; with --no-invoke the check keeps to the
free calls and says what stayed unproven.

When the main model is served only in another location, region.vertex fails and this check is
skipped (both make the same free token counts, each once per run). Each refusal is mapped to its
cause and fix: a model not served in that location (ccdoctor then asks, for free, which of global,
us, eu and us-east5 serve it and names the variable to set; served nowhere, it is Model Garden
access), Model Garden terms not accepted (400 FAILED_PRECONDITION), the Vertex AI API disabled (403
SERVICE_DISABLED, in the project or the quota project), a missing role (403 IAM_PERMISSION_DENIED
→ roles/aiplatform.user), a project ID that does not exist, billing off, an exhausted quota (429
RESOURCE_EXHAUSTED, which quota, in which location), a rejected beta, a gateway without the route.

The main model not served is a failure; the small/fast model not served is a warning: background
tasks degrade, but a one-shot `claude -p` still works (seen with the real client).
""",
    needs=("proxy.config", "proxy.reachable", "credentials.gcp", "region.vertex"),
    providers=[Provider.VERTEX],
    network=True,
    cost=Cost.BILLED_CALL,
)
def models_vertex_check(ctx: CheckContext) -> Outcome:
    # Imported here, not at the top: only a Vertex run pays for loading the provider's code.
    from ccdoctor.providers.vertex import wire as vertex
    from ccdoctor.providers.vertex.errors import (
        PROJECT_WIDE,
    )
    from ccdoctor.providers.vertex.live import (
        Budget,
        distinct_targets,
        vertex_caller,
        vertex_targets,
    )
    from ccdoctor.providers.vertex.models import (
        NETWORK_STEPS,
        ModelProof,
        fallback_landing,
        prove_model,
    )
    from ccdoctor.wire import fallback

    caller = vertex_caller(ctx)
    if isinstance(caller, str):
        return skipped(caller)
    budget = Budget.for_steps(ctx, NETWORK_STEPS)
    proofs: list[ModelProof] = []
    for target in distinct_targets(vertex_targets(ctx.config)):
        proof = prove_model(ctx, caller, target, budget)
        landing = fallback_landing(ctx, caller, target, proof, budget)
        if landing is not None and proof.problem is not None:
            problem = fallback.judged(ctx.config, proof.problem, landing, "ANTHROPIC_MODEL")
            info = {
                **proof.info,
                "fallback": {"refused": list(landing.refused), "lands_on": landing.model},
            }
            summary = proof.summary + (
                f"; sessions land on {landing.model}" if landing.model else ""
            )
            proof = dataclasses.replace(proof, problem=problem, info=info, summary=summary)
        if proof.problem is not None:
            proof = dataclasses.replace(
                proof, problem=mid_session_problem(ctx.config, target.model, proof.problem)
            )
        proofs.append(proof)
        if proof.problem is not None and proof.cause in PROJECT_WIDE:
            break  # every other model would be refused the same way
    details: dict[str, Any] = {
        "project": caller.project,
        "endpoint": caller.base or "Google's host for each location",
        "path_shape": vertex.PATH_SHAPE,
        "authorization_sent": caller.token is not None,
        "quota_project_header": caller.quota_project,
        "anthropic_beta": list(vertex.BETAS_SENT),
        "free_calls_only": ctx.options.no_invoke,
        "models": [p.info for p in proofs],
    }
    unproven = [text for p in proofs for text in p.unproven]
    if unproven:
        details["unproven"] = unproven
    ok = f"project {caller.project}: " + "; ".join(p.summary for p in proofs)
    if unproven:
        ok += "; unproven: " + "; ".join(unproven)
    return Outcome.from_problems((p.problem for p in proofs if p.problem is not None), ok, details)
