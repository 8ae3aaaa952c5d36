"""Bedrock Mantle: the endpoint and region Claude Code uses, its request for a model signed as the
client signs it (SigV4 for bedrock-mantle with the AWS chain's credentials, a Bedrock API key as a
bearer, or nothing under skip-auth), and each refusal in the client's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccdoctor.config.view import ModelChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Outcome, Problem, Status, skipped
from ccdoctor.knowledge import mantle as known
from ccdoctor.providers.bedrock.signing import chain_signer
from ccdoctor.wire import fallback
from ccdoctor.wire.compatible import ANTHROPIC_VERSION, Reading, Signer, Verdict, post_messages


@dataclass(frozen=True)
class MantleEndpoint:
    """The Bedrock Mantle endpoint the client calls, where it came from, and the region and its
    origin."""

    base: str
    """What the client appends /v1/messages?beta=true to, without a trailing slash."""
    source: str
    region: str
    region_from: str


def endpoint(config: ResolvedConfig) -> MantleEndpoint:
    region = config.bedrock_region
    base = (config.get(known.BASE_URL_VARIABLE) or "").strip()
    if base:
        return MantleEndpoint(
            base.rstrip("/"), known.BASE_URL_VARIABLE, region.value, region.origin
        )
    return MantleEndpoint(
        known.url(region.value), "built from the region", region.value, region.origin
    )


def region_problems(config: ResolvedConfig) -> list[Problem]:
    found = endpoint(config)
    problems = [
        Problem(
            Status.WARN,
            f"{where} holds {raw!r}, which is no AWS region: Claude Code skips it",
            Fix(f"Set it to a region such as {known.REGION_DEFAULT}, or remove it."),
        )
        for where, raw in config.bedrock_region.skipped
    ]
    if found.source != known.BASE_URL_VARIABLE and found.region not in known.REGIONS:
        problems.append(
            Problem(
                Status.WARN,
                f"region {found.region} ({found.region_from}) is not among the regions known to "
                f"serve Claude on Mantle: {found.base} may not exist",
                Fix(
                    "Pick a region that serves Claude on Bedrock Mantle (us-east-1, us-west-2, "
                    "eu-west-1, ap-northeast-1, …).",
                    (f"export AWS_REGION={known.REGION_DEFAULT}",),
                ),
            )
        )
    return problems


# --- the request ---------------------------------------------------------------------------------


def _signer(ctx: CheckContext) -> Signer | str:
    """How the client authenticates its request, or why this check cannot do the same."""
    config = ctx.config
    if config.truthy(known.SKIP_AUTH_VARIABLE):
        return lambda _url, _body, headers: headers
    key = (config.get(known.API_KEY_VARIABLE) or "").strip()
    if key:
        return lambda _url, _body, headers: {**headers, "authorization": f"Bearer {key}"}
    return chain_signer(ctx, known.SIGV4_SERVICE, endpoint(config).region, "credentials.mantle")


def _ask(ctx: CheckContext, sign: Signer, model: str) -> Reading:
    url = endpoint(ctx.config).base + known.MESSAGES_PATH
    return post_messages(ctx, url, {"anthropic-version": ANTHROPIC_VERSION}, model, sign)


# --- the verdict ---------------------------------------------------------------------------------


def models_outcome(ctx: CheckContext) -> Outcome:
    if ctx.options.no_invoke:
        return skipped("not proven: Mantle has no free call the client makes (--no-invoke)")
    sign = _signer(ctx)
    if isinstance(sign, str):
        return skipped(sign)
    config = ctx.config
    roles = config.models_asked
    problems: list[Problem] = []
    details: dict[str, Any] = {"endpoint": endpoint(config).base}
    landing_summary = ""
    for model in roles:
        reading = _ask(ctx, sign, model.model_id)
        details[model.role] = {
            "model": model.model_id,
            "request": reading.url,
            "status": reading.status,
            "verdict": reading.verdict.value,
        }
        problem = _refusal(ctx, model, reading)
        if problem is None:
            continue
        candidates = fallback_models(config) if model.role == "main" else ()
        if candidates and reading.status in (403, 404):
            landing = fallback.walk(candidates, lambda m: _ask(ctx, sign, m).verdict is Verdict.OK)
            details["fallback"] = landing.details()
            problem = fallback.judged(config, problem, landing, "ANTHROPIC_MODEL")
            landing_summary = landing.summary
        problems.append(problem)
    names = " and ".join(m.model_id for m in roles)
    return Outcome.from_problems(
        problems, f"{details['endpoint']} serves {names}{landing_summary}", details
    )


def fallback_models(config: ResolvedConfig) -> tuple[str, ...]:
    """The models after the main one that the client's start-up probe tries on Mantle. Observed
    on 2.1.332, it differs from the other routes' fallback: neither stop variable turns it off,
    the `opus` alias walks it like the built-in default (a full ID pinned does not), and
    CLAUDE_CODE_SKIP_MANTLE_AUTH skips the probe, so nothing is tried after the main model.
    2.1.207-2.1.315 walk theirs the same way (tests/facts/observe.py watches every version)."""
    chain = config.facts.fallback_chain(config.provider.provider)
    main = config.main_model
    if config.truthy(known.SKIP_AUTH_VARIABLE) or not chain or main.model_id != chain[0]:
        return ()
    if main.explicit and main.requested.strip().lower() != "opus":
        return ()
    return chain[1:]


def _refusal(ctx: CheckContext, model: ModelChoice, reading: Reading) -> Problem | None:
    if reading.verdict is Verdict.OK:
        return None
    severity = model.refusal_status
    said = f"HTTP {reading.status} {reading.server_says}".strip()
    subject = f"{model.label} {model.model_id}"
    if reading.verdict is Verdict.NOT_SERVED:
        other = _suggestion(ctx.config, model.model_id)
        return Problem(
            severity,
            f"{subject} is not available ({said}): Claude Code ends with "
            f'"{known.NOT_AVAILABLE.format(model=model.model_id, other=other)}"',
            Fix(
                f"Switch to a model your Mantle deployment serves, e.g. {other}, or ask your "
                "AWS admin to enable this model in Amazon Bedrock.",
                (f"claude --model {other}", f"export ANTHROPIC_MODEL={other}"),
            ),
        )
    if reading.verdict is Verdict.AUTH_REJECTED:
        return Problem(
            severity,
            f"{subject}: the credential is refused ({said}): Claude Code ends with "
            f'"{known.AUTH_FAILED}"',
            Fix(
                "Refresh the AWS credentials (`aws sso login`, new access keys or Bedrock API "
                "key); if they are current, grant the principal bedrock-mantle access and "
                "enable the model in Amazon Bedrock.",
                ("aws sso login",),
            ),
        )
    if reading.verdict is Verdict.BUSY:
        return Problem(Status.WARN, f"{subject}: busy right now ({said})")
    return Problem(severity, f"{subject}: the request was refused ({said})")


def _suggestion(config: ResolvedConfig, model: str) -> str:
    """The model the client's 404 text proposes (see known.NOT_AVAILABLE)."""
    chain = config.facts.fallback_chain(config.provider.provider)
    if model in chain and chain.index(model) + 1 < len(chain):
        return chain[chain.index(model) + 1]
    return config.small_model.model_id
