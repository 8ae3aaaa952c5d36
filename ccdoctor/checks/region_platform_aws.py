"""region.platform_aws — the Claude Platform on AWS endpoint Claude Code builds, and the
workspace ID it cannot start without."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.spec import check


@check(
    id="region.platform_aws",
    title="Claude Platform on AWS endpoint",
    category=Category.REGION,
    description="The Claude Platform on AWS endpoint and region Claude Code builds, and the "
    "workspace ID it sends with every request.",
    explain=f"""
With CLAUDE_CODE_USE_ANTHROPIC_AWS, Claude Code calls {{base}}/v1/messages, where the base is
{known.AWS_BASE_URL_VARIABLE} as given, or https://{known.AWS_SIGV4_SERVICE}.{{region}}.api.aws
with the region from AWS_REGION, then AWS_DEFAULT_REGION, else {known.AWS_DEFAULT_REGION}
(observed on 2.1.332; 2.1.197 has the route too). Every request carries
{known.AWS_WORKSPACE_VARIABLE} in the `{known.WORKSPACE_HEADER}` header; without it the client
stops before any request with "{known.AWS_WORKSPACE_MISSING}" — unless
{known.AWS_SKIP_AUTH_VARIABLE} leaves the credentials and the workspace to a gateway.
""",
    providers=[Provider.ANTHROPIC_AWS],
)
def anthropic_aws_region_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.claude_platform.endpoint import aws_endpoint, aws_problems, aws_region

    endpoint = aws_endpoint(ctx.config)
    region, origin = aws_region(ctx.config)
    workspace = (ctx.config.get(known.AWS_WORKSPACE_VARIABLE) or "").strip() or None
    details = {
        "endpoint": endpoint.base,
        "source": endpoint.source,
        "region": region,
        "region_from": origin,
        "workspace": workspace,
    }
    ok = f"requests go to {endpoint.base}/v1/messages ({endpoint.source})"
    if workspace:
        ok += f", workspace {workspace}"
    return Outcome.from_problems(aws_problems(ctx.config), ok, details)
