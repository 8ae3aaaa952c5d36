"""A gateway's 400 about a body field of the client's request, as a finding: the field, and the
switch of this client version that removes it (observed, in its facts) or, where none does, the
gateway setting that lets it through."""

from __future__ import annotations

import json

from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge.request_fields import RejectedField
from ccdoctor.wire.messages import Classified


def client_version(config: ResolvedConfig) -> str:
    known = config.claude_version
    return ".".join(map(str, known)) if known else config.facts.version_text


def field_fix(config: ResolvedConfig, field: RejectedField) -> Fix:
    """The switch that stops the client sending `field`, or the gateway's side of it."""
    label, version = field.label, client_version(config)
    gateway = field.gateway_fix.format(label=label)
    switches = config.facts.shape_switches
    if field.field == "cache_ttl":
        # The ttl is the user's own choice: the fix is to take it back.
        chosen = [name for name, _ in switches.one_hour_cache if config.get(name) is not None]
        if chosen:
            return removal_fix(
                config,
                f"Claude Code {version} asks for a 1h cache ttl because {' and '.join(chosen)} "
                f"{'is' if len(chosen) == 1 else 'are'} set: unset it (5-minute caching), or "
                f"{gateway}.",
                *chosen,
            )
    settings = [s for s in switches.removing(field.field) if not _already(config, s)]
    if not settings:
        return Fix(f"No setting of Claude Code {version} removes {label}: {gateway}.")
    name, _, value = settings[0].partition("=")
    others = f" (or {', '.join(settings[1:])})" if settings[1:] else ""
    return Fix(
        f"Stop Claude Code {version} sending {label}: set {settings[0]}{others}; or {gateway}.",
        (f"export {settings[0]}",),
        json.dumps({"env": {name: value}}),
    )


def _already(config: ResolvedConfig, setting: str) -> bool:
    name, _, value = setting.partition("=")
    return (config.get(name) or "").strip() == value


def field_problem(config: ResolvedConfig, field: RejectedField, answer: Classified) -> Problem:
    """The client fails on every request: this version does not send it again without."""
    return Problem(
        Status.FAIL,
        f"the gateway rejects {field.label}, which Claude Code {client_version(config)} sends "
        f"in every request (HTTP {answer.status} {answer.server_says})",
        field_fix(config, field),
    )


def dropped_field_problem(config: ResolvedConfig, fields: tuple[RejectedField, ...]) -> Problem:
    """The client sends the request again without the fields: sessions work, degraded."""
    names = ", ".join(f.label for f in fields)
    return Problem(
        Status.WARN,
        f"the gateway rejects {names} (HTTP 400); Claude Code {client_version(config)} sends "
        "each request again without it, so sessions work, at one extra round trip per request "
        "and without that feature",
        field_fix(config, fields[0]),
    )
