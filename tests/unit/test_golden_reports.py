"""Golden reports: each set-up in fixtures/reports/<name>/setup.toml is rendered again in all five
formats by the real command and compared with fixtures/reports/<name>/report.<ext>, so that any
change of output is a visible diff in review.

After an intended change of output, regenerate the files and review the diff:

    CCDOCTOR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_golden_reports.py
    git diff fixtures/reports/

A new set-up is a new directory with a setup.toml (see tests/golden.py for its keys); the first
run with CCDOCTOR_UPDATE_GOLDEN=1 writes its reports.
"""

from __future__ import annotations

import difflib
import json
import re

import pytest

from tests.golden import FORMATS, UPDATE_VARIABLE, Setup, load_setups, render, updating
from tests.schema import validate_report

SETUPS = load_setups()


def test_there_are_set_ups_for_every_provider_healthy_and_broken() -> None:
    kinds = {(s.name.split("_", 1)[0], s.exit_code == 0) for s in SETUPS}
    for provider in ("anthropic", "bedrock", "vertex", "foundry"):
        assert (provider, True) in kinds, f"no healthy {provider} set-up"
        assert (provider, False) in kinds, f"no broken {provider} set-up"


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.name)
def test_the_report_matches_its_golden_file(setup: Setup, fmt: str) -> None:
    rendered = render(setup, fmt)
    assert "Traceback" not in rendered.stderr, rendered.stderr
    assert rendered.exit_code == setup.exit_code, rendered.stderr or rendered.stdout
    golden = setup.golden(fmt)
    if updating():
        golden.write_text(rendered.stdout, encoding="utf-8")
    if not golden.is_file():
        pytest.fail(f"{golden} is missing: run with {UPDATE_VARIABLE}=1 to write it")
    expected = golden.read_text(encoding="utf-8")
    if rendered.stdout != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            rendered.stdout.splitlines(keepends=True),
            fromfile=str(golden),
            tofile=f"ccdoctor --format {fmt} now",
        )
        pytest.fail(
            f"{setup.name} ({fmt}) differs from its golden file; if the change is intended, "
            f"rerun with {UPDATE_VARIABLE}=1 and commit the new file:\n" + "".join(diff),
            pytrace=False,
        )


@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.name)
def test_the_json_golden_validates_against_the_schema(setup: Setup) -> None:
    data = json.loads(setup.golden("json").read_text(encoding="utf-8"))
    validate_report(data)
    assert data["exit_code"] == setup.exit_code


ONE_CAUSE = {
    "anthropic_base_url_quoted": "config.env",
    "anthropic_settings_trailing_comma": "config.settings",
    "bedrock_misspelt_flag": "config.env",
    "anthropic_auth_conflict": "config.env",
}
"""Set-ups where one finding explains the others: one problem, one fix, the rest under it."""


@pytest.mark.parametrize("name", sorted(ONE_CAUSE))
def test_one_cause_is_one_problem_with_its_consequences_under_it(name: str) -> None:
    [setup] = [s for s in SETUPS if s.name == name]
    text = setup.golden("text").read_text(encoding="utf-8")
    checks = text.split("\n\n", 1)[0].splitlines()
    problems = [line.split()[1] for line in checks if line.startswith(("  FAIL", "  WARN"))]
    assert problems == [ONE_CAUSE[name]]
    assert [line for line in checks if line.lstrip().startswith("↳ ")]
    fixes = text.split("How to fix\n", 1)[1]
    assert fixes.startswith("1. ") and ONE_CAUSE[name] in fixes.splitlines()[0]
    assert "\n2. " not in fixes
    assert "This also explains" in fixes
    report = json.loads(setup.golden("json").read_text(encoding="utf-8"))
    followers = [c for c in report["checks"] if c["caused_by"] == ONE_CAUSE[name]]
    assert any(c["status"] in ("fail", "warn") for c in followers)


@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.name)
def test_every_settings_snippet_is_valid_json_and_the_text_names_its_file(setup: Setup) -> None:
    report = json.loads(setup.golden("json").read_text(encoding="utf-8"))
    fixes = [c["fix"] for c in report["checks"] if c["fix"]]
    fixes += [p["fix"] for c in report["checks"] for p in c["details"].get("problems", [])]
    snippets = [f["snippet"] for f in fixes if f and f["snippet"]]
    for snippet in snippets:
        assert isinstance(json.loads(snippet), dict), snippet
    text = setup.golden("text").read_text(encoding="utf-8")
    labels = re.findall(r" in \S*settings(?:\.local)?\.json:\n", text)
    assert len(labels) >= len({s for s in snippets if s in text})
