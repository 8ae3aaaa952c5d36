"""The models a session sends besides the main and the small/fast one, and thinking against the
model, judged against the fake Anthropic API as the client behaves (tests/facts/session_models.md):
a mid-session model refused is a warning proven with a free call; the opus pin is the main model
when none is chosen; a model without thinking is sent none, an alias the client does not know is."""

from __future__ import annotations

import shlex

from ccdoctor.context import RunOptions
from ccdoctor.core.results import Fix
from tests.integration.conftest_bedrock import BedrockSetUp
from tests.integration.verdicts import apply_exports, verdict
from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.peers.fake_bedrock import FAULTS, FaultRule

SERVED = ("claude-opus-5-5", "claude-haiku-5-5", "claude-opus-4-8", "claude-haiku-4-5-20251001")
UNSERVED = "claude-nonexistent-1"


def _gateway(machine: Machine, fake: FakeAnthropic, **env: str) -> Machine:
    machine.claude_version = "2.1.332"
    machine.env.update(ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_API_KEY=DEFAULT_API_KEY, **env)
    return machine


def _apply_unsets(machine: Machine, fix: Fix | None) -> list[str]:
    assert fix is not None
    names = [
        shlex.split(c)[1] for c in fix.commands if c.startswith("unset ") and len(shlex.split(c))
    ]
    assert names, f"the fix unsets nothing: {fix}"
    for name in names:
        del machine.env[name]
    return names


def _posted_models(fake: FakeAnthropic, route: str) -> list[str]:
    return [str(r.body.get("model")) for r in fake.requests_to(route) if isinstance(r.body, dict)]


def test_a_subagent_model_not_served_is_a_warning_proven_without_a_billed_request(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(models=set(SERVED))
    _gateway(machine, fake_anthropic, CLAUDE_CODE_SUBAGENT_MODEL=UNSERVED)

    result = verdict(machine)

    result.assert_green()
    (warning,) = result.warnings
    assert warning.id == "models.anthropic"
    assert warning.message.startswith(
        f"subagent model (CLAUDE_CODE_SUBAGENT_MODEL): 127.0.0.1 does not serve {UNSERVED}: "
        "HTTP 404"
    )
    assert "Claude Code starts, but subagents (the Agent tool) will fail" in warning.message
    assert UNSERVED not in _posted_models(fake_anthropic, "/v1/messages")
    assert UNSERVED in _posted_models(fake_anthropic, "/v1/messages/count_tokens")
    assert _apply_unsets(machine, warning.fix) == ["CLAUDE_CODE_SUBAGENT_MODEL"]
    assert not verdict(machine).warnings


def test_a_served_sonnet_pin_is_named_in_the_summary_and_an_unserved_one_warns(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(models={*SERVED, "claude-sonnet-4-5"})
    _gateway(machine, fake_anthropic, ANTHROPIC_DEFAULT_SONNET_MODEL="claude-sonnet-4-5")

    served = verdict(machine)

    served.assert_green()
    assert not served.warnings
    assert served["models.anthropic"].message.endswith(
        "; it knows claude-sonnet-4-5 (ANTHROPIC_DEFAULT_SONNET_MODEL) for mid-session use "
        "(free token count)"
    )
    machine.env["ANTHROPIC_DEFAULT_SONNET_MODEL"] = UNSERVED
    (warning,) = verdict(machine).warnings
    assert warning.message.startswith("sonnet-alias model (ANTHROPIC_DEFAULT_SONNET_MODEL):")


def test_the_opus_pin_is_the_main_model_when_none_is_chosen(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(models=set(SERVED))
    _gateway(machine, fake_anthropic, ANTHROPIC_DEFAULT_OPUS_MODEL=UNSERVED)

    failure = verdict(machine).only_failure()

    assert failure.id == "models.anthropic"
    assert failure.message.startswith(f"main model: 127.0.0.1 does not serve {UNSERVED}: HTTP 404")
    fake_anthropic.reset()
    fake_anthropic.configure(models=set(SERVED))
    machine.env["ANTHROPIC_DEFAULT_OPUS_MODEL"] = "claude-opus-4-8"
    verdict(machine).assert_green()
    # The small/fast model is asked in parallel: the order of the two requests varies.
    assert set(_posted_models(fake_anthropic, "/v1/messages")) == {
        "claude-opus-4-8",
        "claude-haiku-5-5",
    }


def test_with_a_main_model_chosen_the_opus_pin_is_only_a_mid_session_model(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(models=set(SERVED))
    _gateway(
        machine,
        fake_anthropic,
        ANTHROPIC_MODEL="claude-opus-4-8",
        ANTHROPIC_DEFAULT_OPUS_MODEL=UNSERVED,
    )

    result = verdict(machine)

    result.assert_green()
    (warning,) = result.warnings
    assert warning.message.startswith("opus-alias model (ANTHROPIC_DEFAULT_OPUS_MODEL):")


def test_an_alias_without_thinking_fails_and_disabling_thinking_is_green(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(without_thinking={"gateway-haiku"})
    _gateway(machine, fake_anthropic, ANTHROPIC_MODEL="gateway-haiku", MAX_THINKING_TOKENS="2048")

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.conformance"
    assert "rejects thinking (for a model without it)" in failure.message
    assert "'gateway-haiku' does not support thinking." in failure.message
    assert apply_exports(machine, failure.fix) == {"CLAUDE_CODE_DISABLE_THINKING": "1"}
    verdict(machine).assert_green()


def test_a_claude_3_model_is_sent_no_thinking_whatever_the_settings(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    model = "claude-3-5-haiku-20241022"
    fake_anthropic.configure(without_thinking={model})
    _gateway(machine, fake_anthropic, ANTHROPIC_MODEL=model, MAX_THINKING_TOKENS="2048")
    machine.user_settings({"alwaysThinkingEnabled": True})

    verdict(machine).assert_green()

    sent = [r.body for r in fake_anthropic.requests_to("/v1/messages") if isinstance(r.body, dict)]
    assert sent
    assert all("thinking" not in b and "context_management" not in b for b in sent)
    assert all("output_config" not in b for b in sent)


def test_always_thinking_off_in_settings_stops_thinking_as_the_client_does_on_2_1_197(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(without_thinking={"gateway-haiku"})
    _gateway(machine, fake_anthropic, ANTHROPIC_MODEL="gateway-haiku")
    machine.claude_version = "2.1.197"
    assert verdict(machine).only_failure().id == "proxy.conformance"

    machine.user_settings({"alwaysThinkingEnabled": False})

    verdict(machine).assert_green()


def test_a_bedrock_subagent_model_not_enabled_is_a_warning_from_free_calls_only(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    subagent = "anthropic.claude-opus-4-6-v1"
    bedrock.fake.configure(faults=(FaultRule(FAULTS["model_not_enabled"], model=subagent),))
    bedrock.machine.env["CLAUDE_CODE_SUBAGENT_MODEL"] = f"us.{subagent}"
    selection = ("credentials.aws", "region.bedrock", "proxy.conformance", "models.bedrock")

    result = verdict(bedrock.machine, *selection, options=RunOptions(timeout=5.0, deadline=20.0))

    result.assert_green()
    (warning,) = result.warnings
    assert warning.id == "models.bedrock"
    assert warning.message.startswith(
        f"subagent model (CLAUDE_CODE_SUBAGENT_MODEL) us.{subagent} (a free token count): "
        "the account may not use this model here"
    )
    assert warning.message.endswith("will fail mid-session")
    assert warning.fix is not None
    assert warning.fix.text.endswith(
        "Or remove CLAUDE_CODE_SUBAGENT_MODEL: the session then uses the model it would without "
        "the pin."
    )
    assert warning.fix.commands[-1] == "unset CLAUDE_CODE_SUBAGENT_MODEL"  # the shell exports it
    asked = {
        (r.operation, r.model) for r in bedrock.fake.requests if r.model and subagent in r.model
    }
    assert asked == {("GetFoundationModelAvailability", subagent), ("CountTokens", subagent)}
