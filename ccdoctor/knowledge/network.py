"""Endpoints, proxies and TLS files: what the client reads, what it accepts, how it matches.

The URL rules follow what Claude Code 2.1.197 was observed to do: surrounding whitespace and a
trailing slash are harmless; literal quotes or a missing scheme make it refuse the value at once.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ccdoctor.core.redact import fingerprint

# --- Endpoints --------------------------------------------------------------------------------


ANTHROPIC_API_URL = "https://api.anthropic.com"
FOUNDRY_RESOURCE_VARIABLE = "ANTHROPIC_FOUNDRY_RESOURCE"
MESSAGES_PATH = "/v1/messages"
"""The client appends this to ANTHROPIC_BASE_URL itself."""
GATEWAY_PATH_SUFFIXES = ("/v1/messages", "/v1")
"""Suffixes that, already on ANTHROPIC_BASE_URL, make the client call /v1/v1/messages (404)."""
VERTEX_BASE_PATH_SUFFIX = "/v1"
"""ANTHROPIC_VERTEX_BASE_URL must end with it; without it the client reports the model as
"not available on your vertex deployment" (observed)."""
WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def bedrock_runtime_url(region: str) -> str:
    return f"https://bedrock-runtime.{region}.amazonaws.com"


def foundry_url(resource: str) -> str:
    return f"https://{resource}.services.ai.azure.com/anthropic"


# --- Proxies ----------------------------------------------------------------------------------

# Which spelling of the proxy variables wins, and how NO_PROXY matches, are in
# ccdoctor.net.settings, where the transport can read them too.
PROXY_SCHEMES = WEB_SCHEMES
UNSUPPORTED_PROXY_SCHEME_PREFIX = "socks"
"""The client has no SOCKS support (network-config docs)."""

# --- TLS --------------------------------------------------------------------------------------

CA_BUNDLE_VARIABLES = ("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE")
SKIPPED_WHEN_UNLOADABLE = frozenset({"NODE_EXTRA_CA_CERTS"})
"""CA bundle variables whose file, when missing or unreadable, the client skips with a warning
("Ignoring extra certs from …, load failed") and goes on without: observed on 2.1.197 and
2.1.332 (fixtures/scenarios/extra_ca_missing_plain_http.toml)."""
CLIENT_CERT_VARIABLE = "CLAUDE_CODE_CLIENT_CERT"
CLIENT_KEY_VARIABLE = "CLAUDE_CODE_CLIENT_KEY"
CLIENT_KEY_PASSPHRASE_VARIABLE = "CLAUDE_CODE_CLIENT_KEY_PASSPHRASE"
TLS_REJECT_VARIABLE = "NODE_TLS_REJECT_UNAUTHORIZED"
TLS_REJECT_OFF = "0"
"""Node turns verification off for exactly this string; it is not a truthy/falsy flag."""
MAX_PEM_BYTES = 16 * 1024 * 1024
"""Larger files are not certificate bundles; reading them would only slow the run."""
PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----", re.DOTALL
)
PEM_PRIVATE_KEY = re.compile(
    rb"-----BEGIN ((?:[A-Z]+ )*PRIVATE KEY)-----\s.*?-----END \1-----", re.DOTALL
)

# --- URLs -------------------------------------------------------------------------------------

QUOTE_CHARACTERS = "\"'`“”‘’"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


class UrlFault(enum.Enum):
    QUOTED = "wrapped in literal quotes"
    NO_SCHEME = "has no scheme (such as http://)"
    NO_HOST = "has no host name"
    MALFORMED = "is not a well-formed URL"
    BAD_PORT = "has a port that is not a number from 0 to 65535"


@dataclass(frozen=True)
class UrlReading:
    """A URL as the client would use it. `display` has any credentials replaced."""

    text: str
    scheme: str
    host: str
    port: int
    path: str
    display: str
    secrets: tuple[str, ...] = ()

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.host)


@dataclass(frozen=True)
class UrlProblem:
    """Why a URL is unusable to the client, with the URL to display (credentials hidden) and the
    secrets it held."""

    fault: UrlFault
    display: str
    secrets: tuple[str, ...] = ()


def read_url(raw: str) -> UrlReading | UrlProblem:
    text = raw.strip()
    secrets = userinfo_secrets(text)
    display = redact_userinfo(text)
    if not text or text[0] in QUOTE_CHARACTERS or text[-1] in QUOTE_CHARACTERS:
        return UrlProblem(UrlFault.QUOTED if text else UrlFault.NO_HOST, display, secrets)
    if not _SCHEME.match(text):
        return UrlProblem(UrlFault.NO_SCHEME, display, secrets)
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return UrlProblem(UrlFault.MALFORMED, display, secrets)
    try:
        port = parts.port
    except ValueError:
        return UrlProblem(UrlFault.BAD_PORT, display, secrets)
    host = (parts.hostname or "").lower()
    if not host:
        return UrlProblem(UrlFault.NO_HOST, display, secrets)
    scheme = parts.scheme.lower()
    return UrlReading(
        text=text,
        scheme=scheme,
        host=host,
        port=port if port is not None else DEFAULT_PORTS.get(scheme, 0),
        path=parts.path,
        display=display,
        secrets=secrets,
    )


def unquoted(text: str) -> str:
    return text.strip().strip(QUOTE_CHARACTERS).strip()


def _authority_span(text: str) -> tuple[int, int]:
    start = text.find("://")
    start = 0 if start < 0 else start + 3
    end = len(text)
    for stop in "/?#":
        found = text.find(stop, start)
        if found >= 0:
            end = min(end, found)
    return start, end


def userinfo_secrets(text: str) -> tuple[str, ...]:
    """The user name and password inside a URL; a lone user name is often a token."""
    start, end = _authority_span(text)
    userinfo, at, _ = text[start:end].rpartition("@")
    if not at:
        return ()
    user, colon, password = userinfo.partition(":")
    return tuple(s for s in ((password,) if colon else (user,)) if s)


def redact_userinfo(text: str) -> str:
    start, end = _authority_span(text)
    userinfo, at, hostport = text[start:end].rpartition("@")
    if not at:
        return text
    user, colon, password = userinfo.partition(":")
    shown = f"{user}:{fingerprint(password, 'password')}" if colon else fingerprint(user, "user")
    return f"{text[:start]}{shown}@{hostport}{text[end:]}"


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- NO_PROXY ---------------------------------------------------------------------------------


def no_proxy_entry_is_url(entry: str) -> bool:
    """Entries are host names; a URL never matches anything."""
    return "://" in entry


REDIRECTS_KEEPING_THE_REQUEST = frozenset({307, 308})
"""Redirects the client follows with its POST, body and credential (watched on 2.1.197 and
2.1.332, the redirect_* conformance scenarios); after a 301, 302 or 303 it sends a GET and
fails with "There's an issue with the selected model"."""


CERT_STORE_VARIABLE = "CLAUDE_CODE_CERT_STORE"
SYSTEM_STORE_VARIABLES = frozenset({"SSL_CERT_FILE", "SSL_CERT_DIR"})
"""Part of the system store: CLAUDE_CODE_CERT_STORE=bundled leaves them out (watched on 2.1.197
and 2.1.332, the tls_cert_store_* conformance scenarios); NODE_EXTRA_CA_CERTS stays."""

PROXY_AUTH_HELPER = "proxyAuthHelper"
"""A settings command whose first line of output is the Proxy-Authorization value the client
sends to its proxy (early access)."""
PROXY_AUTH_HELPER_SWITCH = "CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER"
"""Without it set truthy the client ignores proxyAuthHelper (watched on 2.1.197 and 2.1.332)."""
