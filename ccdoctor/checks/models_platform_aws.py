"""models.platform_aws — Claude Platform on AWS answers the client's own request for the main
and the small/fast model."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.knowledge.claude_platform import MODELS_EXPLAIN
from ccdoctor.spec import Cost, check


@check(
    id="models.platform_aws",
    title="Claude Platform on AWS models",
    category=Category.MODELS,
    description="Claude Platform on AWS answers the client's request for the main and the "
    "small/fast model (streaming, max_tokens 1; billed, a few tokens).",
    explain=MODELS_EXPLAIN,
    needs=("proxy.config", "proxy.reachable", "region.platform_aws", "credentials.platform_aws"),
    providers=[Provider.ANTHROPIC_AWS],
    network=True,
    cost=Cost.BILLED_CALL,
)
def platform_aws_models_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.bedrock.signing import chain_signer
    from ccdoctor.providers.claude_platform.models import models_outcome

    return models_outcome(
        ctx,
        lambda service, region: chain_signer(ctx, service, region, "credentials.platform_aws"),
    )
