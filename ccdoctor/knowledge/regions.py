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
