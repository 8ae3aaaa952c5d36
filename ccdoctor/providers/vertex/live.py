"""Vertex AI calls made the way the client makes them, and where (location, host) each model is
served."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.config.removal import export_in_shell, removal_fix, where_to_set
from ccdoctor.config.view import ModelChoice, RegionChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import models as model_data
from ccdoctor.knowledge import network, regions
from ccdoctor.knowledge.network import UrlReading
from ccdoctor.knowledge.routes import VERTEX
from ccdoctor.net.client import HttpAnswer, HttpFailure, background
from ccdoctor.providers.vertex import wire as vertex
from ccdoctor.providers.vertex.credentials import find_gcp_credentials, google_token, vertex_project
from ccdoctor.providers.vertex.errors import (
    GoogleError,
    VertexCause,
    classify_vertex_error,
    parse_google_error,
)
from ccdoctor.providers.vertex.google import MintedToken
from ccdoctor.wire import requests as shape
from ccdoctor.wire.messages import custom_headers

_ROLES = (("main", "main"), ("small_fast", "small/fast"))
_REGION_VARIABLE = "CLOUD_ML_REGION"
_BASE_URL_VARIABLE = VERTEX.base_url_variable
_SKIP_AUTH_VARIABLE = VERTEX.skip_auth
_MARGIN = 0.2
"""Seconds kept back from a check's time limit for its own bookkeeping."""
_SHORTEST_CALL = 0.05
"""Seconds below which a call is not worth starting."""


@dataclass(frozen=True)
class VertexTarget:
    """One model, the location it is called in, and the host the request goes to."""

    role: str
    model: ModelChoice
    location: RegionChoice
    host: str


def vertex_targets(config: ResolvedConfig) -> tuple[VertexTarget, ...]:
    base = config.get(_BASE_URL_VARIABLE)
    reading = network.read_url(base) if base is not None else None
    models = {"main": config.main_model, "small_fast": config.small_model}
    targets = []
    for key, role in _ROLES:
        location = config.vertex_regions.get(key)
        if location is None:
            continue
        if isinstance(reading, UrlReading):
            host = f"{reading.display} ({_BASE_URL_VARIABLE})"
        else:
            host = regions.vertex_host(location.value)
        targets.append(VertexTarget(role, models[key], location, host))
    for model in config.session_models:
        # Called where the client calls any model: its own region variable, else CLOUD_ML_REGION.
        location = config.vertex_region_for(model.model_id)
        host = (
            f"{reading.display} ({_BASE_URL_VARIABLE})"
            if isinstance(reading, UrlReading)
            else regions.vertex_host(location.value)
        )
        role = model_data.session_role(model.role).label.removesuffix(" model")
        targets.append(VertexTarget(role, model, location, host))
    return tuple(targets)


def distinct_targets(targets: Iterable[VertexTarget]) -> list[VertexTarget]:
    """One probe per (model, location): the small/fast model is often the main one."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for target in targets:
        key = (target.model.model_id, target.location.value)
        if key not in seen:
            seen.add(key)
            kept.append(target)
    return kept


def location_problems(
    config: ResolvedConfig, settled: frozenset[tuple[str, str]] = frozenset()
) -> list[Problem]:
    """`settled`: (model, location) pairs Vertex AI has answered for, which replace the guesses
    made from ccdoctor's list of locations."""
    problems = _nonexistent_global_host(config)
    settled_locations = {location for _, location in settled}
    seen: set[object] = set()
    for target in vertex_targets(config):
        location = target.location
        for where, raw in location.skipped:
            if (where, raw) not in seen:
                seen.add((where, raw))
                problems.append(_skipped(where, raw, location))
        if (
            location.value not in regions.VERTEX_CLAUDE_LOCATIONS
            and location.value not in settled_locations
            and location.value not in seen
        ):
            seen.add(location.value)
            problems.append(_unknown(location))
        pair = (target.model.model_id, location.value)
        problem = regional_model_problem(target)
        if problem is not None and pair not in seen and pair not in settled:
            seen.add(pair)
            problems.append(problem)
    return problems


def regional_model_problem(target: VertexTarget) -> Problem | None:
    """The newest models are served only on `global` and the `us`/`eu` multi-regions."""
    location = target.location.value
    model_id = target.model.model_id
    if location in regions.VERTEX_MULTI_REGION_LOCATIONS:
        return None
    if not regions.vertex_regional_unavailable(model_id):
        return None
    variable = model_data.vertex_region_variable(model_id) or _REGION_VARIABLE
    return Problem(
        Status.WARN,
        f"{target.role} model {model_id} is called in the regional location {location} "
        f"({target.location.origin}); models newer than Sonnet/Opus 4.6 are served only on "
        "global, us and eu",
        Fix(
            f"Call it on global (or us/eu): set {variable}=global for this model, or "
            f"{_REGION_VARIABLE}=global for all models.",
            (f"export {variable}=global",),
            json.dumps({"env": {variable: "global"}}),
        ),
    )


# --- asking Vertex AI where a model is served ---------------------------------------------------


@dataclass(frozen=True)
class _LiveJudgement:
    """What Vertex AI's answers say of the models' locations: problems, the pairs settled, notes and
    summary."""

    problems: list[Problem]
    settled: frozenset[tuple[str, str]]
    """(model, location) pairs answered for: served there, or refused there and served elsewhere."""
    notes: dict[str, Any]
    summary: str


def judge_live_locations(ctx: CheckContext, targets: Iterable[VertexTarget]) -> _LiveJudgement:
    # Started before the caller is built: waiting for the Google access token uses this
    # check's time too.
    budget = Budget.for_steps(ctx, 3)
    caller = vertex_caller(ctx)
    if isinstance(caller, str):
        return _LiveJudgement([], frozenset(), {"skipped": caller}, "")
    problems: list[Problem] = []
    settled: set[tuple[str, str]] = set()
    notes: dict[str, Any] = {}
    served: list[str] = []
    distinct = distinct_targets(targets)

    def count(target: VertexTarget) -> Exchange:
        model = target.model
        location = target.location.value
        return call_vertex(ctx, caller, budget, location, model.model_id, model.one_million, False)

    # Every model's count at once: one round trip for all of them, not one each.
    counts = [background(partial(count, target)) for target in distinct]
    for target, exchange in zip(distinct, counts, strict=True):
        model, location = target.model, target.location.value
        pair = (model.model_id, location)
        answer = exchange.result().answer
        note = f"{model.model_id} in {location}"
        if counted(answer):
            settled.add(pair)
            served.append(note)
            notes[note] = "a free token count answered"
            continue
        refusal = _model_not_found(answer)
        if refusal is None:
            notes[note] = f"undecided: {_describe(answer)}"
            continue
        elsewhere = served_elsewhere(ctx, caller, budget, target)
        notes[note] = {"google_said": refusal.message, "served_in": elsewhere}
        if elsewhere:
            settled.add(pair)
            problems.append(_misplaced(target, elsewhere, refusal))
    summary = f"; a free token count answered for {', '.join(served)}" if served else ""
    return _LiveJudgement(problems, frozenset(settled), notes, summary)


def _model_not_found(answer: HttpAnswer | HttpFailure | None) -> GoogleError | None:
    """Google's own 404 for a model it does not serve in a location, or not to this project.
    Only Google's error says so: a gateway's bare 404 may just lack the route."""
    if not isinstance(answer, HttpAnswer) or answer.status != 404:
        return None
    google = parse_google_error(answer.json())
    if google is None:
        return None
    row = classify_vertex_error(answer.status, google, google.message)
    return google if row.cause is VertexCause.MODEL_NOT_FOUND else None


def _describe(answer: HttpAnswer | HttpFailure | None) -> str:
    if answer is None:
        return "no time left to ask"
    if isinstance(answer, HttpFailure):
        return f"no answer ({answer.cause.value})"
    return f"HTTP {answer.status} (models.vertex says what it means)"


def _misplaced(target: VertexTarget, elsewhere: list[str], refusal: GoogleError) -> Problem:
    model_id = target.model.model_id
    location = target.location
    variable = model_data.vertex_region_variable(model_id)
    scope = "for this model only"
    if variable is None:
        variable, scope = _REGION_VARIABLE, "for every model: this one has no variable of its own"
    first = elsewhere[0]
    google = f" {refusal.status}" if refusal.status else ""
    return Problem(
        Status.FAIL if target.role == "main" else Status.WARN,
        f"{target.role} model {model_id} is not served in {location.value} ({location.origin}); "
        f"it is served in {', '.join(elsewhere)} (free token counts; Vertex AI answered HTTP "
        f"404{google} in {location.value})",
        Fix(
            f"Call {model_id} in {first}: set {variable}={first} ({scope}).",
            (f"export {variable}={first}",),
            json.dumps({"env": {variable: first}}),
        ),
    )


# --- how the client calls Vertex AI ---------------------------------------------------------------


@dataclass(frozen=True)
class VertexCaller:
    """How the client calls Vertex AI: the base URL, the project and where it came from, the headers
    and the token."""

    base: str | None
    """ANTHROPIC_VERTEX_BASE_URL without its trailing slash; None: Google's host per location."""
    project: str
    project_origin: str
    headers: Mapping[str, str]
    token: MintedToken | None
    """None under CLAUDE_CODE_SKIP_VERTEX_AUTH: a gateway adds credentials itself."""

    @property
    def gateway(self) -> bool:
        return self.token is None

    @property
    def quota_project(self) -> str | None:
        return self.token.quota_project if self.token is not None else None

    def base_for(self, location: str) -> str:
        return self.base or vertex.default_base(location)

    def url(self, location: str, model: str, method: str) -> str:
        return vertex.model_url(self.base_for(location), self.project, location, model, method)

    def endpoint_name(self, location: str) -> str:
        if self.base is not None:
            return _BASE_URL_VARIABLE
        return f"the Vertex endpoint for {location} ({_REGION_VARIABLE})"


def vertex_caller(ctx: CheckContext) -> VertexCaller | str:
    """How the client would call Vertex, or why ccdoctor cannot call it that way."""
    config = ctx.config
    raw_base = config.get(_BASE_URL_VARIABLE)
    base = raw_base.strip().rstrip("/") if raw_base and raw_base.strip() else None
    if base is not None and urlsplit(base).scheme not in ("http", "https"):
        return f"{_BASE_URL_VARIABLE} is not a usable URL (see proxy.config)"
    headers = {
        **shape.CLIENT_HEADERS,
        "content-type": "application/json",
        "anthropic-version": shape.ANTHROPIC_VERSION,
        "anthropic-beta": ",".join(vertex.BETAS_SENT),
        "user-agent": shape.user_agent(
            ".".join(map(str, config.claude_version)) if config.claude_version else None
        ),
    }
    found = find_gcp_credentials(config, ctx.redactor)
    token: MintedToken | None = None
    if not config.truthy(_SKIP_AUTH_VARIABLE):
        minted = google_token(ctx)
        if not isinstance(minted, MintedToken):
            return "no Google access token to send (credentials.gcp says why)"
        token = minted
        headers["authorization"] = f"Bearer {minted.token}"
        if minted.quota_project:
            headers[vertex.QUOTA_PROJECT_HEADER] = minted.quota_project
    project = vertex_project(config, found, token)
    if project is None:
        return "no Google Cloud project to call (credentials.gcp says which to set)"
    headers.update(custom_headers(config.get("ANTHROPIC_CUSTOM_HEADERS")))
    origin = config.vertex_project.origin or "the metadata server"
    return VertexCaller(base, project, origin, headers, token)


@dataclass(frozen=True)
class Budget:
    """The runner abandons a check after its steps' timeouts: its calls share that time."""

    end: float

    @classmethod
    def for_steps(cls, ctx: CheckContext, steps: int) -> Budget:
        return cls(time.monotonic() + steps * ctx.options.timeout - _MARGIN)

    def left(self) -> float:
        return self.end - time.monotonic()


@dataclass(frozen=True)
class Exchange:
    """One call to Vertex AI: the URL and its answer or failure."""

    url: str
    answer: HttpAnswer | HttpFailure | None
    """None when no time was left to make the call."""


class _Remembered:
    """One request's answer, kept for the run so that region.vertex and models.vertex never make
    it twice. A call that found no time, or failed within a check's shortened allowance, is not
    kept: a check with more time left makes it again."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answer: HttpAnswer | HttpFailure | None = None


def call_vertex(
    ctx: CheckContext,
    caller: VertexCaller,
    budget: Budget,
    location: str,
    model: str,
    one_million: bool,
    streaming: bool,
) -> Exchange:
    """The client's streamRawPredict, or the free token count for `model`, in `location`."""
    if streaming:
        url = caller.url(location, model, vertex.STREAM_METHOD)
        body: dict[str, object] = vertex.stream_body()
    else:
        url = caller.url(location, vertex.COUNT_TOKENS_MODEL, vertex.RAW_METHOD)
        body = vertex.count_tokens_body(model)
    headers = dict(caller.headers)
    if one_million:
        headers["anthropic-beta"] += "," + shape.ONE_MILLION_BETA
    remembered = ctx.once(f"vertex:{url}:{model}", _Remembered)
    with remembered.lock:
        if remembered.answer is not None:
            return Exchange(url, remembered.answer)
        full = ctx.step_timeout()
        timeout = min(full, budget.left())
        if timeout <= _SHORTEST_CALL:
            return Exchange(url, None)
        answer = ctx.network.request("POST", url, timeout, headers, body)
        if isinstance(answer, HttpAnswer) or timeout >= full:
            remembered.answer = answer
        return Exchange(url, answer)


def is_token_count(answer: HttpAnswer) -> bool:
    data = answer.json()
    return isinstance(data, dict) and isinstance(data.get("input_tokens"), int)


def counted(answer: HttpAnswer | HttpFailure | None) -> bool:
    """The free token count answered: the model is served there, to this project."""
    return isinstance(answer, HttpAnswer) and 200 <= answer.status < 300 and is_token_count(answer)


def served_elsewhere(
    ctx: CheckContext, caller: VertexCaller, budget: Budget, target: VertexTarget
) -> list[str]:
    """Locations, among those that serve Claude most widely, where a free token count for the
    model answers."""
    found = []
    model = target.model
    for location in vertex.TRY_LOCATIONS:
        if location == target.location.value:
            continue
        exchange = call_vertex(
            ctx, caller, budget, location, model.model_id, model.one_million, False
        )
        if exchange.answer is None:
            break
        if counted(exchange.answer):
            found.append(location)
    return found


# --- offline findings ---------------------------------------------------------------------------


def _nonexistent_global_host(config: ResolvedConfig) -> list[Problem]:
    raw = config.get(_BASE_URL_VARIABLE)
    if raw is None or regions.VERTEX_NONEXISTENT_GLOBAL_HOST not in raw.lower():
        return []
    good = f"https://{regions.vertex_host('global')}{network.VERTEX_BASE_PATH_SUFFIX}"
    text = (
        f"Unset {_BASE_URL_VARIABLE} and set {_REGION_VARIABLE}=global (Claude Code builds the "
        f"right host itself), or set {_BASE_URL_VARIABLE}={good}."
    )
    # A settings file that sets the region beats an export: the edit goes there instead.
    if in_file := where_to_set(config, _REGION_VARIABLE, "global"):
        text = f"{text} {in_file}"
    return [
        Problem(
            Status.FAIL,
            f"{_BASE_URL_VARIABLE} points at {regions.VERTEX_NONEXISTENT_GLOBAL_HOST}, which "
            f"does not exist: the global endpoint is {regions.vertex_host('global')}",
            removal_fix(
                config,
                text,
                _BASE_URL_VARIABLE,
                after=export_in_shell(config, _REGION_VARIABLE, "global"),
                snippet=json.dumps({"env": {_BASE_URL_VARIABLE: "", _REGION_VARIABLE: "global"}}),
            ),
        )
    ]


def _skipped(where: str, raw: str, location: RegionChoice) -> Problem:
    candidate = raw.strip().lower()
    example = candidate if regions.VERTEX_LOCATION_SHAPE.match(candidate) else "global"
    return Problem(
        Status.WARN,
        f"{where}={raw!r} is not shaped like a Vertex location; Claude Code skips it and uses "
        f"{location.value} ({location.origin})",
        Fix(
            f"Write a location such as {example} (global, us, eu, or a region like us-east5; "
            "lower case, no quotes or spaces).",
            (f"export {where}={example}",),
        ),
    )


def _unknown(location: RegionChoice) -> Problem:
    known = ", ".join(sorted(regions.VERTEX_CLAUDE_LOCATIONS))
    return Problem(
        Status.WARN,
        f"location {location.value} ({location.origin}) is not one ccdoctor has seen serve "
        "Claude; it may be misspelt, or serve only some models",
        Fix(
            f"Known locations: {known}. A free token count there (ccdoctor without --offline, "
            "with working credentials) tells whether your models answer.",
            (f"export {_REGION_VARIABLE}=global",),
        ),
    )
