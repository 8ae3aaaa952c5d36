"""One CA bundle file holding what the client trusts, for libraries that take a path (botocore).

The client (Node) trusts its bundled roots, the system store and NODE_EXTRA_CA_CERTS, all at once.
botocore trusts exactly one file. So the three are merged into a temporary PEM file, written once
per process and per extra-CA file, and removed when the process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CaBundle:
    """The merged CA bundle file written for botocore, how many certificates it holds, and the
    sources that failed."""

    path: str
    certificates: int
    problems: tuple[str, ...]
    """Sources that could not be read; the client warns about these and goes on without them."""


_lock = threading.Lock()
_written: dict[str | None, CaBundle] = {}


def ca_bundle(extra_ca_file: str | None) -> CaBundle:
    """The merged bundle for this NODE_EXTRA_CA_CERTS value (None: none set)."""
    with _lock:
        bundle = _written.get(extra_ca_file)
        if bundle is None:
            bundle = _write(extra_ca_file)
            _written[extra_ca_file] = bundle
        return bundle


def _write(extra_ca_file: str | None) -> CaBundle:
    import certifi

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    problems: list[str] = []
    context.load_verify_locations(cafile=certifi.where())
    paths = ssl.get_default_verify_paths()
    # The compiled-in system store, not SSL_CERT_FILE: Node ignores that variable.
    for source in _system_files(paths.openssl_cafile, paths.openssl_capath):
        with contextlib.suppress(OSError, ssl.SSLError):
            context.load_verify_locations(cafile=source)
    if extra_ca_file:
        try:
            context.load_verify_locations(cafile=extra_ca_file)
        except (OSError, ssl.SSLError) as exc:
            problems.append(f"NODE_EXTRA_CA_CERTS={extra_ca_file} not loaded: {exc}")
    pem = "".join(
        dict.fromkeys(ssl.DER_cert_to_PEM_cert(der) for der in context.get_ca_certs(True))
    )
    handle, name = tempfile.mkstemp(prefix="ccdoctor-ca-", suffix=".pem")
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(pem)
    atexit.register(_remove, name)
    return CaBundle(name, pem.count("-----BEGIN CERTIFICATE-----"), tuple(problems))


def _system_files(cafile: str | None, capath: str | None) -> list[str]:
    """The system bundle file; the hashed directory only when there is no bundle file (a CA
    directory usually repeats the bundle's certificates one per file)."""
    if cafile and os.path.isfile(cafile):
        return [cafile]
    if not capath or not os.path.isdir(capath):
        return []
    return sorted(str(p) for p in Path(capath).iterdir() if p.is_file())


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)
