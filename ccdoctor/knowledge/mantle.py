"""Bedrock Mantle as Claude Code reaches it (observed on 2.1.332 and 2.1.197 against a recording
fake; tests/facts/mantle_gateway.md): its variables, the endpoint it builds, the regions that
serve it and the client's own words when a request fails."""

from __future__ import annotations

BASE_URL_VARIABLE = "ANTHROPIC_BEDROCK_MANTLE_BASE_URL"
SKIP_AUTH_VARIABLE = "CLAUDE_CODE_SKIP_MANTLE_AUTH"
API_KEY_VARIABLE = "AWS_BEARER_TOKEN_BEDROCK"
"""A Bedrock API key: sent as `Authorization: Bearer`, with no SigV4 signature (observed)."""
SIGV4_SERVICE = "bedrock-mantle"
"""The SigV4 service name in the client's credential scope (observed)."""
MESSAGES_PATH = "/v1/messages?beta=true"
"""Appended to the base URL as given, or to the built endpoint (observed)."""
REGION_DEFAULT = "us-east-1"
"""Observed: the region comes from AWS_REGION, AWS_DEFAULT_REGION, then the AWS profile's
`region`, as on Bedrock, and without any of them the client signs for and calls us-east-1."""


def url(region: str) -> str:
    """The endpoint the client builds without a base URL (seen as its CONNECT through a proxy)."""
    return f"https://{SIGV4_SERVICE}.{region}.api.aws/anthropic"


REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "ca-west-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-north-1",
        "eu-central-1",
        "eu-central-2",
        "eu-south-1",
        "eu-south-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "af-south-1",
        "il-central-1",
        "me-central-1",
        "sa-east-1",
    }
)
"""The regions of the "Claude in Amazon Bedrock" table (the Messages API on bedrock-mantle;
/work/shared/reference/providers.md A1.2, mirror of 2026-08). AWS adds regions: one outside
the list is a warning, never a failure."""

AUTH_FAILED = (
    "AWS authentication failed · refresh your AWS credentials (SSO sign-in, access keys, API key "
    "or proxy token) and retry · if credentials are current, check AWS permissions and model "
    "access"
)
"""What 2.1.332 prints when every request is answered 401/403."""
NOT_AVAILABLE = (
    "The model {model} is not available on your mantle deployment. Try --model to switch to "
    "{other}, or ask your admin to enable this model."
)
"""What both clients print when the model is answered 404 not_found_error: {other} is the next
model of the fallback chain (2.1.332), or the small/fast model where there is no chain (2.1.197),
as observed."""
