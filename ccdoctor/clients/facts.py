"""Loading the per-version client facts shipped in versions/*.toml.

A file is named after the Claude Code version it was observed on (tests/facts/observe.py, `make
observe`); ccdoctor uses the newest file not newer than the installed client (`claude
--version`) or, when it cannot tell, the newest one.
The files are package data, read once and validated strictly: a typo in one is a bug that the
test suite catches, never a silent default.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from ccdoctor.clients.request_shape import (
    SHAPE_FIELDS,
    RequestShape,
    ShapeError,
    ShapeSwitches,
    read_shape,
    read_switches,
)
from ccdoctor.core.provider import Provider

Version = tuple[int, int, int]

_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_VARIABLE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_ALIASES = ("opus", "sonnet", "haiku")
_TOP_KEYS = frozenset(
    {
        "version",
        "source",
        "defaults",
        "aliases",
        "precedence",
        "warmup",
        "retries",
        "fallback",
        "request",
        "settings",
        "network",
        "gateway",
    }
)
FACTS_UP_TO = "CCDOCTOR_FACTS_UP_TO"
"""A test hook, never set by users: with a version, the files of later versions are hidden, as
if this ccdoctor had been released before them (how a client ccdoctor has not seen is tried
with a client it has)."""
WHOLE_TABLES = frozenset(
    ("request", "anthropic", table)
    for table in ("shape", "switches", "beta_switches", "one_hour_cache")
)
"""Tables a learned file replaces as a whole: a field the client no longer sends, or a switch
that no longer removes anything, must not survive from the older file."""
DECIDED_BY_LEARNING = frozenset({"warmup"})
"""Tables a learning run always decides: the run shows whether the client sends a warm-up, so
a learned file without one means none, whatever the older file says."""
OAUTH_BETA = "oauth-2025-04-20"
"""What lets the API take a claude.ai OAuth token as a bearer; without it the API answers 401
"OAuth authentication is currently not supported."."""


class FactsError(ValueError):
    """A shipped facts file does not have the shape this loader reads."""


@dataclass(frozen=True)
class ModelDefaults:
    """The models a client version picks for one provider when none is chosen: main, small/fast, and
    what each alias resolves to."""

    main: str
    small_fast: str
    aliases: Mapping[str, str]
    """Alias → model for `opus`, `sonnet` and `haiku`."""


@dataclass(frozen=True)
class Warmup:
    """The request the client sends to the base URL before its first model call."""

    method: str
    path: str


@dataclass(frozen=True)
class ModelFallback:
    """The client's model-access fallback: when the built-in main model is refused (403/404),
    it asks the next model of its route's chain, in the same run."""

    chains: Mapping[Provider, tuple[str, ...]]
    """Route → the models asked in turn, the built-in main model first."""
    stopped_by: tuple[str, ...]
    """Variables that, set truthy, turn the fallback off (one request, one verdict); none for a
    version whose only fallback is Mantle's."""


@dataclass(frozen=True)
class GatewaySignIn:
    """The Cloud gateway sign-in: its flag, set truthy with every variable of `requires`, beats
    every route flag; with one of them missing the client ignores the flag."""

    flag: str
    requires: tuple[str, ...]
    main: str
    """The model the client asks through the gateway when none is chosen."""


@dataclass(frozen=True)
class ClientFacts:
    """What one range of Claude Code versions does, as its facts file records: default models,
    route flag order, warm-up, fallback, what it drops and resends after a 400, the betas and
    request shape it sends, and how it reads settings, proxies and managed policy."""

    since: Version
    source: str
    """Where the facts come from: "observed: …" (watched on the wire)."""
    defaults: Mapping[Provider, ModelDefaults]
    precedence: tuple[str, ...]
    """The route flags in the order the client tests them: the first truthy one wins."""
    warmup: Warmup | None
    """None: no request before the first model call, with non-essential traffic off (2.1.332
    sends `HEAD /api/hello` only when it is on, alongside lookups beyond the fakes)."""
    drops_rejected_betas: frozenset[str]
    """The `anthropic-beta` values the client sends again without after a 400 that names
    them (a gateway rejecting one of these is no longer fatal); which ones differs per
    version."""
    fallback: ModelFallback | None
    """None: the client asks its main model only."""
    drops_rejected_fields: frozenset[str]
    """The shape fields the client sends again without after a 400 that names them (2.1.307
    on); a gateway rejecting one of these costs a round trip, not the session."""
    anthropic_betas: tuple[str, ...]
    """`anthropic-beta` of the client's request on the Anthropic route (API or gateway), in
    its order, the 1M-context beta aside (it comes with a `[1m]` model)."""
    anthropic_betas_without_experimental: tuple[str, ...]
    """The same with CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1."""
    anthropic_betas_oauth: tuple[str, ...]
    """`anthropic-beta` when the client sends CLAUDE_CODE_OAUTH_TOKEN (OAUTH_BETA among them)."""
    anthropic_betas_oauth_without_experimental: tuple[str, ...]
    """The same with CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1."""
    local_at_git_root: bool
    """Started below a git repository's root, the client also reads the root's
    `.claude/settings.local.json`, which beats the start directory's copy (2.1.219 on; 2.1.197
    and 2.1.207 read the start directory's only). Project `settings.json` comes from the start
    directory on every observed version."""
    model_overrides_chosen: bool
    """`modelOverrides` maps a model the user chose (`--model`, `ANTHROPIC_MODEL`, the `model`
    key, an alias pin) when it is the client's own ID for that model, not only the IDs the
    default or an alias resolves to (2.1.207 on; 2.1.197 sends a chosen ID as it is)."""
    proxy_variables: tuple[str, ...]
    """The proxy variables the client reads, in its order: the first one set is the proxy for
    every request (all_proxy/ALL_PROXY joined the four others in 2.1.280)."""
    managed_restrictions: frozenset[str] = frozenset()
    """Managed-settings keys that restrict the session and that this version enforces
    (`allowedProviders`, `deniedModels`: 2.1.332 on; 2.1.197 ignores both)."""
    gateway: GatewaySignIn | None = None
    """The Cloud gateway sign-in route, for a version seen to take it."""
    anthropic_shape: RequestShape | None = None
    """The shape of the client's first request on the Anthropic route; None in a file observed
    before the shape was."""
    shape_switches: ShapeSwitches = dataclasses.field(
        default_factory=lambda: ShapeSwitches({}, {}, (), ())
    )
    """What the user's switches remove from that shape."""
    variables: frozenset[str] = frozenset()
    """The Claude Code variables (ANTHROPIC_…, CLAUDE_…, VERTEX_REGION_…) this version's code
    names, from the `<version>.variables` file beside the facts: a name the client reads is
    never a misspelling, whatever ccdoctor's own catalogue holds."""

    def anthropic_betas_for(self, oauth: bool, experimental: bool) -> tuple[str, ...]:
        """The client's `anthropic-beta` on the Anthropic route: `oauth` when it sends
        CLAUDE_CODE_OAUTH_TOKEN, `experimental` unless CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS."""
        if oauth:
            if experimental:
                return self.anthropic_betas_oauth
            return self.anthropic_betas_oauth_without_experimental
        return self.anthropic_betas if experimental else self.anthropic_betas_without_experimental

    def fallback_chain(self, provider: Provider) -> tuple[str, ...]:
        """The models the client tries in turn on `provider`; empty without a fallback."""
        return self.fallback.chains.get(provider, ()) if self.fallback is not None else ()

    @property
    def version_text(self) -> str:
        return version_text(self.since)


class FactsOrigin(enum.StrEnum):
    SHIPPED = "shipped"
    """A shipped file: the installed client is not newer than every one."""
    LEARNED = "learned"
    """Learned from the installed client in this run, over the newest shipped file."""
    CACHED = "cached"
    """Learned by an earlier run, read from the user's cache."""
    NOT_LEARNED = "not_learned"
    """The newest shipped file for a newer client: learning was off or failed."""


@dataclass(frozen=True)
class FactsChoice:
    """The facts a run judges by, and how they were come by (config.client reports it)."""

    facts: ClientFacts
    origin: FactsOrigin
    detail: str = ""
    """LEARNED / CACHED: how long it took, where it is cached; NOT_LEARNED: why not."""


def parse_version(text: str | None) -> Version | None:
    """The first x.y.z in `text` (`claude --version` prints "2.1.197 (Claude Code)")."""
    if not text:
        return None
    match = _VERSION.search(text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return (major, minor, patch)


@functools.cache
def _shipped() -> tuple[tuple[Version, str], ...]:
    """(version, file name) of every shipped facts file, oldest first. A file's name is its
    version (read_facts enforces it), so picking one needs no file parsed."""
    folder = resources.files(__package__).joinpath("versions")
    limit = parse_version(os.environ.get(FACTS_UP_TO))
    found = sorted(
        (parse_version(entry.name) or (0, 0, 0), entry.name)
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
        and (limit is None or (parse_version(entry.name) or (0, 0, 0)) <= limit)
    )
    if not found:
        raise FactsError("no client facts are installed (ccdoctor/clients/versions is empty)")
    return tuple(found)


@functools.cache
def _facts_file(name: str) -> ClientFacts:
    folder = resources.files(__package__).joinpath("versions")
    return dataclasses.replace(
        read_facts(name, _file_data(name)),
        variables=read_variables(folder.joinpath(name.removesuffix(".toml") + ".variables")),
    )


def _file_data(name: str) -> dict[str, Any]:
    folder = resources.files(__package__).joinpath("versions")
    return tomllib.loads(folder.joinpath(name).read_text(encoding="utf-8"))


def newest_shipped() -> ClientFacts:
    return _facts_file(_shipped()[-1][1])


def over_newest(learned: Mapping[str, Any]) -> ClientFacts:
    """Learned facts (a facts file's tables, the keys learned only) over the newest shipped
    file: each learned key replaces the file's, every other key is the file's. The variables a
    version names are the newest file's (no run shows them all). Raises FactsError when the
    result is not a valid facts file (a cached file damaged or from another ccdoctor)."""
    newest = newest_shipped()
    version = parse_version(str(learned.get("version", "")))
    if version is None:
        raise FactsError("learned facts: `version` must be x.y.z")
    base = _file_data(_shipped()[-1][1])
    merged = _merged({k: v for k, v in base.items() if k not in DECIDED_BY_LEARNING}, learned, ())
    return dataclasses.replace(
        read_facts(f"{version_text(version)}.toml", merged), variables=newest.variables
    )


def merged_tables(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over`'s keys over `base`'s, table by table (WHOLE_TABLES replaced as a whole)."""
    return _merged(base, over, ())


def _merged(
    base: Mapping[str, Any], over: Mapping[str, Any], where: tuple[str, ...]
) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        inner = (*where, key)
        if isinstance(value, Mapping) and inner not in WHOLE_TABLES:
            below = base.get(key)
            merged[key] = _merged(below if isinstance(below, Mapping) else {}, value, inner)
        else:
            merged[key] = value
    return merged


def all_facts() -> tuple[ClientFacts, ...]:
    """Every shipped facts file, oldest version first."""
    return tuple(_facts_file(name) for _, name in _shipped())


def observed_versions() -> tuple[Version, ...]:
    """The versions the shipped facts were observed on, oldest first; a run reads one file."""
    return tuple(version for version, _ in _shipped())


def version_text(version: Version) -> str:
    return ".".join(map(str, version))


def read_variables(file: Traversable) -> frozenset[str]:
    """A `.variables` file: one name per line, `#` comments."""
    if not file.is_file():
        raise FactsError(f"{file.name} is missing: every facts file has its variables beside it")
    names = {
        line.strip()
        for line in file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    malformed = sorted(name for name in names if not _VARIABLE.fullmatch(name))
    if malformed:
        raise FactsError(f"{file.name}: not variable names: {', '.join(malformed[:5])}")
    return frozenset(names)


def facts_for(version: Version | None) -> ClientFacts:
    """The facts for `version`: the newest file not newer than it. Unknown version: the newest
    file; a version older than every file: the oldest."""
    known = _shipped()
    if version is None:
        return _facts_file(known[-1][1])
    matching = [name for since, name in known if since <= version]
    return _facts_file(matching[-1] if matching else known[0][1])


def read_facts(name: str, data: Mapping[str, Any]) -> ClientFacts:
    """One file. A route's `small_fast` may be left out (a one-shot run never asks the small/fast
    model, so a file observed on the wire alone cannot name it): it is then the route's
    `haiku` alias on the routes Anthropic serves (the API, Claude Platform on AWS and on Google
    Cloud) and its `sonnet` alias on the clouds, the rule the client's code follows
    (`ANTHROPIC_SMALL_FAST_MODEL`, else the Haiku default first-party, the Sonnet default on a
    cloud) and every file that names its small/fast models agrees with."""
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise FactsError(f"{name}: unknown keys {sorted(unknown)}")
    since = parse_version(_text(name, data, "version"))
    if since is None or name != f"{'.'.join(map(str, since))}.toml":
        raise FactsError(f"{name}: `version` must be x.y.z and match the file name")
    defaults = _table(name, data, "defaults")
    aliases = _table(name, data, "aliases")
    if set(defaults) != set(aliases):
        raise FactsError(f"{name}: [defaults.*] and [aliases.*] name different routes")
    precedence = _table(name, data, "precedence")
    warmup = data.get("warmup", {})
    if not isinstance(warmup, dict):
        raise FactsError(f"{name}: `warmup` must be a table")
    retries = _table(name, data, "retries")
    _only(f"{name} [precedence]", precedence, {"flags"})
    _only(f"{name} [warmup]", warmup, {"method", "path"})
    _only(f"{name} [retries]", retries, {"drops_rejected_betas", "drops_rejected_fields"})
    dropped_fields = retries.get("drops_rejected_fields", [])
    if not isinstance(dropped_fields, list) or set(dropped_fields) - set(SHAPE_FIELDS):
        raise FactsError(f"{name} [retries]: `drops_rejected_fields` must name shape fields")
    drops = retries.get("drops_rejected_betas")
    if not isinstance(drops, list) or not all(isinstance(b, str) and b for b in drops):
        raise FactsError(f"{name} [retries]: `drops_rejected_betas` must be a list of betas")
    request = _table(name, data, "request")
    _only(f"{name} [request]", request, {"anthropic"})
    anthropic = _table(f"{name} [request]", request, "anthropic")
    where = f"{name} [request.anthropic]"
    oauth_keys = ("betas_oauth", "betas_oauth_without_experimental")
    shape_keys = ("shape", "switches", "beta_switches", "one_hour_cache")
    _only(where, anthropic, {"betas", "betas_without_experimental", *oauth_keys, *shape_keys})
    oauth_betas = [_texts(where, anthropic, key) for key in oauth_keys]
    if any(OAUTH_BETA not in betas for betas in oauth_betas):
        raise FactsError(f"{where}: an OAuth beta list without {OAUTH_BETA}")
    network = _table(name, data, "network")
    _only(f"{name} [network]", network, {"proxy_variables"})
    try:
        shape = read_shape(f"{where} [shape]", anthropic["shape"]) if "shape" in anthropic else None
        switches = read_switches(where, anthropic)
    except ShapeError as error:
        raise FactsError(str(error)) from None
    settings = _table(name, data, "settings")
    _only(
        f"{name} [settings]",
        settings,
        {"local_at_git_root", "model_overrides_chosen", "managed_restrictions"},
    )
    local_at_root = settings.get("local_at_git_root")
    if not isinstance(local_at_root, bool):
        raise FactsError(f"{name} [settings]: `local_at_git_root` must be true or false")
    overrides_chosen = settings.get("model_overrides_chosen")
    if not isinstance(overrides_chosen, bool):
        raise FactsError(f"{name} [settings]: `model_overrides_chosen` must be true or false")
    return ClientFacts(
        since=since,
        source=_text(name, data, "source"),
        defaults={
            _provider(name, route): _model_defaults(
                f"{name} [{route}]",
                _provider(name, route),
                _table(name, defaults, route),
                _table(name, aliases, route),
            )
            for route in defaults
        },
        precedence=_texts(f"{name} [precedence]", precedence, "flags"),
        warmup=Warmup(
            _text(f"{name} [warmup]", warmup, "method"), _text(f"{name} [warmup]", warmup, "path")
        )
        if warmup
        else None,
        drops_rejected_betas=frozenset(drops),
        drops_rejected_fields=frozenset(dropped_fields),
        fallback=_fallback(name, data.get("fallback")),
        anthropic_betas=_texts(where, anthropic, "betas"),
        anthropic_betas_without_experimental=_texts(where, anthropic, "betas_without_experimental"),
        anthropic_betas_oauth=oauth_betas[0],
        anthropic_betas_oauth_without_experimental=oauth_betas[1],
        local_at_git_root=local_at_root,
        model_overrides_chosen=overrides_chosen,
        proxy_variables=_texts(f"{name} [network]", network, "proxy_variables"),
        managed_restrictions=frozenset(
            _texts(f"{name} [settings]", settings, "managed_restrictions")
            if "managed_restrictions" in settings
            else ()
        ),
        gateway=_gateway(name, data.get("gateway")),
        anthropic_shape=shape,
        shape_switches=switches,
    )


def _gateway(name: str, data: Any) -> GatewaySignIn | None:
    if data is None:
        return None
    where = f"{name} [gateway]"
    if not isinstance(data, dict):
        raise FactsError(f"{where} must be a table")
    _only(where, data, {"flag", "requires", "main"})
    return GatewaySignIn(
        _text(where, data, "flag"), _texts(where, data, "requires"), _text(where, data, "main")
    )


def _fallback(name: str, data: Any) -> ModelFallback | None:
    if data is None:
        return None
    where = f"{name} [fallback]"
    if not isinstance(data, dict):
        raise FactsError(f"{where} must be a table")
    chains = {}
    for route, table in data.items():
        if route == "stopped_by":
            continue
        if not isinstance(table, dict):
            raise FactsError(f"{where}: `{route}` must be a table")
        _only(f"{where} [{route}]", table, {"chain"})
        chains[_provider(name, route)] = _texts(f"{where} [{route}]", table, "chain")
    if not chains:
        raise FactsError(f"{where}: name the chain of at least one route")
    # Mantle's probe walk, the only fallback of 2.1.207-2.1.315, heeds no stop variable.
    stopped_by = _texts(where, data, "stopped_by") if "stopped_by" in data else ()
    return ModelFallback(chains, stopped_by)


def _model_defaults(
    where: str, provider: Provider, models: Mapping[str, Any], aliases: Mapping[str, Any]
) -> ModelDefaults:
    if set(models) not in ({"main"}, {"main", "small_fast"}):
        raise FactsError(f"{where}: defaults need `main` and at most `small_fast`")
    if set(aliases) != set(_ALIASES):
        raise FactsError(f"{where}: aliases need exactly {', '.join(_ALIASES)}")
    named = {alias: _text(where, aliases, alias) for alias in _ALIASES}
    small_fast = (
        _text(where, models, "small_fast")
        if "small_fast" in models
        else derived_small_fast(provider, named)
    )
    return ModelDefaults(main=_text(where, models, "main"), small_fast=small_fast, aliases=named)


def derived_small_fast(provider: Provider, aliases: Mapping[str, str]) -> str:
    """The small/fast model a file leaves out: see `read_facts`."""
    return aliases["haiku" if provider in _HAIKU_SMALL_FAST else "sonnet"]


_HAIKU_SMALL_FAST = frozenset(
    {Provider.ANTHROPIC, Provider.ANTHROPIC_AWS, Provider.ANTHROPIC_GOOGLE_CLOUD}
)


def _provider(name: str, route: str) -> Provider:
    try:
        return Provider(route)
    except ValueError:
        raise FactsError(f"{name}: unknown route {route!r}") from None


def _only(where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise FactsError(f"{where}: unknown keys {sorted(unknown)}")


def _texts(where: str, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise FactsError(f"{where}: `{key}` must be a non-empty list of strings")
    return tuple(value)


def _text(where: str, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise FactsError(f"{where}: `{key}` must be a non-empty string")
    return value


def _table(where: str, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise FactsError(f"{where}: `{key}` must be a table")
    return value
