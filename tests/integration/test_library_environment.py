"""The credential libraries ccdoctor runs (google-auth, azure-identity) read the set-up under
diagnosis, as the client's own libraries read the client's process environment, which holds the
settings files' env blocks: never ccdoctor's own os.environ, which they must not change either
(checks run in threads). Against fakes on 127.0.0.1: Google's token endpoint (STS) in
tests/peers/fake_vertex.py, a managed identity's metadata service in tests/peers/fake_foundry.py."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccdoctor.core.results import Status
from ccdoctor.host import cloud as cloud_host
from ccdoctor.knowledge import credentials as known
from ccdoctor.knowledge import foundry
from tests.integration.verdicts import verdict
from tests.machine import Machine
from tests.peers.fake_foundry import DEFAULT_TOKEN, FakeFoundry, FakeImds
from tests.peers.fake_vertex import PROJECT, FakeVertex

SUBJECT_VARIABLE = "CI_OIDC_TOKEN"
"""Where the test's executable finds the token it hands Google: set in a settings file only."""
OWN_ONLY = "CCDOCTOR_TEST_OWN_ONLY"
"""Set in ccdoctor's own environment only: the set-up under diagnosis does not have it."""

_EXECUTABLE = """#!/bin/sh
env > {env_dump}
sleep 0.3
printf '{{"version": 1, "success": true, "token_type": "%s", ' \
  urn:ietf:params:oauth:token-type:id_token
printf '"id_token": "%s", "expiration_time": %d}}' "${variable}" $(( $(date +%s) + 3600 ))
"""
"""An executable-sourced credential's command: records the environment it was given and hands
over the subject token from it (a pause so that a watcher sees the run in flight)."""


class _EnvironWatcher:
    """Reads os.environ from another thread for as long as a run lasts: what every other check
    (and ccdoctor itself) would see meanwhile."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names
        self.seen: set[str] = set()
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.seen.update(name for name in self._names if name in os.environ)
            self.reads += 1
            self._stop.wait(0.005)

    def __enter__(self) -> _EnvironWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def fake_sts() -> Iterator[FakeVertex]:
    with FakeVertex() as fake:
        yield fake


def _executable_credential(machine: Machine, fake: FakeVertex) -> tuple[Path, Path]:
    env_dump = machine.root / "executable.env"
    command = machine.write(
        machine.root / "bin" / "get-oidc-token",
        _EXECUTABLE.format(env_dump=env_dump, variable=SUBJECT_VARIABLE),
    )
    command.chmod(0o755)
    credential = machine.write(
        machine.root / "wif.json",
        {
            "type": "external_account",
            # No projects/NUMBER in the audience: with one, google-auth's loader asks Cloud
            # Resource Manager for the project over its own `requests` transport, which would
            # leave loopback.
            "audience": "//iam.googleapis.com/locations/global/workloadIdentityPools/ci/"
            "providers/runner",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "token_url": fake.token_url,
            "credential_source": {"executable": {"command": str(command)}},
        },
    )
    return credential, env_dump


def test_executables_allowed_in_a_settings_file_run_with_the_effective_environment(
    machine: Machine,
    fake_sts: FakeVertex,
    off_google_cloud: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client honours GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES from a settings file's env
    block (it is in the client's process environment); google-auth reads it, and builds the
    command's environment, from os.environ. Here both come from the set-up under diagnosis,
    and os.environ, read meanwhile from another thread, never changes."""
    monkeypatch.delenv(known.GCP_ALLOW_EXECUTABLES, raising=False)
    monkeypatch.delenv(SUBJECT_VARIABLE, raising=False)
    monkeypatch.setenv(OWN_ONLY, "ccdoctor's own")
    subject = "oidc-subject-from-the-settings-file"
    fake_sts.add_subject_token(subject, "principal://ci/runner")
    credential, env_dump = _executable_credential(machine, fake_sts)
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": PROJECT,
            "CLOUD_ML_REGION": "us-east5",
            "GOOGLE_APPLICATION_CREDENTIALS": str(credential),
        }
    )
    machine.user_settings({"env": {known.GCP_ALLOW_EXECUTABLES: "1", SUBJECT_VARIABLE: subject}})
    before = dict(os.environ)

    with _EnvironWatcher((known.GCP_ALLOW_EXECUTABLES, SUBJECT_VARIABLE)) as watcher:
        result = verdict(machine, "credentials.gcp")["credentials.gcp"]

    assert result.status is Status.PASS, result.message
    assert "Google minted a token" in result.message
    exchange = fake_sts.requests_to("/token")[-1].body
    assert exchange["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert exchange["subject_token"] == subject
    given = dict(line.split("=", 1) for line in env_dump.read_text().splitlines() if "=" in line)
    assert given[SUBJECT_VARIABLE] == subject
    assert given[known.GCP_ALLOW_EXECUTABLES] == "1"
    assert OWN_ONLY not in given
    assert watcher.reads > 10 and not watcher.seen
    assert dict(os.environ) == before


def test_executables_allowed_only_in_ccdoctors_own_environment_are_refused(
    machine: Machine, fake_sts: FakeVertex, off_google_cloud: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reverse: the switch in the shell that runs ccdoctor but not in the set-up (a
    settings file that sets it to 0 wins in the client) is not the client's switch."""
    monkeypatch.setenv(known.GCP_ALLOW_EXECUTABLES, "1")
    credential, env_dump = _executable_credential(machine, fake_sts)
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": PROJECT,
            "CLOUD_ML_REGION": "us-east5",
            "GOOGLE_APPLICATION_CREDENTIALS": str(credential),
        }
    )
    machine.user_settings({"env": {known.GCP_ALLOW_EXECUTABLES: "0"}})

    result = verdict(machine, "credentials.gcp")["credentials.gcp"]

    assert result.status is Status.FAIL
    assert known.GCP_ALLOW_EXECUTABLES in result.message
    assert not env_dump.exists()
    assert not fake_sts.requests_to("/token")


# --- azure-identity ------------------------------------------------------------------------------


@pytest.fixture
def azure_machine(
    machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Machine, FakeFoundry]]:
    """Foundry through Azure's credential chain: no key, not an Azure VM, no Azure tool on PATH."""
    pytest.importorskip("azure.identity", reason="the [azure] extra is not installed")
    dmi = tmp_path / "dmi"
    dmi.mkdir()
    monkeypatch.setattr(cloud_host, "DMI_DIRECTORY", dmi)
    for name in [n for n in os.environ if n.startswith(("AZURE_", "IDENTITY_", "MSI_"))]:
        monkeypatch.delenv(name)
    (tmp_path / "bin").mkdir()
    with FakeFoundry() as resource:
        machine.claude_version = "2.1.332"
        machine.env.update(
            {
                "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin",
                "CLAUDE_CODE_USE_FOUNDRY": "1",
                foundry.BASE_URL_VARIABLE: resource.url,
            }
        )
        yield machine, resource


def test_a_managed_identity_configured_in_a_settings_file_is_the_one_asked(
    azure_machine: tuple[Machine, FakeFoundry],
) -> None:
    """AZURE_POD_IDENTITY_AUTHORITY_HOST and AZURE_CLIENT_ID only in a settings file's env
    block: the chain asks that metadata service, for that user-assigned identity, and the
    token it gives is what the resource gets."""
    machine, resource = azure_machine
    with FakeImds() as imds:
        machine.user_settings(
            {
                "env": {
                    foundry.IMDS_HOST_VARIABLE: imds.url,
                    "AZURE_CLIENT_ID": "client-id-from-the-settings-file",
                }
            }
        )
        before = dict(os.environ)
        results = verdict(machine, "credentials.foundry", "models.foundry")
        queries = imds.token_queries()

    result = results["credentials.foundry"]
    assert result.status is Status.PASS, result.message
    assert "was minted" in result.message
    # ccdoctor's own probe (whether the service answers), then azure-identity's token request.
    assert any(q.get("client_id") == "client-id-from-the-settings-file" for q in queries)
    assert {r.header("authorization") for r in resource.messages()} == {f"Bearer {DEFAULT_TOKEN}"}
    assert dict(os.environ) == before


def test_no_credential_reaches_a_metadata_service_the_set_up_does_not_name(
    azure_machine: tuple[Machine, FakeFoundry], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A metadata service named only in ccdoctor's own environment is not the client's; with no
    managed identity in the set-up, ManagedIdentityCredential is left out and nothing asks it.
    The chain's other source here (an `az` that is not logged in) decides."""
    machine, _ = azure_machine
    az = machine.write(
        Path(machine.env["PATH"].split(":")[0]) / "az",
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
    )
    az.chmod(0o755)
    with FakeImds() as imds:
        monkeypatch.setenv(foundry.IMDS_HOST_VARIABLE, imds.url)
        monkeypatch.setenv("AZURE_CLIENT_ID", "ccdoctor's own")
        results = verdict(machine, "credentials.foundry")
        asked = imds.requests

    result = results["credentials.foundry"]
    assert result.status is Status.FAIL, result.message
    assert "az login" in result.message
    assert asked == []
