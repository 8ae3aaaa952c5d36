"""The requests the Foundry checks make, each once per run, and what Azure's answers mean.

The client posts the Anthropic Messages request to {base}/v1/messages?beta=true. Foundry has no
model listing and no token counting (the Foundry SDK the client uses has no `models` API), so the
free call is that same request with an empty conversation: Azure checks the path, the credential
and the deployment before the model refuses the body with 400, and no token is generated. The
billed call is the client's own request with max_tokens 1.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any

from ccdoctor.config.resolve import env_string
from ccdoctor.context import CheckContext
from ccdoctor.knowledge import foundry
from ccdoctor.net.client import HttpAnswer, HttpFailure
from ccdoctor.providers.foundry import entra
from ccdoctor.providers.foundry.credentials import (
    ChainSources,
    FoundryCredential,
    Kind,
    azure_identity_installed,
    chain_sources,
    foundry_credential,
)
from ccdoctor.providers.foundry.endpoint import FoundryEndpoint, foundry_endpoint
from ccdoctor.wire.messages import messages_body

ANTHROPIC_VERSION = "2023-06-01"


def sources(ctx: CheckContext) -> ChainSources:
    """What the chain could use here, once per run: online, a managed identity behind
    AZURE_POD_IDENTITY_AUTHORITY_HOST counts only when that metadata service answers."""
    return ctx.once("foundry.sources", lambda: _sources(ctx))


def _sources(ctx: CheckContext) -> ChainSources:
    found = chain_sources(ctx.config)
    if found.imds_host is None or ctx.options.offline:
        return found
    url = found.imds_host + foundry.IMDS_TOKEN_PATH
    answer = ctx.network.request("GET", url, ctx.step_timeout(), {"Metadata": "true"})
    managed = f"{foundry.IMDS_HOST_VARIABLE} answers" if isinstance(answer, HttpAnswer) else None
    return dataclasses.replace(found, managed_identity=managed, imds_host=None)


def minted(ctx: CheckContext) -> entra.Minted | entra.NotMinted | None:
    """The chain's token, asked once per run; None when azure-identity is not installed.
    The chain reads the effective environment, and reaches a managed identity only when
    `sources` says one can answer here."""
    if not azure_identity_installed():
        return None

    def ask() -> entra.Minted | entra.NotMinted:
        environ = {name: env_string(value.raw) for name, value in ctx.config.env.items()}
        managed = sources(ctx).managed_identity is not None
        token = entra.mint(ctx.step_timeout(), environ, managed)
        if isinstance(token, entra.Minted):
            # A server that echoes the token must not put it in the report.
            ctx.redactor.add(token.token, "entra_token")
        return token

    return ctx.once("foundry.entra", ask)


@dataclass(frozen=True)
class Target:
    """Where the Foundry request goes and with what: the endpoint, the credential and the headers to
    send."""

    endpoint: FoundryEndpoint
    credential: FoundryCredential
    headers: dict[str, str]


def target(ctx: CheckContext) -> Target | str:
    """Where to send and what, or why nothing can be sent."""
    endpoint = foundry_endpoint(ctx.config)
    if endpoint is None:
        return "no usable Foundry endpoint (see region.foundry and proxy.config)"
    credential = foundry_credential(ctx.config)
    headers = {"anthropic-version": ANTHROPIC_VERSION, **credential.headers()}
    if credential.kind is Kind.CHAIN:
        token = minted(ctx)
        if not isinstance(token, entra.Minted):
            return "no Entra ID token to send (see credentials.foundry)"
        headers["authorization"] = f"Bearer {token.token}"
    return Target(endpoint, credential, headers)


class Verdict(enum.StrEnum):
    OK = "ok"
    AUTH_REJECTED = "auth_rejected"
    NOT_DEPLOYED = "deployment_not_found"
    WRONG_PATH = "wrong_path"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    REFUSED = "refused"


@dataclass(frozen=True)
class Reading:
    """What a Foundry answer means: the verdict, the status and error code, and the server's words
    or the failure."""

    url: str
    verdict: Verdict
    status: int | None
    code: str
    """Azure's error.code, or the model's error.type."""
    server_says: str
    failure: HttpFailure | None = None


def free_call(ctx: CheckContext, found: Target, model: str) -> Reading:
    body = {**messages_body(model, stream=False), "messages": []}
    return ctx.once(f"foundry.free.{model}", lambda: _post(ctx, found, body, free=True))


def invoke(ctx: CheckContext, found: Target, model: str) -> Reading:
    body = messages_body(model)
    return ctx.once(f"foundry.invoke.{model}", lambda: _post(ctx, found, body, free=False))


def probe_base(ctx: CheckContext, found: Target, base: str, model: str) -> Reading:
    """The free call at another base URL (where a lost /anthropic may be)."""
    moved = dataclasses.replace(found, endpoint=dataclasses.replace(found.endpoint, base=base))
    body = {**messages_body(model, stream=False), "messages": []}
    return _post(ctx, moved, body, free=True)


def _post(ctx: CheckContext, found: Target, body: dict[str, Any], free: bool) -> Reading:
    url = found.endpoint.base + foundry.MESSAGES_PATH
    answer = ctx.network.request("POST", url, ctx.step_timeout(), found.headers, body)
    if isinstance(answer, HttpFailure):
        failure = dataclasses.replace(answer, detail=ctx.redactor.scrub(answer.detail))
        return Reading(url, Verdict.REFUSED, None, "", failure.detail, failure)
    return read(url, answer, free)


def read(url: str, answer: HttpAnswer, free: bool) -> Reading:
    status = answer.status
    code, message = _error(answer)
    if status == 200 or (free and status == 400 and code == "invalid_request_error"):
        return Reading(url, Verdict.OK, status, code, "")
    if status in (401, 403):
        verdict = Verdict.AUTH_REJECTED
    elif status == 404 and code == foundry.DEPLOYMENT_NOT_FOUND:
        verdict = Verdict.NOT_DEPLOYED
    elif status == 404:
        verdict = Verdict.WRONG_PATH
    elif status == 429:
        verdict = Verdict.RATE_LIMITED
    elif status == 529:
        verdict = Verdict.OVERLOADED
    else:
        verdict = Verdict.REFUSED
    return Reading(url, verdict, status, code, message)


def _error(answer: HttpAnswer) -> tuple[str, str]:
    """Azure's {"error": {"code", "message"}} or the model's {"error": {"type", "message"}}."""
    data = answer.json()
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return "", " ".join(answer.body.split())[:300]
    code = error.get("code") or error.get("type") or ""
    message = error.get("message") or ""
    return str(code), " ".join(str(message).split())[:300]
