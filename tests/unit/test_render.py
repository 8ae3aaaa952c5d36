"""Every report format, rendered from a canned report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import ValidationError

from ccdoctor.core.results import Category, CheckResult, Fix, Status, Summary
from ccdoctor.report.build import ConfigEntry, Report
from ccdoctor.report.render import Format, renderer
from ccdoctor.report.render.github import render_github
from ccdoctor.report.render.json_report import render_json
from ccdoctor.report.render.junit import render_junit
from ccdoctor.report.render.markdown import render_markdown
from ccdoctor.report.render.text import render_config_table, render_text
from tests.schema import validate_report

PASSED = CheckResult(
    "config.provider",
    Category.CONFIG,
    "Provider selection",
    Status.PASS,
    "bedrock (CLAUDE_CODE_USE_BEDROCK from shell environment)",
    None,
    {"provider": "bedrock"},
    1.2,
)
WARNED = CheckResult(
    "region.bedrock",
    Category.REGION,
    "Bedrock region",
    Status.WARN,
    "AWS_REGION is unset; Claude Code uses us-east-1",
    Fix("Set AWS_REGION to the region you use.", ("export AWS_REGION=eu-west-1",)),
    {},
    0.4,
)
FAILED = CheckResult(
    "credentials.aws",
    Category.CREDENTIALS,
    "AWS credentials",
    Status.FAIL,
    "no credentials | profile 'dev' is missing",
    Fix(
        "Log in with AWS SSO.",
        ("aws sso login --profile dev",),
        '{"env": {"AWS_PROFILE": "dev"}}',
    ),
    {"profile": "dev"},
    12.5,
)
SKIPPED = CheckResult(
    "network.bedrock",
    Category.NETWORK,
    "Bedrock endpoint",
    Status.SKIP,
    "needs credentials.aws (fail)",
    None,
    {},
    0.0,
)
ERRORED = CheckResult(
    "plugin.acme",
    Category.CONFIG,
    "plugin acme",
    Status.ERROR,
    "plugin 'acme' could not be loaded: ImportError: no acme_sdk",
    Fix("Reinstall or remove the package that provides the 'acme' entry point."),
    {},
    0.0,
    origin="plugin acme",
)
CONFIG = (
    ConfigEntry("provider", "derived", "bedrock", "CLAUDE_CODE_USE_BEDROCK from shell"),
    ConfigEntry(
        "ANTHROPIC_MODEL",
        "env",
        "user-model",
        "user settings (/home/u/.claude/settings.json)",
        (("shell environment", "shell-model"),),
    ),
)


def report_of(*results: CheckResult, strict: bool = False, duration_ms: float = 1234.5) -> Report:
    return Report(
        generated_at="2026-01-02T03:04:05+00:00",
        claude_code_version="2.1.197",
        provider="bedrock",
        config=CONFIG,
        results=results,
        summary=Summary.of(results, duration_ms),
        strict=strict,
    )


ALL = report_of(PASSED, WARNED, FAILED, SKIPPED, ERRORED)


def with_message(result: CheckResult, message: str) -> Report:
    return report_of(replace(result, message=message))


# --- text -----------------------------------------------------------------------------------


def test_text_groups_the_checks_by_area_with_one_mark_each() -> None:
    lines = render_text(ALL).split("\n\n", 1)[0].splitlines()
    areas = {line.split()[1]: line.split()[0] for line in lines if not line.startswith(" ")}
    assert {k: areas[k] for k in ("configuration", "region", "credentials", "network")} == {
        "configuration": "ERROR",
        "region": "WARN",
        "credentials": "FAIL",
        "network": "SKIP",
    }
    rows = {
        line.split()[1]: line.split()[0]
        for line in lines
        if line.startswith("  ") and len(line.split()) > 1 and "." in line.split()[1]
    }
    assert rows["config.provider"] == "PASS"
    assert rows["credentials.aws"] == "FAIL"
    assert rows["network.bedrock"] == "SKIP"


def test_text_says_how_to_fix_each_problem_with_its_commands() -> None:
    text = render_text(ALL)
    fixes = text.split("How to fix\n", 1)[1].rsplit("\n\n", 1)[0]
    assert "1. FAIL credentials.aws — fix this first" in fixes
    assert "   no credentials | profile 'dev' is missing" in fixes
    assert "     Log in with AWS SSO." in fixes
    assert "       $ aws sso login --profile dev" in fixes
    assert "       in ~/.claude/settings.json:" in fixes
    assert '         {"env": {"AWS_PROFILE": "dev"}}' in fixes
    assert "2. ERROR plugin.acme" in fixes
    assert "3. WARN region.bedrock" in fixes
    assert "config.provider" not in fixes
    assert "network.bedrock" not in fixes


def test_text_without_problems_has_no_fix_section() -> None:
    text = render_text(report_of(PASSED, SKIPPED))
    assert "How to fix" not in text
    assert text.splitlines()[-1] == "No issues found."


def test_text_ends_with_the_counts_and_what_to_fix_first() -> None:
    text = render_text(report_of(PASSED, WARNED, FAILED, SKIPPED, duration_ms=50.0))
    assert text.splitlines()[-2] == "1 passed, 1 warnings, 1 failed, 1 skipped in 0.05s"
    assert text.splitlines()[-1] == "1 problem in 1 area — fix credentials first; also 1 warning."
    assert render_text(ALL).splitlines()[-2] == (
        "1 passed, 1 warnings, 1 failed, 1 skipped, 1 errors in 1.23s"
    )
    assert render_text(report_of(PASSED, WARNED)).splitlines()[-1] == (
        "No failures; 1 warning in 1 area — see region first."
    )


def test_text_is_coloured_only_when_asked() -> None:
    plain = render_text(ALL, colour=False)
    assert "\x1b" not in plain
    coloured = render_text(ALL, colour=True)
    assert "\x1b[32mPASS\x1b[0m" in coloured
    assert "\x1b[33mWARN\x1b[0m" in coloured
    assert "\x1b[31mFAIL\x1b[0m" in coloured


def test_text_shows_details_only_when_verbose() -> None:
    assert "profile: dev" not in render_text(ALL)
    verbose = render_text(ALL, verbose=True)
    assert "Details\n" in verbose
    assert "  profile: dev" in verbose


def test_verbose_text_prints_a_traceback_as_lines_and_lists_folded_checks() -> None:
    trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: 1\n'
    crashed = replace(ERRORED, details={"exception": "KeyError", "traceback": trace})
    unused = replace(SKIPPED, id="models.vertex", message="not used with provider bedrock")
    text = render_text(report_of(crashed, unused), verbose=True)
    assert '    Traceback (most recent call last):\n      File "x.py", line 1\n' in text
    assert "\\n" not in text
    assert "models.vertex" in text.split("\n\n", 1)[0]
    folded = render_text(report_of(crashed, unused))
    assert "SKIP  1 check not used with provider bedrock (-v lists them): models.vertex" in folded


def test_text_shows_escape_sequences_instead_of_obeying_them() -> None:
    text = render_text(with_message(FAILED, "value \x1b[2J\x07 then \udcff byte\r"))
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\r" not in text
    assert "value \\x1b[2J\\x07 then \\xff byte\\x0d" in text
    text.encode("utf-8")


def test_text_keeps_number_like_values_as_written() -> None:
    text = render_text(with_message(PASSED, "012345678901"))
    assert "012345678901" in text
    table = render_config_table((ConfigEntry("AWS_ACCOUNT", "env", "1e3", "shell environment"),))
    assert "1e3" in table


def test_config_table_shows_the_winner_and_what_it_shadowed() -> None:
    table = render_config_table(CONFIG, width=200)
    [row] = [line for line in table.splitlines() if line.startswith("ANTHROPIC_MODEL")]
    assert "user-model" in row
    assert "user settings (/home/u/.claude/settings.json)" in row
    assert "shell-model (shell environment)" in row


def test_a_config_table_too_wide_for_the_terminal_becomes_one_block_per_value() -> None:
    text = render_config_table(CONFIG, width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "ANTHROPIC_MODEL = user-model\n" in text
    assert "  source: user settings (/home/u/.claude/settings.json)\n" in text
    assert "  shadowed: shell-model (shell environment)\n" in text


# --- json -----------------------------------------------------------------------------------


def test_json_validates_against_the_schema() -> None:
    data = json.loads(render_json(ALL))
    validate_report(data)
    assert data["tool"]["name"] == "ccdoctor"
    assert data["platform"]["claude_code_version"] == "2.1.197"
    assert data["summary"] == {
        "pass": 1,
        "warn": 1,
        "fail": 1,
        "skip": 1,
        "error": 1,
        "duration_ms": 1234.5,
    }
    assert data["exit_code"] == 1
    failed = data["checks"][2]
    assert failed["fix"] == {
        "text": "Log in with AWS SSO.",
        "commands": ["aws sso login --profile dev"],
        "snippet": '{"env": {"AWS_PROFILE": "dev"}}',
    }
    assert data["checks"][4]["origin"] == "plugin acme"
    assert data["config"][1]["shadowed"] == [
        {"source": "shell environment", "value": "shell-model"}
    ]


@pytest.mark.parametrize(
    ("results", "strict", "exit_code"),
    [
        ((PASSED, SKIPPED), False, 0),
        ((PASSED, WARNED), False, 0),
        ((PASSED, WARNED), True, 1),
        ((PASSED, FAILED), False, 1),
        ((PASSED, ERRORED), False, 1),
    ],
)
def test_json_exit_code(results: tuple[CheckResult, ...], strict: bool, exit_code: int) -> None:
    data = json.loads(render_json(report_of(*results, strict=strict)))
    validate_report(data)
    assert data["exit_code"] == exit_code


def test_json_carries_any_details_as_strict_json() -> None:
    details: dict[Any, Any] = {
        "path": Path("/etc/claude-code"),
        "flags": {"b"},
        "ratio": float("nan"),
        "status": Status.FAIL,
        3: "an int key",
        "raw": "bad \udcff byte",
    }
    text = render_json(report_of(replace(PASSED, details=details)))
    text.encode("utf-8")

    def reject(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    data = json.loads(text, parse_constant=reject)
    validate_report(data)
    assert data["checks"][0]["details"] == {
        "path": "/etc/claude-code",
        "flags": ["b"],
        "ratio": "nan",
        "status": "fail",
        "3": "an int key",
        "raw": "bad \\xff byte",
    }


def _valid() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(ALL))
    return data


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["checks"][0].update(status="ok"),
        lambda d: d["checks"][0].update(category="misc"),
        lambda d: d["checks"][2].update(fix=None),
        lambda d: d["checks"][0].pop("origin"),
        lambda d: d["checks"][0].update(surprise=1),
        lambda d: d["summary"].pop("skip"),
        lambda d: d.update(exit_code=2),
        lambda d: d.update(provider="openai"),
        lambda d: d["config"][0].update(kind="guess"),
        lambda d: d.pop("generated_at"),
        lambda d: d.update(generated_at="yesterday"),
        lambda d: d["summary"].update(fail=0),
    ],
    ids=[
        "status",
        "category",
        "fail-without-fix",
        "no-origin",
        "unknown-check-field",
        "summary-field",
        "exit-code",
        "provider",
        "config-kind",
        "no-timestamp",
        "timestamp",
        "miscount",
    ],
)
def test_the_schema_rejects_a_broken_report(spoil: Any) -> None:
    data = _valid()
    spoil(data)
    with pytest.raises(ValidationError):
        validate_report(data)


def test_the_schema_lets_the_top_level_grow() -> None:
    data = _valid()
    data["added_later"] = {"anything": True}
    validate_report(data)


# --- junit ----------------------------------------------------------------------------------


def _junit(report: Report) -> ET.Element:
    return ET.fromstring(render_junit(report).encode("utf-8"))


def test_junit_has_one_testcase_per_check_with_its_outcome() -> None:
    root = _junit(ALL)
    [suite] = root.findall("testsuite")
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped", "time")} == {
        "tests": "5",
        "failures": "1",
        "errors": "1",
        "skipped": "1",
        "time": "1.234",
    }
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == [
        "config.provider",
        "region.bedrock",
        "credentials.aws",
        "network.bedrock",
        "plugin.acme",
    ]
    assert list(cases["config.provider"]) == []
    assert cases["credentials.aws"].get("classname") == "ccdoctor.credentials"
    failure = cases["credentials.aws"].find("failure")
    assert failure is not None
    assert failure.get("message") == FAILED.message
    assert "$ aws sso login --profile dev" in (failure.text or "")
    error = cases["plugin.acme"].find("error")
    assert error is not None
    assert error.get("message") == ERRORED.message
    skipped = cases["network.bedrock"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "needs credentials.aws (fail)"
    out = cases["region.bedrock"].find("system-out")
    assert out is not None
    assert (out.text or "").startswith("WARNING: AWS_REGION is unset")


def test_junit_survives_control_characters_and_undecodable_bytes() -> None:
    message = "nul\x00 bell\x07 esc\x1b[31m bad\udcff <tag> & done"
    root = _junit(report_of(replace(FAILED, message=message, id="credentials.\x01aws")))
    case = root.find("testsuite/testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    text = failure.get("message") or ""
    assert text.startswith("nul\ufffd bell\ufffd esc\ufffd[31m bad\\xff <tag> & done")
    assert case.get("name") == "credentials.\ufffdaws"


# --- github ---------------------------------------------------------------------------------


def test_github_annotates_each_problem_on_one_line() -> None:
    lines = render_github(ALL).splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert [line.split("::")[1] for line in annotations] == [
        "warning title=ccdoctor region.bedrock",
        "error title=ccdoctor credentials.aws",
        "error title=ccdoctor plugin.acme",
    ]
    assert annotations[1] == (
        "::error title=ccdoctor credentials.aws::no credentials | profile 'dev' is missing"
        "%0AFix: Log in with AWS SSO.%0A  $ aws sso login --profile dev"
    )
    assert lines[-1] == "ccdoctor: 1 passed, 1 warnings, 1 failed, 1 errors, 1 skipped"


def test_github_escapes_newlines_percent_and_property_separators() -> None:
    result = replace(
        WARNED, id="odd:id,here", message="50% done\nnext\r line", fix=Fix("100%\nsure")
    )
    [annotation, _] = render_github(report_of(result)).splitlines()
    assert annotation == (
        "::warning title=ccdoctor odd%3Aid%2Chere::50%25 done%0Anext%0D line%0AFix: 100%25%0Asure"
    )


# --- markdown -------------------------------------------------------------------------------


def test_markdown_has_the_table_with_escaped_pipes() -> None:
    lines = render_markdown(ALL).splitlines()
    start = lines.index("| status | check | message |")
    assert lines[start + 1] == "|---|---|---|"
    rows = lines[start + 2 : start + 7]
    assert [row.split("|")[2].strip() for row in rows] == [
        "`config.provider`",
        "`region.bedrock`",
        "`credentials.aws`",
        "`network.bedrock`",
        "`plugin.acme`",
    ]
    assert (
        rows[2] == "| ❌ fail | `credentials.aws` | no credentials \\| profile 'dev' is missing |"
    )
    assert "1 passed, 1 warnings, 1 failed, 1 skipped, 1 errors in 1.23s" in lines[2]


def test_markdown_keeps_a_multiline_message_in_its_row() -> None:
    text = render_markdown(with_message(WARNED, "first\nsecond | third"))
    assert "| ⚠️ warn | `region.bedrock` | first<br>second \\| third |" in text


def test_markdown_says_how_to_fix_with_code_blocks() -> None:
    text = render_markdown(ALL)
    fixes = text.split("### How to fix\n", 1)[1]
    assert "```sh\naws sso login --profile dev\n```" in fixes
    assert '```json\n{"env": {"AWS_PROFILE": "dev"}}\n```' in fixes
    assert "**region.bedrock**" in fixes
    assert "config.provider" not in fixes


# --- dispatch -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (Format.TEXT, lambda: render_text(ALL)),
        (Format.JSON, lambda: render_json(ALL)),
        (Format.MARKDOWN, lambda: render_markdown(ALL)),
        (Format.JUNIT, lambda: render_junit(ALL)),
        (Format.GITHUB, lambda: render_github(ALL)),
    ],
)
def test_renderer_dispatches_on_format(fmt: Format, expected: Any) -> None:
    assert renderer(fmt)(ALL, False, False) == expected()


def test_json_names_the_cause_of_a_consequence_and_the_schema_holds_it() -> None:
    follower = replace(SKIPPED, caused_by="credentials.aws")
    data = json.loads(render_json(report_of(FAILED, follower)))
    validate_report(data)
    assert [c["caused_by"] for c in data["checks"]] == [None, "credentials.aws"]
    assert data["schema_version"] == "1.3"
    for spoilt in (5, ""):
        data["checks"][1]["caused_by"] = spoilt
        with pytest.raises(ValidationError):
            validate_report(data)
    del data["checks"][1]["caused_by"]  # a 1.1 report, without the field, still validates
    validate_report(data)
