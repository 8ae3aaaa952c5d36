"""Whether the base-URL variables parse, have the path the client expects, and belong to the
provider in use."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ccdoctor.config.removal import export_in_shell, removal_fix
from ccdoctor.config.resolve import Value
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import claude_platform, foundry, mantle, network
from ccdoctor.knowledge.network import UrlFault, UrlProblem, UrlReading
from ccdoctor.knowledge.regions import vertex_host
from ccdoctor.knowledge.routes import ANTHROPIC_API, FOUNDRY, PROVIDER_FLAGS, VERTEX, route

_FLAG_OF = dict(PROVIDER_FLAGS)


@dataclass(frozen=True)
class BaseUrlVerdict:
    """What ccdoctor makes of one base-URL variable: the URL as the client reads it, its problems
    and notes."""

    variable: str
    reading: UrlReading | None
    """None when the client cannot use the value at all."""
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Endpoint:
    """A place the client sends inference requests to. `url` never holds credentials."""

    url: str
    host: str
    port: int
    source: str


def judge_base_url(variable: str, raw: str) -> BaseUrlVerdict:
    """Everything that can be said about one base-URL value without sending a request."""
    parsed = network.read_url(raw)
    if isinstance(parsed, UrlProblem):
        return BaseUrlVerdict(variable, None, (_unparseable(variable, parsed),))
    problems: list[Problem] = []
    notes: list[str] = []
    if raw != raw.strip():
        notes.append("surrounding whitespace is trimmed by the client (harmless)")
    if parsed.path.endswith("/") and parsed.path != "/":
        notes.append("a trailing slash is harmless")
    if parsed.scheme not in network.WEB_SCHEMES:
        problems.append(
            Problem(
                Status.FAIL,
                f"{variable}={parsed.display} uses the scheme {parsed.scheme}://; "
                "Claude Code speaks only http:// and https://",
                _set_fix(
                    variable,
                    "https://" + parsed.display.split("://", 1)[1],
                    "Point it at the gateway's HTTP(S) address.",
                ),
            )
        )
        return BaseUrlVerdict(variable, None, tuple(problems))
    path = parsed.path.rstrip("/")
    if variable == ANTHROPIC_API.base_url_variable:
        suffix = next((s for s in network.GATEWAY_PATH_SUFFIXES if path.endswith(s)), None)
        if suffix is not None:
            fixed = _with_path(parsed, path[: -len(suffix)])
            problems.append(
                Problem(
                    Status.FAIL,
                    f"{variable}={parsed.display} already ends in {suffix}; Claude Code appends "
                    f"{network.MESSAGES_PATH} itself and calls …{suffix}{network.MESSAGES_PATH} "
                    "(404)",
                    _set_fix(variable, fixed, f"Drop {suffix} from the end of the URL."),
                )
            )
    if variable == VERTEX.base_url_variable and not path.endswith(network.VERTEX_BASE_PATH_SUFFIX):
        fixed = _with_path(parsed, path + network.VERTEX_BASE_PATH_SUFFIX)
        problems.append(
            Problem(
                Status.FAIL,
                f"{variable}={parsed.display} does not end in {network.VERTEX_BASE_PATH_SUFFIX}; "
                'Claude Code then says the model "is not available on your vertex deployment"',
                _set_fix(
                    variable, fixed, f"Add {network.VERTEX_BASE_PATH_SUFFIX} to the end of the URL."
                ),
            )
        )
    if parsed.scheme == "http" and not parsed.is_loopback:
        problems.append(
            Problem(
                Status.WARN,
                f"{variable}={parsed.display} is plain http:// to {parsed.host}: credentials and "
                "prompts cross the network unencrypted",
                _set_fix(
                    variable,
                    "https://" + parsed.display.split("://", 1)[1],
                    "Serve the gateway over https://, or reach it through localhost (an SSH "
                    "tunnel or a sidecar).",
                ),
            )
        )
    return BaseUrlVerdict(variable, parsed, tuple(problems), tuple(notes))


def endpoints_in_use(config: ResolvedConfig) -> tuple[Endpoint, ...]:
    """Where the active provider's inference requests go, one entry per distinct host. Empty
    when the client has no usable endpoint (an unparseable base URL, Foundry without one)."""
    provider = config.provider.provider
    variable = route(provider).base_url_variable
    raw = config.get(variable)
    if raw is not None:
        reading = network.read_url(raw)
        if isinstance(reading, UrlProblem) or reading.scheme not in network.WEB_SCHEMES:
            return ()
        return (Endpoint(reading.display, reading.host, reading.port, variable),)
    urls: list[tuple[str, str]] = []
    if provider is Provider.ANTHROPIC:
        urls.append((network.ANTHROPIC_API_URL, "built-in"))
    elif provider is Provider.BEDROCK:
        for region in (config.bedrock_region, config.small_model_region):
            urls.append((network.bedrock_runtime_url(region.value), f"region from {region.origin}"))
    elif provider is Provider.VERTEX:
        for location in config.vertex_regions.values():
            urls.append((f"https://{vertex_host(location.value)}", f"location {location.value}"))
    elif provider is Provider.ANTHROPIC_AWS:
        aws_region, origin = claude_platform.aws_region(config.get)
        urls.append((claude_platform.aws_url(aws_region), f"region {aws_region} from {origin}"))
    elif provider is Provider.ANTHROPIC_GOOGLE_CLOUD:
        urls.append((f"https://{claude_platform.GC_HOST}", "built-in"))
    elif provider is Provider.MANTLE:
        region = config.bedrock_region
        urls.append((mantle.url(region.value), f"region {region.value} from {region.origin}"))
    else:
        resource = config.get(network.FOUNDRY_RESOURCE_VARIABLE)
        # A name the client refuses builds no URL (region.foundry says so).
        if resource is not None and foundry.RESOURCE_NAME.fullmatch(resource.strip()):
            urls.append((network.foundry_url(resource.strip()), network.FOUNDRY_RESOURCE_VARIABLE))
    endpoints: dict[str, Endpoint] = {}
    for url, source in urls:
        reading = network.read_url(url)
        if isinstance(reading, UrlReading) and reading.host not in endpoints:
            endpoints[reading.host] = Endpoint(url, reading.host, reading.port, source)
    return tuple(endpoints.values())


def endpoints_summary(config: ResolvedConfig, endpoints: tuple[Endpoint, ...]) -> str:
    variable = route(config.provider.provider).base_url_variable
    if config.get(variable) is not None and endpoints:
        return f"{variable} {endpoints[0].url}"
    if not endpoints:
        return "no endpoint the client can call (see the region check)"
    hosts = ", ".join(e.host for e in endpoints)
    return f"no base URL set: default endpoint {hosts}"


def _unparseable(variable: str, problem: UrlProblem) -> Problem:
    if problem.fault is UrlFault.QUOTED:
        fixed = network.unquoted(problem.display)
        how = (
            "Remove the quote characters that are part of the value. In a settings file the "
            "JSON quotes are all you need; in a shell, one pair of quotes is consumed by the "
            "shell, a second pair inside it is not."
        )
    elif problem.fault is UrlFault.NO_SCHEME:
        reading = network.read_url("http://" + problem.display)
        local = isinstance(reading, UrlReading) and reading.is_loopback
        fixed = ("http://" if local else "https://") + problem.display
        how = "Write the scheme in front of the host."
    else:
        fixed = None
        how = "Write a full URL such as https://gateway.example.com/anthropic."
    return Problem(
        Status.FAIL,
        f"{variable}={problem.display!r} {problem.fault.value}: Claude Code cannot parse it as "
        "a URL and stops at once",
        _set_fix(variable, fixed, how) if fixed else Fix(how),
    )


def _with_path(reading: UrlReading, path: str) -> str:
    head = reading.display.split("://", 1)[1]
    authority = head.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return f"{reading.scheme}://{authority}{path}"


def _set_fix(variable: str, value: str, text: str) -> Fix:
    return Fix(
        text,
        (f"export {variable}='{value}'",),
        json.dumps({"env": {variable: value}}),
    )


def ignored_base_url(
    config: ResolvedConfig, value: Value, url_provider: Provider, provider: Provider
) -> Problem:
    flag = _FLAG_OF[url_provider]
    return Problem(
        Status.WARN,
        f"{value.name} ({value.origin.describe()}) is ignored: the provider in use is "
        f"{provider.value}, not {url_provider.value}",
        removal_fix(
            config,
            f"If {value.name} is left over, remove it; if you meant to use {url_provider.value}, "
            f"set {flag}=1.",
            value.name,
        ),
    )


def skip_auth_problems(config: ResolvedConfig) -> list[Problem]:
    provider = config.provider.provider
    row = route(provider)
    skip, variable, own_suffix = row.skip_auth_variable, row.base_url_variable, row.own_host_suffix
    # Without a known host of the provider's own there is nothing to tell a gateway from it by.
    if skip is None or own_suffix is None or not config.truthy(skip):
        return []
    raw = config.get(variable)
    if raw is None:
        target = f"{provider.value} itself"
    else:
        reading = network.read_url(raw)
        if not isinstance(reading, UrlReading) or not reading.host.endswith(own_suffix):
            return []
        target = f"{reading.host}, {provider.value}'s own endpoint"
    return [
        Problem(
            Status.WARN,
            f"{skip} is set but requests go to {target}: they leave unsigned and are refused (403)",
            removal_fix(
                config,
                f"{skip} is for a gateway that adds the credentials. Set {variable} to that "
                f"gateway, or unset {skip} to sign requests with your own credentials.",
                skip,
                after=export_in_shell(config, variable, "'https://your-gateway.example.com'"),
            ),
        )
    ]


def foundry_without_endpoint() -> Problem:
    variable = FOUNDRY.base_url_variable
    return Problem(
        Status.FAIL,
        f"Foundry is selected but neither {network.FOUNDRY_RESOURCE_VARIABLE} nor {variable} is "
        "set: the client has no endpoint to call",
        Fix(
            f"Set {network.FOUNDRY_RESOURCE_VARIABLE} to your Azure AI Foundry resource name, or "
            f"{variable} to its full URL.",
            (f"export {network.FOUNDRY_RESOURCE_VARIABLE}=my-resource",),
            json.dumps({"env": {network.FOUNDRY_RESOURCE_VARIABLE: "my-resource"}}),
        ),
    )
