"""Whether each model ID the client will send has the shape its route accepts, and where it
came from."""

from __future__ import annotations

import difflib
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ccdoctor.config.settings_files import Source
from ccdoctor.config.view import ModelChoice, ResolvedConfig
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.knowledge import models as model_data
from ccdoctor.knowledge.routes import ANTHROPIC_API, BEDROCK, VERTEX, route

# How an ID breaks down (after the [1m] suffix is stripped): a geo prefix, the `anthropic.`
# vendor part, the model name, a date, and Bedrock's version suffix.
_GEO_PREFIX = re.compile(r"^(?:us|eu|apac|jp|au|global|us-gov)\.")
_BEDROCK_VERSION = re.compile(r"-v\d+(?::\d+)?(?::\d+k)?$")
_DATE = re.compile(r"[-@](\d{8})$")
_WORD = re.compile(r"^[a-z]+[0-9.]*$")
"""A single word such as `sonet` or `opus4`: meant as an alias, sent verbatim when it is not one."""
_FAMILY_VERSION = re.compile(r"^claude-(opus|sonnet|haiku|fable)-(\d+)(?:-(\d{1,2}))?(?:-|$)")
_OLD_FAMILY_VERSION = re.compile(r"^claude-(\d+)(?:-(\d+))?-(opus|sonnet|haiku)")
_ONE_MILLION_SINCE = {"opus": (4, 6), "sonnet": (4, 0), "haiku": (5, 5), "fable": (0, 0)}
"""Families with a 1M-context variant, from the first version that has it: the client's own
model table (2.1.197 and 2.1.337 bundles: `supports_1m_beta` or a 1M window) gives it to Sonnet
4, 4.5 and 4.6, Opus 4.6, and every later Opus, Sonnet, Haiku 5.5 and Fable."""
_NATIVE_ONE_MILLION_SINCE = {"opus": (4, 7), "sonnet": (5, 0), "haiku": (5, 5), "fable": (0, 0)}
"""From these on the model's own window is 1M (the table's `native_1m`): no [1m] is needed.
Between the two tables the window is 200K unless [1m] asks for the 1M variant."""


def shown_id(choice: ModelChoice) -> str:
    return choice.model_id + (model_data.ONE_MILLION_SUFFIX if choice.one_million else "")


def describe_choice(choice: ModelChoice) -> dict[str, Any]:
    return {
        "requested": choice.requested,
        "from": choice.origin.describe(),
        "model_id": choice.model_id,
        "one_million": choice.one_million,
        "steps": list(choice.steps),
    }


def endpoint_named(config: ResolvedConfig) -> str:
    provider = config.provider.provider
    row = route(provider)
    base = row.base_url_variable
    return f"{row.name} via the gateway in {base}" if config.is_set(base) else row.name


# ---- ID shapes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Id:
    """A model ID taken apart."""

    text: str
    name: str
    """The bare model name, e.g. claude-sonnet-4-5, without prefix, vendor, date or version."""
    date: str | None

    @property
    def bedrock_base(self) -> bool:
        return bool(model_data.BEDROCK_BASE_ID.match(self.text))

    @property
    def bedrock_profile(self) -> bool:
        return bool(model_data.BEDROCK_PROFILE_ID.match(self.text))

    @property
    def arn(self) -> bool:
        return self.text.startswith("arn:")

    @property
    def bedrock_shaped(self) -> bool:
        return self.bedrock_base or self.bedrock_profile or self.arn

    @property
    def vertex_dated(self) -> bool:
        return "@" in self.text and bool(model_data.VERTEX_ID.match(self.text))

    @property
    def anthropic(self) -> bool:
        return bool(model_data.ANTHROPIC_ID.match(self.text))

    @property
    def word(self) -> bool:
        return bool(_WORD.match(self.text))

    def as_vertex(self) -> str:
        return f"{self.name}@{self.date}" if self.date else self.name

    def as_anthropic(self) -> str:
        return f"{self.name}-{self.date}" if self.date else self.name


def _parse(model_id: str) -> _Id:
    text = model_id.strip()
    if text.lower().endswith(model_data.ONE_MILLION_SUFFIX):
        text = text[: -len(model_data.ONE_MILLION_SUFFIX)]
    name = _GEO_PREFIX.sub("", text)
    name = name.removeprefix("anthropic.")
    name = _BEDROCK_VERSION.sub("", name)
    date_match = _DATE.search(name)
    date = date_match.group(1) if date_match else None
    if date_match:
        name = name[: date_match.start()]
    return _Id(text, name, date)


def one_million_hint(choice: ModelChoice) -> str | None:
    """A hint for a chosen model that has a 1M-context variant it does not ask for: without
    [1m] it runs with a 200K window. None for built-in models, native 1M windows and the rest."""
    if not choice.explicit or choice.one_million:
        return None
    match = _FAMILY_VERSION.match(_parse(choice.model_id).name)
    if not match:
        return None
    family, major, minor = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    since, native = _ONE_MILLION_SINCE.get(family), _NATIVE_ONE_MILLION_SINCE.get(family)
    if since is None or (major, minor) < since or (native is not None and (major, minor) >= native):
        return None
    return (
        f"{choice.model_id} runs with a 200K context window; it has a 1M-context variant: "
        f"{choice.model_id}[1m] asks for it"
    )


def _one_million_support(parsed: _Id) -> bool | None:
    """Whether the model has a 1M-context variant; None when the ID does not say which model."""
    match = _FAMILY_VERSION.match(parsed.name)
    if match:
        family, major, minor = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        since = _ONE_MILLION_SINCE.get(family)
        return since is not None and (major, minor) >= since
    if _OLD_FAMILY_VERSION.match(parsed.name):
        return False
    return None


def _unquoted(text: str) -> str | None:
    for quote in ('"', "'"):
        if len(text) >= 2 and text.startswith(quote) and text.endswith(quote):
            return text[1:-1].strip()
    return None


def _alias_guess(word: str) -> str | None:
    match = difflib.get_close_matches(word.lower(), model_data.ALIASES, n=1, cutoff=0.75)
    return match[0] if match else None


# ---- where an ID came from, so the fix names the right place ------------------------------------


@dataclass(frozen=True)
class _Source:
    """One place a model ID can be set (a variable, a settings key, a modelOverrides entry or
    --model), and the Fix that edits it there."""

    label: str
    variable: str | None = None
    setting: str | None = None
    override_key: str | None = None
    flag: bool = False

    def fix(self, text: str, replacement: str | None, *commands: str) -> Fix:
        value = replacement or "<model ID>"
        if self.flag:
            return Fix(text, (f"claude --model {shlex.quote(value)}", *commands))
        if self.override_key is not None:
            snippet = json.dumps({"modelOverrides": {self.override_key: value}})
        elif self.setting is not None:
            snippet = json.dumps({self.setting: value})
        elif self.variable is not None:
            snippet = json.dumps({"env": {self.variable: value}})
        else:
            snippet = None
        return Fix(text, commands, snippet)


def _source(choice: ModelChoice, config: ResolvedConfig) -> _Source:
    """Which variable, setting or override supplied the final ID (the last one that changed it)."""
    target = _parse(choice.model_id).text
    overrides = config.settings.get("modelOverrides")
    if overrides is not None and isinstance(overrides.raw, dict):
        for key, mapped in overrides.raw.items():
            if isinstance(mapped, str) and mapped.strip() == target:
                where = overrides.origin.describe()
                return _Source(f"modelOverrides[{key!r}] in {where}", override_key=str(key))
    pins = [
        *model_data.ALIAS_OVERRIDE_VARIABLE.values(),
        "ANTHROPIC_SMALL_FAST_MODEL",
        *(r.variable for r in model_data.SESSION_ROLES),
    ]
    for variable in pins:
        value = config.env.get(variable)
        if value is not None and value.text and _parse(value.text).text == target:
            return _Source(f"{variable} ({value.origin.describe()})", variable=variable)
    if choice.origin.source is Source.FLAG:
        return _Source("--model", flag=True)
    for variable in ("ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_MODEL"):
        value = config.env.get(variable)
        if value is not None and value.text == choice.requested and value.origin == choice.origin:
            return _Source(f"{variable} ({value.origin.describe()})", variable=variable)
    model = config.settings.get("model")
    if model is not None and model.raw == choice.requested and model.origin == choice.origin:
        return _Source(f"the model setting in {model.origin.path}", setting="model")
    return _Source(choice.origin.describe())


# ---- judging one model --------------------------------------------------------------------------


def judge_model(choice: ModelChoice, config: ResolvedConfig, *, is_main: bool) -> Iterator[Problem]:
    parsed = _parse(choice.model_id)
    if choice.mid_session:
        role = model_data.session_role(choice.role).label
        used_by = model_data.session_role(choice.role).used_by
        softened = f" (Claude Code starts; {used_by} fail when used)"
    else:
        role = "main model" if is_main else "small/fast model"
        softened = " (background work fails; a one-shot `claude -p` still runs)"
    source = _source(choice, config)
    subject = f"{role} {parsed.text} (from {source.label})"
    provider = config.provider.provider
    judge = {
        Provider.BEDROCK: _bedrock,
        Provider.VERTEX: _vertex,
        Provider.ANTHROPIC: _anthropic,
        Provider.FOUNDRY: _foundry,
        Provider.ANTHROPIC_AWS: _claude_platform,
        Provider.ANTHROPIC_GOOGLE_CLOUD: _claude_platform,
        Provider.MANTLE: _mantle,
    }[provider]
    inner = _unquoted(parsed.text)
    if inner is not None:
        found = [
            Problem(
                Status.FAIL,
                f"{subject} is wrapped in literal quotes, which become part of the model ID "
                "that is sent",
                source.fix(
                    f"Remove the quote characters from {source.label}; in JSON the outer quotes "
                    "already delimit the string.",
                    inner,
                ),
            )
        ]
    else:
        found = list(judge(parsed, subject, source, config))
    if choice.one_million and _one_million_support(parsed) is False:
        found.append(
            Problem(
                Status.WARN,
                f"{subject} asks for [1m], but this model has no 1M-context variant (only "
                "Sonnet 4+, Opus 4.6+, Haiku 5.5+ and Fable do)",
                source.fix(
                    f"Drop the [1m] suffix from {source.label}, or pick a model with a 1M "
                    "context window.",
                    parsed.text,
                ),
            )
        )
    for problem in found:
        if not is_main and problem.status is Status.FAIL:
            # Observed: a broken small/fast model does not stop a one-shot `claude -p`; only
            # background work and interactive sessions hit it.
            yield Problem(Status.WARN, problem.message + softened, problem.fix)
        else:
            yield problem


def _bedrock(
    parsed: _Id, subject: str, source: _Source, config: ResolvedConfig
) -> Iterator[Problem]:
    prefix = config.bedrock_prefix
    region = config.bedrock_region.value
    listing = (
        f"aws bedrock list-inference-profiles --region {region} "
        "--query 'inferenceProfileSummaries[].inferenceProfileId' --output text"
    )
    gateway = config.is_set(BEDROCK.base_url_variable)
    found: list[Problem] = []
    if "%2F" in parsed.text.upper():
        fixed = re.sub("%2F", "/", parsed.text, flags=re.I)
        found.append(
            Problem(
                Status.FAIL,
                f"{subject} contains %2F: Claude Code needs the ARN with a literal '/' "
                "(since 0.2.125)",
                source.fix("Write the ARN with '/' instead of %2F.", fixed),
            )
        )
    elif parsed.arn:
        if not model_data.BEDROCK_ARN.match(parsed.text):
            found.append(
                Problem(
                    Status.WARN,
                    f"{subject} does not look like a Bedrock model or inference-profile ARN",
                    source.fix(
                        "Check the ARN: arn:aws:bedrock:<region>:<account>:"
                        "application-inference-profile/<id> or …:inference-profile/<profile>.",
                        None,
                        listing,
                    ),
                )
            )
    elif parsed.bedrock_profile:
        pass
    elif parsed.bedrock_base:
        if config.truthy("CLAUDE_CODE_USE_MANTLE") and not parsed.date:
            return  # a Mantle-format ID: the Mantle route takes it as it is
        profile = f"{prefix}.{parsed.text}"
        found.append(
            Problem(
                Status.FAIL,
                f"{subject} is a Bedrock base model ID: Claude Code fails at once with "
                '"Invocation of model ID … with on-demand throughput isn’t supported. Retry '
                'your request with the ID or ARN of an inference profile"',
                source.fix(
                    f"Use the inference profile {profile} (prefix '{prefix}.' for region "
                    f"{region}) or an application-inference-profile ARN. The command lists the "
                    "profiles your region offers.",
                    profile,
                    listing,
                ),
            )
        )
    elif parsed.vertex_dated or parsed.anthropic:
        style = "a Vertex-style name@date" if parsed.vertex_dated else "an Anthropic API ID"
        suggestion = f"{prefix}.anthropic.{parsed.name}-{parsed.date}-v1:0" if parsed.date else None
        found.append(
            Problem(
                Status.FAIL,
                f'{subject} is {style}, not a Bedrock ID: Bedrock answers "The provided model '
                'identifier is invalid."',
                source.fix(
                    f"Use the Bedrock inference-profile ID{f' {suggestion}' if suggestion else ''}"
                    f" (see the command), or map {parsed.text} to it with modelOverrides.",
                    suggestion,
                    listing,
                ),
            )
        )
    elif parsed.word:
        found.append(_unknown_word(parsed, subject, source, listing))
    else:
        found.append(
            Problem(
                Status.WARN,
                f"{subject} is not shaped like a Bedrock inference-profile ID or ARN; Bedrock "
                'will likely answer "The provided model identifier is invalid."',
                source.fix("Use an ID from the command's list, or an ARN.", None, listing),
            )
        )
    yield from _soften_for_gateway(found, gateway, BEDROCK.base_url_variable)


def _vertex(
    parsed: _Id, subject: str, source: _Source, config: ResolvedConfig
) -> Iterator[Problem]:
    gateway = config.is_set(VERTEX.base_url_variable)
    found: list[Problem] = []
    suggestion = parsed.as_vertex()
    if parsed.bedrock_shaped:
        found.append(
            Problem(
                Status.FAIL,
                f"{subject} is a Bedrock ID; Vertex AI names models claude-…[@YYYYMMDD] and "
                "answers 404 for this one",
                source.fix(f"Use the Vertex model name {suggestion}.", suggestion),
            )
        )
    elif parsed.vertex_dated:
        pass
    elif model_data.DASHED_DATE.search(parsed.text) and parsed.anthropic:
        found.append(
            Problem(
                Status.FAIL,
                f"{subject} writes its date with a dash; Vertex AI needs {suggestion} "
                "(name@YYYYMMDD) and answers 404 otherwise",
                source.fix(f"Write the date with @: {suggestion}.", suggestion),
            )
        )
    elif parsed.anthropic:
        pass
    elif parsed.word:
        found.append(_unknown_word(parsed, subject, source, None))
    else:
        found.append(
            Problem(
                Status.WARN,
                f"{subject} is not shaped like a Vertex AI model name (claude-…[@YYYYMMDD])",
                source.fix("Use a Vertex model name such as claude-sonnet-4-5@20250929.", None),
            )
        )
    yield from _soften_for_gateway(found, gateway, VERTEX.base_url_variable)


def _anthropic(
    parsed: _Id, subject: str, source: _Source, config: ResolvedConfig
) -> Iterator[Problem]:
    gateway = config.is_set(ANTHROPIC_API.base_url_variable)
    if parsed.bedrock_shaped or parsed.vertex_dated:
        kind = "a Bedrock ID" if parsed.bedrock_shaped else "a Vertex AI name"
        suggestion = parsed.as_anthropic()
        if gateway:
            yield Problem(
                Status.WARN,
                f"{subject} is {kind}, sent as it is to the gateway in ANTHROPIC_BASE_URL; "
                "that works only if the gateway maps this name",
                source.fix(
                    "Check that the gateway serves this exact model name; Anthropic-format "
                    f"gateways usually expect Anthropic IDs such as {suggestion}.",
                    suggestion,
                ),
            )
            return
        flag = "CLAUDE_CODE_USE_BEDROCK" if parsed.bedrock_shaped else "CLAUDE_CODE_USE_VERTEX"
        yield Problem(
            Status.FAIL,
            f"{subject} is {kind}, but Claude Code is talking to the Anthropic API (no provider "
            "flag, no ANTHROPIC_BASE_URL), which does not know it",
            source.fix(
                f"If you meant to use that provider, set {flag}=1; otherwise use the Anthropic "
                f"model ID {suggestion}.",
                suggestion,
                f"export {flag}=1",
            ),
        )
        return
    if parsed.anthropic:
        return
    guess = _alias_guess(parsed.text) if parsed.word else None
    if gateway:
        if guess is not None:
            yield _unknown_word(parsed, subject, source, None, status=Status.WARN)
        return
    if parsed.word:
        yield _unknown_word(parsed, subject, source, None)
        return
    tidy = parsed.text.lower().replace(".", "-").replace("_", "-")
    tidied = tidy if model_data.ANTHROPIC_ID.match(tidy) else None
    yield Problem(
        Status.FAIL,
        f"{subject} is not an Anthropic model ID (lower-case claude-…, dashes only); Claude Code "
        'rejects it: "Model … is not a recognized model id"',
        source.fix(
            f"Use {tidied}."
            if tidied
            else "Use an alias (opus, sonnet, haiku) or a full ID such as claude-sonnet-4-5.",
            tidied,
        ),
    )


def _foundry(
    parsed: _Id, subject: str, source: _Source, config: ResolvedConfig
) -> Iterator[Problem]:
    if parsed.bedrock_shaped or parsed.vertex_dated:
        yield Problem(
            Status.WARN,
            f"{subject} looks like a {'Bedrock' if parsed.bedrock_shaped else 'Vertex AI'} ID; "
            "Foundry expects the name of a deployment in your resource",
            source.fix(
                "Set the model to the deployment name you created in Microsoft Foundry "
                f"(often {parsed.name}).",
                parsed.name,
            ),
        )


def _claude_platform(
    parsed: _Id, subject: str, source: _Source, config: ResolvedConfig
) -> Iterator[Problem]:
    # Both Claude Platform routes take Anthropic IDs (observed); a cloud-shaped ID is most
    # likely left over from Bedrock or Vertex, but a gateway behind the base URL may map it.
    if parsed.bedrock_shaped or parsed.vertex_dated:
        suggestion = parsed.as_anthropic()
        yield Problem(
            Status.WARN,
            f"{subject} looks like a {'Bedrock' if parsed.bedrock_shaped else 'Vertex AI'} ID; "
            f"{route(config.provider.provider).name} expects Anthropic IDs such as {suggestion}",
            source.fix(f"Use the Anthropic model ID {suggestion}.", suggestion),
        )


def _mantle(
    parsed: _Id, subject: str, source: _Source, config: ResolvedConfig
) -> Iterator[Problem]:
    # Mantle takes anthropic.<model>, without a geography prefix, date or version
    # (providers.md A2.1, not observed): any other shape is likely left from another route, but a
    # gateway behind the base URL may map it, so it is a warning.
    suggestion = f"anthropic.{parsed.name}"
    if parsed.text != suggestion and not parsed.word:
        yield Problem(
            Status.WARN,
            f"{subject} is not a Mantle model ID; Bedrock Mantle expects IDs such as {suggestion}",
            source.fix(f"Use the Mantle model ID {suggestion}.", suggestion),
        )


def _unknown_word(
    parsed: _Id,
    subject: str,
    source: _Source,
    listing: str | None,
    status: Status = Status.FAIL,
) -> Problem:
    guess = _alias_guess(parsed.text)
    hint = f" (did you mean the alias {guess!r}?)" if guess else ""
    aliases = ", ".join(a for a in model_data.ALIASES if a != "best")
    return Problem(
        status,
        f"{subject} is not an alias Claude Code knows{hint}, so it is sent verbatim as a model ID",
        source.fix(
            f"Use one of the aliases ({aliases}) or a full model ID.",
            guess,
            *((listing,) if listing else ()),
        ),
    )


def _soften_for_gateway(found: list[Problem], gateway: bool, variable: str) -> Iterator[Problem]:
    for problem in found:
        if gateway and problem.status is Status.FAIL:
            yield Problem(
                Status.WARN,
                f"{problem.message} — unless the gateway in {variable} maps it",
                problem.fix,
            )
        else:
            yield problem
