"""What the real client sends on the Anthropic route that does not change between the observed
versions (Claude Code 2.1.197 and 2.1.332 against a recording fake). What does change, the
`anthropic-beta` list among it, is in the facts of each version (ccdoctor/clients/versions)."""

from __future__ import annotations

ANTHROPIC_VERSION = "2023-06-01"
MESSAGES_PATH = "/v1/messages?beta=true"
COUNT_TOKENS_PATH = "/v1/messages/count_tokens?beta=true"
MODELS_PATH = "/v1/models"

ONE_MILLION_BETA = "context-1m-2025-08-07"

CLIENT_HEADERS = {
    "x-app": "cli",
    "anthropic-dangerous-direct-browser-access": "true",
    "accept": "application/json",
}


def user_agent(version: str | None) -> str:
    return f"claude-cli/{version or '2.1.197'} (external, cli)"


GATEWAY_PREFIXES = ("/anthropic",)
"""Path prefixes under which gateways serve the Anthropic API (LiteLLM's pass-through)."""

PROBE_BETA = "ccdoctor-probe-2099-01-01"
"""A beta value no server knows: a 400 naming it proves anthropic-beta reaches the upstream."""
