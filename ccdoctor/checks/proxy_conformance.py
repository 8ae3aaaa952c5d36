"""proxy.conformance — a gateway behaves as Claude Code expects beyond the basic request."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from ccdoctor.checks import _anthropic_live as live
from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.knowledge import client_requests as shape
from ccdoctor.model import Category, Cost, Fix, Outcome, Problem, Provider, Status, check, skipped
from ccdoctor.net.anthropic import (
    Classified,
    Verdict,
    count_tokens_body,
    messages_body,
    request_headers,
    sse_shape,
)
from ccdoctor.net.client import HttpAnswer, background
from ccdoctor.net.endpoints import Endpoint

_NO_CACHING = "DISABLE_PROMPT_CACHING"
_PROPERTIES = 4
"""Token counting, streaming, beta forwarding, cache_control."""


@check(
    id="proxy.conformance",
    title="Gateway conformance",
    category=Category.PROXY,
    description="A gateway at ANTHROPIC_BASE_URL offers token counting, streams well-formed "
    "server-sent events, forwards anthropic-beta, and accepts cache_control.",
    explain="""
Claude Code works best through a gateway that passes the Anthropic Messages API through
unchanged. This check finds the partial failures that do not stop a first request but degrade
sessions: no /v1/messages/count_tokens (the client falls back to estimates); a stream that is not
server-sent events (a buffering gateway: the client waits for the whole answer, or fails) or whose
events are malformed; anthropic-beta headers dropped before the upstream (features silently off);
and cache_control rejected (no prompt caching).

Forwarding is tested the way only a forwarding gateway can pass: the client's request with one
extra beta value no server knows. The Anthropic API rejects it with 400 "Unexpected value(s)", so
a gateway that forwards the header gets that 400 back (nothing is billed); one that drops the header
gets an answer (billed, one output token). With --no-invoke the check keeps to free calls and says
what stayed unproven (a gateway may treat token counting differently from messages).

Findings are warnings unless the client would break (a stream that is not a stream). It only runs
for a gateway (ANTHROPIC_BASE_URL set), after the credential and the models were proven.
""",
    needs=("proxy.config", "proxy.reachable", "credentials.anthropic", "proxy.auth"),
    providers=[Provider.ANTHROPIC],
    network=True,
    cost=Cost.BILLED_CALL,
)
def conformance_check(ctx: CheckContext) -> Outcome:
    found = live.route(ctx)
    if isinstance(found, Outcome):
        return found
    base = found.base
    if not base.custom:
        return skipped("no gateway: ANTHROPIC_BASE_URL is not set")
    model = ctx.config.main_model
    problems: list[Problem] = []
    unproven: list[str] = []
    details: dict[str, Any] = {"endpoint": base.url}

    # Every probe starts now and is judged below: the check takes its slowest request.
    counting = background(lambda: live.count_tokens(ctx, model))
    streaming = None if ctx.options.no_invoke else background(lambda: live.invoke(ctx, model))
    beta_probe = None if ctx.options.no_invoke else background(lambda: _beta_probe(ctx, model))
    caching = None
    if not ctx.config.truthy(_NO_CACHING):
        caching = background(lambda: _cache_probe(ctx, model))
    counted = counting.result().classified
    details["count_tokens"] = counted.verdict.value if counted else "no answer"
    counts = counted is not None and counted.verdict is Verdict.OK
    if counted is not None and counted.verdict is Verdict.WRONG_PATH:
        problems.append(
            Problem(
                Status.WARN,
                "the gateway has no /v1/messages/count_tokens (optional; the client falls back "
                "to estimates)",
                Fix("Enable the token-counting route on the gateway if it offers one."),
            )
        )
    elif not counts:
        unproven.append(f"token counting ({_said(counted)})")

    if ctx.options.no_invoke:
        unproven.append("streaming (--no-invoke)")
    else:
        assert streaming is not None
        problems.extend(_stream_problems(ctx, streaming, base, details, unproven))

    forwarded = _beta_forwarded(ctx, model, counts, beta_probe)
    details["beta_forwarded"] = forwarded
    if forwarded is False:
        problems.append(
            Problem(
                Status.WARN,
                "anthropic-beta does not reach the upstream: a beta value no server knows was "
                "accepted, so the gateway drops or rewrites the header",
                Fix(
                    "Have the gateway forward anthropic-beta unchanged; otherwise Claude Code's "
                    "beta features (1M context, interleaved thinking, context management) are "
                    "silently off."
                ),
            )
        )
    elif forwarded is None:
        unproven.append("anthropic-beta forwarding")

    if ctx.config.truthy(_NO_CACHING):
        details["cache_control"] = f"not sent ({_NO_CACHING})"
    elif counts and caching is not None:
        cached = caching.result()
        details["cache_control"] = cached.verdict.value if cached else "no answer"
        if cached is not None and _rejects_cache_control(cached):
            problems.append(_cache_control_problem(cached))
        elif cached is None or cached.verdict is not Verdict.OK:
            unproven.append(f"cache_control ({_said(cached)})")
    else:
        unproven.append("cache_control (needs token counting)")

    details["unproven"] = unproven
    if not problems and len(unproven) == _PROPERTIES:
        return skipped("nothing could be checked: " + "; ".join(unproven), **details)
    ok = f"{base.host} behaves like the Anthropic API"
    if unproven:
        ok += " (unproven: " + "; ".join(unproven) + ")"
    return Outcome.from_problems(problems, ok, details)


_ROUTE_VERDICTS = (Verdict.WRONG_PATH, Verdict.BETA_REJECTED, Verdict.EXTRA_INPUTS)
"""Answers to the client's request that are about the gateway, not about the model."""


def _route_problem(
    ctx: CheckContext, route: Classified, base: Endpoint, model: ModelChoice
) -> Problem:
    if route.verdict is Verdict.WRONG_PATH:
        what = f"{base.url}/v1/messages does not exist (HTTP {route.status})"
        better = live.answering_base(ctx, base)
        return Problem(
            Status.FAIL, what, live.model_fix(route.verdict, model, base, [], "", better)
        )
    if _rejects_cache_control(route):
        return _cache_control_problem(route)
    what = f"the gateway rejects Claude Code's beta features (HTTP {route.status} "
    what += f"{route.server_says})"
    return Problem(Status.FAIL, what, live.model_fix(route.verdict, model, base, []))


def _cache_control_problem(answer: Classified) -> Problem:
    # The client marks its prompt for caching in every request: each one would fail.
    return Problem(
        Status.FAIL,
        "the gateway rejects cache_control, which Claude Code sends in every request "
        f"(HTTP {answer.status} {answer.server_says})",
        Fix(
            "Forward cache_control to the upstream, or set DISABLE_PROMPT_CACHING=1 "
            "to stop the client sending it (prompts then cost full price).",
            (f"export {_NO_CACHING}=1",),
        ),
    )


def _stream_problems(
    ctx: CheckContext,
    streaming: Future[live.Exchange],
    base: Endpoint,
    details: dict[str, Any],
    unproven: list[str],
) -> list[Problem]:
    """Judged on the client's own request, made once for models.anthropic too: a route the
    gateway lacks or features it rejects fail here, in the gateway's category."""
    exchange = streaming.result()
    streamed = exchange.answer
    route = exchange.classified
    if route is not None and route.verdict in _ROUTE_VERDICTS:
        return [_route_problem(ctx, route, base, ctx.config.main_model)]
    if not isinstance(streamed, HttpAnswer) or streamed.status != 200:
        unproven.append("streaming (no streamed answer)")
        return []
    content_type = streamed.headers.get("content-type", "")
    stream = sse_shape(streamed.body)
    details["stream_events"] = list(stream.events)
    if "text/event-stream" not in content_type:
        return [
            Problem(
                Status.FAIL,
                f"a streaming request came back as {content_type or 'no content type'}, not "
                "text/event-stream: the gateway buffers or rewrites the stream",
                Fix(
                    "Configure the gateway to stream /v1/messages responses unchanged (for a "
                    "LiteLLM model, no mock_response and a provider that streams)."
                ),
            )
        ]
    if stream.problems:
        return [
            Problem(
                Status.WARN,
                "the event stream is malformed: " + "; ".join(stream.problems),
                Fix("The gateway must pass server-sent events through unchanged."),
            )
        ]
    return []


def _cache_probe(ctx: CheckContext, model: ModelChoice) -> Classified | None:
    return live.post(
        ctx,
        shape.COUNT_TOKENS_PATH,
        count_tokens_body(model.model_id, cache_control=True),
        model,
    ).classified


def _beta_probe(ctx: CheckContext, model: ModelChoice) -> Classified | None:
    """The client's request with one beta value no server knows added."""
    headers = request_headers(ctx.config, (), one_million=model.one_million)
    betas = headers["anthropic-beta"] + "," + shape.PROBE_BETA
    return live.post(
        ctx,
        shape.MESSAGES_PATH,
        messages_body(model.model_id, stream=False),
        model,
        {"anthropic-beta": betas},
    ).classified


def _beta_forwarded(
    ctx: CheckContext, model: ModelChoice, counts: bool, probe: Future[Classified | None] | None
) -> bool | None:
    """True when a beta value no server knows came back rejected (it reached an upstream that
    checks betas), False when it was accepted (dropped on the way), None when unproven."""
    if probe is None:
        if not counts:
            return None
        answer = live.post(
            ctx,
            shape.COUNT_TOKENS_PATH,
            count_tokens_body(model.model_id),
            model,
            {"anthropic-beta": shape.PROBE_BETA},
        ).classified
        # Some gateways treat token counting on its own; an accepted probe proves nothing there.
        return True if answer is not None and answer.verdict is Verdict.BETA_REJECTED else None
    answer = probe.result()
    if answer is None:
        return None
    if answer.verdict is Verdict.BETA_REJECTED:
        return True
    if answer.verdict is Verdict.OK:
        return False
    return None


def _rejects_cache_control(answer: Classified) -> bool:
    if answer.verdict is Verdict.EXTRA_INPUTS:
        return True
    return answer.verdict is Verdict.BAD_REQUEST and "cache_control" in answer.server_says


def _said(answer: Classified | None) -> str:
    return f"HTTP {answer.status}" if answer is not None else "no answer"
