"""models.platform_aws — Claude Platform on AWS answers the client's own request for the main
and the small/fast model."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.providers.claude_platform.models import models_outcome
from ccdoctor.spec import Cost, check


@check(
    id="models.platform_aws",
    title="Claude Platform on AWS models",
    category=Category.MODELS,
    description="Claude Platform on AWS answers the client's request for the main and the "
    "small/fast model (streaming, max_tokens 1; billed, a few tokens).",
    explain=f"""
Claude Code posts its Messages request to {{base}}{known.MESSAGES_PATH} on both Claude Platform
routes, with `{known.WORKSPACE_HEADER}` on AWS. Observed on 2.1.332 (and 2.1.197 on AWS): a model
the workspace does not serve is answered 404, and the client, which has no model fallback on these
routes, ends with "There's an issue with the selected model". A 401 or 403 ends in "AWS
authentication failed" or "Google Cloud authentication failed" (on Google Cloud the principal
usually lacks {known.GC_ROLE}).

This check sends the client's request with max_tokens 1 for the main and the small/fast model (a
fraction of a cent) with the API key or, under skip-auth, no credential. It does not yet sign
SigV4 requests nor mint the Google token: then it says what stayed unproven. --no-invoke sends
nothing. The main model refused is a failure, the small/fast one a warning (a one-shot run does not
ask it).
""",
    needs=("proxy.config", "proxy.reachable", "region.platform_aws", "credentials.platform_aws"),
    providers=[Provider.ANTHROPIC_AWS],
    network=True,
    cost=Cost.BILLED_CALL,
)
def platform_aws_models_check(ctx: CheckContext) -> Outcome:
    return models_outcome(ctx)
