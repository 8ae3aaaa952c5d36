"""Commands that forgive what users type, and the conventions they expect of a CLI."""

from __future__ import annotations

import json
import sys

import pytest

from tests.machine import REPO, Machine
from tests.terminal import run_on_terminal


def test_a_misspelt_check_id_gets_a_suggestion(machine: Machine) -> None:
    result = machine.cli("--only", "credentails.aws", "--offline")
    assert result.returncode == 2
    assert "did you mean credentials.aws" in result.stderr
    assert "Traceback" not in result.stderr


def test_only_takes_a_comma_separated_list(machine: Machine) -> None:
    result = machine.cli("--only", "config.env, config.client", "--offline", "-f", "json")
    assert result.returncode == 0, result.stderr
    ids = {c["id"] for c in json.loads(result.stdout)["checks"]}
    assert ids == {"config.env", "config.client"}


@pytest.mark.parametrize("name", ["proxy.auth", "PROXY.AUTH", " Proxy.Auth "])
def test_explain_ignores_case(machine: Machine, name: str) -> None:
    result = machine.cli("explain", name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("proxy.auth — ")


def test_explain_a_category_lists_its_checks(machine: Machine) -> None:
    result = machine.cli("explain", "proxy")
    assert result.returncode == 0, result.stderr
    for check_id in ("proxy.auth", "proxy.config", "proxy.conformance", "proxy.reachable"):
        assert f"{check_id} — " in result.stdout


def test_explain_without_a_name_lists_and_a_typo_is_suggested(machine: Machine) -> None:
    listing = machine.cli("explain")
    assert listing.returncode == 0, listing.stderr
    assert "credentials.aws" in listing.stdout and "ccdoctor explain ID" in listing.stdout
    typo = machine.cli("explain", "proxy.auht")
    assert typo.returncode == 2
    assert "did you mean proxy.auth" in typo.stderr


def test_explain_says_a_local_check_with_a_live_part_uses_the_network(machine: Machine) -> None:
    text = machine.cli("explain", "credentials.aws").stdout
    assert "network: no" not in text
    assert "free call unless --offline" in text


def test_list_as_json(machine: Machine) -> None:
    result = machine.cli("list", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["models.bedrock"]["cost"] == "billed call"
    assert rows["models.bedrock"]["providers"] == ["bedrock"]
    assert [i for i, row in rows.items() if row["stops_client"]] == ["config.policy"]


def test_explain_says_a_refusal_keeps_the_run_off_the_network(machine: Machine) -> None:
    text = " ".join(machine.cli("explain", "config.policy").stdout.split())
    assert "a failure means Claude Code sends nothing: the run's network checks are skipped" in text


@pytest.mark.parametrize(
    ("command", "accepted", "refused"),
    [("list", "text|markdown|json", "junit"), ("config", "text|json", "markdown")],
)
def test_format_options_advertise_only_what_they_accept(
    machine: Machine, command: str, accepted: str, refused: str
) -> None:
    help_text = machine.cli(command, "--help").stdout
    assert f"<{accepted}>" in help_text
    result = machine.cli(command, "-f", refused)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_help_states_the_exit_codes_once_and_offers_completion(machine: Machine) -> None:
    text = machine.cli("--help").stdout
    assert text.count("Exit codes:") == 1
    assert "--install-completion" in text


def _first_rows(machine: Machine, env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "ccdoctor", "--offline", "--only", "config.env", *args]
    command += ["--managed-settings", str(machine.managed_file)]
    screen = run_on_terminal(command, {**env, "PYTHONPATH": str(REPO)}, machine.project, 80)
    return screen.raw


@pytest.mark.parametrize(
    ("variables", "coloured"),
    [
        ({}, True),
        ({"NO_COLOR": "1"}, False),
        ({"TERM": "dumb"}, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_on_a_terminal_follows_the_conventions(
    machine: Machine, variables: dict[str, str], coloured: bool
) -> None:
    env = {k: v for k, v in machine.env.items() if k not in ("NO_COLOR", "TERM")}
    raw = _first_rows(machine, {**env, **variables})
    assert ("\x1b[32m" in raw) is coloured


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "CLICOLOR_FORCE"])
def test_colour_can_be_forced_into_a_pipe(machine: Machine, variable: str) -> None:
    machine.env.pop("NO_COLOR", None)
    machine.env[variable] = "1"
    assert "\x1b[32m" in machine.cli("--offline", "--only", "config.env").stdout
    machine.env[variable] = "0"
    assert "\x1b[" not in machine.cli("--offline", "--only", "config.env").stdout
