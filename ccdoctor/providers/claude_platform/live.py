"""The request the Claude Platform models check makes: the client's own Messages request, with
the credential and workspace the client would send, and what the answer means."""

from __future__ import annotations

from dataclasses import dataclass

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.providers.claude_platform.endpoint import PlatformEndpoint, aws_endpoint, gc_endpoint
from ccdoctor.wire.compatible import ANTHROPIC_VERSION, Reading, post_messages


@dataclass(frozen=True)
class Target:
    endpoint: PlatformEndpoint
    headers: dict[str, str]


def target(ctx: CheckContext) -> Target | str:
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
        if not key:
            return "not proven: ccdoctor does not sign SigV4 requests for this route yet"
        return Target(aws_endpoint(config), {**headers, "x-api-key": key})
    endpoint = gc_endpoint(config)
    if endpoint is None:
        return "no usable Claude Platform on Google Cloud endpoint (see region.platform_gcp)"
    if not config.truthy(known.GC_SKIP_AUTH_VARIABLE):
        return "not proven: ccdoctor does not mint the Google token for this route yet"
    return Target(endpoint, headers)


def invoke(ctx: CheckContext, found: Target, model: str) -> Reading:
    return post_messages(ctx, found.endpoint.base + known.MESSAGES_PATH, found.headers, model)
