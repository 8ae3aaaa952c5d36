"""Every error Bedrock, STS and the AWS SDK give, mapped to a cause and its fix (providers.md §A4).

A rule matches on the error code, the HTTP status and substrings of the message. Messages are
normalised first: AWS writes `isn’t` with a curly apostrophe where the Claude Code docs quote it
with a straight one. Rules are tried in order, most specific first; the last rules catch each code
and then each status class, so every error gets some cause.

Fix texts are templates; `fill()` puts in the facts of the run (model, region, profile, …) and
leaves a readable default for any fact that is unknown.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """What an error is about. It decides which check reports it: credentials.aws owns
    CREDENTIALS, the model and region checks own the rest."""

    CREDENTIALS = "credentials"
    PERMISSION = "permission"
    MODEL_ACCESS = "model access"
    MODEL_ID = "model id"
    QUOTA = "quota"
    TRANSIENT = "transient"
    REQUEST = "request"
    LOCATION = "location"
    NETWORK = "network"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Rule:
    """Texts are `fill()` templates: literal braces are doubled."""

    cause: str
    """Stable identifier, shown in details and used by tests."""
    kind: Kind
    meaning: str
    fix: str
    commands: tuple[str, ...] = ()
    unsets: tuple[str, ...] = ()
    """Variables the fix takes away: rendered for where this run has them set (an `unset` for
    the shell, the file to edit for a settings file), which a static table cannot know."""
    codes: frozenset[str] = frozenset()
    """Error codes (Bedrock `__type`, STS query codes, botocore exception names); empty: any."""
    status: int | None = None
    needles: tuple[str, ...] = ()
    """Normalised substrings; the rule matches when any one is in the message. Empty: any."""
    transient: bool = False
    """The condition may clear by itself; the client's own retries may get through."""
    unanswered: bool = False
    """Matches only errors that came without an HTTP answer (raised before or while sending)."""

    def matches(self, code: str, status: int | None, message: str) -> bool:
        if self.codes and code not in self.codes:
            return False
        if self.status is not None and status != self.status:
            return False
        if self.unanswered and status is not None:
            return False
        return not self.needles or any(n in message for n in self.needles)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_SPACES = re.compile(r"\s+")


def normalise(message: str) -> str:
    """Lower case, straight quotes, single spaces: the form every needle is written in."""
    return _SPACES.sub(" ", message.translate(_QUOTES)).strip().lower()


_SIGNATURE_CODES = frozenset({"InvalidSignatureException", "SignatureDoesNotMatch"})
_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})
_NOT_FOUND = frozenset({"ResourceNotFoundException"})
_VALIDATION = frozenset({"ValidationException"})
_THROTTLED = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException"})
_LOGIN = "aws sso login --profile {profile}"
_POLICY = (
    "Attach Claude Code's IAM policy to {principal}: bedrock:InvokeModel, "
    "bedrock:InvokeModelWithResponseStream, bedrock:ListInferenceProfiles and "
    "bedrock:GetInferenceProfile on arn:aws:bedrock:*:*:inference-profile/*, "
    "arn:aws:bedrock:*:*:application-inference-profile/* and "
    "arn:aws:bedrock:*:*:foundation-model/* (the foundation-model ARN with `*` for the region "
    "also covers every destination region of a cross-region profile and the region-less ARN of "
    "global. profiles)."
)
_PIN_MODEL = "export {model_variable}={suggested_model}"

RULES: tuple[Rule, ...] = (
    # --- credentials and signatures --------------------------------------------------------------
    Rule(
        "clock_skew",
        Kind.CREDENTIALS,
        "this machine's clock is more than 5 minutes off: every SigV4 signature is rejected",
        "Set the system clock from the network (NTP); in WSL or a VM, resync the guest's clock.",
        ("sudo timedatectl set-ntp true", "date -u"),
        codes=_SIGNATURE_CODES | frozenset({"RequestExpired", "AuthFailure"}),
        needles=("signature expired", "signature not yet current", "request has expired"),
    ),
    Rule(
        "signature_mismatch",
        Kind.CREDENTIALS,
        "the signature does not match: the secret access key is wrong, or something between "
        "here and AWS changed the signed request (a gateway rewriting the host, path or body)",
        "Check the secret that goes with the access key id in use. A gateway must forward signed "
        "requests unchanged; if it holds its own AWS credentials, set "
        "CLAUDE_CODE_SKIP_BEDROCK_AUTH=1 and let it sign.",
        ("aws configure --profile {profile}",),
        codes=_SIGNATURE_CODES,
    ),
    Rule(
        "token_expired",
        Kind.CREDENTIALS,
        "the session credentials have expired",
        "Fetch fresh credentials (for SSO: log in again). Add awsAuthRefresh to Claude Code's "
        "settings so it can do that itself next time.",
        (_LOGIN,),
        codes=frozenset({"ExpiredTokenException", "ExpiredToken"}),
    ),
    Rule(
        "token_expired",
        Kind.CREDENTIALS,
        "the session credentials have expired",
        "Fetch fresh credentials (for SSO: log in again).",
        (_LOGIN,),
        needles=("security token included in the request is expired",),
    ),
    Rule(
        "token_invalid",
        Kind.CREDENTIALS,
        "AWS does not know this access key id: a typo, a deleted key, temporary keys (ASIA…) "
        "without their session token, a stale AWS_SESSION_TOKEN next to new long-term keys, or a "
        "key of another partition (GovCloud, China)",
        "Export the access key id, secret and (for ASIA… keys) session token that belong "
        "together; unset a left-over AWS_SESSION_TOKEN.",
        ("aws configure --profile {profile}",),
        unsets=("AWS_SESSION_TOKEN",),
        codes=frozenset({"UnrecognizedClientException", "InvalidClientTokenId"}),
    ),
    Rule(
        "token_invalid",
        Kind.CREDENTIALS,
        "AWS does not accept the security token sent",
        "Export credentials that belong together; unset a left-over AWS_SESSION_TOKEN.",
        unsets=("AWS_SESSION_TOKEN",),
        needles=("security token included in the request is invalid",),
    ),
    Rule(
        "api_key_invalid",
        Kind.CREDENTIALS,
        "Bedrock rejects the API key in AWS_BEARER_TOKEN_BEDROCK: it is revoked, expired, or was "
        "created in another region (short-term keys work only in their own region)",
        "Generate a new Bedrock API key in the region Claude Code calls ({region}) and export it.",
        ("export AWS_BEARER_TOKEN_BEDROCK=<new key from the Bedrock console>",),
        needles=("please make sure your api key is valid",),
    ),
    Rule(
        "missing_authentication",
        Kind.CREDENTIALS,
        "the request reached AWS without credentials (an unsigned request, or a gateway that "
        "dropped the Authorization header)",
        "Unset CLAUDE_CODE_SKIP_BEDROCK_AUTH unless a gateway adds credentials, and make the "
        "gateway forward Authorization unchanged.",
        unsets=("CLAUDE_CODE_SKIP_BEDROCK_AUTH",),
        codes=frozenset({"MissingAuthenticationTokenException", "MissingAuthenticationToken"}),
    ),
    Rule(
        "missing_authentication",
        Kind.CREDENTIALS,
        "the request reached AWS without credentials",
        "Unset CLAUDE_CODE_SKIP_BEDROCK_AUTH unless a gateway adds credentials.",
        unsets=("CLAUDE_CODE_SKIP_BEDROCK_AUTH",),
        needles=("authorization header is missing", "missing authentication token"),
    ),
    # --- what the AWS SDK raises before sending anything -----------------------------------------
    Rule(
        "no_credentials",
        Kind.CREDENTIALS,
        "no source in the AWS credential chain supplies credentials",
        "Log in with SSO, configure a profile, export keys, or export a Bedrock API key.",
        ("aws configure sso", "aws configure"),
        codes=frozenset({"NoCredentialsError"}),
    ),
    Rule(
        "profile_not_found",
        Kind.CREDENTIALS,
        "the profile named by AWS_PROFILE does not exist",
        "Fix the profile name, or the AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE paths.",
        ("aws configure list-profiles",),
        codes=frozenset({"ProfileNotFound"}),
    ),
    Rule(
        "partial_credentials",
        Kind.CREDENTIALS,
        "only part of a key pair is configured",
        "Set both the access key id and the secret, or neither.",
        ("aws configure --profile {profile}",),
        codes=frozenset({"PartialCredentialsError"}),
    ),
    Rule(
        "sso_expired",
        Kind.CREDENTIALS,
        "the SSO (IAM Identity Center) session has expired or was revoked",
        "Log in again. To let Claude Code do it for you next time, add awsAuthRefresh to your "
        "settings.",
        (_LOGIN,),
        codes=frozenset({"TokenRetrievalError", "UnauthorizedSSOTokenError", "SSOError"}),
    ),
    Rule(
        "sso_not_logged_in",
        Kind.CREDENTIALS,
        "there is no SSO login on this machine for this profile",
        "Log in with the AWS CLI.",
        (_LOGIN,),
        codes=frozenset({"SSOTokenLoadError"}),
    ),
    Rule(
        "login_expired",
        Kind.CREDENTIALS,
        "the `aws login` console session has expired",
        "Log in again.",
        ("aws login --profile {profile}",),
        codes=frozenset({"LoginRefreshRequired", "LoginError"}),
    ),
    Rule(
        "credential_process_failed",
        Kind.CREDENTIALS,
        "the profile's credential_process command failed or printed something the SDK cannot read",
        "Run the command by hand and fix what it prints; it must print the credential JSON "
        "(Version 1) on stdout and exit 0.",
        (),
        codes=frozenset({"CredentialRetrievalError"}),
    ),
    Rule(
        "credential_export_failed",
        Kind.CREDENTIALS,
        "the awsCredentialExport command failed or did not print credential JSON",
        "Run the command by hand: it must exit 0 and print "
        '{{"Credentials": {{"AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …}}}} (or '
        "the flat shape of `aws configure export-credentials --format process`).",
        (),
        codes=frozenset({"CredentialExportError"}),
    ),
    Rule(
        "config_invalid",
        Kind.CREDENTIALS,
        "the AWS configuration cannot be used as written",
        "Fix the AWS config file or variable named in the message.",
        (),
        codes=frozenset(
            {
                "InvalidConfigError",
                "ConfigParseError",
                "InfiniteLoopConfigError",
                "InvalidRegionError",
                "NoRegionError",
            }
        ),
    ),
    # --- permissions -----------------------------------------------------------------------------
    Rule(
        "scp_deny",
        Kind.PERMISSION,
        "a service control policy of your AWS Organization denies the call; with a cross-region "
        "profile the resource named may be a destination region you never chose, or the "
        "region-less ARN (arn:aws:bedrock:::…) of a global. profile",
        "Ask your AWS Organizations admin to allow {action} on {resource}: the SCP must allow "
        "every destination region of the profile (and aws:RequestedRegion = unspecified for "
        "global. profiles). Or use a profile whose destinations the SCP allows.",
        (),
        codes=_DENIED,
        needles=("service control policy",),
    ),
    Rule(
        "rcp_deny",
        Kind.PERMISSION,
        "a resource control policy of your AWS Organization denies the call",
        "Ask your AWS Organizations admin to allow it in the resource control policy.",
        (),
        codes=_DENIED,
        needles=("resource control policy",),
    ),
    Rule(
        "boundary_deny",
        Kind.PERMISSION,
        "the permissions boundary of {principal} does not allow the call",
        "Ask the admin who set the permissions boundary to include the Bedrock actions Claude "
        "Code needs.",
        (),
        codes=_DENIED,
        needles=("permissions boundary",),
    ),
    Rule(
        "iam_explicit_deny",
        Kind.PERMISSION,
        "an identity-based policy attached to {principal} explicitly denies the call",
        "Remove the Deny statement that matches, or use another role; an explicit deny beats "
        "every allow.",
        (),
        codes=_DENIED,
        needles=("explicit deny in an identity-based policy", "with an explicit deny"),
    ),
    Rule(
        "marketplace_subscribe",
        Kind.MODEL_ACCESS,
        "this is the first use of the model in the account, and {principal} may not subscribe "
        "to it in AWS Marketplace",
        "Grant aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions (condition "
        "aws:CalledViaLast = bedrock.amazonaws.com), or have an admin invoke the model once; "
        "then wait up to 15 minutes.",
        (),
        codes=_DENIED,
        needles=("aws marketplace actions", "marketplace subscription", "aws-marketplace:"),
    ),
    Rule(
        "private_marketplace",
        Kind.MODEL_ACCESS,
        "your organization's AWS Private Marketplace does not allow this model",
        "Ask the Private Marketplace admin to add the model's product to the allowed list.",
        (),
        codes=_DENIED,
        needles=("private marketplace",),
    ),
    Rule(
        "not_available_for_account",
        Kind.MODEL_ACCESS,
        "the model is not open to this account yet (the newest models are gated per account)",
        "Use another model, or ask your AWS account team for access.",
        (_PIN_MODEL,),
        codes=_DENIED,
        needles=("not available for this account",),
    ),
    Rule(
        "model_not_enabled",
        Kind.MODEL_ACCESS,
        "the account may not use this model here: the Marketplace subscription is missing or "
        "still pending, the Anthropic use-case form was not submitted, or the model is not "
        "offered in this region",
        "Invoke the model once as a principal allowed to subscribe in AWS Marketplace, submit "
        "the Anthropic use-case form (Bedrock console → Model catalog), then wait up to 15 "
        "minutes; check the region.",
        (
            "aws bedrock get-foundation-model-availability --region {region} "
            "--model-id {base_model}",
        ),
        codes=_DENIED,
        needles=("don't have access to the model",),
    ),
    # STS names the role in its AssumeRole denial; a Bedrock policy on the caller cannot help.
    Rule(
        "assume_role_denied",
        Kind.CREDENTIALS,
        "{principal} may not assume the role that role_arn names (sts:AssumeRole is denied)",
        "Let {principal} assume the role: the role's trust policy must name it as a principal "
        "and its own IAM policy must allow sts:AssumeRole on the role. Or point role_arn in "
        "[profile {profile}] at a role it may assume.",
        (),
        codes=_DENIED,
        needles=("sts:assumerole",),
    ),
    Rule(
        "iam_no_allow",
        Kind.PERMISSION,
        "no IAM policy of {principal} allows the call",
        _POLICY,
        (),
        codes=_DENIED,
        needles=("is not authorized to perform",),
    ),
    Rule(
        "access_denied",
        Kind.PERMISSION,
        "access denied",
        _POLICY,
        (),
        codes=_DENIED,
    ),
    # --- model identifiers and lifecycle ---------------------------------------------------------
    Rule(
        "use_case_form",
        Kind.MODEL_ACCESS,
        "the Anthropic use-case form has not been submitted for this account",
        "Submit it once: Bedrock console → Model catalog → an Anthropic model → submit use case "
        "details (or PutUseCaseForModelAccess from the Organizations management account); then "
        "wait 15 minutes.",
        (),
        codes=_NOT_FOUND,
        needles=("use case details have not been submitted",),
    ),
    Rule(
        "end_of_life",
        Kind.MODEL_ID,
        "{model} has reached its end of life on Bedrock",
        "Pin a current model.",
        (_PIN_MODEL,),
        codes=_NOT_FOUND,
        needles=("reached the end of its life",),
    ),
    Rule(
        "legacy_inactive",
        Kind.MODEL_ID,
        "{model} is marked Legacy, and this account has not used it recently enough to keep access",
        "Move to an active model.",
        (_PIN_MODEL,),
        codes=_NOT_FOUND,
        needles=("marked by provider as legacy",),
    ),
    Rule(
        "model_not_found",
        Kind.MODEL_ID,
        "Bedrock has no {model} in {region}: a wrong ID for this region, or an application "
        "profile that was deleted or lives in another region",
        "Use an ID listed in this region, or call the region of the profile's ARN.",
        (_PIN_MODEL,),
        codes=_NOT_FOUND,
    ),
    Rule(
        "on_demand_unsupported",
        Kind.MODEL_ID,
        "{model} is a base model ID, and this model is served only through inference profiles "
        "in {region}",
        "Use the cross-region inference profile of the model (its ID with a us./eu./apac./jp./"
        "au./global. prefix) or an application inference profile ARN.",
        (_PIN_MODEL,),
        codes=_VALIDATION,
        needles=("with on-demand throughput isn't supported",),
    ),
    Rule(
        "provisioned_only",
        Kind.MODEL_ID,
        "{model} is a context-window variant that needs provisioned throughput",
        "Drop the `:NNNk` suffix from the model ID.",
        (_PIN_MODEL,),
        codes=_VALIDATION,
        needles=("doesn't support on-demand throughput",),
    ),
    Rule(
        "invalid_model_id",
        Kind.MODEL_ID,
        "Bedrock does not know {model} in {region}: a typo, an Anthropic- or Vertex-style ID, a "
        "profile prefix that is not offered in this region, or an alias",
        "Pin an inference profile listed in {region}.",
        (_PIN_MODEL,),
        codes=_VALIDATION,
        needles=("provided model identifier is invalid",),
    ),
    Rule(
        "invalid_parameter",
        Kind.MODEL_ID,
        "the AWS SDK refuses {model} before sending anything: it is not shaped like a Bedrock "
        "model identifier",
        "Pin an inference profile ID or an ARN, written without quotes or spaces.",
        (_PIN_MODEL,),
        codes=frozenset({"ParamValidationError"}),
    ),
    Rule(
        "geo_restricted",
        Kind.LOCATION,
        "Anthropic models may not be used from the country or territory this account or request "
        "is in",
        "This cannot be fixed in configuration: use an account, region and location Anthropic "
        "supports (https://www.anthropic.com/supported-countries).",
        (),
        codes=_VALIDATION,
        needles=("unsupported countries, regions, or territories",),
    ),
    Rule(
        "prompt_caching_unsupported",
        Kind.REQUEST,
        "the model or region does not accept prompt-caching markers",
        "Disable prompt caching for Claude Code, or use a model and region with Bedrock prompt "
        "caching.",
        ("export DISABLE_PROMPT_CACHING=1",),
        codes=_VALIDATION,
        needles=("explicit prompt caching", "did not allow prompt caching"),
    ),
    Rule(
        "malformed_input",
        Kind.REQUEST,
        "the request body has a field this model or integration does not accept (a gateway "
        "added it, or the model is old)",
        "Make the gateway forward the body unchanged, or turn off Claude Code's experimental "
        "betas.",
        ("export CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1",),
        codes=_VALIDATION,
        needles=("extraneous key", "malformed input request"),
    ),
    Rule(
        "validation",
        Kind.REQUEST,
        "Bedrock refused the request",
        "Read Bedrock's message; check the model ID and the gateway in between.",
        (),
        codes=_VALIDATION,
    ),
    # --- quotas and transient conditions ---------------------------------------------------------
    Rule(
        "daily_quota",
        Kind.QUOTA,
        "the daily token quota for {model} is used up, or zero (new accounts may get a daily "
        "quota of 0 that is not adjustable)",
        'Ask for a quota increase in Service Quotas (service bedrock, "Model invocation max '
        'tokens per day"); global. profiles have more headroom.',
        ("aws service-quotas list-service-quotas --service-code bedrock --region {region}",),
        codes=_THROTTLED,
        needles=("tokens per day",),
    ),
    Rule(
        "throttled",
        Kind.QUOTA,
        "Bedrock is throttling requests for {model} (requests or tokens per minute)",
        "Wait and retry; for lasting relief ask for a quota increase in Service Quotas (service "
        "bedrock), use a global. profile, or lower concurrency.",
        ("aws service-quotas list-service-quotas --service-code bedrock --region {region}",),
        codes=_THROTTLED,
        transient=True,
    ),
    Rule(
        "quota_exceeded",
        Kind.QUOTA,
        "a service quota for {model} is exceeded",
        "Ask for a quota increase in Service Quotas (service bedrock).",
        ("aws service-quotas list-service-quotas --service-code bedrock --region {region}",),
        codes=frozenset({"ServiceQuotaExceededException"}),
    ),
    Rule(
        "transient",
        Kind.TRANSIENT,
        "Bedrock is temporarily unable to serve {model}",
        "Retry in a minute; if it persists, check the AWS Health Dashboard for {region}.",
        (),
        codes=frozenset(
            {
                "ServiceUnavailableException",
                "ModelNotReadyException",
                "InternalServerException",
                "ModelTimeoutException",
                "ModelErrorException",
                "InternalFailure",
                "ServiceUnavailable",
            }
        ),
        transient=True,
    ),
    # --- the network -----------------------------------------------------------------------------
    Rule(
        "unreachable",
        Kind.NETWORK,
        "the endpoint could not be reached",
        "Check the network path: the proxy variables (HTTPS_PROXY, NO_PROXY), VPN and DNS, and "
        "whether this network reaches AWS endpoints (VPC endpoints need private DNS).",
        (),
        codes=frozenset(
            {
                "EndpointConnectionError",
                "ConnectTimeoutError",
                "ReadTimeoutError",
                "ConnectionClosedError",
                "ProxyConnectionError",
                "SSLError",
                "HTTPClientError",
                "Timeout",
            }
        ),
    ),
    # --- catch-alls ------------------------------------------------------------------------------
    Rule(
        "not_sent",
        Kind.UNKNOWN,
        "the request could not be sent",
        "Check the endpoint URL and the value the message names.",
        (),
        unanswered=True,
    ),
    Rule(
        "client_error",
        Kind.UNKNOWN,
        "Bedrock refused the request",
        "Read the message; it names what is wrong.",
        (),
    ),
)
"""Most specific first; the last rule matches anything."""

UNKNOWN_FACT = {
    "model": "the model",
    "base_model": "<base model id>",
    "region": "the region",
    "profile": "default",
    "principal": "the caller",
    "action": "bedrock:InvokeModel*",
    "resource": "the profile's destination foundation-model ARNs",
    "model_variable": "ANTHROPIC_MODEL",
    "suggested_model": "<an inference profile listed in the region>",
}


def rule_for(cause: str) -> Rule:
    """The first rule for `cause` (a cause may have several rules that match differently)."""
    return next(rule for rule in RULES if rule.cause == cause)


def classify(code: str, status: int | None, message: str) -> Rule:
    text = normalise(message)
    for rule in RULES:
        if rule.matches(code, status, text):
            return rule
    return RULES[-1]


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return UNKNOWN_FACT.get(key, f"<{key}>")


def fill(template: str, facts: Mapping[str, str | None]) -> str:
    """The template with each `{fact}` replaced; unknown or empty facts read as a placeholder."""
    known = _Facts({k: v for k, v in facts.items() if v})
    return template.format_map(known)


PRINCIPAL = re.compile(
    r"\buser:? (arn:aws[a-z-]*:[a-z]+::\d{12}:\S+?)(?= is not authorized|\s|$)", re.IGNORECASE
)
"""The principal an IAM denial names (`User: arn:aws:sts::123…:assumed-role/…`)."""
DENIED_ACTION = re.compile(r"to perform: ([a-z0-9-]+:[A-Za-z0-9]+)")
DENIED_RESOURCE = re.compile(r"on resource: (arn:\S+?)(?=\s|$| because| with)")


def denial_facts(message: str) -> dict[str, str]:
    """Principal, action and resource named in an IAM denial, when it names them."""
    facts: dict[str, str] = {}
    for name, pattern in (
        ("principal", PRINCIPAL),
        ("action", DENIED_ACTION),
        ("resource", DENIED_RESOURCE),
    ):
        match = pattern.search(message.translate(_QUOTES))
        if match:
            facts[name] = match.group(1).rstrip(".,")
    return facts
