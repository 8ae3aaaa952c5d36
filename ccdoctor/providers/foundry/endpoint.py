"""The Foundry endpoint the client builds, and what in ANTHROPIC_FOUNDRY_RESOURCE /
ANTHROPIC_FOUNDRY_BASE_URL makes it refuse to start or ask the wrong path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import foundry


@dataclass(frozen=True)
class FoundryEndpoint:
    """The Foundry endpoint the client calls, the variable that set it, and whether it is Azure's
    own host."""

    base: str
    """What the client appends /v1/messages to, without a trailing slash."""
    variable: str
    own_host: bool
    """On Azure's own host (a resource), not a gateway in front of it."""


def foundry_endpoint(config: ResolvedConfig) -> FoundryEndpoint | None:
    """The endpoint the client calls; None when it refuses to start (see `endpoint_problems`)."""
    base = (config.get(foundry.BASE_URL_VARIABLE) or "").strip()
    resource = (config.get(foundry.RESOURCE_VARIABLE) or "").strip()
    if base and resource:
        return None
    if base:
        try:
            parts = urlsplit(base)
            host = parts.hostname or ""
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not host:
            return None
        return FoundryEndpoint(
            base.rstrip("/"), foundry.BASE_URL_VARIABLE, bool(foundry.OWN_HOST.fullmatch(host))
        )
    if resource and foundry.RESOURCE_NAME.fullmatch(resource):
        return FoundryEndpoint(foundry.resource_url(resource), foundry.RESOURCE_VARIABLE, True)
    return None


def endpoint_problems(config: ResolvedConfig) -> list[Problem]:
    base = (config.get(foundry.BASE_URL_VARIABLE) or "").strip()
    resource = (config.get(foundry.RESOURCE_VARIABLE) or "").strip()
    if base and resource:
        return [_both_set(base, resource)]
    if resource and not base and not foundry.RESOURCE_NAME.fullmatch(resource):
        return [_bad_resource(resource)]
    found = foundry_endpoint(config)
    if found is not None and found.own_host:
        path = urlsplit(found.base).path.rstrip("/")
        if path != foundry.API_PATH:
            return [_wrong_path(found)]
    return []


def _both_set(base: str, resource: str) -> Problem:
    return Problem(
        Status.FAIL,
        f"both {foundry.RESOURCE_VARIABLE} ({resource}) and {foundry.BASE_URL_VARIABLE} ({base}) "
        f'are set: Claude Code refuses to start ("{foundry.BOTH_SET_REFUSED}")',
        # Either-or: run as shown, both unsets would leave no endpoint at all, so this is prose.
        Fix(
            f"Keep one: {foundry.BASE_URL_VARIABLE} for a gateway in front of Foundry, else "
            f"{foundry.RESOURCE_VARIABLE} alone (the client builds "
            f"{foundry.resource_url(resource)}); unset or delete the other."
        ),
    )


def _bad_resource(resource: str) -> Problem:
    host = _host_in(resource)
    name = host.split(".", 1)[0] if host and foundry.OWN_HOST.fullmatch(host) else None
    if name is not None:
        fix = Fix(
            f"Give the bare resource name, {name}, not a URL or host.",
            (f"export {foundry.RESOURCE_VARIABLE}={name}",),
            json.dumps({"env": {foundry.RESOURCE_VARIABLE: name}}),
        )
    else:
        fix = Fix(
            f"Set {foundry.RESOURCE_VARIABLE} to the resource name shown in the Azure portal "
            f"(such as my-resource); for a full URL, set {foundry.BASE_URL_VARIABLE} instead "
            "and unset the resource.",
            (f"export {foundry.RESOURCE_VARIABLE}=my-resource",),
        )
    return Problem(
        Status.FAIL,
        f"{foundry.RESOURCE_VARIABLE}={resource!r} is not a resource name: Claude Code refuses "
        f'to start ("{foundry.RESOURCE_REFUSED}")',
        fix,
    )


def _host_in(text: str) -> str | None:
    candidate = text if "://" in text else f"https://{text}"
    try:
        return urlsplit(candidate).hostname
    except ValueError:
        return None


def _wrong_path(found: FoundryEndpoint) -> Problem:
    fixed = with_api_path(found.base)
    path = urlsplit(found.base).path or "/"
    return Problem(
        Status.FAIL,
        f"{found.variable} {found.base} has the path {path}, not {foundry.API_PATH}: Azure "
        f"serves Claude only under {foundry.API_PATH}, so the client's {found.base}/v1/messages "
        'gets "404 Resource not found"',
        Fix(
            f"Point {found.variable} at the resource's {foundry.API_PATH} path.",
            (f"export {found.variable}={fixed}",),
            json.dumps({"env": {found.variable: fixed}}),
        ),
    )


def with_api_path(base: str) -> str:
    """The same origin with the /anthropic path the resource serves."""
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, foundry.API_PATH, "", ""))


def appended_api_path(base: str) -> str:
    """`base` with /anthropic appended: where a gateway's path may have lost it."""
    return base.rstrip("/") + foundry.API_PATH
