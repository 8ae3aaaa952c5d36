"""region.vertex — which Vertex location (and host) each model is called in, and whether it fits."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ccdoctor.config.view import ModelChoice, RegionChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.knowledge import models as model_data
from ccdoctor.knowledge import network, regions
from ccdoctor.knowledge.network import UrlReading
from ccdoctor.model import Category, Fix, Outcome, Problem, Provider, Status, check

_ROLES = (("main", "main"), ("small_fast", "small/fast"))
_REGION_VARIABLE = "CLOUD_ML_REGION"
_BASE_URL_VARIABLE = network.BASE_URL_VARIABLE[Provider.VERTEX]


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
    return tuple(targets)


def location_problems(config: ResolvedConfig) -> list[Problem]:
    problems = _nonexistent_global_host(config)
    seen: set[object] = set()
    for target in vertex_targets(config):
        location = target.location
        for where, raw in location.skipped:
            if (where, raw) not in seen:
                seen.add((where, raw))
                problems.append(_skipped(where, raw, location))
        if location.value not in regions.VERTEX_CLAUDE_LOCATIONS and location.value not in seen:
            seen.add(location.value)
            problems.append(_unknown(location))
        problem = regional_model_problem(target)
        if problem is not None and (target.model.model_id, location.value) not in seen:
            seen.add((target.model.model_id, location.value))
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


@check(
    id="region.vertex",
    title="Vertex location",
    category=Category.REGION,
    description="The Vertex location and host each model is called in, where it came from, and "
    "whether the model is served there.",
    providers=[Provider.VERTEX],
    explain="""
Claude Code picks a location per model: the model's VERTEX_REGION_CLAUDE_* variable, then
CLOUD_ML_REGION, else us-east5; values not shaped like a location are skipped. `global` is served
by aiplatform.googleapis.com, `us`/`eu` by aiplatform.{us,eu}.rep.googleapis.com, a region R by
R-aiplatform.googleapis.com — there is no global-aiplatform.googleapis.com.

Regional locations serve Claude models up to Sonnet/Opus 4.6; Opus 4.7 and later, Sonnet 5,
Opus 5 and Fable are served only on global and the us/eu multi-regions, so the default us-east5
fails for them with a 404 or "not available on your vertex deployment".

Typical fixes: CLOUD_ML_REGION=global; a VERTEX_REGION_CLAUDE_* override for a model that must
stay regional; remove a hand-built global-aiplatform host from ANTHROPIC_VERTEX_BASE_URL.
""",
)
def region_vertex_check(ctx: CheckContext) -> Outcome:
    targets = vertex_targets(ctx.config)
    details = {
        "models": [
            {
                "role": t.role,
                "model": t.model.model_id,
                "location": t.location.value,
                "origin": t.location.origin,
                "host": t.host,
                "skipped": [{"where": w, "value": v} for w, v in t.location.skipped],
            }
            for t in targets
        ]
    }
    summary = "; ".join(
        f"{t.role} {t.model.model_id} → {t.location.value} ({t.location.origin}) at {t.host}"
        for t in targets
    )
    return Outcome.from_problems(location_problems(ctx.config), summary, details)


def _nonexistent_global_host(config: ResolvedConfig) -> list[Problem]:
    raw = config.get(_BASE_URL_VARIABLE)
    if raw is None or regions.VERTEX_NONEXISTENT_GLOBAL_HOST not in raw.lower():
        return []
    good = f"https://{regions.vertex_host('global')}{network.VERTEX_BASE_PATH_SUFFIX}"
    return [
        Problem(
            Status.FAIL,
            f"{_BASE_URL_VARIABLE} points at {regions.VERTEX_NONEXISTENT_GLOBAL_HOST}, which "
            f"does not exist: the global endpoint is {regions.vertex_host('global')}",
            Fix(
                f"Unset {_BASE_URL_VARIABLE} and set {_REGION_VARIABLE}=global (Claude Code "
                f"builds the right host itself), or set {_BASE_URL_VARIABLE}={good}.",
                (f"unset {_BASE_URL_VARIABLE}", f"export {_REGION_VARIABLE}=global"),
                json.dumps({"env": {_BASE_URL_VARIABLE: "", _REGION_VARIABLE: "global"}}),
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
            f"Known locations: {known}. A live check (models.vertex) tells whether your models "
            "answer there.",
            (f"export {_REGION_VARIABLE}=global",),
        ),
    )
