"""models.platform_gcp — Claude Platform on Google Cloud answers the client's own request for
the main and the small/fast model."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.knowledge.claude_platform import MODELS_EXPLAIN
from ccdoctor.spec import Cost, check


@check(
    id="models.platform_gcp",
    title="Claude Platform on Google Cloud models",
    category=Category.MODELS,
    description="Claude Platform on Google Cloud answers the client's request for the main and "
    "the small/fast model (streaming, max_tokens 1; billed, a few tokens).",
    explain=MODELS_EXPLAIN,
    needs=("proxy.config", "proxy.reachable", "region.platform_gcp", "credentials.platform_gcp"),
    providers=[Provider.ANTHROPIC_GOOGLE_CLOUD],
    network=True,
    cost=Cost.BILLED_CALL,
)
def platform_gcp_models_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.claude_platform.models import models_outcome
    from ccdoctor.providers.vertex.credentials import bearer_signer

    return models_outcome(ctx, google=lambda: bearer_signer(ctx, "credentials.platform_gcp"))
