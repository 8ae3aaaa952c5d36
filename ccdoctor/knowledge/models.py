"""Model knowledge: defaults per client version, aliases, ID shapes, Vertex region overrides.

Rows are keyed by the first Claude Code version that sent them; ccdoctor uses the row for the
installed client (`claude --version`) or, when it cannot tell, the newest row. `{prefix}` in a
Bedrock ID is replaced by the cross-region inference-profile prefix the client prefers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ccdoctor.core.provider import Provider


@dataclass(frozen=True)
class ModelDefaults:
    main: str
    small_fast: str
    aliases: dict[str, str]
    """Alias → model for `opus`, `sonnet`, `haiku` (and `fable` where it exists)."""


@dataclass(frozen=True)
class DefaultsRow:
    since: tuple[int, int, int]
    source: str
    providers: dict[Provider, ModelDefaults]


_BEDROCK_SONNET = "{prefix}.anthropic.claude-sonnet-4-5-20250929-v1:0"
_BEDROCK_HAIKU = "{prefix}.anthropic.claude-haiku-4-5-20251001-v1:0"
_VERTEX_SONNET = "claude-sonnet-4-5@20250929"
_VERTEX_HAIKU = "claude-haiku-4-5@20251001"
_ANTHROPIC_HAIKU = "claude-haiku-4-5-20251001"


def _defaults(main: str, small_fast: str, opus: str, sonnet: str, haiku: str) -> ModelDefaults:
    return ModelDefaults(main, small_fast, {"opus": opus, "sonnet": sonnet, "haiku": haiku})


_FOUNDRY = _defaults(
    "claude-sonnet-4-5", "claude-sonnet-4-5", "claude-opus-4-6", "claude-sonnet-4-5",
    "claude-haiku-4-5",
)  # fmt: skip
_ANTHROPIC_197 = _defaults(
    "claude-opus-4-8[1m]", _ANTHROPIC_HAIKU, "claude-opus-4-8", "claude-sonnet-5", _ANTHROPIC_HAIKU
)

DEFAULTS_BY_VERSION: tuple[DefaultsRow, ...] = (
    DefaultsRow(
        since=(2, 1, 197),
        source="observed: Claude Code 2.1.197 against local fakes",
        providers={
            Provider.ANTHROPIC: _ANTHROPIC_197,
            Provider.BEDROCK: _defaults(
                _BEDROCK_SONNET, _BEDROCK_SONNET, "{prefix}.anthropic.claude-opus-4-6-v1",
                _BEDROCK_SONNET, _BEDROCK_HAIKU,
            ),
            Provider.VERTEX: _defaults(
                _VERTEX_SONNET, _VERTEX_SONNET, "claude-opus-4-6", _VERTEX_SONNET, _VERTEX_HAIKU
            ),
            Provider.FOUNDRY: _FOUNDRY,
        },
    ),
    DefaultsRow(
        since=(2, 1, 207),
        source="docs: Bedrock/Vertex default to Opus 4.8, background to Sonnet 4.5",
        providers={
            Provider.ANTHROPIC: _ANTHROPIC_197,
            Provider.BEDROCK: _defaults(
                "{prefix}.anthropic.claude-opus-4-8", _BEDROCK_SONNET,
                "{prefix}.anthropic.claude-opus-4-8", _BEDROCK_SONNET, _BEDROCK_HAIKU,
            ),
            Provider.VERTEX: _defaults(
                "claude-opus-4-8", _VERTEX_SONNET, "claude-opus-4-8", _VERTEX_SONNET, _VERTEX_HAIKU
            ),
            Provider.FOUNDRY: _FOUNDRY,
        },
    ),
    DefaultsRow(
        since=(2, 1, 219),
        source="docs: Opus 5 becomes the default and the `opus` alias",
        providers={
            Provider.ANTHROPIC: _defaults(
                "claude-opus-5", _ANTHROPIC_HAIKU, "claude-opus-5", "claude-sonnet-5",
                _ANTHROPIC_HAIKU,
            ),
            Provider.BEDROCK: _defaults(
                "{prefix}.anthropic.claude-opus-5", _BEDROCK_SONNET,
                "{prefix}.anthropic.claude-opus-5", _BEDROCK_SONNET, _BEDROCK_HAIKU,
            ),
            Provider.VERTEX: _defaults(
                "claude-opus-5", _VERTEX_SONNET, "claude-opus-5", _VERTEX_SONNET, _VERTEX_HAIKU
            ),
            Provider.FOUNDRY: _FOUNDRY,
        },
    ),
)  # fmt: skip

ALIASES = ("default", "opus", "sonnet", "haiku", "opusplan", "best", "fable")
ALIAS_OVERRIDE_VARIABLE = {
    "opus": "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "sonnet": "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "haiku": "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "fable": "ANTHROPIC_DEFAULT_FABLE_MODEL",
}
ONE_MILLION_SUFFIX = "[1m]"

DEFAULT_MODEL_VARIABLE_SINCE = (2, 1, 236)
"""`ANTHROPIC_DEFAULT_MODEL` exists from this version on."""


def parse_version(text: str | None) -> tuple[int, int, int] | None:
    if not text:
        return None
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return (major, minor, patch)


def defaults_row(version: tuple[int, int, int] | None) -> DefaultsRow:
    if version is None:
        return DEFAULTS_BY_VERSION[-1]
    matching = [row for row in DEFAULTS_BY_VERSION if row.since <= version]
    return matching[-1] if matching else DEFAULTS_BY_VERSION[0]


# Model-ID shapes. The `[1m]` suffix is stripped before matching.
ANTHROPIC_ID = re.compile(r"^claude-[a-z0-9]+(?:-[a-z0-9]+)*$")
BEDROCK_BASE_ID = re.compile(
    r"^anthropic\.claude-[a-z0-9]+(?:-[a-z0-9]+)*?(?:-\d{8})?(?:-v\d+(?::\d+)?)?(?::\d+k)?$"
)
BEDROCK_PROFILE_ID = re.compile(
    r"^(us|eu|apac|jp|au|global|us-gov)\.(anthropic\.claude-[a-z0-9-]+(?:-v\d+)?(?::\d+)?)$"
)
BEDROCK_ARN = re.compile(
    r"^arn:aws(?:-[a-z-]+)?:bedrock:([a-z0-9-]*):(\d{12})?:"
    r"(foundation-model|inference-profile|application-inference-profile|provisioned-model"
    r"|custom-model|imported-model)/(.+)$"
)
VERTEX_ID = re.compile(r"^claude-[a-z0-9]+(?:-[a-z0-9]+)*(?:@\d{8})?$")
DASHED_DATE = re.compile(r"-\d{8}$")

# Per-model Vertex region variables, most specific model-ID prefix first (the client matches by
# prefix, so `claude-opus-4-1` must be tried before `claude-opus-4`).
VERTEX_REGION_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("claude-haiku-4-5", "VERTEX_REGION_CLAUDE_HAIKU_4_5"),
    ("claude-3-5-haiku", "VERTEX_REGION_CLAUDE_3_5_HAIKU"),
    ("claude-3-5-sonnet", "VERTEX_REGION_CLAUDE_3_5_SONNET"),
    ("claude-3-7-sonnet", "VERTEX_REGION_CLAUDE_3_7_SONNET"),
    ("claude-opus-4-1", "VERTEX_REGION_CLAUDE_4_1_OPUS"),
    ("claude-opus-4-5", "VERTEX_REGION_CLAUDE_4_5_OPUS"),
    ("claude-opus-4-6", "VERTEX_REGION_CLAUDE_4_6_OPUS"),
    ("claude-opus-4-7", "VERTEX_REGION_CLAUDE_4_7_OPUS"),
    ("claude-opus-4-8", "VERTEX_REGION_CLAUDE_4_8_OPUS"),
    ("claude-opus-4", "VERTEX_REGION_CLAUDE_4_0_OPUS"),
    ("claude-opus-5", "VERTEX_REGION_CLAUDE_5_OPUS"),
    ("claude-sonnet-4-5", "VERTEX_REGION_CLAUDE_4_5_SONNET"),
    ("claude-sonnet-4-6", "VERTEX_REGION_CLAUDE_4_6_SONNET"),
    ("claude-sonnet-4", "VERTEX_REGION_CLAUDE_4_0_SONNET"),
    ("claude-sonnet-5", "VERTEX_REGION_CLAUDE_5_SONNET"),
    ("claude-fable-5", "VERTEX_REGION_CLAUDE_FABLE_5"),
)


def vertex_region_variable(model_id: str) -> str | None:
    for prefix, variable in VERTEX_REGION_OVERRIDES:
        if model_id.startswith(prefix):
            return variable
    return None


_PROVIDER_DECORATION = re.compile(r"^(?:\{prefix\}|us|eu|apac|jp|au|global|us-gov)\.|^anthropic\.")


def anthropic_id(model_id: str) -> str:
    """The Anthropic API ID behind a Bedrock or Vertex ID: the key `modelOverrides` uses."""
    name = _PROVIDER_DECORATION.sub("", _PROVIDER_DECORATION.sub("", model_id))
    name = re.sub(r"-v\d+(?::\d+)?$", "", name)
    return name.replace("@", "-")
