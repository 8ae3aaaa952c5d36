"""Vertex AI's error answers and google-auth's exceptions: what each means and how to fix it.

The rows are providers.md §B3 as data. Google's messages carry project numbers, locations and
model IDs, so a row matches on the HTTP status, the JSON `error.status`, the `error.details[]
.reason` and stable lower-case substrings; the first matching row wins, so specific rows come
first. Texts use the placeholders of FACT_DEFAULTS.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# --- Vertex AI answers -------------------------------------------------------------------------


class VertexCause(enum.StrEnum):
    UNAUTHENTICATED = "unauthenticated"
    PROJECT_NOT_FOUND = "project_not_found"
    SERVICE_DISABLED = "service_disabled"
    BILLING_DISABLED = "billing_disabled"
    IAM_DENIED = "iam_denied"
    DATA_SHARING = "data_sharing"
    MODEL_TERMS = "model_terms"
    MODEL_NOT_FOUND = "model_not_found"
    QUOTA_EXHAUSTED = "quota_exhausted"
    CAPACITY = "capacity"
    BETA_REJECTED = "beta_rejected"
    INVALID_ARGUMENT = "invalid_argument"
    SERVER_ERROR = "server_error"
    UNKNOWN = "unknown"


PROJECT_WIDE = frozenset(
    {
        VertexCause.UNAUTHENTICATED,
        VertexCause.PROJECT_NOT_FOUND,
        VertexCause.SERVICE_DISABLED,
        VertexCause.BILLING_DISABLED,
        VertexCause.IAM_DENIED,
    }
)
"""Causes that block every model and method alike: a free call showing one needs no billed
call to confirm it."""


@dataclass(frozen=True)
class VertexErrorRow:
    """One row of the Vertex AI error table: the cause, how to recognise its answer, what it means
    and the fix."""

    cause: VertexCause
    meaning: str
    fix: str
    commands: tuple[str, ...] = ()
    statuses: frozenset[int] = frozenset()
    """HTTP statuses the row applies to; empty: any."""
    google_status: str | None = None
    reasons: frozenset[str] = frozenset()
    """`error.details[].reason` values, any of which identifies the row."""
    needles: tuple[str, ...] = ()
    """Lower-case substrings of `error.message`, any of which identifies the row. With neither
    reasons nor needles, the status alone decides."""
    transient: bool = False
    """Gone on a retry or within minutes: a warning, never a failure."""


@dataclass(frozen=True)
class GoogleError:
    """The `{"error": {...}}` body Google answers with (some methods wrap it in a list)."""

    code: int | None
    status: str
    message: str
    reasons: tuple[str, ...]
    metadata: Mapping[str, str]


FACT_DEFAULTS: dict[str, str] = {
    "project": "PROJECT_ID",
    "location": "LOCATION",
    "model": "MODEL",
    "model_name": "MODEL",
    "member": "user:YOU@example.com",
    "quota_metric": "the prediction quota",
    "base_model": "this model",
    "region_variable": "CLOUD_ML_REGION",
    "model_garden_url": "https://console.cloud.google.com/vertex-ai/model-garden",
    "quotas_url": "https://console.cloud.google.com/iam-admin/quotas",
    "consumer": "",
}

VERTEX_ERROR_ROWS: tuple[VertexErrorRow, ...] = (
    VertexErrorRow(
        VertexCause.UNAUTHENTICATED,
        "the request was refused as unauthenticated (401)",
        "The access token was not accepted: log in again, or check that the credentials belong "
        "to the Google Cloud organisation that owns {project}.",
        ("gcloud auth application-default login",),
        statuses=frozenset({401}),
    ),
    VertexErrorRow(
        VertexCause.PROJECT_NOT_FOUND,
        "project {project} does not exist or is not visible to these credentials (a project "
        "name or number used where the project ID belongs?)",
        "Use the project ID, as `gcloud projects list` shows it in its PROJECT_ID column.",
        ("gcloud projects list",),
        statuses=frozenset({400, 403, 404}),
        reasons=frozenset({"CONSUMER_INVALID", "PROJECT_INVALID", "USER_PROJECT_DENIED"}),
        needles=("permission denied on resource project", "project not found"),
    ),
    VertexErrorRow(
        VertexCause.SERVICE_DISABLED,
        "the Vertex AI API is not enabled in project {consumer}",
        "Enable the Vertex AI API (aiplatform.googleapis.com) in the project, then wait a few "
        "minutes for it to take effect.",
        ("gcloud services enable aiplatform.googleapis.com --project {project}",),
        statuses=frozenset({403}),
        reasons=frozenset({"SERVICE_DISABLED"}),
        needles=("has not been used in project", "it is disabled"),
    ),
    VertexErrorRow(
        VertexCause.BILLING_DISABLED,
        "project {project} has no active billing account",
        "Link a billing account to the project (Console → Billing), then retry.",
        ("gcloud billing projects link {project} --billing-account=BILLING_ACCOUNT_ID",),
        statuses=frozenset({400, 403}),
        reasons=frozenset({"BILLING_DISABLED"}),
        needles=("billing to be enabled", "billing account", "billing is disabled"),
    ),
    VertexErrorRow(
        VertexCause.IAM_DENIED,
        "{member} lacks aiplatform.endpoints.predict on project {project}",
        "Grant the Vertex AI User role (roles/aiplatform.user) on the project Claude Code "
        "uses — or, if {project} is not the project you meant, fix the project.",
        (
            "gcloud projects add-iam-policy-binding {project} --member={member} "
            "--role=roles/aiplatform.user",
        ),
        statuses=frozenset({403}),
        reasons=frozenset({"IAM_PERMISSION_DENIED"}),
        needles=("aiplatform.endpoints.predict", "permission denied", "does not have permission"),
    ),
    VertexErrorRow(
        VertexCause.DATA_SHARING,
        "{model} needs data sharing enabled for the publisher anthropic",
        "Open the model's Model Garden card ({model_garden_url}) and enable data sharing for "
        "the publisher anthropic, as the card asks.",
        statuses=frozenset({400, 403}),
        needles=("requires data sharing",),
    ),
    VertexErrorRow(
        VertexCause.MODEL_TERMS,
        "project {project} is not allowed to use {model}: it is not enabled in Model Garden",
        "Open the model's Model Garden card ({model_garden_url}), accept the terms and enable "
        "it; approval can take 24–48 hours.",
        statuses=frozenset({400, 403}),
        needles=("is not allowed to use publisher model",),
    ),
    VertexErrorRow(
        VertexCause.MODEL_NOT_FOUND,
        "{model} is not served in {location} for project {project}, or the project has no "
        "access to it",
        "Call the model where it is served, or enable it in Model Garden ({model_garden_url}).",
        statuses=frozenset({404}),
        needles=("publisher model", "was not found or your project does not have access"),
    ),
    VertexErrorRow(
        VertexCause.MODEL_NOT_FOUND,
        'Vertex AI found no {model} in {location} ("Requested entity was not found")',
        "Check the model ID and its location; enable the model in Model Garden "
        "({model_garden_url}).",
        statuses=frozenset({404}),
        needles=("requested entity was not found",),
    ),
    VertexErrorRow(
        VertexCause.QUOTA_EXHAUSTED,
        "the quota {quota_metric} for {base_model} in {location} is exhausted (new projects "
        "often start at 0)",
        "Request a quota increase for {base_model} in {location} ({quotas_url}, filter on the "
        "base model), or call the model on the global endpoint, which has its own quota.",
        statuses=frozenset({429}),
        needles=("quota exceeded for",),
    ),
    VertexErrorRow(
        VertexCause.CAPACITY,
        "Vertex AI has no capacity for {model} in {location} right now (429 Resource exhausted)",
        "Retry later; the global endpoint draws on more capacity. Claude Code retries 429s "
        "for about three minutes before it gives up.",
        statuses=frozenset({429}),
        transient=True,
    ),
    VertexErrorRow(
        VertexCause.BETA_REJECTED,
        "Vertex AI rejects an anthropic-beta value for {model}",
        "Turn the client's experimental betas off, or upgrade Claude Code.",
        ("export CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1",),
        statuses=frozenset({400}),
        needles=("for the `anthropic-beta` header", "invalid beta flag"),
    ),
    VertexErrorRow(
        VertexCause.INVALID_ARGUMENT,
        "Vertex AI refused the request body for {model} (400)",
        "The body the client sends was refused: a gateway in between may rewrite it (it must "
        'keep "anthropic_version": "vertex-2023-10-16" and add no "model" field), or the '
        "model does not support a feature the client asks for.",
        statuses=frozenset({400}),
    ),
    VertexErrorRow(
        VertexCause.SERVER_ERROR,
        "Vertex AI failed with a server error",
        "Retry later; if it persists, check https://status.cloud.google.com.",
        statuses=frozenset({500, 502, 503, 504}),
        transient=True,
    ),
)

UNKNOWN_ROW = VertexErrorRow(
    VertexCause.UNKNOWN,
    "Vertex AI refused the request",
    "Google's own words are in the message; check the project, location and model.",
)


def parse_google_error(data: Any) -> GoogleError | None:
    """The error in a Google JSON answer, whether bare or wrapped in a one-element list."""
    if isinstance(data, list) and data:
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return None
    details = error.get("details")
    reasons: list[str] = []
    metadata: dict[str, str] = {}
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict):
            continue
        if isinstance(detail.get("reason"), str):
            reasons.append(detail["reason"])
        if isinstance(detail.get("metadata"), dict):
            metadata.update({k: v for k, v in detail["metadata"].items() if isinstance(v, str)})
    code = error.get("code")
    status = error.get("status")
    message = error.get("message")
    return GoogleError(
        code if isinstance(code, int) and not isinstance(code, bool) else None,
        status if isinstance(status, str) else "",
        message if isinstance(message, str) else "",
        tuple(reasons),
        metadata,
    )


def classify_vertex_error(status: int, error: GoogleError | None, text: str = "") -> VertexErrorRow:
    """The row for an error answer; `text` stands in for the message when the body is not
    Google's JSON (a gateway's own words)."""
    message = normalise(error.message if error is not None else text)
    reasons = set(error.reasons) if error is not None else set()
    for row in VERTEX_ERROR_ROWS:
        if row.statuses and status not in row.statuses:
            continue
        if row.google_status and (error is None or error.status != row.google_status):
            continue
        if not (row.reasons or row.needles):
            return row
        if reasons & row.reasons or any(needle in message for needle in row.needles):
            return row
    return UNKNOWN_ROW


_QUOTA = re.compile(
    r"quota exceeded for (?P<metric>[\w.\-/]+?)\.?(?:\s+with base model:\s*(?P<base>[\w.\-@]+?))?"
    r"\.?(?:\s|$)",
    re.IGNORECASE,
)


def quota_facts(message: str) -> dict[str, str]:
    """The quota metric and base model a RESOURCE_EXHAUSTED message names."""
    found = _QUOTA.search(message)
    if found is None:
        return {}
    facts = {"quota_metric": found.group("metric")}
    if found.group("base"):
        facts["base_model"] = found.group("base")
    return facts


def normalise(text: str) -> str:
    """Lower-cased, with typographic apostrophes made ASCII (Google and docs differ)."""
    return text.replace("’", "'").lower()


# --- google-auth exceptions --------------------------------------------------------------------


class AuthCause(enum.StrEnum):
    NO_CREDENTIALS = "no_credentials"
    BAD_FILE = "bad_file"
    REAUTH_NEEDED = "reauth_needed"
    CLOCK_SKEW = "clock_skew"
    KEY_INVALID = "key_invalid"
    CLIENT_INVALID = "client_invalid"
    GRANT_REVOKED = "grant_revoked"
    REFRESH_FAILED = "refresh_failed"
    TRANSPORT = "transport"
    OTHER = "other"


@dataclass(frozen=True)
class AuthErrorRow:
    """One row of the google-auth error table: the cause, the exceptions and text that identify it,
    and the fix."""

    cause: AuthCause
    exceptions: tuple[str, ...]
    """google.auth.exceptions classes (or bases of them) the row is for."""
    meaning: str
    fix: str
    commands: tuple[str, ...] = ()
    needles: tuple[str, ...] = ()


_REFUSED = ("RefreshError", "OAuthError")
"""What a token endpoint's refusal raises: RefreshError from the OAuth client, OAuthError from the
STS client that federated credentials (external_account*) refresh with."""

AUTH_FACT_DEFAULTS: dict[str, str] = {
    "principal": "SA_EMAIL",
    "path": "the credential file",
    "login": "gcloud auth application-default login",
}

AUTH_ERROR_ROWS: tuple[AuthErrorRow, ...] = (
    AuthErrorRow(
        AuthCause.NO_CREDENTIALS,
        ("DefaultCredentialsError",),
        "no Application Default Credentials were found",
        "Log in with gcloud, or point GOOGLE_APPLICATION_CREDENTIALS at a credential file.",
        ("{login}",),
        ("default credentials were not found", "could not automatically determine credentials"),
    ),
    AuthErrorRow(
        AuthCause.BAD_FILE,
        ("DefaultCredentialsError",),
        "Google's library cannot load {path}",
        "Replace the file: log in again, or download a new service-account key; do not edit "
        "the file by hand.",
        ("{login}",),
    ),
    AuthErrorRow(
        AuthCause.REAUTH_NEEDED,
        _REFUSED,
        "the login behind {path} must be renewed (your organisation's session-length policy "
        "asks for reauthentication)",
        "Log in again; Claude Code cannot do it for you.",
        ("{login}",),
        ("reauthentication is needed", "invalid_rapt", "rapt_required", "reauth related error"),
    ),
    AuthErrorRow(
        AuthCause.CLOCK_SKEW,
        _REFUSED,
        "Google refused the signed token request because this machine's clock is off: the "
        "request looks expired or issued in the future",
        "Set this machine's clock right (turn on network time); the service-account key "
        "itself is fine.",
        ("date -u", "sudo timedatectl set-ntp true"),
        ("token must be a short-lived token", "reasonable timeframe", "check your iat and exp"),
    ),
    AuthErrorRow(
        AuthCause.KEY_INVALID,
        _REFUSED,
        'Google no longer accepts the key in {path} ("Invalid JWT Signature": the key was '
        "deleted or disabled, or the service account was)",
        "Create a new key for the service account and point GOOGLE_APPLICATION_CREDENTIALS at "
        "it, or use workload identity / impersonation instead of a key file.",
        (
            "gcloud iam service-accounts keys create key.json --iam-account={principal}",
            "export GOOGLE_APPLICATION_CREDENTIALS=$PWD/key.json",
        ),
        ("invalid jwt signature", "account not found", "service account has been disabled"),
    ),
    AuthErrorRow(
        AuthCause.CLIENT_INVALID,
        _REFUSED,
        "the OAuth client named in {path} is unknown to Google or not allowed",
        "The file's client_id/client_secret are wrong or deleted: log in again so gcloud "
        "rewrites it.",
        ("{login}",),
        ("invalid_client", "unauthorized_client"),
    ),
    AuthErrorRow(
        AuthCause.GRANT_REVOKED,
        _REFUSED,
        "the refresh token in {path} has expired or was revoked (password change, revoked "
        "access, or a 7-day limit on test OAuth apps)",
        "Log in again.",
        ("{login}",),
        ("invalid_grant",),
    ),
    AuthErrorRow(
        AuthCause.REFRESH_FAILED,
        _REFUSED,
        "Google's token endpoint refused to issue a token for {path}",
        "Google's own words are in the message; log in again or replace the credential file.",
        ("{login}",),
    ),
    AuthErrorRow(
        AuthCause.TRANSPORT,
        ("TransportError",),
        "the token endpoint could not be reached",
        "Check the network path to the token endpoint (HTTPS_PROXY, firewall, VPN).",
    ),
)

OTHER_AUTH_ROW = AuthErrorRow(
    AuthCause.OTHER,
    ("GoogleAuthError",),
    "Google's library could not produce a token from {path}",
    "Google's own words are in the message; log in again or replace the credential file.",
    ("{login}",),
)


def classify_auth_error(exception_names: tuple[str, ...], text: str) -> AuthErrorRow:
    """The row for a google-auth exception, given the names of its class and its bases."""
    message = normalise(text)
    for row in AUTH_ERROR_ROWS:
        if not set(row.exceptions) & set(exception_names):
            continue
        if not row.needles or any(needle in message for needle in row.needles):
            return row
    return OTHER_AUTH_ROW
