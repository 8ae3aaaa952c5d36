"""proxy.conformance against gateways that are almost the Anthropic API: each deviation is the one
finding, at the level the client suffers it (a warning, or a failure when the client breaks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ccdoctor.core.results import Status
from ccdoctor.wire import requests as client
from tests.integration.verdicts import apply_exports, verdict
from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.peers.relay import Relay


def gateway(machine: Machine, url: str) -> Machine:
    machine.env["ANTHROPIC_BASE_URL"] = url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    return machine


@pytest.fixture
def stripping(fake_anthropic: FakeAnthropic) -> Iterator[Relay]:
    """A gateway that drops anthropic-beta on its way to the (strict) fake API."""
    with Relay(fake_anthropic.url, drop={"anthropic-beta"}) as relay:
        yield relay


def test_a_gateway_that_is_the_api_passes_every_property(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    result = verdict(gateway(machine, fake_anthropic.url))

    result.assert_green()
    conformance = result["proxy.conformance"]
    assert conformance.status is Status.PASS
    assert conformance.message == "127.0.0.1 behaves like the Anthropic API"
    assert conformance.details["beta_forwarded"] is True
    assert conformance.details["cache_control"] == "ok"
    probes = [
        r
        for r in fake_anthropic.requests_to("/v1/messages")
        if client.PROBE_BETA in (r.header("anthropic-beta") or "")
    ]
    assert len(probes) == 1  # rejected by the API, so never billed


def test_no_token_counting_is_a_warning(machine: Machine, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.configure(count_tokens=False)

    result = verdict(gateway(machine, fake_anthropic.url))

    result.assert_green()
    (warning,) = result.warnings
    assert warning.id == "proxy.conformance"
    assert warning.message.startswith("the gateway has no /v1/messages/count_tokens")
    fake_anthropic.configure(count_tokens=True)
    assert not verdict(machine).warnings


def test_a_stream_answered_as_json_fails(machine: Machine, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.configure(stream=False)

    failure = verdict(gateway(machine, fake_anthropic.url)).only_failure()

    assert failure.id == "proxy.conformance"
    assert failure.message == (
        "a streaming request came back as application/json, not text/event-stream: the gateway "
        "buffers or rewrites the stream"
    )
    fake_anthropic.configure(stream=True)
    verdict(machine).assert_green()


def test_a_gateway_dropping_anthropic_beta_is_a_warning(
    machine: Machine, fake_anthropic: FakeAnthropic, stripping: Relay
) -> None:
    result = verdict(gateway(machine, stripping.url))

    result.assert_green()
    (warning,) = result.warnings
    assert warning.id == "proxy.conformance"
    assert warning.message.startswith("anthropic-beta does not reach the upstream")
    assert stripping.dropped > 0
    assert all(r.header("anthropic-beta") is None for r in fake_anthropic.requests)
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    assert not verdict(machine).warnings


def test_no_invoke_leaves_beta_forwarding_unproven_rather_than_guessing(
    machine: Machine, stripping: Relay
) -> None:
    result = verdict(gateway(machine, stripping.url), no_invoke=True)

    result.assert_green()
    conformance = result["proxy.conformance"]
    assert conformance.status is Status.PASS
    assert conformance.message == (
        "127.0.0.1 behaves like the Anthropic API (unproven: streaming (--no-invoke); "
        "anthropic-beta forwarding)"
    )


def test_rejected_cache_control_fails_and_disabling_caching_settles(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    # The client sends cache_control in every request: each one is refused (seen with 2.1.197).
    fake_anthropic.configure(reject_cache_control=True)

    failure = verdict(gateway(machine, fake_anthropic.url)).only_failure()

    assert failure.id == "proxy.conformance"
    assert failure.message.startswith(
        "the gateway rejects cache_control, which Claude Code sends in every request (HTTP 400 "
        "messages.0.content.0.text.cache_control: Extra inputs are not permitted"
    )
    assert apply_exports(machine, failure.fix) == {"DISABLE_PROMPT_CACHING": "1"}
    assert not verdict(machine).failures
