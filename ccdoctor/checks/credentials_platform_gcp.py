"""credentials.platform_gcp — the Application Default Credentials Claude Code mints
its bearer token from for Claude Platform on Google Cloud."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, passed
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.spec import check


@check(
    id="credentials.platform_gcp",
    title="Claude Platform on Google Cloud credentials",
    category=Category.CREDENTIALS,
    description="Which Application Default Credentials Claude Code mints its Google Cloud token "
    "from for Claude Platform on Google Cloud, and whether they can work.",
    explain=f"""
With CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD, Claude Code sends `Authorization: Bearer` with a
token for {known.GC_SCOPE}, minted from Google's Application Default Credentials (the
GOOGLE_APPLICATION_CREDENTIALS file, gcloud's application-default file, or the metadata server);
an API key is not accepted on this route. Under {known.GC_SKIP_AUTH_VARIABLE} it sends none (a
gateway adds it). Observed on 2.1.332: a GOOGLE_APPLICATION_CREDENTIALS file that does not exist
stops the client with "Could not load Google Cloud credentials · The file at … does not exist". A
403 from Google usually means the principal lacks {known.GC_ROLE} in the project. Secrets never
appear in the report.
""",
    # The client refuses a bad endpoint or a missing workspace before it looks for credentials
    # (observed), so a failure there is the one to name.
    needs=("region.platform_gcp",),
    providers=[Provider.ANTHROPIC_GOOGLE_CLOUD],
)
def anthropic_google_cloud_credentials_check(ctx: CheckContext) -> Outcome:
    if ctx.config.truthy(known.GC_SKIP_AUTH_VARIABLE):
        return passed(
            f"none sent: {known.GC_SKIP_AUTH_VARIABLE} leaves the credential to a gateway",
            source="skipped",
        )
    # Imported here: only a run on this route pays for loading google-auth's neighbours.
    from ccdoctor.providers.vertex.credentials import find_gcp_credentials

    found = find_gcp_credentials(ctx.config, ctx.redactor, vertex=False)
    return Outcome.from_problems(found.problems, found.summary, dict(found.details))
