"""Which facts a run judges by: the shipped file for a client ccdoctor has seen; for a newer one,
what that client was learned to send (from the cache, else learned now), over the newest
shipped file; the newest shipped file alone when learning is off or fails. Learning never
fails the run: its failure is a reason in the report."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ccdoctor.clients.facts import (
    FactsChoice,
    FactsError,
    FactsOrigin,
    Version,
    facts_for,
    newest_shipped,
    over_newest,
    version_text,
)
from ccdoctor.learn import cache

if TYPE_CHECKING:
    from ccdoctor.learn.learner import Learned


@dataclass(frozen=True)
class LearnOptions:
    enabled: bool = True
    """False with --no-learn."""
    force: bool = False
    """`ccdoctor learn`: learn even a version a shipped file covers, and ignore the cache."""
    timeout: float = 5.0
    """The most one learning may take (the run's step timeout)."""


Learner = Callable[[Path, str, float], "Learned"]


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
) -> FactsChoice:
    """`version` is the one judged for, `binary` the client found and `binary_version` what it
    says it is (learning the wrong binary would judge one client by another's facts);
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
    key = cache.cache_key(binary, shown)
    path = cache.cache_file(cache.cache_dir(environ, home), shown, key) if key else None
    if path is not None and not options.force:
        cached = cache.read_cached(path)
        if cached is not None:
            try:
                return FactsChoice(over_newest(cached), FactsOrigin.CACHED, f"cached in {path}")
            except FactsError:
                pass  # a damaged or foreign file: learned again, and overwritten
    present = [path for path in managed if path.is_file()]
    if present:
        return fallback(
            f"not learned: the managed settings at {present[0]} would apply to the learning "
            "run (their hooks and env); run `ccdoctor learn` where none are installed"
        )
    # Imported here: a run that learns nothing loads no HTTP server.
    from ccdoctor.learn.learner import LearnError, learn

    try:
        learned = (learner or learn)(binary, shown, options.timeout)
        facts = over_newest(learned.facts)
    except (LearnError, FactsError, OSError) as error:
        return fallback(f"learning failed: {error}")
    if path is None:
        return FactsChoice(facts, FactsOrigin.LEARNED, f"in {learned.seconds:g} s; not cached")
    header = (
        f"Learned by ccdoctor from {binary} (Claude Code {shown}) in {learned.seconds:g} s;\n"
        f"merged over the newest shipped facts ({newest_shipped().version_text}). Safe to delete."
    )
    problem = cache.write_cached(path, learned.facts, header)
    where = f"not cached: {problem}" if problem else f"cached in {path}"
    return FactsChoice(facts, FactsOrigin.LEARNED, f"in {learned.seconds:g} s; {where}")
