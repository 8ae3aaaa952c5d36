"""action.yml, the one-line CI gate: it installs the release this tree is, and hands ci/gate.sh
only inputs the script reads and options ccdoctor has (tests/integration/test_gate.py runs the
script itself)."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import yaml

from ccdoctor import __version__
from tests.machine import REPO

ACTION = REPO / "action.yml"
GATE = REPO / "ci" / "gate.sh"


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    runs = action()["runs"]
    assert runs["using"] == "composite"
    return list(runs["steps"])


def test_the_default_version_is_this_release() -> None:
    assert action()["inputs"]["version"]["default"] == __version__
    (install,) = [s for s in steps() if "pip install" in s.get("run", "")]
    assert '"claude-code-doctor==$CCDOCTOR_VERSION"' in install["run"]
    assert install["env"]["CCDOCTOR_VERSION"] == "${{ inputs.version }}"


def test_the_gate_step_runs_the_script_with_every_input() -> None:
    (step,) = [s for s in steps() if "gate.sh" in s.get("run", "")]
    assert step["run"] == 'bash "$GITHUB_ACTION_PATH/ci/gate.sh"'
    script = GATE.read_text(encoding="utf-8")
    for name in step["env"]:
        assert re.search(rf"\$\{{{name}[:}}]", script), f"gate.sh does not read {name}"
    used = {m for value in step["env"].values() for m in re.findall(r"inputs\.([\w-]+)", value)}
    assert used == set(action()["inputs"]) - {"version", "python-version", "artifact-name"}


def test_the_report_is_uploaded_even_when_the_gate_fails() -> None:
    (upload,) = [s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"].startswith("always()")
    assert upload["with"]["path"] == "${{ inputs.report }}"


def test_the_script_passes_only_options_ccdoctor_has() -> None:
    code = [
        line
        for line in GATE.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    passed = {option for line in code for option in re.findall(r"(?<![\w-])--[a-z][a-z-]+", line)}
    assert passed >= {"--format", "--json-report", "--strict", "--no-invoke", "--only", "--skip"}
    shown = subprocess.run(
        [sys.executable, "-m", "ccdoctor", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(REPO)},
    ).stdout
    assert [option for option in sorted(passed) if option not in shown] == []
