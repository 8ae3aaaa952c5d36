"""Which checks exist: the built-in ones in `ccdoctor.checks`, plus plugins from entry points."""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType

from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category
from ccdoctor.core.suggest import did_you_mean
from ccdoctor.spec import Check, Cost

ENTRY_POINT_GROUP = "ccdoctor.checks"

RESERVED_CHECK_IDS = frozenset(
    {
        "proxy.reachable",
        "proxy.auth",
        "proxy.conformance",
        "models.anthropic",
        "models.bedrock",
        "models.vertex",
    }
)
"""Ids of live checks that later built-in work fills in; plugins may not take them."""


@dataclass(frozen=True)
class PluginFailure:
    """Checks that could not be loaded: a plugin entry point, or a built-in module whose import
    failed (a bug, or a broken dependency). The runner reports each as an error result, so the
    failure costs those checks and not the whole run."""

    name: str
    error: str
    builtin: bool = False

    @property
    def result_id(self) -> str:
        return f"{'builtin' if self.builtin else 'plugin'}.{self.name}"


@dataclass(frozen=True)
class Catalogue:
    """The checks available to a run, and the plugins or built-in modules that failed to load."""

    checks: tuple[Check, ...]
    failures: tuple[PluginFailure, ...] = ()

    def by_id(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.spec.id == check_id), None)


@dataclass(frozen=True)
class _Entry:
    """What one plugin entry point provided."""

    name: str
    checks: tuple[Check, ...]
    errors: tuple[str, ...]


def builtin_checks() -> list[Check]:
    """The built-in checks whose modules import; `load_catalogue` also reports the others."""
    return _builtins()[0]


def _builtins() -> tuple[list[Check], list[PluginFailure]]:
    import ccdoctor.checks as package

    found: list[Check] = []
    failures: list[PluginFailure] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception as exc:
            failures.append(PluginFailure(info.name, describe_exception(exc), builtin=True))
            continue
        found.extend(_checks_in(module, "builtin"))
    unique, clashes = _distinct(found)
    failures += [
        PluginFailure(check_id, "two built-in modules define this check id", builtin=True)
        for check_id in clashes
    ]
    return sorted(unique, key=_order), failures


def describe_exception(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # an exception whose __str__ fails must still be reportable
        text = "<message could not be read>"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _order(check: Check) -> tuple[int, str]:
    return (list(Category).index(check.spec.category), check.spec.id)


def _checks_in(obj: object, origin: str) -> list[Check]:
    if isinstance(obj, Check):
        return [_with_origin(obj, origin)]
    if isinstance(obj, ModuleType):
        return [_with_origin(v, origin) for v in vars(obj).values() if isinstance(v, Check)]
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        return [_with_origin(v, origin) for v in obj if isinstance(v, Check)]
    return []


def _with_origin(check: Check, origin: str) -> Check:
    return Check(check.spec, check.run, origin)


def _distinct(checks: Iterable[Check]) -> tuple[list[Check], list[str]]:
    """One check per id. A module that imports another module's check to refer to it holds the
    same Check twice, which is no clash; two different checks under one id are."""
    kept: dict[str, Check] = {}
    clashes: list[str] = []
    for check in checks:
        first = kept.setdefault(check.spec.id, check)
        if first != check and check.spec.id not in clashes:
            clashes.append(check.spec.id)
    return list(kept.values()), clashes


def _invalid(check: Check) -> str | None:
    """Why a plugin's check cannot be run or rendered. Plugins are not type-checked with ccdoctor,
    so their fields are taken as plain objects here."""
    spec = check.spec
    check_id: object = spec.id
    if not isinstance(check_id, str) or not check_id.strip() or check_id != check_id.strip():
        return f"check id {check_id!r} is not a non-empty string without surrounding spaces"
    category: object = spec.category
    if not isinstance(category, Category):
        return f"check {check_id!r} has category {category!r}, not a ccdoctor.model.Category"
    cost: object = spec.cost
    if not isinstance(cost, Cost):
        return f"check {check_id!r} has cost {cost!r}, not a ccdoctor.model.Cost"
    providers: object = spec.providers
    if providers is not None and not (
        isinstance(providers, frozenset) and all(isinstance(p, Provider) for p in providers)
    ):
        return f"check {check_id!r} lists providers that are not ccdoctor.model.Provider"
    needs: object = spec.needs
    if not isinstance(needs, tuple) or not all(isinstance(n, str) for n in needs):
        return f"check {check_id!r} has needs that are not check ids"
    texts: tuple[object, ...] = (spec.title, spec.description, spec.explain)
    if not all(isinstance(t, str) for t in texts):
        return f"check {check_id!r} has a title, description or explanation that is not text"
    run: object = check.run
    if not callable(run):
        return f"check {check_id!r} has nothing to run"
    return None


def _plugin_entries() -> list[_Entry]:
    from importlib.metadata import entry_points

    entries: list[_Entry] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"plugin {entry.name}" + (f" ({entry.dist.name})" if entry.dist else "")
        try:
            found = _checks_in(entry.load(), origin)
        # A broken plugin must not take the run down; SystemExit included, since a module
        # that parses sys.argv at import time exits with it.
        except (Exception, SystemExit) as exc:
            entries.append(_Entry(entry.name, (), (describe_exception(exc),)))
            continue
        problems = [_invalid(check) for check in found]
        errors = [problem for problem in problems if problem is not None]
        unique, clashes = _distinct(c for c, p in zip(found, problems, strict=True) if p is None)
        errors += [f"check id {i!r} is defined twice" for i in clashes]
        if not found:
            errors.append("entry point holds no ccdoctor Check")
        entries.append(_Entry(entry.name, tuple(unique), tuple(errors)))
    return entries


def plugin_checks() -> tuple[list[Check], list[PluginFailure]]:
    entries = _plugin_entries()
    checks = [check for entry in entries for check in entry.checks]
    return checks, _merged(PluginFailure(e.name, "; ".join(e.errors)) for e in entries if e.errors)


def _merged(failures: Iterable[PluginFailure]) -> list[PluginFailure]:
    """One failure per result id: two distributions may use the same entry-point name."""
    by_id: dict[str, PluginFailure] = {}
    for failure in failures:
        seen = by_id.get(failure.result_id)
        if seen is not None:
            failure = PluginFailure(failure.name, f"{seen.error}; {failure.error}", failure.builtin)
        by_id[failure.result_id] = failure
    return list(by_id.values())


def load_catalogue(include_plugins: bool = True) -> Catalogue:
    checks, failures = _builtins()
    if include_plugins:
        claimed = dict.fromkeys(RESERVED_CHECK_IDS, "reserved for a built-in check")
        claimed |= dict.fromkeys((c.spec.id for c in checks), "taken by a built-in check")
        for entry in _plugin_entries():
            errors = list(entry.errors)
            for plugin in entry.checks:
                claim = claimed.get(plugin.spec.id)
                if claim is not None:
                    errors.append(f"check id {plugin.spec.id!r} is already {claim}")
                    continue
                claimed[plugin.spec.id] = f"taken by {plugin.origin}"
                checks.append(plugin)
            if errors:
                failures.append(PluginFailure(entry.name, "; ".join(errors)))
    return Catalogue(tuple(checks), tuple(_merged(failures)))


class UnknownSelector(ValueError):
    pass


def select(checks: Sequence[Check], only: Sequence[str], skip: Sequence[str]) -> list[Check]:
    """Apply `--only`/`--skip` (ids, categories or globs). The needs of selected checks are kept,
    so that `--only models.bedrock` still resolves credentials first."""
    only = split_selectors(only)
    skip = split_selectors(skip)
    _validate(checks, only, "--only")
    _validate(checks, skip, "--skip")
    chosen = list(checks)
    if only:
        by_id = {c.spec.id: c for c in checks}
        wanted = {c.spec.id for c in checks if any(_matches(c, s) for s in only)}
        queue = list(wanted)
        while queue:
            for need in by_id[queue.pop()].spec.needs:
                if need in by_id and need not in wanted:
                    wanted.add(need)
                    queue.append(need)
        chosen = [c for c in checks if c.spec.id in wanted]
    return [c for c in chosen if not any(_matches(c, s) for s in skip)]


def _validate(checks: Sequence[Check], selectors: Sequence[str], option: str) -> None:
    for selector in selectors:
        if not any(_matches(c, selector) for c in checks):
            known = [c.spec.id for c in checks] + [c.spec.category.value for c in checks]
            raise UnknownSelector(
                f"{option} {selector!r} matches no check id or category"
                f"{did_you_mean(selector, known)}; see `ccdoctor list`"
            )


def split_selectors(values: Iterable[str]) -> list[str]:
    """`--only a,b --only c` as ['a', 'b', 'c']: both spellings are what users type."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _matches(check: Check, selector: str) -> bool:
    selector = selector.strip()
    return (
        selector == check.spec.id
        or selector == check.spec.category.value
        or fnmatch.fnmatchcase(check.spec.id, selector)
    )
