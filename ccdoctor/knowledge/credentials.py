"""Credential knowledge: token shapes, apiKeyHelper limits, the AWS and Google credential sources,
and the texts the client shows when a credential is missing or wrong."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import timedelta

# --- Anthropic API and gateways ------------------------------------------------------------------


class TokenKind(enum.Enum):
    API_KEY = "Anthropic API key"
    OAUTH_ACCESS = "Claude OAuth access token"
    OAUTH_REFRESH = "Claude OAuth refresh token"
    ADMIN_KEY = "Anthropic Admin API key"
    OTHER_ANTHROPIC = "Anthropic credential of an unknown kind"
    FOREIGN = "non-Anthropic token"


ANTHROPIC_PREFIX = "sk-ant-"
TOKEN_PREFIXES: tuple[tuple[str, TokenKind], ...] = (
    ("sk-ant-api", TokenKind.API_KEY),
    ("sk-ant-oat", TokenKind.OAUTH_ACCESS),
    ("sk-ant-ort", TokenKind.OAUTH_REFRESH),
    ("sk-ant-admin", TokenKind.ADMIN_KEY),
)
NEVER_VALID_FOR_INFERENCE = frozenset({TokenKind.OAUTH_REFRESH, TokenKind.ADMIN_KEY})
"""Kinds api.anthropic.com rejects for /v1/messages whichever header carries them."""


def token_kind(value: str) -> TokenKind:
    for prefix, kind in TOKEN_PREFIXES:
        if value.startswith(prefix):
            return kind
    return TokenKind.OTHER_ANTHROPIC if value.startswith(ANTHROPIC_PREFIX) else TokenKind.FOREIGN


ANTHROPIC_API_HOST = "api.anthropic.com"
BEARER_HEADER = "Authorization: Bearer"
API_KEY_HEADER = "x-api-key"

PRIMARY_API_KEY = "primaryApiKey"
"""The key /login (console sign-in) leaves in ~/.claude.json. The client sends it as x-api-key when
neither ANTHROPIC_API_KEY, an apiKeyHelper nor CLAUDE_CODE_OAUTH_TOKEN is set, and beside
ANTHROPIC_AUTH_TOKEN (watched on 2.1.197 and 2.1.332)."""

CLAUDE_CREDENTIALS_FILE = ".credentials.json"
"""Where `/login` keeps the claude.ai login on Linux and Windows, inside ~/.claude or
$CLAUDE_CONFIG_DIR (macOS keeps it in the Keychain)."""
CLAUDE_LOGIN_KEY = "claudeAiOauth"
KEYCHAIN_PLATFORM = "darwin"

HELPER_STRICT_OUTPUT_SINCE = (2, 1, 227)
"""From this version the helper's stdout must be exactly one printable-ASCII token."""
HELPER_MAX_TOKEN_CHARS = 16_384
HELPER_SLOW_NOTICE_SECONDS = 10.0
"""The client shows a notice when the helper takes longer than this."""
HELPER_OUTPUT_CAP_BYTES = 64 * 1024
"""ccdoctor keeps at most this much of each helper stream: a helper printing megabytes is
already broken, and must not eat memory."""
HELPER_DEFAULT_TTL_MS = 300_000
HELPER_TTL_VARIABLE = "CLAUDE_CODE_API_KEY_HELPER_TTL_MS"
SHELL = "/bin/sh"
"""The client runs apiKeyHelper through `/bin/sh -c` on macOS and Linux."""
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127

NOT_LOGGED_IN = "Not logged in · Please run /login"
INVALID_API_KEY = "Invalid API key · Fix external API key"
HELPER_FAILING = (
    "Your apiKeyHelper script is failing · This usually means you need to re-authenticate with "
    "your provider · Run /status to see the script's error output"
)


def auth_conflict(token: str, key: str) -> str:
    return f"Auth conflict: Both a token ({token}) and an API key ({key}) are set."


# --- Text that cannot travel in a header ---------------------------------------------------------

QUOTE_CHARACTERS = frozenset("\"'`“”‘’")
"""Literal quotes around a credential are sent as part of it."""
HEADER_MAX_CODE_POINT = 0xFF
"""Node rejects header values with characters above U+00FF (curly quotes, zero-width space)."""

# --- Amazon Bedrock ------------------------------------------------------------------------------

AWS_METHOD_LABELS: dict[str, str] = {
    "env": "environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
    "assume-role": "assumed role (role_arn in the profile)",
    "assume-role-with-web-identity": "web identity (OIDC token file + role)",
    "sso": "IAM Identity Center (SSO) login",
    "shared-credentials-file": "static keys in the shared credentials file",
    "login": "`aws login` console session",
    "custom-process": "credential_process command",
    "config-file": "static keys in the config file",
    "container-role": "container credentials endpoint (ECS / EKS Pod Identity)",
    "iam-role": "EC2 instance role (IMDS)",
    "bedrock-api-key": "Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)",
    "aws-credential-export": "awsCredentialExport command (settings)",
    "skipped": "none: CLAUDE_CODE_SKIP_BEDROCK_AUTH",
}
"""botocore's credential-provider METHOD names, plus the sources Claude Code adds before the
chain, mapped to what a user recognises."""

AWS_NO_CREDENTIALS = "API Error: Could not load credentials from any providers"
AWS_PARTIAL_CREDENTIALS = "Partial credentials found in {where}, missing: {missing}"
AWS_PROFILE_NOT_FOUND = "The config profile ({profile}) could not be found"
AWS_SSO_EXPIRED = (
    "The SSO session associated with this profile has expired. To refresh this SSO session run "
    "aws sso login with the corresponding profile."
)
AWS_SSO_CACHE = (".aws", "sso", "cache")
"""Below HOME; each token file is named sha1(sso_session name) or sha1(sso_start_url)."""
AWS_EXPIRY_WARNING = timedelta(minutes=30)
"""A credential ending sooner than this will run out in the middle of a session."""
AWS_ACCESS_KEY_ID_SHAPE = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")
AWS_TEMPORARY_KEY_PREFIX = "ASIA"
AWS_CONTAINER_VARIABLES = (
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)
AWS_ASSUME_ROLE_CREDENTIAL_SOURCES = frozenset(
    {"Environment", "Ec2InstanceMetadata", "EcsContainer"}
)
AWS_PROFILE_CHAIN_DEPTH = 5
"""source_profile hops followed before giving up (botocore refuses cycles)."""

BEDROCK_SHORT_KEY_PREFIX = "bedrock-api-key-"
BEDROCK_SHORT_KEY_URL_START = "bedrock.amazonaws.com/"
BEDROCK_LONG_KEY_PREFIX = "ABSK"
BEDROCK_LONG_KEY_BODY = re.compile(r"^BedrockAPIKey-[A-Za-z0-9]+-at-(\d{12}):")
BEDROCK_KEY_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

# --- Google Vertex AI ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GcpCredentialType:
    """One `type` of Google credential file: how the report names it, the keys it must hold, and
    whether Vertex AI accepts it."""

    label: str
    required: tuple[str, ...]
    for_vertex: bool = True


GCP_CREDENTIAL_TYPES: dict[str, GcpCredentialType] = {
    "service_account": GcpCredentialType(
        "service-account key", ("client_email", "private_key", "token_uri")
    ),
    "authorized_user": GcpCredentialType(
        "user credentials (gcloud auth application-default login)",
        ("client_id", "client_secret", "refresh_token"),
    ),
    "external_account": GcpCredentialType(
        "workload identity federation",
        ("audience", "subject_token_type", "token_url", "credential_source"),
    ),
    "external_account_authorized_user": GcpCredentialType(
        "workforce identity federation user credentials",
        ("refresh_token", "token_url", "client_id", "client_secret"),
    ),
    "impersonated_service_account": GcpCredentialType(
        "impersonated service account",
        ("service_account_impersonation_url", "source_credentials"),
    ),
    "gdch_service_account": GcpCredentialType(
        "Google Distributed Cloud Hosted service account", (), for_vertex=False
    ),
}
GCP_SECRET_FIELDS = ("private_key", "refresh_token", "client_secret")
GCP_USER_TYPES = frozenset({"authorized_user"})
"""Types that bill a quota project rather than the credential's own project."""
GCP_PEM_BEGIN = re.compile(r"-----BEGIN (?:RSA |EC )?PRIVATE KEY-----")
GCP_PEM_END = re.compile(r"-----END (?:RSA |EC )?PRIVATE KEY-----")
GCP_ALLOW_EXECUTABLES = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"
GCP_ADC_FILE = "application_default_credentials.json"
GCP_QUOTA_PROJECT_VARIABLE = "GOOGLE_CLOUD_QUOTA_PROJECT"
GCP_METADATA_HINT_VARIABLES = ("GCE_METADATA_HOST", "GCE_METADATA_IP", "K_SERVICE", "CLOUD_RUN_JOB")
"""Variables set where a Google metadata server answers (or is redirected to)."""
GCP_CREDENTIAL_FILE_MAX_BYTES = 1024 * 1024

GCP_NO_PROJECT = "No projectId was given and it could not be resolved from credentials"
GCP_NO_CREDENTIALS = "Could not load the default credentials"


def gcp_invalid_type(path: str, found: object) -> str:
    expected = ", ".join(f"'{t}'" for t in GCP_CREDENTIAL_TYPES)
    return (
        f"The file {path} does not have a valid type. Type is {found!r}, expected one of "
        f"({expected})."
    )


# --- Which cloud this machine runs in ------------------------------------------------------------

CLOUD_HOST_MARKERS: tuple[tuple[str, str], ...] = (
    ("amazon", "aws"),
    ("google", "gcp"),
)
"""Substrings of the DMI vendor/product strings, lower-cased, and the cloud they reveal."""
DMI_FILES = ("sys_vendor", "product_name", "bios_vendor", "board_vendor")
