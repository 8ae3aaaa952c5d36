"""Prompt-caching switches the client reads, and when their behaviour changed."""

from __future__ import annotations

import re

from ccdoctor.core.provider import Provider
from ccdoctor.knowledge.routes import ROUTES

DISABLE_ALL = "DISABLE_PROMPT_CACHING"
DISABLE_BY_FAMILY = {
    "haiku": "DISABLE_PROMPT_CACHING_HAIKU",
    "sonnet": "DISABLE_PROMPT_CACHING_SONNET",
    "opus": "DISABLE_PROMPT_CACHING_OPUS",
    "fable": "DISABLE_PROMPT_CACHING_FABLE",
}
DISABLE_VARIABLES = (DISABLE_ALL, *DISABLE_BY_FAMILY.values())

ENABLE_ONE_HOUR = "ENABLE_PROMPT_CACHING_1H"
ENABLE_ONE_HOUR_BEDROCK = "ENABLE_PROMPT_CACHING_1H_BEDROCK"
"""Deprecated alias of ENABLE_PROMPT_CACHING_1H."""
FORCE_FIVE_MINUTES = "FORCE_PROMPT_CACHING_5M"
"""Beats ENABLE_PROMPT_CACHING_1H."""

STARTUP_WARNING_SINCE = (2, 1, 108)
"""From this version the client warns at start-up when a DISABLE_PROMPT_CACHING* is set."""
ONE_HOUR_ON_CLOUD_FIXED = (2, 1, 132)
"""Before this version ENABLE_PROMPT_CACHING_1H made Bedrock and Vertex answer 400."""
CLOUD_PROVIDERS = frozenset({Provider.BEDROCK, Provider.VERTEX})

SYSTEM_BLOCK_UNMARKED_BY = {
    row.provider: row.base_url_variable for row in ROUTES if row.provider in CLOUD_PROVIDERS
}
"""Set to any value (even the provider's own endpoint), these make the client stop marking the
mid-conversation system block for caching: it is billed as uncached input every turn."""

_FAMILY = re.compile(r"(opus|sonnet|haiku|fable)")


def model_family(model_id: str) -> str | None:
    """The family a per-model switch keys on; None for IDs that do not name one (e.g. ARNs)."""
    match = _FAMILY.search(model_id.lower())
    return match.group(1) if match else None
