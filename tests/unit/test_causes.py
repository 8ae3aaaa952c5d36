"""One cause, one failure: which result the report shows under which."""

from __future__ import annotations

import json
from dataclasses import replace

from ccdoctor.core.results import (
    Category,
    CheckResult,
    Fix,
    Outcome,
    Problem,
    SkipCause,
    SkipKind,
    Status,
)
from ccdoctor.report.causes import link_causes


def result(check_id: str, category: Category, outcome: Outcome) -> CheckResult:
    return CheckResult(
        check_id,
        category,
        check_id,
        outcome.status,
        outcome.message,
        outcome.fix,
        dict(outcome.details),
        0.0,
    )


def problems(*found: Problem) -> Outcome:
    return Outcome.from_problems(found, "fine")


DROPPED = result(
    "config.settings",
    Category.CONFIG,
    problems(Problem(Status.FAIL, "settings.json dropped", explains=("credentials", "proxy"))),
)


def caused(*results: CheckResult) -> dict[str, str | None]:
    return {r.id: r.caused_by for r in link_causes(results)}


def test_a_category_explained_by_a_cause_follows_from_it_skips_too() -> None:
    missing = result(
        "credentials.anthropic",
        Category.CREDENTIALS,
        problems(Problem(Status.FAIL, "no credential"), Problem(Status.WARN, "odd")),
    )
    waiting = replace(
        result(
            "models.anthropic",
            Category.MODELS,
            Outcome(Status.SKIP, "needs credentials.anthropic (fail)"),
        ),
        skip_cause=SkipCause(SkipKind.NEED_FAILED, "credentials.anthropic"),
    )
    unrelated = result("region.bedrock", Category.REGION, Outcome(Status.FAIL, "bad region"))
    assert caused(DROPPED, missing, waiting, unrelated) == {
        "config.settings": None,
        "credentials.anthropic": "config.settings",
        "models.anthropic": "credentials.anthropic",
        "region.bedrock": None,
    }


def test_a_check_named_by_id_follows_only_when_that_is_all_it_found() -> None:
    conflict = result(
        "config.env",
        Category.CONFIG,
        problems(Problem(Status.WARN, "auth conflict", explains=("credentials.anthropic",))),
    )
    same = result(
        "credentials.anthropic",
        Category.CREDENTIALS,
        problems(Problem(Status.WARN, "Auth conflict")),
    )
    more = result(
        "credentials.anthropic",
        Category.CREDENTIALS,
        problems(Problem(Status.WARN, "Auth conflict"), Problem(Status.WARN, "odd token")),
    )
    assert caused(conflict, same)["credentials.anthropic"] == "config.env"
    assert caused(conflict, more)["credentials.anthropic"] is None


def test_a_warning_never_explains_a_failure_and_passes_follow_nothing() -> None:
    mild = result(
        "config.env",
        Category.CONFIG,
        problems(Problem(Status.WARN, "quoted proxy", explains=("proxy",))),
    )
    broken = result("proxy.config", Category.PROXY, Outcome(Status.FAIL, "unparseable"))
    fine = result("proxy.reachable", Category.PROXY, Outcome(Status.PASS, "ok"))
    assert caused(mild, broken, fine) == {
        "config.env": None,
        "proxy.config": None,
        "proxy.reachable": None,
    }


def test_two_causes_that_explain_each_other_do_not_loop() -> None:
    one = result(
        "config.env", Category.CONFIG, problems(Problem(Status.FAIL, "a", explains=("proxy",)))
    )
    two = result(
        "proxy.config", Category.PROXY, problems(Problem(Status.FAIL, "b", explains=("config",)))
    )
    assert caused(one, two) == {"config.env": None, "proxy.config": "config.env"}


def test_merged_fixes_keep_one_valid_settings_snippet() -> None:
    merged = Fix.merge(
        [
            Fix("a", snippet='{"env": {"A": "1"}}'),
            Fix("b", snippet='{"env": {"B": ""}, "model": "opus"}'),
        ]
    )
    assert merged is not None and merged.snippet is not None
    assert json.loads(merged.snippet) == {"env": {"A": "1", "B": ""}, "model": "opus"}
