"""proxy.conformance — a gateway behaves as Claude Code expects beyond the basic request."""

from __future__ import annotations

from typing import Any

from ccdoctor.checks import _anthropic_live as live
from ccdoctor.context import CheckContext
from ccdoctor.knowledge import client_requests as shape
from ccdoctor.model import Category, Cost, Fix, Outcome, Problem, Provider, Status, check, skipped
from ccdoctor.net.anthropic import Verdict, count_tokens_body, sse_shape
from ccdoctor.net.client import HttpAnswer


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
well-formed server-sent events (buffering gateways stall the client); anthropic-beta headers
dropped before the upstream (features silently off) — tested with a beta value no server knows,
which a forwarding gateway passes on and the upstream rejects; and cache_control rejected (no
prompt caching). Findings are warnings unless the client would break. It only runs for a gateway
(ANTHROPIC_BASE_URL set) and uses free calls plus the streamed answer models.anthropic already got.
""",
    needs=("models.anthropic",),
    providers=[Provider.ANTHROPIC],
    network=True,
    cost=Cost.FREE_CALL,
)
def conformance_check(ctx: CheckContext) -> Outcome:
    base = live.endpoint(ctx)
    if base is None or not base.custom:
        return skipped("no gateway: ANTHROPIC_BASE_URL is not set")
    if not live.credentials(ctx):
        return skipped("no credential ccdoctor can send (a claude.ai login is not replayed)")
    model = ctx.config.main_model
    problems: list[Problem] = []
    details: dict[str, Any] = {"endpoint": base.url}

    counted = live.count_tokens(ctx, model).classified
    details["count_tokens"] = counted.verdict.value if counted else "no answer"
    if counted is not None and counted.verdict is Verdict.WRONG_PATH:
        problems.append(
            Problem(
                Status.WARN,
                "the gateway has no /v1/messages/count_tokens (optional; the client falls back "
                "to estimates)",
                Fix("Enable the token-counting route on the gateway if it offers one."),
            )
        )

    if not ctx.options.no_invoke:
        streamed = live.invoke(ctx, model).answer
        if isinstance(streamed, HttpAnswer) and streamed.status == 200:
            content_type = streamed.headers.get("content-type", "")
            stream = sse_shape(streamed.body)
            details["stream_events"] = list(stream.events)
            if "text/event-stream" not in content_type:
                problems.append(
                    Problem(
                        Status.FAIL,
                        f"a streaming request came back as {content_type or 'no content type'}, "
                        "not text/event-stream: the gateway buffers or rewrites the stream",
                        Fix("Configure the gateway to stream /v1/messages responses unchanged."),
                    )
                )
            elif stream.problems:
                problems.append(
                    Problem(
                        Status.WARN,
                        "the event stream is malformed: " + "; ".join(stream.problems),
                        Fix("The gateway must pass server-sent events through unchanged."),
                    )
                )

    probe = live.post(
        ctx,
        shape.COUNT_TOKENS_PATH,
        count_tokens_body(model.model_id),
        model,
        {"anthropic-beta": shape.PROBE_BETA},
    ).classified
    if probe is not None and counted is not None and counted.verdict is Verdict.OK:
        forwarded = probe.verdict is Verdict.BETA_REJECTED or shape.PROBE_BETA in probe.server_says
        details["beta_forwarded"] = forwarded
        if probe.verdict is Verdict.OK:
            problems.append(
                Problem(
                    Status.WARN,
                    "anthropic-beta does not reach the upstream: an unknown beta value was "
                    "accepted, so the gateway drops or rewrites the header",
                    Fix(
                        "Have the gateway forward anthropic-beta unchanged; otherwise Claude "
                        "Code's beta features are silently off."
                    ),
                )
            )

    cached = live.post(
        ctx,
        shape.COUNT_TOKENS_PATH,
        count_tokens_body(model.model_id, cache_control=True),
        model,
    ).classified
    if cached is not None and counted is not None and counted.verdict is Verdict.OK:
        details["cache_control"] = cached.verdict.value
        if cached.verdict is Verdict.EXTRA_INPUTS:
            problems.append(
                Problem(
                    Status.WARN,
                    "the gateway rejects cache_control: prompt caching cannot work through it",
                    Fix(
                        "Forward cache_control to the upstream, or set DISABLE_PROMPT_CACHING=1 "
                        "to stop the client sending it.",
                        ("export DISABLE_PROMPT_CACHING=1",),
                    ),
                )
            )
    return Outcome.from_problems(problems, f"{base.host} behaves like the Anthropic API", details)
