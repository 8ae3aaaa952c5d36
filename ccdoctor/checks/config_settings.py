"""config.settings — every settings file Claude Code would read: does it load, and is it shaped
the way the client expects?"""

from __future__ import annotations

from typing import Any

from ccdoctor.config.settings_files import Source
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Outcome, Problem
from ccdoctor.diagnose.settings_files import (
    broken_file_problem,
    content_problems,
    global_config_problems,
    settings_label,
)
from ccdoctor.spec import check


@check(
    id="config.settings",
    title="Settings files",
    category=Category.CONFIG,
    description="Each settings file Claude Code reads (user, project, local, --settings, "
    "managed) loads, and its keys have the names and types the client expects.",
    explain="""
Claude Code reads ~/.claude/settings.json, the project's .claude/settings.json and
.claude/settings.local.json, a --settings file and the managed settings file(s). A file that is
not strict JSON (a trailing comma, a comment), is empty, starts with a byte-order mark, is not
UTF-8, is over 2 MiB, is a directory or is unreadable is dropped silently, and with it its whole
"env" block: provider flags, keys and base URLs vanish and the client says "Not logged in".
This check names the file, line and column, and says what was lost with it. It also checks the
types Claude Code expects (env must be an object of strings, model a string, modelOverrides an
object of strings, apiKeyHelper a string), flags misspelt keys with a did-you-mean, environment
variables written at the top level instead of inside "env", permissions/hooks placed in
~/.claude.json (ignored there), and credentials in the committed .claude/settings.json. The "env"
block of ~/.claude.json does apply (above the shell, below every settings file), and so does its
primaryApiKey when no other credential (a claude.ai login included) is set.

Typical fixes: remove the trailing comma the message points at; rename the key it suggests; move
a key into "env"; move secrets to .claude/settings.local.json, which is not committed.
""",
)
def settings_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    home = config.inputs.home
    problems: list[Problem] = []
    unrecognised: dict[str, list[str]] = {}
    files: list[dict[str, Any]] = []
    for layer in config.layers.files:
        label = settings_label(layer, home)
        if layer.error is not None:
            files.append({"source": layer.source.value, "path": layer.path, "state": "broken"})
            problems.append(broken_file_problem(layer, label, config))
        elif layer.data is not None:
            files.append({"source": layer.source.value, "path": layer.path, "state": "loaded"})
            # ~/.claude.json is the client's app state: only its connection keys were kept.
            if layer.source is not Source.GLOBAL:
                problems.extend(content_problems(layer, label, unrecognised))
    problems.extend(global_config_problems(config))
    loaded = [settings_label(layer, home) for layer in config.layers.loaded]
    if loaded:
        ok = f"{len(loaded)} loaded: " + "; ".join(loaded)
    else:
        ok = "no settings files found; Claude Code uses the shell environment alone"
    details: dict[str, Any] = {"files": files}
    if unrecognised:
        details["unrecognised_keys"] = unrecognised
    return Outcome.from_problems(problems, ok, details)
