"""Fixtures for the live Vertex tests (imported by conftest.py): the fake Google, a
service-account key made in the test, and a machine that uses Vertex through the fake the only
ways the client allows — the key file's token_uri and ANTHROPIC_VERTEX_BASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ccdoctor.host import cloud as cloud_host
from tests.machine import Machine
from tests.peers.fake_vertex import PROJECT, FakeVertex, ServiceAccountKey, VertexBehaviour

__all__ = [
    "fake_vertex",
    "off_google_cloud",
    "service_account_key",
    "vertex_gateway",
    "vertex_machine",
]

SERVICE_ACCOUNT = f"claude-code@{PROJECT}.iam.gserviceaccount.com"
GATEWAY_PREFIX = "vertex_ai"


@pytest.fixture
def fake_vertex() -> Iterator[FakeVertex]:
    with FakeVertex() as fake:
        yield fake


@pytest.fixture
def vertex_gateway() -> Iterator[FakeVertex]:
    """A gateway that adds Google credentials itself: it wants none from the client."""
    with FakeVertex(VertexBehaviour(require_auth=False), prefix=GATEWAY_PREFIX) as fake:
        yield fake


@pytest.fixture(scope="session")
def service_account_key() -> ServiceAccountKey:
    return ServiceAccountKey.generate(SERVICE_ACCOUNT)


@pytest.fixture
def off_google_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine is no Google Cloud VM, whatever the test box is."""
    dmi = tmp_path / "no-dmi"
    dmi.mkdir()
    monkeypatch.setattr(cloud_host, "DMI_DIRECTORY", dmi)


@pytest.fixture
def vertex_machine(
    machine: Machine,
    fake_vertex: FakeVertex,
    service_account_key: ServiceAccountKey,
    off_google_cloud: None,
) -> Machine:
    """Vertex with a service-account key Google (the fake) knows, the fake as the endpoint."""
    fake_vertex.add_service_account(service_account_key)
    key_file = machine.write(
        machine.root / "keys" / "sa.json", service_account_key.file_content(fake_vertex.token_url)
    )
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
            "ANTHROPIC_VERTEX_PROJECT_ID": PROJECT,
            "CLOUD_ML_REGION": "us-east5",
            "ANTHROPIC_VERTEX_BASE_URL": fake_vertex.base_url,
        }
    )
    return machine
