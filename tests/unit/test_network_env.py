"""network.env: proxy variables, NO_PROXY, CA bundles, mTLS files and TLS switches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ccdoctor.config.network import network_settings
from ccdoctor.core.results import CheckResult, Status
from ccdoctor.net.settings import cert_stores, no_proxy_entries, no_proxy_match
from tests.machine import Machine

NOW = dt.datetime.now(dt.UTC)


def run(machine: Machine, **env: str) -> CheckResult:
    machine.env.update(env)
    return machine.check("network.env")


def certificate(
    name: str,
    *,
    ca: bool,
    valid: tuple[dt.timedelta, dt.timedelta] = (dt.timedelta(days=-1), dt.timedelta(days=365)),
    key: ec.EllipticCurvePrivateKey | None = None,
) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    """A self-signed certificate in PEM and its key."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + valid[0])
        .not_valid_after(NOW + valid[1])
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    cert = builder.sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM), key


def key_pem(key: ec.EllipticCurvePrivateKey, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


@pytest.fixture
def corporate_ca(machine: Machine) -> Path:
    ca = trustme.CA(organization_name="Corp Inspection")
    path = machine.root / "corp-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


# --- proxies ----------------------------------------------------------------------------------


def test_nothing_set_passes(machine: Machine) -> None:
    result = run(machine)
    assert result.status is Status.PASS
    assert result.message == "no proxy"


def test_http_proxy_passes_and_is_named(machine: Machine) -> None:
    result = run(machine, HTTPS_PROXY="http://proxy.corp:3128")
    assert result.status is Status.PASS
    assert result.message == "proxy http://proxy.corp:3128 (HTTPS_PROXY)"


def test_lowercase_https_proxy_wins(machine: Machine) -> None:
    result = run(
        machine,
        https_proxy="http://first.corp:3128",
        HTTPS_PROXY="http://second.corp:3128",
        HTTP_PROXY="http://third.corp:3128",
    )
    assert result.status is Status.PASS
    assert result.details["proxy"]["variable"] == "https_proxy"
    assert result.details["proxy"]["shadowed"] == ["HTTPS_PROXY", "HTTP_PROXY"]
    # Mentioned, not warned about: the client is fine, other tools may read the other one.
    assert "HTTPS_PROXY, HTTP_PROXY set to something else, which Claude Code ignores" in (
        result.message
    )


def test_the_same_proxy_under_both_spellings_is_not_mentioned(machine: Machine) -> None:
    result = run(
        machine, https_proxy="http://proxy.corp:3128", HTTPS_PROXY="http://proxy.corp:3128"
    )
    assert result.status is Status.PASS
    assert result.message == "proxy http://proxy.corp:3128 (https_proxy)"


@pytest.mark.parametrize(
    ("lower", "upper", "winner"),
    [
        ("http://lower.corp:3128", "http://upper.corp:3128", "https_proxy"),
        ("", "http://upper.corp:3128", "HTTPS_PROXY"),
    ],
)
def test_the_check_and_the_transport_use_the_same_proxy_spelling(
    machine: Machine, lower: str, upper: str, winner: str
) -> None:
    """Both spellings set: the client takes https_proxy (the proxy_lowercase_* conformance
    scenarios); an empty one counts as unset. The probes must go where the check says."""
    machine.env.update(https_proxy=lower, HTTPS_PROXY=upper)

    result = machine.check("network.env")
    transport = network_settings(machine.resolve()).proxy

    assert result.details["proxy"]["variable"] == winner
    assert transport is not None
    assert (transport.variable, transport.url) == (winner, machine.env[winner])


@pytest.mark.parametrize(
    ("version", "winner"),
    [("2.1.332", "all_proxy"), ("2.1.280", "all_proxy"), ("2.1.257", None)],
)
def test_all_proxy_comes_after_the_four_others_and_only_from_2_1_280(
    machine: Machine, version: str, winner: str | None
) -> None:
    machine.claude_version = version
    machine.env.update(all_proxy="http://lower.corp:1080", ALL_PROXY="http://upper.corp:1080")

    result = machine.check("network.env")
    transport = network_settings(machine.resolve()).proxy

    assert (transport.variable if transport else None) == winner
    assert result.details.get("proxy", {}).get("variable") == winner
    machine.env["HTTP_PROXY"] = "http://http.corp:3128"
    transport = network_settings(machine.resolve()).proxy
    assert transport is not None and transport.variable == "HTTP_PROXY"


@pytest.mark.parametrize(
    ("lower", "upper", "winner", "entries"),
    [
        ("gateway.corp", "other.corp", "no_proxy", ("gateway.corp",)),
        ("", "gateway.corp", "NO_PROXY", ("gateway.corp",)),
    ],
)
def test_the_check_and_the_transport_use_the_same_no_proxy_spelling(
    machine: Machine, lower: str, upper: str, winner: str, entries: tuple[str, ...]
) -> None:
    """Both spellings set: the client takes no_proxy whole and ignores NO_PROXY (the no_proxy_*
    conformance scenarios), so only the gateway the winner names skips the proxy."""
    machine.env.update(
        HTTPS_PROXY="http://proxy.corp:3128",
        ANTHROPIC_BASE_URL="https://gateway.corp",
        no_proxy=lower,
        NO_PROXY=upper,
    )

    result = machine.check("network.env")
    settings = network_settings(machine.resolve())

    assert result.details["no_proxy"]["variable"] == winner
    assert result.details["no_proxy"]["bypassed"] == {"gateway.corp": "gateway.corp"}
    assert settings.no_proxy == entries
    assert settings.proxy_for("https", "gateway.corp", 443) is None
    assert settings.proxy_for("https", "other.corp", 443) is not None


def test_proxy_without_scheme_fails(machine: Machine) -> None:
    result = run(machine, HTTPS_PROXY="proxy.corp:3128")
    assert result.status is Status.FAIL
    assert "HTTPS_PROXY='proxy.corp:3128' has no scheme" in result.message
    assert "refuses to launch" in result.message
    assert result.fix is not None
    assert "export HTTPS_PROXY='http://proxy.corp:3128'" in result.fix.commands


def test_quoted_proxy_fails(machine: Machine) -> None:
    result = run(machine, HTTP_PROXY="'http://proxy.corp:3128'")
    assert result.status is Status.FAIL
    assert "literal quotes" in result.message


@pytest.mark.parametrize("scheme", ["socks5", "socks5h", "socks4"])
def test_socks_proxy_fails(machine: Machine, scheme: str) -> None:
    result = run(machine, HTTPS_PROXY=f"{scheme}://proxy.corp:1080")
    assert result.status is Status.FAIL
    assert "SOCKS proxy" in result.message
    assert "supports only HTTP(S) proxies" in result.message


def test_other_proxy_scheme_fails(machine: Machine) -> None:
    result = run(machine, HTTPS_PROXY="ftp://proxy.corp:21")
    assert result.status is Status.FAIL
    assert "must be http:// or https://" in result.message


def test_proxy_credentials_are_redacted(machine: Machine) -> None:
    result = run(machine, HTTPS_PROXY="http://alice:Sup3rSecretPw@proxy.corp:3128")
    assert result.status is Status.PASS
    assert "Sup3rSecretPw" not in result.message
    assert "Sup3rSecretPw" not in str(result.details)
    assert "alice:<password: 13 chars>@proxy.corp:3128" in result.message


def test_proxy_credentials_redacted_even_when_unparseable(machine: Machine) -> None:
    result = run(machine, HTTPS_PROXY="alice:Sup3rSecretPw@proxy.corp:3128")
    assert result.status is Status.FAIL
    assert result.fix is not None
    assert "Sup3rSecretPw" not in result.message + " ".join(result.fix.commands)


# --- NO_PROXY ---------------------------------------------------------------------------------


def test_no_proxy_bypassing_the_endpoint_is_reported(machine: Machine) -> None:
    result = run(
        machine, HTTPS_PROXY="http://proxy.corp:3128", NO_PROXY="localhost, .anthropic.com"
    )
    assert result.status is Status.PASS
    assert (
        "api.anthropic.com bypasses the proxy (NO_PROXY entry '.anthropic.com')" in result.message
    )


def test_no_proxy_star_means_the_proxy_is_unused(machine: Machine) -> None:
    result = run(machine, HTTPS_PROXY="http://proxy.corp:3128", no_proxy="*")
    assert result.status is Status.PASS
    assert "no_proxy=* : no request uses the proxy" in result.message


def test_no_proxy_not_matching_the_endpoint_says_nothing_about_it(machine: Machine) -> None:
    result = run(machine, HTTPS_PROXY="http://proxy.corp:3128", NO_PROXY="localhost 127.0.0.1")
    assert result.status is Status.PASS
    assert "bypasses" not in result.message
    assert result.details["no_proxy"]["proxied"] == ["api.anthropic.com"]


def test_no_proxy_gateway_host_is_checked(machine: Machine) -> None:
    result = run(
        machine,
        ANTHROPIC_BASE_URL="http://127.0.0.1:4000",
        HTTP_PROXY="http://proxy.corp:3128",
        NO_PROXY="127.0.0.1",
    )
    assert "127.0.0.1 bypasses the proxy" in result.message


def test_no_proxy_url_entries_warn(machine: Machine) -> None:
    result = run(machine, NO_PROXY="https://internal.corp,localhost")
    assert result.status is Status.WARN
    assert "'https://internal.corp'" in result.message
    assert "never match" in result.message
    assert result.fix is not None
    assert "export NO_PROXY='localhost,internal.corp'" in result.fix.commands


@pytest.mark.parametrize(
    ("entries", "host", "port", "expected"),
    [
        (("*",), "api.anthropic.com", 443, "*"),
        (("anthropic.com",), "api.anthropic.com", 443, "anthropic.com"),
        (("*.anthropic.com",), "api.anthropic.com", 443, "*.anthropic.com"),
        ((".anthropic.com",), "anthropic.com", 443, ".anthropic.com"),
        (("thropic.com",), "api.anthropic.com", 443, None),
        (("api.anthropic.com:8443",), "api.anthropic.com", 443, None),
        (("api.anthropic.com:443",), "api.anthropic.com", 443, "api.anthropic.com:443"),
        (("[::1]:4000",), "::1", 4000, "[::1]:4000"),
        (("::1",), "::1", 4000, "::1"),
    ],
)
def test_no_proxy_matching(
    entries: tuple[str, ...], host: str, port: int, expected: str | None
) -> None:
    assert no_proxy_match(entries, host, port) == expected


def test_no_proxy_entries_accept_commas_and_spaces() -> None:
    assert no_proxy_entries(" a.com, b.com  c.com,,") == ("a.com", "b.com", "c.com")


# --- CA bundles -------------------------------------------------------------------------------


def test_valid_corporate_ca_passes(machine: Machine, corporate_ca: Path) -> None:
    result = run(machine, NODE_EXTRA_CA_CERTS=str(corporate_ca))
    assert result.status is Status.PASS
    assert f"NODE_EXTRA_CA_CERTS {corporate_ca}: " in result.message
    assert "O=Corp Inspection, expires 3000-01-01" in result.message
    assert "expires" in result.message
    [summary] = result.details["NODE_EXTRA_CA_CERTS"]["certificates"]
    assert summary["is_ca"] is True


def test_relative_ca_path_is_read_from_the_project(machine: Machine) -> None:
    pem, _ = certificate("Relative CA", ca=True)
    machine.write(machine.project / "certs" / "ca.pem", pem)
    result = run(machine, SSL_CERT_FILE="certs/ca.pem")
    assert result.status is Status.PASS
    assert "CN=Relative CA" in result.message


def test_a_missing_extra_ca_file_warns_as_the_client_does_with_a_real_fix(
    machine: Machine,
) -> None:
    """The client skips it with a warning and goes on (2.1.197, 2.1.332:
    fixtures/scenarios/extra_ca_missing_plain_http.toml)."""
    result = run(machine, NODE_EXTRA_CA_CERTS=str(machine.root / "nope.pem"))
    assert result.status is Status.WARN
    assert "does not exist" in result.message
    assert "skips it with a warning" in result.message
    assert result.fix is not None
    assert "unset NODE_EXTRA_CA_CERTS" in result.fix.commands
    assert not [c for c in result.fix.commands if c.startswith("ls ")]


def test_a_missing_ssl_cert_file_still_fails(machine: Machine) -> None:
    result = run(machine, SSL_CERT_FILE=str(machine.root / "nope.pem"))
    assert result.status is Status.FAIL
    assert "does not exist" in result.message


def test_ca_path_that_is_a_directory_warns(machine: Machine) -> None:
    result = run(machine, NODE_EXTRA_CA_CERTS=str(machine.root))
    assert result.status is Status.WARN
    assert "is a directory" in result.message


def test_tilde_path_warns_because_node_does_not_expand_it(machine: Machine) -> None:
    result = run(machine, NODE_EXTRA_CA_CERTS="~/corp.pem")
    assert result.status is Status.WARN
    assert "starts with ~" in result.message
    assert result.fix is not None
    assert f"export NODE_EXTRA_CA_CERTS={machine.home / 'corp.pem'}" in result.fix.commands


def test_der_ca_file_warns_with_conversion_command(machine: Machine) -> None:
    pem, _ = certificate("DER CA", ca=True)
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    path = machine.write(machine.root / "ca.der", der)
    result = run(machine, NODE_EXTRA_CA_CERTS=str(path))
    assert result.status is Status.WARN
    assert "is not PEM" in result.message
    assert result.fix is not None
    assert any(c.startswith("openssl x509 -inform der") for c in result.fix.commands)


def test_pem_without_certificate_fails(machine: Machine) -> None:
    _, key = certificate("Key only", ca=True)
    path = machine.write(machine.root / "key.pem", key_pem(key))
    result = run(machine, SSL_CERT_FILE=str(path))
    assert result.status is Status.FAIL
    assert "holds PEM blocks but no certificate" in result.message
    del machine.env["SSL_CERT_FILE"]
    assert run(machine, NODE_EXTRA_CA_CERTS=str(path)).status is Status.WARN


def test_corrupt_certificate_block_fails(machine: Machine) -> None:
    body = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    path = machine.write(machine.root / "bad.pem", body)
    result = run(machine, NODE_EXTRA_CA_CERTS=str(path))
    assert result.status is Status.FAIL
    assert "certificate 1 of 1" in result.message
    assert "cannot be parsed" in result.message


def test_expired_ca_fails(machine: Machine) -> None:
    pem, _ = certificate("Old CA", ca=True, valid=(dt.timedelta(days=-400), dt.timedelta(days=-30)))
    path = machine.write(machine.root / "old.pem", pem)
    result = run(machine, NODE_EXTRA_CA_CERTS=str(path))
    assert result.status is Status.FAIL
    assert "CN=Old CA (expired" in result.message


def test_ca_not_yet_valid_fails(machine: Machine) -> None:
    pem, _ = certificate("Future CA", ca=True, valid=(dt.timedelta(days=3), dt.timedelta(days=30)))
    path = machine.write(machine.root / "future.pem", pem)
    result = run(machine, NODE_EXTRA_CA_CERTS=str(path))
    assert result.status is Status.FAIL
    assert "not valid before" in result.message


def test_a_stale_root_in_a_bundle_is_no_problem(machine: Machine) -> None:
    # System bundles carry a few expired roots; Node loads the rest and nothing breaks.
    good, _ = certificate("Good CA", ca=True)
    old, _ = certificate("Old CA", ca=True, valid=(dt.timedelta(days=-400), dt.timedelta(days=-1)))
    path = machine.write(machine.root / "bundle.pem", good + old)
    result = run(machine, SSL_CERT_FILE=str(path))
    assert result.status is Status.PASS


def test_leaf_certificate_in_extra_ca_certs_warns(machine: Machine) -> None:
    pem, _ = certificate("proxy.corp", ca=False)
    path = machine.write(machine.root / "leaf.pem", pem)
    result = run(machine, NODE_EXTRA_CA_CERTS=str(path))
    assert result.status is Status.WARN
    assert "not CAs, e.g. CN=proxy.corp" in result.message


# --- mTLS -------------------------------------------------------------------------------------


def write_identity(
    machine: Machine,
    *,
    passphrase: bytes | None = None,
    valid: tuple[dt.timedelta, dt.timedelta] | None = None,
) -> tuple[Path, Path]:
    pem, key = certificate("client-7", ca=False, **({"valid": valid} if valid else {}))
    cert_path = machine.write(machine.root / "client.pem", pem)
    key_path = machine.write(machine.root / "client.key", key_pem(key, passphrase))
    return cert_path, key_path


def test_client_identity_passes(machine: Machine) -> None:
    cert_path, key_path = write_identity(machine)
    result = run(
        machine, CLAUDE_CODE_CLIENT_CERT=str(cert_path), CLAUDE_CODE_CLIENT_KEY=str(key_path)
    )
    assert result.status is Status.PASS
    assert "mTLS client certificate CN=client-7" in result.message


def test_encrypted_key_with_right_passphrase_passes(machine: Machine) -> None:
    cert_path, key_path = write_identity(machine, passphrase=b"open sesame")
    result = run(
        machine,
        CLAUDE_CODE_CLIENT_CERT=str(cert_path),
        CLAUDE_CODE_CLIENT_KEY=str(key_path),
        CLAUDE_CODE_CLIENT_KEY_PASSPHRASE="open sesame",
    )
    assert result.status is Status.PASS


def test_encrypted_key_with_wrong_passphrase_fails(machine: Machine) -> None:
    cert_path, key_path = write_identity(machine, passphrase=b"open sesame")
    result = run(
        machine,
        CLAUDE_CODE_CLIENT_CERT=str(cert_path),
        CLAUDE_CODE_CLIENT_KEY=str(key_path),
        CLAUDE_CODE_CLIENT_KEY_PASSPHRASE="wrong guess",
    )
    assert result.status is Status.FAIL
    assert "wrong passphrase" in result.message
    assert "wrong guess" not in result.message


def test_encrypted_key_without_passphrase_fails(machine: Machine) -> None:
    cert_path, key_path = write_identity(machine, passphrase=b"open sesame")
    result = run(
        machine, CLAUDE_CODE_CLIENT_CERT=str(cert_path), CLAUDE_CODE_CLIENT_KEY=str(key_path)
    )
    assert result.status is Status.FAIL
    assert "is encrypted but CLAUDE_CODE_CLIENT_KEY_PASSPHRASE is not set" in result.message


def test_passphrase_for_plain_key_is_noted(machine: Machine) -> None:
    cert_path, key_path = write_identity(machine)
    result = run(
        machine,
        CLAUDE_CODE_CLIENT_CERT=str(cert_path),
        CLAUDE_CODE_CLIENT_KEY=str(key_path),
        CLAUDE_CODE_CLIENT_KEY_PASSPHRASE="unused",
    )
    assert result.status is Status.PASS
    assert "not encrypted" in " ".join(result.details["client_certificate"]["notes"])


def test_key_of_another_certificate_fails(machine: Machine) -> None:
    cert_path, _ = write_identity(machine)
    _, other = certificate("someone-else", ca=False)
    key_path = machine.write(machine.root / "other.key", key_pem(other))
    result = run(
        machine, CLAUDE_CODE_CLIENT_CERT=str(cert_path), CLAUDE_CODE_CLIENT_KEY=str(key_path)
    )
    assert result.status is Status.FAIL
    assert "is not the private key of the certificate" in result.message
    assert result.fix is not None
    assert any("openssl pkey -pubout" in c for c in result.fix.commands)


def test_expired_client_certificate_fails(machine: Machine) -> None:
    cert_path, key_path = write_identity(
        machine, valid=(dt.timedelta(days=-90), dt.timedelta(days=-2))
    )
    result = run(
        machine, CLAUDE_CODE_CLIENT_CERT=str(cert_path), CLAUDE_CODE_CLIENT_KEY=str(key_path)
    )
    assert result.status is Status.FAIL
    assert "CLAUDE_CODE_CLIENT_CERT" in result.message
    assert "expired" in result.message


def test_client_cert_without_key_warns(machine: Machine) -> None:
    cert_path, _ = write_identity(machine)
    result = run(machine, CLAUDE_CODE_CLIENT_CERT=str(cert_path))
    assert result.status is Status.WARN
    assert "CLAUDE_CODE_CLIENT_CERT is set without CLAUDE_CODE_CLIENT_KEY" in result.message


def test_client_key_file_without_key_fails(machine: Machine) -> None:
    cert_path, _ = write_identity(machine)
    result = run(
        machine, CLAUDE_CODE_CLIENT_CERT=str(cert_path), CLAUDE_CODE_CLIENT_KEY=str(cert_path)
    )
    assert result.status is Status.FAIL
    assert "holds PEM blocks but no private key" in result.message


def test_missing_client_key_file_fails(machine: Machine) -> None:
    cert_path, _ = write_identity(machine)
    result = run(
        machine,
        CLAUDE_CODE_CLIENT_CERT=str(cert_path),
        CLAUDE_CODE_CLIENT_KEY=str(machine.root / "gone.key"),
    )
    assert result.status is Status.FAIL
    assert "gone.key does not exist" in result.message


# --- TLS verification switch ------------------------------------------------------------------


def test_tls_verification_off_warns(machine: Machine) -> None:
    result = run(machine, NODE_TLS_REJECT_UNAUTHORIZED="0")
    assert result.status is Status.WARN
    assert "turns TLS certificate verification off" in result.message
    assert result.fix is not None
    assert "unset NODE_TLS_REJECT_UNAUTHORIZED" in result.fix.commands


def test_tls_verification_on_passes(machine: Machine) -> None:
    assert run(machine, NODE_TLS_REJECT_UNAUTHORIZED="1").status is Status.PASS


@pytest.mark.parametrize(
    ("text", "stores"),
    [
        (None, {"bundled", "system"}),
        ("bundled", {"bundled"}),
        ("BUNDLED", {"bundled"}),
        ("bundled, system", {"bundled", "system"}),
        ("system", {"system"}),
        ("foo", {"bundled", "system"}),
    ],
)
def test_the_cert_store_list_is_read_as_the_client_reads_it(
    text: str | None, stores: set[str]
) -> None:
    """Watched on 2.1.197 and 2.1.332: case and spaces do not matter, an unknown name alone
    leaves both stores."""
    assert cert_stores(text) == stores


def test_ssl_cert_file_outside_the_chosen_store_is_a_warning_with_a_fix_that_works(
    machine: Machine, corporate_ca: Path
) -> None:
    machine.env.update(CLAUDE_CODE_CERT_STORE="bundled", SSL_CERT_FILE=str(corporate_ca))
    result = run(machine)
    assert result.status is Status.WARN
    assert result.message.startswith(
        "SSL_CERT_FILE is ignored: CLAUDE_CODE_CERT_STORE=bundled leaves out the system store"
    )
    assert result.fix is not None
    assert result.fix.commands == (f"export NODE_EXTRA_CA_CERTS={corporate_ca}",)
    machine.env.pop("SSL_CERT_FILE")
    machine.env["NODE_EXTRA_CA_CERTS"] = str(corporate_ca)
    assert run(machine).status is Status.PASS
    assert not network_settings(machine.resolve()).cert_stores - {"bundled"}


@pytest.mark.parametrize(
    ("version", "warned"), [("2.1.332", True), ("2.1.280", True), ("2.1.257", False)]
)
def test_a_socks_all_proxy_is_passed_over_and_said_so_where_the_client_reads_it(
    machine: Machine, version: str, warned: bool
) -> None:
    machine.claude_version = version
    result = run(machine, ALL_PROXY="socks5://socks.corp:1080")
    assert network_settings(machine.resolve()).proxy is None
    assert result.status is (Status.WARN if warned else Status.PASS)
    if warned:
        assert result.message.startswith("ALL_PROXY=socks5://socks.corp:1080 is ignored")
    machine.env["ALL_PROXY"] = "socks.corp:3128"
    expected = "http://socks.corp:3128" if warned else None
    proxy = network_settings(machine.resolve()).proxy
    assert (proxy.url if proxy else None) == expected
