"""Which configuration values are secrets, and the shapes secrets take in free text."""

from __future__ import annotations

import re

SECRET_VARIABLES = frozenset(
    {
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_FOUNDRY_API_KEY",
        "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
        "ANTHROPIC_AWS_API_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_BEARER_TOKEN_BEDROCK",
        "CLAUDE_CODE_GATEWAY_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "CLAUDE_CODE_CLIENT_KEY_PASSPHRASE",
        "AWS_ACCESS_KEY_ID",
    }
)

_SECRET_NAME = re.compile(r"(?:TOKEN|SECRET|PASSWORD|PASSPHRASE|API_KEY|_KEY$|CREDENTIAL)", re.I)
_NOT_SECRET = frozenset(
    {
        "CLAUDE_CODE_CLIENT_KEY",  # a path to a key file, not the key
        "GOOGLE_APPLICATION_CREDENTIALS",  # a path
        "CLAUDE_CODE_API_KEY_HELPER_TTL_MS",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "CLAUDE_CODE_SKIP_AWS_CRED_CACHE",
    }
)


def is_secret_variable(name: str) -> bool:
    upper = name.upper()
    if upper in _NOT_SECRET:
        return False
    return upper in SECRET_VARIABLES or bool(_SECRET_NAME.search(upper))


SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private-key",
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S
        ),
    ),
    ("anthropic-key", re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}")),
    ("litellm-key", re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}")),
    ("bedrock-api-key", re.compile(r"\b(?:ABSK|bedrock-api-key-)[A-Za-z0-9+/=_\-]{16,}")),
    ("aws-access-key-id", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("google-token", re.compile(r"\bya29\.[A-Za-z0-9_\-.]{8,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*")),
    ("bearer-token", re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=\-]{12,}")),
    ("url-password", re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)")),
)
"""Shapes scrubbed from any text even when ccdoctor never saw the value itself (e.g. a server
echoing a credential back in an error body)."""
