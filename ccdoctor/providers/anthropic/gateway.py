"""Whether a gateway at ANTHROPIC_BASE_URL behaves like the Anthropic API beyond the basic
request: token counting, the event stream, anthropic-beta forwarding, cache_control."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from ccdoctor.config.endpoints import Endpoint
from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge.request_fields import RejectedField, rejected_field
from ccdoctor.net.client import HttpAnswer
from ccdoctor.providers.anthropic import live
from ccdoctor.providers.anthropic.fields import dropped_field_problem, field_problem
from ccdoctor.wire import requests as shape
from ccdoctor.wire.messages import (
    Classified,
    Verdict,
    count_tokens_body,
    request_headers,
    sse_shape,
)

NO_CACHING_VARIABLE = "DISABLE_PROMPT_CACHING"
PROPERTIES_JUDGED = 4
"""Token counting, streaming, beta forwarding, cache_control."""


_ROUTE_VERDICTS = (Verdict.WRONG_PATH, Verdict.BETA_REJECTED, Verdict.EXTRA_INPUTS)
"""Answers to the client's request that are about the gateway, not about the model."""


def _route_problem(
    ctx: CheckContext, route: Classified, base: Endpoint, model: ModelChoice
) -> Problem:
    if route.verdict is Verdict.WRONG_PATH:
        what = f"{base.url}/v1/messages does not exist (HTTP {route.status})"
        better = live.answering_base(ctx, base)
        return Problem(
            Status.FAIL,
            what,
            live.model_fix(ctx.config, route.verdict, model, base, [], "", better),
        )
    field = rejected_body_field(route)
    if field is not None and field.field != "cache_control":
        return field_problem(ctx.config, field, route)
    if rejects_cache_control(route):
        return cache_control_problem(route)
    what = f"the gateway rejects Claude Code's beta features (HTTP {route.status} "
    what += f"{route.server_says})"
    kept = _kept_without_experimental(ctx, route)
    if route.verdict is Verdict.BETA_REJECTED and kept:
        names = ", ".join(kept)
        fix = Fix(
            f"Let the gateway forward {names} to the upstream: Claude Code sends "
            f"{'it' if len(kept) == 1 else 'them'} even with "
            "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1."
        )
        return Problem(Status.FAIL, what, fix)
    return Problem(Status.FAIL, what, live.model_fix(ctx.config, route.verdict, model, base, []))


def _kept_without_experimental(ctx: CheckContext, route: Classified) -> tuple[str, ...]:
    """The rejected betas that CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1 would not remove."""
    plain = ctx.config.facts.anthropic_betas_without_experimental
    return tuple(b for b in live.rejected_betas(route.server_says) if b in plain)


def _dropped_beta_problem(
    ctx: CheckContext, dropped: tuple[str, ...], first: HttpAnswer | None
) -> Problem:
    known = ctx.config.claude_version
    version = ".".join(map(str, known)) if known else ctx.config.facts.version_text
    status = f"HTTP {first.status}" if first is not None else "a 400"
    names = ", ".join(dropped)
    return Problem(
        Status.WARN,
        f"the gateway rejects the anthropic-beta value {names} ({status}); Claude Code "
        f"{version} sends each request again without it, so sessions work, at one extra round "
        "trip per request and without that feature",
        _forward_or_disable(ctx, dropped),
    )


def _forward_or_disable(ctx: CheckContext, betas: tuple[str, ...]) -> Fix:
    names = ", ".join(betas)
    plain = ctx.config.facts.anthropic_betas_without_experimental
    if any(b in plain for b in betas):
        return Fix(f"Let the gateway forward {names} unchanged to the upstream.")
    return Fix(
        f"Let the gateway forward {names} unchanged to the upstream; or stop the client "
        "sending experimental betas.",
        ("export CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1",),
        '{"env": {"CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1"}}',
    )


def cache_control_problem(answer: Classified) -> Problem:
    # The client marks its prompt for caching in every request: each one would fail.
    return Problem(
        Status.FAIL,
        "the gateway rejects cache_control, which Claude Code sends in every request "
        f"(HTTP {answer.status} {answer.server_says})",
        Fix(
            "Forward cache_control to the upstream, or set DISABLE_PROMPT_CACHING=1 "
            "to stop the client sending it (prompts then cost full price).",
            (f"export {NO_CACHING_VARIABLE}=1",),
        ),
    )


def stream_problems(
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
    if route is not None and (
        route.verdict in _ROUTE_VERDICTS or rejected_body_field(route) is not None
    ):
        return [_route_problem(ctx, route, base, ctx.config.main_model)]
    if exchange.dropped_betas:
        return [_dropped_beta_problem(ctx, exchange.dropped_betas, exchange.first)]
    if exchange.dropped_fields:
        return [dropped_field_problem(ctx.config, exchange.dropped_fields)]
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


def probe_cache_control(ctx: CheckContext, model: ModelChoice) -> Classified | None:
    return live.post(
        ctx,
        shape.COUNT_TOKENS_PATH,
        count_tokens_body(model.model_id, cache_control=True),
        model,
    ).classified


def probe_unknown_beta(ctx: CheckContext, model: ModelChoice) -> Classified | None:
    """The client's request with one beta value no server knows added."""
    headers = request_headers(ctx.config, (), one_million=model.one_million)
    betas = headers["anthropic-beta"] + "," + shape.PROBE_BETA
    return live.post(
        ctx,
        shape.MESSAGES_PATH,
        live.client_body(ctx, model, stream=False),
        model,
        {"anthropic-beta": betas},
    ).classified


def beta_forwarded(
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


def free_call_field_problem(ctx: CheckContext, counted: Classified | None) -> Problem | None:
    """With --no-invoke, token counting carries the client's tools and cache_control: a 400
    naming one of them is the finding the billed request would have made."""
    field = rejected_body_field(counted) if counted is not None else None
    if counted is None or field is None:
        return None
    if field.field in ctx.config.facts.drops_rejected_fields:
        return dropped_field_problem(ctx.config, (field,))
    return field_problem(ctx.config, field, counted)


def rejected_body_field(answer: Classified) -> RejectedField | None:
    """The field of the client's body a 400 names, if it names one."""
    if answer.verdict not in live.BODY_VERDICTS:
        return None
    return rejected_field(answer.server_says)


def rejects_cache_control(answer: Classified) -> bool:
    field = rejected_body_field(answer)
    if field is not None:
        return field.caching
    return answer.verdict is Verdict.EXTRA_INPUTS


def described_status(answer: Classified | None) -> str:
    return f"HTTP {answer.status}" if answer is not None else "no answer"
