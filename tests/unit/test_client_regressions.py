"""Known client regressions: the data loads strictly, and config.client names the one a set-up
triggers on an affected version, and only then."""

from __future__ import annotations

from typing import Any

import pytest

from ccdoctor.clients.facts import FactsError
from ccdoctor.clients.regressions import known_regressions, read_regression
from ccdoctor.core.results import Status
from tests.machine import Machine

BEDROCK = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}


def client(machine: Machine, version: str, **env: str) -> Any:
    machine.claude_version = version
    machine.env.update(env)
    return machine.check("config.client")


def test_the_shipped_regressions_load_and_each_says_how_it_was_confirmed() -> None:
    rows = known_regressions()
    assert {r.id for r in rows} >= {"bedrock-api-key-not-sent", "no-proxy-from-settings-ignored"}
    assert all(r.confirmed.startswith("observed:") for r in rows)


def test_the_bedrock_api_key_regression_fails_on_2_1_94_only(machine: Machine) -> None:
    result = client(machine, "2.1.94", AWS_BEARER_TOKEN_BEDROCK="ABSK" + "x" * 40, **BEDROCK)
    assert result.status is Status.FAIL
    assert result.message.startswith("with this set-up, Claude Code 2.1.94 sends no Authorization")
    assert "a known regression of 2.1.94: https://github.com/" in result.message
    assert result.fix is not None and result.fix.commands == ("claude update",)
    machine.claude_version = "2.1.96"
    assert "2.1.94" not in machine.check("config.client").message


def test_an_empty_bearer_token_is_the_trigger_of_the_sigv4_regression(machine: Machine) -> None:
    machine.env.update(BEDROCK)
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = ""
    result = client(machine, "2.1.96")
    assert result.status is Status.FAIL
    assert "known regression of 2.1.94 to 2.1.96" in result.message
    assert result.fix is not None and "unset AWS_BEARER_TOKEN_BEDROCK" in result.fix.commands
    del machine.env["AWS_BEARER_TOKEN_BEDROCK"]
    assert "regression" not in client(machine, "2.1.96").message


def test_no_proxy_from_a_settings_file_warns_but_from_the_shell_does_not(
    machine: Machine,
) -> None:
    machine.env["HTTPS_PROXY"] = "http://proxy.corp.example:3128"
    machine.env["NO_PROXY"] = "llm.corp.example"
    assert "regression" not in client(machine, "2.1.90").message
    del machine.env["NO_PROXY"]
    machine.user_settings({"env": {"NO_PROXY": "llm.corp.example"}})
    result = client(machine, "2.1.90")
    assert result.status is Status.WARN
    assert "ignores a NO_PROXY that comes from a settings file" in result.message
    assert "regression" not in client(machine, "2.1.117").message


def valid() -> dict[str, Any]:
    return {
        "id": "r",
        "first": "2.1.1",
        "last": "2.1.2",
        "status": "fail",
        "set": ["X"],
        "symptom": "s",
        "fix": "f",
        "confirmed": "observed: c",
        "source": "u",
    }


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"frist": "2.1.1"}, "unknown keys"),
        ({"first": "2.1.3"}, "first ≤ last"),
        ({"status": "maybe"}, "status"),
        ({"set": []}, "at least one variable"),
        ({"set": "X"}, "list of names"),
        ({"provider": "bedrok"}, "bedrok"),
    ],
)
def test_a_regression_row_the_loader_would_misread_is_refused(
    change: dict[str, Any], complaint: str
) -> None:
    with pytest.raises((FactsError, ValueError), match=complaint):
        read_regression({**valid(), **change})
