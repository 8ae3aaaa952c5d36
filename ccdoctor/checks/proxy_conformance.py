"""proxy.conformance — a gateway behaves as Claude Code expects beyond the basic request."""

from __future__ import annotations

from typing import Any

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status, skipped
from ccdoctor.spec import Cost, check


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

The request is the client's own for the main model, replayed from the facts of its version and
the user's switches: its thinking, effort, context_management, tools with their flags
(defer_loading), cache_control where the client puts it (with a 1h ttl when asked for) and
metadata, shrunk to a one-word prompt, a tiny tool (and one with its flags) and max_tokens 1. A
strict gateway that refuses one of those fields ("context_management: Extra inputs are not
permitted", "thinking.type: Input tag 'adaptive'…", "cache_control.ttl: 1h is not supported") is
named with the switch of that client version that removes the field, or the gateway setting where
none does: a failure when the client fails on it, a warning when the version sends the request
again without it (2.1.307 on, for context_management, defer_loading and thinking.display).

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
    from ccdoctor.net.client import background
    from ccdoctor.providers.anthropic import live
    from ccdoctor.providers.anthropic.gateway import (
        NO_CACHING_VARIABLE,
        PROPERTIES_JUDGED,
        beta_forwarded,
        cache_control_problem,
        described_status,
        free_call_field_problem,
        probe_cache_control,
        probe_unknown_beta,
        rejects_cache_control,
        stream_problems,
    )
    from ccdoctor.wire.messages import Verdict

    if ctx.config.provider.provider is Provider.BEDROCK:
        # Imported here: only a Bedrock run pays for loading the AWS side.
        from ccdoctor.providers.bedrock.gateway import bedrock_gateway_conformance

        return bedrock_gateway_conformance(ctx)
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
    beta_probe = (
        None if ctx.options.no_invoke else background(lambda: probe_unknown_beta(ctx, model))
    )
    caching = None
    if not ctx.config.truthy(NO_CACHING_VARIABLE):
        caching = background(lambda: probe_cache_control(ctx, model))
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
    elif ctx.options.no_invoke and (refused := free_call_field_problem(ctx, counted)):
        problems.append(refused)
    elif not counts:
        unproven.append(f"token counting ({described_status(counted)})")

    if ctx.options.no_invoke:
        unproven.append("streaming (--no-invoke)")
    else:
        assert streaming is not None
        problems.extend(stream_problems(ctx, streaming, base, details, unproven))

    forwarded = beta_forwarded(ctx, model, counts, beta_probe)
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

    if ctx.config.truthy(NO_CACHING_VARIABLE):
        details["cache_control"] = f"not sent ({NO_CACHING_VARIABLE})"
    elif counts and caching is not None:
        cached = caching.result()
        details["cache_control"] = cached.verdict.value if cached else "no answer"
        if cached is not None and rejects_cache_control(cached):
            problems.append(cache_control_problem(cached))
        elif cached is None or cached.verdict is not Verdict.OK:
            unproven.append(f"cache_control ({described_status(cached)})")
    else:
        unproven.append("cache_control (needs token counting)")

    details["unproven"] = unproven
    if not problems and len(unproven) == PROPERTIES_JUDGED:
        return skipped("nothing could be checked: " + "; ".join(unproven), **details)
    ok = f"{base.host} behaves like the Anthropic API"
    if unproven:
        ok += " (unproven: " + "; ".join(unproven) + ")"
    return Outcome.from_problems(problems, ok, details)
