"""The engine: runs checks concurrently as soon as their needs are done, and never hangs.

Checks run in daemon threads (boto3 is synchronous). A check that overstays its time limit is
reported as failed and abandoned; the run ends at its deadline whatever the threads are doing,
and a check the deadline kept from starting or finishing is an error: nothing checked is no pass.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from ccdoctor.context import CheckContext
from ccdoctor.core.results import (
    Category,
    CheckResult,
    Fix,
    Outcome,
    SkipCause,
    SkipKind,
    Status,
)
from ccdoctor.engine.registry import ENTRY_POINT_GROUP, PluginFailure, describe_exception
from ccdoctor.spec import Check, Cost

_GRACE = 0.5
"""Seconds a check may run past its steps' timeouts (its own bookkeeping) before it is abandoned."""
_NETWORK_STEPS = 3
"""Network steps a live check may chain (e.g. credentials → listing → invoke)."""


class Observer(Protocol):
    """Progress display hooks; the core never prints."""

    def started(self, check: Check) -> None: ...

    def finished(self, result: CheckResult) -> None: ...


@dataclass(frozen=True)
class _Skip:
    """Why the runner does not run a check: a skip, or (not_run) the run deadline, which is an
    error: a check that was never run is not a pass, nor "not relevant here"."""

    reason: str
    cause: SkipCause | None
    not_run: bool = False


@dataclass
class _Running:
    """A check the runner has started: when, and the seconds it is allowed before it is cut off."""

    check: Check
    started: float
    limit: float


def _live(check: Check, ctx: CheckContext) -> bool:
    """Whether the check goes on the network in this run: a network check, or one with an
    offline verdict and a live part (network=False, but a call that costs something)."""
    return check.spec.network or (check.spec.cost is not Cost.LOCAL and not ctx.options.offline)


def time_limit(check: Check, ctx: CheckContext) -> float:
    steps = _NETWORK_STEPS if _live(check, ctx) else 1
    return ctx.options.timeout * steps + _GRACE


def run_checks(
    checks: Sequence[Check],
    ctx: CheckContext,
    plugin_failures: Sequence[PluginFailure] = (),
    observer: Observer | None = None,
    verbose: bool = False,
) -> list[CheckResult]:
    results = _Scheduler(checks, ctx, observer, verbose).run()
    ctx.close()
    for failure in plugin_failures:
        results[failure.result_id] = _scrubbed(_load_error(failure), ctx)
    order = [c.spec.id for c in checks] + [f.result_id for f in plugin_failures]
    return [results[i] for i in dict.fromkeys(order) if i in results]


class _Scheduler:
    """One run's bookkeeping: which checks wait, run, are held back or are done.

    A check's result is recorded only once every need it has is known, because a need that
    fails turns the dependent into a skip whatever the dependent found while running alongside.
    """

    def __init__(
        self,
        checks: Sequence[Check],
        ctx: CheckContext,
        observer: Observer | None,
        verbose: bool,
    ) -> None:
        self._by_id = {c.spec.id: c for c in checks}
        self._ctx = ctx
        self._observer = observer
        self._verbose = verbose
        self._results: dict[str, CheckResult] = {}
        self._blocked: set[str] = set()
        """Checks skipped because a need failed; they block their own dependents in turn."""
        self._held: dict[str, CheckResult | None] = {}
        """Finished checks whose needs are still running (None: blocked, its skip not yet
        written, so that the need it names is the first to fail in its `needs` order, not the
        first to finish)."""
        self._pending = list(checks)
        self._stoppers = [c.spec.id for c in checks if c.spec.stops_client]
        self._offline_ctx = replace(ctx, options=replace(ctx.options, offline=True))
        """The context of checks started after the client was found to stop before its first
        request: the same run (its memo, network and clock), judged as --offline."""
        self._running: dict[str, _Running] = {}
        self._done: queue.Queue[tuple[str, CheckResult]] = queue.Queue()
        self._deadline = ctx.started + ctx.options.deadline

    def run(self) -> dict[str, CheckResult]:
        while self._pending or self._running:
            self._start_ready()
            if not self._running:
                if self._pending:  # needs that can never finish (a cycle): report, not wait
                    for check in self._pending:
                        self._skip(check, _Skip("needs form a cycle", SkipCause(SkipKind.CYCLE)))
                    self._pending.clear()
                continue
            self._wait_for_one()
        return self._results

    def _wait_for_one(self) -> None:
        wake = min(r.started + r.limit for r in self._running.values())
        try:
            check_id, result = self._done.get(timeout=max(0.0, wake - time.monotonic()))
        except queue.Empty:
            self._abandon_overdue()
            return
        if self._running.pop(check_id, None) is not None:
            self._settle(check_id, result)

    def _abandon_overdue(self) -> None:
        now = time.monotonic()
        for check_id, entry in list(self._running.items()):
            if check_id in self._running and now >= entry.started + entry.limit:
                del self._running[check_id]
                self._settle(check_id, _timed_out(entry, now >= self._deadline, self._ctx))

    def _unmet(self, check: Check) -> list[str]:
        return [n for n in check.spec.needs if n in self._by_id and n not in self._results]

    def _may_start(self, check: Check) -> bool:
        # A live check starts alongside the live checks it needs (reachability, the free
        # credential and listing calls) instead of after them: the run then takes one round
        # trip, not the sum of a chain, and _settle() discards the answer if a need fails. What
        # a dependent shares with its needs (resolved credentials, a listing) is computed once
        # through ctx.once, whichever thread asks first. Local needs finish at once: waited for.
        if _live(check, self._ctx) and any(i not in self._results for i in self._stoppers):
            return False  # local and quick: whether the client sends anything at all
        waiting = self._unmet(check)
        return not waiting or (
            _live(check, self._ctx) and all(_live(self._by_id[n], self._ctx) for n in waiting)
        )

    def _start_ready(self) -> None:
        # Repeat until nothing changes: a check listed before its need must see that need's
        # instant skip in the same pass, or it would be mistaken for part of a cycle.
        progressed = True
        while progressed:
            progressed = False
            for check in list(self._pending):
                if not self._may_start(check):
                    continue
                self._pending.remove(check)
                progressed = True
                stopped = self._stopped(check)
                if stopped is not None:
                    self._blocked.add(check.spec.id)
                    self._skip(check, stopped)
                    continue
                skip = _reason_to_skip(check, self._ctx, self._results, self._blocked)
                if skip is None:
                    self._start(check)
                    continue
                if skip.cause is not None and skip.cause.kind is SkipKind.NEED_FAILED:
                    self._blocked.add(check.spec.id)
                    if self._unmet(check):
                        self._held[check.spec.id] = None
                        continue
                self._skip(check, skip)

    def _stopper_failed(self) -> str | None:
        """The first check found to stop the client before its first request, if any."""
        return next(
            (i for i in self._stoppers if (r := self._results.get(i)) and r.status is Status.FAIL),
            None,
        )

    def _stopped(self, check: Check) -> _Skip | None:
        # The client sends nothing, so neither does the run: a network check has no answer to
        # give, and calls the client never makes would only spend the user's tokens.
        stopper = self._stopper_failed()
        if stopper is None or not check.spec.network or self._ctx.options.offline:
            return None
        if not check.spec.applies_to(self._ctx.config.provider.provider):
            return None
        return _needs_reason(stopper, self._results, self._ctx)

    def _start(self, check: Check) -> None:
        ctx = self._ctx if self._stopper_failed() is None else self._offline_ctx
        now = time.monotonic()
        limit = min(time_limit(check, ctx), max(0.0, self._deadline - now))
        self._running[check.spec.id] = _Running(check, now, limit)
        if self._observer is not None:
            self._observer.started(check)
        threading.Thread(
            target=_execute,
            args=(check, ctx, self._done, self._verbose),
            name=f"ccdoctor-{check.spec.id}",
            daemon=True,
        ).start()

    def _skip(self, check: Check, skip: _Skip) -> None:
        if skip.not_run:
            outcome = Outcome(Status.ERROR, skip.reason, _deadline_fix(check, self._ctx))
        else:
            outcome = Outcome(Status.SKIP, skip.reason)
        result = _result(check, outcome, 0.0)
        self._record(replace(result, skip_cause=skip.cause, not_run=skip.not_run))

    def _record(self, result: CheckResult) -> None:
        self._results[result.id] = _scrubbed(result, self._ctx)
        if self._observer is not None:
            self._observer.finished(self._results[result.id])
        if result.status in (Status.FAIL, Status.ERROR) or result.id in self._blocked:
            # _record and _settle call each other: look entries up again, one may be gone.
            dependents = [i for i in self._running if result.id in self._by_id[i].spec.needs]
            for check_id in dependents:
                if self._running.pop(check_id, None) is not None:  # the thread is abandoned
                    self._settle(check_id, None)
        for check_id in [i for i in self._held if not self._unmet(self._by_id[i])]:
            if check_id in self._held:
                self._settle(check_id, self._held.pop(check_id))

    def _settle(self, check_id: str, result: CheckResult | None) -> None:
        """Record a finished (or abandoned: None) check once all its needs are known."""
        check = self._by_id[check_id]
        failed = next(
            (n for n in check.spec.needs if _blocks(self._results.get(n), self._blocked)), None
        )
        if failed is not None:
            self._blocked.add(check_id)
            if self._unmet(check):
                self._held[check_id] = None
            else:
                self._skip(check, _needs_reason(failed, self._results, self._ctx))
        elif result is None:
            return
        elif self._unmet(check):
            self._held[check_id] = result
        else:
            self._record(result)


def _blocks(result: CheckResult | None, blocked: set[str]) -> bool:
    return result is not None and (
        result.status in (Status.FAIL, Status.ERROR) or result.id in blocked
    )


def _needs_reason(need: str, results: Mapping[str, CheckResult], ctx: CheckContext) -> _Skip:
    if results[need].not_run:  # the need was not checked, so neither is this one
        return _not_started(ctx)
    return _Skip(
        f"needs {need} ({results[need].status.value})", SkipCause(SkipKind.NEED_FAILED, need)
    )


def _reason_to_skip(
    check: Check, ctx: CheckContext, results: Mapping[str, CheckResult], blocked: set[str]
) -> _Skip | None:
    spec = check.spec
    provider = ctx.config.provider.provider
    if not spec.applies_to(provider):
        return _Skip(f"not used with provider {provider.value}", SkipCause(SkipKind.IRRELEVANT))
    # Only a need that failed (or was skipped because its own need failed) blocks: a skipped
    # or unselected need decided nothing, and the dependent still has its own say.
    for need in spec.needs:
        if _blocks(results.get(need), blocked):
            return _needs_reason(need, results, ctx)
    if spec.network and ctx.options.offline:
        return _Skip("offline", SkipCause(SkipKind.OFFLINE))
    if ctx.remaining() <= 0:
        return _not_started(ctx)
    return None


def _not_started(ctx: CheckContext) -> _Skip:
    reason = (
        f"did not run: run deadline of {ctx.options.deadline:g} s reached before it could start"
    )
    return _Skip(reason, None, not_run=True)


def _deadline_fix(check: Check, ctx: CheckContext) -> Fix:
    longer = max(ctx.options.deadline * 2, ctx.options.timeout * 4)
    return Fix(
        "The run ended at its deadline before this check was done: nothing was checked. Re-run "
        "with a longer --deadline, or this check alone.",
        (f"ccdoctor --deadline {longer:g}", f"ccdoctor --only {check.spec.id}"),
    )


def _execute(
    check: Check, ctx: CheckContext, done: queue.Queue[tuple[str, CheckResult]], verbose: bool
) -> None:
    start = time.monotonic()
    try:
        outcome = check.run(ctx)
        malformed = _malformed(outcome)
        if malformed is not None:
            raise TypeError(malformed)
    # Anything a check raises ends here, SystemExit included: uncaught in this thread it would
    # vanish and the check would be reported, wrongly, as timed out.
    except BaseException as exc:
        details: dict[str, object] = {"exception": type(exc).__name__}
        if verbose:
            details["traceback"] = traceback.format_exc()
        outcome = Outcome(
            Status.ERROR,
            f"check crashed: {describe_exception(exc)}",
            Fix(
                f"This is a bug in {check.origin} check {check.spec.id}; please report it "
                "with this output (run with -v for the traceback)."
            ),
            details,
        )
    done.put((check.spec.id, _result(check, outcome, (time.monotonic() - start) * 1000)))


def _malformed(outcome: object) -> str | None:
    """Why a check's return value cannot become a result. Plugins are not type-checked with
    ccdoctor, so the fields are taken as plain objects here."""
    if not isinstance(outcome, Outcome):
        return f"check returned {type(outcome).__name__}, not an Outcome"
    status: object = outcome.status
    if not isinstance(status, Status):
        return f"check returned status {status!r}, not a ccdoctor.model.Status"
    message: object = outcome.message
    if not isinstance(message, str):
        return f"check returned a {type(message).__name__} message, not text"
    fix: object = outcome.fix
    if fix is not None and not isinstance(fix, Fix):
        return f"check returned a {type(fix).__name__} fix, not a ccdoctor.model.Fix"
    details: object = outcome.details
    if not isinstance(details, Mapping):
        return f"check returned {type(details).__name__} details, not a mapping"
    return None


def _result(check: Check, outcome: Outcome, duration_ms: float) -> CheckResult:
    spec = check.spec
    return CheckResult(
        id=spec.id,
        category=spec.category,
        title=spec.title,
        status=outcome.status,
        message=outcome.message,
        fix=outcome.fix,
        details=dict(outcome.details),
        duration_ms=round(duration_ms, 1),
        origin=check.origin,
    )


def _timed_out(entry: _Running, deadline: bool, ctx: CheckContext) -> CheckResult:
    spec = entry.check.spec
    seconds = time.monotonic() - entry.started
    if deadline:
        cut = Outcome(
            Status.ERROR,
            f"did not finish: run deadline of {ctx.options.deadline:g} s reached after "
            f"{seconds:.1f} s",
            _deadline_fix(entry.check, ctx),
        )
        return replace(_result(entry.check, cut, seconds * 1000), not_run=True)
    return _result(
        entry.check,
        Outcome(
            Status.FAIL,
            f"timed out after {seconds:.1f} s",
            Fix(
                "Something on the way did not answer in time. Re-run with a longer --timeout "
                "to tell a slow path from a dead one.",
                (f"ccdoctor --only {spec.id} --timeout 30",),
            ),
        ),
        seconds * 1000,
    )


def _load_error(failure: PluginFailure) -> CheckResult:
    kind = "built-in" if failure.builtin else "plugin"
    if failure.builtin:
        fix = Fix(
            "A built-in check could not be loaded: a bug in ccdoctor or a broken installation. "
            "Reinstall ccdoctor the way you installed it; if that does not help, report it with "
            "this output.",
            ("pipx reinstall ccdoctor", "python -m pip install --force-reinstall ccdoctor"),
        )
    else:
        fix = Fix(
            f"Reinstall or remove the package that provides the {failure.name!r} entry point "
            f"in the {ENTRY_POINT_GROUP} group."
        )
    return CheckResult(
        id=failure.result_id,
        category=Category.CONFIG,
        title=f"{kind} {failure.name}",
        status=Status.ERROR,
        message=f"{kind} {failure.name!r} could not be loaded: {failure.error}",
        fix=fix,
        details={},
        duration_ms=0.0,
        origin="builtin" if failure.builtin else f"plugin {failure.name}",
    )


def _scrubbed(result: CheckResult, ctx: CheckContext) -> CheckResult:
    scrub = ctx.redactor.scrub
    fix = result.fix
    if fix is not None:
        fix = Fix(
            scrub(fix.text),
            tuple(scrub(c) for c in fix.commands),
            scrub(fix.snippet) if fix.snippet else None,
        )
    return CheckResult(
        id=result.id,
        category=result.category,
        title=result.title,
        status=result.status,
        message=scrub(result.message),
        fix=fix,
        details=ctx.redactor.scrub_data(dict(result.details)),
        duration_ms=result.duration_ms,
        origin=result.origin,
        skip_cause=result.skip_cause,
        not_run=result.not_run,
    )
