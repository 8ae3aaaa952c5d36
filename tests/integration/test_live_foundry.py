"""credentials.foundry and models.foundry against a fake Foundry resource on loopback
(tests/peers/fake_foundry.py): the client's Messages request under /anthropic, Azure's 401 and
DeploymentNotFound answers, a base URL without /anthropic. Each failure is set up for real,
yields exactly one failing check naming its cause, and its fix, applied, turns the run green."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ccdoctor.core.results import Status
from ccdoctor.host import cloud as cloud_host
from ccdoctor.knowledge import foundry
from ccdoctor.providers.foundry import live
from tests.integration.verdicts import (
    apply_exports,
    failing,
    run_everything,
)
from tests.machine import Machine
from tests.peers.blackhole import closed_port
from tests.peers.fake_foundry import DEFAULT_KEY, DEFAULT_TOKEN, FakeFoundry

MAIN = "claude-sonnet-5-5"
"""The default Foundry model of 2.1.332, main and small/fast alike."""


@pytest.fixture
def resource() -> Iterator[FakeFoundry]:
    with FakeFoundry() as fake:
        yield fake


@pytest.fixture(autouse=True)
def on_foundry(
    machine: Machine, resource: FakeFoundry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Machine:
    """A machine on the Foundry route, not an Azure VM, with no Azure tool on PATH."""
    dmi = tmp_path / "dmi"
    dmi.mkdir()
    monkeypatch.setattr(cloud_host, "DMI_DIRECTORY", dmi)
    (tmp_path / "bin").mkdir()
    machine.claude_version = "2.1.332"
    machine.env.update(
        {
            "PATH": str(tmp_path / "bin"),
            "CLAUDE_CODE_USE_FOUNDRY": "1",
            foundry.BASE_URL_VARIABLE: resource.url,
            foundry.API_KEY_VARIABLE: DEFAULT_KEY,
        }
    )
    return machine


def sent_models(resource: FakeFoundry) -> list[Any]:
    return [r.body.get("model") for r in resource.messages() if isinstance(r.body, dict)]


def test_healthy_key_is_proven_free_then_the_model_answers_the_clients_request(
    machine: Machine, resource: FakeFoundry
) -> None:
    result = run_everything(machine)
    result.assert_green()
    assert result["credentials.foundry"].status is Status.PASS
    assert "accepted" in result["credentials.foundry"].message
    assert result["models.foundry"].message.endswith(f"serves {MAIN}")
    requests = resource.messages()
    assert all(r.route == "/anthropic/v1/messages" for r in requests)
    assert all(r.header("x-api-key") == DEFAULT_KEY for r in requests)
    assert all(r.header("anthropic-version") == "2023-06-01" for r in requests)
    streamed = [r for r in requests if r.body.get("stream") is True]
    assert len(streamed) == 1 and streamed[0].body["max_tokens"] == 1


def test_no_invoke_generates_no_token(machine: Machine, resource: FakeFoundry) -> None:
    result = run_everything(machine, no_invoke=True)
    result.assert_green()
    assert "unproven with --no-invoke" in result["models.foundry"].message
    assert all(r.body["messages"] == [] for r in resource.messages())


def test_an_entra_token_is_sent_as_bearer_and_beats_the_key(
    machine: Machine, resource: FakeFoundry
) -> None:
    machine.env[foundry.AUTH_TOKEN_VARIABLE] = DEFAULT_TOKEN
    machine.env[foundry.API_KEY_VARIABLE] = "ffffffffffffffffffffffffffffffff"
    run_everything(machine).assert_green()
    assert {r.header("authorization") for r in resource.messages()} == {f"Bearer {DEFAULT_TOKEN}"}
    assert all(r.header("x-api-key") is None for r in resource.messages())


def test_a_key_of_another_resource_fails_credentials_and_never_shows(
    machine: Machine, resource: FakeFoundry
) -> None:
    wrong = "ffffffffffffffffffffffffffffffff"
    machine.env[foundry.API_KEY_VARIABLE] = wrong
    result = failing(machine, "credentials.foundry")
    failure = result["credentials.foundry"]
    assert "HTTP 401 Access denied due to invalid subscription key" in failure.message
    assert result["models.foundry"].status is Status.SKIP
    everything = json.dumps(
        [[r.message, r.details, r.fix and vars(r.fix)] for r in result.results.values()],
        default=str,
    )
    assert wrong not in everything
    machine.env[foundry.API_KEY_VARIABLE] = DEFAULT_KEY
    run_everything(machine).assert_green()


def test_a_base_url_without_anthropic_is_found_and_fixed(
    machine: Machine, resource: FakeFoundry
) -> None:
    machine.env[foundry.BASE_URL_VARIABLE] = resource.root_url
    result = failing(machine, "models.foundry")
    assert "lacks /anthropic" in result["models.foundry"].message
    assert apply_exports(machine, result["models.foundry"].fix) == {
        foundry.BASE_URL_VARIABLE: resource.url
    }
    run_everything(machine).assert_green()


def test_a_model_not_deployed_fails_after_the_fallback_chain(
    machine: Machine, resource: FakeFoundry
) -> None:
    resource.configure(deployments={"claude-opus-5-5"})
    result = failing(machine, "models.foundry")
    message = result["models.foundry"].message
    assert f"has no deployment named {MAIN}" in message
    assert "claude-sonnet-5, claude-sonnet-4-6, and none of them answers" in message
    machine.env["ANTHROPIC_MODEL"] = "claude-opus-5-5"
    run_everything(machine).assert_green()
    assert sent_models(resource)[-1] == "claude-opus-5-5"


def test_the_fallback_landing_is_a_warning_naming_the_model(
    machine: Machine, resource: FakeFoundry
) -> None:
    resource.configure(deployments={"claude-sonnet-5"})
    result = run_everything(machine)
    result.assert_green()
    models = result["models.foundry"]
    assert models.status is Status.WARN
    assert "falls back to claude-sonnet-5" in models.message
    assert (
        models.fix is not None and "export ANTHROPIC_MODEL=claude-sonnet-5" in models.fix.commands
    )


def test_a_pinned_model_is_asked_alone(machine: Machine, resource: FakeFoundry) -> None:
    resource.configure(deployments={"claude-sonnet-5"})
    machine.env["ANTHROPIC_MODEL"] = "my-claude"
    failing(machine, "models.foundry")
    assert set(sent_models(resource)) == {"my-claude"}


def _stub_azure_identity(monkeypatch: pytest.MonkeyPatch, token: str | None) -> list[str]:
    """azure.identity as far as the check uses it: DefaultAzureCredential().get_token(scope)."""
    scopes: list[str] = []

    class DefaultAzureCredential:
        def __init__(self, **_: Any) -> None:
            pass

        def get_token(self, scope: str) -> Any:
            scopes.append(scope)
            if token is None:
                raise RuntimeError(
                    "DefaultAzureCredential failed to retrieve a token from the included "
                    "credentials.\nAttempted credentials:\n\tEnvironmentCredential: unavailable"
                )
            return types.SimpleNamespace(token=token, expires_on=2_000_000_000)

    module = types.ModuleType("azure.identity")
    module.DefaultAzureCredential = DefaultAzureCredential  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "azure.identity", module)
    monkeypatch.setattr(live, "azure_identity_installed", lambda: True)
    return scopes


def test_the_chain_token_is_minted_for_cognitive_services_and_sent(
    machine: Machine, resource: FakeFoundry, monkeypatch: pytest.MonkeyPatch
) -> None:
    del machine.env[foundry.API_KEY_VARIABLE]
    machine.env.update({"AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"})
    scopes = _stub_azure_identity(monkeypatch, DEFAULT_TOKEN)
    result = run_everything(machine)
    result.assert_green()
    assert scopes == [foundry.TOKEN_SCOPE]
    assert "minted" in result["credentials.foundry"].message
    assert {r.header("authorization") for r in resource.messages()} == {f"Bearer {DEFAULT_TOKEN}"}


def test_a_chain_that_gives_no_token_fails_credentials(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    del machine.env[foundry.API_KEY_VARIABLE]
    machine.env.update({"AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"})
    _stub_azure_identity(monkeypatch, None)
    result = failing(machine, "credentials.foundry")
    assert "gives no token" in result["credentials.foundry"].message


def test_a_dead_metadata_service_is_no_managed_identity(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    del machine.env[foundry.API_KEY_VARIABLE]
    machine.env[foundry.IMDS_HOST_VARIABLE] = f"http://127.0.0.1:{closed_port()}"
    result = failing(machine, "credentials.foundry")
    assert foundry.CHAIN_FAILED in result["credentials.foundry"].message


def test_a_subagent_model_without_a_deployment_warns_from_the_free_call_only(
    machine: Machine, resource: FakeFoundry
) -> None:
    resource.configure(deployments=frozenset({MAIN}))
    machine.env["CLAUDE_CODE_SUBAGENT_MODEL"] = "claude-opus-5-5"

    result = run_everything(machine)

    result.assert_green()
    (warning,) = result.warnings
    assert warning.id == "models.foundry"
    assert warning.message.startswith(
        "subagent model (CLAUDE_CODE_SUBAGENT_MODEL): "
        f"{resource.url.split('://')[1].split('/')[0]} has no deployment named claude-opus-5-5"
    )
    assert warning.message.endswith("will fail mid-session")
    assert warning.fix is not None and warning.fix.commands == ("unset CLAUDE_CODE_SUBAGENT_MODEL",)
    # Only the free call (no messages) went out for the subagent model.
    asked = [r.body for r in resource.messages() if r.body.get("model") == "claude-opus-5-5"]
    assert asked and all(body["messages"] == [] for body in asked)
    del machine.env["CLAUDE_CODE_SUBAGENT_MODEL"]
    assert not run_everything(machine).warnings
