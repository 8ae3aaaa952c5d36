"""config.policy — do the machine's managed settings let this session start
(`allowedProviders`, `deniedModels`)?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.config.removal import removal_fix
from ccdoctor.config.resolve import Value
from ccdoctor.config.settings_files import Source
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.knowledge.policy import (
    ALLOWED_PROVIDERS,
    CANNOT_START,
    CUSTOM_ENDPOINT,
    DENIED_MODELS,
    KNOWN_ENTRIES,
    MODEL_FAMILIES,
    RESTRICTED,
    TOLERATED,
    PolicyRoute,
    policy_route,
)
from ccdoctor.spec import check

_ASK_ADMIN = "Ask your administrator"


@check(
    id="config.policy",
    title="Managed restrictions",
    category=Category.CONFIG,
    description="The machine's managed settings allow this session's route, endpoint and model "
    "(allowedProviders, deniedModels), as Claude Code enforces them at start-up.",
    stops_client=True,
    explain="""
Reads allowedProviders and deniedModels from the managed settings only (managed-settings.json and
its drop-ins; the highest file that sets a key owns it), for a client version that enforces
them (2.1.332 does; 2.1.197 ignores both).

allowedProviders lists the routes this machine may use: anthropic, customEndpoint, bedrock,
vertex, foundry, anthropicAws, mantle, gateway. A session on an unlisted route is refused before
any request, with "Your organization's managed settings allow Claude Code to use: …". A base URL
that is not the route's own service over https (any ANTHROPIC_BASE_URL, a Bedrock or Mantle
endpoint on another host) is refused too unless the list has customEndpoint and the managed
file's env pins that variable; such a sanctioned endpoint starts whichever routes the list
names. Names of the form anthropicXxx are accepted too (anthropicGoogleCloud is Claude Platform
on Google Cloud). A value that is not a list, or a list of unknown names only,
lets no route start.

deniedModels names models or families (opus, sonnet, haiku, fable). A denied model is not a
refusal: Claude Code says 'Model "…" is restricted by your organization's settings' and uses
another one, so ccdoctor warns. Only when every family is denied has it no default left and
refuses to start.

A refused session sends nothing, so neither does ccdoctor: the network checks are skipped
(needs config.policy) and the credential and region checks judge the set-up offline.

Typical fixes: switch to an allowed route (or unset the base URL that makes it a custom
endpoint); have the administrator add the route to allowedProviders, or add customEndpoint and
pin the URL in the managed env; choose a model that is not denied.
""",
)
def policy_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    enforced = config.facts.managed_restrictions
    managed = _managed_settings(config.layers.loaded)
    problems: list[Problem] = []
    details: dict[str, Any] = {"enforced": sorted(enforced)}
    if ALLOWED_PROVIDERS in enforced and ALLOWED_PROVIDERS in managed:
        route = policy_route(config.provider.route_id)
        raw, where = managed[ALLOWED_PROVIDERS]
        details[ALLOWED_PROVIDERS] = raw
        problems.extend(_allowed(raw, where, route, config))
    if DENIED_MODELS in enforced and DENIED_MODELS in managed:
        raw, where = managed[DENIED_MODELS]
        details[DENIED_MODELS] = raw
        main = config.main_model
        problems.extend(_denied(raw, where, main.model_id, main.requested, main.explicit))
    if not managed.keys() & enforced:
        ignored = sorted(managed)
        message = (
            f"the managed settings set {' and '.join(ignored)}, which Claude Code "
            f"{config.facts.version_text} does not enforce"
            if ignored
            else "no managed restriction on routes or models"
        )
        return Outcome(Status.PASS, message, details=details)
    return Outcome.from_problems(problems, "the managed restrictions allow this session", details)


def _managed_settings(layers: Any) -> dict[str, tuple[Any, str]]:
    """Key → (value, file) for the restriction keys, from the highest managed file setting it."""
    found: dict[str, tuple[Any, str]] = {}
    for layer in layers:
        if layer.source is not Source.MANAGED or layer.data is None:
            continue
        for key in (ALLOWED_PROVIDERS, DENIED_MODELS):
            if key in layer.data:
                found[key] = (layer.data[key], layer.path)
    return found


def _allowed(
    raw: Any,
    where: str,
    route: PolicyRoute | None,
    config: ResolvedConfig,
) -> list[Problem]:
    entries = [e for e in raw if isinstance(e, str)] if isinstance(raw, list) else []
    known = [e for e in entries if e in KNOWN_ENTRIES or TOLERATED.fullmatch(e)]
    unknown = [e for e in entries if e not in known]
    problems: list[Problem] = []
    if unknown:
        problems.append(
            Problem(
                Status.WARN if known else Status.FAIL,
                f"allowedProviders in {where} names {', '.join(map(repr, unknown))}, which "
                "Claude Code does not know and ignores; known names: " + ", ".join(KNOWN_ENTRIES),
                Fix(f"{_ASK_ADMIN} to correct allowedProviders in {where}."),
            )
        )
    if not known:
        why = "lists only unrecognized entries" if entries else "is an empty list"
        problems.append(
            Problem(
                Status.FAIL,
                "Your organization's managed settings allow Claude Code to use no API provider at "
                f"all (allowedProviders {why}, {where}), so it cannot start on this machine",
                Fix(f"{_ASK_ADMIN} to list at least one provider in allowedProviders."),
            )
        )
        return problems
    if route is None:
        return problems
    allowed_text = ", ".join(known)
    listed = route.entry in known
    custom = _custom_endpoint(route, config.env)
    if custom is not None:
        if CUSTOM_ENDPOINT in known and _pinned(custom[1]):
            # A sanctioned endpoint starts whichever routes the list names (2.1.337, observed).
            return problems
        # The client's refusal names the endpoint first, even when the route is not listed:
        # listing the route alone would not admit it.
        problems.append(_custom_refusal(route, custom, listed, known, where, config))
    elif not listed:
        problems.append(
            Problem(
                Status.FAIL,
                f"Claude Code refuses to start: the managed settings ({where}) allow only "
                f"{allowed_text}, and this session is set up for {route.label} "
                f'("{route.entry}")',
                Fix(
                    "Configure one of the allowed providers, or ask your administrator to add "
                    f'"{route.entry}" to allowedProviders.'
                ),
            )
        )
    return problems


def _custom_refusal(
    route: PolicyRoute,
    custom: tuple[str, Value],
    listed: bool,
    known: list[str],
    where: str,
    config: ResolvedConfig,
) -> Problem:
    variable, value = custom
    sanction = (
        f"pin {variable} to it in the managed settings' env"
        if CUSTOM_ENDPOINT in known
        else f'add "{CUSTOM_ENDPOINT}" to allowedProviders and pin {variable} in the '
        "managed settings' env"
    )
    message = (
        f"Claude Code refuses to start: this session sends its {route.label} requests "
        f"to {_endpoint(value.text or '')} because {variable} is set in "
        f"{value.origin.describe()}, which is not {route.label}'s own service, and the "
        f"managed settings ({where}) allow only {', '.join(known)}"
    )
    if not listed:
        # Unsetting the variable would leave a route the list does not name.
        return Problem(
            Status.FAIL,
            message + f' (not "{route.entry}")',
            Fix(
                f'Ask your administrator to {sanction}, or to add "{route.entry}" to '
                f"allowedProviders and then unset {variable} to use {route.label}'s own endpoint."
            ),
        )
    return Problem(
        Status.FAIL,
        message,
        removal_fix(
            config,
            f"Unset {variable} to use {route.label}'s own endpoint, or ask your "
            f"administrator to {sanction}.",
            variable,
        ),
    )


def _pinned(value: Value) -> bool:
    return value.origin.source is Source.MANAGED


def _custom_endpoint(route: PolicyRoute, env: Mapping[str, Value]) -> tuple[str, Value] | None:
    """The first endpoint variable that points the route away from its own service."""
    for variable in route.endpoint_variables:
        value = env.get(variable)
        if value is None or not value.text:
            continue
        parts = urlsplit(value.text.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        own = route.own_host is not None and route.own_host.fullmatch(host) is not None
        if not (own and parts.scheme == "https"):
            return variable, value
    return None


def _endpoint(url: str) -> str:
    parts = urlsplit(url.strip())
    where = parts.netloc or url
    return f"{where} over plain http" if parts.scheme == "http" else where


def _denied(raw: Any, where: str, model_id: str, requested: str, explicit: bool) -> list[Problem]:
    entries = (
        {e.strip().lower() for e in raw if isinstance(e, str)} if isinstance(raw, list) else set()
    )
    if set(MODEL_FAMILIES) <= entries:
        return [
            Problem(
                Status.FAIL,
                CANNOT_START.format(model=model_id) + f" ({where})",
                Fix(
                    f"{_ASK_ADMIN} to allow at least one model family in deniedModels "
                    "or availableModels."
                ),
            )
        ]
    blocked = _blocked_by(entries, model_id, requested)
    if blocked is None:
        return []
    named = requested if explicit else model_id
    return [
        Problem(
            Status.WARN,
            f"{RESTRICTED.format(model=named)} deniedModels in {where} names {blocked!r}, so "
            f"Claude Code uses another model instead of {model_id}",
            Fix(
                "Choose a model deniedModels does not name (ANTHROPIC_MODEL or --model), or ask "
                "your administrator to allow this one."
            ),
        )
    ]


def _blocked_by(entries: set[str], model_id: str, requested: str) -> str | None:
    bare = model_id.lower().removesuffix("[1m]")
    name = bare.rsplit(".", 1)[-1] if bare.count(".") else bare
    words = set(name.replace("@", "-").split("-"))
    for entry in sorted(entries):
        if entry in (bare, name, requested.strip().lower()):
            return entry
        if entry in MODEL_FAMILIES and entry in words:
            return entry
    return None
