"""The Bedrock error table: every error of providers.md §A4, as AWS words it, gets its cause."""

from __future__ import annotations

import re

import pytest

from ccdoctor.providers.bedrock.errors import (
    RULES,
    UNKNOWN_FACT,
    Kind,
    classify,
    denial_facts,
    fill,
    normalise,
)
from tests.peers import responses

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
SAMPLES = [
    (sample["code"], sample["status"], sample["message"], sample["cause"], Kind[sample["kind"]])
    for sample in responses.load("bedrock", "error_samples")
]
"""(code, HTTP status, message as AWS sends it, expected cause, expected kind)"""
IAM_DENIAL = next(message for _, _, message, cause, _ in SAMPLES if cause == "iam_no_allow")


@pytest.mark.parametrize(
    ("code", "status", "message", "cause", "kind"), SAMPLES, ids=lambda v: str(v)[:40]
)
def test_every_error_gets_its_cause(
    code: str, status: int | None, message: str, cause: str, kind: Kind
) -> None:
    rule = classify(code, status, message)
    assert (rule.cause, rule.kind) == (cause, kind)


def test_every_rule_is_reached_by_a_real_error() -> None:
    reached = {classify(code, status, message).cause for code, status, message, *_ in SAMPLES}
    assert reached == {rule.cause for rule in RULES}


def test_the_curly_apostrophe_and_odd_spacing_are_normalised() -> None:
    straight = "Invocation of model ID x with on-demand throughput isn't supported."
    curly = "Invocation  of model ID x\nwith on-demand throughput isn’t\u00a0supported."
    assert normalise(curly) == normalise(straight)
    assert classify("ValidationException", 400, straight).cause == "on_demand_unsupported"


def test_the_code_decides_before_the_message() -> None:
    # A validation error that quotes an access-denied text is still a validation error.
    rule = classify("ValidationException", 400, "You don't have access to the model")
    assert rule.cause == "validation"


def test_only_throttling_and_outages_are_transient() -> None:
    transient = {rule.cause for rule in RULES if rule.transient}
    assert transient == {"throttled", "transient"}
    assert not classify("ThrottlingException", 429, "Too many tokens per day").transient


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.cause)
def test_every_fix_fills_without_facts(rule: object) -> None:
    from ccdoctor.providers.bedrock.errors import Rule

    assert isinstance(rule, Rule)
    assert rule.meaning and rule.fix
    filled = [fill(t, {}) for t in (rule.meaning, rule.fix, *rule.commands)]
    assert not [t for t in filled if PLACEHOLDER.search(t)]


def test_fill_uses_the_facts_and_placeholders_for_the_rest() -> None:
    template = "export {model_variable}={suggested_model} in {region} for {nothing}"
    filled = fill(template, {"model_variable": "ANTHROPIC_MODEL", "region": None})
    assert filled == (
        f"export ANTHROPIC_MODEL={UNKNOWN_FACT['suggested_model']} in the region for <nothing>"
    )


def test_an_iam_denial_names_its_principal_action_and_resource() -> None:
    assert denial_facts(IAM_DENIAL) == {
        "principal": "arn:aws:sts::123456789012:assumed-role/Dev/jane",
        "action": "bedrock:InvokeModelWithResponseStream",
        "resource": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    }
    assert denial_facts("You don't have access to the model.") == {}
