"""The whole configuration as Claude Code would resolve it: provider, models, regions, project.

`resolve()` is the single entry point. It reads files once; checks only look at the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ccdoctor.clients.facts import (
    ClientFacts,
    FactsChoice,
    ModelDefaults,
    facts_for,
    parse_version,
)
from ccdoctor.config.aws_files import AwsFiles, read_aws_files
from ccdoctor.config.resolve import (
    DEFAULT,
    Layers,
    Origin,
    Value,
    discover_layers,
    effective_env,
    effective_settings,
)
from ccdoctor.config.settings_files import Source
from ccdoctor.config.truthy import Flag, is_truthy, parse_flag
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Status
from ccdoctor.knowledge import models as model_data
from ccdoctor.knowledge import regions as region_data
from ccdoctor.knowledge.routes import (
    ANTHROPIC_API,
    GATEWAY_ROUTE_ID,
    provider_of_flag,
)


@dataclass(frozen=True)
class Inputs:
    """Everything resolution depends on, so tests can build any machine."""

    environ: Mapping[str, str]
    home: Path
    project_dir: Path
    settings_arg: str | None = None
    model_arg: str | None = None
    managed_paths: tuple[Path, ...] = ()
    claude_version: str | None = None
    claude_version_origin: str | None = None
    """Where claude_version came from ("--claude-version", "/usr/bin/claude --version") or,
    when it is None, where ccdoctor looked."""
    claude_version_problem: str | None = None
    """Why `claude --version` gave no answer when the binary misbehaved (hung, would not start):
    the client itself would then not start either."""
    facts_choice: FactsChoice | None = None
    """The facts chosen before resolution (learned ones for a client newer than every shipped
    file); None: the shipped file for claude_version."""


@dataclass(frozen=True)
class FlagReading:
    """One route flag variable, its effective value, and how the client reads it (true, false,
    unset, ambiguous)."""

    variable: str
    value: Value | None
    flag: Flag


@dataclass(frozen=True)
class ProviderChoice:
    """The route the client takes, with every route flag as read and the gateway sign-in flag when
    it wins."""

    provider: Provider
    flags: tuple[FlagReading, ...]
    gateway: FlagReading | None = None
    """The Cloud gateway sign-in flag when it takes the session (it beats every route flag):
    `provider` is then the Anthropic route, the gateway at ANTHROPIC_BASE_URL."""

    @property
    def truthy(self) -> tuple[FlagReading, ...]:
        return tuple(f for f in self.flags if f.flag is Flag.TRUE)

    @property
    def route_id(self) -> str:
        """The route the client takes, as the report names it."""
        if self.gateway is not None:
            return GATEWAY_ROUTE_ID
        return self.provider.value


@dataclass(frozen=True)
class ModelChoice:
    """One model the client will send, and how it got there."""

    role: str
    requested: str
    origin: Origin
    model_id: str
    one_million: bool
    steps: tuple[str, ...]
    explicit: bool
    """True when the user chose it (flag, variable or setting) rather than a built-in default."""
    restricted: tuple[str, str] | None = None
    """(the model chosen, where availableModels is set) when that list does not allow the
    chosen model and the client sends this default instead."""

    @property
    def label(self) -> str:
        if self.role == "main":
            return "main model"
        if self.role == "small_fast":
            return "small/fast model"
        found = model_data.session_role(self.role)
        return f"{found.label} ({found.variable})"

    @property
    def refusal_status(self) -> Status:
        """A refused main model stops the client; a one-shot run never asks the small/fast one,
        and a session model is asked mid-session only (the client starts)."""
        return Status.FAIL if self.role == "main" else Status.WARN

    @property
    def variable(self) -> str:
        """The variable that points this model elsewhere."""
        if self.role == "main":
            return "ANTHROPIC_MODEL"
        if self.role == "small_fast":
            return "ANTHROPIC_DEFAULT_HAIKU_MODEL"
        return model_data.session_role(self.role).variable

    @property
    def mid_session(self) -> bool:
        """Sent only once a session uses it (a subagent, an alias switch): never at start-up."""
        return self.role not in ("main", "small_fast")


@dataclass(frozen=True)
class RegionChoice:
    """The region (or Vertex location) the client uses and where the value came from."""

    value: str
    origin: str
    skipped: tuple[tuple[str, str], ...] = ()
    """(where, value) pairs the client ignored because they are not shaped like a region."""


@dataclass(frozen=True)
class VertexProject:
    """The Google Cloud project the client calls Vertex AI with, where it came from, and the (where,
    value) candidates it beat."""

    value: str | None
    origin: str | None
    shadowed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ResolvedConfig:
    """The set-up as the client sees it: effective environment and settings, route, client version
    and facts, models, regions and cloud project."""

    inputs: Inputs
    layers: Layers
    env: Mapping[str, Value]
    settings: Mapping[str, Value]
    provider: ProviderChoice
    claude_version: tuple[int, int, int] | None
    facts: ClientFacts
    """What the client version does (the newest observed file not newer than it)."""
    defaults_source: str
    main_model: ModelChoice
    small_model: ModelChoice
    bedrock_region: RegionChoice
    small_model_region: RegionChoice
    bedrock_prefix: str
    aws_files: AwsFiles
    vertex_project: VertexProject
    vertex_regions: Mapping[str, RegionChoice] = field(default_factory=dict)
    """Location per model role ("main", "small_fast")."""
    session_models: tuple[ModelChoice, ...] = ()
    """The models pinned for mid-session use (subagents, alias switches) that neither the main
    nor the small/fast model already is, in knowledge.models.SESSION_ROLES order."""

    def get(self, name: str) -> str | None:
        """The effective value of an environment variable; an empty string means unset."""
        value = self.env.get(name)
        return value.text if value is not None else None

    def setting(self, key: str) -> Any:
        value = self.settings.get(key)
        return value.raw if value is not None else None

    def is_set(self, name: str) -> bool:
        return self.get(name) is not None

    def truthy(self, name: str) -> bool:
        return is_truthy(self.get(name))

    @property
    def models_asked(self) -> tuple[ModelChoice, ...]:
        """The main model, then the small/fast one when it is another: what a models check
        proves, each once."""
        if self.small_model.model_id == self.main_model.model_id:
            return (self.main_model,)
        return (self.main_model, self.small_model)

    def fallback_models(self) -> tuple[str, ...]:
        """The models the client asks in turn, in the same run, when its main model is refused,
        after the main one: the version's chain for the route, for a built-in main model only
        (a pinned one is asked alone), unless a variable that switches the fallback off is set."""
        fallback = self.facts.fallback
        if fallback is None or self.main_model.explicit:
            return ()
        if any(self.truthy(variable) for variable in fallback.stopped_by):
            return ()
        chain = fallback.chains.get(self.provider.provider, ())
        models = (model.replace("{prefix}", self.bedrock_prefix) for model in chain)
        return tuple(model for model in models if model != self.main_model.model_id)

    def vertex_region_for(self, model_id: str) -> RegionChoice:
        """The location the client calls `model_id` in on Vertex."""
        return _vertex_region(self.get, model_id)


def resolve(inputs: Inputs) -> ResolvedConfig:
    version = parse_version(inputs.claude_version)
    facts = inputs.facts_choice.facts if inputs.facts_choice else facts_for(version)
    layers = discover_layers(
        inputs.environ,
        inputs.home,
        inputs.project_dir,
        inputs.settings_arg,
        inputs.managed_paths,
        facts.local_at_git_root,
    )
    env = effective_env(inputs.environ, layers)
    settings = effective_settings(layers)

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.text if value is not None else None

    provider = _provider(env, facts)
    # A route first observed on a later version has no row in the files in between; the
    # Anthropic API's row stands in, and defaults_source says so.
    defaults = facts.defaults.get(provider.provider)
    defaults_source = f"{facts.source} (row for Claude Code ≥ {facts.version_text})"
    if defaults is None:
        defaults = facts.defaults[Provider.ANTHROPIC]
        defaults_source += f"; no {provider.provider.value} row observed, the Anthropic API's used"
    if provider.gateway is not None and facts.gateway is not None:
        defaults = replace(defaults, main=facts.gateway.main)
    text_env = {name: text for name, value in env.items() if (text := value.text) is not None}
    aws = read_aws_files(text_env, inputs.home)
    region = _bedrock_region(get, aws)
    prefix = _bedrock_prefix(get, region.value)
    rules = _Rules(settings, defaults, prefix, facts.model_overrides_chosen)
    main = _main_model(inputs, env, rules, version, provider.provider)
    small = _small_model(env, rules, provider.provider, main, get)
    further = _session_models(env, rules, (main, small), facts.variables)
    small_region = _small_region(get, region)
    return ResolvedConfig(
        inputs=inputs,
        layers=layers,
        env=env,
        settings=settings,
        provider=provider,
        claude_version=version,
        facts=facts,
        defaults_source=defaults_source,
        main_model=main,
        small_model=small,
        bedrock_region=region,
        small_model_region=small_region,
        bedrock_prefix=prefix,
        aws_files=aws,
        vertex_project=_vertex_project(env, inputs.project_dir),
        vertex_regions={
            "main": _vertex_region(get, main.model_id),
            "small_fast": _vertex_region(get, small.model_id),
        },
        session_models=further,
    )


def _provider(env: Mapping[str, Value], facts: ClientFacts) -> ProviderChoice:
    """The first truthy route flag in the client version's order; the readings keep that
    order, so the winner of several truthy flags is the first of them."""
    readings = []
    for variable in facts.precedence:
        value = env.get(variable)
        readings.append(FlagReading(variable, value, parse_flag(value.text if value else None)))
    if (gateway := _gateway_sign_in(env, facts)) is not None:
        return ProviderChoice(Provider.ANTHROPIC, tuple(readings), gateway=gateway)
    winner = next((r.variable for r in readings if r.flag is Flag.TRUE), None)
    if winner is None:
        return ProviderChoice(Provider.ANTHROPIC, tuple(readings))
    return ProviderChoice(provider_of_flag(winner), tuple(readings))


def _gateway_sign_in(env: Mapping[str, Value], facts: ClientFacts) -> FlagReading | None:
    """The gateway flag, read as the client does: truthy, and every variable it needs set;
    without one of them the client ignores the flag (observed: tests/facts/mantle_gateway.md)."""
    sign_in = facts.gateway
    if sign_in is None:
        return None
    value = env.get(sign_in.flag)
    flag = parse_flag(value.text if value else None)
    needed = (env.get(name) for name in sign_in.requires)
    if flag is not Flag.TRUE or not all(v is not None and v.text for v in needed):
        return None
    return FlagReading(sign_in.flag, value, flag)


def _bedrock_region(get: Any, aws: AwsFiles) -> RegionChoice:
    candidates: list[tuple[str, str | None]] = [
        ("AWS_REGION", get("AWS_REGION")),
        ("AWS_DEFAULT_REGION", get("AWS_DEFAULT_REGION")),
        (
            f"region of profile '{aws.profile}' in {aws.credentials_path}",
            (aws.credentials or {}).get("region"),
        ),
        (
            f"region of profile '{aws.profile}' in {aws.config_path}",
            (aws.config or {}).get("region"),
        ),
    ]
    skipped: list[tuple[str, str]] = []
    for where, raw in candidates:
        if raw is None or raw == "":
            continue
        value = raw.strip()
        if region_data.REGION_SHAPE.match(value):
            return RegionChoice(value, where, tuple(skipped))
        skipped.append((where, raw))
    return RegionChoice(region_data.BEDROCK_DEFAULT_REGION, "built-in default", tuple(skipped))


def _bedrock_prefix(get: Any, region: str) -> str:
    from_region = region_data.bedrock_prefix_for_region(region)
    # Not mutated: an unset prefix and any text that is no prefix are ignored alike.
    wanted = (get("ANTHROPIC_BEDROCK_REGION_PREFIX") or "").strip().lower()  # pragma: no mutate
    if from_region == "us-gov" or wanted not in region_data.REGION_PREFIX_SETTING_VALUES:
        return from_region
    return wanted


def _small_region(get: Any, main_region: RegionChoice) -> RegionChoice:
    override = get("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION")
    pinned = get("ANTHROPIC_DEFAULT_HAIKU_MODEL") or get("ANTHROPIC_SMALL_FAST_MODEL")
    if override and pinned and region_data.REGION_SHAPE.match(override.strip()):
        return RegionChoice(override.strip(), "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION")
    return main_region


@dataclass(frozen=True)
class _Rules:
    """What resolving any model of a session needs besides the environment: the effective
    settings, the route's built-in models, the Bedrock profile prefix, and whether the version's
    modelOverrides maps a chosen model too (ClientFacts.model_overrides_chosen)."""

    settings: Mapping[str, Value]
    defaults: ModelDefaults
    prefix: str
    overrides_chosen: bool


def _main_model(
    inputs: Inputs,
    env: Mapping[str, Value],
    rules: _Rules,
    version: tuple[int, int, int] | None,
    provider: Provider,
) -> ModelChoice:
    settings = rules.settings
    requested: str | None = None
    origin = DEFAULT
    if inputs.model_arg:
        requested, origin = inputs.model_arg, Origin(Source.FLAG, "--model")
    elif (value := env.get("ANTHROPIC_MODEL")) is not None and value.text:
        requested, origin = value.text, value.origin
    elif (value := settings.get("model")) is not None and isinstance(value.raw, str) and value.raw:
        requested, origin = value.raw, value.origin
    elif (
        (value := env.get("ANTHROPIC_DEFAULT_MODEL")) is not None
        and value.text
        and (version is None or version >= model_data.DEFAULT_MODEL_VARIABLE_SINCE)
    ) and value.text.strip().lower() not in ("default", "inherit", "opusplan", "haiku"):
        requested, origin = value.text, value.origin
    if requested is not None:
        chosen = _resolve_model("main", requested, origin, True, env, rules)
        listed = settings.get(model_data.AVAILABLE_MODELS)
        if listed is None or not isinstance(listed.raw, list):
            return chosen
        if model_data.available_allows(listed.raw, chosen.model_id):
            return chosen
        where = listed.origin.describe()
        fallback = _main_model_default(env, rules, provider)
        return replace(
            fallback,
            steps=(
                *chosen.steps,
                f"{chosen.model_id} is not in availableModels ({where}): the default is sent",
                *fallback.steps[1:],
            ),
            restricted=(chosen.model_id, where),
        )
    return _main_model_default(env, rules, provider)


def _main_model_default(env: Mapping[str, Value], rules: _Rules, provider: Provider) -> ModelChoice:
    """The model a session that chooses none sends: the version's default, which is the opus
    alias (and so follows its pin) wherever that default is an opus."""
    pin = env.get(model_data.ALIAS_OVERRIDE_VARIABLE["opus"])
    default_main, _ = _one_million(rules.defaults.main, [])
    if pin is not None and pin.text and default_main == rules.defaults.aliases.get("opus"):
        chosen = _resolve_model("main", "opus", DEFAULT, False, env, rules)
        steps = ("'default' from built-in default", "'default' is the opus alias here")
        million = chosen.one_million or provider.value in model_data.OPUS_PIN_WITH_1M_BETA
        return replace(
            chosen, requested="default", one_million=million, steps=steps + chosen.steps[1:]
        )
    return _resolve_model("main", "default", DEFAULT, False, env, rules)


def _session_models(
    env: Mapping[str, Value],
    rules: _Rules,
    taken: tuple[ModelChoice, ...],
    named: frozenset[str],
) -> tuple[ModelChoice, ...]:
    """`named`: the variables the version's code names (empty: not known, every role counts)."""
    found: list[ModelChoice] = []
    for role in model_data.SESSION_ROLES:
        if named and role.variable not in named:
            continue
        value = env.get(role.variable)
        if value is None or not value.text:
            continue
        choice = _resolve_model(role.role, value.text, value.origin, True, env, rules)
        if choice.model_id not in {m.model_id for m in (*taken, *found)}:
            found.append(choice)
    return tuple(found)


def _small_model(
    env: Mapping[str, Value],
    rules: _Rules,
    provider: Provider,
    main: ModelChoice,
    get: Any,
) -> ModelChoice:
    for variable in ("ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_SMALL_FAST_MODEL"):
        value = env.get(variable)
        if value is not None and value.text:
            return _resolve_model("small_fast", value.text, value.origin, True, env, rules)
    gateway = provider is Provider.ANTHROPIC and get(ANTHROPIC_API.base_url_variable) is not None
    if (provider is not Provider.ANTHROPIC or gateway) and main.explicit:
        return ModelChoice(
            "small_fast",
            main.requested,
            main.origin,
            main.model_id,
            main.one_million,
            (*main.steps, "no small/fast pin: background work uses the main model"),
            True,
        )
    return _resolve_model("small_fast", rules.defaults.small_fast, DEFAULT, False, env, rules)


def _resolve_model(
    role: str,
    requested: str,
    origin: Origin,
    explicit: bool,
    env: Mapping[str, Value],
    rules: _Rules,
) -> ModelChoice:
    defaults = rules.defaults
    steps = [f"{requested!r} from {origin.describe()}"]
    current, one_million = _one_million(requested.strip(), steps)
    # The user's own text (or an alias pin's), not a built-in ID: modelOverrides treats the two
    # apart (tests/facts/session_models.md).
    chosen = explicit
    alias = current.lower()
    if alias == "opusplan":
        alias = "sonnet"
        steps.append("opusplan uses sonnet outside plan mode (opus while planning)")
    if alias == "best":
        alias = "opus"
    if alias == "default":
        current = defaults.main
        chosen = False
        steps.append(f"'default' is the provider default {current}")
    elif alias in model_data.ALIAS_OVERRIDE_VARIABLE:
        variable = model_data.ALIAS_OVERRIDE_VARIABLE[alias]
        pinned = env.get(variable)
        if pinned is not None and pinned.text:
            # Sent as it is, but for a [1m] suffix: an alias or `default` in it is not followed
            # (observed on 2.1.197, 2.1.257 and 2.1.332).
            current = pinned.text.strip()
            chosen = True
            steps.append(f"alias '{alias}' → {current} via {variable}")
        else:
            current = defaults.aliases.get(alias, defaults.main)
            chosen = False
            steps.append(f"alias '{alias}' → {current} (built-in)")
    current, resolved_to_million = _one_million(current, steps)
    one_million = one_million or resolved_to_million
    mapped = _overridden(current, chosen, rules)
    if mapped is not None:
        steps.append(f"modelOverrides maps {current} → {mapped}")
        current = mapped
    elif chosen and not rules.overrides_chosen and _overridden(current, False, rules):
        steps.append("modelOverrides maps built-in IDs only in this version: sent as chosen")
    if "{prefix}" in current:
        current = current.replace("{prefix}", rules.prefix)
        steps.append(f"inference-profile prefix '{rules.prefix}.' applied")
    return ModelChoice(role, requested, origin, current, one_million, tuple(steps), explicit)


def _overridden(model_id: str, chosen: bool, rules: _Rules) -> str | None:
    """What modelOverrides maps `model_id` to, or None. A built-in ID is looked up as the client
    does, by its Anthropic ID (the key "claude-opus-4-6" maps
    {prefix}.anthropic.claude-opus-4-6-v1); a chosen one only from 2.1.207 on, and only when it is
    itself one of the client's Anthropic IDs, matched case aside (observed on 2.1.197, 2.1.207
    to 2.1.337)."""
    overrides = rules.settings.get("modelOverrides")
    if overrides is None or not isinstance(overrides.raw, dict):
        return None
    table: dict[object, object] = overrides.raw
    if chosen:
        if not (rules.overrides_chosen and model_data.overridable_choice(model_id)):
            return None
        found = [
            v for k, v in table.items() if isinstance(k, str) and k.lower() == model_id.lower()
        ]
        mapped = found[0] if found else None
    else:
        mapped = table.get(model_id)
        if not (isinstance(mapped, str) and mapped):
            mapped = table.get(model_data.anthropic_id(model_id))
    return mapped if isinstance(mapped, str) and mapped else None


def _one_million(model: str, steps: list[str]) -> tuple[str, bool]:
    """`model` without its [1m] suffix (a request for the 1M-context variant), and whether it
    had one."""
    if not model.lower().endswith(model_data.ONE_MILLION_SUFFIX):
        return model, False
    steps.append("[1m] suffix stripped (1M context requested)")
    return model[: -len(model_data.ONE_MILLION_SUFFIX)], True


def _vertex_region(get: Any, model_id: str) -> RegionChoice:
    variable = model_data.vertex_region_variable(model_id)
    skipped: list[tuple[str, str]] = []
    for name in (variable, "CLOUD_ML_REGION"):
        if name is None:
            continue
        raw = get(name)
        if raw is None:
            continue
        value = raw.strip()
        if region_data.VERTEX_LOCATION_SHAPE.match(value):
            return RegionChoice(value, name, tuple(skipped))
        skipped.append((name, raw))
    return RegionChoice(region_data.VERTEX_DEFAULT_REGION, "built-in default", tuple(skipped))


def _vertex_project(env: Mapping[str, Value], project_dir: Path) -> VertexProject:
    """Google's own variables and the credentials file beat ANTHROPIC_VERTEX_PROJECT_ID (docs)."""
    found: list[tuple[str, str]] = []
    for name in ("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"):
        value = env.get(name)
        if value is not None and value.text:
            found.append((name, value.text.strip()))
    credentials = env.get("GOOGLE_APPLICATION_CREDENTIALS")
    if credentials is not None and credentials.text:
        # google-auth-library opens the variable's path as it is: no `~` expansion.
        path = Path(credentials.text.strip())
        in_file = _credentials_file_project(path if path.is_absolute() else project_dir / path)
        if in_file:
            found.append(("project_id in GOOGLE_APPLICATION_CREDENTIALS file", in_file))
    named = env.get("ANTHROPIC_VERTEX_PROJECT_ID")
    if named is not None and named.text:
        found.append(("ANTHROPIC_VERTEX_PROJECT_ID", named.text.strip()))
    if not found:
        return VertexProject(None, None)
    (origin, project), *rest = found
    return VertexProject(project, origin, tuple(rest))


def _credentials_file_project(path: Path) -> str | None:
    try:
        if path.stat().st_size > 1024 * 1024:
            return None
        # Not mutated: in the tests' UTF-8 locale every spelling of the encoding reads alike.
        data = json.loads(path.read_text(encoding="utf-8"))  # pragma: no mutate
    except (OSError, ValueError, RecursionError):
        return None
    project = data.get("project_id") if isinstance(data, dict) else None
    return project if isinstance(project, str) and project else None
