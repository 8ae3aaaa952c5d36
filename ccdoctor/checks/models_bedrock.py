"""models.bedrock — Bedrock serves the exact models the client will send, in the region it sends
them to, proven by the client's own streaming call (or by free calls with --no-invoke)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ccdoctor.config.mid_session import mid_session_problem
from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, Problem, Status, skipped
from ccdoctor.spec import Cost, check

if TYPE_CHECKING:
    from ccdoctor.wire import fallback

_WITHOUT_THE_PIN = "the session then uses the model it would without the pin"


def _with_fallback(
    ctx: CheckContext, found: list[Problem], landing: fallback.Landing
) -> list[Problem]:
    """The main model's refusal, restated with where the client's fallback lands."""
    from ccdoctor.wire import fallback

    refusal = next((p for p in found if p.status is Status.FAIL), None)
    if refusal is None:
        return found
    rest = [p for p in found if p is not refusal]
    return [fallback.judged(ctx.config, refusal, landing, "ANTHROPIC_MODEL"), *rest]


@check(
    id="models.bedrock",
    title="Models served (Bedrock)",
    category=Category.MODELS,
    description="Bedrock serves the main and the small/fast model the client will send, in the "
    "region it sends them to: application profile, access, lifecycle, and the client's own "
    "streaming call (max_tokens 1; billed, a few tokens).",
    explain="""
For each model Claude Code will send (the main model, and the small/fast one in its own region
when ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION applies) this check:
- looks up an application inference profile ARN with GetInferenceProfile, as the client does, and
  checks it exists in that region and is ACTIVE;
- asks GetFoundationModelAvailability about the base model (Marketplace agreement, authorization
  by the use-case form, entitlement, region) and ListFoundationModels about its lifecycle (LEGACY
  models keep working only for accounts that used them recently);
- proves the main model with the client's own call, InvokeModelWithResponseStream with
  max_tokens 1 (about ten input tokens and one output token: a fraction of a cent), because
  throttling and a daily token quota of zero show only there. Whether the answer is an event
  stream the client can read is the gateway's doing, judged by proxy.conformance on this same call
  (made once); this check notes what came back. The small/fast model is checked with the free
  CountTokens call.

With --no-invoke only free calls are made (CountTokens, which some models do not support: its
validation errors prove nothing) and the report says what stayed unproven.

Every AWS error is classified by code, status and message: IAM, SCP or permissions-boundary
denial, Marketplace subscription not allowed, use-case form missing, model not enabled, base model
ID where an inference profile is required, invalid ID, end of life, Legacy, daily token quota,
throttling, geographic restriction, rejected or expired credentials, clock skew.

The main model not served is a failure. The small/fast model not served is a warning: background
tasks degrade, but a one-shot `claude -p` still works. CLAUDE_CODE_SUBAGENT_MODEL and the
sonnet/opus alias pins, sent only mid-session, get the same free calls as the small/fast model and
a warning naming the variable. A diagnostic call the client never makes
(availability, model list, CountTokens) that is denied or unreachable is "could not check",
never a failure.
""",
    needs=("credentials.aws", "region.bedrock", "proxy.reachable", "proxy.conformance"),
    providers=[Provider.BEDROCK],
    network=True,
    cost=Cost.BILLED_CALL,
)
def models_bedrock_check(ctx: CheckContext) -> Outcome:
    # Imported here, not at the top: only a Bedrock run pays for loading the provider's code.
    from ccdoctor.providers.bedrock import live as shared
    from ccdoctor.providers.bedrock.models import (
        fallback_landing,
        model_verdict,
        survey,
    )

    budget = shared.Budget(ctx, steps=3)
    state = shared.usable(ctx, budget)
    if not state.ok:
        return skipped(f"no live calls: {state.why}")
    targets, catalogues = survey(ctx, budget)
    problems: list[Problem] = []
    details: dict[str, Any] = {"free_calls_only": ctx.options.no_invoke}
    summaries: list[str] = []
    for target in targets:
        found, info, summary = model_verdict(ctx, target, catalogues.get(target.region))
        landing = fallback_landing(ctx, target, budget)
        if landing is not None:
            found = _with_fallback(ctx, found, landing)
            info["fallback"] = landing.details()
            summary += landing.summary
        problems.extend(
            mid_session_problem(ctx.config, target.model, p, _WITHOUT_THE_PIN) for p in found
        )
        details[target.role] = info
        summaries.append(summary)
    return Outcome.from_problems(problems, "; ".join(summaries), details)
