"""Loading the per-version client facts shipped in versions/*.toml.

A file is keyed by the first Claude Code version that behaves as it says; ccdoctor uses the
file for the installed client (`claude --version`) or, when it cannot tell, the newest one.
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
_TOP_KEYS = frozenset({"version", "source", "defaults", "aliases"})


class FactsError(ValueError):
    """A shipped facts file does not have the shape this loader reads."""


@dataclass(frozen=True)
class ModelDefaults:
    main: str
    small_fast: str
    aliases: Mapping[str, str]
    """Alias → model for `opus`, `sonnet` and `haiku`."""


@dataclass(frozen=True)
class ClientFacts:
    since: Version
    source: str
    """Where the facts come from: "observed: …" (watched on the wire) or "docs: …"."""
    defaults: Mapping[Provider, ModelDefaults]

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
    loaded = [
        read_facts(entry.name, tomllib.loads(entry.read_text(encoding="utf-8")))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    ]
    if not loaded:
        raise FactsError("no client facts are installed (ccdoctor/clients/versions is empty)")
    return tuple(sorted(loaded, key=lambda facts: facts.since))


def facts_for(version: Version | None) -> ClientFacts:
    """The facts for `version`: the newest file not newer than it. Unknown version: the newest
    file; a version older than every file: the oldest."""
    known = all_facts()
    if version is None:
        return known[-1]
    matching = [facts for facts in known if facts.since <= version]
    return matching[-1] if matching else known[0]


def read_facts(name: str, data: Mapping[str, Any]) -> ClientFacts:
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
    return ClientFacts(
        since=since,
        source=_text(name, data, "source"),
        defaults={
            _provider(name, route): _model_defaults(
                f"{name} [{route}]", _table(name, defaults, route), _table(name, aliases, route)
            )
            for route in defaults
        },
    )


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
