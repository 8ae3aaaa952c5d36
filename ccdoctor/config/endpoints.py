"""The endpoint the client will call for inference, per provider."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.provider import Provider
from ccdoctor.knowledge import claude_platform, foundry, mantle
from ccdoctor.knowledge.regions import vertex_host
from ccdoctor.knowledge.routes import route

ANTHROPIC_API = "https://api.anthropic.com"


@dataclass(frozen=True)
class Endpoint:
    """The base URL a route sends to, which variable set it, and whether it is custom rather than
    the route's own default."""

    url: str
    """Base URL without a trailing slash, as the client would join paths onto it."""
    variable: str
    """The variable that set it, or a description of the built-in default."""
    custom: bool

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def inference_endpoint(config: ResolvedConfig) -> Endpoint | None:
    """None when the configured base URL cannot be used at all (proxy.config explains why)."""
    provider = config.provider.provider
    variable = route(provider).base_url_variable
    raw = config.get(variable)
    if raw is not None and raw.strip():
        url = raw.strip().rstrip("/")
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:  # e.g. an unclosed IPv6 bracket; proxy.config names the fault
            return None
        if parts.scheme not in ("http", "https") or not host:
            return None
        return Endpoint(url, variable, custom=True)
    if provider is Provider.BEDROCK:
        region = config.bedrock_region.value
        return Endpoint(f"https://bedrock-runtime.{region}.amazonaws.com", "AWS region", False)
    if provider is Provider.VERTEX:
        host = vertex_host(config.vertex_regions["main"].value)
        return Endpoint(f"https://{host}/v1", "CLOUD_ML_REGION", False)
    if provider is Provider.FOUNDRY:
        resource = (config.get("ANTHROPIC_FOUNDRY_RESOURCE") or "").strip()
        if not foundry.RESOURCE_NAME.fullmatch(resource):
            return None
        return Endpoint(
            f"https://{resource}.services.ai.azure.com/anthropic",
            "ANTHROPIC_FOUNDRY_RESOURCE",
            False,
        )
    if provider is Provider.ANTHROPIC_AWS:
        region, _ = claude_platform.aws_region(config.get)
        return Endpoint(claude_platform.aws_url(region), "AWS region", False)
    if provider is Provider.ANTHROPIC_GOOGLE_CLOUD:
        return Endpoint(f"https://{claude_platform.GC_HOST}", "built-in default", False)
    if provider is Provider.MANTLE:
        return Endpoint(mantle.url(config.bedrock_region.value), "AWS region", False)
    return Endpoint(ANTHROPIC_API, "default Anthropic API", False)
