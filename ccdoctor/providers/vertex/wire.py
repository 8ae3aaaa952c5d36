"""What the client sends to Vertex AI, and where (providers.md §B2; observed-client.md: Claude Code
2.1.197 posts `{base}/projects/{p}/locations/{r}/publishers/anthropic/models/{m}:streamRawPredict`).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ccdoctor.knowledge.regions import vertex_host

BASE_PATH = "/v1"
"""Appended to the host the client builds; ANTHROPIC_VERTEX_BASE_URL replaces host and path."""
MODEL_PATH = "/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:{method}"
STREAM_METHOD = "streamRawPredict"
"""The client's inference call: server-sent events, like the Anthropic stream."""
RAW_METHOD = "rawPredict"
COUNT_TOKENS_MODEL = "count-tokens"
"""The literal model segment of the free token-counting call; the model goes in the body."""
PATH_SHAPE = MODEL_PATH.format(
    project="{project}", location="{location}", model="{model}", method=STREAM_METHOD
)

ANTHROPIC_VERSION_BODY = "vertex-2023-10-16"
"""The body field every rawPredict/streamRawPredict carries instead of a `model` field."""
BETAS_SENT = ("claude-code-20250219",)
"""Only the client's own beta: Vertex rejects several experimental ones (claude-code-config.md
failure 17), and which of those this client version sends on Vertex has not been observed."""
QUOTA_PROJECT_HEADER = "x-goog-user-project"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
PING_TEXT = "ping"

TRY_LOCATIONS = ("global", "us", "eu", "us-east5")
"""Where to look, with free token counts, for a model that 404s in its location: the global and
multi-region endpoints serve the newest models, us-east5 the most regional ones."""

METADATA_HOST_VARIABLES = ("GCE_METADATA_HOST", "GCE_METADATA_IP")
METADATA_DEFAULT_HOST = "169.254.169.254"
"""Node's gcp-metadata default: an address, so no DNS lookup of metadata.google.internal."""
METADATA_ROOT = "/computeMetadata/v1"
METADATA_HEADERS = {"metadata-flavor": "Google"}
METADATA_TOKEN_PATH = "/instance/service-accounts/default/token"
METADATA_EMAIL_PATH = "/instance/service-accounts/default/email"
METADATA_PROJECT_PATH = "/project/project-id"

MODEL_GARDEN_URL = (
    "https://console.cloud.google.com/vertex-ai/publishers/anthropic/model-garden/{model_name}"
    "?project={project}"
)
QUOTAS_URL = "https://console.cloud.google.com/iam-admin/quotas?project={project}"
VERTEX_ROLE = "roles/aiplatform.user"
PREDICT_PERMISSION = "aiplatform.endpoints.predict"

_DATE_SUFFIX = re.compile(r"@\d{8}$")


def default_base(location: str) -> str:
    return f"https://{vertex_host(location)}{BASE_PATH}"


def model_url(base: str, project: str, location: str, model: str, method: str) -> str:
    path = MODEL_PATH.format(
        project=quote(project, safe=""),
        location=quote(location, safe=""),
        model=quote(model, safe="@"),
        method=method,
    )
    return base.rstrip("/") + path


def model_name(model_id: str) -> str:
    """The Model Garden name: the model version without its `@date`."""
    return _DATE_SUFFIX.sub("", model_id)


def base_model(model_id: str) -> str:
    """How quota errors name a model: `anthropic-claude-sonnet-4-5` for claude-sonnet-4-5@…"""
    return f"anthropic-{model_name(model_id)}"


def stream_body() -> dict[str, object]:
    return {
        "anthropic_version": ANTHROPIC_VERSION_BODY,
        "max_tokens": 1,
        "messages": [{"role": "user", "content": PING_TEXT}],
        "stream": True,
    }


def count_tokens_body(model_id: str) -> dict[str, object]:
    return {"model": model_id, "messages": [{"role": "user", "content": PING_TEXT}]}
