"""The routes Claude Code can talk to."""

from __future__ import annotations

import enum


class Provider(enum.StrEnum):
    ANTHROPIC = "anthropic"
    BEDROCK = "bedrock"
    VERTEX = "vertex"
    FOUNDRY = "foundry"
    ANTHROPIC_AWS = "anthropic_aws"
    """Claude Platform on AWS."""
    ANTHROPIC_GOOGLE_CLOUD = "anthropic_google_cloud"
    """Claude Platform on Google Cloud."""
    MANTLE = "mantle"
    """Bedrock's Anthropic-compatible Mantle endpoint."""
