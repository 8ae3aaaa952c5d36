"""A strict gateway that refuses one field of the client's body, in the words users report: the
probe replays the client's request of that version, so it is refused where the client is, and the
verdict is the client's (observed with the real clients: tests/conformance, tests/facts).

2.1.197 fails on context_management; 2.1.332 sends the request again without it (and without
tools' defer_loading, thinking's display), so a session works and ccdoctor warns; neither sends
input_examples or a cache_control scope, so a gateway refusing those costs them nothing."""

from __future__ import annotations

import pytest

from ccdoctor.core.results import Status
from tests.integration.verdicts import apply_exports, verdict
from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic


def strict(machine: Machine, fake: FakeAnthropic, version: str, field: str) -> Machine:
    fake.configure(rejected_fields=frozenset({field}))
    machine.claude_version = version
    machine.env["ANTHROPIC_BASE_URL"] = fake.url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    return machine


@pytest.mark.parametrize(
    ("version", "field", "named", "switch"),
    [
        (
            "2.1.197",
            "context_management",
            "context_management",
            "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS",
        ),
        (
            "2.1.197",
            "adaptive_thinking",
            "thinking (type adaptive)",
            "CLAUDE_CODE_DISABLE_THINKING",
        ),
        (
            "2.1.332",
            "adaptive_thinking",
            "thinking (type adaptive)",
            "CLAUDE_CODE_DISABLE_THINKING",
        ),
    ],
)
def test_a_refused_field_fails_naming_it_and_its_switch_turns_the_run_green(
    machine: Machine,
    fake_anthropic: FakeAnthropic,
    version: str,
    field: str,
    named: str,
    switch: str,
) -> None:
    failure = verdict(strict(machine, fake_anthropic, version, field)).only_failure()

    assert failure.id == "proxy.conformance"
    assert f"the gateway rejects {named}, which Claude Code {version} sends" in failure.message
    assert failure.fix is not None
    assert failure.fix.commands[0] == f"export {switch}=1"
    apply_exports(machine, failure.fix)
    verdict(machine).assert_green()


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_effort_has_no_switch_so_the_fix_names_the_gateway_setting(
    machine: Machine, fake_anthropic: FakeAnthropic, version: str
) -> None:
    failure = verdict(strict(machine, fake_anthropic, version, "output_config")).only_failure()

    assert failure.id == "proxy.conformance"
    assert "rejects output_config.effort" in failure.message
    assert failure.fix is not None
    assert failure.fix.commands == ()
    assert f"No setting of Claude Code {version} removes output_config.effort" in failure.fix.text
    assert "drop_params" in failure.fix.text


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_a_one_hour_ttl_refused_fails_only_when_the_user_asks_for_it(
    machine: Machine, fake_anthropic: FakeAnthropic, version: str
) -> None:
    strict(machine, fake_anthropic, version, "cache_ttl")
    verdict(machine).assert_green()  # 5-minute caching: no ttl sent
    machine.env["ENABLE_PROMPT_CACHING_1H"] = "1"

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.conformance"
    assert "rejects cache_control.ttl" in failure.message
    assert failure.fix is not None
    assert failure.fix.commands == ("unset ENABLE_PROMPT_CACHING_1H",)
    del machine.env["ENABLE_PROMPT_CACHING_1H"]
    verdict(machine).assert_green()


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("context_management", "context_management"),
        ("defer_loading", "tools.*.defer_loading"),
        ("thinking_display", "thinking.display"),
    ],
)
def test_a_field_the_client_drops_and_resends_without_is_a_warning(
    machine: Machine, fake_anthropic: FakeAnthropic, field: str, named: str
) -> None:
    result = verdict(strict(machine, fake_anthropic, "2.1.332", field))

    result.assert_green()
    (warning,) = result.warnings
    assert warning.id == "proxy.conformance"
    assert warning.message.startswith(f"the gateway rejects {named} (HTTP 400); Claude Code")
    assert warning.fix is not None
    assert warning.fix.commands == ("export CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1",)
    apply_exports(machine, warning.fix)
    result = verdict(machine)
    result.assert_green()
    assert not result.warnings


@pytest.mark.parametrize(
    ("version", "field"),
    [
        ("2.1.197", "defer_loading"),
        ("2.1.197", "thinking_display"),
        ("2.1.197", "input_examples"),
        ("2.1.197", "cache_scope"),
        ("2.1.332", "input_examples"),
        ("2.1.332", "cache_scope"),
    ],
)
def test_a_field_the_client_does_not_send_raises_no_alarm(
    machine: Machine, fake_anthropic: FakeAnthropic, version: str, field: str
) -> None:
    result = verdict(strict(machine, fake_anthropic, version, field))

    result.assert_green()
    assert not result.warnings, result.summary()


def test_the_free_call_names_a_refused_tool_flag_with_no_invoke(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    result = verdict(strict(machine, fake_anthropic, "2.1.332", "defer_loading"), no_invoke=True)

    result.assert_green()
    (warning,) = [w for w in result.warnings if w.id == "proxy.conformance"]
    assert warning.message.startswith("the gateway rejects tools.*.defer_loading")
    assert result["models.anthropic"].status is Status.PASS


def test_the_probe_carries_the_clients_fields(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    verdict(strict(machine, fake_anthropic, "2.1.332", "cache_scope")).assert_green()
    bodies = [
        r.body
        for r in fake_anthropic.requests_to("/v1/messages")
        if r.method == "POST" and r.body.get("model") == "claude-opus-5-5"
    ]
    replayed = bodies[0]
    assert replayed["thinking"] == {"type": "adaptive", "display": "omitted"}
    assert replayed["context_management"] == {"edits": [{"type": "clear_thinking_20251015"}]}
    assert replayed["output_config"] == {"effort": "medium"}
    assert [t.get("defer_loading") for t in replayed["tools"]] == [None, True]
    assert replayed["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert replayed["max_tokens"] == 1
