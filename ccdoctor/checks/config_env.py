"""config.env — the environment Claude Code will see: misspelt names, values pasted with their
quotes, characters a header cannot carry, deprecated and contradictory variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ccdoctor.config.resolve import Value, env_string
from ccdoctor.config.settings_files import Source
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Outcome, Problem
from ccdoctor.diagnose.environment import (
    auth_conflict_problems,
    custom_header_problems,
    deprecated_problems,
    misspelt_name_problem,
    presence_only_problems,
    value_problems,
    variable_inventory,
)
from ccdoctor.spec import check


@check(
    id="config.env",
    title="Environment variables",
    category=Category.CONFIG,
    description="The variables Claude Code will see (shell plus settings env blocks): misspelt "
    "names, quoted or broken values, deprecated names, conflicting credentials and a malformed "
    "ANTHROPIC_CUSTOM_HEADERS.",
    explain="""
Looks at the effective environment: the shell's variables overlaid with every settings file's
"env" block, as Claude Code builds it. It flags:
- CLAUDE_CODE_*, ANTHROPIC_* and VERTEX_REGION_* names the client does not know, with the name
  you probably meant (a misspelt provider flag is a failure when no provider flag is set);
- values pasted with literal quotes ("'https://…'"): fatal for URLs (the client cannot parse
  them), keys (sent with the quotes → 401) and model IDs;
- carriage returns, NUL bytes and characters above U+00FF (curly quotes, zero-width spaces) in
  values sent as HTTP headers: the request fails before it is sent;
- ANTHROPIC_CUSTOM_HEADERS lines that are not "Name: Value" with a valid header name — the
  client's "Invalid ANTHROPIC_CUSTOM_HEADERS";
- deprecated names (ANTHROPIC_SMALL_FAST_MODEL, ENABLE_PROMPT_CACHING_1H_BEDROCK,
  CLAUDE_CODE_CONNECT_TIMEOUT_MS, DEBUG=true for request logging);
- ANTHROPIC_API_KEY together with ANTHROPIC_AUTH_TOKEN ("Auth conflict": both headers are sent);
- presence-only variables such as DISABLE_TELEMETRY set to 0 or false, which still turn them on.
Secret values are never shown, only their fingerprints; header values are treated as secrets.

Typical fixes: rename the variable; remove the quotes (in JSON the outer quotes are the string's
own); retype a value copied from a web page; unset one of the two credentials.
""",
)
def env_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    problems: list[Problem] = []
    notes: list[str] = []
    for name, value in sorted(config.env.items()):
        problem = misspelt_name_problem(name, value, config)
        if problem is not None:
            problems.append(problem)
        if value.text is not None:
            problems.extend(value_problems(name, value, value.text, notes))
    problems.extend(deprecated_problems(config))
    problems.extend(presence_only_problems(config))
    problems.extend(auth_conflict_problems(config))
    header_names: list[str] = []
    problems.extend(custom_header_problems(config, header_names))
    details: dict[str, Any] = {"variables": variable_inventory(config)}
    if header_names:
        details["custom_header_names"] = header_names
    if notes:
        details["notes"] = notes
    count = len(details["variables"])
    message = f"{count} Claude Code variable{'s' if count != 1 else ''} set, all well formed"
    overridden = _settings_beat_shell(config.env)
    if overridden:
        # The client is fine with it, but a user who exported the variable expects the export.
        details["settings_beat_shell"] = overridden
        message += (
            f"; a settings env block overrides the shell's export of {', '.join(overridden)} "
            "(`ccdoctor config` shows both)"
        )
    return Outcome.from_problems(problems, message, details)


def _settings_beat_shell(env: Mapping[str, Value]) -> list[str]:
    return [
        name
        for name, value in sorted(env.items())
        if value.origin.source is not Source.SHELL
        and any(
            v.origin.source is Source.SHELL and env_string(v.raw) != env_string(value.raw)
            for v in value.shadowed
        )
    ]
