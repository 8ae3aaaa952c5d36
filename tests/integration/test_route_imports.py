"""A run loads the code of the route it judges and no other: the AWS SDK and google-auth cost
more start-up time than the rest of ccdoctor, so an Anthropic run must never pay for them, and a
Bedrock run uses botocore alone, never boto3's session and resource layer.

The modules are read from the interpreter's own import log (PYTHONPROFILEIMPORTTIME), of a real
run in a subprocess against the fakes."""

from __future__ import annotations

from tests.integration.conftest_bedrock import BedrockSetUp
from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic

CLOUD_SDKS = ("boto3", "botocore", "google.auth", "google.oauth2")


def imported(machine: Machine, *args: str) -> set[str]:
    machine.env["PYTHONPROFILEIMPORTTIME"] = "1"
    done = machine.cli(*args)
    assert done.returncode in (0, 1), done.stdout + done.stderr[-2000:]  # a verdict, not a crash
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def loaded(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


def test_an_anthropic_run_loads_no_cloud_sdk(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    machine.env.update(ANTHROPIC_BASE_URL=fake_anthropic.url, ANTHROPIC_API_KEY=DEFAULT_API_KEY)

    modules = imported(machine)

    assert "httpx" in modules  # the log is read: the live run's own client is in it
    assert [m for sdk in CLOUD_SDKS for m in loaded(modules, sdk)] == []
    assert loaded(modules, "ccdoctor.providers.bedrock") == []
    assert loaded(modules, "ccdoctor.providers.vertex") == []


def test_an_offline_run_loads_no_cloud_sdk_and_no_http_client(machine: Machine) -> None:
    modules = imported(machine, "--offline")

    assert "ccdoctor.engine.runner" in modules
    assert [m for sdk in (*CLOUD_SDKS, "httpx") for m in loaded(modules, sdk)] == []


def test_a_bedrock_run_loads_botocore_but_not_boto3(bedrock: BedrockSetUp) -> None:
    bedrock.keys()

    modules = imported(bedrock.machine)

    assert "botocore.client" in modules
    assert loaded(modules, "boto3") == []
    assert loaded(modules, "google.auth") == []


def test_a_mantle_run_loads_botocore_but_no_google_or_vertex_code(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.configure(require_auth=False)
    machine.env.update(
        CLAUDE_CODE_USE_MANTLE="1",
        ANTHROPIC_BEDROCK_MANTLE_BASE_URL=fake_anthropic.url,
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )

    modules = imported(machine)

    assert "botocore.auth" in modules  # the request was signed
    assert loaded(modules, "boto3") == []
    assert loaded(modules, "google.auth") == []
    assert loaded(modules, "ccdoctor.providers.vertex") == []
