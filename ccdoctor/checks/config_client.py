"""config.client — which Claude Code version ccdoctor judges for, and whether it has watched it."""

from __future__ import annotations

from ccdoctor.clients.facts import FactsOrigin, observed_versions, version_text
from ccdoctor.clients.regressions import Regression, Trigger, known_regressions
from ccdoctor.config.removal import removal_fix
from ccdoctor.config.settings_files import Source
from ccdoctor.config.view import ResolvedConfig
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
- A client newer than every observed version is learned: ccdoctor runs it once against a
  loopback recorder it starts itself (throw-away HOME, dummy credentials, nothing leaves
  127.0.0.1) and judges by what it sent (models, betas, request shape) over the newest facts;
  the result is cached per version in the user's cache folder, so later runs pay nothing.
  With --no-learn, or when learning fails (no binary, a hang, a crash), the newest facts are
  used and what changed since may be misjudged: a warning that says why.
- A client older than the oldest observed version is judged by the oldest facts: a warning.
- No client found: the newest facts are used, and the report says so.
- A `claude` that hangs on `--version` (killed after --timeout, at most 3 s) or cannot be
  started: an error, since the client would not start either.
- A version with a known regression that the set-up triggers (ccdoctor/clients/regressions.toml,
  each confirmed by running that version against the fakes): the Bedrock API key not sent
  (2.1.94), an empty AWS_BEARER_TOKEN_BEDROCK beating the AWS keys (2.1.94 to 2.1.96), NO_PROXY
  from a settings file ignored by the native build (2.1.80 to 2.1.112).

Typical fixes: upgrade ccdoctor for facts on newer clients; `claude update`; pass
--claude-version with the version you run elsewhere (CI images, a teammate's machine).
""",
)
def client_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    observed = observed_versions()
    oldest, newest = observed[0], observed[-1]
    given = config.inputs.claude_version
    origin = config.inputs.claude_version_origin or "not looked for"
    used = config.facts.version_text
    details = {
        "claude_version": given,
        "found_by": origin,
        "facts_of": used,
        "observed_versions": [version_text(v) for v in observed],
    }
    choice = config.inputs.facts_choice
    if choice is not None and choice.origin is not FactsOrigin.SHIPPED:
        details["facts_from"] = choice.origin.value
        details["learning"] = choice.detail
    version = config.claude_version
    broken = config.inputs.claude_version_problem
    if version is None and broken is not None:
        return Outcome(
            Status.ERROR,
            f"{broken}; judging for the newest observed version {used}",
            Fix(
                "The Claude Code on PATH hangs or cannot run, so `claude` will not start either: "
                "reinstall it, or remove the broken one from PATH. To judge a set-up for another "
                "machine's client, name its version.",
                (f"ccdoctor --claude-version {used}",),
            ),
            {**details, "problem": broken},
        )
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
    problems = [
        _regression_problem(config, shown, regression)
        for regression in known_regressions()
        if regression.affects(version) and _triggered(config, regression.trigger)
    ]
    learned = choice is not None and choice.origin in (FactsOrigin.LEARNED, FactsOrigin.CACHED)
    if learned and choice is not None:
        when = "now" if choice.origin is FactsOrigin.LEARNED else "by an earlier run"
        summary = (
            f"Claude Code {shown} ({origin}): newer than every observed version; what it sends "
            f"was learned from it {when} ({choice.detail}), over the facts of "
            f"{version_text(newest)}"
        )
        return Outcome.from_problems(problems, summary, details)
    if version > newest:
        why = f" ({choice.detail})" if choice is not None and choice.detail else ""
        problems.append(
            Problem(
                Status.WARN,
                f"Claude Code {shown} is newer than the newest observed version "
                f"{version_text(newest)}; {used}'s facts are used, so what changed since may be "
                f"misjudged{why}",
                Fix("Upgrade ccdoctor for facts observed on newer clients."),
            )
        )
    elif version < oldest:
        problems.append(
            Problem(
                Status.WARN,
                f"Claude Code {shown} is older than the oldest version ccdoctor supports "
                f"({version_text(oldest)}); {used}'s facts are used",
                Fix("Upgrade Claude Code.", ("claude update",)),
            )
        )
    nearest = "" if config.facts.since == version else ", the nearest older observed version"
    return Outcome.from_problems(
        problems, f"Claude Code {shown} ({origin}): judged by the facts of {used}{nearest}", details
    )


_SHELL_OR_DEFAULT = (Source.SHELL, Source.DEFAULT, Source.FLAG)


def _triggered(config: ResolvedConfig, trigger: Trigger) -> bool:
    if trigger.provider is not None and config.provider.provider is not trigger.provider:
        return False
    present = {name: config.env.get(name) for name in trigger.empty}
    from_files = [config.env.get(name) for name in trigger.from_settings]
    return (
        all(config.get(name) for name in trigger.set)
        and all(value is not None and value.text is None for value in present.values())
        and (not trigger.any_set or any(config.get(name) for name in trigger.any_set))
        and all(
            value is not None and value.text and value.origin.source not in _SHELL_OR_DEFAULT
            for value in from_files
        )
    )


def _regression_problem(config: ResolvedConfig, shown: str, regression: Regression) -> Problem:
    return Problem(
        Status.FAIL if regression.fails else Status.WARN,
        f"with this set-up, Claude Code {shown} {regression.symptom} (a known regression of "
        f"{regression.range_text}: {regression.source})",
        removal_fix(config, regression.fix, *regression.unsets, after=regression.commands),
    )
