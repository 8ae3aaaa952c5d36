"""region.mantle — the Bedrock Mantle endpoint and region Claude Code builds."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome
from ccdoctor.knowledge import mantle as known
from ccdoctor.spec import check


@check(
    id="region.mantle",
    title="Mantle endpoint and region",
    category=Category.REGION,
    description="The Bedrock Mantle endpoint Claude Code sends to and the AWS region it signs "
    "for, and whether that region is known to serve Claude on Mantle.",
    explain=f"""
With CLAUDE_CODE_USE_MANTLE, Claude Code posts to {{base}}{known.MESSAGES_PATH}, where the base is
{known.BASE_URL_VARIABLE} as given, or {known.url("{region}")}. The region, for the host and
the SigV4 scope alike, comes from AWS_REGION, then AWS_DEFAULT_REGION, then the `region` of the
AWS profile, else {known.REGION_DEFAULT} — no region is no failure (observed on 2.1.332 and
2.1.197, the host as the client's CONNECT through a proxy).

A region outside the published list of regions that serve Claude on Mantle is a warning: AWS adds
regions, and the request itself (models.mantle) is the proof.
""",
    providers=[Provider.MANTLE],
)
def mantle_region_check(ctx: CheckContext) -> Outcome:
    # Imported here: only a Mantle run pays for loading the AWS code.
    from ccdoctor.providers.bedrock.mantle import endpoint, region_problems

    found = endpoint(ctx.config)
    details = {
        "endpoint": found.base,
        "source": found.source,
        "region": found.region,
        "region_from": found.region_from,
    }
    ok = (
        f"requests go to {found.base}{known.MESSAGES_PATH.split('?')[0]} ({found.source}), "
        f"signed for {found.region} ({found.region_from})"
    )
    return Outcome.from_problems(region_problems(ctx.config), ok, details)
