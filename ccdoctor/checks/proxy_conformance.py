"""proxy.conformance — a gateway behaves as Claude Code expects beyond the basic request."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from ccdoctor.config.endpoints import Endpoint, inference_endpoint
from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status, skipped
from ccdoctor.net.client import HttpAnswer, background
from ccdoctor.providers.anthropic import live
from ccdoctor.providers.bedrock import live as aws
from ccdoctor.providers.bedrock import wire as bedrock
from ccdoctor.providers.bedrock.aws import AwsError
from ccdoctor.spec import Cost, check
from ccdoctor.wire import requests as shape
from ccdoctor.wire.messages import (
    Classified,
    Verdict,
    count_tokens_body,
    messages_body,
    request_headers,
    sse_shape,
)

_NO_CACHING = "DISABLE_PROMPT_CACHING"
_PROPERTIES = 4
"""Token counting, streaming, beta forwarding, cache_control."""


@check(
    id="proxy.conformance",
    title="Gateway conformance",
    category=Category.PROXY,
    description="A gateway at ANTHROPIC_BASE_URL offers token counting, streams well-formed "
    "server-sent events, forwards anthropic-beta, and accepts cache_control; one at "
    "ANTHROPIC_BEDROCK_BASE_URL passes Bedrock's binary event stream through.",
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

Behind a Bedrock gateway (ANTHROPIC_BEDROCK_BASE_URL) it judges the answer to the client's own
call, InvokeModelWithResponseStream with max_tokens 1, made once and shared with models.bedrock.
Bedrock answers with the AWS binary event stream (application/vnd.amazon.eventstream); a gateway
that re-encodes it as server-sent events, or only relabels it, breaks the client in a way that
depends on its version. Before 2.1.208 the client reads a relabelled stream, and when the body was
re-encoded it fails the stream and retries the turn without streaming, unless
CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK is set ("Truncated event message received"). From
2.1.208 it refuses any other content type; CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_GUARD=1 makes
it read a stream whose only fault is the label. With --no-invoke the stream stays unproven.

Findings are warnings unless the client would break (a stream it cannot use). It only runs for a
gateway (ANTHROPIC_BASE_URL, or ANTHROPIC_BEDROCK_BASE_URL with Bedrock), once the credential was
proven.
""",
    needs=(
        "proxy.config",
        "proxy.reachable",
        "credentials.anthropic",
        "proxy.auth",
        "credentials.aws",
        "region.bedrock",
    ),
    providers=[Provider.ANTHROPIC, Provider.BEDROCK],
    network=True,
    cost=Cost.BILLED_CALL,
)
def conformance_check(ctx: CheckContext) -> Outcome:
    if ctx.config.provider.provider is Provider.BEDROCK:
        return _bedrock_conformance(ctx)
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


# --- a Bedrock gateway ---------------------------------------------------------------------------


def _bedrock_conformance(ctx: CheckContext) -> Outcome:
    """Behind a Bedrock gateway the property to prove is the event stream of the client's own
    call; everything else about that call is models.bedrock's."""
    endpoint = inference_endpoint(ctx.config)
    if endpoint is None:
        return skipped("no usable endpoint URL (see proxy.config)")
    if not endpoint.custom:
        return skipped(f"no gateway: {bedrock.BASE_URL_VARIABLE} is not set")
    budget = aws.Budget(ctx, steps=2)
    state = aws.usable(ctx, budget)
    if not state.ok:
        return skipped(f"no live calls: {state.why}")
    details: dict[str, Any] = {"endpoint": endpoint.url}
    if ctx.options.no_invoke:
        return skipped("nothing could be checked: the event stream (--no-invoke)", **details)
    model_id, region = aws.main_call(ctx, budget)
    details.update(model=model_id, region=region)
    if aws.is_application_profile(model_id):
        lookup = aws.application_profile(ctx, model_id, region, budget)
        if isinstance(lookup, AwsError) and aws.not_found(lookup):
            # The client stops at its lookup: there is no stream to judge (models.bedrock says why).
            return skipped(
                "nothing could be checked: the main model's application inference profile "
                "does not exist (see models.bedrock)",
                **details,
            )
    answer = aws.stream_invoke(ctx, model_id, region, budget)
    if isinstance(answer, AwsError):
        return skipped(
            f"nothing could be checked: the streamed call got no answer ({answer.describe()}; "
            "see models.bedrock)",
            **details,
        )
    stream = aws.Stream.of(answer)
    details["stream"] = stream.details()
    problems = _event_stream_problems(ctx, stream)
    if not problems and not stream.labelled:  # only the guard variable lets a relabelled one by
        details["stream"]["tolerated"] = bedrock.CONTENT_TYPE_GUARD_VARIABLE
    ok = f"{endpoint.host} passes Bedrock's event stream through"
    return Outcome.from_problems(problems, ok, details)


_GUARD_SINCE = ".".join(map(str, bedrock.CONTENT_TYPE_GUARD_SINCE))


_PASS_THROUGH = (
    "Configure the gateway to pass InvokeModelWithResponseStream answers through unchanged: the "
    f"AWS binary event stream, content type {bedrock.EVENT_STREAM}."
)


def _event_stream_problems(ctx: CheckContext, stream: aws.Stream) -> list[Problem]:
    where = stream.url
    if stream.labelled:
        if stream.readable:
            return []
        return [
            Problem(
                Status.FAIL,
                f"the answer from {where} is not a readable event stream "
                f"({stream.decode_error or 'no events'})",
                Fix("Make the gateway pass the stream through unchanged."),
            )
        ]
    if stream.readable and ctx.config.truthy(bedrock.CONTENT_TYPE_GUARD_VARIABLE):
        return []
    client_says = bedrock.CLIENT_CONTENT_TYPE_ERROR.format(found=stream.content_type)
    if not bedrock.refuses_mislabelled_stream(ctx.config.claude_version):
        return [_unguarded_problem(ctx, stream, client_says)]
    if stream.readable:
        return [
            Problem(
                Status.FAIL,
                f"{where} sends the event stream under content type "
                f'"{stream.content_type}"; Claude Code refuses it: "{client_says}"',
                _relabel_fix("tell Claude Code to accept it"),
            )
        ]
    return [
        Problem(
            Status.FAIL,
            f"{where} re-encodes Bedrock's binary event stream as "
            f'"{stream.content_type}"; Claude Code fails with "{client_says}" (before '
            f'{_GUARD_SINCE}: "Truncated event message received")',
            Fix(
                f"{_PASS_THROUGH} {bedrock.CONTENT_TYPE_GUARD_VARIABLE} does not help when the "
                "body itself was re-encoded."
            ),
        )
    ]


def _unguarded_problem(ctx: CheckContext, stream: aws.Stream, client_says: str) -> Problem:
    """A client without the content-type guard reads a relabelled event stream, and falls back
    to a plain InvokeModel when the body was re-encoded: the session works, until an upgrade or
    until the fallback is switched off."""
    where = stream.url
    upgrade = f'Claude Code {_GUARD_SINCE} and later refuse it: "{client_says}"'
    if stream.readable:
        return Problem(
            Status.WARN,
            f"{where} sends the event stream under content type "
            f'"{stream.content_type}"; this Claude Code reads it, but {upgrade}',
            _relabel_fix(f"tell Claude Code {_GUARD_SINCE}+ to accept it"),
        )
    fallback = bedrock.NONSTREAMING_FALLBACK_VARIABLE
    if ctx.config.truthy(fallback):
        return Problem(
            Status.FAIL,
            f"{where} re-encodes Bedrock's binary event stream as "
            f'"{stream.content_type}"; with {fallback} set, Claude Code fails with '
            f'"{bedrock.OLD_CLIENT_STREAM_ERROR}"',
            Fix(
                f"{_PASS_THROUGH} Meanwhile, unset {fallback}: the client then retries each turn "
                "without streaming.",
                (f"unset {fallback}",),
            ),
        )
    return Problem(
        Status.WARN,
        f"{where} re-encodes Bedrock's binary event stream as "
        f'"{stream.content_type}"; this Claude Code fails each stream and retries the turn '
        f"without streaming (no answer shows until it is complete), and {upgrade}",
        Fix(_PASS_THROUGH),
    )


def _relabel_fix(accept: str) -> Fix:
    variable = bedrock.CONTENT_TYPE_GUARD_VARIABLE
    return Fix(
        "Make the gateway pass the Content-Type header through unchanged; or, since only the "
        f"header is wrong, {accept}.",
        (f"export {variable}=1",),
        f'{{"env": {{"{variable}": "1"}}}}',
    )
