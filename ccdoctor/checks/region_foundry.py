"""region.foundry — the Foundry endpoint Claude Code builds from ANTHROPIC_FOUNDRY_RESOURCE or
ANTHROPIC_FOUNDRY_BASE_URL: a resource name it accepts, one of the two only, and the /anthropic
path Azure serves Claude under."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, skipped
from ccdoctor.knowledge import foundry
from ccdoctor.spec import check


@check(
    id="region.foundry",
    title="Foundry resource",
    category=Category.REGION,
    description="The Foundry endpoint Claude Code builds: a resource name it accepts, not both "
    "resource and base URL, and Azure's /anthropic path.",
    explain=f"""
Claude Code calls {{base}}/v1/messages, where the base is {foundry.BASE_URL_VARIABLE} exactly as
given (nothing is appended), or https://{{resource}}.services.ai.azure.com/anthropic built from
{foundry.RESOURCE_VARIABLE}. Observed on 2.1.332: a resource name that is not 2-64 letters, digits
and hyphens (a URL, a host name) stops the client before any request; both variables set stops it
with "{foundry.BOTH_SET_REFUSED}"; neither set stops it too (proxy.config reports that). A base URL
on Azure's own host without the /anthropic path reaches the resource but not Claude: "404 Resource
not found", then the client walks its model fallback and ends with "There's an issue with the
selected model". A base URL elsewhere is a gateway in front of Foundry; models.foundry proves its
path with the request itself.
""",
    providers=[Provider.FOUNDRY],
)
def foundry_region_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.providers.foundry.endpoint import endpoint_problems, foundry_endpoint

    problems = endpoint_problems(ctx.config)
    found = foundry_endpoint(ctx.config)
    if not problems and found is None:
        return skipped(
            f"neither {foundry.RESOURCE_VARIABLE} nor {foundry.BASE_URL_VARIABLE} is usable "
            "(see proxy.config)"
        )
    details = {"endpoint": found.base if found else None, "variable": found and found.variable}
    ok = ""
    if found is not None:
        where = "resource" if found.own_host else "gateway in front of Foundry"
        ok = f"{found.variable}: requests go to {found.base}/v1/messages ({where})"
    return Outcome.from_problems(problems, ok, details)
