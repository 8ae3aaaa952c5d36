"""The peers a run of the matrix shares (LiteLLM, the TLS lab's CA, the corporate proxies) and
the endpoint each scenario gets for itself (a fake Anthropic API, an HTTPS one, a fake Vertex, a
fake Bedrock, a fake Foundry resource, a closed port)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conformance.scenario import Scenario
from tests.peers.blackhole import closed_port
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.peers.fake_bedrock import FakeBedrock
from tests.peers.fake_foundry import DEFAULT_KEY as FOUNDRY_KEY
from tests.peers.fake_foundry import FakeFoundry
from tests.peers.fake_vertex import FakeVertex
from tests.peers.forward_proxy import ForwardProxy
from tests.peers.litellm_proxy import (
    MASTER_KEY,
    UPSTREAM_BEHAVIOUR,
    LiteLLMProxy,
    missing_reason,
    running_litellm,
)
from tests.peers.ports import LOOPBACK
from tests.peers.tls_servers import TLSLab

PROXY_CREDENTIALS = ("corp-user", "corp-proxy-pass-1234")
REQUIRE_LITELLM = "CCDOCTOR_REQUIRE_LITELLM"
"""As in tests/integration: 1 makes a missing LiteLLM venv fail its scenarios, not skip them."""
PASSTHROUGH_PREFIX = "/anthropic"


class PeerMissing(RuntimeError):
    """A scenario needs a peer this machine cannot run (LiteLLM's venv not installed)."""


@dataclass(frozen=True)
class Lab:
    tls: TLSLab
    litellm: LiteLLMProxy | None
    litellm_missing: str | None
    open_proxy: ForwardProxy | None
    auth_proxy: ForwardProxy | None
    tls_proxy: ForwardProxy | None = None
    """A proxy that speaks TLS to its clients (an https:// URL), with a lab certificate."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    hostport: str
    key: str
    aws_endpoint: str | None = None
    """bedrock: the fake's root URL, where it answers STS; None for the other kinds."""


@contextmanager
def running_lab(workdir: Path, scenarios: Iterable[Scenario]) -> Iterator[Lab]:
    """Start the shared peers the given scenarios need, and stop them (by PID) afterwards.

    A missing LiteLLM venv is not an error here: only the scenarios that need it are skipped
    (or failed, under CCDOCTOR_REQUIRE_LITELLM=1), as in tests/integration."""
    selected = list(scenarios)
    proxies = {s.proxy for s in selected}
    with ExitStack() as stack:
        litellm = None
        litellm_missing = None
        if any(s.needs_litellm for s in selected):
            litellm_missing = missing_reason()
            if litellm_missing is None:
                upstream = stack.enter_context(FakeAnthropic(UPSTREAM_BEHAVIOUR))
                litellm = stack.enter_context(running_litellm(workdir / "litellm", upstream))
        open_proxy = (
            stack.enter_context(ForwardProxy(workdir / "proxy")) if "open" in proxies else None
        )
        auth_proxy = (
            stack.enter_context(ForwardProxy(workdir / "auth-proxy", PROXY_CREDENTIALS))
            if "auth" in proxies
            else None
        )
        tls = TLSLab(workdir / "tls")
        tls_proxy = (
            stack.enter_context(ForwardProxy(workdir / "tls-proxy", tls=tls.server_identity()))
            if "tls" in proxies
            else None
        )
        yield Lab(tls, litellm, litellm_missing, open_proxy, auth_proxy, tls_proxy)


@contextmanager
def scenario_endpoint(
    scenario: Scenario, lab: Lab, values: Mapping[str, str]
) -> Iterator[Endpoint]:
    """The provider endpoint for one scenario; a fake of its own, so scenarios run in parallel.
    `values` fills the placeholders its behaviour may use."""
    gateway = scenario.gateway.filled(values)
    if gateway.kind == "litellm":
        if lab.litellm is None:
            raise PeerMissing(lab.litellm_missing or "LiteLLM was not started")
        prefix = PASSTHROUGH_PREFIX if gateway.route == "passthrough" else ""
        yield _endpoint(lab.litellm.url + prefix, MASTER_KEY)
    elif gateway.kind == "dead":
        yield _endpoint(f"http://{LOOPBACK}:{closed_port()}", DEFAULT_API_KEY)
    elif gateway.kind == "vertex":
        with FakeVertex(gateway.make_vertex_behaviour(), prefix=gateway.prefix) as vertex:
            # Without the /v1 the client needs: a scenario spells it, or leaves it out.
            yield _endpoint(vertex.url + vertex.prefix, "")
    elif gateway.kind == "foundry":
        with FakeFoundry(gateway.make_foundry_behaviour()) as resource:
            # The resource's root: a scenario adds the /anthropic path, or leaves it out.
            yield _endpoint(resource.root_url, FOUNDRY_KEY)
    elif gateway.kind == "bedrock":
        with FakeBedrock(gateway.make_bedrock_behaviour(), prefix=gateway.prefix) as bedrock:
            yield _endpoint(bedrock.url, "", aws_endpoint=bedrock.root_url)
    else:
        behaviour = gateway.make_behaviour()
        fake = (
            lab.tls.serve(gateway.tls, behaviour, prefix=gateway.prefix)
            if gateway.kind == "tls"
            else FakeAnthropic(behaviour, prefix=gateway.prefix)
        )
        with fake:
            yield _endpoint(fake.url_at(gateway.host), DEFAULT_API_KEY)


def proxy_urls(scenario: Scenario, lab: Lab) -> dict[str, str]:
    """The {{proxy}} and {{proxy_with_credentials}} values for the scenario's proxy kind, and
    {{dead_proxy}}: a proxy that is not running, beside a live one where the scenario pits the
    two against each other (which of two spellings of a variable wins)."""
    dead = f"http://{LOOPBACK}:{closed_port()}"
    if scenario.proxy == "dead":
        return {"proxy": dead, "proxy_with_credentials": dead, "dead_proxy": dead}
    proxy = {"open": lab.open_proxy, "auth": lab.auth_proxy, "tls": lab.tls_proxy}.get(
        scenario.proxy or ""
    )
    if proxy is None:
        return {}
    return {
        "proxy": proxy.url,
        "proxy_hostport": proxy.url.split("://", 1)[1],
        "proxy_with_credentials": proxy.url_with_credentials,
        "dead_proxy": dead,
    }


def _endpoint(url: str, key: str, aws_endpoint: str | None = None) -> Endpoint:
    hostport = url.split("://", 1)[1].split("/", 1)[0]
    return Endpoint(url, hostport, key, aws_endpoint)
