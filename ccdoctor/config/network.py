"""The network settings the client applies, read from the effective configuration."""

from __future__ import annotations

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.net.settings import (
    NO_PROXY_VARIABLES,
    NetworkSettings,
    ProxyChoice,
    cert_stores,
    first_set,
    no_proxy_entries,
    proxy_variable,
)


def network_settings(config: ResolvedConfig) -> NetworkSettings:
    proxy = proxy_variable(config.get, config.facts.proxy_variables)
    no_proxy = first_set(config.get, NO_PROXY_VARIABLES)
    return NetworkSettings(
        # A blank proxy is still the one the client picks (network.env fails it): no fallback.
        proxy=ProxyChoice(_with_scheme(proxy.text.strip()), proxy.variable)
        if proxy is not None and proxy.text.strip()
        else None,
        no_proxy=no_proxy_entries(no_proxy.text) if no_proxy is not None else (),
        extra_ca_file=_stripped(config.get("NODE_EXTRA_CA_CERTS")),
        ssl_cert_file=_stripped(config.get("SSL_CERT_FILE")),
        ssl_cert_dir=_stripped(config.get("SSL_CERT_DIR")),
        client_cert=_stripped(config.get("CLAUDE_CODE_CLIENT_CERT")),
        client_key=_stripped(config.get("CLAUDE_CODE_CLIENT_KEY")),
        client_key_passphrase=config.get("CLAUDE_CODE_CLIENT_KEY_PASSPHRASE"),
        verify=config.get("NODE_TLS_REJECT_UNAUTHORIZED") != "0",
        cert_stores=cert_stores(config.get("CLAUDE_CODE_CERT_STORE")),
    )


def _stripped(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _with_scheme(url: str) -> str:
    return url if "://" in url else f"http://{url}"
