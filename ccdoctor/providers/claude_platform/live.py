"""The request the Claude Platform models check makes: the client's own Messages request, with
the credential and workspace the client would send, and what the answer means."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.knowledge import claude_platform as known
from ccdoctor.net.client import HttpFailure
from ccdoctor.providers.claude_platform.endpoint import PlatformEndpoint, aws_endpoint, gc_endpoint
from ccdoctor.wire.messages import messages_body

ANTHROPIC_VERSION = "2023-06-01"


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


class Verdict(enum.StrEnum):
    OK = "ok"
    AUTH_REJECTED = "auth_rejected"
    NOT_SERVED = "not_served"
    BUSY = "busy"
    REFUSED = "refused"


@dataclass(frozen=True)
class Reading:
    url: str
    verdict: Verdict
    status: int | None
    server_says: str


def invoke(ctx: CheckContext, found: Target, model: str) -> Reading:
    return ctx.once(f"platform.invoke.{model}", lambda: _post(ctx, found, model))


def _post(ctx: CheckContext, found: Target, model: str) -> Reading:
    url = found.endpoint.base + known.MESSAGES_PATH
    answer = ctx.network.request(
        "POST", url, ctx.step_timeout(), found.headers, messages_body(model)
    )
    if isinstance(answer, HttpFailure):
        return Reading(url, Verdict.REFUSED, None, ctx.redactor.scrub(answer.detail))
    status = answer.status
    data = answer.json()
    error = data.get("error") if isinstance(data, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    said = " ".join(str(message or "").split())[:300] if status != 200 else ""
    if status == 200:
        verdict = Verdict.OK
    elif status in (401, 403):
        verdict = Verdict.AUTH_REJECTED
    elif status == 404:
        verdict = Verdict.NOT_SERVED
    elif status in (429, 529):
        verdict = Verdict.BUSY
    else:
        verdict = Verdict.REFUSED
    return Reading(url, verdict, status, ctx.redactor.scrub(said))
