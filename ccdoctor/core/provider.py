"""The routes Claude Code can talk to."""

from __future__ import annotations

import enum


class Provider(enum.StrEnum):
    ANTHROPIC = "anthropic"
    BEDROCK = "bedrock"
    VERTEX = "vertex"
    FOUNDRY = "foundry"
