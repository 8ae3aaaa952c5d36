"""Connection failures by stage: what each means and how to fix it.

Placeholders are the keys of FACT_DEFAULTS. What the client itself prints for each is in
`client_says`, so a user can match the symptom they saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ccdoctor.net.probe import Cause


@dataclass(frozen=True)
class CauseText:
    """The report's words for one network failure cause: summary, fix, commands, and what the client
    shows."""

    summary: str
    fix: str
    commands: tuple[str, ...] = ()
    client_says: str = ""
    unsets: tuple[str, ...] = ()
    """Variables (templates) the fix takes away; the check that renders it turns them into an
    `unset` or a settings-file edit, for where this run has them set."""

    def commands_for(self, facts: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(c.format(**facts) for c in self.commands)

    def unsets_for(self, facts: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(u.format(**facts) for u in self.unsets)


_RETRIES = "Claude Code retries this for about 3 minutes before it shows the error."

FACT_DEFAULTS: dict[str, str] = {
    "host": "",
    "port": "",
    "url": "",
    "endpoint_var": "the endpoint",
    "proxy": "",
    "proxy_var": "HTTPS_PROXY",
    "proxy_hostport": "",
    "issuer": "an unknown issuer",
    "names": "other names",
    "not_before": "a later date",
    "not_after": "an earlier date",
    "detail": "",
    "other_scheme_url": "",
    "client_cert": "it did not get one or did not accept the one sent",
}
"""Every placeholder a text may use, with what to say when the fact is unknown."""

CAUSES: dict[Cause, CauseText] = {
    Cause.DNS_FAILED: CauseText(
        "the name {host} does not resolve ({detail})",
        "Check {endpoint_var} for a typo; if the host is internal, connect the VPN or fix DNS.",
        ("getent hosts {host}",),
        "API Error: Unable to connect to API (ENOTFOUND)",
    ),
    Cause.DNS_TIMEOUT: CauseText(
        "no DNS answer for {host}",
        "The resolver does not answer: check the VPN and /etc/resolv.conf.",
        ("getent hosts {host}",),
    ),
    Cause.REFUSED: CauseText(
        "connection to {host}:{port} refused: nothing listens there",
        "Start the gateway, or correct the port in {endpoint_var}. " + _RETRIES,
        (),
        "API Error: Unable to connect to API (ConnectionRefused)",
    ),
    Cause.CONNECT_TIMEOUT: CauseText(
        "no answer from {host}:{port} (firewall, or a network that needs a proxy)",
        "If this network only lets traffic out through a corporate proxy, set HTTPS_PROXY; "
        "otherwise ask for {host}:{port} to be allowed through the firewall. " + _RETRIES,
        ("export HTTPS_PROXY=http://proxy.example:3128",),
        "API Error: Request timed out",
    ),
    Cause.UNREACHABLE: CauseText(
        "{host}:{port} is unreachable ({detail})",
        "Check the route to {host} (VPN, firewall) and the port in {endpoint_var}.",
    ),
    Cause.PROXY_REFUSED: CauseText(
        "the proxy {proxy} ({proxy_var}) refuses connections",
        "The proxy is not running or {proxy_var} names the wrong port. Fix {proxy_var}, or unset "
        "it if this network needs no proxy. Claude Code never names the proxy in its error. "
        + _RETRIES,
        client_says="API Error: Unable to connect to API (ConnectionRefused)",
        unsets=("{proxy_var}",),
    ),
    Cause.PROXY_TIMEOUT: CauseText(
        "the proxy {proxy} ({proxy_var}) does not answer",
        "Check {proxy_var}: the host or port may be wrong, or the proxy is down.",
    ),
    Cause.PROXY_AUTH: CauseText(
        "the proxy {proxy} wants credentials (407 Proxy Authentication Required)",
        "Put the proxy user and password in {proxy_var}, before the host: "
        "user:password@{proxy_hostport} (percent-encode special characters). Claude Code "
        "reads them from there, as ccdoctor does.",
        # In two steps: a URL with a password in it would be scrubbed from the report.
        (
            "PROXY_USERINFO='USER:PASSWORD'",
            "export {proxy_var}=http://$PROXY_USERINFO@{proxy_hostport}",
        ),
    ),
    Cause.PROXY_BAD_GATEWAY: CauseText(
        "the proxy {proxy} cannot reach {host}:{port} ({detail})",
        "The proxy itself has no route to {host}: ask its administrators to allow "
        "{host}:{port}, or exclude the host from proxying with NO_PROXY if it is internal.",
        ("export NO_PROXY={host}",),
    ),
    Cause.PROXY_NOT_TLS: CauseText(
        "the proxy {proxy} ({proxy_var}) does not speak TLS, but {proxy_var} says https://",
        "Claude Code speaks TLS to a proxy written https:// and fails against a plain one; "
        "corporate proxies on port 8080 or 3128 almost always want http://.",
        ("export {proxy_var}=http://{proxy_hostport}",),
    ),
    Cause.PROXY_TLS: CauseText(
        "the TLS handshake with the proxy {proxy} ({proxy_var}) failed ({detail})",
        "Claude Code speaks TLS to a proxy written https://: the proxy's certificate must be "
        "trusted (NODE_EXTRA_CA_CERTS), or write the proxy as http:// if it speaks plain HTTP.",
    ),
    Cause.PROXY_REJECTED: CauseText(
        "the proxy {proxy} refused the tunnel to {host}:{port} ({detail})",
        "The proxy does not allow CONNECT to this host or port; ask its administrators, or use "
        "NO_PROXY for internal hosts.",
    ),
    Cause.TLS_UNKNOWN_ISSUER: CauseText(
        "the certificate of {host} was issued by {issuer}, which is not trusted",
        "If that issuer is your company's CA (a TLS-inspecting proxy or an internal gateway), "
        "point NODE_EXTRA_CA_CERTS at its PEM file; never set NODE_TLS_REJECT_UNAUTHORIZED=0.",
        ("export NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem",),
        "Unable to connect to API: SSL certificate verification failed. Check your proxy or "
        "corporate SSL certificates",
    ),
    Cause.TLS_SELF_SIGNED: CauseText(
        "{host} presents a self-signed certificate ({issuer})",
        "Give the server a certificate from a CA, or, if you trust this one, save it and point "
        "NODE_EXTRA_CA_CERTS at the file.",
        (
            "openssl s_client -connect {host}:{port} -servername {host} </dev/null "
            "| openssl x509 > {host}.pem",
            "export NODE_EXTRA_CA_CERTS=$PWD/{host}.pem",
        ),
        "Unable to connect to API: Self-signed certificate detected.",
    ),
    Cause.TLS_SELF_SIGNED_IN_CHAIN: CauseText(
        "a self-signed root ({issuer}) is in the chain of {host}: typically a TLS-inspecting "
        "appliance",
        "Get the inspecting appliance's root CA from IT and point NODE_EXTRA_CA_CERTS at it.",
        ("export NODE_EXTRA_CA_CERTS=/path/to/company-root-ca.pem",),
        "Failed to connect to api.anthropic.com: SELF_SIGNED_CERT_IN_CHAIN",
    ),
    Cause.TLS_HOSTNAME: CauseText(
        "the certificate is for {names}, not {host}",
        "Use the host name the certificate was issued for in {endpoint_var}, or reissue the "
        "certificate with {host} in its subject alternative names.",
    ),
    Cause.TLS_EXPIRED: CauseText(
        "the certificate of {host} expired on {not_after}",
        "The server's certificate must be renewed; nothing on this machine can fix it.",
    ),
    Cause.TLS_NOT_YET_VALID: CauseText(
        "the certificate of {host} is not valid before {not_before}",
        "Either the certificate was issued for the future or this machine's clock is wrong: "
        "check the clock first.",
        ("date -u",),
    ),
    Cause.TLS_TO_PLAIN_PORT: CauseText(
        "{host}:{port} does not speak TLS, but {endpoint_var} says https://",
        "Use http:// for this port, or the port where the gateway serves TLS.",
        ("export {endpoint_var}={other_scheme_url}",),
    ),
    Cause.TLS_CLIENT_CERT: CauseText(
        "{host} requires a client certificate (mTLS): {client_cert}",
        "Set CLAUDE_CODE_CLIENT_CERT and CLAUDE_CODE_CLIENT_KEY (and "
        "CLAUDE_CODE_CLIENT_KEY_PASSPHRASE if the key is encrypted) to the certificate and key "
        "issued to you for {host}.",
        (
            "export CLAUDE_CODE_CLIENT_CERT=/path/to/client-cert.pem",
            "export CLAUDE_CODE_CLIENT_KEY=/path/to/client-key.pem",
        ),
    ),
    Cause.TLS_TIMEOUT: CauseText(
        "the TLS handshake with {host} stalled",
        "Something between here and {host} accepts connections but does not speak TLS; check "
        "the port, and whether a proxy is needed.",
    ),
    Cause.TLS_OTHER: CauseText(
        "the TLS handshake with {host} failed ({detail})",
        "Check that {endpoint_var} names a TLS endpoint and that NODE_EXTRA_CA_CERTS is right.",
    ),
    Cause.PLAIN_TO_TLS_PORT: CauseText(
        "{host}:{port} speaks TLS, but {endpoint_var} says http://",
        "Use https:// for this port.",
        ("export {endpoint_var}={other_scheme_url}",),
    ),
    Cause.HTTP_TIMEOUT: CauseText(
        "{host}:{port} accepted the connection but sent no complete answer in time ({detail})",
        "The server is hung or overloaded (or a middlebox swallows traffic). Restart the "
        "gateway, or retry with a longer --timeout to tell slow from dead.",
    ),
    Cause.HTTP_GARBAGE: CauseText(
        "{host}:{port} answers, but not with HTTP",
        "Another service is listening on this port: check the port in {endpoint_var}.",
    ),
    Cause.HTTP_CLOSED: CauseText(
        "{host}:{port} closed the connection without answering ({detail})",
        "The server dropped the request: check its logs, and the scheme and port in "
        "{endpoint_var}.",
    ),
}
