"""The Foundry checks' local judgements: which credential the client sends, whether Azure's
credential chain has any source, and which resource / base URL values make the client refuse to
start or ask the wrong path (observed on 2.1.332: tests/facts/foundry.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdoctor.context import RunOptions
from ccdoctor.core.results import Status
from ccdoctor.host import cloud as cloud_host
from ccdoctor.knowledge import foundry
from ccdoctor.providers.foundry import credentials as foundry_credentials
from ccdoctor.providers.foundry import live
from tests.machine import Machine

OFFLINE = RunOptions(timeout=2.0, deadline=10.0, offline=True)
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def on_foundry(machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    """Foundry on a machine that is not an Azure VM and has no Azure tool on PATH."""
    dmi = tmp_path / "dmi"
    dmi.mkdir()
    monkeypatch.setattr(cloud_host, "DMI_DIRECTORY", dmi)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    machine.env["PATH"] = str(empty_bin)
    machine.env["CLAUDE_CODE_USE_FOUNDRY"] = "1"
    machine.env[foundry.RESOURCE_VARIABLE] = "my-resource"
    machine.claude_version = "2.1.332"
    return machine


def credential(machine: Machine) -> foundry_credentials.FoundryCredential:
    return foundry_credentials.foundry_credential(machine.resolve())


def test_the_token_beats_the_key_and_the_key_beats_skip_auth(machine: Machine) -> None:
    machine.env[foundry.SKIP_AUTH_VARIABLE] = "1"
    assert credential(machine).kind is foundry_credentials.Kind.SKIPPED
    machine.env[foundry.API_KEY_VARIABLE] = KEY
    assert credential(machine).headers() == {"x-api-key": KEY}
    machine.env[foundry.AUTH_TOKEN_VARIABLE] = "entra-token"
    assert credential(machine).headers() == {"authorization": "Bearer entra-token"}


def test_no_credential_and_no_chain_source_fails_as_the_client_does(machine: Machine) -> None:
    result = machine.run("credentials.foundry", options=OFFLINE)["credentials.foundry"]
    assert result.status is Status.FAIL
    assert foundry.CHAIN_FAILED in result.message
    assert result.fix is not None
    assert f"export {foundry.API_KEY_VARIABLE}=<key>" in result.fix.commands


def test_an_azure_sign_in_on_path_is_a_source(machine: Machine, tmp_path: Path) -> None:
    az = tmp_path / "bin" / "az"
    az.write_text("#!/bin/sh\nexit 1\n")
    az.chmod(0o755)
    result = machine.run("credentials.foundry", options=OFFLINE)["credentials.foundry"]
    assert result.status is Status.PASS
    assert "`az` sign-in" in result.message


def test_without_azure_identity_the_chain_is_a_warning_with_the_extra(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine.env.update({"AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"})
    monkeypatch.setattr(live, "azure_identity_installed", lambda: False)
    online = RunOptions(timeout=2.0, deadline=10.0)
    result = machine.run("credentials.foundry", options=online)["credentials.foundry"]
    assert result.status is Status.WARN
    assert "azure-identity is not installed" in result.message
    assert result.fix is not None and foundry.AZURE_EXTRA in result.fix.commands


def test_an_azure_vm_counts_as_a_managed_identity(machine: Machine, tmp_path: Path) -> None:
    (tmp_path / "dmi" / "chassis_asset_tag").write_text(foundry.AZURE_VM_ASSET_TAG + "\n")
    result = machine.run("credentials.foundry", options=OFFLINE)["credentials.foundry"]
    assert result.status is Status.PASS
    assert "managed identity" in result.message


def region(machine: Machine) -> tuple[Status, str, tuple[str, ...]]:
    result = machine.run("region.foundry", options=OFFLINE)["region.foundry"]
    return result.status, result.message, result.fix.commands if result.fix else ()


def test_a_resource_name_builds_the_anthropic_path(machine: Machine) -> None:
    status, message, _ = region(machine)
    assert status is Status.PASS
    assert "https://my-resource.services.ai.azure.com/anthropic/v1/messages" in message


@pytest.mark.parametrize("name", ["My-Res", "ab", "a" * 64])
def test_names_the_client_accepts_pass(machine: Machine, name: str) -> None:
    machine.env[foundry.RESOURCE_VARIABLE] = name
    assert region(machine)[0] is Status.PASS


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ("https://my-res.services.ai.azure.com", "my-res"),
        ("my-res.services.ai.azure.com", "my-res"),
        ("-bad", None),
        ("a", None),
        ("a" * 65, None),
        ("my_res", None),
    ],
)
def test_a_url_or_bad_name_in_the_resource_fails_with_the_clients_words(
    machine: Machine, value: str, fixed: str | None
) -> None:
    machine.env[foundry.RESOURCE_VARIABLE] = value
    status, message, commands = region(machine)
    assert status is Status.FAIL
    assert foundry.RESOURCE_REFUSED in message
    if fixed is not None:
        assert f"export {foundry.RESOURCE_VARIABLE}={fixed}" in commands


def test_resource_and_base_url_together_fail(machine: Machine) -> None:
    machine.env[foundry.BASE_URL_VARIABLE] = "https://gw.example.com/foundry"
    status, message, _ = region(machine)
    assert status is Status.FAIL
    assert foundry.BOTH_SET_REFUSED in message


@pytest.mark.parametrize("path", ["", "/", "/v1", "/anthropic/v1"])
def test_azures_host_without_the_anthropic_path_fails_with_the_fixed_url(
    machine: Machine, path: str
) -> None:
    del machine.env[foundry.RESOURCE_VARIABLE]
    machine.env[foundry.BASE_URL_VARIABLE] = f"https://my-res.services.ai.azure.com{path}"
    status, message, commands = region(machine)
    assert status is Status.FAIL
    assert "Resource not found" in message
    assert commands == (
        f"export {foundry.BASE_URL_VARIABLE}=https://my-res.services.ai.azure.com/anthropic",
    )


def test_a_gateway_keeps_its_own_path(machine: Machine) -> None:
    del machine.env[foundry.RESOURCE_VARIABLE]
    machine.env[foundry.BASE_URL_VARIABLE] = "https://llm-gateway.example.com/foundry"
    status, message, _ = region(machine)
    assert status is Status.PASS
    assert "gateway in front of Foundry" in message


def test_foundry_checks_stand_aside_on_other_routes(machine: Machine) -> None:
    del machine.env["CLAUDE_CODE_USE_FOUNDRY"]
    machine.env["ANTHROPIC_API_KEY"] = "sk-ant-api03-" + "x" * 40
    results = machine.run("credentials.foundry", "region.foundry", options=OFFLINE)
    assert {r.status for r in results.values()} == {Status.SKIP}
