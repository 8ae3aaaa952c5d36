"""Top-level keys of Claude Code's settings files and the JSON type each one takes.

Source: the settings reference of the Claude Code docs (mirror 2026-08, "All settings" index) and
its older versions. Only keys whose type the docs state plainly carry a type; the rest are known
names whose values ccdoctor does not judge. Keys are case-sensitive.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class JsonType(enum.Enum):
    STRING = "a string"
    BOOLEAN = "true or false"
    NUMBER = "a number"
    ARRAY = "an array"
    OBJECT = "an object"
    NULL = "null"


def json_type(value: Any) -> JsonType:
    if isinstance(value, bool):
        return JsonType.BOOLEAN
    if isinstance(value, int | float):
        return JsonType.NUMBER
    if isinstance(value, str):
        return JsonType.STRING
    if isinstance(value, list):
        return JsonType.ARRAY
    if isinstance(value, dict):
        return JsonType.OBJECT
    return JsonType.NULL


@dataclass(frozen=True)
class SettingKey:
    """A known settings.json key: the JSON types it takes and whether it affects the connection."""

    name: str
    types: frozenset[JsonType] | None = None
    """The JSON types the key accepts; None when ccdoctor does not judge the value."""
    connectivity: bool = False
    """A wrong value here changes where or how Claude Code connects, not just how it looks."""


def _typed(
    types: tuple[JsonType, ...], *names: str, connectivity: bool = False
) -> list[SettingKey]:
    return [SettingKey(n, frozenset(types), connectivity) for n in names]


_S, _B, _N, _A, _O = (
    JsonType.STRING,
    JsonType.BOOLEAN,
    JsonType.NUMBER,
    JsonType.ARRAY,
    JsonType.OBJECT,
)

_CONNECTIVITY = [
    *_typed((_O,), "env", "modelOverrides", connectivity=True),
    *_typed(
        (_S,),
        "model",
        "apiKeyHelper",
        "awsAuthRefresh",
        "awsCredentialExport",
        "gcpAuthRefresh",
        connectivity=True,
    ),
]

_TYPED = [
    *_typed((_S,), "$schema", "otelHeadersHelper", "forceLoginMethod", "forceLoginGatewayUrl"),
    *_typed((_S,), "outputStyle", "theme", "language", "effortLevel", "maxEffortLevel"),
    *_typed((_S,), "autoUpdatesChannel", "editorMode", "advisorModel", "plansDirectory"),
    *_typed((_S,), "promptCacheTtl", "subagentPromptCacheTtl", "defaultShell", "tui"),
    *_typed((_S, _A), "fallbackModel", "forceLoginOrgUUID"),
    *_typed((_O,), "permissions", "hooks", "statusLine", "subagentStatusLine", "fileSuggestion"),
    *_typed((_O,), "enabledPlugins", "extraKnownMarketplaces", "attribution", "sandbox"),
    *_typed((_O,), "worktree", "modelSettings", "pluginConfigs", "skillOverrides"),
    *_typed((_A,), "availableModels", "companyAnnouncements", "claudeMdExcludes"),
    *_typed((_A,), "enabledMcpjsonServers", "disabledMcpjsonServers"),
    *_typed((_A,), "allowedMcpServers", "deniedMcpServers"),
    *_typed((_N,), "cleanupPeriodDays", "feedbackSurveyRate", "bashOutputMaxChars"),
    *_typed(
        (_B,),
        "includeCoAuthoredBy",
        "includeGitInstructions",
        "alwaysThinkingEnabled",
        "enforceAvailableModels",
        "skipWebFetchPreflight",
        "disableAllHooks",
        "enableAllProjectMcpServers",
        "spinnerTipsEnabled",
        "respectGitignore",
        "verbose",
        "fastMode",
        "fastModePerSessionOptIn",
        "autoCompactEnabled",
        "autoMemoryEnabled",
        "fileCheckpointingEnabled",
        "showTurnDuration",
        "terminalProgressBarEnabled",
        "syntaxHighlightingDisabled",
        "prefersReducedMotion",
        "promptSuggestionEnabled",
        "skipDangerousModePermissionPrompt",
        "disableBundledSkills",
        "disableAgentView",
        "disableAutoMode",
    ),
]

_UNTYPED = (
    "agent", "agentPushNotifEnabled", "allowAllClaudeAiMcps", "allowedChannelPlugins",
    "allowedHttpHookUrls", "allowManagedHooksOnly", "allowManagedMcpServersOnly",
    "allowManagedPermissionRulesOnly", "askUserQuestionTimeout", "autoCompactWindow",
    "autoContinueAtUsageLimit", "autoMemoryDirectory", "autoMode", "autoScrollEnabled",
    "awaySummaryEnabled", "axScreenReader", "bashEditDiffEnabled", "blockedMarketplaces",
    "browserExternalPageTools", "channelsEnabled", "claudeMd", "crossSessionInbound",
    "desktopSessionCleanupPeriodDays", "dialogExpiry", "disableArtifact",
    "disableBrowserExternalNavigation", "disableClaudeAiConnectors",
    "disableCommandPluginSources", "disableDeepLinkRegistration", "disableDesktopLocalSessions",
    "disableMobileSimulatorTools", "disableRemoteControl", "disableSideloadFlags",
    "disableSkillShellExecution", "disableWorkflows", "emojiCompletionEnabled", "enableArtifact",
    "enableWorkflows", "feedbackDrafts", "footerLinksRegexes", "forceRemoteSettingsRefresh",
    "gatewayInternalNetworks", "httpHookAllowedEnvVars", "inputNeededNotifEnabled",
    "isolatePeerMachines", "keybindingFlavor", "managedMcpServers", "managedSourcesBehavior",
    "maxProseWidth", "minimumVersion", "modelPicker", "modelPricing", "parentSettingsBehavior",
    "pluginSuggestionMarketplaces", "pluginTrustMessage", "policyHelper",
    "preferredNotifChannel", "processWrapper", "prUrlTemplate", "remote",
    "remoteControlAtStartup", "requiredMaximumVersion", "requiredMinimumVersion",
    "respondToBashCommands", "showClearContextOnPlanAccept", "showThinkingSummaries",
    "skillListingBudgetFraction", "skillListingMaxDescChars", "skipAutoPermissionPrompt",
    "spellcheck", "spinnerTipsOverride", "spinnerVerbs", "sshConfigs", "sshHostAllowlist",
    "strictKnownMarketplaces", "strictPluginOnlyCustomization", "switchModelsOnFlag",
    "syncClaudeAiPlugins", "syncClaudeAiSkills", "taskOutputMaxChars", "teammateMode",
    "terminalTitleFromRename", "timeFormat", "timeZone", "ultracode", "useAutoModeDuringPlan",
    "viewMode", "vimInsertModeRemaps", "voice", "voiceEnabled", "wheelScrollAccelerationEnabled",
    "workflowKeywordTriggerEnabled", "workflowSizeGuideline", "wslInheritsWindowsSettings",
    # Written into settings.json by the client itself or by older releases.
    "feedbackSurveyState", "autoUpdates",
    # Global-config keys the docs list alongside settings (they live in ~/.claude.json).
    "autoConnectIde", "autoInstallIdeExtension", "copyOnSelect", "diffTool",
    "externalEditorContext", "permissionExplainerEnabled", "teammateDefaultModel",
)  # fmt: skip

KNOWN_SETTINGS: Mapping[str, SettingKey] = {
    key.name: key for key in (*_CONNECTIVITY, *_TYPED, *(SettingKey(n) for n in _UNTYPED))
}

MISPLACED: Mapping[str, str] = {
    "mcpServers": "MCP servers are not read from settings files: add them with `claude mcp add` "
    "(stored in ~/.claude.json) or list them in the project's .mcp.json",
    "disableExperimentalBetas": "there is no such setting; set the environment variable "
    'CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1 inside "env" instead',
    "primaryApiKey": "that is ~/.claude.json state written by /login, not a setting; put the key "
    'in "env" as ANTHROPIC_API_KEY (user or local settings only) or use apiKeyHelper',
}
"""Keys people put in settings files that Claude Code does not read there, with where they go."""

GLOBAL_CONFIG_IGNORED = ("permissions", "hooks")
"""Settings-file keys that Claude Code ignores when they are written into ~/.claude.json (its
`env` block, on the contrary, applies: ccdoctor reads it as the lowest settings layer)."""


def closest_setting(key: str) -> str | None:
    """The known key a misspelt one most likely meant, or None when nothing is close."""
    by_lower = {name.lower(): name for name in KNOWN_SETTINGS}
    if key.lower() in by_lower:
        return by_lower[key.lower()]
    match = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.8)
    return by_lower[match[0]] if match else None
