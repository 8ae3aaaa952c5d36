"""network.env — proxy, NO_PROXY, CA bundles, mTLS files and TLS switches, judged offline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.diagnose.network_files import (
    bundle_summary,
    bypass_summary,
    bypassed_hosts,
    file_path,
    identity_summary,
    inspect_ca_bundle,
    inspect_client_identity,
    judge_no_proxy,
    judge_proxy,
    optional_file,
    proxy_in_use,
    report_details,
    skipped_by_client,
    source_of,
    verification_off,
)
from ccdoctor.knowledge import network
from ccdoctor.knowledge.network import UrlReading
from ccdoctor.spec import check


def system_store_left_out(config: ResolvedConfig, variable: str) -> Problem:
    value = config.get(network.CERT_STORE_VARIABLE)
    return Problem(
        Status.WARN,
        f"{variable} is ignored: {network.CERT_STORE_VARIABLE}={value} leaves out the system "
        f"store, which is where Claude Code reads {variable}",
        Fix(
            f"Give the CA to Claude Code in NODE_EXTRA_CA_CERTS, which every store setting "
            f"honours, or add system to {network.CERT_STORE_VARIABLE}.",
            (f"export NODE_EXTRA_CA_CERTS={config.get(variable)}",)
            if variable == "SSL_CERT_FILE"
            else (f"export {network.CERT_STORE_VARIABLE}=bundled,system",),
        ),
    )


@check(
    id="network.env",
    title="Proxy and TLS settings",
    category=Category.NETWORK,
    description="Whether the proxy variables, NO_PROXY, extra CA bundles and mTLS files are "
    "usable by the client.",
    explain="""
Claude Code uses the first set of https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY (and, from
2.1.280, all_proxy, ALL_PROXY) for every request. The value must be a full http:// or https://
URL: without a scheme the client refuses to launch, and SOCKS proxies are not supported. An
https:// proxy gets TLS before the tunnel, so a plain proxy must be written http://. NO_PROXY
(comma or space separated, * for all) lets hosts bypass the proxy; this check says whether the
endpoint in use does.

NODE_EXTRA_CA_CERTS and SSL_CERT_FILE must name PEM files of CA certificates (what a
TLS-inspecting corporate proxy needs). A NODE_EXTRA_CA_CERTS file that is missing, unreadable or
not PEM is a warning: the client skips it with a warning and goes on with its built-in CAs (the
network checks fail if a proxy needed it); CLAUDE_CODE_CLIENT_CERT and CLAUDE_CODE_CLIENT_KEY (with
CLAUDE_CODE_CLIENT_KEY_PASSPHRASE for an encrypted key) must be a matching, unexpired pair.
NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate verification off for everything.
CLAUDE_CODE_CERT_STORE=bundled leaves out the system store, and SSL_CERT_FILE and SSL_CERT_DIR
with it; NODE_EXTRA_CA_CERTS counts whatever the store setting.

Typical fixes: write the proxy as http://host:port; point NODE_EXTRA_CA_CERTS at the corporate
root CA in PEM form (convert DER with openssl); re-issue an expired client certificate; remove
NODE_TLS_REJECT_UNAUTHORIZED.
""",
)
def network_env_check(ctx: CheckContext) -> Outcome:
    from ccdoctor.net.settings import (
        NO_PROXY_VARIABLES,
        cert_stores,
        first_set,
        ignored_proxy_variables,
        no_proxy_entries,
    )

    config = ctx.config
    now = dt.datetime.now(dt.UTC)
    problems: list[Problem] = []
    summary: list[str] = []
    details: dict[str, Any] = {}

    proxy = proxy_in_use(config)
    reading: UrlReading | None = None
    if proxy is not None:
        for secret in network.userinfo_secrets(proxy.raw.strip()):
            ctx.redactor.add(secret, "proxy-credential")
        reading, found = judge_proxy(proxy.variable, proxy.raw)
        problems.extend(found)
        details["proxy"] = {
            "variable": proxy.variable,
            "url": reading.display if reading else None,
            "source": source_of(config, proxy.variable),
            "shadowed": list(proxy.shadowed),
        }
        if reading is not None:
            summary.append(f"proxy {reading.display} ({proxy.variable})")
        # Not a problem for Claude Code, but curl, pip or git may read the other spelling and
        # go elsewhere: worth a mention, not a warning.
        differing = [
            name for name in proxy.shadowed if (config.get(name) or "").strip() != proxy.raw.strip()
        ]
        if differing:
            details["differing_proxy_variables"] = differing
            summary.append(
                f"{', '.join(differing)} set to something else, which Claude Code ignores "
                f"({proxy.variable} comes first; other tools may read {differing[0]})"
            )
    else:
        summary.append("no proxy")

    for name in ignored_proxy_variables(config.get, config.facts.proxy_variables):
        problems.append(
            Problem(
                Status.WARN,
                f"{name}={config.get(name)} is ignored: Claude Code takes only an http(s) proxy "
                f"from {name}, and goes past this one",
                Fix(
                    "If requests must go through a proxy, give Claude Code its HTTP (CONNECT) "
                    "port in HTTPS_PROXY; otherwise nothing to do.",
                ),
            )
        )

    no_proxy = first_set(config.get, NO_PROXY_VARIABLES)
    if no_proxy is not None:
        variable = no_proxy.variable
        entries = no_proxy_entries(no_proxy.text)
        problems.extend(judge_no_proxy(variable, entries))
        bypassed = bypassed_hosts(config, entries)
        details["no_proxy"] = {"variable": variable, "entries": list(entries), **bypassed}
        if reading is not None:
            summary.extend(bypass_summary(variable, bypassed))

    stores = cert_stores(config.get(network.CERT_STORE_VARIABLE))
    details["cert_stores"] = sorted(stores)
    left_out: frozenset[str] = frozenset() if "system" in stores else network.SYSTEM_STORE_VARIABLES
    problems.extend(
        system_store_left_out(config, v) for v in sorted(left_out) if config.get(v) is not None
    )
    for variable in network.CA_BUNDLE_VARIABLES:
        raw = config.get(variable)
        if raw is None or variable in left_out:
            continue
        path = file_path(config, variable, raw)
        if isinstance(path, Problem):
            problems.append(skipped_by_client(variable, path))
            continue
        report = inspect_ca_bundle(config, variable, path, now)
        problems.extend(report.problems)
        details[variable] = report_details(path, report)
        if not report.problems:
            summary.append(f"{variable} {path}: {bundle_summary(report)}")

    cert_path = optional_file(config, network.CLIENT_CERT_VARIABLE)
    key_path = optional_file(config, network.CLIENT_KEY_VARIABLE)
    problems.extend(p for p in (cert_path, key_path) if isinstance(p, Problem))
    if not isinstance(cert_path, Problem) and not isinstance(key_path, Problem):
        passphrase = config.get(network.CLIENT_KEY_PASSPHRASE_VARIABLE)
        identity = inspect_client_identity(cert_path, key_path, passphrase, now)
        problems.extend(identity.problems)
        if cert_path is not None and key_path is not None:
            details["client_certificate"] = report_details(cert_path, identity)
            if not identity.problems:
                summary.append(f"mTLS client certificate {identity_summary(identity)}")

    helper = config.settings.get(network.PROXY_AUTH_HELPER)
    if helper is not None and not config.truthy(network.PROXY_AUTH_HELPER_SWITCH):
        problems.append(
            Problem(
                Status.WARN,
                f"{network.PROXY_AUTH_HELPER} in {helper.origin.describe()} is ignored: Claude "
                f"Code runs it only with {network.PROXY_AUTH_HELPER_SWITCH}=1",
                Fix(
                    f"Turn it on if the proxy needs the header it prints, or remove "
                    f"{network.PROXY_AUTH_HELPER}.",
                    (f"export {network.PROXY_AUTH_HELPER_SWITCH}=1",),
                ),
            )
        )
    if config.get(network.TLS_REJECT_VARIABLE) == network.TLS_REJECT_OFF:
        problems.append(verification_off(config))
    return Outcome.from_problems(problems, "; ".join(summary), details)
