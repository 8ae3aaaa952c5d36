"""region.platform_gcp — the Claude Platform on Google Cloud endpoint Claude Code
builds from a project, location and workspace, each a bare path segment."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.spec import check


@check(
    id="region.platform_gcp",
    title="Claude Platform on Google Cloud endpoint",
    category=Category.REGION,
    description="The Claude Platform on Google Cloud endpoint Claude Code builds: project, "
    "location and workspace present and made of letters, digits, '_' and '-' only.",
    explain=f"""
With CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD (Claude Code 2.1.307 and later), the client calls
https://{known.GC_HOST}/v1/projects/{{project}}/locations/{{location}}/workspaces/{{workspace}}/invoke/v1/messages.
The project comes from {" then ".join(known.GC_PROJECT_VARIABLES)}, then the Application Default
Credentials; the location from {known.GC_LOCATION_VARIABLE} (default {known.GC_DEFAULT_LOCATION});
the workspace from {known.GC_WORKSPACE_VARIABLE}, which is required. {known.GC_BASE_URL_VARIABLE}
replaces that whole URL (a gateway), and then neither project nor workspace is needed. Observed on
2.1.332: any of the three variables holding another character than a letter, a digit, '_' or '-'
stops the client before any request, base URL or not; so do a missing workspace and a missing
project. 2.1.197 does not know the route: it ignores the flag.
""",
    providers=[Provider.ANTHROPIC_GOOGLE_CLOUD],
)
def anthropic_google_cloud_region_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.claude_platform.endpoint import (
        gc_endpoint,
        gc_location,
        gc_problems,
        gc_project,
    )

    config = ctx.config
    endpoint = gc_endpoint(config)
    project = gc_project(config)
    location, location_from = gc_location(config)
    details = {
        "endpoint": endpoint.base if endpoint else None,
        "project": project[0] if project else None,
        "project_from": project[1] if project else "Application Default Credentials",
        "location": location,
        "location_from": location_from,
        "workspace": (config.get(known.GC_WORKSPACE_VARIABLE) or "").strip() or None,
    }
    ok = (
        f"requests go to {endpoint.base}/v1/messages ({endpoint.source})"
        if endpoint
        else f"location {location}; project from your Application Default Credentials"
    )
    return Outcome.from_problems(gc_problems(config), ok, details)
