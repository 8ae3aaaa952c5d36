"""The request the Claude Platform models check makes: the client's own Messages request, with
the credential and workspace the client would send, and what the answer means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.providers.claude_platform.endpoint import (
    PlatformEndpoint,
    aws_endpoint,
    aws_region,
    gc_endpoint,
)
from ccdoctor.wire.compatible import ANTHROPIC_VERSION, Reading, Signer, post_messages

ChainSigner = Callable[[str, str], Signer | str]
"""(SigV4 service, region) → a signer with the AWS chain's credentials, or why there is none.
The AWS chain is the Bedrock provider's: the check that calls this route hands it over."""

TokenSigner = Callable[[], Signer | str]
"""A signer adding the Google access token, or why there is none (the Vertex provider mints
it; the check hands it over)."""


@dataclass(frozen=True)
class Target:
    """Where the Claude Platform request goes and how: the endpoint, its headers, and the signer if
    it is signed."""

    endpoint: PlatformEndpoint
    headers: dict[str, str]
    sign: Signer | None = None


def target(
    ctx: CheckContext, aws_chain: ChainSigner | None = None, google: TokenSigner | None = None
) -> Target | str:
    """Where to send and what, or why this check cannot send what the client would."""
    config = ctx.config
    headers = {"anthropic-version": ANTHROPIC_VERSION}
    if config.provider.provider is Provider.ANTHROPIC_AWS:
        workspace = (config.get(known.AWS_WORKSPACE_VARIABLE) or "").strip()
        if workspace:
            headers[known.WORKSPACE_HEADER] = workspace
        if config.truthy(known.AWS_SKIP_AUTH_VARIABLE):
            return Target(aws_endpoint(config), headers)
        key = (config.get(known.AWS_API_KEY_VARIABLE) or "").strip()
        if key:
            return Target(aws_endpoint(config), {**headers, "x-api-key": key})
        if aws_chain is None:
            return "not proven: no AWS credential chain to sign with"
        # Without an API key the client signs with the chain, scoped to the region it builds the
        # endpoint from (us-east-1 with none set), also when a base URL is given.
        sign = aws_chain(known.AWS_SIGV4_SERVICE, aws_region(config)[0])
        if isinstance(sign, str):
            return sign
        return Target(aws_endpoint(config), headers, sign)
    endpoint = gc_endpoint(config)
    if endpoint is None:
        return "no usable Claude Platform on Google Cloud endpoint (see region.platform_gcp)"
    if config.truthy(known.GC_SKIP_AUTH_VARIABLE):
        return Target(endpoint, headers)
    if google is None:
        return "not proven: no Google token to send"
    sign = google()
    if isinstance(sign, str):
        return sign
    return Target(endpoint, headers, sign)


def invoke(ctx: CheckContext, found: Target, model: str) -> Reading:
    url = found.endpoint.base + known.MESSAGES_PATH
    return post_messages(ctx, url, found.headers, model, found.sign)
