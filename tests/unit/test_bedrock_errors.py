"""The Bedrock error table: every error of providers.md §A4, as AWS words it, gets its cause."""

from __future__ import annotations

import re

import pytest

from ccdoctor.providers.bedrock.errors import (
    RULES,
    UNKNOWN_FACT,
    Kind,
    classify,
    denial_facts,
    fill,
    normalise,
)

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
IAM_DENIAL = (
    "User: arn:aws:sts::123456789012:assumed-role/Dev/jane is not authorized to perform: "
    "bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:us-east-1:123456789012:"
    "inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0 because no identity-based "
    "policy allows the bedrock:InvokeModelWithResponseStream action"
)

# (code, HTTP status, message as AWS sends it, expected cause, expected kind)
SAMPLES = [
    (
        "AccessDeniedException",
        403,
        "You don't have access to the model with the specified model ID.",
        "model_not_enabled",
        Kind.MODEL_ACCESS,
    ),
    ("AccessDeniedException", 403, IAM_DENIAL, "iam_no_allow", Kind.PERMISSION),
    (
        "AccessDeniedException",
        403,
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
        "bedrock:InvokeModel on resource: arn:aws:bedrock:::foundation-model/anthropic.claude-"
        "opus-5 with an explicit deny in a service control policy",
        "scp_deny",
        Kind.PERMISSION,
    ),
    (
        "AccessDeniedException",
        403,
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
        "bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/x with an "
        "explicit deny in an identity-based policy",
        "iam_explicit_deny",
        Kind.PERMISSION,
    ),
    (
        "AccessDeniedException",
        403,
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
        "bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/x because "
        "no permissions boundary allows the bedrock:InvokeModel action",
        "boundary_deny",
        Kind.PERMISSION,
    ),
    (
        "AccessDeniedException",
        403,
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
        "bedrock:InvokeModel with an explicit deny in a resource control policy",
        "rcp_deny",
        Kind.PERMISSION,
    ),
    (
        "AccessDeniedException",
        403,
        "Model access is denied due to IAM user or service role is not authorized to perform the "
        "required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:"
        "Subscribe) to enable access to this model. Refer to the Amazon Bedrock User Guide for "
        "further details. Your AWS Marketplace subscription for this model cannot be completed "
        "at this time. If you recently fixed this issue, try again after 15 minutes.",
        "marketplace_subscribe",
        Kind.MODEL_ACCESS,
    ),
    (
        "AccessDeniedException",
        403,
        "Model access is denied due to private marketplace eligibility: this product is not in "
        "your Private Marketplace.",
        "private_marketplace",
        Kind.MODEL_ACCESS,
    ),
    (
        "AccessDeniedException",
        403,
        "This model is not available for this account. Contact your account team.",
        "not_available_for_account",
        Kind.MODEL_ACCESS,
    ),
    ("AccessDeniedException", 403, "Access denied.", "access_denied", Kind.PERMISSION),
    (
        "ResourceNotFoundException",
        404,
        "Model use case details have not been submitted for this account. Fill out the Anthropic "
        "use case details form before using the model. If you have already filled out the form, "
        "try again in 15 minutes.",
        "use_case_form",
        Kind.MODEL_ACCESS,
    ),
    (
        "ResourceNotFoundException",
        404,
        "This model version has reached the end of its life. Please refer to the AWS "
        "documentation for more details.",
        "end_of_life",
        Kind.MODEL_ID,
    ),
    (
        "ResourceNotFoundException",
        404,
        "Access denied. This Model is marked by provider as Legacy and you have not been actively "
        "using the model in the last 15 days. Please upgrade to an active model on Amazon Bedrock",
        "legacy_inactive",
        Kind.MODEL_ID,
    ),
    ("ResourceNotFoundException", 404, "Model not found.", "model_not_found", Kind.MODEL_ID),
    (
        "ValidationException",
        400,
        "Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand "
        "throughput isn’t supported. Retry your request with the ID or ARN of an inference "
        "profile that contains this model.",
        "on_demand_unsupported",
        Kind.MODEL_ID,
    ),
    (
        "ValidationException",
        400,
        "The provided model doesn't support on-demand throughput.",
        "provisioned_only",
        Kind.MODEL_ID,
    ),
    (
        "ValidationException",
        400,
        "The provided model identifier is invalid.",
        "invalid_model_id",
        Kind.MODEL_ID,
    ),
    (
        "ValidationException",
        400,
        "Access to Anthropic models is not allowed from unsupported countries, regions, or "
        "territories. Please refer to https://www.anthropic.com/supported-countries for more "
        "information.",
        "geo_restricted",
        Kind.LOCATION,
    ),
    (
        "ValidationException",
        400,
        "You invoked an unsupported model or your request did not allow prompt caching. See the "
        "documentation for more information.",
        "prompt_caching_unsupported",
        Kind.REQUEST,
    ),
    (
        "ValidationException",
        400,
        "You do not have access to explicit prompt caching",
        "prompt_caching_unsupported",
        Kind.REQUEST,
    ),
    (
        "ValidationException",
        400,
        "Malformed input request: #: extraneous key [context_management] is not permitted, please "
        "reformat your input and try again.",
        "malformed_input",
        Kind.REQUEST,
    ),
    ("ValidationException", 400, "max_tokens: must be at least 1", "validation", Kind.REQUEST),
    (
        "ThrottlingException",
        429,
        "Too many tokens per day, please wait before trying again.",
        "daily_quota",
        Kind.QUOTA,
    ),
    (
        "ThrottlingException",
        429,
        "Too many tokens, please wait before trying again.",
        "throttled",
        Kind.QUOTA,
    ),
    (
        "ThrottlingException",
        429,
        "Too many requests, please wait before trying again.",
        "throttled",
        Kind.QUOTA,
    ),
    ("ServiceQuotaExceededException", 400, "Quota exceeded", "quota_exceeded", Kind.QUOTA),
    ("ServiceUnavailableException", 503, "Service Unavailable", "transient", Kind.TRANSIENT),
    ("ModelNotReadyException", 429, "Model is not ready", "transient", Kind.TRANSIENT),
    (
        "UnrecognizedClientException",
        403,
        "The security token included in the request is invalid.",
        "token_invalid",
        Kind.CREDENTIALS,
    ),
    (
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
        "token_invalid",
        Kind.CREDENTIALS,
    ),
    (
        "403",
        403,
        "The security token included in the request is invalid.",
        "token_invalid",
        Kind.CREDENTIALS,
    ),
    (
        "ExpiredTokenException",
        403,
        "The security token included in the request is expired",
        "token_expired",
        Kind.CREDENTIALS,
    ),
    (
        "ExpiredToken",
        400,
        "The security token included in the request is expired",
        "token_expired",
        Kind.CREDENTIALS,
    ),
    (
        "AccessDeniedException",
        403,
        "The security token included in the request is expired",
        "token_expired",
        Kind.CREDENTIALS,
    ),
    (
        "InvalidSignatureException",
        403,
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.",
        "signature_mismatch",
        Kind.CREDENTIALS,
    ),
    (
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided.",
        "signature_mismatch",
        Kind.CREDENTIALS,
    ),
    (
        "InvalidSignatureException",
        403,
        "Signature expired: 20250101T000000Z is now earlier than 20250101T000600Z "
        "(20250101T001100Z - 5 min.)",
        "clock_skew",
        Kind.CREDENTIALS,
    ),
    (
        "SignatureDoesNotMatch",
        403,
        "Signature not yet current: 20250101T002000Z is still later than 20250101T001600Z "
        "(20250101T001100Z + 5 min.)",
        "clock_skew",
        Kind.CREDENTIALS,
    ),
    (
        "AccessDeniedException",
        403,
        "Authentication failed: Please make sure your API Key is valid.",
        "api_key_invalid",
        Kind.CREDENTIALS,
    ),
    (
        "MissingAuthenticationTokenException",
        403,
        "Missing Authentication Token",
        "missing_authentication",
        Kind.CREDENTIALS,
    ),
    (
        "AccessDeniedException",
        403,
        "Authorization header is missing",
        "missing_authentication",
        Kind.CREDENTIALS,
    ),
    (
        "NoCredentialsError",
        None,
        "Unable to locate credentials",
        "no_credentials",
        Kind.CREDENTIALS,
    ),
    (
        "ProfileNotFound",
        None,
        "The config profile (nope) could not be found",
        "profile_not_found",
        Kind.CREDENTIALS,
    ),
    (
        "PartialCredentialsError",
        None,
        "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY",
        "partial_credentials",
        Kind.CREDENTIALS,
    ),
    (
        "TokenRetrievalError",
        None,
        "Error when retrieving token from sso: Token has expired and refresh failed",
        "sso_expired",
        Kind.CREDENTIALS,
    ),
    (
        "UnauthorizedSSOTokenError",
        None,
        "The SSO session associated with this profile has expired or is otherwise invalid. To "
        "refresh this SSO session run aws sso login with the corresponding profile.",
        "sso_expired",
        Kind.CREDENTIALS,
    ),
    (
        "SSOTokenLoadError",
        None,
        "Error loading SSO Token: Token for corp does not exist",
        "sso_not_logged_in",
        Kind.CREDENTIALS,
    ),
    (
        "LoginRefreshRequired",
        None,
        "Your session has expired or credentials have changed. Please reauthenticate using "
        "'aws login'.",
        "login_expired",
        Kind.CREDENTIALS,
    ),
    (
        "CredentialRetrievalError",
        None,
        "Error when retrieving credentials from custom-process: boom",
        "credential_process_failed",
        Kind.CREDENTIALS,
    ),
    (
        "CredentialExportError",
        None,
        "the command exited with status 1",
        "credential_export_failed",
        Kind.CREDENTIALS,
    ),
    ("NoRegionError", None, "You must specify a region.", "config_invalid", Kind.CREDENTIALS),
    (
        "EndpointConnectionError",
        None,
        'Could not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/"',
        "unreachable",
        Kind.NETWORK,
    ),
    ("Timeout", None, "no complete answer within 2 s", "unreachable", Kind.NETWORK),
    (
        "ParamValidationError",
        None,
        "Parameter validation failed:\nInvalid length for parameter modelId, value: 0",
        "invalid_parameter",
        Kind.MODEL_ID,
    ),
    ("TeapotException", 418, "I'm a teapot", "client_error", Kind.UNKNOWN),
    ("ValueError", None, "Port out of range 0-65535", "not_sent", Kind.UNKNOWN),
]


@pytest.mark.parametrize(
    ("code", "status", "message", "cause", "kind"), SAMPLES, ids=lambda v: str(v)[:40]
)
def test_every_error_gets_its_cause(
    code: str, status: int | None, message: str, cause: str, kind: Kind
) -> None:
    rule = classify(code, status, message)
    assert (rule.cause, rule.kind) == (cause, kind)


def test_every_rule_is_reached_by_a_real_error() -> None:
    reached = {classify(code, status, message).cause for code, status, message, *_ in SAMPLES}
    assert reached == {rule.cause for rule in RULES}


def test_the_curly_apostrophe_and_odd_spacing_are_normalised() -> None:
    straight = "Invocation of model ID x with on-demand throughput isn't supported."
    curly = "Invocation  of model ID x\nwith on-demand throughput isn’t\u00a0supported."
    assert normalise(curly) == normalise(straight)
    assert classify("ValidationException", 400, straight).cause == "on_demand_unsupported"


def test_the_code_decides_before_the_message() -> None:
    # A validation error that quotes an access-denied text is still a validation error.
    rule = classify("ValidationException", 400, "You don't have access to the model")
    assert rule.cause == "validation"


def test_only_throttling_and_outages_are_transient() -> None:
    transient = {rule.cause for rule in RULES if rule.transient}
    assert transient == {"throttled", "transient"}
    assert not classify("ThrottlingException", 429, "Too many tokens per day").transient


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.cause)
def test_every_fix_fills_without_facts(rule: object) -> None:
    from ccdoctor.providers.bedrock.errors import Rule

    assert isinstance(rule, Rule)
    assert rule.meaning and rule.fix
    filled = [fill(t, {}) for t in (rule.meaning, rule.fix, *rule.commands)]
    assert not [t for t in filled if PLACEHOLDER.search(t)]


def test_fill_uses_the_facts_and_placeholders_for_the_rest() -> None:
    template = "export {model_variable}={suggested_model} in {region} for {nothing}"
    filled = fill(template, {"model_variable": "ANTHROPIC_MODEL", "region": None})
    assert filled == (
        f"export ANTHROPIC_MODEL={UNKNOWN_FACT['suggested_model']} in the region for <nothing>"
    )


def test_an_iam_denial_names_its_principal_action_and_resource() -> None:
    assert denial_facts(IAM_DENIAL) == {
        "principal": "arn:aws:sts::123456789012:assumed-role/Dev/jane",
        "action": "bedrock:InvokeModelWithResponseStream",
        "resource": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    }
    assert denial_facts("You don't have access to the model.") == {}
