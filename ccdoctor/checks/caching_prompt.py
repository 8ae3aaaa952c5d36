"""caching.prompt — whether prompt caching is on for the models in use, and the TTL switches."""

from __future__ import annotations

from collections.abc import Iterable

from ccdoctor.config.removal import removal_fix, unset_command, unset_in_shell
from ccdoctor.config.resolve import Value
from ccdoctor.config.settings_files import Source
from ccdoctor.config.truthy import Flag, parse_flag
from ccdoctor.config.view import ModelChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.knowledge import caching
from ccdoctor.spec import check

_COST = (
    "Caching is on automatically and needs no opt-in on any provider; with it off every turn is "
    "billed as uncached input and answers start slower."
)
_OLD_ADVICE = (
    " (The May 2025 docs told Bedrock/Vertex accounts without caching to set it; that no "
    "longer applies.)"
)


def flag(config: ResolvedConfig, name: str) -> Flag:
    return parse_flag(config.get(name))


def models_in_use(config: ResolvedConfig) -> tuple[ModelChoice, ...]:
    main, small = config.main_model, config.small_model
    return (main,) if small.model_id == main.model_id else (main, small)


def caching_problems(config: ResolvedConfig) -> list[Problem]:
    problems: list[Problem] = []
    models = models_in_use(config)
    families = {caching.model_family(m.model_id) for m in models}
    global_off = flag(config, caching.DISABLE_ALL) is Flag.TRUE
    for variable in caching.DISABLE_VARIABLES:
        value = config.env.get(variable)
        if value is None or value.text is None:
            continue
        reading = parse_flag(value.text)
        if reading is Flag.AMBIGUOUS:
            problems.append(_ambiguous(value))
        if reading is not Flag.TRUE:
            continue
        family = _family_of(variable)
        if family is None:
            problems.append(_disabled(value, models, "all models"))
        elif global_off:
            problems.append(_redundant(value))
        elif family in families:
            hit = [m for m in models if caching.model_family(m.model_id) == family]
            problems.append(_disabled(value, hit, f"{family} models"))
        elif None not in families:  # an ARN hides its family: then we cannot say it is unused
            problems.append(_no_effect(value, models))
    problems.extend(_ttl_problems(config))
    problems.extend(_unmarked_system_block(config))
    return problems


@check(
    id="caching.prompt",
    title="Prompt caching",
    category=Category.CACHING,
    description="Whether prompt caching is on for the models in use, and whether the caching "
    "switches do what they seem to.",
    explain="""
Prompt caching is on by default for every provider; Claude Code warns at start-up (2.1.108+) when
a DISABLE_PROMPT_CACHING* variable turns it off, because every turn is then billed as uncached
input. DISABLE_PROMPT_CACHING turns it off for all models and beats the per-family
DISABLE_PROMPT_CACHING_HAIKU/_SONNET/_OPUS/_FABLE, which do nothing for families not in use.

ENABLE_PROMPT_CACHING_1H asks for the 1-hour TTL (FORCE_PROMPT_CACHING_5M overrides it; the
_BEDROCK spelling is deprecated); before 2.1.132 it made Bedrock and Vertex answer 400. Setting
ANTHROPIC_BEDROCK_BASE_URL or ANTHROPIC_VERTEX_BASE_URL to any value makes the client stop
marking the mid-conversation system block for caching.

Typical fixes: remove the DISABLE_PROMPT_CACHING* variables; rename
ENABLE_PROMPT_CACHING_1H_BEDROCK; upgrade Claude Code; unset a base URL that only repeats the
provider's own endpoint.
""",
)
def caching_prompt_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    models = models_in_use(config)
    settings = {
        name: value.text
        for name in (
            *caching.DISABLE_VARIABLES,
            caching.ENABLE_ONE_HOUR,
            caching.ENABLE_ONE_HOUR_BEDROCK,
            caching.FORCE_FIVE_MINUTES,
        )
        if (value := config.env.get(name)) is not None
    }
    details = {"models": [m.model_id for m in models], "variables": settings}
    return Outcome.from_problems(caching_problems(config), _summary(config, models), details)


def _summary(config: ResolvedConfig, models: Iterable[ModelChoice]) -> str:
    cached = " and ".join(f"{m.model_id} ({m.role.replace('_', '/')})" for m in models)
    text = f"prompt caching on for {cached}"
    if flag(config, caching.FORCE_FIVE_MINUTES) is Flag.TRUE:
        text += f"; 5-minute TTL ({caching.FORCE_FIVE_MINUTES})"
    elif one_hour := _one_hour_variable(config):
        text += f"; 1-hour TTL ({one_hour})"
    off = [n for n in caching.DISABLE_VARIABLES if flag(config, n) is Flag.FALSE]
    if off:
        text += f"; {', '.join(off)} set to a false value (caching stays on)"
    return text


def _one_hour_variable(config: ResolvedConfig) -> str | None:
    for name in (caching.ENABLE_ONE_HOUR, caching.ENABLE_ONE_HOUR_BEDROCK):
        if flag(config, name) is Flag.TRUE:
            return name
    return None


def _ttl_problems(config: ResolvedConfig) -> list[Problem]:
    problems: list[Problem] = []
    if config.get(caching.ENABLE_ONE_HOUR_BEDROCK) is not None:
        problems.append(
            Problem(
                Status.WARN,
                f"{caching.ENABLE_ONE_HOUR_BEDROCK} is deprecated",
                Fix(
                    f"Rename it to {caching.ENABLE_ONE_HOUR}.",
                    (
                        *unset_in_shell(config, caching.ENABLE_ONE_HOUR_BEDROCK),
                        f"export {caching.ENABLE_ONE_HOUR}=1",
                    ),
                    f'{{"env": {{"{caching.ENABLE_ONE_HOUR}": "1"}}}}',
                ),
            )
        )
    one_hour = _one_hour_variable(config)
    if one_hour is None:
        return problems
    if flag(config, caching.FORCE_FIVE_MINUTES) is Flag.TRUE:
        problems.append(
            Problem(
                Status.WARN,
                f"{one_hour} and {caching.FORCE_FIVE_MINUTES} are both set; "
                f"{caching.FORCE_FIVE_MINUTES} wins, so the cache lives 5 minutes",
                removal_fix(
                    config,
                    f"Unset the one you do not want: {caching.FORCE_FIVE_MINUTES} for the 1-hour "
                    f"TTL, {one_hour} for 5 minutes.",
                    caching.FORCE_FIVE_MINUTES,
                ),
            )
        )
    version = config.claude_version
    provider = config.provider.provider
    if (
        provider in caching.CLOUD_PROVIDERS
        and version is not None
        and version < caching.ONE_HOUR_ON_CLOUD_FIXED
    ):
        fixed = ".".join(map(str, caching.ONE_HOUR_ON_CLOUD_FIXED))
        problems.append(
            Problem(
                Status.WARN,
                f"{one_hour} on {provider.value} with Claude Code "
                f"{'.'.join(map(str, version))}: versions before {fixed} get 400 errors",
                removal_fix(
                    config,
                    f"Upgrade Claude Code to {fixed} or later, or unset {one_hour}.",
                    one_hour,
                    before=("claude update",),
                ),
            )
        )
    return problems


def _unmarked_system_block(config: ResolvedConfig) -> list[Problem]:
    variable = caching.SYSTEM_BLOCK_UNMARKED_BY.get(config.provider.provider)
    value = config.env.get(variable) if variable else None
    if value is None or value.text is None:
        return []
    return [
        Problem(
            Status.WARN,
            f"{value.name} is set ({value.origin.describe()}): Claude Code then stops marking "
            "the mid-conversation system block for caching, so it is billed as uncached input "
            "every turn",
            _unset_fix(
                value,
                "If it only repeats the provider's own endpoint, remove it; behind a gateway "
                "this cost is the price of the gateway.",
            ),
        )
    ]


def _disabled(value: Value, models: Iterable[ModelChoice], scope: str) -> Problem:
    names = ", ".join(m.model_id for m in models)
    return Problem(
        Status.WARN,
        f"{value.name}={value.text} ({value.origin.describe()}) turns prompt caching off for "
        f"{scope} ({names}); Claude Code warns about it at start-up",
        _unset_fix(value, _COST + (_OLD_ADVICE if value.name == caching.DISABLE_ALL else "")),
    )


def _redundant(value: Value) -> Problem:
    return Problem(
        Status.WARN,
        f"{value.name} is set together with {caching.DISABLE_ALL}, which already turns caching "
        "off for every model and wins",
        _unset_fix(value, f"Keep at most one; {caching.DISABLE_ALL} decides."),
    )


def _no_effect(value: Value, models: Iterable[ModelChoice]) -> Problem:
    names = ", ".join(m.model_id for m in models)
    return Problem(
        Status.WARN,
        f"{value.name} has no effect: no model in use is of the {_family_of(value.name)} "
        f"family ({names})",
        _unset_fix(value, "Remove it, or check that the models in use are the ones you meant."),
    )


def _ambiguous(value: Value) -> Problem:
    return Problem(
        Status.WARN,
        f"{value.name}={value.text!r} ({value.origin.describe()}) is neither true nor false: "
        "Claude Code treats it as false, so caching stays on",
        _unset_fix(value, "Remove it (or write 1 if you really mean to turn caching off)."),
    )


def _family_of(variable: str) -> str | None:
    return next((f for f, v in caching.DISABLE_BY_FAMILY.items() if v == variable), None)


def _unset_fix(value: Value, why: str) -> Fix:
    definitions = (value, *value.shadowed)
    places = ", ".join(dict.fromkeys(d.origin.describe() for d in definitions))
    in_shell = any(d.origin.source is Source.SHELL for d in definitions)
    return Fix(
        f"{why} Remove {value.name} (set in {places}).",
        (unset_command(value.name),) if in_shell else (),
    )
