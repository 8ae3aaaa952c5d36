"""A TLS context that trusts what the client trusts, and names what a server presented."""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ccdoctor.net.settings import NetworkSettings

if TYPE_CHECKING:
    from cryptography import x509


@dataclass(frozen=True)
class TrustSetup:
    """The SSL context trusting what the client trusts, and the files that failed to load."""

    context: ssl.SSLContext
    problems: tuple[str, ...]
    """Files the client would also fail to load (it warns and goes on without them)."""


@dataclass
class HandshakeWatch:
    """What the server asked for during a handshake. A server that wants a client certificate
    and gets none may hang up after a TLS 1.3 handshake has already succeeded, with nothing in
    the error to say why: this records that it asked."""

    certificate_requested: bool = False

    def observe(self, *message: Any) -> None:
        """OpenSSL's message callback: (connection, direction, version, content type, message
        type, data)."""
        _, direction, _, content_type, message_type, _ = message
        if (
            direction == "read"
            and content_type == _HANDSHAKE_RECORD
            and message_type == _CERTIFICATE_REQUEST
        ):
            self.certificate_requested = True


_HANDSHAKE_RECORD = 22
_CERTIFICATE_REQUEST = 13


class _Watches(threading.local):
    """The watch of the handshake this thread is making, if any: the run's one context (its
    roots take ~50 ms of CPU to load, and a second load cannot overlap the first) serves the
    probe that watches its handshake and the HTTP clients that do not."""

    current: HandshakeWatch | None = None

    def observe(self, *message: Any) -> None:
        if self.current is not None:
            self.current.observe(*message)


_WATCHES = _Watches()


@contextlib.contextmanager
def watching(watch: HandshakeWatch) -> Iterator[None]:
    """Report the handshake messages this thread's connections see to `watch` meanwhile."""
    _WATCHES.current = watch
    try:
        yield
    finally:
        _WATCHES.current = None


def client_context(settings: NetworkSettings) -> TrustSetup:
    """The client's trust and identity. Within `watching(watch)`, the context reports the
    thread's handshake messages to `watch` (through CPython's message-callback hook; where that
    hook is missing the watch stays blind and a client-certificate demand is reported as a
    dropped connection)."""
    import certifi

    # No default roots: which stores count is the client's choice (CLAUDE_CODE_CERT_STORE).
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if "bundled" in settings.cert_stores:
        context.load_verify_locations(cafile=certifi.where())
    if "system" in settings.cert_stores:
        # The compiled-in system store, read from its own paths: the client's SSL_CERT_FILE and
        # SSL_CERT_DIR come from the effective configuration below, not from this process.
        paths = ssl.get_default_verify_paths()
        with contextlib.suppress(OSError, ssl.SSLError):  # no system store: bundled remain
            context.load_verify_locations(cafile=paths.openssl_cafile, capath=paths.openssl_capath)
    problems = _load_user_files(context, settings)
    if not settings.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if hasattr(context, "_msg_callback"):
        # No public hook exists; CPython has carried this one since 3.8.
        context._msg_callback = _WATCHES.observe
    return TrustSetup(context, problems)


def trust_problems(settings: NetworkSettings) -> tuple[str, ...]:
    """The files of `client_context` that would not load, found without loading the stores
    (~100 ms for the bundled roots): a plain-HTTP run asks only this."""
    return _load_user_files(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), settings)


def _load_user_files(context: ssl.SSLContext, settings: NetworkSettings) -> tuple[str, ...]:
    """The extra roots and the client certificate the user named, loaded into `context`; the
    ones that fail, described (the client warns about them and goes on without them)."""
    problems: list[str] = []
    extra: list[tuple[str, str | None, str | None]] = [
        ("NODE_EXTRA_CA_CERTS", settings.extra_ca_file, None)
    ]
    if "system" in settings.cert_stores:
        # Added to the roots, never replacing them. Whether the client's SSL_CERT_FILE replaces
        # the system roots could not be observed offline; adding errs towards trusting what it
        # trusts.
        extra += [
            ("SSL_CERT_FILE", settings.ssl_cert_file, None),
            ("SSL_CERT_DIR", None, settings.ssl_cert_dir),
        ]
    for variable, cafile, capath in extra:
        if cafile is None and capath is None:
            continue
        try:
            context.load_verify_locations(cafile=cafile, capath=capath)
        except (OSError, ssl.SSLError) as exc:
            problems.append(f"{variable}={cafile or capath} not loaded: {exc}")
    if settings.client_cert:
        try:
            context.load_cert_chain(
                settings.client_cert,
                settings.client_key,
                password=settings.client_key_passphrase,
            )
        except (OSError, ssl.SSLError, ValueError) as exc:
            problems.append(f"client certificate {settings.client_cert} not loaded: {exc}")
    return tuple(problems)


@dataclass(frozen=True)
class PresentedCertificate:
    """The certificate a server presented in the TLS handshake: subject, issuer, dates and names."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    self_signed: bool
    names: tuple[str, ...] = ()
    """The DNS names and IP addresses it is valid for (subject alternative names)."""


def describe_certificate(der: bytes) -> PresentedCertificate | None:
    from cryptography import x509

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
        names=_alternative_names(cert),
    )


def _alternative_names(cert: x509.Certificate) -> tuple[str, ...]:
    from cryptography import x509

    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except (x509.ExtensionNotFound, ValueError):
        return ()
    names = extension.value.get_values_for_type(x509.DNSName)
    addresses = extension.value.get_values_for_type(x509.IPAddress)
    return (*names, *(str(a) for a in addresses))
