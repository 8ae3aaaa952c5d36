"""config.client — which Claude Code version ccdoctor judges for, and whether it has watched it."""

from __future__ import annotations

from ccdoctor.clients.facts import all_facts
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.spec import check


@check(
    id="config.client",
    title="Claude Code version",
    category=Category.CONFIG,
    description="The Claude Code version ccdoctor judges the set-up for, and whether ccdoctor "
    "has observed that version's behaviour.",
    explain="""
What the client sends — default models, provider precedence, the model-access fallback, which
failures it retries — changes between releases, so every verdict follows facts observed on real
client versions (ccdoctor/clients/versions/*.toml). ccdoctor asks `claude --version` (on PATH,
else ~/.local/bin/claude or ~/.claude/local/claude) unless --claude-version names one, and uses
the newest observed version not newer than it.
- A client newer than every observed version is judged by the newest facts: what changed since
  may be misjudged, so it is a warning.
- A client older than the oldest observed version is judged by the oldest facts: a warning.
- No client found: the newest facts are used, and the report says so.

Typical fixes: upgrade ccdoctor for facts on newer clients; `claude update`; pass
--claude-version with the version you run elsewhere (CI images, a teammate's machine).
""",
)
def client_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    observed = all_facts()
    oldest, newest = observed[0], observed[-1]
    given = config.inputs.claude_version
    origin = config.inputs.claude_version_origin or "not looked for"
    used = config.facts.version_text
    details = {
        "claude_version": given,
        "found_by": origin,
        "facts_of": used,
        "observed_versions": [facts.version_text for facts in observed],
    }
    version = config.claude_version
    if version is None:
        if given:
            what = f"{given!r} is not a Claude Code version ({origin})"
        elif origin.endswith("--version"):
            what = f"{origin} printed no version"
        else:
            what = f"no Claude Code found ({origin})"
        problem = Problem(
            Status.WARN,
            f"{what}; judging for the newest observed version {used}",
            Fix(
                "Install Claude Code, or name the version you run.",
                (f"ccdoctor --claude-version {used}",),
            ),
        )
        return Outcome.from_problems([problem], "", details)
    shown = ".".join(map(str, version))
    problems = []
    if version > newest.since:
        problems.append(
            Problem(
                Status.WARN,
                f"Claude Code {shown} is newer than the newest observed version "
                f"{newest.version_text}; {used}'s facts are used, so what changed since may be "
                "misjudged",
                Fix("Upgrade ccdoctor for facts observed on newer clients."),
            )
        )
    elif version < oldest.since:
        problems.append(
            Problem(
                Status.WARN,
                f"Claude Code {shown} is older than the oldest version ccdoctor supports "
                f"({oldest.version_text}); {used}'s facts are used",
                Fix("Upgrade Claude Code.", ("claude update",)),
            )
        )
    nearest = "" if config.facts.since == version else ", the nearest older observed version"
    return Outcome.from_problems(
        problems, f"Claude Code {shown} ({origin}): judged by the facts of {used}{nearest}", details
    )
