"""Whether a gateway at ANTHROPIC_BEDROCK_BASE_URL passes Bedrock's binary event stream through
as the client expects it."""

from __future__ import annotations

from typing import Any

from ccdoctor.config.endpoints import inference_endpoint
from ccdoctor.config.removal import removal_fix
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Outcome, Problem, Status, skipped
from ccdoctor.providers.bedrock import live as aws
from ccdoctor.providers.bedrock import wire as bedrock
from ccdoctor.providers.bedrock.aws import AwsError


def bedrock_gateway_conformance(ctx: CheckContext) -> Outcome:
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
            removal_fix(
                ctx.config,
                f"{_PASS_THROUGH} Meanwhile, unset {fallback}: the client then retries each turn "
                "without streaming.",
                fallback,
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
