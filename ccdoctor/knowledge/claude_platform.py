"""Claude Platform on AWS and on Google Cloud as Claude Code 2.1.332 reaches them (observed
against a recording fake and read in its bundle; tests/facts/claude_platform.md): the variables,
the endpoint each builds, and the client's own refusals before any request."""

from __future__ import annotations

import re
from collections.abc import Callable

AWS_API_KEY_VARIABLE = "ANTHROPIC_AWS_API_KEY"
AWS_BASE_URL_VARIABLE = "ANTHROPIC_AWS_BASE_URL"
AWS_WORKSPACE_VARIABLE = "ANTHROPIC_AWS_WORKSPACE_ID"
AWS_SKIP_AUTH_VARIABLE = "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH"
AWS_REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
AWS_DEFAULT_REGION = "us-east-1"
"""Observed: with neither region variable the client signs for us-east-1."""
AWS_SIGV4_SERVICE = "aws-external-anthropic"
"""The SigV4 service name in the client's credential scope (observed)."""
WORKSPACE_HEADER = "anthropic-workspace-id"
"""Claude Platform on AWS sends the workspace in this header on every request (observed)."""

AWS_WORKSPACE_MISSING = (
    "No workspace ID found. Set `workspaceId` in the constructor or the "
    "`ANTHROPIC_AWS_WORKSPACE_ID` environment variable."
)
"""The client's refusal (2.1.197 and 2.1.332) without a workspace ID, unless auth is skipped."""

AWS_NO_CREDENTIALS = (
    "Could not load AWS credentials · Could not load credentials from any providers"
)
"""The client's words (2.1.332) with neither the API key nor AWS credentials."""


def aws_region(get: Callable[[str], str | None]) -> tuple[str, str]:
    """The region the client signs for and builds its host from, and where it came from."""
    for name in AWS_REGION_VARIABLES:
        value = (get(name) or "").strip()
        if value:
            return value, name
    return AWS_DEFAULT_REGION, "built-in default"


def aws_url(region: str) -> str:
    return f"https://{AWS_SIGV4_SERVICE}.{region}.api.aws"


GC_PROJECT_VARIABLES = ("ANTHROPIC_GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT")
"""In the client's order; after them it takes the Application Default Credentials' project."""
GC_LOCATION_VARIABLE = "ANTHROPIC_GOOGLE_CLOUD_LOCATION"
GC_DEFAULT_LOCATION = "global"
GC_WORKSPACE_VARIABLE = "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID"
GC_BASE_URL_VARIABLE = "ANTHROPIC_GOOGLE_CLOUD_BASE_URL"
GC_SKIP_AUTH_VARIABLE = "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH"
GC_HOST = "claude.googleapis.com"
GC_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
GC_ROLE = "roles/claude.user"
"""The IAM role Google's documentation asks for; a 403 usually means it is missing."""

PATH_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
"""What the client accepts in the project, location and workspace it puts into the path; it
checks the variables even when a base URL replaces that path (observed)."""
GC_PATH_VARIABLES = (GC_PROJECT_VARIABLES[0], GC_LOCATION_VARIABLE, GC_WORKSPACE_VARIABLE)
GC_SEGMENT_REFUSED = (
    "{variable} may only contain letters, digits, hyphens, and underscores — it is interpolated "
    "into the claude.googleapis.com request path"
)
GC_WORKSPACE_MISSING = (
    "No workspace ID found. Set `workspaceId` in the constructor or the "
    "`ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID` environment variable."
)
GC_PROJECT_MISSING = (
    "No project was given. Set `project` or the `ANTHROPIC_GOOGLE_CLOUD_PROJECT` environment "
    "variable (or provide `baseURL`)."
)
"""The client's refusals without a base URL (2.1.332); with one, neither is needed (observed)."""


def gc_url(project: str, location: str, workspace: str) -> str:
    return (
        f"https://{GC_HOST}/v1/projects/{project}/locations/{location}"
        f"/workspaces/{workspace}/invoke"
    )


MESSAGES_PATH = "/v1/messages?beta=true"
"""Both routes append this to the base URL or the built endpoint (observed)."""


MODELS_EXPLAIN = f"""
Claude Code posts its Messages request to {{base}}{MESSAGES_PATH} on both Claude Platform
routes, with `{WORKSPACE_HEADER}` on AWS. Observed on 2.1.332 (and 2.1.197 on AWS): a model
the workspace does not serve is answered 404, and the client, which has no model fallback on these
routes, ends with "There's an issue with the selected model". A 401 or 403 ends in "AWS
authentication failed" or "Google Cloud authentication failed" (on Google Cloud the principal
usually lacks {GC_ROLE}).

This check sends the client's request with max_tokens 1 for the main and the small/fast model (a
fraction of a cent) with the API key, or on AWS without one SigV4-signed with the AWS credential
chain (service aws-external-anthropic, as the client signs), on Google Cloud with an access token
minted from the Application Default Credentials, or under skip-auth no credential. --no-invoke sends
nothing. The main model refused is a failure, the small/fast one a warning (a one-shot run does not
ask it).
"""
"""The explain text both Claude Platform models checks share."""
