"""What the live checks on the Anthropic route share: the credential the client sends, its
requests (each made once per run), and the meaning of each answer as a message and a fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccdoctor.checks.credentials_anthropic import anthropic_credentials
from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.knowledge import client_requests as shape
from ccdoctor.knowledge.connectivity import CAUSES
from ccdoctor.model import Fix
from ccdoctor.net.anthropic import (
    Classified,
    Credential,
    Verdict,
    classify,
    count_tokens_body,
    messages_body,
    request_headers,
)
from ccdoctor.net.client import HttpAnswer, HttpFailure
from ccdoctor.net.endpoints import Endpoint, inference_endpoint
from ccdoctor.redact import fingerprint

DISABLE_BETAS = "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"


def credentials(ctx: CheckContext) -> tuple[Credential, ...]:
    found = anthropic_credentials(ctx)
    return tuple(
        Credential(c.source, c.headers, c.value) for c in found.sent if c.value is not None
    )


def endpoint(ctx: CheckContext) -> Endpoint | None:
    return inference_endpoint(ctx.config)


@dataclass(frozen=True)
class Exchange:
    """One request and what came back."""

    url: str
    answer: HttpAnswer | HttpFailure

    @property
    def classified(self) -> Classified | None:
        return classify(self.answer) if isinstance(self.answer, HttpAnswer) else None


def post(
    ctx: CheckContext,
    path: str,
    body: dict[str, Any],
    model: ModelChoice | None,
    extra_headers: dict[str, str] | None = None,
) -> Exchange:
    base = endpoint(ctx)
    assert base is not None
    headers = request_headers(
        ctx.config, credentials(ctx), one_million=bool(model and model.one_million)
    )
    headers.update(extra_headers or {})
    url = base.url + path
    return Exchange(url, ctx.network.request("POST", url, ctx.step_timeout(), headers, body))


def get(ctx: CheckContext, path: str, authenticated: bool = True) -> Exchange:
    base = endpoint(ctx)
    assert base is not None
    headers = request_headers(ctx.config, credentials(ctx) if authenticated else ())
    url = base.url + path
    return Exchange(url, ctx.network.request("GET", url, ctx.step_timeout(), headers))


def invoke(ctx: CheckContext, model: ModelChoice) -> Exchange:
    """The client's own request for `model`: streaming, one output token. Made once per run."""
    return ctx.once(
        f"messages:{model.model_id}",
        lambda: post(ctx, shape.MESSAGES_PATH, messages_body(model.model_id), model),
    )


def count_tokens(ctx: CheckContext, model: ModelChoice) -> Exchange:
    return ctx.once(
        f"count_tokens:{model.model_id}",
        lambda: post(ctx, shape.COUNT_TOKENS_PATH, count_tokens_body(model.model_id), model),
    )


def describe_credentials(sent: tuple[Credential, ...]) -> str:
    if not sent:
        return "no credential"
    return " and ".join(
        f"{c.source} (sent as {' and '.join(c.headers)}, {fingerprint(c.value.strip(), 'key')})"
        for c in sent
    )


def network_failure(failure: HttpFailure, base: Endpoint) -> tuple[str, Fix]:
    text = CAUSES[failure.cause]
    facts = {
        "host": base.host,
        "port": "",
        "url": base.url,
        "endpoint_var": base.variable,
        "proxy": "",
        "proxy_var": "HTTPS_PROXY",
        "proxy_hostport": "",
        "issuer": "an unknown issuer",
        "detail": failure.detail,
        "other_scheme_url": base.url,
    }
    return text.summary.format(**facts), Fix(text.fix.format(**facts))


def auth_fix(sent: tuple[Credential, ...], result: Classified, base: Endpoint) -> Fix:
    sources = {c.source for c in sent}
    lines = []
    if result.litellm and "db" in result.server_says.lower():
        lines.append(
            "This LiteLLM proxy has no database, so it accepts only its master key: any other "
            "key is answered with 400 no_db_connection. Use the master key, or a virtual key "
            "issued by a LiteLLM that has a database."
        )
    if "apiKeyHelper" in sources:
        lines.append(
            "The apiKeyHelper's token was refused: it may have expired; run the helper "
            "by hand and log in again if it needs you to."
        )
    if "ANTHROPIC_AUTH_TOKEN" in sources and "ANTHROPIC_API_KEY" in sources:
        lines.append(
            "Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are sent; unset the one "
            "that is not meant for this endpoint."
        )
    elif "ANTHROPIC_AUTH_TOKEN" in sources:
        lines.append(
            "If the endpoint expects the key in x-api-key, move it to ANTHROPIC_API_KEY "
            "(ANTHROPIC_AUTH_TOKEN is sent as Authorization: Bearer)."
        )
    elif "ANTHROPIC_API_KEY" in sources:
        lines.append(
            "If the endpoint expects Authorization: Bearer (most gateways), move the key "
            "to ANTHROPIC_AUTH_TOKEN (ANTHROPIC_API_KEY is sent as x-api-key)."
        )
    lines.append(f"Check that the key is valid for {base.url} and has not been revoked.")
    return Fix(" ".join(lines))


def model_fix(verdict: Verdict, model: ModelChoice, base: Endpoint, served: list[str]) -> Fix:
    variable = "ANTHROPIC_MODEL" if model.role == "main" else "ANTHROPIC_DEFAULT_HAIKU_MODEL"
    if verdict is Verdict.UNKNOWN_MODEL:
        listing = f" It serves: {', '.join(served[:12])}." if served else ""
        example = served[0] if served else "<a model the gateway serves>"
        return Fix(
            f"Point {variable} (or ANTHROPIC_DEFAULT_OPUS/SONNET/HAIKU_MODEL for aliases) at a "
            f"model {base.host} serves, or add {model.model_id} to the gateway.{listing}",
            (f"export {variable}={example}",),
        )
    if verdict in (Verdict.BETA_REJECTED, Verdict.EXTRA_INPUTS):
        return Fix(
            "The endpoint rejects Claude Code's beta features. Strip them in the client, or "
            "have the gateway forward anthropic-beta headers and body fields unchanged.",
            (f"export {DISABLE_BETAS}=1",),
            f'{{"env": {{"{DISABLE_BETAS}": "1"}}}}',
        )
    if verdict is Verdict.WRONG_PATH:
        return Fix(
            f"{base.url}/v1/messages does not exist. Claude Code appends /v1/messages to "
            f"{base.variable}: for LiteLLM's pass-through the base ends in /anthropic; for its "
            "unified endpoint it is the bare host:port; never end it in /v1."
        )
    if verdict is Verdict.UPSTREAM_DOWN:
        return Fix(
            "The gateway runs but cannot reach its provider: check the gateway's upstream "
            "configuration and network (its own logs name the host)."
        )
    if verdict in (Verdict.RATE_LIMITED, Verdict.OVERLOADED):
        return Fix(
            "Wait and retry, or raise the rate limit / quota of this key; Claude Code "
            "retries these for minutes before giving up."
        )
    if verdict is Verdict.MALFORMED:
        return Fix(
            "Something answered HTTP 200 with a body that is not the Anthropic API: a "
            "captive portal, login page or intercepting proxy. Open the URL in a browser "
            f"and check {base.variable}."
        )
    if verdict is Verdict.REDIRECT:
        return Fix(
            f"Set {base.variable} to the final URL: ccdoctor does not follow redirects "
            "with credentials, and a gateway should not need them."
        )
    return Fix(
        f"The endpoint refused the request; its own words are in the message. Check "
        f"{base.variable} and the gateway's logs."
    )


def served_models(ctx: CheckContext) -> list[str]:
    """Model ids the endpoint lists (free); empty when it offers no listing."""
    exchange = ctx.once("models-list", lambda: get(ctx, shape.MODELS_PATH))
    if not isinstance(exchange.answer, HttpAnswer) or exchange.answer.status != 200:
        return []
    data = exchange.answer.json()
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e]
