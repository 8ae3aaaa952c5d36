"""What the client does on the wire with Bedrock, and what ccdoctor sends to prove it works
(observed with Claude Code 2.1.197; providers.md §A3, §A5)."""

from __future__ import annotations

from datetime import timedelta

from ccdoctor.knowledge.routes import BEDROCK

BASE_URL_VARIABLE = BEDROCK.base_url_variable
SKIP_AUTH_VARIABLE = BEDROCK.skip_auth
BEARER_VARIABLE = "AWS_BEARER_TOKEN_BEDROCK"
CONTENT_TYPE_GUARD_VARIABLE = "CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_GUARD"
SMALL_MODEL_VARIABLE = "ANTHROPIC_DEFAULT_HAIKU_MODEL"
MAIN_MODEL_VARIABLE = "ANTHROPIC_MODEL"
PREFIX_VARIABLE = "ANTHROPIC_BEDROCK_REGION_PREFIX"
EXPORT_SETTING = "awsCredentialExport"
"""A command whose JSON output the client signs with, instead of the SDK chain's."""
EXPORT_ERROR = "CredentialExportError"
"""The code ccdoctor gives a failed awsCredentialExport run (AWS has none for it)."""

CONTROL_SERVICE = "bedrock"
RUNTIME_SERVICE = "bedrock-runtime"
RUNTIME_HOST = "bedrock-runtime.{region}.amazonaws.com"
"""The client builds this host itself from the region; it reads no AWS_ENDPOINT_URL_* for it."""

EVENT_STREAM = "application/vnd.amazon.eventstream"
CLIENT_CONTENT_TYPE_ERROR = (
    'Bedrock streaming response has content-type "{found}"; expected "' + EVENT_STREAM + '".'
)
"""What the client (2.1.208+) prints when a gateway re-encodes the stream; older ones print
"API Error: Truncated event message received"."""
CONTENT_TYPE_GUARD_SINCE = (2, 1, 208)
"""The first client that refuses a stream whose content type is not EVENT_STREAM."""
OLD_CLIENT_STREAM_ERROR = "API Error: Truncated event message received."
"""What a client without the guard prints for a re-encoded stream, when it cannot fall back."""
NONSTREAMING_FALLBACK_VARIABLE = "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK"
"""Set, a failed stream is final; unset, a client without the guard retries the turn as a plain
InvokeModel, which a re-encoding gateway passes through (observed with 2.1.197)."""


def refuses_mislabelled_stream(version: tuple[int, int, int] | None) -> bool:
    """Whether the client checks the stream's content type before reading it (assumed for an
    unknown version: the newest client's behaviour)."""
    return version is None or version >= CONTENT_TYPE_GUARD_SINCE


ANTHROPIC_VERSION = "bedrock-2023-05-31"
PROBE_PROMPT = "hi"


def probe_body(max_tokens: int = 1) -> dict[str, object]:
    """The smallest request the client's own call can be: about ten input tokens, one output."""
    return {
        "anthropic_version": ANTHROPIC_VERSION,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": PROBE_PROMPT}],
    }


SYSTEM_DEFINED = "SYSTEM_DEFINED"
LIST_PAGE_SIZE = 1000
LIST_MAX_PAGES = 10
ACTIVE = "ACTIVE"
LEGACY = "LEGACY"
ANTHROPIC_PROVIDER = "Anthropic"

MAX_CLOCK_SKEW = timedelta(minutes=5)
"""AWS rejects SigV4 signatures further off than this, and botocore does not correct for it."""
CLOCK_SKEW_WARNING = timedelta(minutes=2)

AGREEMENT_OK = frozenset({"AVAILABLE"})
AGREEMENT_PENDING = "PENDING"
AUTHORIZED = "AUTHORIZED"
AVAILABLE = "AVAILABLE"

CLIENT_CALLS = frozenset(
    {"ListInferenceProfiles", "GetInferenceProfile", "InvokeModelWithResponseStream"}
)
"""Calls the client makes itself: their failure is the client's failure."""
DIAGNOSTIC_CALLS = frozenset(
    {
        "GetCallerIdentity",
        "ListFoundationModels",
        "GetFoundationModel",
        "GetFoundationModelAvailability",
        "CountTokens",
    }
)
"""Calls only ccdoctor makes: denied or unreachable means "could not check", never a failure."""

INCONCLUSIVE_COUNT_TOKENS = frozenset(
    {"model_not_found", "validation", "invalid_model_id", "client_error", "on_demand_unsupported"}
)
"""CountTokens is not offered for every model (cross-region-only launches, say): these answers
say nothing about whether the client's own call works."""

RECOMMENDED_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowModelAndInferenceProfileAccess",
      "Effect": "Allow",
      "Action": [
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "bedrock:ListInferenceProfiles",
        "bedrock:GetInferenceProfile"
      ],
      "Resource": [
        "arn:aws:bedrock:*:*:inference-profile/*",
        "arn:aws:bedrock:*:*:application-inference-profile/*",
        "arn:aws:bedrock:*:*:foundation-model/*"
      ]
    },
    {
      "Sid": "AllowMarketplaceSubscription",
      "Effect": "Allow",
      "Action": ["aws-marketplace:ViewSubscriptions", "aws-marketplace:Subscribe"],
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:CalledViaLast": "bedrock.amazonaws.com"}}
    }
  ]
}"""
"""Claude Code's documented IAM policy (code.claude.com/docs/en/amazon-bedrock, 2026-08)."""
