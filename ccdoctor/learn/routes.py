"""Each route's variables for one client run against a loopback fake: its flag, its base URL,
and what it will not start without, with authentication skipped or a key given. Learning runs
the client so, and the facts observer (tests/facts/observe.py) does too, so that what ccdoctor
learns and what the facts tier proves come from the same set-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

AWS_REGION = "us-east-1"
BEDROCK_PREFIX = "us"
"""The cross-region profile prefix the client prefers in AWS_REGION; a facts file writes it
`{prefix}`."""
VERTEX_REGION = "us-east5"


@dataclass(frozen=True)
class Stand:
    """What a run's fake takes as credentials and names, where a route asks for them."""

    api_key: str
    project: str
    workspace: str


def _anthropic(url: str, stand: Stand) -> dict[str, str]:
    return {"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": stand.api_key}


def _bedrock(url: str, stand: Stand) -> dict[str, str]:
    return {
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1",
        "ANTHROPIC_BEDROCK_BASE_URL": url,
        "AWS_REGION": AWS_REGION,
    }


def _vertex(url: str, stand: Stand) -> dict[str, str]:
    return {
        "CLAUDE_CODE_USE_VERTEX": "1",
        "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
        "ANTHROPIC_VERTEX_BASE_URL": url,
        "ANTHROPIC_VERTEX_PROJECT_ID": stand.project,
        "CLOUD_ML_REGION": VERTEX_REGION,
    }


def _foundry(url: str, stand: Stand) -> dict[str, str]:
    return {
        "CLAUDE_CODE_USE_FOUNDRY": "1",
        "ANTHROPIC_FOUNDRY_BASE_URL": url,
        "ANTHROPIC_FOUNDRY_API_KEY": stand.api_key,
    }


def _mantle(url: str, stand: Stand) -> dict[str, str]:
    # Skip-auth: no start-up probe, so the first request is the session's own model.
    return {
        "CLAUDE_CODE_USE_MANTLE": "1",
        "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": url,
        "CLAUDE_CODE_SKIP_MANTLE_AUTH": "1",
        "AWS_REGION": AWS_REGION,
    }


def _anthropic_aws(url: str, stand: Stand) -> dict[str, str]:
    return {
        "CLAUDE_CODE_USE_ANTHROPIC_AWS": "1",
        "ANTHROPIC_AWS_BASE_URL": url,
        "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH": "1",
        "ANTHROPIC_AWS_WORKSPACE_ID": stand.workspace,
        "AWS_REGION": AWS_REGION,
    }


def _anthropic_google_cloud(url: str, stand: Stand) -> dict[str, str]:
    return {
        "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD": "1",
        "ANTHROPIC_GOOGLE_CLOUD_BASE_URL": url,
        "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH": "1",
        "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID": stand.workspace,
        "ANTHROPIC_GOOGLE_CLOUD_PROJECT": stand.project,
    }


ROUTE_ENVS: Mapping[str, Callable[[str, Stand], dict[str, str]]] = {
    "anthropic": _anthropic,
    "bedrock": _bedrock,
    "vertex": _vertex,
    "foundry": _foundry,
    "mantle": _mantle,
    "anthropic_aws": _anthropic_aws,
    "anthropic_google_cloud": _anthropic_google_cloud,
}
"""By route, given the value of its base URL variable (Vertex's ends in `/v1`)."""
