"""Regions: which exist, which serve Claude, and how the client turns a region into a prefix."""

from __future__ import annotations

import re

REGION_SHAPE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")
"""An AWS region. The client skips values that are not shaped like one (2.1.232+)."""

VERTEX_LOCATION_SHAPE = re.compile(r"^(?:global|us|eu|[a-z]+-[a-z]+\d+)$")

BEDROCK_REGIONS = frozenset(
    {
        "af-south-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
        "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
        "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "us-gov-east-1", "us-gov-west-1",
    }
)  # fmt: skip
"""Regions where botocore knows a Bedrock endpoint (botocore endpoints.json, 2026-11)."""

BEDROCK_CLAUDE_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-central-1", "eu-central-2",
        "eu-south-1", "eu-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "af-south-1", "il-central-1", "me-central-1", "sa-east-1",
        "us-gov-east-1", "us-gov-west-1",
    }
)  # fmt: skip
"""Regions documented to serve Claude on Bedrock (platform docs, 2026-08)."""

BEDROCK_DEFAULT_REGION = "us-east-1"
BEDROCK_PREFIXES = ("us", "eu", "apac", "jp", "au", "global", "us-gov")
REGION_PREFIX_SETTING_VALUES = frozenset({"us", "eu", "apac", "jp", "au", "global"})
"""Values `ANTHROPIC_BEDROCK_REGION_PREFIX` accepts; anything else falls back to the region's."""


def bedrock_prefix_for_region(region: str) -> str:
    """The inference-profile prefix Claude Code prefers for a region."""
    if region.startswith("us-gov-"):
        return "us-gov"
    for start, prefix in (("us-", "us"), ("eu-", "eu"), ("ap-", "apac")):
        if region.startswith(start):
            return prefix
    return "global"


VERTEX_DEFAULT_REGION = "us-east5"
VERTEX_CLAUDE_LOCATIONS = frozenset(
    {
        "global", "us", "eu", "us-east5", "us-central1", "europe-west1", "europe-west4",
        "asia-southeast1", "asia-east1",
    }
)  # fmt: skip
"""Locations seen serving Claude (availability differs per model; probes are the truth)."""


def vertex_host(location: str) -> str:
    """The host the client builds for a Vertex location."""
    if location == "global":
        return "aiplatform.googleapis.com"
    if location in ("us", "eu"):
        return f"aiplatform.{location}.rep.googleapis.com"
    return f"{location}-aiplatform.googleapis.com"


REGION_FROM_AWS_FILES_SINCE = (2, 1, 172)
"""Older clients read the region only from AWS_REGION/AWS_DEFAULT_REGION, never ~/.aws files."""
REGION_PREFIX_SETTING_SINCE = (2, 1, 224)
"""`ANTHROPIC_BEDROCK_REGION_PREFIX` exists from this version on."""
GOVCLOUD_PREFIX = "us-gov"
"""In GovCloud the client ignores `ANTHROPIC_BEDROCK_REGION_PREFIX`."""

PROFILE_SOURCE_REGIONS: dict[str, frozenset[str]] = {
    "us": frozenset({"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1"}),
    "eu": frozenset(
        {
            "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
            "eu-west-1", "eu-west-2", "eu-west-3",
        }
    ),
    "apac": frozenset(
        {
            "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
            "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
            "ap-southeast-5", "ap-southeast-7", "ap-east-2", "me-central-1",
        }
    ),
    "jp": frozenset({"ap-northeast-1", "ap-northeast-3"}),
    "au": frozenset({"ap-southeast-2", "ap-southeast-4"}),
    "us-gov": frozenset({"us-gov-east-1", "us-gov-west-1"}),
}  # fmt: skip
"""Regions a geographic inference profile can be called from (providers.md §A1.3; the widest
set seen for any model, so a region outside it is wrong for every model). `global.` profiles are
callable from every commercial region."""


def profile_callable_from(prefix: str, region: str) -> bool | None:
    """Whether a `<prefix>.` inference profile can exist in `region`; None when unknown."""
    if region not in BEDROCK_REGIONS:
        return None
    if prefix == "global":
        return not region.startswith("us-gov-")
    sources = PROFILE_SOURCE_REGIONS.get(prefix)
    return None if sources is None else region in sources


APPLICATION_BOUND_ARN_KINDS = frozenset({"application-inference-profile", "provisioned-model"})
"""ARN kinds whose InvokeModel must go to the ARN's own region (providers.md §A2.2)."""

VERTEX_MULTI_REGION_LOCATIONS = frozenset({"global", "us", "eu"})
VERTEX_NONEXISTENT_GLOBAL_HOST = "global-aiplatform.googleapis.com"
"""Built by analogy with `{region}-aiplatform…`; it does not exist (the global host has no
prefix)."""
VERTEX_LAST_REGIONAL_GENERATION = (4, 6)
"""Regional Vertex endpoints serve Opus/Sonnet up to 4.6; newer ones (and Fable) are served only
on global and the us/eu multi-regions (providers.md §B1)."""
_VERTEX_MODEL_GENERATION = re.compile(
    r"^claude-(opus|sonnet|haiku|fable)-(\d+)(?:-(\d{1,2}))?(?!\d)"
)


def vertex_regional_unavailable(model_id: str) -> bool:
    """True for models that regional Vertex locations do not serve."""
    match = _VERTEX_MODEL_GENERATION.match(model_id.strip().lower())
    if match is None:
        return False
    family, major, minor = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if family == "fable":
        return True
    return family in ("opus", "sonnet") and (major, minor) > VERTEX_LAST_REGIONAL_GENERATION
