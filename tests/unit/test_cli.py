"""The real command in a subprocess: exit codes, formats, files, colour, and the subcommands."""

from __future__ import annotations

import errno
import itertools
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ccdoctor import __version__
from ccdoctor.engine.registry import load_catalogue
from tests.machine import REPO, Machine
from tests.schema import validate_report

ONLY_PROVIDER = ("--only", "config.provider")
FACTS_DIR = REPO / "ccdoctor" / "clients" / "versions"


def cli(machine: Machine, *args: str) -> subprocess.CompletedProcess[str]:
    result = machine.cli(*args)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def ambiguous_provider_flag(machine: Machine) -> None:
    """A machine on which config.provider fails: the flag reads as neither true nor false."""
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "yes please"


def two_provider_flags(machine: Machine) -> None:
    """A machine on which config.provider warns: two providers are switched on."""
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"


def json_report(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    validate_report(data)
    return data


# --- exit codes -----------------------------------------------------------------------------


def test_a_default_run_exits_as_its_report_says(machine: Machine) -> None:
    result = cli(machine, "--offline", "--format", "json")
    data = json_report(result)
    statuses = {c["status"] for c in data["checks"]}
    expected = 1 if statuses & {"fail", "error"} else 0
    assert result.returncode == data["exit_code"] == expected


def test_a_failing_check_fails_the_run(machine: Machine) -> None:
    ambiguous_provider_flag(machine)
    result = cli(machine, "--offline")
    assert result.returncode == 1
    assert ["FAIL", "config.provider"] in [line.split()[:2] for line in result.stdout.splitlines()]
    assert "$ export CLAUDE_CODE_USE_BEDROCK=1" in result.stdout


def test_strict_turns_a_warning_into_a_failed_run(machine: Machine) -> None:
    two_provider_flags(machine)
    relaxed = cli(machine, *ONLY_PROVIDER)
    assert relaxed.returncode == 0
    assert relaxed.stdout.startswith(("PASS ", "WARN ", "FAIL ", "ERROR", "SKIP "))
    assert "WARN " in relaxed.stdout
    assert cli(machine, *ONLY_PROVIDER, "--strict").returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ("--only", "nosuch"),
        ("--skip", "nosuch.*"),
        ("--format", "nosuch"),
        ("--timeout", "-1"),
        ("--timeout", "soon"),
        ("--deadline", "0"),
        ("--project-dir", "/nonexistent"),
        ("--no-such-option",),
        ("config", "--format", "junit"),
        ("explain", "nosuch"),
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_errors_exit_2_without_a_report(machine: Machine, args: tuple[str, ...]) -> None:
    result = cli(machine, *args)
    assert result.returncode == 2
    assert "Error" in result.stderr
    assert "passed," not in result.stdout


def test_a_usage_error_names_the_bad_selector(machine: Machine) -> None:
    result = cli(machine, "--only", "nosuch")
    assert "--only 'nosuch' matches no check id or category" in result.stderr


# --- formats and files ----------------------------------------------------------------------


def test_json_format_puts_only_the_report_on_stdout(machine: Machine) -> None:
    ambiguous_provider_flag(machine)
    result = cli(machine, *ONLY_PROVIDER, "--format", "json")
    data = json_report(result)
    [check] = data["checks"]
    assert check["id"] == "config.provider"
    assert check["status"] == "fail"
    assert data["provider"] == "anthropic"
    assert result.returncode == data["exit_code"] == 1


def test_output_file_gets_the_format_and_the_terminal_the_table(
    machine: Machine, tmp_path: Path
) -> None:
    ambiguous_provider_flag(machine)
    target = tmp_path / "ccdoctor.xml"
    result = cli(machine, *ONLY_PROVIDER, "--output", str(target), "--format", "junit")
    assert result.returncode == 1
    case = ET.parse(target).getroot().find("testsuite/testcase[@name='config.provider']")
    assert case is not None
    assert case.find("failure") is not None
    assert result.stdout.startswith(("PASS ", "WARN ", "FAIL ", "ERROR", "SKIP "))
    assert "<?xml" not in result.stdout
    assert result.stdout.splitlines()[-2].startswith("0 passed, 0 warnings, 1 failed, 0 skipped")


def test_json_report_is_written_beside_the_chosen_format(machine: Machine, tmp_path: Path) -> None:
    ambiguous_provider_flag(machine)
    target = tmp_path / "ccdoctor.json"
    result = cli(machine, *ONLY_PROVIDER, "--format", "github", "--json-report", str(target))
    assert result.returncode == 1
    assert result.stdout.startswith("::error title=ccdoctor config.provider::")
    data = json.loads(target.read_text(encoding="utf-8"))
    validate_report(data)
    assert [(c["id"], c["status"]) for c in data["checks"]] == [("config.provider", "fail")]
    assert data["exit_code"] == 1


def test_an_unwritable_json_report_is_a_usage_error(machine: Machine, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "r.json"
    result = cli(machine, *ONLY_PROVIDER, "--json-report", str(target))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "--json-report" in result.stderr
    assert result.stdout == ""  # refused before the run: no report at all


def test_an_unwritable_output_file_is_a_usage_error(machine: Machine, tmp_path: Path) -> None:
    result = cli(machine, *ONLY_PROVIDER, "--output", str(tmp_path / "missing" / "r.json"))
    assert result.returncode == 2
    assert "the directory" in result.stderr and "does not exist" in result.stderr
    assert result.stdout == ""


def test_a_settings_argument_naming_no_file_is_a_usage_error(machine: Machine) -> None:
    result = cli(machine, *ONLY_PROVIDER, "--settings", "nowhere.json")
    assert result.returncode == 2
    assert "neither a settings file nor inline JSON" in result.stderr
    assert result.stdout == ""


def test_an_output_path_that_is_a_directory_is_a_usage_error(
    machine: Machine, tmp_path: Path
) -> None:
    result = cli(machine, *ONLY_PROVIDER, "--output", str(tmp_path))
    assert result.returncode == 2
    assert "is a directory" in result.stderr


def test_github_format_annotates_and_appends_the_step_summary(
    machine: Machine, tmp_path: Path
) -> None:
    ambiguous_provider_flag(machine)
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    machine.env["GITHUB_STEP_SUMMARY"] = str(summary)
    result = cli(machine, *ONLY_PROVIDER, "--format", "github")
    assert result.returncode == 1
    assert result.stdout.startswith("::error title=ccdoctor config.provider::")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## ccdoctor report\n")
    assert "| status | check | message |" in written
    assert "| ❌ fail | `config.provider` |" in written


def test_no_escape_codes_when_stdout_is_not_a_terminal(machine: Machine) -> None:
    ambiguous_provider_flag(machine)
    result = cli(machine, *ONLY_PROVIDER)
    assert "FAIL" in result.stdout
    assert "\x1b" not in result.stdout


def run_on_terminal(machine: Machine, *args: str) -> str:
    """Run the command with a pseudo-terminal as stdout; what it wrote there."""
    leader, follower = os.openpty()
    command = [sys.executable, "-m", "ccdoctor", *args]
    command += ["--managed-settings", str(machine.managed_file), "--claude-version", "2.1.197"]
    with subprocess.Popen(
        command,
        cwd=machine.project,
        env={**machine.env, "PYTHONPATH": str(REPO)},
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError as exc:  # Linux reports the closed terminal as EIO
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_gets_colour_unless_no_color_is_set(machine: Machine) -> None:
    ambiguous_provider_flag(machine)
    assert "\x1b[31mFAIL\x1b[0m" in run_on_terminal(machine, *ONLY_PROVIDER)
    machine.env["NO_COLOR"] = "1"
    output = run_on_terminal(machine, *ONLY_PROVIDER)
    assert "FAIL" in output
    assert "\x1b" not in output


def test_undecodable_bytes_in_the_environment_do_not_break_the_output(
    machine: Machine,
) -> None:
    # An environment byte that is not UTF-8 reaches Python as a lone surrogate; a strict
    # stdout (as under most locales) cannot write one.
    machine.env["PYTHONIOENCODING"] = "utf-8"
    machine.env["ANTHROPIC_MODEL"] = "claude-\udcff"
    report = json_report(cli(machine, *ONLY_PROVIDER, "--format", "json"))
    [entry] = [e for e in report["config"] if e["name"] == "ANTHROPIC_MODEL"]
    assert entry["value"] == "claude-\\xff"
    assert cli(machine, *ONLY_PROVIDER).returncode == 0
    table = cli(machine, "config")
    assert table.returncode == 0
    assert "claude-\\xff" in table.stdout


# --- config, list, explain, version ---------------------------------------------------------


def shadowed_model(machine: Machine) -> Path:
    machine.env["ANTHROPIC_MODEL"] = "shell-model"
    return machine.user_settings({"env": {"ANTHROPIC_MODEL": "user-model"}})


def test_config_json_shows_the_winner_and_what_it_shadowed(machine: Machine) -> None:
    settings = shadowed_model(machine)
    key = "sk-ant-api03-" + "k" * 40 + "WXYZ"
    machine.env["ANTHROPIC_API_KEY"] = key
    result = cli(machine, "config", "--format", "json")
    assert result.returncode == 0
    assert key not in result.stdout
    data = json.loads(result.stdout)
    entries = {e["name"]: e for e in data["config"]}
    model = entries["ANTHROPIC_MODEL"]
    assert model["value"] == "user-model"
    assert model["source"] == f"user settings ({settings})"
    assert model["shadowed"] == [{"source": "shell environment", "value": "shell-model"}]
    assert entries["ANTHROPIC_API_KEY"]["value"] == f"<anthropic_api_key: {len(key)} chars …WXYZ>"


def test_config_table_shows_the_winner_and_what_it_shadowed(machine: Machine) -> None:
    shadowed_model(machine)
    machine.env["COLUMNS"] = "250"
    result = cli(machine, "config")
    assert result.returncode == 0
    assert result.stdout.split()[:4] == ["name", "value", "source", "shadowed"]
    [row] = [line for line in result.stdout.splitlines() if line.startswith("ANTHROPIC_MODEL ")]
    assert row.split()[1] == "user-model"
    assert "user settings" in row
    assert "shell-model (shell environment)" in row


def test_list_shows_the_checks(machine: Machine) -> None:
    result = cli(machine, "list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    [at] = [i for i, line in enumerate(lines) if line.startswith("config.provider ")]
    assert lines[at].split()[1:3] == ["local", "all"]
    # A title too long for its column goes on in the lines below, indented.
    wrapped = [lines[at], *itertools.takewhile(lambda line: line.startswith(" "), lines[at + 1 :])]
    assert "Provider selection" in " ".join(" ".join(wrapped).split())


def test_explain_prints_what_a_check_looks_at(machine: Machine) -> None:
    spec = load_catalogue(include_plugins=False).by_id("config.provider")
    assert spec is not None
    result = cli(machine, "explain", "config.provider")
    assert result.returncode == 0
    assert result.stdout.startswith("config.provider — Provider selection\n")
    # Reflowed to the terminal's width, word for word.
    words = result.stdout.split()
    assert " ".join(spec.spec.description.split()) in " ".join(words)
    assert " ".join(spec.spec.explain.split()) in " ".join(words)


def test_version(machine: Machine) -> None:
    result = cli(machine, "--version")
    assert result.returncode == 0
    newest = max(
        tuple(int(part) for part in path.stem.split(".")) for path in FACTS_DIR.glob("*.toml")
    )
    assert result.stdout == (
        f"ccdoctor {__version__} (Claude Code facts observed up to {'.'.join(map(str, newest))})\n"
    )
