"""TLS and corporate proxies as the client (a Node program) meets them: the lab's certificates
(trustme), a real forward proxy (proxy.py) with and without basic auth, NO_PROXY. Each broken set-up
is one failing check naming the cause; the fix it gives turns the run green."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from ccdoctor.config.network import network_settings
from ccdoctor.core.results import Status
from ccdoctor.net.client import Network
from tests.integration.conftest import PROXY_CREDENTIALS
from tests.integration.verdicts import apply_exports, verdict
from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.peers.forward_proxy import ForwardProxy
from tests.peers.tls_servers import WRONG_NAME, TLSLab

LAB_ISSUER = "O=ccdoctor test lab"
APPLIANCE_ISSUER = "O=Intercepting appliance"
_AUTHORITY_FIELDS = ("organizationName", "commonName")


@pytest.fixture
def valid(tls_lab: TLSLab) -> Iterator[FakeAnthropic]:
    with tls_lab.serve("valid") as server:
        yield server


def gateway(machine: Machine, url: str, ca: object = None) -> Machine:
    machine.env["ANTHROPIC_BASE_URL"] = url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    if ca is not None:
        machine.env["NODE_EXTRA_CA_CERTS"] = str(ca)
    return machine


def test_untrusted_issuer_is_named_and_node_extra_ca_certs_fixes_it(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic
) -> None:
    failure = verdict(gateway(machine, valid.url)).only_failure()

    assert failure.id == "proxy.reachable"
    assert failure.message.startswith("tls stage: the certificate of 127.0.0.1 was issued by ")
    assert LAB_ISSUER in failure.message
    assert failure.fix is not None
    assert "NODE_EXTRA_CA_CERTS" in failure.fix.text
    assert failure.details["certificate"]["issuer"].endswith(LAB_ISSUER)
    machine.env["NODE_EXTRA_CA_CERTS"] = str(tls_lab.ca_pem)
    verdict(machine).assert_green()


def test_ssl_cert_file_is_trusted_as_the_client_trusts_it(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic
) -> None:
    # Claude Code 2.1.197 is a Bun binary, which honours SSL_CERT_FILE (seen in the
    # conformance tier), unlike Node; REQUESTS_CA_BUNDLE stays ignored.
    gateway(machine, valid.url).env["REQUESTS_CA_BUNDLE"] = str(tls_lab.ca_bundle)
    failure = verdict(machine).only_failure()
    assert failure.id == "proxy.reachable"
    assert LAB_ISSUER in failure.message

    machine.env["SSL_CERT_FILE"] = str(tls_lab.ca_bundle)
    verdict(machine).assert_green()


def test_node_extra_ca_certs_adds_to_the_default_roots(machine: Machine, tls_lab: TLSLab) -> None:
    def authorities(env: dict[str, str]) -> set[str]:
        machine.env = {k: v for k, v in machine.env.items() if k in ("HOME", "PATH")} | env
        context = Network(network_settings(machine.resolve())).context
        names: set[str] = set()
        for cert in context.get_ca_certs():
            subject: Any = cert["subject"]  # ((("organizationName", "…"),), …)
            for entry in subject:
                names |= {value for key, value in entry if key in _AUTHORITY_FIELDS}
        return names

    default = authorities({})
    extra = authorities({"NODE_EXTRA_CA_CERTS": str(tls_lab.ca_pem)})
    from_ssl_cert_file = authorities({"SSL_CERT_FILE": str(tls_lab.ca_pem)})

    assert "ISRG Root X1" in default  # a public root, from the bundled store
    assert "ccdoctor test lab" not in default
    assert extra == default | {"ccdoctor test lab"}
    assert from_ssl_cert_file == default | {"ccdoctor test lab"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("expired", "tls stage: the certificate of 127.0.0.1 expired on "),
        ("not_yet_valid", "tls stage: the certificate of 127.0.0.1 is not valid before "),
        ("wrong_host", f"tls stage: the certificate is for {WRONG_NAME}, not 127.0.0.1"),
    ],
)
def test_a_broken_server_certificate_is_named_and_a_good_one_is_green(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, case: str, expected: str
) -> None:
    with tls_lab.serve(case) as broken:
        failure = verdict(gateway(machine, broken.url, tls_lab.ca_pem)).only_failure()

    assert failure.id == "proxy.reachable"
    assert failure.message.startswith(expected)
    # Nothing on this machine fixes these: the server gets a valid certificate.
    machine.env["ANTHROPIC_BASE_URL"] = valid.url
    verdict(machine).assert_green()


def test_self_signed_certificate_is_green_once_trusted(machine: Machine, tls_lab: TLSLab) -> None:
    with tls_lab.serve("self_signed") as server:
        failure = verdict(gateway(machine, server.url, tls_lab.ca_pem)).only_failure()
        assert failure.message == (
            "tls stage: 127.0.0.1 presents a self-signed certificate (CN=localhost)"
        )
        assert failure.fix is not None
        assert any(
            c.startswith("openssl s_client -connect 127.0.0.1:") for c in failure.fix.commands
        )
        machine.env["NODE_EXTRA_CA_CERTS"] = str(tls_lab.self_signed_pem)
        verdict(machine).assert_green()


def test_intercepting_appliance_chain_names_its_root(machine: Machine, tls_lab: TLSLab) -> None:
    with tls_lab.serve("mitm_chain") as server:
        failure = verdict(gateway(machine, server.url)).only_failure()
        assert failure.message.startswith("tls stage: a self-signed root (")
        assert APPLIANCE_ISSUER in failure.message
        assert "TLS-inspecting appliance" in failure.message
        machine.env["NODE_EXTRA_CA_CERTS"] = str(tls_lab.rogue_ca_pem)
        verdict(machine).assert_green()


def test_plain_http_to_a_tls_port_is_named_and_fixed_by_its_command(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic
) -> None:
    plain = valid.url.replace("https://", "http://")

    failure = verdict(gateway(machine, plain, tls_lab.ca_pem)).only_failure()

    assert failure.message == (
        f"http stage: 127.0.0.1:{valid.port} speaks TLS, but ANTHROPIC_BASE_URL says http://"
    )
    assert apply_exports(machine, failure.fix) == {"ANTHROPIC_BASE_URL": valid.url}
    verdict(machine).assert_green()


@pytest.mark.parametrize("case", ["mtls", "mtls_tls12"])
def test_mtls_without_a_client_certificate_is_named_and_fixed(
    machine: Machine, tls_lab: TLSLab, case: str
) -> None:
    with tls_lab.serve(case) as server:
        gateway(machine, server.url, tls_lab.ca_pem)
        for _ in range(3):  # the server's hang-up races the request: it must not matter
            failure = verdict(machine).only_failure()
            assert failure.message == (
                "tls stage: 127.0.0.1 requires a client certificate (mTLS): none is configured "
                "(CLAUDE_CODE_CLIENT_CERT is not set)"
            )
        assert failure.fix is not None
        assert "CLAUDE_CODE_CLIENT_CERT" in failure.fix.text
        machine.env["CLAUDE_CODE_CLIENT_CERT"] = str(tls_lab.client_cert_pem)
        machine.env["CLAUDE_CODE_CLIENT_KEY"] = str(tls_lab.client_key_pem)
        verdict(machine).assert_green()


def test_https_goes_through_the_proxy_with_connect(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, forward_proxy: ForwardProxy
) -> None:
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = forward_proxy.url
    mark = forward_proxy.log_mark()

    result = verdict(machine)

    result.assert_green()
    assert "through the proxy http://127.0.0.1:" in result["proxy.reachable"].message
    assert forward_proxy.wait_for_tunnel(f"127.0.0.1:{valid.port}", since=mark)


def test_proxy_wanting_credentials_is_named_and_credentials_fix_it(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, auth_forward_proxy: ForwardProxy
) -> None:
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = auth_forward_proxy.url

    failure = verdict(machine).only_failure()

    assert failure.message == (
        f"proxy stage: the proxy {auth_forward_proxy.url} wants credentials "
        "(407 Proxy Authentication Required)"
    )
    assert failure.fix is not None
    assert any("$PROXY_USERINFO@127.0.0.1:" in c for c in failure.fix.commands)
    machine.env["HTTPS_PROXY"] = auth_forward_proxy.url_with_credentials
    result = verdict(machine)
    result.assert_green()
    password = PROXY_CREDENTIALS[1]
    assert password not in result["proxy.reachable"].message


def test_plain_http_through_a_proxy_wanting_credentials_is_the_same_finding(
    machine: Machine, fake_anthropic: FakeAnthropic, auth_forward_proxy: ForwardProxy
) -> None:
    gateway(machine, fake_anthropic.url).env["HTTP_PROXY"] = auth_forward_proxy.url

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.reachable"
    assert "wants credentials (407 Proxy Authentication Required)" in failure.message
    machine.env["HTTP_PROXY"] = auth_forward_proxy.url_with_credentials
    verdict(machine).assert_green()


def test_proxy_that_cannot_reach_the_target_says_so(
    machine: Machine, tls_lab: TLSLab, forward_proxy: ForwardProxy, dead_port: int
) -> None:
    gateway(machine, f"https://127.0.0.1:{dead_port}", tls_lab.ca_pem)
    machine.env["HTTPS_PROXY"] = forward_proxy.url

    failure = verdict(machine).only_failure()

    assert failure.message.startswith(
        f"proxy stage: the proxy {forward_proxy.url} cannot reach 127.0.0.1:{dead_port}"
    )
    assert "502" in failure.message
    # Once the target is up behind the proxy, the same path is green.
    with tls_lab.serve("valid") as target:
        machine.env["ANTHROPIC_BASE_URL"] = target.url
        verdict(machine).assert_green()


def test_plain_http_proxy_that_cannot_reach_the_target_says_so(
    machine: Machine, forward_proxy: ForwardProxy, dead_port: int
) -> None:
    gateway(machine, f"http://127.0.0.1:{dead_port}").env["HTTP_PROXY"] = forward_proxy.url

    failure = verdict(machine).only_failure()

    assert failure.message.startswith(
        f"proxy stage: the proxy {forward_proxy.url} cannot reach 127.0.0.1:{dead_port}"
    )


def test_dead_proxy_is_named_and_no_proxy_bypasses_it(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, dead_port: int
) -> None:
    dead_proxy = f"http://127.0.0.1:{dead_port}"
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = dead_proxy

    failure = verdict(machine).only_failure()

    assert failure.message == (
        f"connect stage: the proxy {dead_proxy} (HTTPS_PROXY) refuses connections"
    )
    machine.env["NO_PROXY"] = "localhost,127.0.0.1"
    result = verdict(machine)
    result.assert_green()
    assert "answers directly" in result["proxy.reachable"].message


def test_a_plain_proxy_written_https_is_named_at_once_and_http_fixes_it(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, forward_proxy: ForwardProxy
) -> None:
    hostport = forward_proxy.url.removeprefix("http://")
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = f"https://{hostport}"

    result = verdict(machine)
    failure = result.only_failure()

    assert failure.id == "proxy.reachable"
    assert failure.message == (
        f"proxy stage: the proxy https://{hostport} (HTTPS_PROXY) does not speak TLS, but "
        "HTTPS_PROXY says https://"
    )
    # The handshake is given up after a short wait, not the whole timeout.
    assert result.seconds < 1.9
    assert apply_exports(machine, failure.fix) == {"HTTPS_PROXY": f"http://{hostport}"}
    verdict(machine).assert_green()


def test_a_tls_proxy_trusted_like_the_endpoint_is_walked_and_the_tunnel_used(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, tls_forward_proxy: ForwardProxy
) -> None:
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = tls_forward_proxy.url
    mark = tls_forward_proxy.log_mark()

    result = verdict(machine)

    result.assert_green()
    assert f"through the proxy {tls_forward_proxy.url}" in result["proxy.reachable"].message
    assert tls_forward_proxy.wait_for_tunnel(f"127.0.0.1:{valid.port}", since=mark)


def test_a_tls_proxy_with_an_untrusted_certificate_is_a_proxy_failure(
    machine: Machine, fake_anthropic: FakeAnthropic, tls_forward_proxy: ForwardProxy
) -> None:
    # A plain-http gateway: the proxy's certificate is the only one in play.
    gateway(machine, fake_anthropic.url).env["HTTP_PROXY"] = tls_forward_proxy.url

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.reachable"
    assert failure.message.startswith(
        f"proxy stage: the TLS handshake with the proxy {tls_forward_proxy.url} (HTTP_PROXY) "
        "failed ([SSL: CERTIFICATE_VERIFY_FAILED]"
    )
    assert failure.fix is not None and "NODE_EXTRA_CA_CERTS" in failure.fix.text


@pytest.mark.parametrize(
    ("version", "read"), [("2.1.257", False), ("2.1.280", True), ("2.1.332", True)]
)
def test_all_proxy_is_the_proxy_from_2_1_280_on(
    machine: Machine, fake_anthropic: FakeAnthropic, dead_port: int, version: str, read: bool
) -> None:
    machine.claude_version = version
    gateway(machine, fake_anthropic.url).env["ALL_PROXY"] = f"127.0.0.1:{dead_port}"

    result = verdict(machine)

    if not read:
        result.assert_green()
        return
    assert result.only_failure().message == (
        f"connect stage: the proxy http://127.0.0.1:{dead_port} (ALL_PROXY) refuses connections"
    )


def test_a_bundled_only_cert_store_ignores_ssl_cert_file_and_node_extra_ca_certs_fixes_it(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic
) -> None:
    """Watched on 2.1.197 and 2.1.332 (tls_cert_store_* scenarios)."""
    gateway(machine, valid.url).env.update(
        CLAUDE_CODE_CERT_STORE="bundled", SSL_CERT_FILE=str(tls_lab.ca_pem)
    )

    result = verdict(machine, "proxy", "network")

    assert result.only_failure().id == "proxy.reachable"
    assert result["network.env"].message.startswith("SSL_CERT_FILE is ignored")
    apply_exports(machine, result["network.env"].fix)
    verdict(machine, "proxy", "network").assert_green()


def test_a_proxy_auth_helper_is_run_only_when_switched_on_and_its_header_gets_through(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, auth_forward_proxy: ForwardProxy
) -> None:
    """Watched on 2.1.197 and 2.1.332: without CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER the helper
    is ignored and the proxy answers 407; with it, the run goes through."""
    value = "Basic " + base64.b64encode(":".join(PROXY_CREDENTIALS).encode()).decode()
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = auth_forward_proxy.url
    machine.user_settings({"proxyAuthHelper": f"echo '{value}'"})

    before = verdict(machine, "proxy", "network")

    assert before.only_failure().id == "proxy.reachable"
    assert before["network.env"].status is Status.WARN
    assert apply_exports(machine, before["network.env"].fix) == {
        "CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER": "1"
    }
    after = verdict(machine, "proxy", "network")
    after.assert_green()
    assert after["network.env"].status is Status.PASS
    assert value.split()[1] not in repr(after.results)


@pytest.mark.parametrize(
    ("helper", "named"),
    [
        (
            "echo 'no proxy credential' >&2; exit 1",
            "proxyAuthHelper failed: exited 1: no proxy credential",
        ),
        ("true", "proxyAuthHelper failed: did not return a value"),
    ],
)
def test_a_failing_proxy_auth_helper_leaves_the_header_out_and_is_named_beside_the_407(
    machine: Machine,
    tls_lab: TLSLab,
    valid: FakeAnthropic,
    auth_forward_proxy: ForwardProxy,
    helper: str,
    named: str,
) -> None:
    """Watched on 2.1.197 and 2.1.332 (tests/facts/leftovers.md): the client prints the
    helper's failure, goes on without Proxy-Authorization, and the proxy answers 407."""
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = auth_forward_proxy.url
    machine.env["CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER"] = "1"
    machine.user_settings({"proxyAuthHelper": helper})

    failure = verdict(machine, "proxy", "network").only_failure()

    assert failure.id == "proxy.reachable"
    assert "wants credentials (407" in failure.message
    assert f"({named}, so no Proxy-Authorization was sent)" in failure.message


def test_proxy_auth_helper_output_is_the_whole_header_value_and_two_lines_fail(
    machine: Machine, tls_lab: TLSLab, valid: FakeAnthropic, auth_forward_proxy: ForwardProxy
) -> None:
    """Watched on 2.1.197 and 2.1.332: the client adds no scheme (a bare token goes out as
    it is, and the proxy refuses it), and output of two lines stops every request."""
    token = base64.b64encode(":".join(PROXY_CREDENTIALS).encode()).decode()
    gateway(machine, valid.url, tls_lab.ca_pem).env["HTTPS_PROXY"] = auth_forward_proxy.url
    machine.env["CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER"] = "1"

    machine.user_settings({"proxyAuthHelper": f"echo {token}"})
    bare = verdict(machine, "proxy", "network").only_failure()
    assert bare.id == "proxy.reachable" and "wants credentials (407" in bare.message

    machine.user_settings({"proxyAuthHelper": f"printf 'Basic {token}\\nBasic {token}\\n'"})
    two = verdict(machine, "proxy", "network")
    failure = two.only_failure()
    assert failure.id == "proxy.reachable"
    assert failure.message.startswith("proxyAuthHelper prints 2 lines")
    assert token not in repr(two.results)
