"""Proving on Bedrock that each model the client will send is served, and what a refusal means."""

from __future__ import annotations

import dataclasses
import enum
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import models as model_data
from ccdoctor.providers.bedrock import live as shared
from ccdoctor.providers.bedrock import wire as live
from ccdoctor.providers.bedrock.aws import AwsAnswer, AwsError, AwsResult
from ccdoctor.providers.bedrock.errors import Kind, fill
from ccdoctor.wire import fallback


class _Proof(enum.Enum):
    """What the calls proved about one model."""

    STREAMED = "streamed"
    ANSWERED = "answered"
    """HTTP 200 from the model, but not as an event stream the client can read (proxy.conformance
    says what the client makes of it)."""
    COUNTED = "counted"
    AVAILABLE = "available"
    UNKNOWN = "unknown"
    REFUSED = "refused"


@dataclass
class ModelTarget:
    """One model the client will send, in the region it sends it to, and what the calls found."""

    model: ModelChoice
    model_id: str
    """What the client sends: the configured ID, or the profile it falls back to."""
    region: str
    listing: shared.Listing | None = None
    """The region's inference profiles, when the listing worked."""
    base: str | None = None
    lookup: AwsResult | None = None
    """GetInferenceProfile, for an application inference profile."""
    availability: AwsResult | None = None
    proof: AwsResult | None = None
    proof_call: str = "CountTokens"
    notes: list[str] = field(default_factory=list)
    """Why nothing was conclusive, when nothing was."""

    @property
    def role(self) -> str:
        return self.model.role

    @property
    def main(self) -> bool:
        return self.model.role == "main"

    @property
    def label(self) -> str:
        return f"{self.model.label} {self.model_id}"

    @property
    def severity(self) -> Status:
        return Status.FAIL if self.main else Status.WARN

    @property
    def profile_missing(self) -> bool:
        return isinstance(self.lookup, AwsError) and shared.not_found(self.lookup)


def model_targets(
    ctx: CheckContext, budget: shared.Budget, listed: bool = True
) -> list[ModelTarget]:
    """The main and the small/fast model as the client sends them, then the session's
    mid-session models (in the main region), each (model, region) once; with `listed` False, as
    it sends them when its region lists the profile it prefers (no listing asked for)."""
    config = ctx.config
    pairs = [
        (config.main_model, config.bedrock_region.value),
        (config.small_model, config.small_model_region.value),
        *((model, config.bedrock_region.value) for model in config.session_models),
    ]
    targets: list[ModelTarget] = []
    for model, region in pairs:
        found = shared.listing(ctx, region, budget) if listed else None
        listing = found if isinstance(found, shared.Listing) else None
        model_id = shared.sent_model_id(model, listing)
        if any((t.model_id, t.region) == (model_id, region) for t in targets):
            continue
        targets.append(ModelTarget(model, model_id, region, listing, shared.base_model(model_id)))
    return targets


# --- the calls -----------------------------------------------------------------------------------


def _parallel(calls: list[Callable[[], None]]) -> None:
    """Each call is bounded by its own time limit, so joining them all is bounded too."""
    threads = [threading.Thread(target=c, daemon=True) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def survey(
    ctx: CheckContext, budget: shared.Budget
) -> tuple[list[ModelTarget], dict[str, dict[str, Any] | AwsError]]:
    """Every call for every model, beside the profile listing that may change which model is
    sent, in one round trip: the client sends the profile it prefers unless its region does not
    list it, so the calls for that profile go out at once, and only a model the listing sends
    elsewhere is asked again. Returns the targets as the client sends them, and each region's
    model list."""
    guessed = model_targets(ctx, budget, listed=False)
    regions = list(dict.fromkeys(t.region for t in guessed))
    catalogues: dict[str, dict[str, Any] | AwsError] = {}

    def listing(region: str) -> Callable[[], None]:
        def run() -> None:
            shared.listing(ctx, region, budget)  # kept for model_targets by ctx.once

        return run

    def catalogue(region: str) -> Callable[[], None]:
        def run() -> None:
            catalogues[region] = shared.catalogue(ctx, region, budget)

        return run

    _parallel(
        [listing(r) for r in regions]
        + [catalogue(r) for r in regions]
        + [_calls_for(ctx, t, budget) for t in guessed]
    )
    asked = {(t.role, t.model_id, t.region): t for t in guessed}
    targets: list[ModelTarget] = []
    again: list[ModelTarget] = []
    for target in model_targets(ctx, budget):
        done = asked.get((target.role, target.model_id, target.region))
        if done is None:
            again.append(target)
        targets.append(
            target if done is None else dataclasses.replace(done, listing=target.listing)
        )
    _parallel([_calls_for(ctx, t, budget) for t in again])
    return targets, catalogues


def _calls_for(ctx: CheckContext, target: ModelTarget, budget: shared.Budget) -> Callable[[], None]:
    """The client's lookup of an application profile (which the other calls need: its base
    model, whether it exists), then availability (diagnostic) and the decisive call together."""
    link = shared.link(ctx)

    def availability() -> None:
        target.availability = link.call(
            live.CONTROL_SERVICE,
            target.region,
            "get_foundation_model_availability",
            budget.left(),
            {"modelId": target.base},
        )

    def run() -> None:
        if shared.is_application_profile(target.model_id):
            target.lookup = shared.application_profile(ctx, target.model_id, target.region, budget)
            if isinstance(target.lookup, AwsAnswer):
                target.base = _profile_base(target.lookup) or target.base
        calls = [availability] if target.base else []
        if not target.profile_missing:
            calls.append(lambda: prove_one(ctx, target, budget))
        _parallel(calls)

    return run


def prove_one(ctx: CheckContext, target: ModelTarget, budget: shared.Budget) -> None:
    """The decisive call for one model: the client's own streaming call for the main model,
    a free token count otherwise (and for everything under --no-invoke)."""
    if target.main and not ctx.options.no_invoke:
        target.proof_call = "InvokeModelWithResponseStream"
        target.proof = shared.stream_invoke(ctx, target.model_id, target.region, budget)
        return
    body = {k: v for k, v in live.probe_body().items() if k != "max_tokens"}
    target.proof = shared.link(ctx).call(
        live.RUNTIME_SERVICE,
        target.region,
        "count_tokens",
        budget.left(),
        {
            # Token counting takes the base model; not every profile is accepted.
            "modelId": target.base or target.model_id,
            "input": {"invokeModel": {"body": json.dumps(body).encode()}},
        },
    )


_FALLBACK_CAUSES = frozenset({"invalid_model_id", "model_not_found"})
"""Refusals besides a 403 that the client answers by asking the next model of its chain (a
400 for an identifier the region does not know, watched on 2.1.332)."""


def falls_back(target: ModelTarget) -> bool:
    """Whether the client would ask the next model after this answer to the main model."""
    proof = target.proof
    if not target.main or not isinstance(proof, AwsError):
        return False
    return proof.status in (403, 404) or proof.rule.cause in _FALLBACK_CAUSES


def fallback_landing(
    ctx: CheckContext, main: ModelTarget, budget: shared.Budget
) -> fallback.Landing | None:
    """Where the client's fallback lands when the main model is refused; None when the client
    would not fall back (a pinned model, a version without it, another kind of refusal)."""
    candidates = ctx.config.fallback_models()
    if not candidates or not falls_back(main):
        return None

    def answers(model_id: str) -> bool:
        model = dataclasses.replace(main.model, model_id=model_id, explicit=False)
        sent = shared.sent_model_id(model, main.listing)
        target = ModelTarget(main.model, sent, main.region, main.listing, shared.base_model(sent))
        prove_one(ctx, target, budget)
        return isinstance(target.proof, AwsAnswer)

    return fallback.walk(candidates, answers)


# --- the verdict ---------------------------------------------------------------------------------


def model_verdict(
    ctx: CheckContext, target: ModelTarget, catalogue: dict[str, Any] | AwsError | None
) -> tuple[list[Problem], dict[str, Any], str]:
    info: dict[str, Any] = {"model": target.model_id, "region": target.region}
    if target.model_id != target.model.model_id:
        info["configured"] = target.model.model_id
    problems = _lookup_problems(ctx, target, info)
    if target.profile_missing:
        return problems, info, f"{target.label}: not found in {target.region}"
    explanation = _availability_verdict(target, info)
    found, proof = _proof_verdict(ctx, target, info, explanation)
    problems += found
    if proof is _Proof.UNKNOWN and explanation:
        problems.append(
            Problem(
                Status.WARN,
                f"{target.label}: not proven with a free call, and Bedrock says "
                f"{'; '.join(explanation)}",
                _availability_fix(target),
            )
        )
    elif proof is _Proof.UNKNOWN and target.main:
        problems.append(
            Problem(
                Status.WARN,
                f"could not check {target.label} with free calls "
                f"({'; '.join(target.notes) or 'no conclusive answer'})",
                Fix(
                    "Run without --no-invoke to prove it with the client's own call (billed, "
                    "a few tokens).",
                    ("ccdoctor --only models.bedrock",),
                ),
            )
        )
    problems += _lifecycle_problems(ctx, target, catalogue, info)
    return problems, info, _summary(target, proof)


def _summary(target: ModelTarget, proof: _Proof) -> str:
    where = f"in {target.region}"
    if proof is _Proof.STREAMED:
        return f"{target.label} answers {where} (streamed, one token)"
    if proof is _Proof.ANSWERED:
        return f"{target.label} answers {where} (one token, not as an event stream)"
    if proof is _Proof.COUNTED:
        unproven = (
            "throttling, the daily token quota and the event stream stay unproven"
            if target.main
            else "invocation unproven"
        )
        return f"{target.label} known {where} (free token count; {unproven})"
    if proof is _Proof.AVAILABLE:
        return f"{target.label} available {where} (per GetFoundationModelAvailability; not invoked)"
    if proof is _Proof.REFUSED:
        return f"{target.label}: refused {where}"
    return f"{target.label}: not proven {where}"


def _lookup_problems(ctx: CheckContext, target: ModelTarget, info: dict[str, Any]) -> list[Problem]:
    result = target.lookup
    if result is None:
        return []
    if isinstance(result, AwsAnswer):
        status = str(result.data.get("status", ""))
        info["application_profile"] = {"status": status, "base": target.base}
        if not status or status == live.ACTIVE:
            return []
        return [
            Problem(
                target.severity,
                f"{target.label}: the application inference profile is {status}, not ACTIVE",
                Fix(
                    "Wait for it to become ACTIVE, or point the model at an active profile.",
                    (
                        f"aws bedrock get-inference-profile --region {target.region} "
                        f"--inference-profile-identifier {target.model_id}",
                    ),
                ),
            )
        ]
    info["application_profile"] = result.describe()
    if shared.not_found(result):
        return [
            Problem(
                target.severity,
                f"{target.label}: no such application inference profile in {target.region} "
                f"({result.describe()}): deleted, or created in another region",
                Fix(
                    "Point the model at a profile listed in the region of its ARN.",
                    (
                        "aws bedrock list-inference-profiles --type-equals APPLICATION "
                        f"--region {target.region}",
                    ),
                ),
            )
        ]
    if result.rule.kind is Kind.PERMISSION:
        return [
            shared.error_problem(
                ctx.config,
                Status.WARN,
                f"{target.label}: could not look up the application profile, as the client does "
                "(it then retries with the other request shape)",
                result,
                shared.facts(ctx, result, target.model, target.model_id, target.region),
            )
        ]
    return []


def _availability_verdict(target: ModelTarget, info: dict[str, Any]) -> list[str]:
    """What GetFoundationModelAvailability says is wrong (empty when healthy or unknown)."""
    result = target.availability
    if result is None:
        return []
    if isinstance(result, AwsError):
        info["availability"] = f"could not check: {result.describe()}"
        target.notes.append(f"availability could not be checked ({result.code})")
        return []
    data = result.data
    agreement = data.get("agreementAvailability") or {}
    info["availability"] = {k: v for k, v in data.items() if k != "modelId"}
    found: list[str] = []
    status = str(agreement.get("status", ""))
    if status == live.AGREEMENT_PENDING:
        found.append("its AWS Marketplace subscription is still pending (up to 15 min)")
    elif status and status not in live.AGREEMENT_OK:
        detail = f": {agreement['errorMessage']}" if agreement.get("errorMessage") else ""
        found.append(f"the account has no AWS Marketplace agreement for it ({status}{detail})")
    if data.get("authorizationStatus") not in (None, live.AUTHORIZED):
        found.append("the account is not authorized (use-case form not submitted?)")
    if data.get("entitlementAvailability") not in (None, live.AVAILABLE):
        found.append("the account has no entitlement to it")
    if data.get("regionAvailability") not in (None, live.AVAILABLE):
        found.append(f"it is not offered in {target.region}")
    return found


def _availability_fix(target: ModelTarget) -> Fix:
    return Fix(
        "Invoke the model once as a principal allowed to subscribe in AWS Marketplace "
        "(aws-marketplace:Subscribe, aws-marketplace:ViewSubscriptions), submit the Anthropic "
        "use-case form (Bedrock console → Model catalog), then wait up to 15 minutes; or call a "
        "region that offers the model.",
        (
            f"aws bedrock get-foundation-model-availability --region {target.region} "
            f"--model-id {target.base}",
        ),
    )


def _proof_verdict(
    ctx: CheckContext, target: ModelTarget, info: dict[str, Any], explanation: list[str]
) -> tuple[list[Problem], _Proof]:
    """Problems from the decisive call, and what it proved."""
    result = target.proof
    healthy = isinstance(target.availability, AwsAnswer) and not explanation
    fallback = _Proof.AVAILABLE if healthy else _Proof.UNKNOWN
    if result is None:
        return [], fallback
    info["call"] = target.proof_call
    if isinstance(result, AwsAnswer):
        if target.proof_call == "CountTokens":
            info["input_tokens"] = result.data.get("inputTokens")
            return [], _Proof.COUNTED
        return _stream_verdict(result, info)
    info["error"] = result.describe()
    rule = result.rule
    info["cause"] = rule.cause
    counting = target.proof_call == "CountTokens"
    if counting and (
        rule.cause in live.INCONCLUSIVE_COUNT_TOKENS or rule.kind in (Kind.PERMISSION, Kind.NETWORK)
    ):
        target.notes.append(f"CountTokens inconclusive ({result.code})")
        return [], fallback
    replace = rule.cause in ("end_of_life", "legacy_inactive")
    suggested = _replacement(ctx, target) if replace else _same_model(ctx, target)
    known = shared.facts(ctx, result, target.model, target.model_id, target.region, suggested)
    status = Status.WARN if rule.transient or rule.kind is Kind.TRANSIENT else target.severity
    extra = f" Bedrock's availability check says {'; '.join(explanation)}." if explanation else ""
    call = "a free token count" if counting else "the client's own call"
    commands: tuple[str, ...] = ()
    if rule.cause == "signature_mismatch" and shared.link(ctx).setup.base_url is not None:
        # Signed for the gateway's address and forwarded elsewhere: let the gateway sign.
        commands = (f"export {live.SKIP_AUTH_VARIABLE}=1",)
    problem = shared.error_problem(
        ctx.config, status, f"{target.label} ({call})", result, known, extra, commands
    )
    return [problem], _Proof.REFUSED


def _stream_verdict(answer: AwsAnswer, info: dict[str, Any]) -> tuple[list[Problem], _Proof]:
    """The model answered. Whether the client can read the stream is the gateway's doing, and
    proxy.conformance's verdict (a need): noted here, never judged twice."""
    stream = shared.Stream.of(answer)
    info["stream"] = stream.details()
    return [], _Proof.STREAMED if stream.readable else _Proof.ANSWERED


def _same_model(ctx: CheckContext, target: ModelTarget) -> str | None:
    """A listed profile of the same base model, the client's preferred prefix first."""
    if target.listing is None or target.base is None:
        return None
    listed = target.listing.for_base(target.base)
    preferred = [p for p in listed if p.startswith(ctx.config.bedrock_prefix + ".")]
    ranked = preferred or listed
    return ranked[0] if ranked else None


def _replacement(ctx: CheckContext, target: ModelTarget) -> str | None:
    """A listed profile of another, newer-looking model of the same family, for a model at or
    near its end of life."""
    if target.listing is None:
        return None
    others = target.listing.family(target.model_id, ctx.config.bedrock_prefix, target.base)
    return others[0] if others else None


def _lifecycle_problems(
    ctx: CheckContext,
    target: ModelTarget,
    catalogue: dict[str, Any] | AwsError | None,
    info: dict[str, Any],
) -> list[Problem]:
    if isinstance(catalogue, AwsError):
        info["lifecycle"] = f"could not check: {catalogue.describe()}"
        return []
    entry = (catalogue or {}).get(target.base or "")
    if not isinstance(entry, Mapping):
        return []
    lifecycle = entry.get("modelLifecycle") or {}
    status = str(lifecycle.get("status", ""))
    info["lifecycle"] = status
    if status != live.LEGACY:
        return []
    end = lifecycle.get("endOfLifeTime")
    when = f", end of life {str(end)[:10]}" if end else ""
    known = {
        "model_variable": shared.model_variable(target.role),
        "suggested_model": _replacement(ctx, target),
    }
    return [
        Problem(
            Status.WARN,
            f"{target.label} is LEGACY on Bedrock{when}: only accounts that used it recently keep "
            "access, and it will stop working",
            Fix(
                "Move to an active model.",
                (fill("export {model_variable}={suggested_model}", known),),
            ),
        )
    ]


def _profile_base(answer: AwsAnswer) -> str | None:
    for model in answer.data.get("models") or []:
        arn = model.get("modelArn", "") if isinstance(model, Mapping) else ""
        match = model_data.BEDROCK_ARN.match(str(arn))
        if match and match.group(3) == "foundation-model":
            return match.group(4)
    return None
