"""What the real client sends on the Anthropic route (observed: Claude Code 2.1.197 against a
recording fake; re-check when the client changes)."""

from __future__ import annotations

ANTHROPIC_VERSION = "2023-06-01"
MESSAGES_PATH = "/v1/messages?beta=true"
COUNT_TOKENS_PATH = "/v1/messages/count_tokens?beta=true"
MODELS_PATH = "/v1/models"

CLAUDE_CODE_BETA = "claude-code-20250219"
ONE_MILLION_BETA = "context-1m-2025-08-07"
EXPERIMENTAL_BETAS = (
    "interleaved-thinking-2025-05-14",
    "thinking-token-count-2026-05-13",
    "context-management-2025-06-27",
    "prompt-caching-scope-2026-01-05",
    "mid-conversation-system-2026-04-07",
    "effort-2025-11-24",
)
"""Sent after claude-code-20250219 unless CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS is set."""

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
