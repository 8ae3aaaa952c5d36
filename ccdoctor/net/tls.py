"""A TLS context that trusts what the client trusts, and names what a server presented."""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass

from ccdoctor.net.settings import NetworkSettings


@dataclass(frozen=True)
class TrustSetup:
    context: ssl.SSLContext
    problems: tuple[str, ...]
    """Files the client would also fail to load (it warns and goes on without them)."""


def client_context(settings: NetworkSettings) -> TrustSetup:
    import certifi

    problems: list[str] = []
    context = ssl.create_default_context(cafile=certifi.where())
    # The compiled-in system store, not the one SSL_CERT_FILE points at: Node ignores that
    # variable, so honouring it would make ccdoctor trust what the client does not.
    paths = ssl.get_default_verify_paths()
    with contextlib.suppress(OSError, ssl.SSLError):  # no system store: bundled roots remain
        context.load_verify_locations(cafile=paths.openssl_cafile, capath=paths.openssl_capath)
    if settings.extra_ca_file:
        try:
            context.load_verify_locations(cafile=settings.extra_ca_file)
        except (OSError, ssl.SSLError) as exc:
            problems.append(f"NODE_EXTRA_CA_CERTS={settings.extra_ca_file} not loaded: {exc}")
    if settings.client_cert:
        try:
            context.load_cert_chain(
                settings.client_cert,
                settings.client_key,
                password=settings.client_key_passphrase,
            )
        except (OSError, ssl.SSLError, ValueError) as exc:
            problems.append(f"client certificate {settings.client_cert} not loaded: {exc}")
    if not settings.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return TrustSetup(context, tuple(problems))


@dataclass(frozen=True)
class PresentedCertificate:
    subject: str
    issuer: str
    not_before: str
    not_after: str
    self_signed: bool


def describe_certificate(der: bytes) -> PresentedCertificate | None:
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    return PresentedCertificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        self_signed=cert.issuer == cert.subject,
    )
