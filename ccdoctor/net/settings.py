"""The network settings the client applies, read from the effective config.

Observed with Claude Code 2.1.197 (a Bun binary), which differs from Python's defaults: it
trusts its bundled roots, the system store, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and SSL_CERT_DIR
(but not REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE); and it sends every API request, `http://` ones
and loopback included, through the first of https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccdoctor.config.view import ResolvedConfig

PROXY_ORDER = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY")


@dataclass(frozen=True)
class ProxyChoice:
    url: str
    variable: str


@dataclass(frozen=True)
class NetworkSettings:
    proxy: ProxyChoice | None = None
    no_proxy: tuple[str, ...] = ()
    extra_ca_file: str | None = None
    ssl_cert_file: str | None = None
    ssl_cert_dir: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    client_key_passphrase: str | None = None
    verify: bool = True
    """False when NODE_TLS_REJECT_UNAUTHORIZED=0 turns verification off in the client."""

    def proxy_for(self, scheme: str, host: str, port: int) -> ProxyChoice | None:
        """The proxy a request to `host` goes through; the scheme does not matter to the client."""
        if self.proxy is None or bypasses_proxy(host, port, self.no_proxy):
            return None
        return self.proxy


def network_settings(config: ResolvedConfig) -> NetworkSettings:
    def first_proxy() -> ProxyChoice | None:
        for name in PROXY_ORDER:
            value = config.get(name)
            if value and value.strip():
                return ProxyChoice(_with_scheme(value.strip()), name)
        return None

    raw_no_proxy = config.get("no_proxy") or config.get("NO_PROXY") or ""
    return NetworkSettings(
        proxy=first_proxy(),
        no_proxy=tuple(e for e in raw_no_proxy.replace(",", " ").split() if e),
        extra_ca_file=_stripped(config.get("NODE_EXTRA_CA_CERTS")),
        ssl_cert_file=_stripped(config.get("SSL_CERT_FILE")),
        ssl_cert_dir=_stripped(config.get("SSL_CERT_DIR")),
        client_cert=_stripped(config.get("CLAUDE_CODE_CLIENT_CERT")),
        client_key=_stripped(config.get("CLAUDE_CODE_CLIENT_KEY")),
        client_key_passphrase=config.get("CLAUDE_CODE_CLIENT_KEY_PASSPHRASE"),
        verify=config.get("NODE_TLS_REJECT_UNAUTHORIZED") != "0",
    )


def _stripped(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _with_scheme(url: str) -> str:
    return url if "://" in url else f"http://{url}"


def bypasses_proxy(host: str, port: int, entries: tuple[str, ...]) -> bool:
    """NO_PROXY as Node's proxy agents read it: `*`, exact hosts, domain suffixes (with or
    without a leading dot or `*.`), optional `:port`. No CIDR and no name resolution."""
    host = host.lower().strip("[]")
    for raw in entries:
        entry = raw.lower().strip()
        if entry == "*":
            return True
        entry_port = None
        if entry.count(":") == 1:
            entry, _, port_text = entry.partition(":")
            entry_port = int(port_text) if port_text.isdigit() else None
        if entry_port is not None and entry_port != port:
            continue
        entry = entry.removeprefix("*").lstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return True
    return False
