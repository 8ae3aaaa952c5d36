"""The engine: concurrency, needs, crashes, time limits, the run deadline, and redaction."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from ccdoctor.config.redaction import redactor_for
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.core.provider import Provider
from ccdoctor.core.redact import fingerprint
from ccdoctor.core.results import (
    Category,
    CheckResult,
    Fix,
    Outcome,
    Status,
    Summary,
    failed,
    passed,
    skipped,
    warned,
)
from ccdoctor.engine.registry import PluginFailure
from ccdoctor.engine.runner import run_checks, time_limit
from ccdoctor.spec import Check, Cost, check
from tests.machine import Machine

Run = Callable[[CheckContext], Any]


def make(
    check_id: str,
    run: Run,
    *,
    needs: Iterable[str] = (),
    providers: Iterable[Provider] | None = None,
    network: bool = False,
) -> Check:
    return check(
        check_id,
        f"title of {check_id}",
        Category.CONFIG,
        "a check built by the test",
        needs=needs,
        providers=providers,
        network=network,
    )(run)


def ok(ctx: CheckContext) -> Outcome:
    return passed("fine")


def sleeper(seconds: float) -> Run:
    def run(ctx: CheckContext) -> Outcome:
        time.sleep(seconds)
        return passed(f"slept {seconds} s")

    return run


@pytest.fixture
def context(machine: Machine) -> Callable[..., CheckContext]:
    def build(**options: Any) -> CheckContext:
        config = machine.resolve()
        settings = {"timeout": 2.0, "deadline": 10.0, **options}
        return CheckContext(config, RunOptions(**settings), redactor_for(config))

    return build


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown, so that checks the runner abandoned can end their threads."""
    event = threading.Event()
    yield event
    event.set()


def blocker(release: threading.Event) -> Run:
    def run(ctx: CheckContext) -> Outcome:
        release.wait(30)
        return passed("released")

    return run


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def timed(function: Callable[[], list[CheckResult]]) -> tuple[dict[str, CheckResult], float]:
    start = time.monotonic()
    results = function()
    return by_id(results), time.monotonic() - start


# --- concurrency and needs ------------------------------------------------------------------


def test_independent_checks_run_concurrently(context: Callable[..., CheckContext]) -> None:
    checks = [make("t.first", sleeper(0.5)), make("t.second", sleeper(0.5))]
    results, elapsed = timed(lambda: run_checks(checks, context()))
    assert [r.status for r in results.values()] == [Status.PASS, Status.PASS]
    assert elapsed < 0.9


def test_results_keep_the_order_checks_were_given(context: Callable[..., CheckContext]) -> None:
    checks = [make("t.slow", sleeper(0.3)), make("t.fast", ok), make("t.middle", sleeper(0.1))]
    assert [r.id for r in run_checks(checks, context())] == ["t.slow", "t.fast", "t.middle"]


def test_a_check_starts_only_after_its_needs_finish(context: Callable[..., CheckContext]) -> None:
    events: list[tuple[str, float]] = []
    lock = threading.Lock()

    def note(event: str) -> None:
        with lock:
            events.append((event, time.monotonic()))

    def need(ctx: CheckContext) -> Outcome:
        note("need started")
        time.sleep(0.3)
        note("need finished")
        return passed("done")

    def dependent(ctx: CheckContext) -> Outcome:
        note("dependent started")
        return passed("ran")

    # Listed before its need: the order given must not matter.
    checks = [make("t.dependent", dependent, needs=["t.need"]), make("t.need", need)]
    results = by_id(run_checks(checks, context()))
    assert results["t.dependent"].status is Status.PASS
    assert [e for e, _ in events] == ["need started", "need finished", "dependent started"]


def _fails(ctx: CheckContext) -> Outcome:
    return failed("broken", Fix("mend it"))


def _raises(ctx: CheckContext) -> Outcome:
    raise RuntimeError("boom")


def _skips(ctx: CheckContext) -> Outcome:
    return skipped("nothing to look at")


@pytest.mark.parametrize(
    ("need", "reads"),
    [
        (make("t.need", _fails), "fail"),
        (make("t.need", _raises), "error"),
    ],
    ids=["fails", "raises"],
)
def test_a_need_that_fails_skips_its_dependents(
    context: Callable[..., CheckContext], need: Check, reads: str
) -> None:
    called: list[str] = []

    def dependent(ctx: CheckContext) -> Outcome:
        called.append("dependent")
        return passed("ran")

    checks = [
        make("t.dependent", dependent, needs=["t.need"]),
        need,
        make("t.grandchild", dependent, needs=["t.dependent"]),
    ]
    results = by_id(run_checks(checks, context(offline=True)))
    assert results["t.need"].status.value == reads
    assert results["t.dependent"].status is Status.SKIP
    assert results["t.dependent"].message == f"needs t.need ({reads})"
    assert results["t.grandchild"].message == "needs t.dependent (skip)"
    assert called == []


def _fails_after(seconds: float) -> Run:
    def run(ctx: CheckContext) -> Outcome:
        time.sleep(seconds)
        return failed(f"broken after {seconds} s", Fix("mend it"))

    return run


def test_a_dependent_names_its_first_failing_need_in_order_not_the_first_to_finish(
    context: Callable[..., CheckContext],
) -> None:
    # Both needs fail while the dependent still runs; the second finishes first. The one named
    # decides which failure the report shows the skip under, so it must not depend on which
    # thread was quicker.
    checks = [
        make("t.reachable", _fails_after(0.3), network=True),
        make("t.credentials", _fails_after(0.0), network=True),
        make("t.models", sleeper(1.0), needs=["t.reachable", "t.credentials"], network=True),
        make("t.after", ok, needs=["t.models"], network=True),
    ]
    results = by_id(run_checks(checks, context()))
    assert results["t.models"].message == "needs t.reachable (fail)"
    assert results["t.after"].message == "needs t.models (skip)"


@pytest.mark.parametrize(
    "need",
    [
        make("t.need", _skips),
        make("t.need", ok, providers=[Provider.VERTEX]),
        make("t.need", ok, network=True),
    ],
    ids=["skips", "not-for-this-provider", "network-while-offline"],
)
def test_a_skipped_need_lets_its_dependent_decide(
    context: Callable[..., CheckContext], need: Check
) -> None:
    checks = [make("t.dependent", ok, needs=["t.need"]), need]
    results = by_id(run_checks(checks, context(offline=True)))
    assert results["t.need"].status is Status.SKIP
    assert results["t.dependent"].status is Status.PASS


def test_a_need_that_warns_lets_its_dependents_run(context: Callable[..., CheckContext]) -> None:
    checks = [
        make("t.need", lambda ctx: warned("odd", Fix("look"))),
        make("t.dependent", ok, needs=["t.need"]),
    ]
    results = by_id(run_checks(checks, context()))
    assert results["t.dependent"].status is Status.PASS


def test_a_need_outside_the_selection_does_not_block(
    context: Callable[..., CheckContext],
) -> None:
    results = by_id(run_checks([make("t.dependent", ok, needs=["t.elsewhere"])], context()))
    assert results["t.dependent"].status is Status.PASS


def test_needs_in_a_cycle_are_skipped_not_waited_for(context: Callable[..., CheckContext]) -> None:
    checks = [make("t.a", ok, needs=["t.b"]), make("t.b", ok, needs=["t.a"]), make("t.c", ok)]
    results, elapsed = timed(lambda: run_checks(checks, context()))
    assert results["t.a"].status is Status.SKIP
    assert "cycle" in results["t.a"].message
    assert results["t.b"].status is Status.SKIP
    assert results["t.c"].status is Status.PASS
    assert elapsed < 0.5


# --- crashes and bad return values ----------------------------------------------------------


def _value_error(ctx: CheckContext) -> Outcome:
    raise ValueError("bad value in settings")


def test_a_check_that_raises_is_an_error_with_type_and_message(
    context: Callable[..., CheckContext],
) -> None:
    result = run_checks([make("t.crash", _value_error)], context())[0]
    assert result.status is Status.ERROR
    assert "ValueError: bad value in settings" in result.message
    assert result.details["exception"] == "ValueError"
    assert "traceback" not in result.details
    assert result.fix is not None
    assert "t.crash" in result.fix.text


def test_the_traceback_is_kept_only_when_verbose(context: Callable[..., CheckContext]) -> None:
    result = run_checks([make("t.crash", _value_error)], context(), verbose=True)[0]
    assert result.status is Status.ERROR
    trace = result.details["traceback"]
    assert trace.startswith("Traceback")
    assert "_value_error" in trace
    assert "ValueError: bad value in settings" in trace


def test_a_check_that_calls_sys_exit_is_an_error_not_a_timeout(
    context: Callable[..., CheckContext],
) -> None:
    def exits(ctx: CheckContext) -> Outcome:
        raise SystemExit(3)

    results, elapsed = timed(lambda: run_checks([make("t.exit", exits)], context()))
    assert results["t.exit"].status is Status.ERROR
    assert "SystemExit" in results["t.exit"].message
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("returned", "complaint"),
    [
        ({"status": "pass"}, "check returned dict, not an Outcome"),
        (None, "check returned NoneType, not an Outcome"),
        (Outcome("pass", "fine"), "status 'pass'"),  # type: ignore[arg-type]
        (Outcome(Status.PASS, None), "NoneType message"),  # type: ignore[arg-type]
        (Outcome(Status.WARN, "odd", "do this"), "str fix"),  # type: ignore[arg-type]
        (Outcome(Status.PASS, "fine", None, ["a"]), "list details"),  # type: ignore[arg-type]
    ],
    ids=["dict", "none", "string-status", "no-message", "string-fix", "list-details"],
)
def test_a_check_that_returns_no_proper_outcome_is_an_error(
    context: Callable[..., CheckContext], returned: object, complaint: str
) -> None:
    result = run_checks([make("t.sloppy", lambda ctx: returned)], context())[0]
    assert result.status is Status.ERROR
    assert complaint in result.message


# --- time limits ----------------------------------------------------------------------------


def test_time_limit_allows_network_checks_several_steps(
    context: Callable[..., CheckContext],
) -> None:
    ctx = context(timeout=2.0)
    assert time_limit(make("t.local", ok), ctx) == pytest.approx(2.5)
    assert time_limit(make("t.net", ok, network=True), ctx) == pytest.approx(6.5)


def test_a_check_past_its_limit_fails_and_the_run_does_not_wait(
    context: Callable[..., CheckContext], release: threading.Event
) -> None:
    ctx = context(timeout=0.2)
    limit = time_limit(make("t.slow", ok), ctx)
    checks = [make("t.slow", blocker(release)), make("t.quick", ok)]
    results, elapsed = timed(lambda: run_checks(checks, ctx))
    slow = results["t.slow"]
    assert slow.status is Status.FAIL
    found = re.fullmatch(r"timed out after (\d+\.\d) s", slow.message)
    assert found is not None, slow.message
    assert float(found.group(1)) == pytest.approx(limit, abs=0.15)
    assert slow.fix is not None
    assert "ccdoctor --only t.slow --timeout 30" in slow.fix.commands
    assert results["t.quick"].status is Status.PASS
    assert elapsed < limit + 0.4


def test_the_run_deadline_ends_the_run_and_what_it_cut_short_is_an_error_not_a_skip(
    context: Callable[..., CheckContext], release: threading.Event
) -> None:
    ctx = context(timeout=5.0, deadline=0.6)
    checks = [
        make("t.stuck", blocker(release)),
        make("t.after", ok, needs=["t.stuck"]),
        make("t.quick", ok),
    ]
    results, elapsed = timed(lambda: run_checks(checks, ctx))
    assert elapsed < 0.6 + 0.4
    stuck, after = results["t.stuck"], results["t.after"]
    assert (stuck.status, stuck.not_run) == (Status.ERROR, True)
    assert "run deadline of 0.6 s reached" in stuck.message
    assert stuck.fix is not None and "ccdoctor --only t.stuck" in stuck.fix.commands
    # Waiting on a check the deadline cut short is not "needs X, which failed": not run either.
    assert (after.status, after.not_run) == (Status.ERROR, True)
    assert results["t.quick"].status is Status.PASS
    assert Summary.of(results.values(), 0.0).not_run == 2


def test_checks_not_started_by_the_deadline_are_errors(machine: Machine) -> None:
    called: list[str] = []

    def run(ctx: CheckContext) -> Outcome:
        called.append("ran")
        return passed("ran")

    config = machine.resolve()
    late = CheckContext(
        config,
        RunOptions(timeout=1.0, deadline=1.0),
        redactor_for(config),
        started=time.monotonic() - 5,
    )
    results = run_checks([make("t.one", run), make("t.two", run, needs=["t.one"])], late)
    assert [(r.status, r.not_run) for r in results] == [(Status.ERROR, True)] * 2
    assert results[0].message == "did not run: run deadline of 1 s reached before it could start"
    assert called == []


# --- what is skipped without running ---------------------------------------------------------


def test_offline_skips_network_checks_only(context: Callable[..., CheckContext]) -> None:
    called: list[str] = []

    def network(ctx: CheckContext) -> Outcome:
        called.append("network")
        return passed("reached")

    checks = [make("t.net", network, network=True), make("t.local", ok)]
    results = by_id(run_checks(checks, context(offline=True)))
    assert results["t.net"].status is Status.SKIP
    assert results["t.net"].message == "offline"
    assert results["t.local"].status is Status.PASS
    assert called == []
    online = by_id(run_checks(checks, context(offline=False)))
    assert online["t.net"].status is Status.PASS


def test_checks_for_another_provider_are_skipped(
    machine: Machine, context: Callable[..., CheckContext]
) -> None:
    checks = [
        make("t.bedrock", ok, providers=[Provider.BEDROCK]),
        make("t.anthropic", ok, providers=[Provider.ANTHROPIC]),
    ]
    results = by_id(run_checks(checks, context()))
    assert results["t.bedrock"].status is Status.SKIP
    assert results["t.bedrock"].message == "not used with provider anthropic"
    assert results["t.anthropic"].status is Status.PASS

    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    results = by_id(run_checks(checks, context()))
    assert results["t.bedrock"].status is Status.PASS
    assert results["t.anthropic"].message == "not used with provider bedrock"


# --- redaction -----------------------------------------------------------------------------


def test_secrets_from_the_configuration_never_reach_a_result(
    machine: Machine, context: Callable[..., CheckContext]
) -> None:
    token = "correct-horse-battery-staple-0042"
    machine.env["ANTHROPIC_AUTH_TOKEN"] = token
    shown = fingerprint(token, "anthropic_auth_token")

    def leaky(ctx: CheckContext) -> Outcome:
        return failed(
            f"the gateway rejected {token}",
            Fix(f"Replace {token}.", (f"export ANTHROPIC_AUTH_TOKEN={token}",), f'"{token}"'),
            sent={"header": f"Bearer {token}", "tries": [token]},
        )

    result = run_checks([make("t.leaky", leaky)], context())[0]
    assert token not in repr(result)
    assert result.message == f"the gateway rejected {shown}"
    assert result.fix is not None
    assert result.fix.text == f"Replace {shown}."
    assert result.fix.commands == (f"export ANTHROPIC_AUTH_TOKEN={shown}",)
    assert result.fix.snippet == f'"{shown}"'
    assert result.details["sent"]["tries"] == [shown]


def test_secrets_a_check_registers_while_running_are_scrubbed(
    context: Callable[..., CheckContext],
) -> None:
    produced = "helper-printed-this-value-9f8e"

    def helper(ctx: CheckContext) -> Outcome:
        ctx.redactor.add(produced, "apiKeyHelper output")
        return passed(f"apiKeyHelper printed {produced}", output=produced)

    result = run_checks([make("t.helper", helper)], context())[0]
    assert produced not in repr(result)
    assert fingerprint(produced, "apiKeyHelper output") in result.message


def test_load_failures_become_error_results_after_the_checks(
    context: Callable[..., CheckContext],
) -> None:
    failures = [
        PluginFailure("acme", "ModuleNotFoundError: No module named 'acme_sdk'"),
        PluginFailure("aws_creds", "ImportError: cannot import name 'x'", builtin=True),
    ]
    results = run_checks([make("t.fine", ok)], context(), failures)
    assert [r.id for r in results] == ["t.fine", "plugin.acme", "builtin.aws_creds"]
    plugin, builtin = results[1], results[2]
    assert plugin.status is Status.ERROR
    assert "plugin 'acme' could not be loaded" in plugin.message
    assert "No module named 'acme_sdk'" in plugin.message
    assert plugin.origin == "plugin acme"
    assert plugin.fix is not None
    assert "ccdoctor.checks" in plugin.fix.text
    assert builtin.status is Status.ERROR
    assert "built-in 'aws_creds' could not be loaded: ImportError" in builtin.message
    assert builtin.fix is not None
    assert builtin.fix.commands


def test_the_observer_sees_every_start_and_finish(context: Callable[..., CheckContext]) -> None:
    seen: list[str] = []

    class Recorder:
        def started(self, check: Check) -> None:
            seen.append(f"start {check.spec.id}")

        def finished(self, result: CheckResult) -> None:
            seen.append(f"finish {result.id} {result.status.value}")

    checks = [make("t.run", ok), make("t.net", ok, network=True)]
    run_checks(checks, context(offline=True), observer=Recorder())
    assert sorted(seen) == ["finish t.net skip", "finish t.run pass", "start t.run"]


# --- network checks start alongside the network checks they need ----------------------------


def _sleeps_then(seconds: float, outcome: Outcome) -> Run:
    def run(ctx: CheckContext) -> Outcome:
        time.sleep(seconds)
        return outcome

    return run


def test_a_network_chain_takes_one_probe_not_the_sum(
    context: Callable[..., CheckContext],
) -> None:
    checks = [
        make("t.reach", _sleeps_then(0.4, passed("up")), network=True),
        make("t.auth", _sleeps_then(0.4, passed("ok")), needs=["t.reach"], network=True),
        make("t.models", _sleeps_then(0.4, passed("ok")), needs=["t.auth"], network=True),
    ]
    results, elapsed = timed(lambda: run_checks(checks, context()))
    assert [r.status for r in results.values()] == [Status.PASS] * 3
    assert elapsed < 0.8


def test_a_failed_network_need_discards_what_its_dependents_found(
    context: Callable[..., CheckContext],
) -> None:
    checks = [
        make("t.reach", _sleeps_then(0.2, failed("down", Fix("start it"))), network=True),
        make(
            "t.auth", _sleeps_then(0.05, failed("401", Fix("key"))), needs=["t.reach"], network=True
        ),
        make("t.models", _sleeps_then(2.0, passed("ok")), needs=["t.auth"], network=True),
    ]
    results, elapsed = timed(lambda: run_checks(checks, context()))
    assert results["t.reach"].status is Status.FAIL
    assert results["t.auth"].message == "needs t.reach (fail)"
    assert results["t.models"].message == "needs t.auth (skip)"
    assert elapsed < 1.0  # the slow dependent was abandoned, not waited for


def test_a_local_need_is_still_waited_for(context: Callable[..., CheckContext]) -> None:
    order: list[str] = []

    def local(ctx: CheckContext) -> Outcome:
        time.sleep(0.2)
        order.append("local")
        return passed("ok")

    def network(ctx: CheckContext) -> Outcome:
        order.append("network")
        return passed("ok")

    checks = [make("t.net", network, needs=["t.local"], network=True), make("t.local", local)]
    run_checks(checks, context())
    assert order == ["local", "network"]


def test_a_need_with_a_live_part_is_not_waited_for_online(
    context: Callable[..., CheckContext],
) -> None:
    """The free credential call (a local check with a live part) runs alongside the network
    check that needs it; offline the same need is local, and waited for."""
    free_call = check("t.creds", "creds", Category.CREDENTIALS, "a free call", cost=Cost.FREE_CALL)
    checks = [
        free_call(_sleeps_then(0.4, passed("accepted"))),
        make("t.models", _sleeps_then(0.4, passed("ok")), needs=["t.creds"], network=True),
    ]
    results, elapsed = timed(lambda: run_checks(checks, context()))
    assert [r.status for r in results.values()] == [Status.PASS] * 2
    assert elapsed < 0.7


def test_a_dependent_started_beside_a_live_need_is_discarded_when_it_fails(
    context: Callable[..., CheckContext],
) -> None:
    free_call = check("t.creds", "creds", Category.CREDENTIALS, "a free call", cost=Cost.FREE_CALL)
    checks = [
        free_call(_sleeps_then(0.2, failed("rejected", Fix("renew")))),
        make("t.models", _sleeps_then(0.05, passed("ok")), needs=["t.creds"], network=True),
    ]
    results = by_id(run_checks(checks, context()))
    assert results["t.creds"].status is Status.FAIL
    assert results["t.models"].message == "needs t.creds (fail)"


# --- what `make mutation` found untested ---------------------------------------------------------


def test_a_check_with_a_live_part_gets_the_network_allowance_only_online(
    context: Callable[..., CheckContext],
) -> None:
    billed = check("t.billed", "billed", Category.MODELS, "a billed call", cost=Cost.BILLED_CALL)(
        ok
    )
    assert time_limit(billed, context(timeout=2.0)) == pytest.approx(6.5)
    assert time_limit(billed, context(timeout=2.0, offline=True)) == pytest.approx(2.5)


def test_a_check_slower_than_others_but_within_its_limit_passes(
    context: Callable[..., CheckContext],
) -> None:
    checks = [make("t.slow", sleeper(0.4)), make("t.quick", ok)]
    results = by_id(run_checks(checks, context(timeout=2.0)))
    assert results["t.slow"].status is Status.PASS
    assert results["t.quick"].status is Status.PASS


def test_durations_are_milliseconds_of_the_checks_own_run(
    context: Callable[..., CheckContext], release: threading.Event
) -> None:
    ctx = context(timeout=0.2)
    checks = [make("t.nap", sleeper(0.1)), make("t.stuck", blocker(release))]
    results = by_id(run_checks(checks, ctx))
    assert 90 <= results["t.nap"].duration_ms < 1000
    stuck = results["t.stuck"]
    assert stuck.status is Status.FAIL
    assert stuck.duration_ms == pytest.approx(time_limit(checks[1], ctx) * 1000, abs=150)


def test_a_load_failure_is_a_config_error_named_for_what_failed(
    context: Callable[..., CheckContext],
) -> None:
    failures = [PluginFailure("acme", "boom"), PluginFailure("aws_creds", "bang", builtin=True)]
    plugin, builtin = run_checks([], context(), failures)
    assert (plugin.category, plugin.title, plugin.duration_ms) == (
        Category.CONFIG,
        "plugin acme",
        0.0,
    )
    assert (builtin.category, builtin.title, builtin.origin) == (
        Category.CONFIG,
        "built-in aws_creds",
        "builtin",
    )
    assert builtin.fix is not None
    assert "pipx reinstall ccdoctor" in builtin.fix.commands


# --- a check whose failure stops the client before its first request --------------------------


def _stopper(outcome: Outcome) -> Check:
    declare = check("t.policy", "policy", Category.CONFIG, "refuses the session", stops_client=True)
    return declare(lambda ctx: outcome)


def _recording(seen: list[bool], outcome: Outcome) -> Run:
    def run(ctx: CheckContext) -> Outcome:
        seen.append(ctx.options.offline)
        return outcome

    return run


def test_when_the_client_would_not_start_nothing_is_sent_and_live_parts_judge_offline(
    context: Callable[..., CheckContext],
) -> None:
    free_call = check("t.creds", "creds", Category.CREDENTIALS, "a free call", cost=Cost.FREE_CALL)
    sent: list[bool] = []
    creds: list[bool] = []
    checks = [
        make("t.models", _recording(sent, passed("ok")), needs=["t.creds"], network=True),
        free_call(_recording(creds, passed("found"))),
        _stopper(failed("refused", Fix("ask the administrator"))),
    ]
    results = by_id(run_checks(checks, context()))
    assert results["t.policy"].status is Status.FAIL
    assert sent == []
    assert results["t.models"].status is Status.SKIP
    assert results["t.models"].message == "needs t.policy (fail)"
    assert creds == [True]
    assert results["t.creds"].status is Status.PASS


def test_when_the_client_would_start_the_run_goes_on_the_network(
    context: Callable[..., CheckContext],
) -> None:
    sent: list[bool] = []
    checks = [
        make("t.models", _recording(sent, passed("ok")), network=True),
        _stopper(warned("a denied model the client replaces", Fix("pick another"))),
    ]
    results = by_id(run_checks(checks, context()))
    assert sent == [False]
    assert results["t.models"].status is Status.PASS


def test_offline_a_refusal_leaves_network_checks_skipped_as_offline(
    context: Callable[..., CheckContext],
) -> None:
    checks = [
        make("t.models", ok, network=True),
        _stopper(failed("refused", Fix("ask the administrator"))),
    ]
    results = by_id(run_checks(checks, context(offline=True)))
    assert results["t.models"].message == "offline"
