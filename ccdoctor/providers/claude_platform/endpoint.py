"""The endpoint Claude Code builds for Claude Platform on AWS and on Google Cloud, and what in
their variables makes the client refuse to start."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import claude_platform as known


@dataclass(frozen=True)
class PlatformEndpoint:
    """The Claude Platform endpoint the client calls, and what it was built from."""

    base: str
    """What the client appends /v1/messages to, without a trailing slash."""
    source: str
    """The variable or the values the base was built from."""


def _text(config: ResolvedConfig, name: str) -> str:
    return (config.get(name) or "").strip()


def _setting_fix(text: str, variable: str, value: str) -> Fix:
    return Fix(text, (f"export {variable}={value}",), json.dumps({"env": {variable: value}}))


# --- Claude Platform on AWS --------------------------------------------------------------------


def aws_region(config: ResolvedConfig) -> tuple[str, str]:
    return known.aws_region(config.get)


def aws_endpoint(config: ResolvedConfig) -> PlatformEndpoint:
    base = _text(config, known.AWS_BASE_URL_VARIABLE)
    if base:
        return PlatformEndpoint(base.rstrip("/"), known.AWS_BASE_URL_VARIABLE)
    region, origin = aws_region(config)
    return PlatformEndpoint(known.aws_url(region), f"region {region} ({origin})")


def aws_problems(config: ResolvedConfig) -> list[Problem]:
    # The client lets skip-auth go without a workspace: the gateway then supplies it.
    if _text(config, known.AWS_WORKSPACE_VARIABLE) or config.truthy(known.AWS_SKIP_AUTH_VARIABLE):
        return []
    return [
        Problem(
            Status.FAIL,
            f"{known.AWS_WORKSPACE_VARIABLE} is not set: Claude Code stops before any request "
            f'with "{known.AWS_WORKSPACE_MISSING}"',
            _setting_fix(
                "Set it to the ID of your Claude Platform workspace (the Claude Console on AWS "
                "shows it, wrkspc_…).",
                known.AWS_WORKSPACE_VARIABLE,
                "wrkspc_...",
            ),
        )
    ]


# --- Claude Platform on Google Cloud -----------------------------------------------------------


def gc_project(config: ResolvedConfig) -> tuple[str, str] | None:
    """The project and the variable it came from; None leaves it to the credentials' own."""
    for name in known.GC_PROJECT_VARIABLES:
        value = _text(config, name)
        if value:
            return value, name
    return None


def gc_location(config: ResolvedConfig) -> tuple[str, str]:
    value = _text(config, known.GC_LOCATION_VARIABLE)
    if value:
        return value, known.GC_LOCATION_VARIABLE
    return known.GC_DEFAULT_LOCATION, "built-in default"


def gc_endpoint(config: ResolvedConfig) -> PlatformEndpoint | None:
    """None when the client would refuse to start or the project is left to the credentials."""
    base = _text(config, known.GC_BASE_URL_VARIABLE)
    if base:
        return PlatformEndpoint(base.rstrip("/"), known.GC_BASE_URL_VARIABLE)
    project = gc_project(config)
    workspace = _text(config, known.GC_WORKSPACE_VARIABLE)
    if project is None or not workspace or gc_problems(config):
        return None
    location, _ = gc_location(config)
    return PlatformEndpoint(
        known.gc_url(project[0], location, workspace), f"{project[1]} and workspace {workspace}"
    )


def gc_problems(config: ResolvedConfig) -> list[Problem]:
    problems = [
        _bad_segment(config, name, value)
        for name in known.GC_PATH_VARIABLES
        if (value := _text(config, name)) and not known.PATH_SEGMENT.fullmatch(value)
    ]
    if problems or _text(config, known.GC_BASE_URL_VARIABLE):
        return problems
    if gc_project(config) is None:
        problems.append(_no_project(config))
    if not _text(config, known.GC_WORKSPACE_VARIABLE):
        problems.append(
            Problem(
                Status.FAIL,
                f"{known.GC_WORKSPACE_VARIABLE} is not set: Claude Code stops before any request "
                f'with "{known.GC_WORKSPACE_MISSING}"',
                _setting_fix(
                    "Set it to the ID of the Claude Platform workspace your Google Cloud project "
                    "uses.",
                    known.GC_WORKSPACE_VARIABLE,
                    "wrkspc_...",
                ),
            )
        )
    return problems


def _bad_segment(config: ResolvedConfig, variable: str, value: str) -> Problem:
    return Problem(
        Status.FAIL,
        f"{variable}={value!r} has characters other than letters, digits, '_' and '-': Claude "
        "Code stops before any request with "
        f'"{known.GC_SEGMENT_REFUSED.format(variable=variable)}"',
        removal_fix(
            config,
            f"Set {variable} to the bare ID (no slashes, dots or spaces), or unset it.",
            variable,
        ),
    )


def _no_project(config: ResolvedConfig) -> Problem:
    fix = _setting_fix(
        "Set it to the Google Cloud project that has Claude Platform enabled.",
        known.GC_PROJECT_VARIABLES[0],
        "my-project",
    )
    if config.truthy(known.GC_SKIP_AUTH_VARIABLE):
        # Observed: with auth skipped no credentials are loaded, so none can name a project.
        return Problem(
            Status.FAIL,
            f"neither {' nor '.join(known.GC_PROJECT_VARIABLES)} is set and "
            f"{known.GC_SKIP_AUTH_VARIABLE} loads no credentials to take one from: Claude Code "
            f'stops with "{known.GC_PROJECT_MISSING}"',
            fix,
        )
    return Problem(
        Status.WARN,
        f"neither {' nor '.join(known.GC_PROJECT_VARIABLES)} is set: Claude Code takes the "
        "project of your Application Default Credentials, and stops if they name none",
        fix,
    )
