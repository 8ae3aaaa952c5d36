"""The network settings the client applies (read from the configuration by config.network).

Observed with Claude Code 2.1.197 (a Bun binary), which differs from Python's defaults: it
trusts its bundled roots, the system store, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and SSL_CERT_DIR
(but not REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE); and it sends every API request, `http://` ones
and loopback included, through the first of https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY.
"""

from __future__ import annotations

from dataclasses import dataclass

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
