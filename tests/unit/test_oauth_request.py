"""With CLAUDE_CODE_OAUTH_TOKEN as its credential, the client adds the OAuth beta (and, with
experimental betas on, extended-cache-ttl) to every request; ccdoctor's requests do the same,
and only when that token is what the client sends."""

from __future__ import annotations

from typing import Any

import pytest

from ccdoctor.clients.facts import OAUTH_BETA, FactsError, all_facts, read_facts
from ccdoctor.wire.messages import request_headers, sends_oauth_token
from tests.machine import Machine
from tests.unit.test_client_facts import valid

TOKEN = "sk-ant-oat01-" + "x" * 40


def betas(machine: Machine) -> list[str]:
    return request_headers(machine.resolve(), ())["anthropic-beta"].split(",")


@pytest.mark.parametrize("version", [f.version_text for f in all_facts()])
def test_the_oauth_token_alone_brings_the_versions_oauth_betas(
    machine: Machine, version: str
) -> None:
    machine.claude_version = version
    machine.env["CLAUDE_CODE_OAUTH_TOKEN"] = TOKEN
    facts = machine.resolve().facts

    assert betas(machine) == list(facts.anthropic_betas_oauth)
    assert betas(machine)[:2] == ["claude-code-20250219", OAUTH_BETA]
    machine.env["CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"] = "1"
    assert betas(machine) == list(facts.anthropic_betas_oauth_without_experimental)
    assert "extended-cache-ttl-2025-04-11" not in betas(machine)


@pytest.mark.parametrize(
    "first",
    [
        {"env": {"ANTHROPIC_API_KEY": "sk-ant-api03-" + "k" * 40}},
        {"env": {"ANTHROPIC_AUTH_TOKEN": "gateway-token"}},
        {"apiKeyHelper": "echo key"},
        {"apiKeyHelper": ""},
    ],
)
def test_a_credential_the_client_takes_first_sends_no_oauth_beta(
    machine: Machine, first: dict[str, Any]
) -> None:
    machine.env["CLAUDE_CODE_OAUTH_TOKEN"] = TOKEN
    machine.user_settings(first)

    assert not sends_oauth_token(machine.resolve())
    assert OAUTH_BETA not in betas(machine)
    assert betas(machine) == list(machine.resolve().facts.anthropic_betas)


def test_an_empty_oauth_token_is_no_oauth_token(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_OAUTH_TOKEN"] = ""
    assert not sends_oauth_token(machine.resolve())


def test_the_oauth_lists_are_chosen_by_credential_and_switch_and_must_hold_the_oauth_beta() -> None:
    facts = read_facts("2.1.300.toml", valid())
    assert facts.anthropic_betas_for(oauth=True, experimental=True) == (
        "claude-code-20250219",
        OAUTH_BETA,
        "effort-2025-11-24",
    )
    assert facts.anthropic_betas_for(oauth=True, experimental=False) == (
        "claude-code-20250219",
        OAUTH_BETA,
    )
    assert facts.anthropic_betas_for(oauth=False, experimental=True) == (
        "claude-code-20250219",
        "effort-2025-11-24",
    )
    assert facts.anthropic_betas_for(oauth=False, experimental=False) == ("claude-code-20250219",)

    listed = valid()
    listed["request"]["anthropic"]["betas_oauth"] = ["claude-code-20250219"]
    with pytest.raises(FactsError, match=OAUTH_BETA):
        read_facts("2.1.300.toml", listed)
    del listed["request"]["anthropic"]["betas_oauth"]
    with pytest.raises(FactsError, match="betas_oauth"):
        read_facts("2.1.300.toml", listed)
