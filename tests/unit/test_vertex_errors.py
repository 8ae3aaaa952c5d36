"""The Vertex error table: every answer in providers.md §B3, in Google's own words, maps to the
cause whose fix repairs it; google-auth's exceptions likewise."""

from __future__ import annotations

from typing import Any

import pytest

from ccdoctor.providers.vertex.errors import (
    AUTH_ERROR_ROWS,
    AUTH_FACT_DEFAULTS,
    FACT_DEFAULTS,
    OTHER_AUTH_ROW,
    PROJECT_WIDE,
    UNKNOWN_ROW,
    VERTEX_ERROR_ROWS,
    AuthCause,
    VertexCause,
    classify_auth_error,
    classify_vertex_error,
    parse_google_error,
    quota_facts,
)
from tests.peers import responses


def google(
    code: int, status: str, message: str, reason: str | None = None, **metadata: str
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if reason is not None:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": metadata,
            }
        ]
    return {"error": error}


B3_ANSWERS = [
    (answer["body"], VertexCause(answer["cause"]))
    for answer in responses.load("vertex", "error_samples")
]
"""(Google's answer, the cause it maps to)"""


@pytest.mark.parametrize(("body", "cause"), B3_ANSWERS, ids=[c.value for _, c in B3_ANSWERS])
def test_each_google_answer_maps_to_its_cause(body: dict[str, Any], cause: VertexCause) -> None:
    error = parse_google_error(body)
    assert error is not None
    assert classify_vertex_error(body["error"]["code"], error).cause is cause


@pytest.mark.parametrize(("body", "cause"), B3_ANSWERS, ids=[c.value for _, c in B3_ANSWERS])
def test_an_answer_wrapped_in_a_list_maps_alike(body: dict[str, Any], cause: VertexCause) -> None:
    assert classify_vertex_error(body["error"]["code"], parse_google_error([body])).cause is cause


def test_reasons_and_metadata_are_read_from_the_details() -> None:
    body = google(403, "PERMISSION_DENIED", "x", "SERVICE_DISABLED", consumer="projects/42")
    error = parse_google_error(body)
    assert error is not None
    assert (error.code, error.status, error.reasons) == (
        403,
        "PERMISSION_DENIED",
        ("SERVICE_DISABLED",),
    )
    assert error.metadata == {"consumer": "projects/42"}


@pytest.mark.parametrize(
    "data", [None, "oops", [], [1], {"error": "a string"}, {"detail": "LiteLLM says no"}]
)
def test_bodies_that_are_not_googles_are_recognised(data: Any) -> None:
    assert parse_google_error(data) is None


def test_an_incomplete_google_error_keeps_what_it_has() -> None:
    error = parse_google_error({"error": {"code": "403", "message": "no", "details": ["x"]}})
    assert error is not None
    assert (error.code, error.status, error.message, error.reasons) == (None, "", "no", ())


def test_a_boolean_code_is_no_status_code() -> None:
    # Python's bool is an int: `"code": true` once read as status 1.
    error = parse_google_error({"error": {"code": True, "message": "no"}})
    assert error is not None and error.code is None


def test_a_gateway_text_is_classified_by_status_and_words() -> None:
    assert (
        classify_vertex_error(401, None, "Invalid proxy key").cause is VertexCause.UNAUTHENTICATED
    )
    assert classify_vertex_error(418, None, "teapot") is UNKNOWN_ROW


def test_project_wide_causes_are_the_ones_no_model_escapes() -> None:
    assert VertexCause.SERVICE_DISABLED in PROJECT_WIDE
    assert VertexCause.MODEL_NOT_FOUND not in PROJECT_WIDE
    assert VertexCause.QUOTA_EXHAUSTED not in PROJECT_WIDE


@pytest.mark.parametrize(
    ("message", "facts"),
    [
        (
            "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model"
            " with base model: anthropic-claude-sonnet-4. Please submit a quota increase request.",
            {
                "quota_metric": "aiplatform.googleapis.com/"
                "online_prediction_requests_per_base_model",
                "base_model": "anthropic-claude-sonnet-4",
            },
        ),
        (
            "Quota exceeded for aiplatform.googleapis.com/"
            "online_prediction_input_tokens_per_minute_per_base_model with base model: "
            "anthropic-claude-opus-4.",
            {
                "quota_metric": "aiplatform.googleapis.com/"
                "online_prediction_input_tokens_per_minute_per_base_model",
                "base_model": "anthropic-claude-opus-4",
            },
        ),
        (
            "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute.",
            {"quota_metric": "aiplatform.googleapis.com/generate_content_requests_per_minute"},
        ),
        ("Resource exhausted. Please try again later.", {}),
    ],
)
def test_quota_messages_name_the_metric_and_base_model(message: str, facts: dict[str, str]) -> None:
    assert quota_facts(message) == facts


def test_every_text_fills_from_the_defaults() -> None:
    for row in (*VERTEX_ERROR_ROWS, UNKNOWN_ROW):
        row.meaning.format(**FACT_DEFAULTS)
        row.fix.format(**FACT_DEFAULTS)
        for command in row.commands:
            assert "{" not in command.format(**FACT_DEFAULTS)
    for auth in (*AUTH_ERROR_ROWS, OTHER_AUTH_ROW):
        auth.meaning.format(**AUTH_FACT_DEFAULTS)
        for command in auth.commands:
            assert "{" not in command.format(**AUTH_FACT_DEFAULTS)


# --- google-auth ---------------------------------------------------------------------------------

REFRESH = ("RefreshError", "GoogleAuthError", "Exception")
STS_REFUSAL = ("OAuthError", "GoogleAuthError", "Exception")
LOADING = ("DefaultCredentialsError", "GoogleAuthError", "Exception")
MALFORMED = ("MalformedError", "DefaultCredentialsError", "GoogleAuthError", "ValueError")


@pytest.mark.parametrize(
    ("names", "text", "cause"),
    [
        (
            LOADING,
            "Your default credentials were not found. To set up Application Default Credentials, "
            "see https://cloud.google.com/docs/authentication/external/set-up-adc for more "
            "information.",
            AuthCause.NO_CREDENTIALS,
        ),
        (LOADING, "File /x.json was not found.", AuthCause.BAD_FILE),
        (MALFORMED, "Failed to load service account credentials from /x.json", AuthCause.BAD_FILE),
        (
            REFRESH,
            "Reauthentication is needed. Please run `gcloud auth application-default login` to "
            "reauthenticate.",
            AuthCause.REAUTH_NEEDED,
        ),
        (REFRESH, "invalid_grant: reauth related error (invalid_rapt)", AuthCause.REAUTH_NEEDED),
        (REFRESH, "invalid_grant: Invalid JWT Signature.", AuthCause.KEY_INVALID),
        (REFRESH, "invalid_grant: Invalid grant: account not found", AuthCause.KEY_INVALID),
        (
            REFRESH,
            "invalid_grant: Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
            "reasonable timeframe. Check your iat and exp values in the JWT claim.",
            AuthCause.CLOCK_SKEW,
        ),
        (REFRESH, "invalid_grant: Token has been expired or revoked.", AuthCause.GRANT_REVOKED),
        (
            STS_REFUSAL,
            "Error code invalid_grant: Token has been expired or revoked.",
            AuthCause.GRANT_REVOKED,
        ),
        (REFRESH, "invalid_client: The OAuth client was not found.", AuthCause.CLIENT_INVALID),
        (REFRESH, "internal_failure: Backend Error", AuthCause.REFRESH_FAILED),
        (
            ("TransportError", "GoogleAuthError"),
            "ConnectError: [Errno 111] Connection refused",
            AuthCause.TRANSPORT,
        ),
        (("ValueError", "Exception"), "Could not deserialize key data.", AuthCause.OTHER),
    ],
)
def test_each_google_auth_failure_maps_to_its_cause(
    names: tuple[str, ...], text: str, cause: AuthCause
) -> None:
    assert classify_auth_error(names, text).cause is cause


def test_reauth_and_revocation_fixes_are_a_new_login() -> None:
    for cause in (AuthCause.REAUTH_NEEDED, AuthCause.GRANT_REVOKED):
        row = next(r for r in AUTH_ERROR_ROWS if r.cause is cause)
        assert row.commands == ("{login}",)
    key = next(r for r in AUTH_ERROR_ROWS if r.cause is AuthCause.KEY_INVALID)
    assert "keys create" in key.commands[0].format(**AUTH_FACT_DEFAULTS)
