"""models.mantle — Bedrock Mantle answers the client's own request for the main and the
small/fast model, signed as the client signs it."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.knowledge import mantle as known
from ccdoctor.spec import Cost, check


@check(
    id="models.mantle",
    title="Mantle models",
    category=Category.MODELS,
    description="Bedrock Mantle answers the client's request for the main and the small/fast "
    "model, signed as the client signs it (streaming, max_tokens 1; billed, a few tokens).",
    explain=f"""
Claude Code posts its Messages request to {{base}}{known.MESSAGES_PATH} with the Mantle model ID
(anthropic.claude-…), signed with SigV4 for {known.SIGV4_SERVICE}, or with
{known.API_KEY_VARIABLE} as a bearer, or unsigned under {known.SKIP_AUTH_VARIABLE}. Observed on
2.1.332 and 2.1.197: a model answered 404 ends in "The model … is not available on your mantle
deployment. Try --model to switch to …"; a 401/403 ends in "AWS authentication failed"
(2.1.332). 2.1.332's start-up probe first walks its chain (Opus 5.5, 5, 4.8, 4.7) for the
built-in main model or the `opus` alias and runs on the first one that answers, with a warning;
CLAUDE_CODE_NO_MODEL_FALLBACK does not stop it there, a full model ID pinned and
{known.SKIP_AUTH_VARIABLE} (no probe) do. 2.1.197 has no fallback.

Mantle has no free call the client makes, so this check sends the client's request with
max_tokens 1 (a fraction of a cent); --no-invoke sends nothing. The main model refused is a
failure, the small/fast one a warning (a one-shot run does not ask it).
""",
    needs=("proxy.config", "proxy.reachable", "region.mantle", "credentials.mantle"),
    providers=[Provider.MANTLE],
    network=True,
    cost=Cost.BILLED_CALL,
)
def mantle_models_check(ctx: CheckContext) -> Outcome:
    # Imported here: only a Mantle run pays for loading the AWS code.
    from ccdoctor.providers.bedrock.mantle import models_outcome

    return models_outcome(ctx)
