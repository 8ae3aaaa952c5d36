"""proxy.config — the endpoint URLs the client will call: do they parse, and do they fit?"""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, Problem
from ccdoctor.diagnose.base_urls import (
    endpoints_in_use,
    endpoints_summary,
    foundry_without_endpoint,
    ignored_base_url,
    judge_base_url,
    skip_auth_problems,
)
from ccdoctor.knowledge import network
from ccdoctor.knowledge.routes import ROUTES
from ccdoctor.spec import check


@check(
    id="proxy.config",
    title="Endpoint URLs",
    category=Category.PROXY,
    description="Whether the base-URL variables parse, have the path the client expects, and "
    "belong to the provider in use.",
    explain="""
Looks at ANTHROPIC_BASE_URL, ANTHROPIC_BEDROCK_BASE_URL, ANTHROPIC_VERTEX_BASE_URL and
ANTHROPIC_FOUNDRY_BASE_URL as the client reads them, without sending anything.

Claude Code refuses a URL wrapped in literal quotes or without a scheme and stops at once. It
appends /v1/messages to ANTHROPIC_BASE_URL itself, so a value ending in /v1 produces
/v1/v1/messages and a 404; ANTHROPIC_VERTEX_BASE_URL, on the contrary, must end in /v1. Plain
http:// to another machine sends credentials in clear. CLAUDE_CODE_SKIP_BEDROCK_AUTH or
CLAUDE_CODE_SKIP_VERTEX_AUTH without a gateway base URL sends unsigned requests to the cloud
provider, which answers 403. A base URL for a provider that is not selected is ignored.

Typical fixes: remove the quotes; add http:// or https://; drop /v1 from ANTHROPIC_BASE_URL; add
/v1 to ANTHROPIC_VERTEX_BASE_URL; set the gateway base URL next to the skip-auth flag.
""",
)
def proxy_config_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    provider = config.provider.provider
    problems: list[Problem] = []
    urls: dict[str, object] = {}
    for url_provider, variable in ((r.provider, r.base_url_variable) for r in ROUTES):
        value = config.env.get(variable)
        if value is None or value.text is None:
            continue
        for secret in network.userinfo_secrets(value.text.strip()):
            ctx.redactor.add(secret, "url-credential")
        if url_provider is not provider:
            urls[variable] = {"ignored": True, "source": value.origin.describe()}
            # config.provider already reports ANTHROPIC_BASE_URL beaten by a provider flag.
            if url_provider is not Provider.ANTHROPIC:
                problems.append(ignored_base_url(config, value, url_provider, provider))
            continue
        verdict = judge_base_url(variable, value.text)
        problems.extend(verdict.problems)
        urls[variable] = {
            "url": verdict.reading.display if verdict.reading else None,
            "source": value.origin.describe(),
            "notes": list(verdict.notes),
        }
    problems.extend(skip_auth_problems(config))
    endpoints = endpoints_in_use(config)
    foundry_named = config.get(network.FOUNDRY_RESOURCE_VARIABLE) is not None
    if provider is Provider.FOUNDRY and not endpoints and not problems and not foundry_named:
        problems.append(foundry_without_endpoint())
    details = {
        "provider": provider.value,
        "base_urls": urls,
        "endpoints": [{"url": e.url, "source": e.source} for e in endpoints],
    }
    return Outcome.from_problems(problems, endpoints_summary(config, endpoints), details)
