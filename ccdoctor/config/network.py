"""The network settings the client applies, read from the effective configuration."""

from __future__ import annotations

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.net.settings import PROXY_ORDER, NetworkSettings, ProxyChoice


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
