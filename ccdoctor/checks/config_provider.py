"""config.provider — which provider the client will use, and whether that is what the user meant."""

from __future__ import annotations

from ccdoctor.config.removal import unset_in_shell
from ccdoctor.config.truthy import Flag
from ccdoctor.config.view import FlagReading, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.knowledge.routes import ANTHROPIC_API, GATEWAY_NAME, route
from ccdoctor.spec import check


@check(
    id="config.provider",
    title="Provider selection",
    category=Category.CONFIG,
    description="Which provider Claude Code will talk to, which setting chose it, and whether "
    "another setting contradicts that choice.",
    explain="""
Claude Code picks its provider from the first true flag in the order of the installed version,
as observed: CLAUDE_CODE_USE_BEDROCK, CLAUDE_CODE_USE_FOUNDRY, CLAUDE_CODE_USE_ANTHROPIC_AWS,
CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD (since 2.1.219), CLAUDE_CODE_USE_MANTLE, then
CLAUDE_CODE_USE_VERTEX; if none is true it uses the Anthropic API (or ANTHROPIC_BASE_URL).
Above them all, CLAUDE_CODE_USE_GATEWAY with ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN signs in
to a Cloud gateway: every request goes there as a bearer, whatever other flag is set; without
either variable the flag is ignored. A flag is true only for 1/true/yes/on (any case, spaces
trimmed); any other value is silently false and the client falls back to the Anthropic API with
"Not logged in". A provider flag left over in a settings file also silently beats an
ANTHROPIC_BASE_URL exported in the shell.

Typical fixes: spell the flag as 1; cancel a stale flag with "CLAUDE_CODE_USE_VERTEX": "" in the
settings file that should win; unset the flag you did not mean.
""",
)
def provider_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    choice = config.provider
    problems: list[Problem] = []
    for reading in choice.flags:
        if reading.flag is Flag.AMBIGUOUS and reading.value is not None:
            problems.append(
                Problem(
                    Status.FAIL,
                    f"{reading.variable}={reading.value.text!r} ({reading.value.origin.describe()})"
                    " is neither true nor false: Claude Code treats it as false",
                    Fix(
                        f"Set {reading.variable} to 1 to enable it, or remove it.",
                        (f"export {reading.variable}=1",),
                        f'{{"env": {{"{reading.variable}": "1"}}}}',
                    ),
                )
            )
    truthy = choice.truthy
    used = choice.provider.value
    if choice.gateway is not None:
        used = GATEWAY_NAME
        if truthy:
            problems.append(_beaten_by_gateway(config, choice.gateway.variable, truthy))
    elif len(truthy) > 1:
        winner, *losers = truthy
        problems.append(
            Problem(
                Status.WARN,
                f"{' and '.join(f.variable for f in truthy)} are all true; "
                f"{winner.variable} wins, so {used} is used",
                Fix(
                    "Unset the provider flags you do not want: "
                    + ", ".join(f.variable for f in losers)
                    + ". In a settings file, an empty string cancels a shell export.",
                    unset_in_shell(config, *(f.variable for f in losers)),
                    '{"env": {' + ", ".join(f'"{f.variable}": ""' for f in losers) + "}}",
                ),
            )
        )
    base_url = config.env.get(ANTHROPIC_API.base_url_variable)
    if choice.provider is not Provider.ANTHROPIC and base_url is not None and base_url.text:
        flag = truthy[0]
        own = route(choice.provider).base_url_variable
        assert flag.value is not None
        problems.append(
            Problem(
                Status.WARN,
                f"ANTHROPIC_BASE_URL ({base_url.origin.describe()}) is ignored because "
                f"{flag.variable} ({flag.value.origin.describe()}) selects {choice.provider.value}",
                Fix(
                    f"To use the gateway at ANTHROPIC_BASE_URL, cancel {flag.variable}; to reach "
                    f"{choice.provider.value} through a gateway, use {own} instead.",
                    unset_in_shell(config, flag.variable),
                    f'{{"env": {{"{flag.variable}": ""}}}}',
                ),
            )
        )
    winner_flag = choice.gateway or (truthy[0] if truthy else None)
    source = (
        f"{winner_flag.variable} from {winner_flag.value.origin.describe()}"
        if winner_flag and winner_flag.value
        else "no provider flag set"
    )
    details = {
        "provider": choice.provider.value,
        "route": GATEWAY_NAME if choice.gateway is not None else route(choice.provider).name,
        "chosen_by": source,
        "flags": {
            f.variable: {
                "value": f.value.text if f.value else None,
                "reads_as": f.flag.value,
                "source": f.value.origin.describe() if f.value else None,
            }
            for f in choice.flags
        },
    }
    return Outcome.from_problems(problems, f"{used} ({source})", details)


def _beaten_by_gateway(
    config: ResolvedConfig, gateway: str, flags: tuple[FlagReading, ...]
) -> Problem:
    names = [f.variable for f in flags]
    return Problem(
        Status.WARN,
        f"{gateway} with ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN signs in to the gateway, "
        f"which beats {' and '.join(names)}: Claude Code sends every request to the gateway",
        Fix(
            "Unset the provider flags you do not want: "
            + ", ".join(names)
            + f"; or unset {gateway} to use them instead of the gateway.",
            unset_in_shell(config, *names),
            '{"env": {' + ", ".join(f'"{name}": ""' for name in names) + "}}",
        ),
    )
