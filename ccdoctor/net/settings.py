"""The network settings the client applies (read from the configuration by config.network).

Observed with Claude Code 2.1.197 (a Bun binary), which differs from Python's defaults: it
trusts its bundled roots, the system store, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and SSL_CERT_DIR
(but not REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE); and it sends every API request, `http://` ones
and loopback included, through the first proxy variable set, in the order of the client
version's facts (https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY; then all_proxy, ALL_PROXY
from 2.1.280).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# The one place the client's precedence between the NO_PROXY spellings is written down (observed
# on 2.1.197 and 2.1.332 by the no_proxy_* conformance scenarios); which proxy variables the
# client reads differs per version and is in its facts file ([network] proxy_variables).
NO_PROXY_VARIABLES = ("no_proxy", "NO_PROXY")
"""In the order the client tries them: the first one set is the whole bypass list."""


CERT_STORES = frozenset({"bundled", "system"})


def cert_stores(text: str | None) -> frozenset[str]:
    """CLAUDE_CODE_CERT_STORE as the client reads it (watched on 2.1.197 and 2.1.332): a comma
    list, case and spaces ignored; with no known name in it, both stores."""
    named = {entry.strip().lower() for entry in (text or "").split(",")} & CERT_STORES
    return frozenset(named) or CERT_STORES


@dataclass(frozen=True)
class FirstSet:
    """The variable the client reads among several it tries in turn (the first with a value), its
    text, and the later ones that are set too."""

    variable: str
    text: str
    shadowed: tuple[str, ...] = ()
    """The later spellings that are set too, and that the client ignores."""


def first_set(get: Callable[[str], str | None], variables: Sequence[str]) -> FirstSet | None:
    """The variable the client reads among `variables`: the first with a non-empty value (an
    empty one counts as unset, as `a || b` does in JavaScript)."""
    found = [(name, text) for name in variables if (text := get(name))]
    if not found:
        return None
    (variable, text), *rest = found
    return FirstSet(variable, text, tuple(name for name, _ in rest))


HTTP_ONLY_PROXY_VARIABLES = frozenset({"all_proxy", "ALL_PROXY"})
"""Read only when they name an http(s) proxy (or no scheme, taken as http://): the client goes
direct past a socks5:// one (watched on 2.1.280 and 2.1.332), where a SOCKS URL in the four
others stops it ("UnsupportedProxyProtocol")."""


def ignored_proxy_variables(
    get: Callable[[str], str | None], variables: Sequence[str]
) -> list[str]:
    """The variables among `variables` that are set but that the client passes over."""
    return [
        name
        for name in variables
        if name in HTTP_ONLY_PROXY_VARIABLES
        and (text := (get(name) or "").strip())
        and "://" in text
        and text.split("://", 1)[0].lower() not in ("http", "https")
    ]


def proxy_variable(get: Callable[[str], str | None], variables: Sequence[str]) -> FirstSet | None:
    """The proxy variable the client uses, among those its version reads."""
    ignored = ignored_proxy_variables(get, variables)
    return first_set(get, [name for name in variables if name not in ignored])


@dataclass(frozen=True)
class ProxyChoice:
    """The proxy the client sends through, the variable that named it, and any
    Proxy-Authorization."""

    url: str
    variable: str
    authorization: str | None = None
    """The Proxy-Authorization value a proxyAuthHelper printed, sent on every CONNECT and
    proxied request instead of the URL's credentials; None without one."""


@dataclass(frozen=True)
class NetworkSettings:
    """The client's network set-up from the environment: proxy, NO_PROXY, CA files, client
    certificate and verification."""

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
    cert_stores: frozenset[str] = CERT_STORES
    """Which root stores the client trusts (CLAUDE_CODE_CERT_STORE): `bundled` (its Mozilla
    set) and `system` (the OS store, which is where SSL_CERT_FILE and SSL_CERT_DIR belong);
    NODE_EXTRA_CA_CERTS is added whatever the choice."""

    def proxy_for(self, scheme: str, host: str, port: int) -> ProxyChoice | None:
        """The proxy a request to `host` goes through; the scheme does not matter to the client."""
        if self.proxy is None or bypasses_proxy(host, port, self.no_proxy):
            return None
        return self.proxy


def no_proxy_entries(text: str) -> tuple[str, ...]:
    """The client accepts comma- and space-separated lists."""
    return tuple(entry for entry in re.split(r"[,\s]+", text.strip()) if entry)


def no_proxy_match(entries: Sequence[str], host: str, port: int) -> str | None:
    """The entry that makes `host:port` bypass the proxy, or None. NO_PROXY as Node's proxy
    agents read it: `*` matches all, a name matches itself and its subdomains (a leading `.` or
    `*.` changes nothing), an entry with a port matches that port only; no CIDR and no name
    resolution (`localhost` does not cover 127.0.0.1)."""
    host = host.strip("[]").lower()
    for raw in entries:
        entry = raw.strip()
        if entry == "*":
            return raw
        name, entry_port = _split_entry(entry.lower())
        if entry_port is not None and entry_port != port:
            continue
        name = name.removeprefix("*").lstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return raw
    return None


def bypasses_proxy(host: str, port: int, entries: Sequence[str]) -> bool:
    return no_proxy_match(entries, host, port) is not None


def _split_entry(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
        return name, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        return name, int(port) if port.isdigit() else None
    return entry, None
