"""Which checks exist: the built-in ones in `ccdoctor.checks`, plus plugins from entry points."""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType

from ccdoctor.model import Category, Check

ENTRY_POINT_GROUP = "ccdoctor.checks"


@dataclass(frozen=True)
class PluginFailure:
    name: str
    error: str


@dataclass(frozen=True)
class Catalogue:
    checks: tuple[Check, ...]
    failures: tuple[PluginFailure, ...] = ()

    def by_id(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.spec.id == check_id), None)


def builtin_checks() -> list[Check]:
    import ccdoctor.checks as package

    found: list[Check] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found.extend(_checks_in(module, "builtin"))
    return sorted(found, key=_order)


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


def plugin_checks() -> tuple[list[Check], list[PluginFailure]]:
    from importlib.metadata import entry_points

    checks: list[Check] = []
    failures: list[PluginFailure] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"plugin {entry.name}" + (f" ({entry.dist.name})" if entry.dist else "")
        try:
            found = _checks_in(entry.load(), origin)
        except Exception as exc:  # a broken plugin must not take the run down
            failures.append(PluginFailure(entry.name, f"{type(exc).__name__}: {exc}"))
            continue
        if not found:
            failures.append(PluginFailure(entry.name, "entry point holds no ccdoctor Check"))
        checks.extend(found)
    return checks, failures


def load_catalogue(include_plugins: bool = True) -> Catalogue:
    checks = builtin_checks()
    failures: list[PluginFailure] = []
    if include_plugins:
        plugins, failures = plugin_checks()
        known = {c.spec.id for c in checks}
        for plugin in plugins:
            if plugin.spec.id in known:
                failures.append(
                    PluginFailure(plugin.origin, f"check id {plugin.spec.id!r} is already taken")
                )
                continue
            known.add(plugin.spec.id)
            checks.append(plugin)
    return Catalogue(tuple(checks), tuple(failures))


class UnknownSelector(ValueError):
    pass


def select(checks: Sequence[Check], only: Sequence[str], skip: Sequence[str]) -> list[Check]:
    """Apply `--only`/`--skip` (ids, categories or globs). The needs of selected checks are kept,
    so that `--only models.bedrock` still resolves credentials first."""
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
            raise UnknownSelector(
                f"{option} {selector!r} matches no check id or category; see `ccdoctor list`"
            )


def _matches(check: Check, selector: str) -> bool:
    selector = selector.strip()
    return (
        selector == check.spec.id
        or selector == check.spec.category.value
        or fnmatch.fnmatchcase(check.spec.id, selector)
    )
