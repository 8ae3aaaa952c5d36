"""Known client regressions (regressions.toml): version ranges in which Claude Code breaks a
set-up that works on the versions around it, each with its trigger and the way out.

The file is package data, read once and validated strictly, like the facts files.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ccdoctor.clients.facts import FactsError, Version, parse_version
from ccdoctor.core.provider import Provider

_KEYS = frozenset(
    {
        "id",
        "first",
        "last",
        "status",
        "provider",
        "set",
        "empty",
        "any_set",
        "from_settings",
        "symptom",
        "fix",
        "commands",
        "unsets",
        "confirmed",
        "source",
    }
)
_STATUSES = ("fail", "warn")


@dataclass(frozen=True)
class Trigger:
    """What a set-up must have for the regression to bite; every part must hold."""

    provider: Provider | None = None
    set: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()
    any_set: tuple[str, ...] = ()
    from_settings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Regression:
    """One known client regression from regressions.toml: the versions it spans, what triggers it,
    its symptom and the way out."""

    id: str
    first: Version
    last: Version
    fails: bool
    """True: the client fails whenever the trigger holds; False: only some builds of the range
    do (a warning)."""
    trigger: Trigger
    symptom: str
    fix: str
    commands: tuple[str, ...]
    unsets: tuple[str, ...]
    """Variables the fix takes away, shown as `unset` or a settings-file edit for where the
    run has them (a static table cannot know)."""
    confirmed: str
    """How it was confirmed by running the affected versions against the fakes."""
    source: str

    def affects(self, version: Version) -> bool:
        return self.first <= version <= self.last

    @property
    def range_text(self) -> str:
        first, last = (".".join(map(str, v)) for v in (self.first, self.last))
        return first if first == last else f"{first} to {last}"


@functools.cache
def known_regressions() -> tuple[Regression, ...]:
    text = resources.files(__package__).joinpath("regressions.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text).get("regression", [])
    if not isinstance(rows, list):
        raise FactsError("regressions.toml: `regression` must be an array of tables")
    return tuple(read_regression(row) for row in rows)


def read_regression(row: Mapping[str, Any]) -> Regression:
    where = f"regressions.toml [{row.get('id', '?')}]"
    unknown = set(row) - _KEYS
    if unknown:
        raise FactsError(f"{where}: unknown keys {sorted(unknown)}")
    first, last = (parse_version(_text(where, row, key)) for key in ("first", "last"))
    if first is None or last is None or first > last:
        raise FactsError(f"{where}: `first` and `last` must be x.y.z, first ≤ last")
    status = _text(where, row, "status")
    if status not in _STATUSES:
        raise FactsError(f"{where}: `status` must be one of {', '.join(_STATUSES)}")
    provider = row.get("provider")
    trigger = Trigger(
        provider=Provider(provider) if provider is not None else None,
        set=_names(where, row, "set"),
        empty=_names(where, row, "empty"),
        any_set=_names(where, row, "any_set"),
        from_settings=_names(where, row, "from_settings"),
    )
    if trigger == Trigger(provider=trigger.provider):
        raise FactsError(f"{where}: a trigger needs at least one variable")
    return Regression(
        id=_text(where, row, "id"),
        first=first,
        last=last,
        fails=status == "fail",
        trigger=trigger,
        symptom=_text(where, row, "symptom"),
        fix=_text(where, row, "fix"),
        commands=_names(where, row, "commands"),
        unsets=_names(where, row, "unsets"),
        confirmed=_text(where, row, "confirmed"),
        source=_text(where, row, "source"),
    )


def _text(where: str, row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value:
        raise FactsError(f"{where}: `{key}` must be a non-empty string")
    return value


def _names(where: str, row: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FactsError(f"{where}: `{key}` must be a list of names")
    return tuple(value)
