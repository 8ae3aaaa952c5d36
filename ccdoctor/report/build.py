"""The finished report: results, summary, exit code, and the configuration that was judged."""

from __future__ import annotations

import datetime as dt
import platform
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ccdoctor import __version__
from ccdoctor.config.resolve import Value
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.redact import Redactor, fingerprint
from ccdoctor.core.results import CheckResult, Status, Summary
from ccdoctor.core.secrets import is_secret_variable
from ccdoctor.knowledge.env_vars import custom_header_lines
from ccdoctor.report.causes import link_causes

SCHEMA_VERSION = "1.3"

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def exit_code(summary: Summary, strict: bool) -> int:
    """A function rather than the property's body: mutmut leaves properties unmutated, and the
    exit code is what a CI gate reads."""
    counts = summary.counts
    if counts[Status.FAIL] or counts[Status.ERROR]:
        return EXIT_PROBLEMS
    if strict and counts[Status.WARN]:
        return EXIT_PROBLEMS
    return EXIT_OK


_RELEVANT_VARIABLE = re.compile(
    r"^(ANTHROPIC_|CLAUDE_|AWS_|VERTEX_REGION_|GOOGLE_|GCLOUD_|CLOUD_ML_REGION$|DISABLE_PROMPT_"
    r"|ENABLE_PROMPT_|FORCE_PROMPT_|HTTPS?_PROXY$|NO_PROXY$|NODE_EXTRA_CA_CERTS$|SSL_CERT_FILE$"
    r"|NODE_TLS_REJECT_UNAUTHORIZED$|API_TIMEOUT_MS$|MAX_THINKING_TOKENS$)",
    re.IGNORECASE,
)
_CONNECTIVITY_SETTINGS = (
    "model",
    "apiKeyHelper",
    "modelOverrides",
    "availableModels",
    "awsAuthRefresh",
    "awsCredentialExport",
    "gcpAuthRefresh",
    "forceLoginMethod",
)


@dataclass(frozen=True)
class ConfigEntry:
    """One line of the report's configuration section: a variable, setting or derived value, its
    source, and what it shadowed."""

    name: str
    kind: str
    """"env", "setting" or "derived"."""
    value: str | None
    source: str
    shadowed: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Report:
    """The whole report: when, for which client version and provider, the configuration, the results
    and the summary."""

    generated_at: str
    claude_code_version: str | None
    provider: str
    config: tuple[ConfigEntry, ...]
    results: tuple[CheckResult, ...]
    summary: Summary
    strict: bool = False

    @property
    def exit_code(self) -> int:
        return exit_code(self.summary, self.strict)

    @property
    def platform(self) -> dict[str, Any]:
        return {
            "os": f"{platform.system()} {platform.release()}".strip(),
            "python": sys.version.split()[0],
            "claude_code_version": self.claude_code_version,
        }

    @property
    def tool(self) -> dict[str, str]:
        return {"name": "ccdoctor", "version": __version__}


def build_report(
    config: ResolvedConfig,
    results: Sequence[CheckResult],
    duration_ms: float,
    redactor: Redactor,
    strict: bool = False,
    deadline_s: float | None = None,
) -> Report:
    return Report(
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        claude_code_version=config.inputs.claude_version,
        provider=config.provider.route_id,
        config=config_entries(config, redactor),
        results=link_causes(results),
        summary=Summary.of(results, round(duration_ms, 1), deadline_s),
        strict=strict,
    )


def display_value(name: str, raw: Any, redactor: Redactor) -> str | None:
    """How a configuration value may be shown: secrets only as fingerprints."""
    if raw is None:
        return None
    text = raw if isinstance(raw, str) else repr(raw)
    if is_secret_variable(name) and text:
        return fingerprint(text.strip(), name.lower())
    if name.upper() == "ANTHROPIC_CUSTOM_HEADERS":
        return _header_names_only(text)
    return redactor.scrub(text)


def _header_names_only(text: str) -> str:
    names = [line.split(":", 1)[0].strip() for line in custom_header_lines(text) if line.strip()]
    return "headers: " + ", ".join(f"{n}: <redacted>" for n in names)


def config_entries(config: ResolvedConfig, redactor: Redactor) -> tuple[ConfigEntry, ...]:
    entries = _derived(config)
    from_files = {n for layer in config.layers.loaded for n in layer.env}
    for name in sorted(config.env):
        if name in from_files or _RELEVANT_VARIABLE.match(name):
            entries.append(_entry(name, "env", config.env[name], redactor))
    for key in _CONNECTIVITY_SETTINGS:
        if key in config.settings:
            entries.append(_entry(key, "setting", config.settings[key], redactor))
    return tuple(entries)


def _entry(name: str, kind: str, value: Value, redactor: Redactor) -> ConfigEntry:
    return ConfigEntry(
        name=name,
        kind=kind,
        value=display_value(name, value.raw, redactor),
        source=value.origin.describe(),
        shadowed=tuple(
            (v.origin.describe(), display_value(name, v.raw, redactor)) for v in value.shadowed
        ),
    )


def _derived(config: ResolvedConfig) -> list[ConfigEntry]:
    provider = config.provider
    winner = next(iter(provider.truthy), None)
    entries = [
        ConfigEntry(
            "provider",
            "derived",
            provider.route_id,
            f"{winner.variable} from {winner.value.origin.describe()}"
            if winner and winner.value
            else "no provider flag is truthy: Anthropic API",
        ),
        ConfigEntry(
            "claude_code_version",
            "derived",
            config.inputs.claude_version,
            "claude --version" if config.inputs.claude_version else "not found on PATH",
        ),
        ConfigEntry("model.defaults", "derived", None, config.defaults_source),
    ]
    entries += [
        ConfigEntry(
            f"model.{choice.role}",
            "derived",
            choice.model_id + ("[1m]" if choice.one_million else ""),
            " → ".join(choice.steps),
        )
        for choice in (config.main_model, config.small_model)
    ]
    if provider.provider.value == "bedrock":
        region = config.bedrock_region
        entries.append(ConfigEntry("bedrock.region", "derived", region.value, region.origin))
        entries.append(
            ConfigEntry("bedrock.profile_prefix", "derived", config.bedrock_prefix, "region")
        )
        small = config.small_model_region
        if small != region:
            entries.append(
                ConfigEntry("bedrock.small_fast_region", "derived", small.value, small.origin)
            )
    if provider.provider.value == "vertex":
        project = config.vertex_project
        entries.append(
            ConfigEntry(
                "vertex.project",
                "derived",
                project.value,
                project.origin or "not set",
                project.shadowed,
            )
        )
        for role, region in config.vertex_regions.items():
            entries.append(
                ConfigEntry(f"vertex.region.{role}", "derived", region.value, region.origin)
            )
    return entries
