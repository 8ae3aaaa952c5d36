"""Which facts a run judges by: the shipped file for a client ccdoctor has seen; for a newer one,
what that client was learned to send (from the cache, else learned now), over the newest
shipped file; the newest shipped file alone when learning is off or fails. Learning never
fails the run: its failure is a reason in the report."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccdoctor.clients.facts import (
    FactsChoice,
    FactsError,
    FactsOrigin,
    Version,
    facts_for,
    merged_tables,
    newest_shipped,
    over_newest,
    version_text,
)

if TYPE_CHECKING:
    from ccdoctor.learn.learner import Learned

ALL_GROUPS = (
    "anthropic",
    "retries",
    "switches",
    "oauth",
    "bedrock",
    "vertex",
    "foundry",
    "mantle",
    "anthropic_aws",
    "anthropic_google_cloud",
    "gateway",
)
"""ccdoctor/learn/learner.py GROUPS, named here so that choosing loads no learner."""
ON_DEMAND_GROUPS = ("retries", "switches")
"""Learned by `ccdoctor learn` only, used by every run once cached (see ON_DEMAND_WHY)."""


MIN_SECONDS = 1.0
"""Less than this left for a learning step: not started (no client answers that fast, and its
failure would say nothing of the client)."""


@dataclass(frozen=True)
class LearnOptions:
    """Whether and how this run may learn facts from the installed client: on or off, forced, time
    limits."""

    enabled: bool = True
    """False with --no-learn."""
    force: bool = False
    """`ccdoctor learn`: learn even a version a shipped file covers, and ignore the cache."""
    timeout: float = 5.0
    """The most one learning step may take (the run's step timeout)."""
    budget: float | None = None
    """The most all steps together may take (a share of the run's deadline); None: no cap
    beyond each step's."""


ON_DEMAND_WHY = "a normal run leaves it to `ccdoctor learn` (about 20 client runs)"
"""Why a group learned on demand only was not learned: what a strict gateway's 400 makes the
client drop and what each switch removes take a run of the client per beta, field and switch,
seconds of CPU that a check before a session must not spend; the newest file's stand in."""


Learner = Callable[[Path, str, float, Sequence[str]], Mapping[str, "Learned"]]


def needs_learning(version: Version | None) -> bool:
    """A client newer than every shipped file: its facts would otherwise be an older one's."""
    return version is not None and version > newest_shipped().since


def choose_facts(
    version: Version | None,
    binary: Path | None,
    binary_version: Version | None,
    options: LearnOptions,
    environ: Mapping[str, str],
    home: Path,
    learner: Learner | None = None,
    managed: Sequence[Path] = (),
    groups: Sequence[str] = ("anthropic",),
    cached_only: Sequence[str] = (),
) -> FactsChoice:
    """`version` is the one judged for, `binary` the client found and `binary_version` what it
    says it is (learning the wrong binary would judge one client by another's facts);
    `groups` what to learn (the Anthropic route's request, and the route in use).
    `cached_only` are groups used when cached but never learned here (left to `ccdoctor learn`).
    `managed` are the machine's managed settings files, which the client reads whatever its
    HOME: their hooks and env would run in a learning run, so with one present nothing is
    learned (a cached result is still used). `learner` stands in for the real run in tests."""
    shipped = facts_for(version)
    if version is None or not (options.force or needs_learning(version)):
        return FactsChoice(shipped, FactsOrigin.SHIPPED)

    def fallback(why: str) -> FactsChoice:
        return FactsChoice(shipped, FactsOrigin.NOT_LEARNED, why)

    if not options.enabled:
        return fallback("learning is off (--no-learn)")
    if binary is None:
        return fallback("no installed client to learn from")
    shown = version_text(version)
    if binary_version != version:
        says = version_text(binary_version) if binary_version else "no version"
        return fallback(f"{binary} is Claude Code {says}, not {shown}")
    # Imported here: a run whose client has its shipped facts never reads the cache.
    from ccdoctor.learn import cache

    folder = cache.cache_dir(environ, home)
    paths: dict[str, Path | None] = {}
    for group in groups:
        key = cache.cache_key(binary, shown, group)
        paths[group] = cache.cache_file(folder, shown, group, key) if key else None
    found: dict[str, Mapping[str, Any]] = {}
    if not options.force:
        for group, path in paths.items():
            cached = cache.read_cached(path) if path is not None else None
            if cached is not None and _readable(cached):
                found[group] = cached
    missing = [group for group in groups if group not in found]
    if set(missing) & set(cached_only):
        return fallback(f"not learned: {ON_DEMAND_WHY}")
    if not missing:
        where = ", ".join(str(p) for p in paths.values())
        return FactsChoice(over_newest(_combined(found)), FactsOrigin.CACHED, f"cached in {where}")
    if options.timeout < MIN_SECONDS and not options.force:
        return fallback("not learned: the run's learning budget is spent")
    failures = [] if options.force else [_failed(paths[group]) for group in missing]
    if failures and all(failures):
        return fallback(
            f"not learned: an earlier run could not ({failures[0]}); it is tried again after "
            f"{cache.FAILURE_SECONDS / 3600:g} h, or now by `ccdoctor learn`"
        )
    present = [path for path in managed if path.is_file()]
    if present:
        return fallback(
            f"not learned: the managed settings at {present[0]} would apply to the learning "
            "run (their hooks and env); run `ccdoctor learn` where none are installed"
        )
    # Imported here: a run that learns nothing loads no HTTP server.
    from ccdoctor.learn.learner import LearnError, learn

    try:
        learned = (learner or learn)(binary, shown, options.timeout, missing)
        facts = over_newest(_combined({**found, **{g: learned[g].facts for g in missing}}))
    except (LearnError, FactsError, OSError) as error:
        for group in missing:
            if (path := paths[group]) is not None:
                cache.write_failure(path, str(error))
        return fallback(f"learning failed: {error}")
    seconds = max(learned[g].seconds for g in missing)
    header = (
        f"Learned by ccdoctor from {binary} (Claude Code {shown}) in {seconds:g} s;\n"
        f"merged over the newest shipped facts ({newest_shipped().version_text}). Safe to delete."
    )
    problems, written = [], []
    for group in missing:
        path = paths[group]
        problem = cache.write_cached(path, learned[group].facts, header) if path else "no key"
        if path is not None:
            cache.clear_failure(path)
        if problem:
            problems.append(problem)
        elif path is not None:
            written.append(str(path))
    where = f"not cached: {problems[0]}" if problems else f"cached in {', '.join(written)}"
    what = " and ".join(missing)
    return FactsChoice(facts, FactsOrigin.LEARNED, f"{what} in {seconds:g} s; {where}")


def _combined(groups: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    combined: dict[str, Any] = {}
    for facts in groups.values():
        combined = merged_tables(combined, facts)
    return combined


def _failed(path: Path | None) -> str | None:
    from ccdoctor.learn import cache

    return cache.read_failure(path) if path is not None else None


def _readable(cached: Mapping[str, Any]) -> bool:
    """A damaged or foreign cached file is learned again (and overwritten)."""
    try:
        over_newest(cached)
    except FactsError:
        return False
    return True
