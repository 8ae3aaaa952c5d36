"""ci/gate.sh, the step action.yml runs (and the README's GitLab and shell equivalents), against
the fake Anthropic API: a broken set-up fails the job with annotations, a healthy one passes,
and either way the JSON report is left for the artifact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.machine import REPO
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.schema import validate_report

GATE = REPO / "ci" / "gate.sh"


def gate(tmp_path: Path, fake: FakeAnthropic, **inputs: str) -> subprocess.CompletedProcess[str]:
    """The step as a runner executes it: a clean environment, the inputs as variables, and the
    `ccdoctor` of the venv running this test first on PATH."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "ANTHROPIC_BASE_URL": fake.url,
        "ANTHROPIC_API_KEY": DEFAULT_API_KEY,
        # Away from the host's own managed settings and `claude`: this test's machine only.
        "CCDOCTOR_ARGS": f"--managed-settings {tmp_path / 'managed.json'} --claude-version 2.1.332",
        **inputs,
    }
    return subprocess.run(
        ["bash", str(GATE)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def report(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    validate_report(data)
    return data


def statuses(data: dict[str, object]) -> dict[str, str]:
    checks = data["checks"]
    assert isinstance(checks, list)
    return {check["id"]: check["status"] for check in checks}


def test_a_healthy_set_up_passes_and_leaves_the_report(
    tmp_path: Path, fake_anthropic: FakeAnthropic
) -> None:
    result = gate(tmp_path, fake_anthropic)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("ccdoctor: ")
    data = report(tmp_path / "ccdoctor-report.json")
    assert data["exit_code"] == 0
    assert statuses(data)["models.anthropic"] == "pass"
    assert fake_anthropic.requests_to("/v1/messages"), "the billed probe did not run"
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("## ccdoctor report")


def test_a_broken_set_up_fails_the_job_with_error_annotations(
    tmp_path: Path, fake_anthropic: FakeAnthropic
) -> None:
    result = gate(
        tmp_path,
        fake_anthropic,
        ANTHROPIC_API_KEY="sk-ant-api03-wrong-key-0123456789",
        CCDOCTOR_REPORT="out/report.json",
    )

    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors and errors[0].startswith("::error title=ccdoctor proxy.auth::")
    assert "wrong-key" not in result.stdout
    data = report(tmp_path / "out" / "report.json")
    assert data["exit_code"] == 1
    assert statuses(data)["proxy.auth"] == "fail"


def test_selectors_reach_ccdoctor_unexpanded(tmp_path: Path, fake_anthropic: FakeAnthropic) -> None:
    # A file the glob would match if the shell expanded it.
    (tmp_path / "proxy.reachable-notes").write_text("", encoding="utf-8")
    result = gate(
        tmp_path,
        fake_anthropic,
        CCDOCTOR_ONLY="config.provider, proxy.*",
        CCDOCTOR_SKIP="proxy.conformance",
        CCDOCTOR_NO_INVOKE="true",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    ran = statuses(report(tmp_path / "ccdoctor-report.json"))
    assert {"config.provider", "proxy.auth", "proxy.reachable", "proxy.config"} <= set(ran)
    assert "proxy.conformance" not in ran
    assert not any(check.startswith("models.") for check in ran)
    assert fake_anthropic.requests_to("/v1/messages") == [], "--no-invoke sent a billed request"


@pytest.mark.parametrize(("strict", "code"), [("false", 0), ("true", 1)])
def test_strict_turns_a_warning_into_a_failed_job(
    tmp_path: Path, fake_anthropic: FakeAnthropic, strict: str, code: int
) -> None:
    # A client newer than every facts file is judged with a warning.
    result = gate(
        tmp_path,
        fake_anthropic,
        CCDOCTOR_ONLY="config.client",
        CCDOCTOR_STRICT=strict,
        CCDOCTOR_ARGS=f"--managed-settings {tmp_path / 'managed.json'} --claude-version 99.0.0",
    )

    assert result.returncode == code, result.stdout + result.stderr
    assert "::warning title=ccdoctor config.client::" in result.stdout
    assert report(tmp_path / "ccdoctor-report.json")["exit_code"] == code
