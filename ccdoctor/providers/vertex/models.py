"""Proving on Vertex that each model the client will use answers, and what a refusal means."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import models as model_data
from ccdoctor.knowledge.connectivity import CAUSES, FACT_DEFAULTS
from ccdoctor.knowledge.routes import VERTEX
from ccdoctor.net.client import HttpAnswer, HttpFailure, background
from ccdoctor.providers.vertex import wire as vertex
from ccdoctor.providers.vertex.errors import FACT_DEFAULTS as VERTEX_FACTS
from ccdoctor.providers.vertex.errors import (
    PROJECT_WIDE,
    GoogleError,
    VertexCause,
    VertexErrorRow,
    classify_vertex_error,
    parse_google_error,
    quota_facts,
)
from ccdoctor.providers.vertex.live import (
    Budget,
    Exchange,
    VertexCaller,
    VertexTarget,
    call_vertex,
    is_token_count,
    served_elsewhere,
)
from ccdoctor.wire import fallback
from ccdoctor.wire.messages import error_text, sse_shape

_BASE_URL_VARIABLE = VERTEX.base_url_variable
_SKIP_AUTH_VARIABLE = VERTEX.skip_auth
_REGION_VARIABLE = "CLOUD_ML_REGION"
NETWORK_STEPS = 3
"""Network steps the runner allows a live check; the probes share them."""
_TEXT_CAP = 300
_TAGS = re.compile(r"<[^>]+>")


# --- what an answer means -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What one Vertex AI answer means: success, or the status, error row and server text of a
    refusal or failure."""

    ok: bool
    status: int | None = None
    row: VertexErrorRow | None = None
    google: GoogleError | None = None
    server_says: str = ""
    failure: HttpFailure | None = None
    not_google: bool = False
    """An error answer without Google's JSON: a gateway's own, or a front end's 404 page."""
    untried: bool = False
    malformed: str | None = None

    @property
    def project_wide(self) -> bool:
        return self.row is not None and not self.not_google and self.row.cause in PROJECT_WIDE


def _read(exchange: Exchange, streaming: bool) -> _Reading:
    answer = exchange.answer
    if answer is None:
        return _Reading(False, untried=True)
    if isinstance(answer, HttpFailure):
        return _Reading(False, failure=answer)
    if 200 <= answer.status < 300:
        problem = _stream_problem(answer) if streaming else _count_problem(answer)
        if problem is None:
            return _Reading(True, answer.status)
        if isinstance(problem, _Reading):
            return problem
        return _Reading(False, answer.status, malformed=problem)
    google = parse_google_error(answer.json())
    says = _one_line(google.message if google and google.message else _plain(answer))
    row = classify_vertex_error(answer.status, google, says)
    return _Reading(False, answer.status, row, google, says, not_google=google is None)


def _count_problem(answer: HttpAnswer) -> str | None:
    if is_token_count(answer):
        return None
    return "answered the token count with something that is not a token count"


def _stream_problem(answer: HttpAnswer) -> _Reading | str | None:
    if "text/event-stream" not in answer.headers.get("content-type", ""):
        return (
            "answered the streaming request without an event stream "
            f"({answer.headers.get('content-type') or 'no content-type'}), which the client "
            "cannot read"
        )
    stream = sse_shape(answer.body)
    if "error" in stream.events:
        says = _stream_error(answer.body)
        row = classify_vertex_error(529 if "overloaded" in says.lower() else 500, None, says)
        return _Reading(False, answer.status, row, None, says)
    if stream.problems:
        return "sent a broken event stream: " + "; ".join(stream.problems)
    return None


def _stream_error(body: str) -> str:
    for block in body.replace("\r\n", "\n").split("\n\n"):
        if "event: error" in block:
            data = block.split("data:", 1)[-1].strip()
            try:
                payload = json.loads(data)
            except ValueError:
                return _one_line(data)
            error = payload.get("error") if isinstance(payload, dict) else None
            if isinstance(error, dict):
                return _one_line(f"{error.get('type', '')}: {error.get('message', '')}")
    return "an error event"


def _plain(answer: HttpAnswer) -> str:
    if "html" in answer.headers.get("content-type", ""):
        return _TAGS.sub(" ", answer.body)
    return error_text(answer)


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _TEXT_CAP else flat[: _TEXT_CAP - 1] + "…"


# --- proving one model --------------------------------------------------------------------------


def fallback_landing(
    ctx: CheckContext, caller: VertexCaller, main: VertexTarget, proof: ModelProof, budget: Budget
) -> fallback.Landing | None:
    """Where the client's fallback lands when the main model is refused with a 403 or 404;
    None when the client would not fall back."""
    candidates = ctx.config.fallback_models()
    status = (proof.info.get("error") or {}).get("status")
    if main.role != "main" or proof.problem is None or status not in (403, 404) or not candidates:
        return None

    def answers(model_id: str) -> bool:
        model = dataclasses.replace(main.model, model_id=model_id)
        location = ctx.config.vertex_region_for(model_id)
        target = dataclasses.replace(main, model=model, location=location)
        return prove_model(ctx, caller, target, budget, explore=False).problem is None

    return fallback.walk(candidates, answers)


@dataclass(frozen=True)
class ModelProof:
    """What asking Vertex AI for one model proved: a summary, the problem and its cause, details,
    and what stays unproven."""

    summary: str
    problem: Problem | None
    cause: VertexCause | None
    info: dict[str, Any]
    unproven: tuple[str, ...] = field(default=())


def prove_model(
    ctx: CheckContext,
    caller: VertexCaller,
    target: VertexTarget,
    budget: Budget,
    explore: bool = True,
) -> ModelProof:
    """`explore`: on "not found", also ask which other locations serve the model (free calls;
    left out for the models of the client's fallback chain, where only the answer counts)."""
    model = target.model
    location = target.location.value
    role = model.label
    invoke = model.role == "main" and not ctx.options.no_invoke
    info: dict[str, Any] = {
        "role": model.role,
        "model": model.model_id,
        "location": location,
        "location_origin": target.location.origin,
    }
    # The client's own call goes out beside the free count rather than after it: one round
    # trip; the count's verdict still decides whether its answer is the one reported.
    streaming = (
        background(
            lambda: call_vertex(
                ctx, caller, budget, location, model.model_id, model.one_million, True
            )
        )
        if invoke
        else None
    )
    count = call_vertex(ctx, caller, budget, location, model.model_id, model.one_million, False)
    counted = _read(count, streaming=False)
    info["count_tokens"] = {"url": count.url, "status": counted.status, "ok": counted.ok}
    decisive, method, url = counted, "count-tokens", count.url
    if streaming is not None and not counted.project_wide and counted.failure is None:
        stream = streaming.result()
        decisive, method, url = _read(stream, streaming=True), vertex.STREAM_METHOD, stream.url
        info["stream"] = {"url": stream.url, "status": decisive.status, "ok": decisive.ok}
    where = f"{role} {model.model_id} in {location}"
    if decisive.ok:
        if method == vertex.STREAM_METHOD:
            return ModelProof(f"{where} answered the client's streamRawPredict", None, None, info)
        unproven = (
            f"the {role}'s prediction quota and streaming (a token count has its own quota)",
        )
        return ModelProof(f"{where} answered a free token count", None, None, info, unproven)
    severity = model.refusal_status
    if decisive.untried:
        message = f"{where}: no time left to ask Vertex AI (raise --timeout)"
        return ModelProof(message, Problem(Status.WARN, message), None, info)
    if decisive.failure is not None:
        problem = _network_problem(ctx.config, caller, where, location, decisive.failure, severity)
        return ModelProof(where, problem, None, info)
    if decisive.malformed is not None:
        host = urlsplit(url).netloc
        message = f"{where}: {host} {decisive.malformed}"
        fix = Fix(
            f"Something between Claude Code and Vertex AI rewrites the answer: a gateway must "
            f"pass streamRawPredict's event stream through unchanged; check {_BASE_URL_VARIABLE} "
            "and the gateway's Vertex route."
        )
        return ModelProof(where, Problem(severity, message, fix), None, info)
    if decisive.not_google and decisive.status == 404 and method == "count-tokens":
        # Token counting is optional for a gateway: its absence proves nothing either way.
        info["count_tokens"]["route_missing"] = True
        summary = f"{where} could not be checked for free (the endpoint has no token counting)"
        if model.role == "main":
            problem = Problem(
                Status.WARN,
                f"{where}: could not be checked with a free call: the endpoint has no token "
                "counting (run without --no-invoke to prove it with the client's own request)",
            )
            return ModelProof(summary, problem, None, info)
        return ModelProof(summary, None, None, info, (f"the {role} {model.model_id}",))
    return _refusal(ctx, caller, target, budget, decisive, method, url, severity, info, explore)


def _refusal(
    ctx: CheckContext,
    caller: VertexCaller,
    target: VertexTarget,
    budget: Budget,
    reading: _Reading,
    method: str,
    url: str,
    severity: Status,
    info: dict[str, Any],
    explore: bool,
) -> ModelProof:
    model = target.model
    location = target.location.value
    role = model.label
    where = f"{role} {model.model_id} in {location}"
    row = reading.row
    assert row is not None
    info["error"] = {
        "status": reading.status,
        "cause": row.cause.value,
        "says": reading.server_says,
    }
    if reading.google is not None and reading.google.status:
        info["error"]["google_status"] = reading.google.status
    if reading.not_google and reading.status == 404:
        return ModelProof(where, _no_route(caller, where, url, severity), None, info)
    facts = _facts(caller, target, reading)
    if explore and row.cause is VertexCause.MODEL_NOT_FOUND and not reading.not_google:
        facts["served_in"] = ", ".join(served_elsewhere(ctx, caller, budget, target))
        info["served_in"] = facts["served_in"].split(", ") if facts["served_in"] else []
    if row.transient:
        severity = Status.WARN
    status = f"HTTP {reading.status}" + (
        f" {reading.google.status}" if reading.google and reading.google.status else ""
    )
    speaker = "the gateway said" if reading.not_google else "Google said"
    message = (
        f"{where}: {row.meaning.format(**facts)} ({method}: {status}; {speaker} "
        f'"{reading.server_says}")'
    )
    return ModelProof(
        where,
        Problem(severity, message, _fix(ctx.config, caller, target, row, facts)),
        row.cause,
        info,
    )


def _facts(caller: VertexCaller, target: VertexTarget, reading: _Reading) -> dict[str, str]:
    model_id = target.model.model_id
    facts = {
        **VERTEX_FACTS,
        "project": caller.project,
        "location": target.location.value,
        "model": model_id,
        "model_name": vertex.model_name(model_id),
        "base_model": vertex.base_model(model_id),
        "region_variable": model_data.vertex_region_variable(model_id) or _REGION_VARIABLE,
        "model_garden_url": vertex.MODEL_GARDEN_URL.format(
            model_name=vertex.model_name(model_id), project=caller.project
        ),
        "quotas_url": vertex.QUOTAS_URL.format(project=caller.project),
        "consumer": caller.project,
        "served_in": "",
    }
    if caller.token is not None and caller.token.principal:
        principal = caller.token.principal
        kind = "serviceAccount" if principal.endswith(".gserviceaccount.com") else "user"
        facts["member"] = f"{kind}:{principal}"
    if reading.google is not None:
        consumer = reading.google.metadata.get("consumer", "")
        if consumer:
            facts["consumer"] = consumer.removeprefix("projects/")
        facts.update(quota_facts(reading.google.message))
    return facts


# --- fixes --------------------------------------------------------------------------------------


def _fix(
    config: ResolvedConfig,
    caller: VertexCaller,
    target: VertexTarget,
    row: VertexErrorRow,
    facts: dict[str, str],
) -> Fix:
    cause = row.cause
    variable = facts["region_variable"]
    if cause is VertexCause.MODEL_NOT_FOUND:
        return _not_found_fix(target, facts)
    if cause is VertexCause.QUOTA_EXHAUSTED and facts["location"] != "global":
        text = row.fix.format(**facts) + f" For global: set {variable}=global."
        return Fix(text, (f"export {variable}=global",), json.dumps({"env": {variable: "global"}}))
    if cause is VertexCause.SERVICE_DISABLED and caller.quota_project not in (None, caller.project):
        quota = caller.quota_project
        return Fix(
            f"{row.fix} Requests also bill the quota project {quota} "
            f"({vertex.QUOTA_PROJECT_HEADER}), where the API must be enabled too; or make "
            f"{caller.project} the quota project.",
            (
                f"gcloud services enable aiplatform.googleapis.com --project {quota}",
                f"gcloud services enable aiplatform.googleapis.com --project {caller.project}",
                f"gcloud auth application-default set-quota-project {caller.project}",
            ),
        )
    if cause is VertexCause.PROJECT_NOT_FOUND:
        return _project_fix(config, caller, row)
    if cause is VertexCause.UNAUTHENTICATED and caller.gateway:
        return removal_fix(
            config,
            f"The gateway wants credentials, and under {_SKIP_AUTH_VARIABLE} Claude Code sends "
            "none: give the gateway its own Google credentials, send the header it expects "
            f"with ANTHROPIC_CUSTOM_HEADERS, or unset {_SKIP_AUTH_VARIABLE} so your Google "
            "token is sent.",
            _SKIP_AUTH_VARIABLE,
        )
    if cause is VertexCause.UNAUTHENTICATED and caller.base is not None:
        return Fix(
            f"{urlsplit(caller.base).netloc} refused your Google access token. If it is a "
            f"gateway that adds credentials of its own, set {_SKIP_AUTH_VARIABLE}=1; otherwise "
            "log in again.",
            (f"export {_SKIP_AUTH_VARIABLE}=1", "gcloud auth application-default login"),
        )
    text = row.fix.format(**facts)
    if cause in (
        VertexCause.IAM_DENIED,
        VertexCause.SERVICE_DISABLED,
    ) and caller.project_origin in (
        "GCLOUD_PROJECT",
        "GOOGLE_CLOUD_PROJECT",
    ):
        text += (
            f" Note: the project comes from {caller.project_origin}, which beats "
            "ANTHROPIC_VERTEX_PROJECT_ID."
        )
    return Fix(text, tuple(c.format(**facts) for c in row.commands))


def _not_found_fix(target: VertexTarget, facts: dict[str, str]) -> Fix:
    variable = facts["region_variable"]
    served = [s for s in facts["served_in"].split(", ") if s]
    scope = "for this model only" if variable != _REGION_VARIABLE else "for every model"
    if served:
        first = served[0]
        return Fix(
            f"{facts['model']} answers in {', '.join(served)} (free token counts there) but not "
            f"in {facts['location']}: call it in {first} — set {variable}={first} ({scope}).",
            (f"export {variable}={first}",),
            json.dumps({"env": {variable: first}}),
        )
    tried = ", ".join(dict.fromkeys((facts["location"], *vertex.TRY_LOCATIONS)))
    return Fix(
        f"No location tried ({tried}) serves {facts['model']} to project {facts['project']}: "
        f"enable it in Model Garden ({facts['model_garden_url']}; approval can take 24–48 h) "
        "and check that the ID is a Vertex model version (name@YYYYMMDD up to the 4.5 models; "
        "no date from 4.6 on)."
    )


def _project_fix(config: ResolvedConfig, caller: VertexCaller, row: VertexErrorRow) -> Fix:
    origin = caller.project_origin
    if origin in ("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"):
        return removal_fix(
            config,
            f"{row.fix} Claude Code takes the project from {origin}, which beats "
            "ANTHROPIC_VERTEX_PROJECT_ID: correct or unset it.",
            origin,
            before=row.commands,
        )
    return Fix(
        f"{row.fix} Then set ANTHROPIC_VERTEX_PROJECT_ID to it (the project now comes from "
        f"{origin}).",
        (*row.commands, "export ANTHROPIC_VERTEX_PROJECT_ID=PROJECT_ID"),
    )


def _no_route(caller: VertexCaller, where: str, url: str, severity: Status) -> Problem:
    base = caller.base or "Google's endpoint"
    path = urlsplit(url).path
    return Problem(
        severity,
        f"{where}: nothing at {base} serves {path} (a 404 without Google's error)",
        Fix(
            f"Claude Code appends /projects/…:streamRawPredict to {_BASE_URL_VARIABLE}, which must "
            "therefore end where the gateway serves Vertex's /v1 API (LiteLLM: "
            "http://HOST:4000/vertex_ai/v1); the gateway must serve :streamRawPredict and "
            ":rawPredict there."
        ),
    )


def _network_problem(
    config: ResolvedConfig,
    caller: VertexCaller,
    where: str,
    location: str,
    failure: HttpFailure,
    severity: Status,
) -> Problem:
    base = caller.base_for(location)
    parts = urlsplit(base)
    facts = {
        **FACT_DEFAULTS,
        "host": parts.hostname or "",
        "port": str(parts.port or (443 if parts.scheme == "https" else 80)),
        "url": base,
        "endpoint_var": caller.endpoint_name(location),
        "detail": failure.detail,
    }
    text = CAUSES[failure.cause]
    return Problem(
        severity,
        f"{where}: {text.summary.format(**facts)}",
        removal_fix(
            config,
            text.fix.format(**facts),
            *text.unsets_for(facts),
            after=text.commands_for(facts),
        ),
    )
