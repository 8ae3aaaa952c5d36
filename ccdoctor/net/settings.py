"""The network settings the client (a Node program) applies, read from the effective config.

Node differs from Python defaults in ways that matter here: it trusts its bundled roots plus the
system store plus NODE_EXTRA_CA_CERTS (added, never replacing), ignores SSL_CERT_FILE, and picks
proxies from lowercase variables first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccdoctor.config.view import ResolvedConfig

_HTTPS_PROXY_ORDER = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY")
_HTTP_PROXY_ORDER = ("http_proxy", "HTTP_PROXY")


@dataclass(frozen=True)
class ProxyChoice:
    url: str
    variable: str


@dataclass(frozen=True)
class NetworkSettings:
    https_proxy: ProxyChoice | None = None
    http_proxy: ProxyChoice | None = None
    no_proxy: tuple[str, ...] = ()
    extra_ca_file: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    client_key_passphrase: str | None = None
    verify: bool = True
    """False when NODE_TLS_REJECT_UNAUTHORIZED=0 turns verification off in the client."""

    def proxy_for(self, scheme: str, host: str, port: int) -> ProxyChoice | None:
        choice = self.https_proxy if scheme == "https" else self.http_proxy
        if choice is None or bypasses_proxy(host, port, self.no_proxy):
            return None
        return choice


def network_settings(config: ResolvedConfig) -> NetworkSettings:
    def first(names: tuple[str, ...]) -> ProxyChoice | None:
        for name in names:
            value = config.get(name)
            if value and value.strip():
                return ProxyChoice(_with_scheme(value.strip()), name)
        return None

    raw_no_proxy = config.get("no_proxy") or config.get("NO_PROXY") or ""
    return NetworkSettings(
        https_proxy=first(_HTTPS_PROXY_ORDER),
        http_proxy=first(_HTTP_PROXY_ORDER),
        no_proxy=tuple(e for e in raw_no_proxy.replace(",", " ").split() if e),
        extra_ca_file=_stripped(config.get("NODE_EXTRA_CA_CERTS")),
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
