"""Which AWS region each Bedrock model is called in, and whether its model IDs fit that region."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Any

from ccdoctor.config.removal import export_in_shell, removal_fix, where_to_set
from ccdoctor.config.resolve import DEFAULT
from ccdoctor.config.view import ModelChoice, RegionChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import models as model_data
from ccdoctor.knowledge import regions
from ccdoctor.providers.bedrock import live as shared
from ccdoctor.providers.bedrock.aws import AwsError
from ccdoctor.providers.bedrock.errors import Kind
from ccdoctor.wire import fallback

_REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
_PREFIX_VARIABLE = "ANTHROPIC_BEDROCK_REGION_PREFIX"
_SMALL_REGION_VARIABLE = "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION"
_SMALL_PIN_VARIABLES = ("ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_SMALL_FAST_MODEL")


@dataclass(frozen=True)
class CallRegion:
    """The region one model's requests go to, as the installed client computes it."""

    role: str
    model: ModelChoice
    region: str
    origin: str


def call_regions(config: ResolvedConfig) -> tuple[CallRegion, ...]:
    """Main and small/fast model with the region each is invoked in."""
    main, small = config.bedrock_region, config.small_model_region
    return (
        CallRegion("main", config.main_model, main.value, main.origin),
        CallRegion("small/fast", config.small_model, small.value, small.origin),
    )


def region_problems(
    config: ResolvedConfig, judged_live: frozenset[tuple[str, str]] = frozenset()
) -> list[Problem]:
    """`judged_live`: (model, region) pairs a live listing has already judged."""
    problems: list[Problem] = []
    problems.extend(_skipped(config.bedrock_region))
    problems.extend(_file_region_ignored(config))
    problems.extend(_prefix_setting(config))
    problems.extend(_small_region_setting(config))
    targets = call_regions(config)
    for region in dict.fromkeys(t.region for t in targets):
        problems.extend(membership_problems(region, _origin_of(targets, region)))
    seen: set[tuple[str, str]] = set()
    for target in targets:
        key = (target.model.model_id, target.region)
        if key not in seen and key not in judged_live:
            seen.add(key)
            problems.extend(model_region_problems(target, config))
    return problems


def membership_problems(region: str, origin: str) -> list[Problem]:
    """Unknown regions are only a warning: AWS adds regions faster than ccdoctor ships."""
    if region not in regions.BEDROCK_REGIONS:
        close = difflib.get_close_matches(region, sorted(regions.BEDROCK_REGIONS), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        return [
            Problem(
                Status.WARN,
                f"region {region} ({origin}) is not a Bedrock region ccdoctor knows; it may be "
                "misspelt, or new",
                Fix(
                    f"Check the spelling.{hint} A live check (models.bedrock) tells for sure.",
                    (f"export AWS_REGION={close[0] if close else regions.BEDROCK_DEFAULT_REGION}",),
                ),
            )
        ]
    if region not in regions.BEDROCK_CLAUDE_REGIONS:
        nearby = _nearby_claude_regions(region)
        return [
            Problem(
                Status.WARN,
                f"Bedrock exists in {region} ({origin}) but Claude is not documented there",
                Fix(
                    f"Call a region that serves Claude, e.g. {', '.join(nearby)}.",
                    (f"export AWS_REGION={nearby[0]}",),
                ),
            )
        ]
    return []


def model_region_problems(target: CallRegion, config: ResolvedConfig) -> list[Problem]:
    """An inference profile lives in the regions it is called from; an application profile or
    provisioned model only in its ARN's region."""
    model_id = target.model.model_id
    profile = model_data.BEDROCK_PROFILE_ID.match(model_id)
    if profile is not None:
        prefix = profile.group(1)
        if regions.profile_callable_from(prefix, target.region) is not False:
            return []
        preferred = regions.bedrock_prefix_for_region(target.region)
        swapped = f"{preferred}.{profile.group(2)}"
        from_setting = (config.get(_PREFIX_VARIABLE) or "").strip().lower() == prefix
        cause = f" ({_PREFIX_VARIABLE}={prefix} put it there)" if from_setting else ""
        return [
            Problem(
                Status.WARN,
                f"{target.role} model {model_id} is a {prefix}. inference profile{cause}, but "
                f"it is called in {target.region} ({target.origin}), where {prefix}. profiles "
                "are not offered; a profile must exist in the region you call",
                Fix(
                    f"Use the {preferred}. profile of the same model, or call a region in the "
                    f"{prefix} geography."
                    + (f" Or unset {_PREFIX_VARIABLE}." if from_setting else ""),
                    (f"export {_model_variable(target)}={swapped}",),
                ),
            )
        ]
    arn = model_data.BEDROCK_ARN.match(model_id)
    if arn is None or not arn.group(1) or arn.group(1) == target.region:
        return []
    arn_region, kind = arn.group(1), arn.group(3)
    bound = kind in regions.APPLICATION_BOUND_ARN_KINDS
    variable = "AWS_REGION" if target.role == "main" else _SMALL_REGION_VARIABLE
    return [
        Problem(
            Status.FAIL if bound else Status.WARN,
            f"{target.role} model is {_article(kind)} {kind} ARN in {arn_region}, but it is "
            f"called in {target.region} ({target.origin})"
            + ("; InvokeModel must go to the ARN's region" if bound else ""),
            Fix(
                f"Call {arn_region} (set {variable}={arn_region}), or use an ARN from the region "
                "you call.",
                (f"export {variable}={arn_region}",),
            ),
        )
    ]


@dataclass(frozen=True)
class _LiveJudgement:
    """What the live Bedrock listing says of the models' regions: problems, the pairs it decided,
    notes and summary."""

    problems: list[Problem]
    pairs: frozenset[tuple[str, str]]
    """(model, region) pairs the listing decided, replacing the offline guess."""
    notes: dict[str, Any]
    summary: str


def judge_live_profiles(ctx: CheckContext, targets: tuple[CallRegion, ...]) -> _LiveJudgement:
    budget = shared.Budget(ctx)
    state = shared.usable(ctx, budget)
    if not state.ok:
        return _LiveJudgement([], frozenset(), {"skipped": state.why}, "")
    problems: list[Problem] = []
    pairs: set[tuple[str, str]] = set()
    notes: dict[str, Any] = {}
    for region in dict.fromkeys(t.region for t in targets):
        result = shared.listing(ctx, region, budget)
        if isinstance(result, AwsError):
            notes[region] = result.describe()
            if result.rule.kind is not Kind.CREDENTIALS:  # credentials.aws reports those
                problems.append(_listing_failed(ctx, result, region))
            continue
        notes[region] = {"profiles_listed": len(result.profiles)}
        for target in (t for t in targets if t.region == region):
            pair = (target.model.model_id, region)
            if model_data.BEDROCK_PROFILE_ID.match(pair[0]) and pair not in pairs:
                pairs.add(pair)  # a small/fast model that is the main model is judged once
                problems.extend(_profile_problems(ctx.config, target, result))
    listed = [r for r, n in notes.items() if isinstance(n, dict)]
    summary = f"; profiles listed live in {', '.join(listed)}" if listed else ""
    return _LiveJudgement(problems, frozenset(pairs), notes, summary)


def _listing_failed(ctx: CheckContext, error: AwsError, region: str) -> Problem:
    known = shared.facts(ctx, error, region=region)
    return shared.error_problem(
        ctx.config,
        Status.WARN,
        f"could not list the inference profiles in {region}, as the client does at start-up; "
        f"it then sends its {ctx.config.bedrock_prefix}. profiles unverified",
        error,
        known,
    )


def _profile_problems(
    config: ResolvedConfig, target: CallRegion, listing: shared.Listing
) -> list[Problem]:
    model = target.model
    model_id = model.model_id
    if model_id in listing.profiles:
        return []
    role = "main model" if target.role == "main" else "small/fast model"
    variable = shared.model_variable(model.role)
    others = listing.same_model(model_id)
    where = f"{target.region} ({target.origin})"
    if others and not model.explicit:
        other = others[0]
        prefix = other.split(".", 1)[0]
        command = (
            f"export {_PREFIX_VARIABLE}={prefix}"
            if prefix in regions.REGION_PREFIX_SETTING_VALUES
            else f"export {variable}={other}"
        )
        return [
            Problem(
                Status.WARN,
                f"{role} {model_id} (built-in default) is not offered in {where}; Claude Code "
                f"then sends {other}, which is",
                Fix(f"Make the choice explicit: {other} is offered there.", (command,)),
            )
        ]
    status = Status.FAIL if target.role == "main" else Status.WARN
    if others:
        return [
            Problem(
                status,
                f"{role} {model_id} is not an inference profile offered in {where}; "
                f"{', '.join(others)} {'is' if len(others) == 1 else 'are'}",
                Fix(
                    f"Use a profile of the same model that {target.region} offers.",
                    (f"export {variable}={others[0]}",),
                ),
            )
        ]
    family = listing.family(model_id, regions.bedrock_prefix_for_region(target.region))
    hint = f" Offered there: {', '.join(family[:4])}." if family else ""
    landing = _listed_fallback(config, target, listing)
    if landing is not None:
        return [
            Problem(
                Status.WARN,
                f"{role} {model_id} (built-in default) is not offered in {where}; "
                f"{fallback.client_named(config)} then falls back to {landing}, which is: "
                "models.bedrock proves it answers",
                Fix(
                    f"Choose the model sessions land on, or call a region that offers {model_id}.",
                    (f"export {variable}={landing}",),
                ),
            )
        ]
    return [
        Problem(
            status,
            f"{role} {model_id} is not offered in {where}, under any prefix",
            Fix(
                f"Pin a model {target.region} offers, or call a region that offers this one."
                + hint,
                (f"export {variable}={family[0]}",) if family else (),
            ),
        )
    ]


def _listed_fallback(
    config: ResolvedConfig, target: CallRegion, listing: shared.Listing
) -> str | None:
    """The first model of the client's fallback chain the region lists (or lists under another
    prefix, which the client then sends), for the main model only."""
    if target.role != "main":
        return None
    for candidate in config.fallback_models():
        choice = dataclasses.replace(target.model, model_id=candidate)
        sent = shared.sent_model_id(choice, listing)
        if sent in listing.profiles:
            return sent
    return None


def region_summary(config: ResolvedConfig, targets: tuple[CallRegion, ...]) -> str:
    main, small = targets
    text = f"{main.region} ({_describe_origin(config, main.origin)})"
    if config.bedrock_region.origin == DEFAULT.describe():
        text += ": none of AWS_REGION, AWS_DEFAULT_REGION or a profile region is set"
    text += f"; inference-profile prefix {config.bedrock_prefix}"
    if small.region != main.region:
        text += f"; small/fast model in {small.region} ({small.origin})"
    return text


def _from_aws_files(choice: RegionChoice) -> bool:
    return choice.origin not in (*_REGION_VARIABLES, DEFAULT.describe())


def _older_than(config: ResolvedConfig, version: tuple[int, int, int]) -> bool:
    return config.claude_version is not None and config.claude_version < version


def _skipped(choice: RegionChoice) -> list[Problem]:
    problems = []
    for where, raw in choice.skipped:
        candidate = raw.strip().lower()
        example = (
            candidate if regions.REGION_SHAPE.match(candidate) else regions.BEDROCK_DEFAULT_REGION
        )
        if where in _REGION_VARIABLES:
            command = f"export {where}={example}"
        else:
            command = f"aws configure set region {example}"
        problems.append(
            Problem(
                Status.WARN,
                f"{where} = {raw!r} is not shaped like an AWS region; Claude Code skips it and "
                f"uses {choice.value} ({choice.origin})",
                Fix(
                    f"Write a region name such as {example} (lower case, no quotes or spaces).",
                    (command,),
                ),
            )
        )
    return problems


def _file_region_ignored(config: ResolvedConfig) -> list[Problem]:
    choice = config.bedrock_region
    if not _from_aws_files(choice) or not _older_than(config, regions.REGION_FROM_AWS_FILES_SINCE):
        return []
    since = ".".join(map(str, regions.REGION_FROM_AWS_FILES_SINCE))
    return [
        Problem(
            Status.WARN,
            f"the region {choice.value} is set only in the {choice.origin}; Claude Code before "
            f"{since} does not read it and calls {regions.BEDROCK_DEFAULT_REGION}",
            Fix(
                f"Export AWS_REGION, or upgrade Claude Code to {since} or later.",
                (f"export AWS_REGION={choice.value}", "claude update"),
            ),
        )
    ]


def _prefix_setting(config: ResolvedConfig) -> list[Problem]:
    raw = config.get(_PREFIX_VARIABLE)
    if raw is None:
        return []
    value = raw.strip().lower()
    valid = sorted(regions.REGION_PREFIX_SETTING_VALUES)
    if _older_than(config, regions.REGION_PREFIX_SETTING_SINCE):
        since = ".".join(map(str, regions.REGION_PREFIX_SETTING_SINCE))
        return [
            Problem(
                Status.WARN,
                f"{_PREFIX_VARIABLE} is set, but Claude Code reads it only from {since} on",
                Fix(
                    f"Upgrade Claude Code, or pin the models you want (e.g. "
                    f"ANTHROPIC_MODEL={value}.anthropic.…).",
                    ("claude update",),
                ),
            )
        ]
    if value not in regions.REGION_PREFIX_SETTING_VALUES:
        return [
            Problem(
                Status.WARN,
                f"{_PREFIX_VARIABLE}={raw!r} is not one of {', '.join(valid)}; Claude Code "
                f"ignores it and uses the region's prefix {config.bedrock_prefix}.",
                Fix(
                    (
                        f"Set it to one of {', '.join(valid)}, or unset it. "
                        + where_to_set(config, _PREFIX_VARIABLE, config.bedrock_prefix)
                    ).rstrip(),
                    export_in_shell(config, _PREFIX_VARIABLE, config.bedrock_prefix),
                ),
            )
        ]
    if config.bedrock_prefix == regions.GOVCLOUD_PREFIX:
        return [
            Problem(
                Status.WARN,
                f"{_PREFIX_VARIABLE}={value} is ignored in GovCloud "
                f"({config.bedrock_region.value}): built-in models use "
                f"{regions.GOVCLOUD_PREFIX}. profiles",
                removal_fix(config, f"Unset {_PREFIX_VARIABLE}.", _PREFIX_VARIABLE),
            )
        ]
    return []


def _small_region_setting(config: ResolvedConfig) -> list[Problem]:
    raw = config.get(_SMALL_REGION_VARIABLE)
    if raw is None:
        return []
    pin = _SMALL_PIN_VARIABLES[0]
    if not any(config.get(v) for v in _SMALL_PIN_VARIABLES):
        return [
            Problem(
                Status.WARN,
                f"{_SMALL_REGION_VARIABLE}={raw.strip()} is ignored: Claude Code honours it only "
                f"when {pin} pins the small/fast model",
                Fix(
                    f"Set {pin} to the model to call in {raw.strip()}, or unset "
                    f"{_SMALL_REGION_VARIABLE}.",
                    (f"export {pin}=<model or inference profile in {raw.strip()}>",),
                ),
            )
        ]
    if not regions.REGION_SHAPE.match(raw.strip()):
        return [
            Problem(
                Status.WARN,
                f"{_SMALL_REGION_VARIABLE}={raw!r} is not shaped like an AWS region; Claude Code "
                f"skips it and calls the small/fast model in {config.bedrock_region.value}",
                Fix(
                    "Write a region name such as us-west-2 (lower case, no quotes or spaces).",
                    (f"export {_SMALL_REGION_VARIABLE}=us-west-2",),
                ),
            )
        ]
    return []


def _nearby_claude_regions(region: str) -> list[str]:
    area = region.split("-", 1)[0] + "-"
    same_area = sorted(r for r in regions.BEDROCK_CLAUDE_REGIONS if r.startswith(area))
    return same_area[:3] or [regions.BEDROCK_DEFAULT_REGION]


def _model_variable(target: CallRegion) -> str:
    """The variable that pins this role's model over every other source."""
    return "ANTHROPIC_MODEL" if target.role == "main" else _SMALL_PIN_VARIABLES[0]


def _origin_of(targets: tuple[CallRegion, ...], region: str) -> str:
    return next(t.origin for t in targets if t.region == region)


def _describe_origin(config: ResolvedConfig, origin: str) -> str:
    value = config.env.get(origin)
    return f"{origin}, {value.origin.describe()}" if value is not None else origin


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
