"""Loading the per-version client facts shipped in versions/*.toml.

A file is named after the Claude Code version it was observed on (tests/facts/observe.py, `make
observe`); ccdoctor uses the newest file not newer than the installed client (`claude
--version`) or, when it cannot tell, the newest one.
The files are package data, read once and validated strictly: a typo in one is a bug that the
test suite catches, never a silent default.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ccdoctor.core.provider import Provider

Version = tuple[int, int, int]

_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_ALIASES = ("opus", "sonnet", "haiku")
_TOP_KEYS = frozenset(
    {
        "version",
        "source",
        "inherits_from",
        "defaults",
        "aliases",
        "precedence",
        "warmup",
        "retries",
        "fallback",
        "request",
        "settings",
    }
)
OAUTH_BETA = "oauth-2025-04-20"
"""What lets the API take a claude.ai OAuth token as a bearer; without it the API answers 401
"OAuth authentication is currently not supported."."""
LOCAL_AT_GIT_ROOT_DEFAULT = False
"""`[settings] local_at_git_root` when a file names none and inherits from none: what the oldest
observed client (2.1.197) does, reading only the start directory's `.claude/` files."""


class FactsError(ValueError):
    """A shipped facts file does not have the shape this loader reads."""


@dataclass(frozen=True)
class ModelDefaults:
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
    """Variables that, set truthy, turn the fallback off (one request, one verdict)."""


@dataclass(frozen=True)
class ClientFacts:
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
    anthropic_betas: tuple[str, ...]
    """`anthropic-beta` of the client's request on the Anthropic route (API or gateway), in
    its order, the 1M-context beta aside (it comes with a `[1m]` model)."""
    anthropic_betas_without_experimental: tuple[str, ...]
    """The same with CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1."""
    anthropic_betas_oauth: tuple[str, ...] = ()
    """`anthropic-beta` when the client sends CLAUDE_CODE_OAUTH_TOKEN (OAUTH_BETA among them);
    empty (a file that names none and inherits none): the API-key list with OAUTH_BETA after
    its first value, as on every observed version, less what an OAuth run adds."""
    anthropic_betas_oauth_without_experimental: tuple[str, ...] = ()
    """The same with CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1."""
    local_at_git_root: bool = LOCAL_AT_GIT_ROOT_DEFAULT
    """Started below a git repository's root, the client also reads the root's
    `.claude/settings.local.json`, which beats the start directory's copy (2.1.332; 2.1.197
    reads the start directory's only). Project `settings.json` comes from the start directory
    on every observed version."""

    def anthropic_betas_for(self, oauth: bool, experimental: bool) -> tuple[str, ...]:
        """The client's `anthropic-beta` on the Anthropic route: `oauth` when it sends
        CLAUDE_CODE_OAUTH_TOKEN, `experimental` unless CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS."""
        if oauth:
            listed = (
                self.anthropic_betas_oauth
                if experimental
                else self.anthropic_betas_oauth_without_experimental
            )
            return listed or _with_oauth(
                self.anthropic_betas if experimental else self.anthropic_betas_without_experimental
            )
        return self.anthropic_betas if experimental else self.anthropic_betas_without_experimental

    def fallback_chain(self, provider: Provider) -> tuple[str, ...]:
        """The models the client tries in turn on `provider`; empty without a fallback."""
        return self.fallback.chains.get(provider, ()) if self.fallback is not None else ()

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.since))


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
def all_facts() -> tuple[ClientFacts, ...]:
    """Every shipped facts file, oldest version first."""
    folder = resources.files(__package__).joinpath("versions")
    files = sorted(
        (
            (parse_version(entry.name) or (0, 0, 0), entry.name, entry.read_text(encoding="utf-8"))
            for entry in folder.iterdir()
            if entry.name.endswith(".toml")
        ),
    )
    if not files:
        raise FactsError("no client facts are installed (ccdoctor/clients/versions is empty)")
    loaded: dict[Version, ClientFacts] = {}
    for _, name, text in files:
        facts = read_facts(name, tomllib.loads(text), loaded)
        loaded[facts.since] = facts
    return tuple(loaded.values())


def facts_for(version: Version | None) -> ClientFacts:
    """The facts for `version`: the newest file not newer than it. Unknown version: the newest
    file; a version older than every file: the oldest."""
    known = all_facts()
    if version is None:
        return known[-1]
    matching = [facts for facts in known if facts.since <= version]
    return matching[-1] if matching else known[0]


def read_facts(
    name: str, data: Mapping[str, Any], older: Mapping[Version, ClientFacts] | None = None
) -> ClientFacts:
    """One file. `inherits_from` names an older file whose small/fast models and aliases this
    one keeps where it names none: a one-shot run shows neither, so a file observed on the wire
    alone says where the rest comes from. `[settings]` is optional: a file without it keeps
    its base's settings discovery, or LOCAL_AT_GIT_ROOT_DEFAULT without a base; so are the
    OAuth beta lists of `[request.anthropic]` (see ClientFacts.anthropic_betas_oauth)."""
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise FactsError(f"{name}: unknown keys {sorted(unknown)}")
    since = parse_version(_text(name, data, "version"))
    if since is None or name != f"{'.'.join(map(str, since))}.toml":
        raise FactsError(f"{name}: `version` must be x.y.z and match the file name")
    base = _inherited(name, data, since, older or {})
    defaults = _table(name, data, "defaults")
    aliases = data.get("aliases") if base is None or "aliases" in data else {}
    if not isinstance(aliases, dict):
        raise FactsError(f"{name}: `aliases` must be a table")
    if base is not None:
        defaults = {
            route: {"small_fast": base.defaults[_provider(name, route)].small_fast, **table}
            for route, table in defaults.items()
            if isinstance(table, dict)
        }
        aliases = {
            route: aliases.get(route, dict(base.defaults[_provider(name, route)].aliases))
            for route in defaults
        }
    if set(defaults) != set(aliases):
        raise FactsError(f"{name}: [defaults.*] and [aliases.*] name different routes")
    precedence = _table(name, data, "precedence")
    warmup = data.get("warmup", {})
    if not isinstance(warmup, dict):
        raise FactsError(f"{name}: `warmup` must be a table")
    retries = _table(name, data, "retries")
    _only(f"{name} [precedence]", precedence, {"flags"})
    _only(f"{name} [warmup]", warmup, {"method", "path"})
    _only(f"{name} [retries]", retries, {"drops_rejected_betas"})
    drops = retries.get("drops_rejected_betas")
    if not isinstance(drops, list) or not all(isinstance(b, str) and b for b in drops):
        raise FactsError(f"{name} [retries]: `drops_rejected_betas` must be a list of betas")
    request = _table(name, data, "request")
    _only(f"{name} [request]", request, {"anthropic"})
    anthropic = _table(f"{name} [request]", request, "anthropic")
    where = f"{name} [request.anthropic]"
    oauth_keys = ("betas_oauth", "betas_oauth_without_experimental")
    _only(where, anthropic, {"betas", "betas_without_experimental", *oauth_keys})
    inherited_oauth = (
        (base.anthropic_betas_oauth, base.anthropic_betas_oauth_without_experimental)
        if base is not None
        else ((), ())
    )
    oauth_betas = [
        _texts(where, anthropic, key) if key in anthropic else kept
        for key, kept in zip(oauth_keys, inherited_oauth, strict=True)
    ]
    if any(betas and OAUTH_BETA not in betas for betas in oauth_betas):
        raise FactsError(f"{where}: an OAuth beta list without {OAUTH_BETA}")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise FactsError(f"{name}: `settings` must be a table")
    _only(f"{name} [settings]", settings, {"local_at_git_root"})
    local_at_root = settings.get(
        "local_at_git_root",
        base.local_at_git_root if base is not None else LOCAL_AT_GIT_ROOT_DEFAULT,
    )
    if not isinstance(local_at_root, bool):
        raise FactsError(f"{name} [settings]: `local_at_git_root` must be true or false")
    return ClientFacts(
        since=since,
        source=_text(name, data, "source"),
        defaults={
            _provider(name, route): _model_defaults(
                f"{name} [{route}]", _table(name, defaults, route), _table(name, aliases, route)
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
        fallback=_fallback(name, data.get("fallback")),
        anthropic_betas=_texts(where, anthropic, "betas"),
        anthropic_betas_without_experimental=_texts(where, anthropic, "betas_without_experimental"),
        anthropic_betas_oauth=oauth_betas[0],
        anthropic_betas_oauth_without_experimental=oauth_betas[1],
        local_at_git_root=local_at_root,
    )


def _with_oauth(betas: tuple[str, ...]) -> tuple[str, ...]:
    """Where both observed versions put OAUTH_BETA: right after claude-code-20250219."""
    return (*betas[:1], OAUTH_BETA, *betas[1:])


def _inherited(
    name: str, data: Mapping[str, Any], since: Version, older: Mapping[Version, ClientFacts]
) -> ClientFacts | None:
    text = data.get("inherits_from")
    if text is None:
        return None
    version = parse_version(text) if isinstance(text, str) else None
    base = older.get(version) if version is not None else None
    if version is None or base is None or version >= since:
        raise FactsError(f"{name}: `inherits_from` must name an older facts file")
    return base


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
    return ModelFallback(chains, _texts(where, data, "stopped_by"))


def _model_defaults(
    where: str, models: Mapping[str, Any], aliases: Mapping[str, Any]
) -> ModelDefaults:
    if set(models) != {"main", "small_fast"}:
        raise FactsError(f"{where}: defaults need exactly `main` and `small_fast`")
    if set(aliases) != set(_ALIASES):
        raise FactsError(f"{where}: aliases need exactly {', '.join(_ALIASES)}")
    return ModelDefaults(
        main=_text(where, models, "main"),
        small_fast=_text(where, models, "small_fast"),
        aliases={alias: _text(where, aliases, alias) for alias in _ALIASES},
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
