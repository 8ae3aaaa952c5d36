"""models.anthropic — the API or gateway serves the exact models the client will request."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ccdoctor.config.endpoints import Endpoint
from ccdoctor.config.mid_session import mid_session_note
from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.knowledge import network
from ccdoctor.knowledge.request_fields import rejected_field
from ccdoctor.spec import Cost, check
from ccdoctor.wire.messages import Verdict

if TYPE_CHECKING:
    from ccdoctor.wire.messages import Credential

_SUMMARY = {
    Verdict.UNKNOWN_MODEL: "does not serve {model}",
    Verdict.BETA_REJECTED: "rejects the anthropic-beta header Claude Code sends with {model}",
    Verdict.EXTRA_INPUTS: "rejects the beta body fields Claude Code sends with {model}",
    Verdict.WRONG_PATH: "has no /v1/messages at this base URL",
    Verdict.RATE_LIMITED: "is rate-limiting {model} right now (429)",
    Verdict.OVERLOADED: "is overloaded for {model} right now (529)",
    Verdict.UPSTREAM_DOWN: "is up, but its upstream provider is down for {model}",
    Verdict.MALFORMED: "answered HTTP 200 for {model} with something that is not the API",
    Verdict.REDIRECT: "redirects the request for {model} elsewhere",
    Verdict.AUTH_REJECTED: "rejects the credential for {model}",
    Verdict.BAD_REQUEST: "refused the request for {model}",
    Verdict.SERVER_ERROR: "failed with a server error for {model}",
}


@check(
    id="models.anthropic",
    title="Models served",
    category=Category.MODELS,
    description="The API or gateway answers the exact request Claude Code sends for the main and "
    "the small/fast model (streaming, max_tokens 1; billed, a few tokens).",
    explain="""
Claude Code posts to {base}/v1/messages?beta=true with its anthropic-version and anthropic-beta
headers and the exact model ID (claude-opus-4-8 with the 1M-context beta by default on 2.1.197).
A gateway that does not serve that model, or whose base URL lacks the /anthropic prefix, makes the
client print the same misleading "There's an issue with the selected model". A gateway that
allowlists beta values answers 400 "Unexpected value(s) … for the anthropic-beta header".

This check sends that request with max_tokens 1 (about ten input tokens and one output token, so a
fraction of a cent) for the main model and the small/fast model, and classifies the answer: unknown
model (with the gateway's own model list), beta rejected (CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1),
wrong path (with the nearby base URL that does answer, found with free model listings: a missing
/anthropic prefix, an extra path), 429 and 529 (transient: warnings), the gateway up but its
upstream down (with the upstream's message), a redirect (never followed, so the credential stays
here: a 307 or 308, which the client follows, is a warning; a 301, 302 or 303, which the client
turns into a GET and fails on, is a failure), or a non-API page. With --no-invoke it uses the free
token-counting call instead, and says what that leaves unproven (quota, billing, streaming).

The main model not served is a failure. The small/fast model not served is a warning: background
tasks degrade, but a one-shot `claude -p` still works (seen with the real client).

The client sends further models only mid-session: CLAUDE_CODE_SUBAGENT_MODEL for every subagent,
CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL for a workflow's agents (2.1.307 on),
ANTHROPIC_DEFAULT_SONNET_MODEL and ANTHROPIC_DEFAULT_OPUS_MODEL when a session or an agent switches
to that alias. Each one set is checked with the free token-counting call only, and one the
endpoint does not serve is a warning naming the variable: the client starts, and a subagent fails
later with a 404. With no model chosen, the main model is the opus alias, so
ANTHROPIC_DEFAULT_OPUS_MODEL then is the main model, needed at start-up (observed on 2.1.197 and
2.1.332: tests/facts/session_models.md).
""",
    needs=(
        "proxy.config",
        "proxy.reachable",
        "credentials.anthropic",
        "proxy.auth",
        "proxy.conformance",
    ),
    providers=[Provider.ANTHROPIC],
    network=True,
    cost=Cost.BILLED_CALL,
)
def models_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.net.client import background
    from ccdoctor.providers.anthropic import live

    found = live.route(ctx)
    if isinstance(found, Outcome):
        return found
    base, sent = found.base, found.sent
    config = ctx.config
    roles = [*config.models_asked, *config.session_models]
    problems: list[Problem] = []
    details: dict[str, Any] = {"endpoint": base.url, "free_calls_only": ctx.options.no_invoke}
    proofs = [(m, background(partial(_prove, ctx, m, base, sent))) for m in roles]
    for model, proof in proofs:
        problem, info = proof.result()
        details[model.role] = info
        if problem is not None:
            problems.append(problem)
    names = " and ".join(m.model_id for m in roles if not m.mid_session)
    if ctx.options.no_invoke:
        ok = (
            f"{base.host} knows {names} (free token count; unproven with --no-invoke: quota, "
            "billing and streaming)"
        )
    else:
        ok = f"{base.host} serves {names}"
    if further := [m for m in roles if m.mid_session]:
        known = ", ".join(f"{m.model_id} ({m.variable})" for m in further)
        ok += f"; it knows {known} for mid-session use (free token count)"
    return Outcome.from_problems(problems, ok, details)


def _free_only(ctx: CheckContext, model: ModelChoice) -> bool:
    """A model asked mid-session only is proven with the free call: no billed request for it."""
    return ctx.options.no_invoke or model.mid_session


def _redirect_loop(
    model: ModelChoice, base: Endpoint, role: str, severity: Status, status: int
) -> Problem:
    return Problem(
        severity,
        f"{role}: {base.host} redirects the request for {model.model_id} to itself "
        f"(HTTP {status}, a loop): Claude Code follows it until it gives up",
        Fix(
            f"The gateway at {base.url} redirects every request back to the same URL: check its "
            f"configuration, or set {base.variable} to the address it should serve."
        ),
    )


def _followed_redirect(model: ModelChoice, base: Endpoint, status: int, location: str) -> Problem:
    from ccdoctor.providers.anthropic import live

    target = live.redirected_base(base, location)
    return Problem(
        Status.WARN,
        f"could not check {model.model_id}: {base.host} redirects it (HTTP {status}) to "
        f"{location or 'another URL'}, which Claude Code follows with its credential; ccdoctor "
        "does not send a credential on",
        Fix(
            f"Point {base.variable} at the address the gateway redirects to: the client then "
            "goes there directly, and ccdoctor can check it.",
            (f"export {base.variable}={target}",) if target else (),
        ),
    )


def _prove(
    ctx: CheckContext, model: ModelChoice, base: Endpoint, sent: tuple[Credential, ...]
) -> tuple[Problem | None, dict[str, Any]]:
    from ccdoctor.net.client import HttpFailure
    from ccdoctor.providers.anthropic import live
    from ccdoctor.providers.anthropic.fields import field_problem

    free = _free_only(ctx, model)
    exchange = live.count_tokens(ctx, model) if free else live.invoke(ctx, model)
    info: dict[str, Any] = {"model": model.model_id, "request": exchange.url}
    severity, role = model.refusal_status, model.label
    if isinstance(exchange.answer, HttpFailure):
        message, network_fix = live.network_failure(ctx.config, exchange.answer, base)
        info["error"] = exchange.answer.detail
        return Problem(severity, f"{role} {model.model_id}: {message}", network_fix), info
    result = exchange.classified
    assert result is not None
    info["status"] = result.status
    info["verdict"] = result.verdict.value
    if result.verdict is Verdict.OK:
        return None, info
    if free and result.verdict is Verdict.WRONG_PATH and live.lists_models(ctx):
        return (
            Problem(
                Status.WARN,
                f"could not check {model.model_id} with a free call: the endpoint has no "
                "token counting (run without --no-invoke to prove it)",
            ),
            info,
        )
    info["server_says"] = result.server_says
    if (
        result.verdict is Verdict.REDIRECT
        and result.status in network.REDIRECTS_KEEPING_THE_REQUEST
    ):
        if urljoin(exchange.url, result.server_says) == exchange.url:
            return _redirect_loop(model, base, role, severity, result.status), info
        return _followed_redirect(model, base, result.status, result.server_says), info
    field = rejected_field(result.server_says) if result.verdict in live.BODY_VERDICTS else None
    if field is not None and field.field in ctx.config.facts.drops_rejected_fields:
        # The client sends it again without the field; proxy.conformance says what it costs.
        info["verdict"] = f"rejects {field.label}, dropped by the client"
        return None, info
    if field is not None:
        problem = field_problem(ctx.config, field, result)
        return Problem(severity, f"{role} {model.model_id}: {problem.message}", problem.fix), info
    summary = _SUMMARY[result.verdict].format(model=model.model_id)
    message = f"{role}: {base.host} {summary}: HTTP {result.status} {result.server_says}".strip()
    message += mid_session_note(model)
    if result.verdict is Verdict.AUTH_REJECTED:
        fix: Fix = live.auth_fix(sent, result, base)
    else:
        served = live.served_models(ctx) if result.verdict is Verdict.UNKNOWN_MODEL else []
        if served:
            info["served_models"] = served
        better = live.answering_base(ctx, base) if result.verdict is Verdict.WRONG_PATH else None
        fix = live.model_fix(
            ctx.config, result.verdict, model, base, served, result.server_says, better
        )
    return Problem(severity, message, fix), info
