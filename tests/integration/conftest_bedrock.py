"""Fixtures for the live Bedrock tests: the fake Bedrock (per test), moto's STS (per session) and
a machine configured for Bedrock against them.

Nothing leaves 127.0.0.1: the machine's environment is built from scratch (no developer AWS_*
variables, no proxy), the instance metadata service is disabled, the AWS config and credentials
files are the machine's own, and ANTHROPIC_BEDROCK_BASE_URL / AWS_ENDPOINT_URL_STS point at the
peers. Imported by tests/integration/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.machine import Machine
from tests.peers.fake_bedrock import FakeBedrock
from tests.peers.moto_sts import MotoServer, missing_reason, running_moto
from tests.peers.required import peer_missing

REQUIRE_MOTO = "CCDOCTOR_REQUIRE_MOTO"
"""Set to 1 (CI does) to make a missing moto fail the tests instead of skipping them."""
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def fake_bedrock() -> Iterator[FakeBedrock]:
    with FakeBedrock() as fake:
        yield fake


@pytest.fixture(scope="session")
def moto_sts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    if reason := missing_reason():
        peer_missing(reason, REQUIRE_MOTO)
    with running_moto(tmp_path_factory.mktemp("moto")) as server:
        yield server


@dataclass
class BedrockSetUp:
    machine: Machine
    fake: FakeBedrock
    sts: MotoServer

    def keys(self, key_id: str = ACCESS_KEY_ID, secret: str = SECRET_ACCESS_KEY) -> None:
        self.machine.env["AWS_ACCESS_KEY_ID"] = key_id
        self.machine.env["AWS_SECRET_ACCESS_KEY"] = secret

    def write_aws(self, name: str, text: str) -> None:
        self.machine.write(self.machine.home / ".aws" / name, text)


@pytest.fixture
def bedrock(
    machine: Machine, fake_bedrock: FakeBedrock, moto_sts: MotoServer
) -> Iterator[BedrockSetUp]:
    """Bedrock in us-east-1 through the fake, STS at moto, and no credentials yet."""
    machine.env.update(
        CLAUDE_CODE_USE_BEDROCK="1",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(machine.home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(machine.home / ".aws" / "credentials"),
        ANTHROPIC_BEDROCK_BASE_URL=fake_bedrock.url,
        AWS_ENDPOINT_URL_STS=moto_sts.url,
    )
    yield BedrockSetUp(machine, fake_bedrock, moto_sts)
    moto_sts.enforce_iam(False)
