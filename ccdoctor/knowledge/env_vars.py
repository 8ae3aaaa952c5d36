"""The environment variables Claude Code reads, what kind of value each takes, and the names that
changed.

Sources: the env-vars page of the Claude Code docs (mirror 2026-08), the CHANGELOG, and
observed-client.md. Names are case-sensitive; only the proxy variables also exist in lower case.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ccdoctor.knowledge.models import ALIAS_OVERRIDE_VARIABLE, VERTEX_REGION_OVERRIDES


def custom_header_lines(raw: str) -> list[str]:
    """ANTHROPIC_CUSTOM_HEADERS' `Name: Value` lines: a literal `\\n` separates them too (typed
    into a JSON file by hand, or a one-line shell export)."""
    return raw.replace("\\n", "\n").splitlines()


class Kind(enum.Enum):
    """What a variable's value is, which decides how a malformed value hurts."""

    FLAG = "on/off flag"
    PRESENCE = "presence flag"
    """Any non-empty value, even 0 or false, turns it on."""
    NUMBER = "number"
    URL = "URL"
    CREDENTIAL = "credential"
    HEADERS = "header list"
    MODEL = "model"
    REGION = "region"
    PATH = "path"
    TEXT = "text"
    SET_BY_CLIENT = "set by Claude Code"
    """Exported by Claude Code (or its host) to the processes it starts, not set by users."""


def _kind(kind: Kind, names: Iterable[str]) -> dict[str, Kind]:
    return dict.fromkeys(names, kind)


PROVIDER_FLAGS = (
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "CLAUDE_CODE_USE_FOUNDRY",
    "CLAUDE_CODE_USE_MANTLE",
    "CLAUDE_CODE_USE_ANTHROPIC_AWS",
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
    "CLAUDE_CODE_USE_GATEWAY",
)

PRESENCE_ONLY = (
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
    "DISABLE_TELEMETRY",
    "DISABLE_ERROR_REPORTING",
    "CLAUDE_CODE_TMUX_TRUECOLOR",
    "FALLBACK_FOR_ALL_PRIMARY_MODELS",
    "IS_DEMO",
)

_CREDENTIALS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
    "ANTHROPIC_AWS_API_KEY",
    "AWS_BEARER_TOKEN_BEDROCK",
    "CLAUDE_CODE_GATEWAY_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_REFRESH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "CLAUDE_CODE_CLIENT_KEY_PASSPHRASE",
    "MCP_CLIENT_SECRET",
)

SENT_AS_HEADER = frozenset(
    {
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_FOUNDRY_API_KEY",
        "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
        "ANTHROPIC_AWS_API_KEY",
        "ANTHROPIC_AWS_WORKSPACE_ID",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_ACCESS_KEY_ID",
        "AWS_SESSION_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "ANTHROPIC_BETAS",
        "ANTHROPIC_BEDROCK_SERVICE_TIER",
    }
)
"""Values that travel verbatim in an HTTP header, where a line break or a character above U+00FF
makes the request fail before it is sent."""

CUSTOM_HEADERS = "ANTHROPIC_CUSTOM_HEADERS"
CUSTOM_HEADERS_ERROR = "Invalid ANTHROPIC_CUSTOM_HEADERS · Fix the environment variable"
"""The client's own message (2.1.227+) when a header it would send is malformed."""

_ALIAS_PIN_EXTRAS = tuple(
    f"{variable}{suffix}"
    for variable in ALIAS_OVERRIDE_VARIABLE.values()
    for suffix in ("_NAME", "_DESCRIPTION", "_SUPPORTED_CAPABILITIES")
)

KNOWN: Mapping[str, Kind] = {
    **_kind(Kind.FLAG, PROVIDER_FLAGS),
    **_kind(Kind.PRESENCE, PRESENCE_ONLY),
    **_kind(Kind.CREDENTIAL, _CREDENTIALS),
    CUSTOM_HEADERS: Kind.HEADERS,
    **_kind(
        Kind.URL,
        (
            "ANTHROPIC_BASE_URL",
            "ANTHROPIC_BEDROCK_BASE_URL",
            "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
            "ANTHROPIC_VERTEX_BASE_URL",
            "ANTHROPIC_FOUNDRY_BASE_URL",
            "ANTHROPIC_AWS_BASE_URL",
            "ANTHROPIC_GOOGLE_CLOUD_BASE_URL",
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "https_proxy",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "BETA_TRACING_ENDPOINT",
        ),
    ),
    **_kind(
        Kind.MODEL,
        (
            "ANTHROPIC_MODEL",
            "ANTHROPIC_DEFAULT_MODEL",
            *ALIAS_OVERRIDE_VARIABLE.values(),
            "ANTHROPIC_SMALL_FAST_MODEL",
            "ANTHROPIC_CUSTOM_MODEL_OPTION",
            "CLAUDE_CODE_SUBAGENT_MODEL",
        ),
    ),
    **_kind(
        Kind.REGION,
        (
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION",
            "CLOUD_ML_REGION",
            *(variable for _, variable in VERTEX_REGION_OVERRIDES),
        ),
    ),
    **_kind(
        Kind.PATH,
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_CONFIG_FILE",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "NODE_EXTRA_CA_CERTS",
            "SSL_CERT_FILE",
            "CLAUDE_CODE_CLIENT_CERT",
            "CLAUDE_CODE_CLIENT_KEY",
            "CLAUDE_CONFIG_DIR",
            "CLAUDE_CODE_DEBUG_LOGS_DIR",
            "CLAUDE_CODE_PLUGIN_CACHE_DIR",
            "CLAUDE_CODE_PLUGIN_DIRS",
            "CLAUDE_CODE_PLUGIN_SEED_DIR",
            "CLAUDE_CODE_TMPDIR",
            "CLAUDE_CODE_GIT_BASH_PATH",
            "CLAUDE_CODE_SHELL",
            "CLAUDE_CLIENT_PRESENCE_FILE",
        ),
    ),
    **_kind(
        Kind.NUMBER,
        (
            "CLAUDE_CODE_GATEWAY_TOKEN_FILE_DESCRIPTOR",
            "API_TIMEOUT_MS",
            "CLAUDE_CODE_API_KEY_HELPER_TTL_MS",
            "CLAUDE_CODE_AWS_CHAIN_RESOLVE_TIMEOUT_MS",
            "CLAUDE_CODE_CONNECT_TIMEOUT_MS",
            "CLAUDE_CODE_MAX_RETRIES",
            "CLAUDE_STREAM_IDLE_TIMEOUT_MS",
            "CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS",
            "CLAUDE_STREAM_FIRST_BYTE_TIMEOUT_MS",
            "CLAUDE_CODE_MAX_OUTPUT_TOKENS",
            "MAX_THINKING_TOKENS",
            "CLAUDE_CODE_MAX_CONTEXT_TOKENS",
            "CLAUDE_CODE_AUTO_COMPACT_WINDOW",
            "CLAUDE_CODE_GATEWAY_MODEL_DISCOVERY_TIMEOUT_MS",
            "CLAUDE_CODE_OTEL_HEADERS_HELPER_DEBOUNCE_MS",
            "CLAUDE_CODE_OTEL_FLUSH_TIMEOUT_MS",
            "CLAUDE_CODE_OTEL_SHUTDOWN_TIMEOUT_MS",
            "CLAUDE_CODE_OTEL_CONTENT_MAX_LENGTH",
            "CLAUDE_CODE_PLUGIN_GIT_TIMEOUT_MS",
            "CLAUDE_CODE_MAX_TOOL_USE_CONCURRENCY",
            "CLAUDE_CODE_MAX_CONCURRENT_SUBAGENTS",
            "CLAUDE_CODE_MAX_SUBAGENT_SPAWN_DEPTH",
            "CLAUDE_CODE_MAX_SUBAGENTS_PER_SESSION",
            "CLAUDE_CODE_MAX_MCP_DESCRIPTION_LENGTH",
            "CLAUDE_CODE_MAX_TURNS",
            "CLAUDE_CODE_MAX_WEB_SEARCHES_PER_SESSION",
            "CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS",
            "CLAUDE_CODE_MCP_STARTUP_WAIT_MS",
            "CLAUDE_CODE_MCP_TOOL_IDLE_TIMEOUT",
            "CLAUDE_CODE_FILE_READ_MAX_OUTPUT_TOKENS",
            "CLAUDE_CODE_EXIT_AFTER_STOP_DELAY",
            "CLAUDE_CODE_GLOB_TIMEOUT_SECONDS",
            "CLAUDE_CODE_GOAL_CHECKIN_MINUTES",
            "CLAUDE_CODE_AUTO_BACKGROUND_WORKER_CHECKIN_SECONDS",
            "CLAUDE_CODE_PRINT_BG_WAIT_CEILING_MS",
            "CLAUDE_CODE_RESUME_INTERRUPTED_TURN_MAX_AGE_MS",
            "CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS",
            "CLAUDE_CODE_STOP_HOOK_BLOCK_CAP",
            "CLAUDE_CODE_SYNC_PLUGIN_INSTALL_TIMEOUT_MS",
            "CLAUDE_CODE_SYNC_SKILLS_INSTALL_TIMEOUT_MS",
            "CLAUDE_CODE_SYNC_SKILLS_WAIT_TIMEOUT_MS",
            "CLAUDE_CODE_TEAM_TEARDOWN_PARK_TIMEOUT_MS",
            "CLAUDE_CODE_USER_DIALOG_TIMEOUT_MS",
            "CLAUDE_CODE_WEBFETCH_CACHE_TTL_MS",
            "CLAUDE_CODE_WEBFETCH_DEADLINE_MS",
            "CLAUDE_CODE_WORKFLOW_MAX_CONCURRENT_AGENTS",
            "CLAUDE_CODE_WORKFLOW_PREFIX_STAGGER_MS",
            "CLAUDE_CODE_SCROLL_SPEED",
            "CLAUDE_AFK_COUNTDOWN_MS",
            "CLAUDE_AFK_TIMEOUT_MS",
            "CLAUDE_ASYNC_AGENT_STALL_TIMEOUT_MS",
            "CLAUDE_AUTOCOMPACT_PCT_OVERRIDE",
            "CLAUDE_AX_PREPARK_MS",
            "CLAUDE_AX_STARTUP_QUIET_MS",
            "CLAUDE_SUBAGENT_BG_SHELL_MAX_MS",
            "BASH_DEFAULT_TIMEOUT_MS",
            "BASH_MAX_TIMEOUT_MS",
            "BASH_MAX_OUTPUT_LENGTH",
            "FORCE_HYPERLINK",
        ),
    ),
    **_kind(
        Kind.TEXT,
        (
            "ANTHROPIC_BEDROCK_REGION_PREFIX",
            "ANTHROPIC_BEDROCK_SERVICE_TIER",
            "ANTHROPIC_VERTEX_PROJECT_ID",
            "ANTHROPIC_FOUNDRY_RESOURCE",
            "ANTHROPIC_AWS_WORKSPACE_ID",
            "ANTHROPIC_GOOGLE_CLOUD_PROJECT",
            "ANTHROPIC_GOOGLE_CLOUD_LOCATION",
            "ANTHROPIC_GOOGLE_CLOUD_WORKSPACE_ID",
            "ANTHROPIC_PROFILE",
            "ANTHROPIC_FEDERATION_RULE_ID",
            "ANTHROPIC_ORGANIZATION_ID",
            "ANTHROPIC_WORKSPACE_ID",
            "ANTHROPIC_BETAS",
            "ANTHROPIC_LOG",
            "ANTHROPIC_CUSTOM_MODEL_OPTION_NAME",
            "ANTHROPIC_CUSTOM_MODEL_OPTION_DESCRIPTION",
            "ANTHROPIC_CUSTOM_MODEL_OPTION_SUPPORTED_CAPABILITIES",
            *_ALIAS_PIN_EXTRAS,
            "AWS_PROFILE",
            "GCLOUD_PROJECT",
            "GOOGLE_CLOUD_PROJECT",
            "NO_PROXY",
            "no_proxy",
            "DEBUG",
            "CLAUDE_CODE_CERT_STORE",
            "CLAUDE_CODE_EFFORT_LEVEL",
            "CLAUDE_CODE_EXTRA_BODY",
            "CLAUDE_CODE_PROCESS_WRAPPER",
            "CLAUDE_CODE_SHELL_PREFIX",
            "CLAUDE_CODE_PROMPT_CACHE_TTL",
            "CLAUDE_CODE_SUBAGENT_PROMPT_CACHE_TTL",
            "CLAUDE_CODE_DEBUG_LOG_LEVEL",
            "CLAUDE_CODE_IDE_HOST_OVERRIDE",
            "CLAUDE_CODE_OAUTH_SCOPES",
            "CLAUDE_CODE_PROJECT_DIR_NAME",
            "CLAUDE_CODE_RESUME_PROMPT",
            "CLAUDE_CODE_SCRIPT_CAPS",
            "CLAUDE_CODE_TASK_LIST_ID",
            "CLAUDE_CODE_TOOL_MEMORY_CGROUP_EXCLUDE",
            "CLAUDE_CODE_TOOL_MEMORY_LIMIT",
            "CLAUDE_REMOTE_CONTROL_SESSION_NAME_PREFIX",
            "ENABLE_TOOL_SEARCH",
            "MCP_PROTOCOL_NEGOTIATION",
            "MCP_SDK_GENERATION",
        ),
    ),
    **_kind(
        Kind.FLAG,
        (
            "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
            "CLAUDE_CODE_SKIP_VERTEX_AUTH",
            "CLAUDE_CODE_SKIP_FOUNDRY_AUTH",
            "CLAUDE_CODE_SKIP_MANTLE_AUTH",
            "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH",
            "CLAUDE_CODE_SKIP_ANTHROPIC_GOOGLE_CLOUD_AUTH",
            "CLAUDE_CODE_SKIP_AWS_CRED_CACHE",
            "CLAUDE_CODE_SKIP_FAST_MODE_NETWORK_ERRORS",
            "CLAUDE_CODE_SKIP_FAST_MODE_ORG_CHECK",
            "CLAUDE_CODE_SKIP_PROMPT_HISTORY",
            "CLAUDE_CODE_PROXY_RESOLVES_HOSTS",
            "CLAUDE_CODE_RETRY_WATCHDOG",
            "CLAUDE_CODE_ATTRIBUTION_HEADER",
            "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY",
            "CLAUDE_CODE_ENABLE_FINE_GRAINED_TOOL_STREAMING",
            "CLAUDE_CODE_GATEWAY_HINT_HEADERS",
            "CLAUDE_CODE_PROPAGATE_TRACEPARENT",
            "CLAUDE_CODE_DISABLE_1M_CONTEXT",
            "CLAUDE_CODE_DISABLE_ADAPTIVE_THINKING",
            "CLAUDE_CODE_DISABLE_ADMIN_ENV_UNION",
            "CLAUDE_CODE_DISABLE_ADVISOR_TOOL",
            "CLAUDE_CODE_DISABLE_AGENT_VIEW",
            "CLAUDE_CODE_DISABLE_ALTERNATE_SCREEN",
            "CLAUDE_CODE_DISABLE_ARTIFACT",
            "CLAUDE_CODE_DISABLE_ATTACHMENTS",
            "CLAUDE_CODE_DISABLE_AUTO_MEMORY",
            "CLAUDE_CODE_DISABLE_BACKGROUND_TASKS",
            "CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_DEFAULT",
            "CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_GUARD",
            "CLAUDE_CODE_DISABLE_BG_EXIT_HANDOFF",
            "CLAUDE_CODE_DISABLE_BG_SHELL_PRESSURE_REAP",
            "CLAUDE_CODE_DISABLE_BUNDLED_SKILLS",
            "CLAUDE_CODE_DISABLE_CFC_PROMPT",
            "CLAUDE_CODE_DISABLE_CLAUDE_MDS",
            "CLAUDE_CODE_DISABLE_CRON",
            "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS",
            "CLAUDE_CODE_DISABLE_EXPLORE_PLAN_AGENTS",
            "CLAUDE_CODE_DISABLE_FAST_MODE",
            "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY",
            "CLAUDE_CODE_DISABLE_FILE_CHECKPOINTING",
            "CLAUDE_CODE_DISABLE_GIT_INSTRUCTIONS",
            "CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP",
            "CLAUDE_CODE_DISABLE_MOUSE",
            "CLAUDE_CODE_DISABLE_MOUSE_CLICKS",
            "CLAUDE_CODE_DISABLE_MTLS_RELOAD_ON_STALE_CONNECTION",
            "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK",
            "CLAUDE_CODE_DISABLE_NOTIFICATION_PRESENCE_CHECK",
            "CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL",
            "CLAUDE_CODE_DISABLE_PERMISSION_PROMPT_NOTIFY_HOOKS",
            "CLAUDE_CODE_DISABLE_POLICY_SKILLS",
            "CLAUDE_CODE_DISABLE_TERMINAL_TITLE",
            "CLAUDE_CODE_DISABLE_THINKING",
            "CLAUDE_CODE_DISABLE_UNKNOWN_MODEL_WINDOW_ENFORCEMENT",
            "CLAUDE_CODE_DISABLE_VIRTUAL_SCROLL",
            "CLAUDE_CODE_DISABLE_WINDOWS_SHELL_LAUNCHER",
            "CLAUDE_CODE_DISABLE_WORKFLOWS",
            "CLAUDE_CODE_ACCESSIBILITY",
            "CLAUDE_CODE_ADDITIONAL_DIRECTORIES_CLAUDE_MD",
            "CLAUDE_CODE_ALT_SCREEN_FULL_REPAINT",
            "CLAUDE_CODE_ALWAYS_ENABLE_EFFORT",
            "CLAUDE_CODE_ARTIFACT_AUTO_OPEN",
            "CLAUDE_CODE_ARTIFACT_COMMENTS",
            "CLAUDE_CODE_ARTIFACT_COMMENTS_AUTOREACT",
            "CLAUDE_CODE_AUTO_CONNECT_IDE",
            "CLAUDE_CODE_AUTO_MODE_SERVER",
            "CLAUDE_CODE_BASH_EDIT_DIFF",
            "CLAUDE_CODE_BG_TASKS_REPORT_RUNNING",
            "CLAUDE_CODE_BS_AS_CTRL_BACKSPACE",
            "CLAUDE_CODE_ENABLE_AUTO_MODE",
            "CLAUDE_CODE_ENABLE_AWAY_SUMMARY",
            "CLAUDE_CODE_ENABLE_BACKGROUND_PLUGIN_REFRESH",
            "CLAUDE_CODE_ENABLE_FEEDBACK_SURVEY_FOR_OTEL",
            "CLAUDE_CODE_ENABLE_OPUS_4_7_FAST_MODE",
            "CLAUDE_CODE_ENABLE_PROMPT_SUGGESTION",
            "CLAUDE_CODE_ENABLE_TASKS",
            "CLAUDE_CODE_ENABLE_TELEMETRY",
            "CLAUDE_CODE_ENABLE_TODO_TOOLS",
            "CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS",
            "CLAUDE_CODE_FORCE_SESSION_PERSISTENCE",
            "CLAUDE_CODE_FORCE_STRIKETHROUGH",
            "CLAUDE_CODE_FORCE_SYNC_OUTPUT",
            "CLAUDE_CODE_FORK_SUBAGENT",
            "CLAUDE_CODE_FORWARD_SUBAGENT_TEXT",
            "CLAUDE_CODE_GLOB_HIDDEN",
            "CLAUDE_CODE_GLOB_NO_IGNORE",
            "CLAUDE_CODE_HIDE_CWD",
            "CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL",
            "CLAUDE_CODE_IDE_SKIP_VALID_CHECK",
            "CLAUDE_CODE_MCP_ALLOWLIST_ENV",
            "CLAUDE_CODE_NATIVE_CURSOR",
            "CLAUDE_CODE_NEW_INIT",
            "CLAUDE_CODE_NONBLOCKING_STDOUT",
            "CLAUDE_CODE_NO_FLICKER",
            "CLAUDE_CODE_OPUS_4_6_FAST_MODE_OVERRIDE",
            "CLAUDE_CODE_OTEL_DIAG_STDERR",
            "CLAUDE_CODE_PACKAGE_MANAGER_AUTO_UPDATE",
            "CLAUDE_CODE_PERFORCE_MODE",
            "CLAUDE_CODE_PLUGIN_KEEP_MARKETPLACE_ON_FAILURE",
            "CLAUDE_CODE_PLUGIN_PREFER_HTTPS",
            "CLAUDE_CODE_POWERSHELL_RESPECT_EXECUTION_POLICY",
            "CLAUDE_CODE_RESTRICTED",
            "CLAUDE_CODE_RESUME_INTERRUPTED_TURN",
            "CLAUDE_CODE_SAFE_MODE",
            "CLAUDE_CODE_SEND_FEEDBACK",
            "CLAUDE_CODE_SIMPLE",
            "CLAUDE_CODE_SIMPLE_SYSTEM_PROMPT",
            "CLAUDE_CODE_STARTUP_FAILURE_RESULTS",
            "CLAUDE_CODE_SUBAGENT_MODEL_FORCE",
            "CLAUDE_CODE_SUBPROCESS_ENV_SCRUB",
            "CLAUDE_CODE_SYNC_PLUGIN_INSTALL",
            "CLAUDE_CODE_SYNC_SKILLS",
            "CLAUDE_CODE_SYNTAX_HIGHLIGHT",
            "CLAUDE_CODE_USE_NATIVE_FILE_SEARCH",
            "CLAUDE_CODE_USE_POWERSHELL_TOOL",
            "CLAUDE_AGENT_SDK_DISABLE_BUILTIN_AGENTS",
            "CLAUDE_AGENT_SDK_MCP_NO_PREFIX",
            "CLAUDE_AUTO_BACKGROUND_TASKS",
            "CLAUDE_AX_SCREEN_READER",
            "CLAUDE_BASH_MAINTAIN_PROJECT_WORKING_DIR",
            "CLAUDE_DISABLE_ADOPT",
            "CLAUDE_ENABLE_STREAM_WATCHDOG",
            "CLAUDE_ENABLE_BYTE_WATCHDOG",
            "CLAUDE_ENABLE_BYTE_WATCHDOG_BEDROCK",
            "API_FORCE_IDLE_TIMEOUT",
            "DISABLE_PROMPT_CACHING",
            "DISABLE_PROMPT_CACHING_HAIKU",
            "DISABLE_PROMPT_CACHING_SONNET",
            "DISABLE_PROMPT_CACHING_OPUS",
            "DISABLE_PROMPT_CACHING_FABLE",
            "ENABLE_PROMPT_CACHING_1H",
            "ENABLE_PROMPT_CACHING_1H_BEDROCK",
            "FORCE_PROMPT_CACHING_5M",
            "DISABLE_INTERLEAVED_THINKING",
            "DISABLE_NON_ESSENTIAL_MODEL_CALLS",
            "DISABLE_AUTOUPDATER",
            "DISABLE_UPDATES",
            "DISABLE_AUTO_COMPACT",
            "DISABLE_COMPACT",
            "DISABLE_COST_WARNINGS",
            "DISABLE_DOCTOR_COMMAND",
            "DISABLE_LOGIN_COMMAND",
            "DISABLE_LOGOUT_COMMAND",
            "DISABLE_GROWTHBOOK",
            "DISABLE_FEEDBACK_COMMAND",
            "DISABLE_BUG_COMMAND",
            "DISABLE_EXTRA_USAGE_COMMAND",
            "DISABLE_INSTALLATION_CHECKS",
            "DISABLE_INSTALL_GITHUB_APP_COMMAND",
            "DISABLE_UPGRADE_COMMAND",
            "DO_NOT_TRACK",
            "ENABLE_BETA_TRACING_DETAILED",
            "ENABLE_CLAUDEAI_MCP_SERVERS",
            "FORCE_AUTOUPDATE_PLUGINS",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "CCR_FORCE_BUNDLE",
        ),
    ),
    **_kind(
        Kind.SET_BY_CLIENT,
        (
            "CLAUDECODE",
            "CLAUDE_CODE_ENTRYPOINT",
            "CLAUDE_CODE_SSE_PORT",
            "CLAUDE_CODE_EXECPATH",
            "CLAUDE_CODE_CHILD_SESSION",
            "CLAUDE_CODE_SESSION_ID",
            "CLAUDE_CODE_BRIDGE_SESSION_ID",
            "CLAUDE_CODE_REMOTE",
            "CLAUDE_CODE_REMOTE_SESSION_ID",
            "CLAUDE_CODE_MESSAGING_SOCKET",
            "CLAUDE_CODE_MESSAGING_TOKEN",
            "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST",
            "CLAUDE_AGENT_SDK_VERSION",
            "CLAUDE_EFFORT",
            "CLAUDE_ENV_FILE",
            "CLAUDE_JOB_DIR",
            "CLAUDE_PID",
            "CLAUDE_PROJECT_DIR",
            "CLAUDE_PLUGIN_ROOT",
            "CLAUDE_PLUGIN_DATA",
        ),
    ),
}

CHECKED_PREFIXES = (
    "CLAUDE_CODE_",
    "ANTHROPIC_",
    "VERTEX_REGION_",
    "CLAUDE_",
    "DISABLE_PROMPT_CACHING",
    "ENABLE_PROMPT_CACHING",
)
"""Names in these families are Claude Code's own, so an unknown one is probably a typo."""


@dataclass(frozen=True)
class Deprecation:
    """A deprecated Claude Code variable, what replaces it, and the version that stopped reading
    it."""

    name: str
    replacement: str | None
    """The variable to use instead; None when the setting simply has no effect any more."""
    note: str
    since: tuple[int, int, int] | None = None
    """First client version where the old name stopped working; None if it still works."""


DEPRECATED: Mapping[str, Deprecation] = {
    d.name: d
    for d in (
        Deprecation(
            "ANTHROPIC_SMALL_FAST_MODEL",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
            "deprecated since Aug 2025 in favour of ANTHROPIC_DEFAULT_HAIKU_MODEL",
        ),
        Deprecation(
            "ENABLE_PROMPT_CACHING_1H_BEDROCK",
            "ENABLE_PROMPT_CACHING_1H",
            "a deprecated alias of ENABLE_PROMPT_CACHING_1H",
        ),
        Deprecation(
            "CLAUDE_CODE_CONNECT_TIMEOUT_MS",
            None,
            "removed in 2.1.186 and now a no-op; API_TIMEOUT_MS is the per-request timeout and "
            "CLAUDE_STREAM_FIRST_BYTE_TIMEOUT_MS the response-header deadline",
            (2, 1, 186),
        ),
    )
}

DEBUG_VARIABLE = "DEBUG"
DEBUG_REPLACEMENT = "ANTHROPIC_LOG"
"""`DEBUG=true` logged every API request before 0.2.125; now it only turns on the debug log file
and `ANTHROPIC_LOG=debug` logs the requests."""


def kind_of(name: str) -> Kind | None:
    return KNOWN.get(name)


def is_checked_family(name: str) -> bool:
    return name.upper().startswith(CHECKED_PREFIXES)


def closest_known(name: str) -> str | None:
    """The known variable a misspelt name most likely meant, or None when nothing is close.

    Names share long prefixes (CLAUDE_CODE_…), which inflates a whole-name similarity, so the
    part after the family prefix is compared within the family first; a whole-name match across
    families needs to be closer still."""
    upper = name.strip().upper()
    if upper in KNOWN:
        return upper
    if any(upper.startswith(f"{known}_") for known in KNOWN):
        return None  # a user's own variant such as ANTHROPIC_API_KEY_PERSONAL, not a typo
    words = sorted(upper.split("_"))
    reordered = [n for n in KNOWN if sorted(n.split("_")) == words]
    if len(reordered) == 1:
        return reordered[0]  # VERTEX_REGION_CLAUDE_4_5_HAIKU → VERTEX_REGION_CLAUDE_HAIKU_4_5
    family = next((p for p in CHECKED_PREFIXES if upper.startswith(p)), None)
    if family is not None:
        tail = upper[len(family) :]
        siblings = {n[len(family) :]: n for n in KNOWN if n.startswith(family)}
        match = difflib.get_close_matches(tail, list(siblings), n=1, cutoff=0.85)
        if match:
            return siblings[match[0]]
        # The right words under the wrong family: CLAUDE_USE_BEDROCK → CLAUDE_CODE_USE_BEDROCK.
        same_tail = [n for n in KNOWN if "_" in tail and n.endswith(f"_{tail}")]
        if len(same_tail) == 1:
            return same_tail[0]
    match = difflib.get_close_matches(upper, [n for n in KNOWN if n.isupper()], n=1, cutoff=0.9)
    return match[0] if match else None
