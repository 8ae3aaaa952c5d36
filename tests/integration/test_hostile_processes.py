"""Processes ccdoctor starts that misbehave: each costs at most --timeout, is killed with its
children, and leaves a named problem and exit 1, never a hang or a green run.

The bounds are correctness bounds (a hang would take 45 s or more), measured around the real
command started as a subprocess; what ccdoctor costs with nothing hanging is measured in the
same test."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.machine import REPO, Machine
from tests.peers.blackhole import closed_port

TIMEOUT = 2.0
KEY = "sk-ant-api03-" + "h" * 40


def _startup(machine: Machine) -> float:
    """What the same offline run costs with nothing hanging: start-up, the checks, the report.
    On a loaded machine that varies from run to run, hence the margin in _bound."""
    healthy = Machine(machine.root / "healthy", env={"ANTHROPIC_API_KEY": KEY})
    began = time.monotonic()
    healthy.cli("--offline", "--timeout", f"{TIMEOUT:g}", "--format", "json")
    return time.monotonic() - began


def _bound(startup: float) -> float:
    """Timeout + 2 s, plus twice what ccdoctor costs anyway (killing a process group and reaping
    it waits on the scheduler, which a loaded machine delays); a hang would cost 45 s or more."""
    return TIMEOUT + 2 + 2 * startup


def _timed_run(machine: Machine, *args: str) -> tuple[float, dict[str, object], int]:
    began = time.monotonic()
    done = machine.cli("--offline", "--timeout", f"{TIMEOUT:g}", "--format", "json", *args)
    elapsed = time.monotonic() - began
    return elapsed, json.loads(done.stdout), done.returncode


def _checks(report: dict[str, object]) -> dict[str, dict[str, object]]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {c["id"]: c for c in checks}


def _gone(pid: int) -> bool:
    """Killed: no such process, or a zombie waiting for init to reap it."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_hung_claude_on_path_is_an_error_within_the_timeout(machine: Machine) -> None:
    bin_dir = machine.root / "bin"
    bin_dir.mkdir()
    claude = bin_dir / "claude"
    claude.write_text("#!/bin/sh\nsleep 45\n")
    claude.chmod(0o755)
    machine.env["PATH"] = f"{bin_dir}:/usr/bin:/bin"
    machine.env["ANTHROPIC_API_KEY"] = KEY
    machine.claude_version = None
    startup = _startup(machine)
    elapsed, report, code = _timed_run(machine)
    assert elapsed < _bound(startup)
    assert code == 1
    client = _checks(report)["config.client"]
    assert client["status"] == "error"
    assert "did not answer within 2 s" in str(client["message"])


def test_a_hung_api_key_helper_fails_within_the_timeout(machine: Machine) -> None:
    machine.user_settings({"apiKeyHelper": "sleep 45"})
    startup = _startup(machine)
    elapsed, report, code = _timed_run(machine)
    assert elapsed < _bound(startup)
    assert code == 1
    helper = _checks(report)["credentials.anthropic"]
    assert helper["status"] == "fail"
    assert "did not finish within" in str(helper["message"])


def test_a_helper_whose_child_holds_the_pipe_costs_the_timeout_and_the_child_dies(
    machine: Machine,
) -> None:
    """The shell prints a key and exits at once, but a background child keeps its stdout open:
    the client, reading to end-of-file, would wait for that child too."""
    pid_file = machine.root / "child.pid"
    machine.user_settings({"apiKeyHelper": f"sleep 60 & echo $! > {pid_file}; echo {KEY}"})
    startup = _startup(machine)
    elapsed, report, code = _timed_run(machine)
    assert elapsed < _bound(startup)
    assert code == 1
    assert _checks(report)["credentials.anthropic"]["status"] == "fail"
    assert _gone(int(pid_file.read_text()))


def test_a_hung_credential_process_is_killed_and_fails_credentials(machine: Machine) -> None:
    """botocore waits on a credential_process with no time limit of its own; ccdoctor's run
    ends at --timeout and the command dies with it."""
    pid_file = machine.root / "process.pid"
    dead = f"http://127.0.0.1:{closed_port()}"
    machine.write(
        machine.home / ".aws" / "config",
        f"[default]\ncredential_process = sh -c 'echo $$ > {pid_file}; exec sleep 45'\n"
        "region = us-east-1\n",
    )
    machine.env.update(
        {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "ANTHROPIC_BEDROCK_BASE_URL": dead,
            "AWS_ENDPOINT_URL": dead,
        }
    )
    startup = _startup(machine)
    began = time.monotonic()
    done = machine.cli("--no-invoke", "--timeout", f"{TIMEOUT:g}", "--format", "json")
    assert time.monotonic() - began < _bound(startup)
    assert done.returncode == 1
    assert _checks(json.loads(done.stdout))["credentials.aws"]["status"] == "fail"
    assert _gone(int(pid_file.read_text()))


# ---- processes the credential libraries start themselves ----------------------------------------

_HANGING = "#!/bin/sh\nsleep 60 &\necho $! >> {pids}\necho $$ >> {pids}\nsleep 60\n"
"""Hangs, and forks a child that holds its stdout open: each records its pid."""


def _isolated_run(machine: Machine, *args: str) -> tuple[float, dict[str, object], int]:
    """An online run with no network beyond loopback: what the chains would reach (Google's
    STS, Azure's IMDS) is unreachable, so only the hung process decides the outcome."""
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode:
        pytest.skip("needs `unshare -rn` (an unprivileged network namespace) to stay offline")
    command = [
        *("unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$0" "$@"'),
        *(sys.executable, "-m", "ccdoctor", "--timeout", f"{TIMEOUT:g}", "--format", "json"),
        *("--managed-settings", str(machine.managed_file), "--claude-version", "2.1.332", *args),
    ]
    began = time.monotonic()
    done = subprocess.run(
        command,
        cwd=machine.project,
        env={**machine.env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert not done.stderr, done.stderr
    return time.monotonic() - began, json.loads(done.stdout), done.returncode


def _hanging_program(machine: Machine, path: Path) -> Path:
    pids = machine.root / "pids"
    machine.write(path, _HANGING.format(pids=pids)).chmod(0o755)
    return pids


def _all_gone(pids: Path) -> bool:
    found = [int(line) for line in pids.read_text().split()]
    return len(found) == 2 and all(_gone(pid) for pid in found)


def test_a_hung_executable_credential_is_killed_with_its_child_and_warned(
    machine: Machine,
) -> None:
    """google-auth runs an executable-sourced credential's command itself, for as long as the
    file's timeout_millis (30 s here): ccdoctor bounds it by its own time limit and kills it
    with its children, and says the credential could not be checked in time."""
    pids = _hanging_program(machine, machine.root / "bin" / "get-token")
    credential = machine.write(
        machine.root / "wif.json",
        {
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/1/locations/global/"
            "workloadIdentityPools/pool/providers/ci",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "token_url": "https://sts.googleapis.com/v1/token",
            "credential_source": {
                "executable": {
                    "command": str(machine.root / "bin" / "get-token"),
                    "timeout_millis": 30000,
                }
            },
        },
    )
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": "p1",
            "CLOUD_ML_REGION": "us-east5",
            "GOOGLE_APPLICATION_CREDENTIALS": str(credential),
            "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1",
        }
    )
    startup = _startup(machine)
    elapsed, report, _ = _isolated_run(machine, "--only", "credentials.gcp")
    assert elapsed < _bound(startup)
    result = _checks(report)["credentials.gcp"]
    assert result["status"] == "warn", result
    assert "did not finish within" in str(result["message"])
    assert _all_gone(pids)


@pytest.mark.parametrize("program", ["az", "pwsh"])
def test_a_hung_azure_tool_is_killed_with_its_child_and_the_chain_is_not_proven(
    machine: Machine, program: str
) -> None:
    """azure-identity's AzureCliCredential runs `az` with a timeout that kills `az` only, and
    its AzurePowerShellCredential starts `/bin/sh -c "pwsh ..."` with Popen and waits with a
    timeout that kills the shell only: a child holding the pipe would outlive ccdoctor. Run
    through host/commands, the whole group dies at ccdoctor's limit, and the chain is reported
    as not checked in time."""
    pytest.importorskip("azure.identity", reason="the [azure] extra is not installed")
    bin_dir = machine.root / "bin"
    pids = _hanging_program(machine, bin_dir / program)
    machine.env.update(
        {
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "CLAUDE_CODE_USE_FOUNDRY": "1",
            "ANTHROPIC_FOUNDRY_RESOURCE": "res",
        }
    )
    startup = _startup(machine)
    elapsed, report, _ = _isolated_run(machine, "--only", "credentials.foundry")
    assert elapsed < _bound(startup)
    result = _checks(report)["credentials.foundry"]
    assert result["status"] == "warn", result
    assert f"`{program}` did not finish within" in str(result["message"])
    assert _all_gone(pids)
