"""A run pays only for what its route needs: the modules a whole `ccdoctor` process loaded,
read at its exit (import cost is most of an offline run's time; bench/offline.py has figures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_DUMP = """
import atexit, json, runpy, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["ccdoctor", *sys.argv[2:]]
runpy.run_module("ccdoctor", run_name="__main__")
"""


def _loaded(tmp_path: Path, env: dict[str, str], *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-c",
            _DUMP,
            str(out),
            *args,
            "--managed-settings",
            str(tmp_path / "none"),
        ],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", **env},
        cwd=home,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return set(json.loads(out.read_text()))


def _under(modules: set[str], *packages: str) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


OTHER_ROUTES = (
    "ccdoctor.providers.bedrock",
    "ccdoctor.providers.vertex",
    "ccdoctor.providers.foundry",
    "ccdoctor.providers.claude_platform",
    "botocore",
    "boto3",
    "google.auth",
    "azure",
)


def test_an_offline_anthropic_run_loads_no_other_route_and_no_network_stack(
    tmp_path: Path,
) -> None:
    loaded = _loaded(tmp_path, {"ANTHROPIC_API_KEY": "sk-ant-api03-" + "x" * 40}, "--offline")
    assert "ccdoctor.engine.runner" in loaded  # the run happened
    assert _under(loaded, *OTHER_ROUTES) == []
    assert _under(loaded, "ccdoctor.net.client", "ccdoctor.net.probe", "httpx", "ssl") == []
    # The client's version has shipped facts (none found: the newest): nothing to learn.
    assert _under(loaded, "ccdoctor.learn.cache", "ccdoctor.learn.learner", "http.server") == []


@pytest.mark.parametrize(
    ("flag", "own"),
    [
        ("CLAUDE_CODE_USE_FOUNDRY", "ccdoctor.providers.foundry"),
        ("CLAUDE_CODE_USE_ANTHROPIC_AWS", "ccdoctor.providers.claude_platform"),
        ("CLAUDE_CODE_USE_MANTLE", "ccdoctor.providers.bedrock"),
        ("CLAUDE_CODE_USE_BEDROCK", "ccdoctor.providers.bedrock"),
        ("CLAUDE_CODE_USE_VERTEX", "ccdoctor.providers.vertex"),
    ],
)
def test_an_offline_run_on_a_route_loads_that_route_only(
    tmp_path: Path, flag: str, own: str
) -> None:
    loaded = _loaded(tmp_path, {flag: "1"}, "--offline")
    assert _under(loaded, own)
    assert _under(loaded, *(p for p in OTHER_ROUTES if p != own)) == []
