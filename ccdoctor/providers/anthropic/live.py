"""What the live checks on the Anthropic route share: the credential the client sends, its
requests (each made once per run), and the meaning of each answer as a message and a fix."""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from ccdoctor.config.endpoints import Endpoint, inference_endpoint
from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ModelChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.redact import fingerprint
from ccdoctor.core.results import Fix, Outcome, skipped
from ccdoctor.knowledge import credentials as known
from ccdoctor.knowledge.connectivity import CAUSES, FACT_DEFAULTS
from ccdoctor.knowledge.request_fields import RejectedField, rejected_field
from ccdoctor.net.client import HttpAnswer, HttpFailure
from ccdoctor.providers.anthropic.credentials import anthropic_credentials
from ccdoctor.wire import replay
from ccdoctor.wire import requests as shape
from ccdoctor.wire.messages import (
    Classified,
    Credential,
    Verdict,
    classify,
    count_tokens_body,
    messages_body,
    request_headers,
    upstream_host,
)

DISABLE_BETAS = "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"
BODY_VERDICTS = (Verdict.EXTRA_INPUTS, Verdict.BAD_REQUEST)
"""Answers that may name a body field of the client's request."""


def credentials(ctx: CheckContext) -> tuple[Credential, ...]:
    found = anthropic_credentials(ctx)
    return tuple(
        Credential(c.source, c.headers, c.value) for c in found.sent if c.value is not None
    )


def endpoint(ctx: CheckContext) -> Endpoint | None:
    return inference_endpoint(ctx.config)


@dataclass(frozen=True)
class Route:
    """Where a live check sends its requests, and the credentials it sends."""

    base: Endpoint
    sent: tuple[Credential, ...]


def route(ctx: CheckContext) -> Route | Outcome:
    """The endpoint and credentials, or the skip that says why a live check cannot run."""
    base = endpoint(ctx)
    if base is None:
        return skipped("no usable endpoint URL (see proxy.config)")
    sent = credentials(ctx)
    if not sent:
        return skipped("no credential ccdoctor can send (a claude.ai login is not replayed)")
    return Route(base, sent)


@dataclass(frozen=True)
class Exchange:
    """One request and what came back."""

    url: str
    answer: HttpAnswer | HttpFailure
    dropped_betas: tuple[str, ...] = ()
    """Beta values a first answer rejected, left out of this (second) request as the client
    does; empty when the first answer stands."""
    dropped_fields: tuple[RejectedField, ...] = ()
    """Body fields a first answer rejected, left out of this request as the client does."""
    first: HttpAnswer | None = None
    """The rejection that made the client send the request again without them."""

    @property
    def http_answer(self) -> HttpAnswer | None:
        return self.answer if isinstance(self.answer, HttpAnswer) else None

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
    answer = ctx.network.request("POST", url, ctx.step_timeout(), headers, body)
    return Exchange(url, scrubbed(ctx, answer))


def get(ctx: CheckContext, path: str, authenticated: bool = True) -> Exchange:
    base = endpoint(ctx)
    assert base is not None
    headers = request_headers(ctx.config, credentials(ctx) if authenticated else ())
    url = base.url + path
    return Exchange(
        url, scrubbed(ctx, ctx.network.request("GET", url, ctx.step_timeout(), headers))
    )


def scrubbed(ctx: CheckContext, answer: HttpAnswer | HttpFailure) -> HttpAnswer | HttpFailure:
    """The answer with every secret replaced by its fingerprint before anything reads it: a
    server may echo the credential, and an excerpt cut mid-secret would escape the report's own
    scrubbing."""
    scrub = ctx.redactor.scrub
    if isinstance(answer, HttpFailure):
        return dataclasses.replace(answer, detail=scrub(answer.detail))
    return dataclasses.replace(
        answer,
        body=scrub(answer.body),
        headers={name: scrub(value) for name, value in answer.headers.items()},
    )


def invoke(ctx: CheckContext, model: ModelChoice) -> Exchange:
    """The client's own request for `model` (its shape replayed for the main model; see
    ccdoctor/wire/replay.py), streaming, the fewest output tokens. Made once per run. A client
    version that sends the request again without the beta values or body fields a 400 rejects
    (its facts say which) is followed: the last answer is the one its session gets."""

    def run() -> Exchange:
        dropped: list[RejectedField] = []
        first = post(ctx, shape.MESSAGES_PATH, client_body(ctx, model, True), model)
        exchange = first
        # One round per field the client drops, as the client does, then the betas.
        while (field := droppable_field(ctx, exchange, dropped)) is not None:
            dropped.append(field)
            body = client_body(ctx, model, True, tuple(f.field for f in dropped))
            again = post(ctx, shape.MESSAGES_PATH, body, model)
            exchange = dataclasses.replace(
                again, dropped_fields=tuple(dropped), first=first.http_answer
            )
        return _without_rejected_betas(ctx, model, exchange, tuple(f.field for f in dropped), first)

    return ctx.once(f"messages:{model.model_id}", run)


def client_body(
    ctx: CheckContext, model: ModelChoice, stream: bool, without: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The client's body for the main model; for the small/fast model the plain request (its
    shape is not observed: a one-shot run never asks it)."""
    found = replay.client_shape(ctx.config, model.model_id) if model.role == "main" else None
    if found is None:
        return messages_body(model.model_id, stream)
    return replay.messages_body(found.without(without), model.model_id, stream)


def droppable_field(
    ctx: CheckContext, exchange: Exchange, dropped: list[RejectedField]
) -> RejectedField | None:
    """The body field a 400 names that this client version sends again without."""
    classified = exchange.classified
    if classified is None or classified.verdict not in BODY_VERDICTS:
        return None
    field = rejected_field(classified.server_says)
    if field is None or field in dropped:
        return None
    return field if field.field in ctx.config.facts.drops_rejected_fields else None


def _without_rejected_betas(
    ctx: CheckContext,
    model: ModelChoice,
    exchange: Exchange,
    without: tuple[str, ...],
    first: Exchange,
) -> Exchange:
    classified = exchange.classified
    droppable = ctx.config.facts.drops_rejected_betas
    if (
        not droppable
        or classified is None
        or classified.verdict is not Verdict.BETA_REJECTED
        or not isinstance(exchange.answer, HttpAnswer)
    ):
        return exchange
    sent = request_headers(ctx.config, (), bool(model.one_million))["anthropic-beta"]
    rejected = tuple(b for b in rejected_betas(classified.server_says) if b in sent)
    if not rejected or not droppable.issuperset(rejected):
        return exchange
    kept = ",".join(b for b in sent.split(",") if b not in rejected)
    body = client_body(ctx, model, True, without)
    again = post(ctx, shape.MESSAGES_PATH, body, model, {"anthropic-beta": kept})
    return dataclasses.replace(
        again,
        dropped_betas=rejected,
        dropped_fields=exchange.dropped_fields,
        first=exchange.first or first.http_answer,
    )


_BACKTICKED = re.compile(r"`([^`]+)`")


def rejected_betas(server_says: str) -> list[str]:
    """The values an "Unexpected value(s) `a,b` for the `anthropic-beta` header" names."""
    found: list[str] = []
    for quoted in _BACKTICKED.findall(server_says):
        found.extend(v.strip() for v in quoted.split(",") if v.strip() != "anthropic-beta")
    return [v for v in found if v]


def count_tokens(ctx: CheckContext, model: ModelChoice) -> Exchange:
    """The free call, with what token counting takes of the client's request for the main
    model (its tools and their flags, cache_control where the client puts it)."""
    found = replay.client_shape(ctx.config, model.model_id) if model.role == "main" else None
    body = (
        count_tokens_body(model.model_id)
        if found is None
        else replay.count_tokens_body(found, model.model_id)
    )
    return ctx.once(
        f"count_tokens:{model.model_id}",
        lambda: post(ctx, shape.COUNT_TOKENS_PATH, body, model),
    )


def describe_credentials(sent: tuple[Credential, ...]) -> str:
    if not sent:
        return "no credential"
    return " and ".join(
        f"{c.source} (sent as {' and '.join(c.headers)}, {fingerprint(c.value.strip(), 'key')})"
        for c in sent
    )


def network_failure(
    config: ResolvedConfig, failure: HttpFailure, base: Endpoint
) -> tuple[str, Fix]:
    text = CAUSES[failure.cause]
    parts = urlsplit(base.url)
    other = "http" if parts.scheme == "https" else "https"
    facts = {
        **FACT_DEFAULTS,
        "host": base.host,
        "port": str(parts.port or (443 if parts.scheme == "https" else 80)),
        "url": base.url,
        "detail": failure.detail,
        "other_scheme_url": parts._replace(scheme=other).geturl(),
    }
    if base.custom:
        facts["endpoint_var"] = base.variable
    return text.summary.format(**facts), removal_fix(
        config, text.fix.format(**facts), *text.unsets_for(facts), after=text.commands_for(facts)
    )


def auth_fix(sent: tuple[Credential, ...], result: Classified, base: Endpoint) -> Fix:
    sources = {c.source for c in sent}
    lines = []
    if result.litellm and "db" in result.server_says.lower():
        # LiteLLM reads the key from either header, so moving it would change nothing.
        return Fix(
            "This LiteLLM proxy has no database, so it accepts only its master key: any other "
            "key is answered with 400 no_db_connection. Use the master key (general_settings."
            "master_key or LITELLM_MASTER_KEY on the proxy), or a virtual key issued by a "
            "LiteLLM that has a database.",
            (f"export {_first_variable(sent)}=<the LiteLLM master key>",),
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
    if known.PRIMARY_API_KEY in sources:
        lines.append(
            "That key was stored in ~/.claude.json by an earlier /login (the client then says "
            '"Not logged in · Please run /login"): run `claude /login` again, or set '
            "ANTHROPIC_API_KEY, which takes precedence."
        )
    lines.append(f"Check that the key is valid for {base.url} and has not been revoked.")
    return Fix(" ".join(lines))


def _first_variable(sent: tuple[Credential, ...]) -> str:
    variables = [c.source for c in sent if c.source.startswith("ANTHROPIC_")]
    return variables[0] if variables else "ANTHROPIC_AUTH_TOKEN"


def model_fix(
    config: ResolvedConfig,
    verdict: Verdict,
    model: ModelChoice,
    base: Endpoint,
    served: list[str],
    server_says: str = "",
    better_base: str | None = None,
) -> Fix:
    variable = model.variable
    if verdict is Verdict.UNKNOWN_MODEL:
        listing = f" It serves: {', '.join(served[:12])}." if served else ""
        example = served[0] if served else "<a model the gateway serves>"
        if model.mid_session:
            # Unset, the session falls back on a model already proven: the main one or the alias.
            return removal_fix(
                config,
                f"Remove {variable}, point it at a model {base.host} serves, or add "
                f"{model.model_id} to the gateway.{listing}",
                variable,
            )
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
        if better_base is not None:
            return Fix(
                f"{base.url}/v1/messages does not exist, but {better_base} answers the "
                f"Anthropic API: set {base.variable} to it (Claude Code appends /v1/messages).",
                (f"export {base.variable}={better_base}",),
            )
        return Fix(
            f"{base.url}/v1/messages does not exist. Claude Code appends /v1/messages to "
            f"{base.variable}: for LiteLLM's pass-through the base ends in /anthropic; for its "
            "unified endpoint it is the bare host:port; never end it in /v1."
        )
    if verdict is Verdict.UPSTREAM_DOWN:
        upstream = upstream_host(server_says)
        where = f"its provider at {upstream}" if upstream else "its provider"
        return Fix(
            f"The gateway runs but cannot reach {where}: check the gateway's upstream "
            f"configuration for {model.model_id} (api_base, credentials) and whether that host "
            "is up and reachable from the gateway."
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
        target = redirected_base(base, server_says)
        return Fix(
            f"{base.url} redirects to {server_says or 'another URL'}. Claude Code follows it "
            "with a GET instead of its POST and then fails with \"There's an issue with the "
            'selected model": a login page or captive portal wants you to sign in to the '
            f"network, or, if that is the gateway's real address, set {base.variable} to it.",
            (f"export {base.variable}={target}",) if target else (),
        )
    return Fix(
        f"The endpoint refused the request; its own words are in the message. Check "
        f"{base.variable} and the gateway's logs."
    )


def redirected_base(base: Endpoint, location: str) -> str | None:
    """The base URL a redirect points at: its target minus the API path the client appends."""
    if not location:
        return None
    target = urlsplit(urljoin(base.url + "/", location))
    if target.scheme not in ("http", "https") or not target.netloc:
        return None
    path = target.path
    for api_path in (shape.COUNT_TOKENS_PATH, shape.MESSAGES_PATH, shape.MODELS_PATH):
        route = api_path.split("?", 1)[0]
        if path.endswith(route):
            path = path[: -len(route)]
            break
    return urlunsplit((target.scheme, target.netloc, path.rstrip("/"), "", ""))


def answering_base(ctx: CheckContext, base: Endpoint) -> str | None:
    """When {base}/v1/messages is 404: a nearby base URL that does answer the Anthropic API (a
    parent path, or a gateway prefix added), found with free model listings. Once per run, and
    within one step's time."""

    def search() -> str | None:
        deadline = time.monotonic() + ctx.step_timeout()
        headers = request_headers(ctx.config, credentials(ctx))
        for candidate in _nearby_bases(base.url):
            remaining = min(deadline - time.monotonic(), ctx.remaining())
            if remaining <= 0.05:
                return None
            answer = ctx.network.request("GET", candidate + shape.MODELS_PATH, remaining, headers)
            if isinstance(answer, HttpAnswer) and classify(answer).verdict is Verdict.OK:
                return candidate
        return None

    return ctx.once("answering-base", search)


_MAX_NEARBY = 4
"""Free listing requests spent looking for the right base URL."""


def _nearby_bases(url: str) -> list[str]:
    parts = urlsplit(url)
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    segments = [s for s in parts.path.split("/") if s]
    parents = [
        root + "".join(f"/{s}" for s in segments[:n]) for n in range(len(segments) - 1, -1, -1)
    ]
    prefixed = [b + p for b in (url, root) for p in shape.GATEWAY_PREFIXES]
    found = [c for c in dict.fromkeys(parents + prefixed) if c != url]
    return found[:_MAX_NEARBY]


def model_listing(ctx: CheckContext) -> Exchange:
    return ctx.once("models-list", lambda: get(ctx, shape.MODELS_PATH))


def lists_models(ctx: CheckContext) -> bool:
    """The base URL answers the free model listing: it is the API, whatever else is missing."""
    classified = model_listing(ctx).classified
    return classified is not None and classified.verdict is Verdict.OK


def served_models(ctx: CheckContext) -> list[str]:
    """Model ids the endpoint lists (free); empty when it offers no listing."""
    exchange = model_listing(ctx)
    if not isinstance(exchange.answer, HttpAnswer) or exchange.answer.status != 200:
        return []
    data = exchange.answer.json()
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e]
