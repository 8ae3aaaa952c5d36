"""region.bedrock — which AWS region each model is called in, and whether the models fit it: by
the region's geography offline, by the client's own ListInferenceProfiles call online."""

from __future__ import annotations

from typing import Any

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.spec import Cost, check


@check(
    id="region.bedrock",
    title="Bedrock region",
    category=Category.REGION,
    description="The AWS region each model is called in, where it came from, and whether the "
    "inference profiles the client will send exist there (listed live unless --offline).",
    providers=[Provider.BEDROCK],
    cost=Cost.FREE_CALL,
    explain="""
Claude Code takes the region from AWS_REGION, then AWS_DEFAULT_REGION, then the active profile's
region in ~/.aws/credentials and ~/.aws/config (2.1.172+), else us-east-1. Values not shaped like
a region are skipped. The small/fast model can use ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION, but only
when ANTHROPIC_DEFAULT_HAIKU_MODEL pins it.

A cross-region inference profile (us., eu., apac., jp., au., global.) is a resource of the region
you call: a us. profile called in eu-west-1 does not exist ("The provided model identifier is
invalid"). An application-inference-profile or provisioned-model ARN must be called in the ARN's
own region. ANTHROPIC_BEDROCK_REGION_PREFIX changes the prefix of built-in models, and accepts
only us, eu, apac, jp, au, global.

Unless --offline, the check then makes the client's own start-up call, ListInferenceProfiles
(type SYSTEM_DEFINED) in each region a model is called in (through ANTHROPIC_BEDROCK_BASE_URL when
set), and looks for the exact profile the client will send. When it is missing it names the
prefixes that do offer the model there. A denied listing is a warning: the client then applies
its prefix blindly.

Typical fixes: export AWS_REGION explicitly; use the profile prefix of your region (or set
ANTHROPIC_BEDROCK_REGION_PREFIX); call the ARN's region; pin ANTHROPIC_DEFAULT_HAIKU_MODEL next
to ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION; grant bedrock:ListInferenceProfiles.
""",
)
def region_bedrock_check(ctx: CheckContext) -> Outcome:
    # Imported here, not at the top: only a Bedrock run pays for loading the provider's code.
    from ccdoctor.providers.bedrock.regions import (
        call_regions,
        judge_live_profiles,
        region_problems,
        region_summary,
    )

    config = ctx.config
    targets = call_regions(config)
    details: dict[str, Any] = {
        "region": config.bedrock_region.value,
        "origin": config.bedrock_region.origin,
        "skipped": [{"where": w, "value": v} for w, v in config.bedrock_region.skipped],
        "profile_prefix": config.bedrock_prefix,
        "models": [
            {"role": t.role, "model": t.model.model_id, "region": t.region, "origin": t.origin}
            for t in targets
        ],
    }
    summary = region_summary(config, targets)
    if ctx.options.offline:
        return Outcome.from_problems(region_problems(config), summary, details)
    judged = judge_live_profiles(ctx, targets)
    details["live"] = judged.notes
    problems = [*region_problems(config, judged.pairs), *judged.problems]
    return Outcome.from_problems(problems, summary + judged.summary, details)
