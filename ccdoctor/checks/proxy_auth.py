"""proxy.auth — the credential the client sends is accepted by the API or gateway."""

from __future__ import annotations

from urllib.parse import urlsplit

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, failed, passed, skipped, warned
from ccdoctor.spec import Cost, check
from ccdoctor.wire.messages import Verdict

_INCONCLUSIVE = (Verdict.WRONG_PATH, Verdict.SERVER_ERROR, Verdict.UPSTREAM_DOWN)


@check(
    id="proxy.auth",
    title="Credential accepted",
    category=Category.PROXY,
    description="The credential Claude Code would send, in the header it would send it, is "
    "accepted by the Anthropic API or gateway (checked with a free call).",
    explain="""
Claude Code sends ANTHROPIC_AUTH_TOKEN as `Authorization: Bearer`, ANTHROPIC_API_KEY as
`x-api-key` (both when both are set), apiKeyHelper output in both, plus ANTHROPIC_CUSTOM_HEADERS.
A gateway that reads the other header answers 401, and the client retries for minutes before it
says "Failed to authenticate".

This check sends exactly those headers to a free endpoint: the token-counting call
(POST /v1/messages/count_tokens), falling back to GET /v1/models. An answer about the model (even
"unknown model") proves the credential works. It recognises LiteLLM and its quirk: without a
database LiteLLM answers any key but the master key with 400 no_db_connection, not 401. It never
calls LiteLLM's /health (which calls every model and costs money); /health/liveliness is free.

When the endpoint offers neither free call, the check is skipped and models.anthropic proves the
credential with the client's own request.
""",
    needs=("proxy.config", "proxy.reachable", "credentials.anthropic"),
    providers=[Provider.ANTHROPIC],
    network=True,
    cost=Cost.FREE_CALL,
)
def auth_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.net.client import HttpFailure, background
    from ccdoctor.providers.anthropic import live

    found = live.route(ctx)
    if isinstance(found, Outcome):
        return found
    base, sent = found.base, found.sent
    who = live.describe_credentials(sent)
    details: dict[str, object] = {"endpoint": base.url, "sent": who}
    where = base.host
    gateway = background(lambda: _gateway_kind(ctx, base.url)) if base.custom else None
    exchange = live.count_tokens(ctx, ctx.config.main_model)
    if gateway is not None:
        details["gateway"] = kind = gateway.result()
        if kind != "gateway":
            where += f" ({kind})"
    result = exchange.classified
    if result is None or result.verdict in _INCONCLUSIVE:
        exchange = live.model_listing(ctx)
        result = exchange.classified
    details["probe"] = exchange.url
    if isinstance(exchange.answer, HttpFailure):
        message, fix = live.network_failure(ctx.config, exchange.answer, base)
        return warned(f"could not check: {message}", fix, **details)
    assert result is not None
    details["status"] = result.status
    if result.verdict in (
        Verdict.OK,
        Verdict.UNKNOWN_MODEL,
        Verdict.BETA_REJECTED,
        Verdict.EXTRA_INPUTS,
        Verdict.RATE_LIMITED,
        Verdict.OVERLOADED,
    ):
        return passed(f"{where} accepts {who}", **details)
    if result.verdict is Verdict.AUTH_REJECTED:
        details["server_says"] = result.server_says
        return failed(
            f"{where} rejected {who}: HTTP {result.status} {result.server_says}",
            live.auth_fix(sent, result, base),
            **details,
        )
    return skipped(
        f"no free authenticated endpoint answered (HTTP {result.status}); models.anthropic "
        "checks the credential with the client's own request",
        **details,
    )


def _gateway_kind(ctx: CheckContext, url: str) -> str:
    """LiteLLM answers its free liveliness probe at the root; anything else stays 'gateway'."""
    from ccdoctor.net.client import HttpAnswer

    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}/health/liveliness"
    answer = ctx.network.request("GET", root, ctx.step_timeout())
    if isinstance(answer, HttpAnswer) and answer.status == 200 and "alive" in answer.body:
        return "LiteLLM"
    return "gateway"
