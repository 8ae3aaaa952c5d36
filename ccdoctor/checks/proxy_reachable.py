"""proxy.reachable — the endpoint the client calls answers, hop by hop, as the client reaches it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ccdoctor.config.endpoints import Endpoint, inference_endpoint
from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.redact import fingerprint
from ccdoctor.core.results import Category, Fix, Outcome, failed, passed, skipped, warned
from ccdoctor.knowledge.network import PROXY_AUTH_HELPER
from ccdoctor.spec import Cost, check

if TYPE_CHECKING:
    from ccdoctor.net.probe import Reachability


@check(
    id="proxy.reachable",
    title="Endpoint reachable",
    category=Category.PROXY,
    description="The endpoint Claude Code will call answers: DNS, TCP connect, proxy tunnel, "
    "TLS handshake and an HTTP answer, each timed, through the proxy and with the CA "
    "certificates the client would use.",
    explain="""
Claude Code's first request goes to ANTHROPIC_BASE_URL (or the Bedrock/Vertex/Foundry endpoint,
or api.anthropic.com). When that hop is broken the client retries for about three minutes and
then prints an opaque "Unable to connect to API" that never names a proxy or a certificate.

This check walks the same path the client takes: it honours the proxy variables of the client's
version (https_proxy/HTTPS_PROXY/http_proxy/HTTP_PROXY, then all_proxy/ALL_PROXY from 2.1.280)
and NO_PROXY as the client does, trusts the stores CLAUDE_CODE_CERT_STORE names (the bundled
roots, and the system store with SSL_CERT_FILE/SSL_CERT_DIR, as the Bun client reads them) plus
NODE_EXTRA_CA_CERTS (added, never replacing, whatever the store setting), and presents
CLAUDE_CODE_CLIENT_CERT/_KEY. It stops at the first stage that fails and names it: a name that does
not resolve (typo, VPN), a refused port (gateway not running), a timeout (firewall, or a network
that needs HTTPS_PROXY), a proxy that refuses, wants credentials (407) or cannot reach the target
(502), an untrusted certificate (it names the issuer so you know which CA file to add), a hostname
mismatch, an expired or not-yet-valid certificate, http:// to a TLS port and the reverse.
With CLAUDE_CODE_ENABLE_PROXY_AUTH_HELPER=1 it sends what proxyAuthHelper prints, trimmed, as
the whole Proxy-Authorization value, as the client does; a helper that fails or prints nothing
is named beside the proxy's 407, and output of several lines fails here (the client cannot send
it and stops every request).

Any HTTP status counts as an answer here: the client's own HEAD to the base URL is a warm-up whose
status it ignores (a 404 there is harmless). The exception is plain HTTP through a proxy, where a
407 or 502 comes from the proxy itself. A server that asks for a client certificate and hangs up
without one is told apart from one that merely hangs up. Credentials and models are proven by
proxy.auth and models.*.
""",
    needs=("proxy.config",),
    network=True,
    cost=Cost.FREE_CALL,
)
def reachable_check(ctx: CheckContext) -> Outcome:
    endpoint = inference_endpoint(ctx.config)
    if endpoint is None:
        return skipped("no usable endpoint URL (see proxy.config)")
    network = ctx.network
    helper = ctx.proxy_helper() if network.settings.proxy is not None else None
    if helper is not None and helper.unusable:
        return failed(
            f'{helper.failure} (Claude Code shows: "Unable to connect to API")',
            Fix(
                f"Make {PROXY_AUTH_HELPER} print the header value on one line, e.g. "
                "'Basic <base64 of user:password>'."
            ),
        )
    result = network.reachability(endpoint.url, ctx.step_timeout())
    details = reachability_details(result, ctx)
    if helper is not None and helper.failure is not None:
        details["proxy_auth_helper"] = helper.failure
    trust_problems = ctx.network.trust_problems
    if trust_problems:
        details["trust_problems"] = list(trust_problems)
    if result.failure is None:
        route = _route(result)
        stages = ", ".join(f"{t.stage.value} {t.ms:.0f} ms" for t in result.stages)
        message = f"{endpoint.host} answers {route} ({stages})"
        if trust_problems:
            return warned(
                message + "; but " + trust_problems[0],
                Fix("Fix or unset the file named above; the client skips it with a warning."),
                **details,
            )
        return passed(message, **details)
    client_cert = ctx.network.settings.client_cert
    message, fix = describe_failure(ctx.config, result, endpoint, trust_problems, client_cert)
    if helper is not None and helper.failure is not None:
        # The client goes on without the header; a proxy that wants one then answers 407.
        message += f" ({helper.failure}, so no Proxy-Authorization was sent)"
    return failed(message, fix, **details)


def describe_failure(
    config: ResolvedConfig,
    result: Reachability,
    endpoint: Endpoint,
    trust_problems: tuple[str, ...] = (),
    client_cert: str | None = None,
) -> tuple[str, Fix]:
    """The message and fix for a failed reachability probe; reused by other live checks."""
    from ccdoctor.knowledge.connectivity import CAUSES
    from ccdoctor.net.probe import Cause

    assert result.failure is not None
    failure = result.failure
    text = CAUSES[failure.cause]
    facts = _facts(result, endpoint, client_cert)
    message = f"{failure.stage.value} stage: " + text.summary.format(**facts)
    fix_text = text.fix.format(**facts)
    if failure.cause is Cause.TLS_UNKNOWN_ISSUER and trust_problems:
        fix_text += " Note: " + trust_problems[0]
    if text.client_says:
        fix_text += f' (Claude Code shows: "{text.client_says}")'
    return message, removal_fix(
        config, fix_text, *text.unsets_for(facts), after=text.commands_for(facts)
    )


def _facts(result: Reachability, endpoint: Endpoint, client_cert: str | None) -> dict[str, str]:
    from ccdoctor.knowledge.connectivity import FACT_DEFAULTS

    assert result.failure is not None
    facts = dict(FACT_DEFAULTS)
    parts = urlsplit(endpoint.url)
    other = "http" if parts.scheme == "https" else "https"
    facts.update(
        host=result.host,
        port=str(result.port),
        url=endpoint.url,
        detail=result.failure.detail,
        other_scheme_url=parts._replace(scheme=other).geturl(),
    )
    if endpoint.custom:
        facts["endpoint_var"] = endpoint.variable
    if result.proxy is not None:
        proxy = urlsplit(result.proxy.url)
        facts.update(
            proxy=safe_url(result.proxy.url),
            proxy_var=result.proxy.variable,
            proxy_hostport=f"{proxy.hostname}:{proxy.port or 80}",
        )
    certificate = result.failure.certificate
    if certificate is not None:
        facts.update(
            issuer=certificate.issuer,
            not_before=certificate.not_before,
            not_after=certificate.not_after,
        )
        if certificate.names:
            facts["names"] = ", ".join(certificate.names)
    facts["client_cert"] = (
        f"it refused the certificate in CLAUDE_CODE_CLIENT_CERT ({client_cert})"
        if client_cert
        else "none is configured (CLAUDE_CODE_CLIENT_CERT is not set)"
    )
    return facts


def _route(result: Reachability) -> str:
    if result.proxy is None:
        return "directly"
    return f"through the proxy {safe_url(result.proxy.url)} ({result.proxy.variable})"


def safe_url(url: str) -> str:
    """A URL with any password replaced by its fingerprint."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    netloc = f"{user}:{fingerprint(parts.password, 'password')}@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()


def reachability_details(result: Reachability, ctx: CheckContext) -> dict[str, Any]:
    details: dict[str, Any] = {
        "url": result.url,
        "via_proxy": safe_url(result.proxy.url) if result.proxy else None,
        "stages": [{"stage": t.stage.value, "ms": t.ms, "ok": t.ok} for t in result.stages],
    }
    if result.status_line:
        details["http_status_line"] = result.status_line
    if result.failure is not None:
        details["failed_stage"] = result.failure.stage.value
        details["cause"] = result.failure.cause.value
        details["error"] = result.failure.detail
        certificate = result.failure.certificate
        if certificate is not None:
            details["certificate"] = {
                "subject": certificate.subject,
                "issuer": certificate.issuer,
                "not_before": certificate.not_before,
                "not_after": certificate.not_after,
                "self_signed": certificate.self_signed,
                "names": list(certificate.names),
            }
    return details
