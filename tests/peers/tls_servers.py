"""HTTPS versions of FakeAnthropic, one per way a certificate can be wrong.

A `TLSLab` owns a private CA (trustme) whose PEM a test hands to the client under test the way a
user would: NODE_EXTRA_CA_CERTS for Claude Code, an extra trust anchor for ccdoctor. Each case
is a server context; `lab.serve(case)` wraps a FakeAnthropic in it.
"""

from __future__ import annotations

import datetime
import ipaddress
import itertools
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import certifi
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.peers.fake_anthropic import Behaviour, FakeAnthropic
from tests.peers.ports import LOOPBACK

SERVER_NAMES = ("localhost", LOOPBACK)
WRONG_NAME = "other.example"

_SERIALS = itertools.count()


@dataclass(frozen=True)
class TLSCase:
    name: str
    description: str
    verify_code: int | None
    """OpenSSL verify code a client trusting the lab CA gets at https://127.0.0.1 (None: OK).

    A client with only the public roots gets 20 (unable to get local issuer), except where the
    server sends a root itself: self_signed 18; mitm_chain 19, and mtls 19 too, because OpenSSL
    completes a server's chain from the store it verifies client certificates with."""


TLS_CASES: Mapping[str, TLSCase] = {
    case.name: case
    for case in (
        TLSCase("valid", "leaf from the lab CA for localhost and 127.0.0.1", None),
        TLSCase("expired", "lab leaf whose notAfter has passed", 10),
        TLSCase("not_yet_valid", "lab leaf whose notBefore is tomorrow", 9),
        TLSCase("wrong_host", f"lab leaf for {WRONG_NAME} only (62 at localhost)", 64),
        TLSCase("unknown_ca", "leaf from a CA nobody trusts, root not sent", 20),
        TLSCase("self_signed", "leaf signed by its own key", 18),
        TLSCase("mitm_chain", "leaf plus an untrusted root, as an intercepting proxy sends", 19),
        TLSCase("mtls", "valid lab leaf, but the server requires a lab client certificate", None),
        TLSCase("mtls_tls12", "as mtls, on TLS 1.2 (refuses with a handshake failure)", None),
    )
}


class TLSLab:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.ca = trustme.CA(organization_name="ccdoctor test lab")
        self._rogue_ca = trustme.CA(organization_name="Intercepting appliance")
        self.rogue_ca_pem = directory / "intercepting-appliance-ca.pem"
        """The root of the unknown_ca and mitm_chain cases, as IT would hand it out."""
        self._rogue_ca.cert_pem.write_to_path(str(self.rogue_ca_pem))
        self.ca_pem = directory / "lab-ca.pem"
        """The file for NODE_EXTRA_CA_CERTS (adds to the public roots)."""
        self.ca.cert_pem.write_to_path(str(self.ca_pem))
        self.ca_bundle = directory / "public-roots-plus-lab-ca.pem"
        """Public roots plus the lab CA: for SSL_CERT_FILE/REQUESTS_CA_BUNDLE, which replace."""
        self.ca_bundle.write_bytes(
            Path(certifi.where()).read_bytes() + b"\n" + self.ca.cert_pem.bytes()
        )
        client = self.ca.issue_cert("ccdoctor-client@test.example")
        self.client_cert_pem = self._write("client-cert.pem", client.cert_chain_pems[0].bytes())
        self.client_key_pem = self._write("client-key.pem", client.private_key_pem.bytes())
        self._self_signed: tuple[Path, Path] | None = None
        self._self_signed_lock = threading.Lock()

    def server_identity(self) -> tuple[Path, Path]:
        """A certificate (lab CA, for localhost and 127.0.0.1) and its key, as files: for a
        peer that serves TLS itself (an https:// proxy)."""
        leaf = self.ca.issue_cert(*SERVER_NAMES)
        serial = next(_SERIALS)
        return (
            self._write(f"server-{serial}-chain.pem", leaf.cert_chain_pems[0].bytes()),
            self._write(f"server-{serial}-key.pem", leaf.private_key_pem.bytes()),
        )

    def client_context(self, trust_lab: bool = True, client_cert: bool = False) -> ssl.SSLContext:
        """Public roots, plus the lab CA when `trust_lab`: what NODE_EXTRA_CA_CERTS gives Node."""
        context = ssl.create_default_context(cafile=certifi.where())
        if trust_lab:
            context.load_verify_locations(cafile=str(self.ca_pem))
        if client_cert:
            context.load_cert_chain(str(self.client_cert_pem), str(self.client_key_pem))
        return context

    def serve(
        self, case: str, behaviour: Behaviour | None = None, prefix: str = ""
    ) -> FakeAnthropic:
        """A FakeAnthropic (not yet started) presenting `case`'s certificate."""
        return FakeAnthropic(behaviour, prefix=prefix, ssl_context=self.server_context(case))

    def server_context(self, case: str) -> ssl.SSLContext:
        if case not in TLS_CASES:
            raise ValueError(f"unknown TLS case {case!r}; known: {', '.join(TLS_CASES)}")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate, key = self._certificate_files(case)
        context.load_cert_chain(str(certificate), str(key))
        if case in ("mtls", "mtls_tls12"):
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=str(self.ca_pem))
        if case == "mtls_tls12":
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        return context

    def _certificate_files(self, case: str) -> tuple[Path, Path]:
        now = datetime.datetime.now(datetime.UTC)
        day = datetime.timedelta(days=1)
        if case in ("valid", "mtls", "mtls_tls12"):
            leaf = self.ca.issue_cert(*SERVER_NAMES)
        elif case == "expired":
            leaf = self.ca.issue_cert(*SERVER_NAMES, not_before=now - 30 * day, not_after=now - day)
        elif case == "not_yet_valid":
            leaf = self.ca.issue_cert(*SERVER_NAMES, not_before=now + day, not_after=now + 30 * day)
        elif case == "wrong_host":
            leaf = self.ca.issue_cert(WRONG_NAME)
        elif case in ("unknown_ca", "mitm_chain"):
            leaf = self._rogue_ca.issue_cert(*SERVER_NAMES)
        else:
            return self._self_signed_files()
        chain = leaf.cert_chain_pems[0].bytes()
        if case == "mitm_chain":
            chain += self._rogue_ca.cert_pem.bytes()
        # Each server gets its own pair of files: the conformance matrix starts servers for the
        # same case from several threads, and a shared name let one thread load another's key
        # beside its own certificate (KEY_VALUES_MISMATCH).
        serial = next(_SERIALS)
        return (
            self._write(f"{case}-{serial}-chain.pem", chain),
            self._write(f"{case}-{serial}-key.pem", leaf.private_key_pem.bytes()),
        )

    @property
    def self_signed_pem(self) -> Path:
        """The self_signed case's certificate, one per lab: what a user pins to trust it."""
        return self._self_signed_files()[0]

    def _self_signed_files(self) -> tuple[Path, Path]:
        # Once per lab, under a lock: servers of this case start from several threads, and the
        # certificate a scenario trusts must be the one every one of them presents.
        with self._self_signed_lock:
            if self._self_signed is None:
                self._self_signed = self._new_self_signed_files()
            return self._self_signed

    def _new_self_signed_files(self) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.IPv4Address(LOOPBACK))]
                ),
                critical=False,
            )
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return (
            self._write(
                "self_signed-cert.pem", certificate.public_bytes(serialization.Encoding.PEM)
            ),
            self._write("self_signed-key.pem", key_pem),
        )

    def _write(self, name: str, content: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(content)
        return path
