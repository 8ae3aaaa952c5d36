"""What a run bills, counted at the fake API: the README's figure is what the command sends."""

from __future__ import annotations

import json
import re

from tests.machine import REPO, Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic


def _billed(fake: FakeAnthropic) -> list[str]:
    return [
        str(r.body.get("model"))
        for r in fake.requests_to("/v1/messages")
        if r.method == "POST" and isinstance(r.body, dict) and r.body.get("max_tokens") == 1
    ]


def test_a_run_through_a_gateway_bills_what_the_readme_says(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    done = machine.cli("--format", "json")
    assert done.returncode == 0, done.stdout
    every_post = [r for r in fake_anthropic.requests_to("/v1/messages") if r.method == "POST"]
    billed = _billed(fake_anthropic)
    assert len(every_post) == len(billed) == 3  # each asks for one output token
    assert sorted(set(billed)) == ["claude-haiku-4-5-20251001", "claude-opus-4-8"]
    # The main model's are the client's own request (2.1.197's shape), shrunk.
    main = [r.body for r in every_post if r.body.get("model") == "claude-opus-4-8"]
    assert all(b["thinking"] == {"type": "adaptive"} and "context_management" in b for b in main)
    assert all(len(b["tools"]) == 1 and b["messages"][0]["content"][0]["text"] for b in main)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"three billed requests of one output token", readme)


def test_no_invoke_bills_nothing(machine: Machine, fake_anthropic: FakeAnthropic) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    done = machine.cli("--no-invoke", "--format", "json")
    assert done.returncode == 0, done.stdout
    assert [r for r in fake_anthropic.requests_to("/v1/messages") if r.method == "POST"] == []
    assert fake_anthropic.requests_to("/v1/messages/count_tokens")  # the free call did go out


def test_a_session_the_managed_policy_refuses_sends_nothing(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    """2.1.332 and newer refuse an ANTHROPIC_BASE_URL that allowedProviders does not sanction
    before their first request: ccdoctor sends nothing either, and says why."""
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    machine.managed_settings({"allowedProviders": ["anthropic"]})
    machine.claude_version = "2.1.337"
    done = machine.cli("--format", "json")
    assert done.returncode == 1, done.stdout
    results = {r["id"]: r for r in json.loads(done.stdout)["checks"]}
    assert results["config.policy"]["status"] == "fail"
    assert results["models.anthropic"]["message"] == "needs config.policy (fail)"
    assert fake_anthropic.requests == []
