"""Fixtures that start the real network peers in tests/peers on 127.0.0.1.

Cheap peers (FakeAnthropic, listeners) are per test. Costly ones are per session: LiteLLM (~5 s
of a core to start), proxy.py, the TLS lab's CA. Session peers are shared, so tests must not
depend on state another test left: the `litellm` fixture resets the upstream before each test,
and proxy assertions read the access log from a `log_mark()` taken by the test itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest_bedrock import *  # noqa: F403 (the live Bedrock fixtures)
from tests.integration.conftest_vertex import *  # noqa: F403 (the live Vertex fixtures)
from tests.peers.blackhole import SilentListener, closed_port
from tests.peers.fake_anthropic import FakeAnthropic
from tests.peers.forward_proxy import ForwardProxy
from tests.peers.litellm_proxy import (
    UPSTREAM_BEHAVIOUR,
    LiteLLMProxy,
    missing_reason,
    running_litellm,
)
from tests.peers.required import peer_missing
from tests.peers.tls_servers import TLSLab

PROXY_CREDENTIALS = ("corp-user", "corp-proxy-pass-1234")
REQUIRE_LITELLM = "CCDOCTOR_REQUIRE_LITELLM"
"""Set to 1 (CI does) to make a missing LiteLLM venv fail the tests instead of skipping them."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "litellm: needs the real LiteLLM proxy (venv made by tests/peers/install_litellm.sh)",
    )


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture(scope="session")
def litellm_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteLLMProxy]:
    if reason := missing_reason():
        peer_missing(reason, REQUIRE_LITELLM)
    with (
        FakeAnthropic(UPSTREAM_BEHAVIOUR) as upstream,
        running_litellm(tmp_path_factory.mktemp("litellm"), upstream) as proxy,
    ):
        yield proxy


@pytest.fixture
def litellm(litellm_session: LiteLLMProxy) -> LiteLLMProxy:
    """The session's LiteLLM, its upstream reset to accept LiteLLM's key and nothing recorded."""
    litellm_session.upstream.reset()
    return litellm_session


@pytest.fixture(scope="session")
def tls_lab(tmp_path_factory: pytest.TempPathFactory) -> TLSLab:
    return TLSLab(tmp_path_factory.mktemp("tls-lab"))


@pytest.fixture(scope="session")
def forward_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForwardProxy]:
    with ForwardProxy(tmp_path_factory.mktemp("proxy")) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def auth_forward_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForwardProxy]:
    """Requires PROXY_CREDENTIALS (basic auth); `url_with_credentials` carries them."""
    with ForwardProxy(tmp_path_factory.mktemp("auth-proxy"), PROXY_CREDENTIALS) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def tls_forward_proxy(
    tmp_path_factory: pytest.TempPathFactory, tls_lab: TLSLab
) -> Iterator[ForwardProxy]:
    """Speaks TLS to its clients (`url` is https://), with a certificate from the lab CA."""
    with ForwardProxy(tmp_path_factory.mktemp("tls-proxy"), tls=tls_lab.server_identity()) as proxy:
        yield proxy


@pytest.fixture
def silent_listener() -> Iterator[SilentListener]:
    with SilentListener() as listener:
        yield listener


@pytest.fixture
def dead_port() -> int:
    """A loopback port nobody listens on."""
    return closed_port()
